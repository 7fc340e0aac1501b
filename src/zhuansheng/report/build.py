"""Report content from the services: the province-wide reports (monthly analysis, annual
assessment, the province's quarterly briefing) and a city's or county's quarterly briefing, which
compares the region with the province and its peers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from zhuansheng import __version__
from zhuansheng.formatting import pct, rate, rounded
from zhuansheng.monitor import ProgressRow, status
from zhuansheng.monitor.areas import GOAL, area_key, area_names, grouped
from zhuansheng.monitor.status import COLOUR_ZH, EVALUATED
from zhuansheng.reference import PROVINCE_CODE

from . import case_section, charts, narrative
from .config import ReportConfig
from .content import Figure, Heading, Paragraph, Report, Sheet, Table
from .narrative import ADDITIVE
from .sources import Sources

COLOURS_ZH = [COLOUR_ZH[c] for c in EVALUATED]  # 绿 黄 红: the columns of the count tables

NUMERALS = "一二三四五六七八九十"
ANNEX_COLUMNS = {
    "clause": "条款",
    "target": "目标编号",
    "name_zh": "目标",
    "region": "地区代码",
    "region_name": "地区",
    "level": "层级",
    "period": "期间",
    "actual": "实际",
    "unit": "单位",
    "target_value": "目标值",
    "target_source": "目标来源",
    "completion": "完成率",
    "schedule": "序时进度",
    "pace": "进度比 r",
    "progress_ratio": "进度比 R",
    "status_zh": "状态",
    "colour": "颜色",
    "projection": "全年预计",
    "projected_status": "预计",
    "reporting_rate": "报送率",
    "lead_units": "牵头单位",
    "rule": "计算过程",
}
RANK_COLUMNS = ["名次", "地区", "得分", "等级", "名次变化", "名次区间（5%—95%）"]


def who(row_or_name: ProgressRow | str) -> str:
    name = row_or_name if isinstance(row_or_name, str) else row_or_name.region_name
    return "全省" if name == "浙江省" else name


def actual_text(r: ProgressRow) -> str:
    if r.kind == "milestone" or r.actual is None:
        return "—"
    if r.kind in ADDITIVE:
        return f"{rounded(r.actual)}{r.unit}"
    return rate(r.actual, 2 if r.kind == "level" else 1)


def target_text(r: ProgressRow) -> str:
    if r.target_value is None:
        return "—"
    if r.kind in ADDITIVE:
        return f"{rounded(r.target_value)}{r.unit}"
    return rate(r.target_value, 2 if r.kind == "level" else 1)


def _cn(i: int) -> str:
    return NUMERALS[i - 1] if i <= 10 else str(i)


def annex_rows(rows: Iterable[ProgressRow]) -> list[dict[str, Any]]:
    return [
        {ANNEX_COLUMNS[k]: v for k, v in r.as_dict().items() if k in ANNEX_COLUMNS} for r in rows
    ]


def _sheet(name: str, rows: Iterable[ProgressRow]) -> Sheet:
    return Sheet(name, list(ANNEX_COLUMNS.values()), annex_rows(rows), colour_column="颜色")


class _Builder:
    def __init__(
        self, kind: str, src: Sources, region: str, cfg: ReportConfig, today: dt.date
    ) -> None:
        self.kind, self.src, self.cfg, self.region = kind, src, cfg, region
        self.period = src.period
        unit = src.unit(region)
        self.level = unit.level
        self.name = unit.name_zh
        # The region's own briefing says 全市/全区/全县 as officials write; captions use the name.
        self.label = who(self.name)
        self.who = self.label if region == PROVINCE_CODE else "全" + self.name[-1]
        self.span = narrative.span(self.period, cfg)
        self.figures = 0
        self.tables = 0
        province = region == PROVINCE_CODE
        issuer = cfg.issuer.province if province else cfg.issuer.region.format(region=self.name)
        self.report = Report(
            kind=kind,
            period=self.period,
            region=region,
            region_name=self.name,
            title=cfg.titles[kind].format(period=self.period.label_zh, region=self.name),
            issuer=issuer,
            synthetic=src.synthetic,
            generated_on=today,
            version=__version__,
            notice=cfg.synthetic_notice if src.synthetic else "",
        )
        self.rows = src.region_rows(region)
        self.by_id = {r.target: r for r in self.rows}
        self.province_rows = src.region_rows(PROVINCE_CODE)
        self.province_by_id = {r.target: r for r in self.province_rows}

    # -- blocks --------------------------------------------------------------------------------

    def figure(self, caption: str, png: bytes) -> Figure:
        self.figures += 1
        return Figure(f"图{self.figures}　{caption}", png)

    def table(self, caption: str, columns: list[str], rows: list[list[str]], **kw: Any) -> Table:
        self.tables += 1
        return Table(f"表{self.tables}　{caption}", columns, rows, **kw)

    def headline(self) -> list[ProgressRow]:
        return [self.by_id[t] for t in self.cfg.headline_targets if t in self.by_id]

    def compared(self, r: ProgressRow) -> str:
        """A region's clause followed by the province's completion, for the same target."""
        text = narrative.sentence(r, self.who, self.cfg, year_end=self.period.kind == "year")
        prov = self.province_by_id.get(r.target)
        if self.region != PROVINCE_CODE and prov is not None and prov.completion is not None:
            text += self.cfg.phrases["compare_province"].format(completion=pct(prov.completion))
        return text

    def brief(self, r: ProgressRow) -> str:
        """How far a target is, in a few characters, with the province's figure beside it."""
        own = _progress_text(r)
        prov = self.province_by_id.get(r.target)
        if self.region == PROVINCE_CODE or prov is None:
            return own
        return f"{own}，全省{_progress_text(prov).removeprefix('完成')}"

    def basis_note(self) -> str:
        """What the figures count (统计口径), and how many totals had too few reports to judge."""
        p = self.cfg.phrases
        text = p["basis_note"].format(basis=self.src.basis_zh)
        thin = [row for row in self.rows if row.status == "insufficient_coverage"]
        if thin:
            threshold = self.src.monitor.analysis.config.coverage_threshold
            text += p["coverage_note"].format(count=len(thin), threshold=pct(threshold))
        return text

    # -- sections ------------------------------------------------------------------------------

    def overview(self, extra: Sequence[str] = ()) -> None:
        r = self.report
        r.add(Heading("一、总体情况", 1))
        r.add(Paragraph(narrative.counts_sentence(self.rows, self.cfg) + "".join(extra)))
        r.add(Paragraph(self.basis_note(), note=True))
        clauses = [self.compared(row) for row in self.headline()]
        r.add(Paragraph(narrative.paragraph(clauses, lead=f"{self.span}，")))
        goals = [self.compared(row) for row in self.rows if area_key(row) == GOAL]
        if goals:
            r.add(Paragraph(narrative.paragraph(goals, lead=self.cfg.phrases["goals_lead"])))
        self.trend()

    def trend(self) -> None:
        target = self.cfg.trend_target
        if target not in self.by_id or self.by_id[target].kind not in ADDITIVE:
            return
        own = self.src.monthly(target, self.region)
        lines = {self.label: [row.completion for row in own]}
        if self.region != PROVINCE_CODE:
            lines["全省"] = [row.completion for row in self.src.monthly(target, PROVINCE_CODE)]
        months = list(range(1, len(own) + 1))
        name = self.by_id[target].name_zh
        png = charts.trend(
            months, lines, [row.schedule for row in own], f"{name}：完成进度与序时进度"
        )
        self.report.add(
            self.figure(f"{self.label}{name}完成进度（{self.period.year}年，按月累计）", png)
        )

    def areas(self, number_: int = 2, *, detail: bool = True) -> None:
        """A paragraph per engineering area; with ``detail`` a table of its targets after each,
        else one summary table (a briefing stays short; its annex has every target)."""
        r = self.report
        summary: list[list[str]] = []
        r.add(Heading(f"{_cn(number_)}、分工程进展", 1))
        by_area = grouped(self.rows)
        i = 0
        for area, title in area_names(self.period.year).items():
            rows = by_area.get(area)
            if not rows or area == GOAL:  # the goals have their own paragraph
                continue
            i += 1
            c = status.counts(rows)
            intro = self.cfg.phrases["area_intro"].format(
                area=title,
                total=sum(c.values()),
                green=c["green"],
                yellow=c["yellow"],
                red=c["red"],
            )
            r.add(Heading(f"（{_cn(i)}）{title}", 2))
            # The paragraph speaks of what needs attention; the table that follows has them all.
            lagging = [row for row in rows if row.colour == "red"] or [
                row for row in rows if row.colour == "yellow"
            ]
            lagging_text = ""
            if lagging:
                lagging_text = self.cfg.phrases["lagging"].format(
                    colour="滞后" if lagging[0].colour == "red" else "略慢于序时进度",
                    items="、".join(f"{x.name_zh}（{self.brief(x)}）" for x in lagging),
                )
            rest = self.cfg.phrases["see_table"].format(table=self.tables + 1) if detail else ""
            r.add(Paragraph(intro + lagging_text + rest))
            prov = [x for x in self.province_rows if area_key(x) == area]
            summary.append(
                [
                    title,
                    str(sum(c.values())),
                    str(c["green"]),
                    str(c["yellow"]),
                    str(c["red"]),
                    pct(status.green_share(rows)),
                    pct(status.green_share(prov)),
                ]
            )
            if not detail:
                continue
            columns = ["条款", "目标", "实际", "目标值", "完成率", "序时进度", "状态"]
            if self.region != PROVINCE_CODE:
                columns.append("全省完成率")
            body = []
            for row in rows:
                cells = [
                    row.clause,
                    row.name_zh,
                    actual_text(row),
                    target_text(row),
                    pct(row.completion),
                    pct(row.schedule),
                    row.status_zh,
                ]
                if self.region != PROVINCE_CODE:
                    prov = self.province_by_id.get(row.target)
                    cells.append(pct(prov.completion) if prov else "—")
                body.append(cells)
            r.add(
                self.table(
                    f"{title}目标进展（{self.label}，{self.span}）",
                    columns,
                    body,
                    colours=[row.colour for row in rows],
                )
            )
        if not detail:
            r.add(
                self.table(
                    f"分工程目标进展（{self.label}，{self.span}）",
                    ["工程", "目标数", *COLOURS_ZH, "序时达标率", "全省序时达标率"],
                    summary,
                )
            )

    def warnings(self, red: list[ProgressRow], where: str, number_: int = 3) -> None:
        """Red items grouped by target: each lagging region named, with the lead units."""
        r = self.report
        r.add(Heading(f"{_cn(number_)}、{self.cfg.warnings_heading[self.kind]}", 1))
        if not red:
            r.add(Paragraph(self.cfg.phrases["warnings_none"].format(span=self.span)))
            return
        groups: dict[str, list[ProgressRow]] = {}
        for row in red:
            groups.setdefault(row.target, []).append(row)
        r.add(
            Paragraph(
                self.cfg.phrases[
                    "warnings_intro_annual" if self.period.kind == "year" else "warnings_intro"
                ].format(span=self.span, count=len(groups), where=where)
            )
        )
        body = []
        for i, rows in enumerate(groups.values(), start=1):
            first = rows[0]
            places = "、".join(f"{who(row)}（{_progress_text(row)}）" for row in rows)
            body.append([str(i), first.clause, first.name_zh, places, first.lead_units or "—"])
        r.add(
            self.table(
                f"滞后（红色）目标及责任单位（{self.span}）",
                ["序号", "条款", "目标", "滞后地区（完成率或进度）", "牵头单位"],
                body,
                colours=["red"] * len(body),
            )
        )
        r.sheets.append(_sheet("预警清单", red))

    def overdue_milestones(self, rows: list[ProgressRow]) -> None:
        """Milestone targets whose responsible units have not reported by the deadline (a
        warning of the monitoring, ``monitor.milestones``), named with their lead units."""
        if not rows:
            return
        items = "；".join(f"{row.name_zh}（{row.lead_units or '—'}）" for row in rows)
        self.report.add(
            Paragraph(self.cfg.phrases["milestones_overdue"].format(count=len(rows), items=items))
        )

    def cases(self, number_: int) -> None:
        """高耗低效企业整治提升: the rectification targets, overdue and unverified cases, and
        verified cases still class D or grade 5 (``case_section``)."""
        self.report.add(Heading(f"{_cn(number_)}、{self.cfg.cases.heading}", 1))
        case_section.add(self)

    def county_warnings(self, rows: list[ProgressRow]) -> None:
        """A city's counties: how many red items each has (the items are in the annex)."""
        red: dict[str, int] = {}
        for row in rows:
            red[row.region_name] = red.get(row.region_name, 0) + (row.colour == "red")
        listed = sorted(red.items(), key=lambda kv: (-kv[1], kv[0]))
        text = "、".join(f"{name}{n}项" for name, n in listed if n)
        self.report.add(
            Paragraph(
                self.cfg.phrases["county_warnings"].format(
                    counties=len(red), total=sum(red.values()), detail=text or "无"
                )
            )
        )
        self.report.sheets.append(_sheet("所辖县预警", [r for r in rows if r.colour == "red"]))

    def peers(self, peer_rows: list[ProgressRow], number_: int, title: str) -> None:
        """Each peer's status counts and on-schedule share, the own region highlighted; a map."""
        r = self.report
        r.add(Heading(f"{_cn(number_)}、{title}", 1))
        by_region: dict[str, list[ProgressRow]] = {}
        names: dict[str, str] = {}
        for row in peer_rows:
            by_region.setdefault(row.region, []).append(row)
            names[row.region] = row.region_name
        shares = {code: status.green_share(rows) for code, rows in by_region.items()}
        order = sorted(shares, key=lambda c: (-(shares[c] or -1.0), c))
        target = self.cfg.trend_target
        t_name = self.province_by_id[target].name_zh if target in self.province_by_id else ""
        body, highlight, colours = [], [], []
        for rank, code in enumerate(order, start=1):
            c = status.counts(by_region[code])
            t_row = next((x for x in by_region[code] if x.target == target), None)
            body.append(
                [
                    str(rank),
                    names[code],
                    str(c["green"]),
                    str(c["yellow"]),
                    str(c["red"]),
                    pct(shares[code]),
                    pct(t_row.completion) if t_row else "—",
                ]
            )
            highlight.append(code == self.region)
            colours.append(None)
        peer_kind = "设区市" if self.level in ("province", "city") else "县（市、区）"
        if self.region in shares:
            rank = order.index(self.region) + 1
            r.add(
                Paragraph(
                    f"按序时达标率（已完成或快于序时进度的目标占已评价目标的比重）计，{self.label}为"
                    f"{pct(shares[self.region])}，"
                    + self.cfg.phrases["compare_rank"].format(
                        peers=len(order), peer_kind=peer_kind, rank=rank
                    )
                    + "。"
                )
            )
        else:
            best, worst = order[0], order[-1]
            r.add(
                Paragraph(
                    f"按序时达标率（已完成或快于序时进度的目标占已评价目标的比重）计，{len(order)}个"
                    f"{peer_kind}中{names[best]}最高（{pct(shares[best])}），"
                    f"{names[worst]}最低（{pct(shares[worst])}）。"
                )
            )
        legend = "序时达标率"
        if self.level in ("province", "city"):
            png, note = charts.region_map(
                shares,
                names,
                f"各设区市序时达标率（{self.span}）",
                legend,
                highlight=None if self.region == PROVINCE_CODE else self.region,
            )
            r.add(self.figure(f"各设区市序时达标率（{self.span}）", png))
            r.add(Paragraph(note, note=True))
        else:
            png = charts.ranked_bars(
                shares,
                names,
                f"{peer_kind}序时达标率（{self.span}）",
                legend,
                highlight=self.region,
            )
            r.add(self.figure(f"同市各{peer_kind}序时达标率（{self.span}）", png))
        r.add(
            self.table(
                f"各{peer_kind}目标进展比较（{self.span}）",
                ["序", peer_kind, *COLOURS_ZH, "序时达标率", f"{t_name}完成率"],
                body,
                colours=colours,
                highlight=highlight,
            )
        )
        r.sheets.append(
            Sheet(
                "各地汇总",
                ["序", "地区代码", peer_kind, *COLOURS_ZH, "序时达标率"],
                [
                    {
                        "序": i,
                        "地区代码": code,
                        peer_kind: names[code],
                        **{COLOUR_ZH[c]: status.counts(by_region[code])[c] for c in EVALUATED},
                        "序时达标率": shares[code],
                    }
                    for i, code in enumerate(order, start=1)
                ],
            )
        )

    def ranking(self, level: str, number_: int) -> None:
        """Ranks and rank intervals from the regional assessment (综合评价)."""
        period = assess_period(self.period)
        r = self.report
        r.add(Heading(f"{_cn(number_)}、综合评价排名", 1))
        result, why = (
            self.src.ranking(level, period, self.cfg.ranking_draws)
            if period is not None
            else (None, "本月之前尚无完整季度")
        )
        if result is None:
            r.add(Paragraph(f"本期暂无区域综合评价结果（{why}），排名从略。"))
            return
        rows = sorted(result.rows, key=lambda x: (x.rank, x.region))
        body, highlight = [], []
        for x in rows:
            change = getattr(x, "rank_change", None)
            body.append(
                [
                    str(x.rank),
                    x.name,
                    f"{x.score:.2f}",
                    str(x.grade or "—"),
                    "—"
                    if change is None
                    else (f"↑{change}" if change > 0 else f"↓{-change}" if change < 0 else "持平"),
                    _interval(x),
                ]
            )
            highlight.append(x.region == self.region)
        label = _period_label(period)
        own = next((x for x in rows if x.region == self.region), None)
        if own is not None:
            text = (
                f"{label}区域综合评价中，{self.label}得分{own.score:.2f}，在{len(rows)}个地区中居第"
                f"{own.rank}位"
                + (f"；按敏感性分析，名次区间为第{_interval(own)}位。" if own.rank_p05 else "。")
            )
        else:
            text = (
                f"{label}区域综合评价中，{rows[0].name}居第1位；名次区间为敏感性分析（权重扰动、"
                "更换标准化方法、逐一剔除指标）得到的5%—95%分位名次，区间重叠的地区名次差异不显著。"
            )
        summary = result.sensitivity_summary
        # what reproduces the ranking: `zhuansheng assess --period … --sensitivity N --seed S`
        draft = bool(getattr(result, "draft", False))
        if draft:
            text = f"评价方案为草案（{result.scheme_id}，尚未审定），以下排名仅供试算。" + text
        text += (
            f"（评价方案 {result.scheme_id}，版本 {result.scheme_version}"
            + (f"；敏感性分析 {summary.draws} 次，随机种子 {summary.seed}" if summary else "")
            + "。）"
        )
        r.add(Paragraph(text))
        caption = f"{label}区域综合评价排名" + ("（评价方案为草案）" if draft else "")
        r.add(self.table(caption, RANK_COLUMNS, body, highlight=highlight))
        r.sheets.append(
            Sheet(
                "综合评价排名",
                RANK_COLUMNS,
                [dict(zip(RANK_COLUMNS, b, strict=True)) for b in body],
            )
        )

    def annex(self) -> None:
        rep = self.report
        facts = [
            ("报告", rep.title_line),
            ("期间", f"{self.period.label_zh}（{self.period.code}）"),
            ("地区", f"{self.name}（{self.region}）"),
            (
                "数据",
                "合成演示数据（synthetic demo data），非官方统计"
                if rep.synthetic
                else "业务数据库",
            ),
            ("统计口径", self.src.basis_zh.removeprefix("统计口径：")),
            ("生成日期", rep.date_zh),
            ("版本", f"zhuansheng {rep.version}，措辞文件第 {self.cfg.version} 版"),
        ]
        head = Sheet("说明", ["项目", "内容"], [{"项目": k, "内容": v} for k, v in facts])
        rep.sheets[:0] = [head, _sheet("目标进展", self.rows)]


def _interval(x: Any) -> str:
    if x.rank_p05 is None or x.rank_p95 is None:
        return "—"
    return f"{x.rank_p05:.0f}—{x.rank_p95:.0f}"


def _progress_text(r: ProgressRow) -> str:
    if r.kind in ADDITIVE:
        return f"完成{pct(r.completion)}"
    if r.progress_ratio is not None:
        return f"进度比{r.progress_ratio:.2f}"
    return r.status_zh


def assess_period(p: Any) -> str | None:
    """The assessment period a report uses: its quarter or year; for a month, the last quarter
    finished by then (none before March)."""
    if p.kind == "year":
        return str(p.year)
    q = p.month // 3
    return f"{p.year}Q{q}" if q else None


def _period_label(code: str) -> str:
    from zhuansheng.periods import parse_period

    return parse_period(code).label_zh


def province_report(kind: str, src: Sources, cfg: ReportConfig, today: dt.date) -> Report:
    b = _Builder(kind, src, PROVINCE_CODE, cfg, today)
    b.overview()
    b.areas(2)
    red = src.monitor.warnings(level="city")
    b.warnings(red, "全省或设区市", 3)
    b.overdue_milestones(src.monitor.overdue_milestones())
    b.cases(4)
    b.peers([x for x in src.level_rows("city") if x.level == "city"], 5, "各地进展")
    b.ranking("city", 6)
    b.annex()
    county = [x for x in src.level_rows("county") if x.level == "county"]
    b.report.sheets.append(_sheet("各市", [x for x in src.level_rows("city") if x.level == "city"]))
    b.report.sheets.append(_sheet("各县（市、区）", county))
    return b.report


def region_report(src: Sources, region: str, cfg: ReportConfig, today: dt.date) -> Report:
    b = _Builder("quarterly", src, region, cfg, today)
    unit = src.unit(region)
    if unit.level == "city":
        peers = [x for x in src.level_rows("city") if x.level == "city"]
        inside = [x for x in src.level_rows("county", region) if x.level == "county"]
    else:
        city = unit.region_codes[1]
        peers = [x for x in src.level_rows("county", city) if x.level == "county"]
        inside = []
    b.overview()
    b.areas(2, detail=False)
    red = sorted((x for x in b.rows if x.colour == "red"), key=lambda x: (-x.severity, x.target))
    b.warnings(red, b.label, 3)
    if inside:
        b.county_warnings(inside)
    b.cases(4)
    b.peers(peers, 5, "与全省及各地比较")
    b.ranking(unit.level, 6)
    b.annex()
    b.report.sheets.append(_sheet("全省", src.region_rows(PROVINCE_CODE)))
    b.report.sheets.append(_sheet("各地对比", peers))
    return b.report
