"""Regional evaluation: the quarterly operation evaluation (季度运行评价) and the annual
comprehensive assessment (年度综合评估) of cities, counties and the pilots.

    from zhuansheng import assess
    result = assess.run(period="2022Q2", level="city", scheme=None, sensitivity=1000)
    result.rows                  # AssessmentRow per region, by rank
    result.sensitivity_summary   # which choice moves ranks most
    assess.load_run(result.run_id), assess.reproduce(result.run_id)

Schemes are YAML files: a year's own in the programme folder (``schemes/quarterly-2023.yaml``),
else the shipped ones (``data/quarterly-2022.yaml``, ``data/annual-2022.yaml``) — ``find_scheme``
is the one lookup. ``draft.write_draft`` drafts one from the year's programme; a draft is used
only with ``draft=True``. ``explain.write`` exports what a ranking was computed from. The method
is ``docs/*/assessment.md``.
"""

from .scheme import (
    GRADES,
    LEVELS,
    NORMALISATIONS,
    DraftScheme,
    LoadedScheme,
    Scheme,
    find_scheme,
    load_scheme,
    scheme_periods,
    validate_scheme_file,
)
from .sensitivity import SensitivitySummary
from .service import (
    DEFAULT_SEED,
    Assessment,
    AssessmentRow,
    Explanation,
    IndicatorInfo,
    evaluate,
    load_run,
    previous,
    reproduce,
    run,
    runs,
)

__all__ = [
    "DEFAULT_SEED",
    "GRADES",
    "LEVELS",
    "NORMALISATIONS",
    "Assessment",
    "AssessmentRow",
    "DraftScheme",
    "Explanation",
    "IndicatorInfo",
    "LoadedScheme",
    "Scheme",
    "SensitivitySummary",
    "evaluate",
    "find_scheme",
    "load_run",
    "load_scheme",
    "previous",
    "reproduce",
    "run",
    "runs",
    "scheme_periods",
    "validate_scheme_file",
]
