"""Monthly monitoring analysis (月度监测分析): every target, in every region, against schedule.

    from zhuansheng import monitor
    m = monitor.run("2022-06")
    m.rows(level="city")          # ProgressRow per target × unit
    m.warnings()                  # red items, worst first
    m.by_target("robots_new"), m.by_region("330600"), m.by_area(), m.by_unit("省经信厅")

The CLI (``zhuansheng monitor``), the web app and the reports all call this module.
"""

from .analysis import Analysis, TargetResult, analyse
from .columns import ROW_COLUMNS
from .config import MonitorConfig, default_config, load_config
from .rows import ProgressRow, rows_for
from .units import ReportingUnit, UnitSet
from .views import Monitor, run

__all__ = [
    "ROW_COLUMNS",
    "Analysis",
    "Monitor",
    "MonitorConfig",
    "ProgressRow",
    "ReportingUnit",
    "TargetResult",
    "UnitSet",
    "analyse",
    "default_config",
    "load_config",
    "rows_for",
    "run",
]
