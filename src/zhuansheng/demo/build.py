"""Build the synthetic demo world from scratch, deterministically from a seed.

One seed gives the same world every time: the random stream is consumed in a fixed order and
every timestamp in the data is derived from the period it belongs to, not from the clock.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.compute as pc
from sqlalchemy import Engine, func, insert, inspect, select, text

from zhuansheng import lake, programme, reference, store, workspace
from zhuansheng.access import Actor
from zhuansheng.errors import ZhuanshengError
from zhuansheng.services import accounts, context, milestones
from zhuansheng.services import allocations as alloc_services
from zhuansheng.store import audit
from zhuansheng.store import tables as t

from . import case_replay, major_projects
from .allocations import allocations
from .cases import build_cases
from .population import build_population, geography
from .registers import FirmPicker, plan_for, projects, registry_entries
from .statistics import observations

YEAR = 2022
MARKER = ".synthetic-demo"
NOTICE = (
    "此处全部数据均为合成演示数据（synthetic demo data），由 zhuansheng demo build 生成，"
    "不是官方统计数据，不得作为官方数据引用。\n"
)
TZ = dt.timezone(dt.timedelta(hours=8))
OPENED = dt.datetime(2022, 1, 4, 9, 0, tzinfo=TZ)  # when the demo accounts were opened
Progress = Callable[[str], None]
STEPS = 7  # calls to progress() in build()


@dataclass
class Summary:
    seed: int
    enterprises: int
    counts: dict[str, int] = field(default_factory=dict)
    province: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    database: str = ""
    lake: str = ""


def _recorded_at(period: str) -> dt.datetime:
    """Submissions arrive on the 10th of the month after the period (Beijing time)."""
    y, m = int(period[:4]), int(period[5:7])
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return dt.datetime(y, m, 10, 9, 0, tzinfo=TZ)


def _has_real_data(engine: Engine) -> bool:
    names = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        for table in (
            t.Observation,
            t.RegistryEntry,
            t.Project,
            t.Case,
            t.Enterprise,
            t.Allocation,
        ):
            if table.__tablename__ in names:
                n = conn.scalar(
                    select(func.count()).select_from(table).where(table.synthetic.is_(False))
                )
                if n:
                    return True
        # accounts carry no synthetic flag: a store with users that no demo build made is real
        if {"users", "audit_log"} <= names and conn.scalar(
            select(func.count()).select_from(t.User)
        ):
            built = conn.scalar(
                select(func.count())
                .select_from(t.AuditLog)
                .where(t.AuditLog.action == "demo.build")
            )
            return not built
    return False


def reset(lake_root: Path) -> None:
    """Empty the store and the lake, refusing if either holds anything but demo data."""
    engine = store.engine()
    if _has_real_data(engine):
        raise ZhuanshengError(
            f"数据库 {engine.url.render_as_string(hide_password=True)} 中有非演示数据，"
            "演示数据生成已停止，未做任何改动。请设置 ZHUANSHENG_DATABASE_URL / ZHUANSHENG_VAR "
            "指向一个新的位置再生成演示数据。"
        )
    facts_dir = lake_root / "enterprise_facts"
    if facts_dir.exists() and not (lake_root / MARKER).exists():
        raise ZhuanshengError(
            f"数据湖 {lake_root} 中已有非演示的企业数据，未做任何改动。"
            "请设置 ZHUANSHENG_LAKE 指向一个新的目录再生成演示数据。"
        )
    t.Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    store.upgrade()
    if lake_root.exists():
        shutil.rmtree(lake_root)
    lake_root.mkdir(parents=True)
    (lake_root / MARKER).write_text(NOTICE, encoding="utf-8")


def build(seed: int = 42, enterprises: int = 20000, progress: Progress | None = None) -> Summary:
    """Build the whole demo world; returns what was built."""
    if enterprises < 500:
        raise ZhuanshengError("演示企业数至少为 500 (--enterprises must be at least 500)")
    step = progress or (lambda _name: None)
    started = time.perf_counter()
    cfg = workspace.current()
    summary = Summary(seed=seed, enterprises=enterprises, lake=str(cfg.lake))
    summary.database = store.engine().url.render_as_string(hide_password=True)
    source = f"合成演示数据 seed={seed}"

    step("清空并初始化数据库与数据湖")
    reset(cfg.lake)
    cfg.var.mkdir(parents=True, exist_ok=True)
    (cfg.var / "README-合成演示数据.txt").write_text(NOTICE, encoding="utf-8")
    programmes = {year: programme.load(year) for year in programme.available_years()}
    with store.session() as s:
        store.sync_reference(s)
        for year, prog in programmes.items():
            store.sync_programme(s, prog, programme.programme_path(year))

    targets = programmes[YEAR].targets()
    catalogue = programme.indicators()
    rng = np.random.default_rng(seed)

    step("生成企业名录与分年度企业数据")
    geo = geography(rng)
    pop = build_population(rng, geo, enterprises)
    step("写入数据湖（Parquet）")
    lake.write_facts(pop.facts, lake=cfg.lake, source=source, synthetic=True)

    step("生成分解目标、月度统计、认定名单与项目库")
    # allocated as the provincial office would, through the same import (checks, revisions)
    demo = context.Caller(cfg, Actor("demo", "province_admin", None))
    alloc_services.import_values(
        demo,
        [(YEAR, tid, code, v) for tid, code, v in allocations(geo, targets)],
        source_name=source,
        synthetic=True,
        recorded_at=dt.datetime(YEAR, 1, 10, 9, 0, tzinfo=TZ),  # issued early in the year
    )
    firm_rows = pop.firms.to_pylist()
    with store.session() as s:
        _insert(s, t.Enterprise, [{**f, "synthetic": True} for f in firm_rows])
        stat_ids = [i for i, ind in catalogue.items() if ind.source == "statistic"]

        def obs_row(
            ind: str, region: str, period: str, value: float, num: float | None, den: float | None
        ) -> dict[str, Any]:
            return {
                "indicator_id": ind,
                "region_code": region,
                "period": period,
                "value": round(value, 6),
                "numerator": num,
                "denominator": den,
                "revision": 1,
                "recorded_at": _recorded_at(period),
                "recorded_by": "demo",
                "source_kind": "demo",
                "source_name": source,
                "comment": "",
                "synthetic": True,
            }

        _insert(s, t.Observation, list(observations(rng, geo, pop.facts, stat_ids, obs_row)))

        picker = FirmPicker(firm_rows)
        by_indicator: dict[str, dict[str, float]] = {}
        for tr in targets:
            if tr.indicator and tr.value is not None:
                by_indicator.setdefault(tr.indicator, {})[tr.kind] = tr.value
        registries: dict[str, list[str]] = {}
        project_kinds: dict[str, list[str]] = {}
        for ind in catalogue.values():
            if ind.source == "registry" and ind.registry:
                registries.setdefault(ind.registry, []).append(ind.id)
            if ind.source == "project" and ind.project_kind:
                project_kinds.setdefault(ind.project_kind, []).append(ind.id)

        entries = []
        for registry, ids in sorted(registries.items()):
            new, cumulative = _goal(by_indicator, ids)
            if new is None and cumulative is None:
                continue
            plan = plan_for(rng, new, cumulative)
            entries.extend(registry_entries(rng, geo, picker, registry, plan, source))
        _insert(s, t.RegistryEntry, entries)

        for kind, ids in sorted(project_kinds.items()):
            new, cumulative = _goal(by_indicator, ids)
            invest = next(
                (
                    by_indicator[i].get("amount")
                    for i in ids
                    if catalogue[i].measure == "investment" and i in by_indicator
                ),
                None,
            )
            if new is None and cumulative is None:
                continue
            plan = plan_for(rng, new, cumulative)
            invest_wan = invest * 1e4 if invest is not None else None  # 亿元 → 万元
            made = list(projects(rng, geo, picker, kind, plan, invest_wan, source))
            _insert(s, t.Project, [row for row, _ in made])
            ids_by_code = dict(
                s.execute(
                    select(t.Project.code, t.Project.id).where(t.Project.project_kind == kind)
                ).all()
            )
            _insert(
                s,
                t.ProjectInvestment,
                [
                    {"project_id": ids_by_code[row["code"]], "month": m, "invested_wan": v}
                    for row, spend in made
                    for m, v in spend
                ],
            )

        progress_reports = list(_milestone_reports(rng, targets))

        _insert(s, t.User, _users())
        _insert(s, t.Submission, _submissions(rng, geo.county_codes, stat_ids, s))

        step("生成高耗低效企业整治提升案例")
        cases_goal = {
            catalogue[i].measure: v.get("count_new", v.get("amount"))
            for i, v in by_indicator.items()
            if catalogue.get(i) and catalogue[i].source == "cases"
        }
        world = build_cases(
            rng,
            geo,
            pop.facts,
            count_target=cases_goal.get("count", 5000),
            land_target=cases_goal.get("freed_land_mu", 50000),
            energy_target=cases_goal.get("freed_energy_tce", 1_200_000),
        )
        _insert(s, t.Enterprise, world.extra_firms)
        audit.record(
            s,
            "demo",
            "demo.build",
            "world",
            f"seed={seed}",
            detail={"seed": seed, "enterprises": enterprises, "synthetic": True},
        )

    ws = workspace.current()
    step("各县办理整治案件（列入、方案、进展、完成），设区市验收")
    case_replay.replay(ws, world.cases)

    step("导入重大项目库（一局长一项目、年度投资计划、逐月完成投资）")
    major_projects.load(rng, geo, user="admin")
    # accounts and progress reports through the services, as the units and the office make them
    _report_progress(ws, progress_reports, _department_accounts(ws, targets))

    step("汇总")
    with store.session() as s:
        for table in t.Base.metadata.sorted_tables:
            summary.counts[table.name] = s.scalar(select(func.count()).select_from(table)) or 0
    summary.counts["lake_rows"] = pop.facts.num_rows
    summary.province = _province_figures(pop.facts)
    summary.seconds = round(time.perf_counter() - started, 2)
    return summary


NARRATIVES = {
    "in_progress": "（演示）按计划推进，本季度已召开专题推进会，相关工作正在落实。",
    "delayed": "（演示）部分工作进度滞后，已明确整改措施和完成时限。",
    "completed": "（演示）年度任务已完成，正在总结经验做法。",
}


def _users() -> list[dict[str, Any]]:
    """Demo accounts: the provincial office, one user per city and per county (演示账号)."""
    rows = [
        {
            "username": "admin",
            "display_name": "省转升办（演示）",
            "role": "province_admin",
            "region_code": None,
            "password_hash": "",
            "active": True,
            "created_at": dt.datetime(2022, 1, 4, 9, 0, tzinfo=TZ),
        }
    ]
    for r in reference.regions():
        if r.level in ("city", "county"):
            rows.append(
                {
                    "username": f"u{r.code}",
                    "display_name": f"{r.name_zh}转升办（演示）",
                    "role": r.level,
                    "region_code": r.code,
                    "password_hash": "",
                    "active": True,
                    "created_at": dt.datetime(2022, 1, 4, 9, 0, tzinfo=TZ),
                }
            )
    return rows


def _submissions(
    rng: np.random.Generator, counties: list[str], stat_ids: list[str], session: Any
) -> list[dict[str, Any]]:
    """Each region's monthly submission for every month it has values (what monitoring counts:
    monitor.counting). The year's county submissions are accepted up to October, then further
    behind, a few late; the base year's and the province's own figures were accepted. A county
    whose observations are missing for a month has no submission for it."""
    have = set(
        session.execute(
            select(t.Observation.region_code, t.Observation.period)
            .where(t.Observation.indicator_id.in_(stat_ids))
            .distinct()
        ).all()
    )
    regions = [*counties, reference.PROVINCE_CODE]
    rows = []
    for year in (YEAR - 1, YEAR):
        for month in range(1, 13):
            period = f"{year}-{month:02d}"
            for code in regions:
                if (code, period) not in have:
                    continue
                status = "accepted"
                sent = _recorded_at(period)
                if year == YEAR and code != reference.PROVINCE_CODE:
                    status = (
                        "accepted" if month <= 10 else ("approved" if month == 11 else "submitted")
                    )
                    late_days = int(rng.integers(1, 6)) if rng.random() < 0.08 else 0
                    sent += dt.timedelta(days=late_days - int(rng.integers(0, 6)))
                rows.append(
                    {
                        "region_code": code,
                        "period": period,
                        "status": status,
                        "locked": status in ("approved", "accepted"),
                        "first_submitted_at": sent,
                        "updated_at": sent,
                    }
                )
    return rows


def _milestone_reports(rng: np.random.Generator, targets: list[Any]) -> Iterator[ProgressReport]:
    """Quarterly progress reports on the targets without a number, from their first lead unit."""
    for tr in targets:
        if tr.kind != "milestone" or not tr.lead_units:
            continue
        for month in (3, 6, 9, 12):
            u = rng.random()
            status = (
                "delayed" if u < 0.15 else "completed" if u > 1.1 - month / 24 else "in_progress"
            )
            yield ProgressReport(tr.id, tr.lead_units[0], f"{YEAR}-{month:02d}", status)


@dataclass(frozen=True)
class ProgressReport:
    target: str
    unit: str
    period: str
    status: str


def department_username(index: int) -> str:
    """The demo account of the index-th lead unit (units catalogue order, from 1)."""
    return f"dept{index:02d}"


def _lead_units(targets: list[Any]) -> list[str]:
    named = {u for tr in targets for u in tr.lead_units}
    return [u.name_zh for u in programme.units() if u.name_zh in named]


def _department_accounts(ws: workspace.Workspace, targets: list[Any]) -> dict[str, str]:
    """One department account per lead unit of the programme (演示账号): unit → user name."""
    out = {}
    for i, unit in enumerate(_lead_units(targets), start=1):
        out[unit] = department_username(i)
        accounts.add(
            ws, out[unit], "department", None, f"{unit}（演示）", units=[unit], created_at=OPENED
        )
    return out


def _report_progress(
    ws: workspace.Workspace, reports: list[ProgressReport], users: dict[str, str]
) -> None:
    """Each report made by its unit's account and accepted by the provincial office two days
    after it arrived (dated from its period, not from the clock)."""
    office = context.Caller(ws, accounts.actor(ws, "admin"))
    callers = {unit: context.Caller(ws, accounts.actor(ws, name)) for unit, name in users.items()}
    for r in reports:
        at = _recorded_at(r.period)
        made = milestones.report(
            callers[r.unit],
            r.target,
            r.period,
            r.status,
            NARRATIVES[r.status],
            at=at,
            synthetic=True,
        )
        milestones.review(office, made["id"], "accept", at=at + dt.timedelta(days=2))


def _goal(
    by_indicator: dict[str, dict[str, float]], ids: list[str]
) -> tuple[float | None, float | None]:
    """The yearly (new) and cumulative targets set on any of these indicators."""
    new = cumulative = None
    for i in ids:
        kinds = by_indicator.get(i, {})
        new = kinds.get("count_new", new)
        cumulative = kinds.get("count_cumulative", cumulative)
    return new, cumulative


def _insert(session: Any, table: type[t.Base], rows: list[dict[str, Any]]) -> None:
    # Core executemany on the table (not the ORM entity): one driver call per batch.
    stmt = insert(table.__table__)
    for start in range(0, len(rows), 5000):
        session.execute(stmt, rows[start : start + 5000])


def _province_figures(facts: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    for year in (2021, 2022):
        above = facts.filter(
            pc.and_(pc.equal(facts["year"], year), pc.equal(facts["scale"], "above"))
        )
        land = pc.sum(above["land_mu"]).as_py()
        out[f"sample_va_per_mu_{year}"] = round(pc.sum(above["value_added_wan"]).as_py() / land, 1)
        out[f"sample_tax_per_mu_{year}"] = round(pc.sum(above["tax_wan"]).as_py() / land, 2)
        rev = pc.sum(above["revenue_wan"]).as_py()
        out[f"sample_rd_intensity_pct_{year}"] = round(
            pc.sum(above["rd_wan"]).as_py() / rev * 100, 2
        )
    return out
