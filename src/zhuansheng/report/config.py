"""The report file (``data/report.yaml``): wording, headline targets and fonts, as data."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from zhuansheng.datafile import read_yaml


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Issuer(_Model):
    province: str
    region: str


class Fonts(_Model):
    docx: dict[str, str]
    pdf: dict[str, str]
    chart: str


class CaseSection(_Model):
    """高耗低效企业整治提升: the targets stated and how much of each list is named."""

    heading: str
    targets: list[str]
    top_counties: int = Field(ge=1)
    list_limit: int = Field(ge=1)


class ReportConfig(_Model):
    version: int
    issuer: Issuer
    titles: dict[str, str]
    warnings_heading: dict[str, str]
    file_names: dict[str, str]
    synthetic_notice: str
    headline_targets: list[str]
    trend_target: str
    ranking_draws: int
    cases: CaseSection
    phrases: dict[str, str]
    fonts: Fonts


def load_config(path: Path | None = None) -> ReportConfig:
    """The shipped wording, or a file of the same shape."""
    return ReportConfig.model_validate(read_yaml(__package__, "report.yaml", path))


@cache
def default_config() -> ReportConfig:
    return load_config()


@cache
def city_tiles() -> dict[str, tuple[int, int]]:
    """Row and column of each city on the schematic tile map."""
    data = read_yaml(__package__, "city-tiles.yaml")
    return {str(k): (int(v[0]), int(v[1])) for k, v in data["tiles"].items()}
