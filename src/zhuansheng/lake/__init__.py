"""The enterprise lake: yearly enterprise facts as Parquet, read through Ibis (DuckDB by default).

Public API (others call exactly these)::

    write_facts(table, *, lake=None, source, sha256=None, synthetic=False) -> list[Path]
    connect() -> ibis.BaseBackend
    facts(con=None, *, lake=None, years=None) -> ibis.Table
    validate_facts(table, *, source_name) -> list[Problem]
    import_enterprises(path, *, lake=None, dry_run=False, synthetic=False, sheet=None)
    gc(lake=None, *, keep=None, dry_run=False) -> list[GcEntry]

The contract (columns, units, rules) is :mod:`zhuansheng.lake.contract`; see ``docs/*/lake.md``.
Ibis is imported only when a connection is made, so importing this package stays cheap.
"""

from __future__ import annotations

from . import uscc
from .backend import connect
from .contract import (
    COLUMNS,
    CONTRACT_VERSION,
    FACT_COLUMNS,
    FACT_SCHEMA,
    REQUIRED_COLUMNS,
    Column,
    prepare_facts,
    validate_facts,
)
from .importer import ImportResult, import_enterprises
from .store import (
    META_PREFIX,
    ROW_GROUP_ROWS,
    GcEntry,
    LakeError,
    PartitionInfo,
    fact_files,
    facts,
    gc,
    lake_info,
    lake_root,
    write_facts,
)

__all__ = [
    "COLUMNS",
    "CONTRACT_VERSION",
    "FACT_COLUMNS",
    "FACT_SCHEMA",
    "META_PREFIX",
    "REQUIRED_COLUMNS",
    "ROW_GROUP_ROWS",
    "Column",
    "GcEntry",
    "ImportResult",
    "LakeError",
    "PartitionInfo",
    "connect",
    "fact_files",
    "facts",
    "gc",
    "import_enterprises",
    "lake_info",
    "lake_root",
    "prepare_facts",
    "uscc",
    "validate_facts",
    "write_facts",
]
