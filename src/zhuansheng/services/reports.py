"""Reports (``zhuansheng.report``) as the pages, the API and the CLI offer them: the folder they
are kept in, the files a user may see and download, and generating one for a user in scope.

Scope (``access`` action ``report.view``): province-wide reports are for everyone signed in; a
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
from zhuansheng.errors import NotFound
from zhuansheng.report import FORMATS, KINDS, ReportFile

from . import audit, regions
from .context import Caller

__all__ = ["FORMATS", "KINDS", "Group", "ReportFile"]
# Rendering (matplotlib charts, WeasyPrint) is done one report at a time per server process.
_GENERATING = threading.Lock()


def folder(caller: Caller) -> Path:
    return caller.reports_dir or caller.ws.reports


def visible(caller: Caller) -> list[ReportFile]:
    """The report files this user may see, newest period first."""
    files = report.list_reports(folder(caller))
    return [f for f in files if caller.may("report.view", f.region)]


def find(caller: Caller, name: str) -> ReportFile:
    """A report by its file name: 404 unless it is a listed report (no other path is ever
    served), 403 outside the user's scope. The download is audited."""
    for f in report.list_reports(folder(caller)):
        if f.path.name == name:
            caller.require("report.view", f.region, "无权下载该报告：不在您的管辖范围内")
            audit.record(
                caller,
                "export.report",
                "report",
                name[:80],
                kind=f.kind,
                period=f.period,
                region=f.region,
            )
            return f
    raise NotFound(f"没有名为 '{name}' 的报告")


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
        "download": f"/api/v1/reports/{quote(f.path.name)}",  # the API's own route
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


def regions_for(caller: Caller) -> list[tuple[str, str]]:
    """The regions this user may ask a briefing for: (code, name), the province first."""
    found = [r for r in regions.by_code().values() if r.level in ("province", "city", "county")]
    return [
        (r.code, r.name_zh)
        for r in sorted(found, key=lambda r: r.code)
        if caller.may("report.generate", r.code, kind="quarterly")
    ]


def kinds_for(caller: Caller) -> list[str]:
    """The report kinds this user may generate (city and county users: the quarterly briefing)."""
    if not regions_for(caller):
        return []
    return [k for k in KINDS if caller.actor.is_province or k == "quarterly"]


def generate(
    caller: Caller,
    kind: str,
    period: str,
    region: str | None,
    formats: Sequence[str],
    *,
    draft: bool = False,
) -> list[ReportFile]:
    """Check the request (out of scope: ``Forbidden``, first, so that nothing is said about a
    report the user may not have; wrong input: ``ZhuanshengError``), then write the report in
    each format. Nothing is written when either check fails. ``draft``: its rankings may use a
    draft scheme, and then say so (评价方案为草案)."""
    region = (region or "").strip() or None
    formats = list(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    caller.require(
        "report.generate",
        region,
        "无权生成该报告：市、县用户只能生成本地区（市含所辖县）的季度简报；"
        "全省报告请联系省转升办生成",
        kind=kind,
    )
    p = report.check_request(kind, period, region, formats, None)
    with _GENERATING:
        sources = report.Sources(p, ws=caller.ws, count_from=caller.count_from, draft=draft)
        paths = report.generate(
            kind,
            p.code,
            region=region,
            formats=formats,
            out_dir=folder(caller),
            actor=caller.actor,
            sources=sources,
        )
    written = {path.name for path in paths}
    files = [f for f in report.list_reports(folder(caller)) if f.path.name in written]
    audit.record(
        caller,
        "report.generate",
        "report",
        f"{kind}/{period}/{region or regions.PROVINCE}",
        files=[f.path.name for f in files],
        draft=draft,
    )
    return files
