"""Enterprise evaluations — energy & carbon (碳效码), 亩均效益 A/B/C/D, 高耗低效 screening.

Every method is a pure function from Ibis tables to Ibis tables, parameterised only by a method
file (YAML, validated): the same expressions run on DuckDB in-process (default) and on PySpark.
See ``docs/*/evaluation.md``.

Public API::

    evaluate(kind, year, *, method=None, input=None, output=None, engine="duckdb", events=None,
             convention=None, lake=None, store=True, progress=None) -> RunResult
    load_method(name_or_path, kind=None) -> Loaded            # validated method + path + sha256
    validate_method_file(path) -> (method | None, [Problem])
    load_methods(kind, method=None) -> (Methods, Loaded)      # a method and those it refers to
    carbon_results / mujun_results / screen_results(facts, methods, year, ...) -> ibis.Table
    with_keys, with_carbon, with_mujun, with_screening        # the composable steps
    adjustments_table(events, mujun_method, year) -> pyarrow.Table
    reason_text(code) -> str
"""

from __future__ import annotations

from .carbon import with_carbon
from .common import reason_text, with_keys
from .events import adjustments_table, read_events
from .loader import Loaded, shipped_methods, validate_method_file
from .loader import load as load_method
from .mujun import with_mujun
from .pipeline import Methods, carbon_results, mujun_results, results, screen_results
from .result import RunResult
from .run import KINDS, evaluate, load_methods, run_path
from .schema import CarbonMethod, MujunMethod, ScreenMethod
from .screening import with_screening

__all__ = [
    "KINDS",
    "CarbonMethod",
    "Loaded",
    "Methods",
    "MujunMethod",
    "RunResult",
    "ScreenMethod",
    "adjustments_table",
    "carbon_results",
    "evaluate",
    "load_method",
    "load_methods",
    "mujun_results",
    "read_events",
    "reason_text",
    "results",
    "run_path",
    "screen_results",
    "shipped_methods",
    "validate_method_file",
    "with_carbon",
    "with_keys",
    "with_mujun",
    "with_screening",
]
