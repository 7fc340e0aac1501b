"""The monitoring rules file (``data/monitoring.yaml``): bands, schedules, projections, labels."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from zhuansheng.datafile import read_yaml


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PaceBands(_Model):
    ahead: float
    slightly_behind: float


class RateBands(_Model):
    achieved_pace: float
    on_track: float
    needs_acceleration: float
    limited_progress: float


class Schedule(_Model):
    seasonal: list[str] = []
    profiles: dict[str, list[float]] = {}


class Projection(_Model):
    run_rate_months: int = Field(ge=1, le=12)
    trend_months: int = Field(ge=2, le=12)
    seasonal_min_share: float = Field(ge=0, le=1)


class StatusLabel(_Model):
    zh: str
    en: str
    colour: str
    severity: int


# What monitoring counts, weakest first: every imported value, or only values whose region and
# period submission has reached the level (see ``counting``).
COUNT_LEVELS = ("imported", "submitted", "approved", "accepted")
CountFrom = Literal["imported", "submitted", "approved", "accepted"]
# What counts towards the targets followed by rectification cases (``sources.CASE_COUNTS``).
CaseCountsFrom = Literal["completed", "verified"]


class MonitorConfig(_Model):
    version: int
    count_from: CountFrom = "submitted"
    case_counts_from: CaseCountsFrom = "completed"
    coverage_threshold: float = Field(default=0.9, ge=0, le=1)
    pace_bands: PaceBands
    rate_bands: RateBands
    share_near_tolerances: float
    schedule: Schedule
    projection: Projection
    milestone_frequency: Literal["quarter", "month"] = "quarter"
    milestone_deadline_day: int = Field(default=5, ge=1, le=28)
    statuses: dict[str, StatusLabel]


def load_config(path: Path | None = None) -> MonitorConfig:
    """The shipped rules, or a file of the same shape (a locality's own bands)."""
    return MonitorConfig.model_validate(read_yaml(__package__, "monitoring.yaml", path))


@cache
def default_config() -> MonitorConfig:
    return load_config()
