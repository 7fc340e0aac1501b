"""The yearly programme (工作要点) as data: schema, loading with validation, export, display.

A programme is a YAML file per year (``data/2022.yaml`` ships with the package; files such as
``2023.yaml`` in the workspace's programme folder are found without code changes). Indicators and
responsible units come from two catalogues reused across years (``data/indicators.yaml``,
``data/units.yaml``). A new year starts as a draft of the last one (``write_draft``) whose values
are marked ``待填写`` until filled; a draft is never loaded.
"""

from __future__ import annotations

from .draft import PLACEHOLDER, write_draft
from .export import EXPORT_COLUMNS, export_rows, write_export, write_xlsx
from .loader import (
    available_years,
    indicators,
    load,
    programme_path,
    read_draft,
    unit_names,
    units,
    validate_file,
)
from .render import build_tree
from .schema import (
    KIND_LABELS_ZH,
    QUALIFIERS,
    TARGET_KINDS,
    Area,
    Goal,
    Indicator,
    Item,
    Programme,
    Safeguard,
    Target,
    TargetRow,
    Task,
    Tolerance,
    Unit,
)
from .sizes import SizeClass, size_class, size_classes

__all__ = [
    "EXPORT_COLUMNS",
    "KIND_LABELS_ZH",
    "PLACEHOLDER",
    "QUALIFIERS",
    "TARGET_KINDS",
    "Area",
    "Goal",
    "Indicator",
    "Item",
    "Programme",
    "Safeguard",
    "SizeClass",
    "Target",
    "TargetRow",
    "Task",
    "Tolerance",
    "Unit",
    "available_years",
    "build_tree",
    "export_rows",
    "indicators",
    "load",
    "programme_path",
    "read_draft",
    "size_class",
    "size_classes",
    "unit_names",
    "units",
    "validate_file",
    "write_draft",
    "write_export",
    "write_xlsx",
]
