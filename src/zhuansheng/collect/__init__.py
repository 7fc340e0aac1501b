"""Data collection from cities and counties (数据填报与多级上报): templates, safe file reading,
validation rules, atomic imports with revisions, and the submission workflow."""

from . import template as templates
from . import workflow
from .observations import ImportResult, import_observations
from .rules import ValidationRules, default_rules, load_rules

__all__ = [
    "ImportResult",
    "ValidationRules",
    "default_rules",
    "import_observations",
    "load_rules",
    "templates",
    "workflow",
]
