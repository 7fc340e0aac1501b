"""Data submission as every face offers it: the template of a region, importing an upload for an
actor, the reporting board, one submission's detail, and the workflow steps."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select

from zhuansheng import assess, atomic, collect, programme, store
from zhuansheng.collect import ValidationRules, workflow
from zhuansheng.collect.observations import ImportResult, imported_files
from zhuansheng.errors import Invalid, NotFound
from zhuansheng.periods import parse_period
from zhuansheng.store import tables as t
from zhuansheng.workspace import Workspace

from . import audit, monitoring, regions
from .context import Caller


def collected_indicators(year: int, ws: Workspace | None = None) -> set[str]:
    """The indicators the year's collection asks for: those its programme's targets are measured
    with and those of the targets its assessment schemes (the workspace's) score."""
    prog = programme.load(year)
    return prog.indicator_ids() | prog.indicator_ids(assess.scheme.scheme_targets(year, ws))


def needs(ws: Workspace | None) -> Callable[[int], set[str]]:
    """``collected_indicators`` for one workspace (``Needs`` for ``collect``)."""
    return partial(collected_indicators, ws=ws)


def write_template(caller: Caller, region: str, period: str, path: Path, fmt: str = "xlsx") -> Path:
    """The template of a region and month written to ``path`` (xlsx or csv)."""
    regions.region(region)
    caller.require("template.download", region)
    written = collect.templates.write_template(
        region, period, path, fmt=fmt, needs=needs(caller.ws), ws=caller.ws
    )
    audit.record(caller, "export.template", "submission", f"{region}/{parse_period(period).code}")
    return written


def write_county_templates(
    caller: Caller, period: str, folder: Path, fmt: str = "xlsx"
) -> list[Path]:
    """One template per county in ``folder`` (the province's batch for a month)."""
    caller.require("template.download", regions.PROVINCE, "只有省级用户可以生成全部县的模板")
    paths = collect.templates.write_county_templates(
        period, folder, fmt=fmt, needs=needs(caller.ws), ws=caller.ws
    )
    audit.record(caller, "export.template", "submission", f"counties/{parse_period(period).code}")
    return paths


def template(caller: Caller, region: str, period: str) -> tuple[Path, str]:
    """The collection template of a region and month, written to a private temporary folder
    (the caller removes it), and the file name to offer."""
    regions.region(region)
    caller.require("template.download", region)
    p = parse_period(period)
    folder = Path(tempfile.mkdtemp(prefix="zs-template-"))
    try:
        path = write_template(caller, region, p.code, folder / f"{region}-{p.code}.xlsx")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return path, f"{region}-{regions.name(region)}-{p.code}.xlsx"


def save_upload(data: bytes, filename: str | None, limit: int) -> Path:
    """An upload in a private temporary folder under its own base name made safe (no path, no
    ``..``, no control characters: :func:`atomic.safe_name`), size-checked. The folder is removed
    if the file cannot be written; otherwise the caller removes it (``path.parent``)."""
    if len(data) > limit:
        raise Invalid(f"上传文件过大：不能超过 {limit // (1024 * 1024)} MB")
    name = atomic.safe_name(filename, default="upload.xlsx")
    folder = Path(tempfile.mkdtemp(prefix="zs-upload-"))
    try:
        path = folder / name
        path.write_bytes(data)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return path


def import_upload(
    caller: Caller, path: Path, region: str, period: str, comment: str, dry_run: bool
) -> ImportResult:
    """Import a saved upload for the caller; the file and its folder are removed whatever
    happens, a refusal (unknown region, out of scope) included."""
    try:
        regions.region(region)
        caller.require("observations.import", region, "无权填报该地区的数据")
        return collect.import_observations(
            path,
            user=caller.actor.username,
            comment=comment,
            dry_run=dry_run,
            region=region,
            period=period,
            needs=needs(caller.ws),
            ws=caller.ws,
        )
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


def reporting(
    caller: Caller, period: str, rules: ValidationRules | None = None
) -> list[dict[str, Any]]:
    """Reporting and timeliness per city and for the province (a city user: its own row);
    the due day from ``rules`` (the shipped validation rules by default)."""
    caller.require("submission.board", message="只有省级与市级用户可以查看报送情况")
    due_day = (rules or collect.default_rules()).due_day
    with store.session(caller.ws.database_url) as s:
        rows = workflow.reporting(s, period, due_day)
    if caller.actor.role == "city":
        rows = [r for r in rows if r["region"] == caller.actor.region_code]
    return rows


def reporting_for(caller: Caller, period: str | None) -> tuple[str, list[dict[str, Any]]]:
    """The reporting board of a period (the newest month by default)."""
    caller.require("submission.board", message="只有省级与市级用户可以查看报送情况")
    period = monitoring.period_or_latest(caller.ws, period)
    return period, reporting(caller, period)


def board(caller: Caller, period: str | None) -> dict[str, Any]:
    """The submissions page: the reporting board (province and city users) and the counties
    whose submissions the caller follows, each with its submission (or None); without a period,
    the newest month with data."""
    caller.require("submission.view")
    period = monitoring.period_or_latest(caller.ws, period)
    actor, home = caller.actor, caller.home
    board_rows = reporting(caller, period) if caller.may("submission.board") else []
    if actor.role == "county":
        codes = [home]
    elif actor.role == "city":
        codes = [r.code for r in regions.children(home)]
    elif actor.is_province:
        codes = regions.counties()
    else:
        codes = []
    with store.session(caller.ws.database_url) as s:
        subs = {
            x.region_code: x
            for x in s.scalars(
                select(t.Submission).where(
                    t.Submission.period == period, t.Submission.region_code.in_(codes)
                )
            )
        }
    return {
        "period": period,
        "periods": monitoring.months(period),
        "board": board_rows,
        "rows": [(c, regions.name(c), subs.get(c)) for c in codes],
        "home": home,
        "can_upload": caller.may("submission.upload"),
    }


def detail(caller: Caller, region: str, period: str) -> dict[str, Any]:
    """One submission: its state, its history and the files imported into it."""
    reg = regions.region(region)
    caller.require("data.view", region, "无权查看该地区的填报数据")
    p = parse_period(period)
    with store.session(caller.ws.database_url) as s:
        sub = workflow.get(s, region, p.code)
        events = list(sub.events) if sub else []
        files = imported_files(s, region, p.code)
    return {"region": reg, "period": p.code, "sub": sub, "events": events, "files": files}


def history(caller: Caller, region: str, period: str) -> dict[str, Any]:
    """A submission's state and its workflow events as plain values; ``NotFound`` when none."""
    found = detail(caller, region, period)
    sub = found["sub"]
    if sub is None:
        raise NotFound(f"{region} {found['period']} 尚无填报数据")
    return {
        "region": region,
        "period": found["period"],
        "status": sub.status,
        "locked": sub.locked,
        "events": [
            {
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "from": e.from_status,
                "to": e.to_status,
                "reason": e.reason,
            }
            for e in found["events"]
        ],
    }


def act(caller: Caller, action: str, region: str, period: str, reason: str = "") -> dict[str, str]:
    """One workflow step (submit, return, approve, accept, unlock): the submission's region,
    period and new status."""
    regions.region(region)
    with store.session(caller.ws.database_url) as s:
        sub = workflow.act(s, action, region, period, caller.actor, reason)
        return {"region": region, "period": sub.period, "status": sub.status}
