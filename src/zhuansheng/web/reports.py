"""Reports (``zhuansheng.report``) in the web app: the folder they are kept in, the files a user
may see and download, and generating one on request for a user in scope.

Scope (see ``access.can_see_report``): province-wide reports are for everyone signed in; a
region's quarterly briefing for the users of that region and those above it, and for the
read-only provincial roles.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from zhuansheng import report
from zhuansheng.report import ReportFile
from zhuansheng.users import Actor

from . import access, services
from .settings import WebSettings

MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Rendering (matplotlib charts, WeasyPrint) is done one report at a time per server process.
_GENERATING = threading.Lock()


def folder(settings: WebSettings) -> Path:
    return settings.reports


def visible(actor: Actor, settings: WebSettings) -> list[ReportFile]:
    """The report files this user may see, newest period first."""
    files = report.list_reports(folder(settings))
    return [f for f in files if access.can_see_report(actor, f.region)]


def find(actor: Actor, settings: WebSettings, name: str) -> ReportFile:
    """A report by its file name: 404 unless it is a listed report (no other path is ever
    served), 403 outside the user's scope."""
    for f in report.list_reports(folder(settings)):
        if f.path.name == name:
            access.require(
                access.can_see_report(actor, f.region), "无权下载该报告：不在您的管辖范围内"
            )
            return f
    raise services.NotFound(f"没有名为 '{name}' 的报告")


def download_url(f: ReportFile) -> str:
    return f"/reports/files/{quote(f.path.name)}"


def as_dict(f: ReportFile) -> dict[str, Any]:
    return {
        "name": f.path.name,
        "kind": f.kind,
        "kind_zh": f.kind_zh,
        "period": f.period,
        "region": f.region,
        "region_name": f.region_name,
        "format": f.format,
        "synthetic": f.synthetic,
        "size": f.size,
        "modified": f.modified,
        "download": f"/api/v1/reports/{quote(f.path.name)}",
    }


@dataclass
class Group:
    """One report (kind, period, region) and its files, one per format."""

    kind: str
    period: str
    region: str
    region_name: str
    synthetic: bool
    files: list[ReportFile] = field(default_factory=list)

    @property
    def modified(self) -> Any:
        return max(f.modified for f in self.files)


def grouped(files: list[ReportFile]) -> list[Group]:
    out: dict[tuple[str, str, str], Group] = {}
    for f in files:
        key = (f.kind, f.period, f.region)
        if key not in out:
            out[key] = Group(f.kind, f.period, f.region, f.region_name, f.synthetic)
        out[key].files.append(f)
    return list(out.values())


def regions_for(actor: Actor) -> list[tuple[str, str]]:
    """The regions this user may ask a briefing for: (code, name), the province first."""
    regions = [
        r for r in services.regions_by_code().values() if r.level in ("province", "city", "county")
    ]
    return [
        (r.code, r.name_zh)
        for r in sorted(regions, key=lambda r: r.code)
        if actor.is_province or access.can_generate_report(actor, "quarterly", r.code)
    ]


def generate(
    actor: Actor,
    settings: WebSettings,
    kind: str,
    period: str,
    region: str | None,
    formats: Sequence[str],
) -> list[ReportFile]:
    """Check the request (out of scope: ``Forbidden``, first, so that nothing is said about a
    report the user may not have; wrong input: ``ZhuanshengError``), then write the report in
    each format. Nothing is written when either check fails."""
    region = (region or "").strip() or None
    formats = list(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    access.require(
        access.can_generate_report(actor, kind, region),
        "无权生成该报告：市、县用户只能生成本地区（市含所辖县）的季度简报；"
        "全省报告请联系省转升办生成",
    )
    p = report.check_request(kind, period, region, formats, None)
    with _GENERATING:
        sources = report.Sources(p, url=settings.database_url)
        paths = report.generate(
            kind,
            p.code,
            region=region,
            formats=formats,
            out_dir=folder(settings),
            actor=actor,
            sources=sources,
        )
    written = {path.name for path in paths}
    return [f for f in report.list_reports(folder(settings)) if f.path.name in written]
