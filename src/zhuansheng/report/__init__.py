"""Briefings and reports (简报与分析报告): the monthly monitoring analysis (月度监测分析), the
quarterly briefing (季度简报) of the province or of one city or county, and the annual
comprehensive assessment (年度综合评估) — as Word, PDF and an Excel annex.

    from zhuansheng import report
    report.generate("quarterly", "2022Q2", region="330600", formats=("docx", "pdf"),
                    out_dir=Path("out"))
    report.list_reports(Path("out"))

The content is built once from the services (monitoring, and the regional assessment when it is
installed) and rendered to each format, so the three say the same thing. Files are written to a
temporary name and renamed; the same data and version give the same text and figures, and only
the generation date differs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from zhuansheng import access
from zhuansheng.access import Actor
from zhuansheng.errors import Forbidden, ZhuanshengError
from zhuansheng.periods import Period, parse_period
from zhuansheng.programme import available_years
from zhuansheng.reference import PROVINCE_CODE

from .build import assess_period, province_report, region_report
from .config import ReportConfig, default_config, load_config
from .content import Report
from .files import (
    FORMATS,
    ReportFile,
    Staged,
    commit,
    discard,
    list_reports,
    render_all,
    stem,
)
from .sources import Sources

KINDS = ("monthly", "quarterly", "annual")
KIND_ZH = {"monthly": "月度监测分析", "quarterly": "季度简报", "annual": "年度综合评估"}
PERIOD_KINDS = {"monthly": "month", "quarterly": "quarter", "annual": "year"}
PERIOD_EXAMPLES = {"monthly": "2022-06", "quarterly": "2022Q2", "annual": "2022"}

__all__ = [
    "FORMATS",
    "KINDS",
    "Report",
    "ReportConfig",
    "ReportFile",
    "Sources",
    "build",
    "check_request",
    "generate",
    "generate_many",
    "list_reports",
    "load_config",
]


def check_request(
    kind: str, period: str, region: str | None, formats: Sequence[str], actor: Actor | None
) -> Period:
    """Refuse a request before anything is read or written: kind, formats, period form, scope."""
    if kind not in KINDS:
        raise ZhuanshengError(f"未知的报告类型 '{kind}'，应为 {'、'.join(KINDS)}")
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ZhuanshengError(
            f"未知的输出格式 {'、'.join(bad) or '（空）'}：应为 {'、'.join(FORMATS)} 中的一种或几种"
        )
    p = parse_period(period)
    if p.kind != PERIOD_KINDS[kind]:
        raise ZhuanshengError(
            f"{KIND_ZH[kind]}的期间应写作 {PERIOD_EXAMPLES[kind]} 这样的形式，'{period}' 不符合"
        )
    if region not in (None, PROVINCE_CODE) and kind != "quarterly":
        raise ZhuanshengError(
            f"{KIND_ZH[kind]}是全省报告，不分地区；"
            "地区的报告请用季度简报（report quarterly --region）"
        )
    _check_scope(actor, kind, region)
    years = available_years()
    if p.year not in years:
        raise ZhuanshengError(
            f"{p.year} 年没有工作要点，无法生成{p.label_zh}的{KIND_ZH[kind]}；"
            f"可选年度：{'、'.join(map(str, years)) or '无'}"
        )
    return p


def _check_scope(actor: Actor | None, kind: str, region: str | None) -> None:
    """Province roles may generate any report; a city user its city's (or its counties')
    briefing; a county user its own county's. Other roles generate none."""
    if actor is None or access.may(actor, "report.generate", region, kind=kind):
        return
    own = actor.region_code or ""
    raise Forbidden(
        f"用户 {actor.username}（地区 {own or '无'}）无权生成 {region or PROVINCE_CODE} 的报告："
        "市、县用户只能生成本地区的季度简报，请选择本地区或联系省转升办"
    )


def build(
    kind: str,
    sources: Sources,
    region: str | None = None,
    *,
    config: ReportConfig | None = None,
    generated_on: dt.date | None = None,
) -> Report:
    """The content of one report from the period's sources."""
    cfg = config or default_config()
    today = generated_on or dt.date.today()
    code = region or PROVINCE_CODE
    if code not in sources.units.positions:
        raise ZhuanshengError(
            f"未知的地区代码 '{code}'："
            "季度简报的地区应为设区市或县（市、区）的行政区划代码，如 330600"
        )
    level = sources.unit(code).level
    if level in ("city", "county"):
        return region_report(sources, code, cfg, today)
    if level != "province":
        raise ZhuanshengError(
            f"'{code}' 是分组或试点，不是设区市或县（市、区）：季度简报按行政区划生成"
        )
    return province_report(kind, sources, cfg, today)


def generate(
    kind: str,
    period: str,
    *,
    region: str | None = None,
    formats: Sequence[str] = ("docx",),
    out_dir: Path,
    actor: Actor | None = None,
    sources: Sources | None = None,
    config: ReportConfig | None = None,
    generated_on: dt.date | None = None,
) -> list[Path]:
    """Generate one report in the given formats under ``out_dir``; the paths written.

    ``sources`` (``Sources(period)``) lets several reports of one period share one read of the
    store. Any error leaves no file behind."""
    staged = _stage(
        kind,
        period,
        region=region,
        formats=formats,
        out_dir=out_dir,
        actor=actor,
        sources=sources,
        config=config,
        generated_on=generated_on,
    )
    return _commit(staged, Path(out_dir))


def _stage(
    kind: str,
    period: str,
    *,
    region: str | None,
    formats: Sequence[str],
    out_dir: Path,
    actor: Actor | None,
    sources: Sources | None,
    config: ReportConfig | None = None,
    generated_on: dt.date | None,
    batch: str = "",
) -> Staged:
    """One report rendered to temporary files in ``out_dir`` (see :func:`files.render_all`)."""
    formats = list(dict.fromkeys(formats))
    p = check_request(kind, period, region, formats, actor)
    cfg = config or default_config()
    src = sources if sources is not None and sources.period == p else Sources(p)
    content = build(kind, src, region, config=cfg, generated_on=generated_on)
    name = stem(kind, p.code, content.region, content.region_name, content.synthetic, cfg)
    jobs = [(Path(out_dir) / f"{name}.{fmt}", _renderer(fmt, content, cfg)) for fmt in formats]
    return render_all(Path(out_dir), jobs, batch)


def _commit(staged: Staged, out_dir: Path) -> list[Path]:
    try:
        return commit(staged)
    except OSError as exc:
        raise ZhuanshengError(
            f"报告写入 {out_dir} 失败，本次生成的文件均未保存（{exc}）："
            "请检查该目录是否可写、磁盘空间是否充足，以及是否有同名的文件夹"
        ) from exc


_SHARED: dict[str, object] = {}  # what forked workers inherit from generate_many


def _one(region: str | None) -> Staged:
    return _stage(region=region, **_SHARED)  # type: ignore[arg-type]


def generate_many(
    kind: str,
    period: str,
    regions: Sequence[str | None],
    *,
    formats: Sequence[str] = ("docx",),
    out_dir: Path,
    actor: Actor | None = None,
    sources: Sources | None = None,
    jobs: int = 1,
    generated_on: dt.date | None = None,
    progress: Callable[[str | None], None] | None = None,
) -> list[Path]:
    """Several regions' reports of one period, reading the store once; with ``jobs`` > 1 the
    documents are rendered in that many forked processes (the data read here is inherited, so
    the workers do not touch the store). Every request is checked before anything is written,
    and the files of all regions appear together or not at all: each is rendered to a
    temporary name, and only when every region has been rendered are they renamed."""
    formats = list(dict.fromkeys(formats))
    if not regions:
        raise ZhuanshengError("没有要生成的地区")
    for region in regions:
        p = check_request(kind, period, region, formats, actor)
    src = sources if sources is not None and sources.period == p else Sources(p)
    batch = f"{uuid.uuid4().hex[:12]}-"  # names this call's temporary files
    shared = dict(
        kind=kind,
        period=period,
        formats=formats,
        out_dir=out_dir,
        actor=actor,
        sources=src,
        generated_on=generated_on or dt.date.today(),
        batch=batch,
    )
    staged: Staged = []
    try:
        jobs = max(1, min(jobs, len(regions), os.cpu_count() or 1))
        if jobs == 1 or "fork" not in multiprocessing.get_all_start_methods():
            for region in regions:
                staged += _stage(region=region, **shared)  # type: ignore[arg-type]
                if progress:
                    progress(region)
        else:
            # closed on any error, so that no worker is still writing when the cleanup runs
            with contextlib.closing(_render_forked(kind, src, regions, shared, jobs)) as parts:
                for region, part in parts:
                    staged += part
                    if progress:
                        progress(region)
    except BaseException:
        # a worker stopped mid-render may have left a temporary file that was never returned
        discard(staged)
        for leftover in Path(out_dir).glob(f".~{batch}*"):
            leftover.unlink(missing_ok=True)
        raise
    return _commit(staged, Path(out_dir))


def _render_forked(
    kind: str,
    src: Sources,
    regions: Sequence[str | None],
    shared: dict[str, object],
    jobs: int,
) -> Iterator[tuple[str | None, Staged]]:
    """Each region's staged files, rendered in ``jobs`` forked processes."""
    # Read everything the workers need before forking; they render only.
    cfg = default_config()
    src.case_facts()
    ranked = assess_period(src.period)
    levels = {src.unit(r).level for r in regions if r} | ({"city"} if None in regions else set())
    if ranked:
        for level in levels:
            src.ranking(level, ranked, cfg.ranking_draws)
    for region in regions:
        if region and region not in src.units.positions:
            build(kind, src, region)  # the clear error for an unknown code, before forking
    from zhuansheng import store

    store.dispose_all()  # no pooled connection is shared with the children
    _SHARED.clear()
    _SHARED.update(shared)
    ctx = multiprocessing.get_context("fork")
    try:
        with ctx.Pool(jobs) as pool:
            yield from zip(regions, pool.imap(_one, regions), strict=True)
    finally:
        _SHARED.clear()


def _renderer(fmt: str, content: Report, cfg: ReportConfig):  # type: ignore[no-untyped-def]
    if fmt == "docx":
        from . import render_docx

        return lambda path: render_docx.render(content, path, cfg)
    if fmt == "pdf":
        from . import render_pdf

        return lambda path: render_pdf.render(content, path, cfg)
    from . import render_xlsx

    return lambda path: render_xlsx.render(content, path)
