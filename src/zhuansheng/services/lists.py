"""The lists people work from — registries (认定名单), project registers (项目库) and the 高耗低效
list — with one filter, order and paging for the list page, its export and the API (NetBox's
rule: a list, its export and its API answer identically)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from zhuansheng import store
from zhuansheng.errors import NotFound
from zhuansheng.store import tables as t

from . import audit, labels, regions
from .context import Caller
from .evaluations import latest_run

# Column headers of the lists (Chinese, English) and the code sets of their coded values.
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "registry_kind": ("名单类型", "Registry"),
    "project_kind": ("项目类型", "Project kind"),
    "name": ("名称", "Name"),
    "code": ("项目代码", "Project code"),
    "uscc": ("统一社会信用代码", "USCC"),
    "region_code": ("地区代码", "Region code"),
    "county_code": ("县（市、区）代码", "County code"),
    "region_name": ("地区", "Region"),
    "recognised_on": ("认定日期", "Recognised on"),
    "batch": ("批次", "Batch"),
    "status": ("状态", "Status"),
    "started_on": ("开工日期", "Started on"),
    "completed_on": ("完工日期", "Completed on"),
    "planned_investment_wan": ("计划投资（万元）", "Planned investment (10k yuan)"),
    "size_class": ("规模档次", "Size class"),
    "official_in_charge": ("联系领导（一局长一项目）", "Official in charge"),
    "official_post": ("职务", "Post"),
    "planned_start_on": ("计划开工", "Planned start"),
    "planned_completion_on": ("计划竣工", "Planned completion"),
    "planned_ytd_wan": ("年度计划累计（万元）", "Plan year to date (10k yuan)"),
    "actual_ytd_wan": ("实际完成累计（万元）", "Actual year to date (10k yuan)"),
    "lag_pct": ("滞后于计划（%）", "Behind plan (%)"),
    "warnings": ("预警", "Warnings"),
    "industry_code": ("行业代码", "Industry code"),
    "year": ("年度", "Year"),
    "rules": ("触发规则", "Rules triggered"),
    "freed_land_mu": ("可腾出用地（亩）", "Land freed (mu)"),
    "freed_energy_tce": ("可腾出用能（吨标煤）", "Energy freed (tce)"),
}


@dataclass(frozen=True)
class ListSpec:
    title_zh: str
    title_en: str
    columns: tuple[str, ...]
    sortable: tuple[str, ...]
    codes: dict[str, str] = field(default_factory=dict)  # column → code set (labels.label)

    def header(self, column: str, lang: str = "zh") -> str:
        pair = COLUMN_LABELS.get(column)
        if pair is None:
            return column
        return pair[1] if lang == "en" else pair[0]

    def cell(self, column: str, value: Any, lang: str = "zh") -> Any:
        """A value as shown: codes as labels, lists joined with 、."""
        category = self.codes.get(column)
        if isinstance(value, list | tuple):
            return "、".join(labels.label(category, v, lang) if category else str(v) for v in value)
        if category and value is not None:
            return labels.label(category, value, lang)
        return value

    def export(self, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
        """Rows keyed by the Chinese headers with labelled values, and those headers (xlsx)."""
        headers = [self.header(c) for c in self.columns]
        out = [
            {h: self.cell(c, r.get(c)) for c, h in zip(self.columns, headers, strict=True)}
            for r in rows
        ]
        return out, headers


LISTS = {
    "registries": ListSpec(
        "认定名单",
        "Registries",
        ("registry_kind", "name", "uscc", "region_code", "region_name", "recognised_on", "batch"),
        ("registry_kind", "name", "region_code", "recognised_on"),
        {"registry_kind": "registry_kind"},
    ),
    "projects": ListSpec(
        "项目库",
        "Project registers",
        (
            "project_kind",
            "code",
            "name",
            "uscc",
            "region_code",
            "region_name",
            "status",
            "started_on",
            "completed_on",
            "planned_investment_wan",
        ),
        (
            "project_kind",
            "code",
            "name",
            "region_code",
            "status",
            "started_on",
            "planned_investment_wan",
        ),
        {"project_kind": "project_kind", "status": "project_status"},
    ),
    "screening": ListSpec(
        "高耗低效企业名单",
        "High-consumption, low-efficiency list",
        (
            "uscc",
            "name",
            "county_code",
            "region_name",
            "industry_code",
            "year",
            "rules",
            "freed_land_mu",
            "freed_energy_tce",
            "status",
        ),
        ("uscc", "name", "county_code", "industry_code", "freed_land_mu", "freed_energy_tce"),
        {"rules": "screen_rule", "status": "screen_status"},
    ),
}
_MODELS: dict[str, Any] = {
    "registries": (t.RegistryEntry, t.RegistryEntry.region_code, t.RegistryEntry.registry_kind),
    "projects": (t.Project, t.Project.region_code, t.Project.project_kind),
    "screening": (t.ScreeningCandidate, t.ScreeningCandidate.county_code, None),
}


ENTERPRISE_DATA = (
    "名单含企业名称和统一社会信用代码，仅省、市、县用户可查看；厅局和只读用户只能查看汇总数据"
)


def spec(kind: str) -> ListSpec:
    found = LISTS.get(kind)
    if found is None:
        raise NotFound(f"没有名单 '{kind}'")
    return found


@dataclass
class ListFilter:
    """The filter and order of a list (a page's query parameters, an export, an API call)."""

    q: str = ""
    region: str = ""
    sub_kind: str = ""
    sort: str = ""
    desc: int = 0


def page(
    caller: Caller, kind: str, f: ListFilter, page: int, page_size: int
) -> tuple[ListSpec, list[dict[str, Any]], int, list[str]]:
    """The list's spec, one page of rows, the total and the sub-kinds, within the caller's
    scope. Every list names firms (names, USCCs), so only those who may see enterprise data
    read them: departments and viewers see aggregates only."""
    found = spec(kind)
    caller.require("enterprises.view", message=ENTERPRISE_DATA)
    with store.session(caller.ws.database_url) as s:
        rows, total = list_rows(
            s,
            kind,
            scope=caller.scope,
            q=f.q,
            region=f.region,
            sub_kind=f.sub_kind,
            sort=f.sort,
            desc=bool(f.desc),
            page=page,
            page_size=page_size,
        )
        sub_kinds = kinds(s, kind)
    return found, rows, total, sub_kinds


def list_rows(
    session: Session,
    kind: str,
    *,
    scope: str | None,
    q: str = "",
    region: str = "",
    sub_kind: str = "",
    sort: str = "",
    desc: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    """Rows of a list within ``scope`` (a region subtree, or None), filtered, sorted, paged.

    Filters are bound parameters, so quotes and SQL metacharacters in ``q`` are plain text."""
    spec = LISTS.get(kind)
    if spec is None:
        raise NotFound(f"没有名单 '{kind}'")
    model, region_col, kind_col = _MODELS[kind]
    query = select(model)
    if kind == "screening":
        run = latest_run(session, "screen")
        query = query.where(model.run_id == (run.run_id if run else ""))
    for code in (scope, region or None):
        if code:
            query = query.where(region_col.in_(regions.subtree(code)))
    if q:
        # autoescape: "%" and "_" typed in a search box are characters, not wildcards
        conds = [model.name.contains(q, autoescape=True)]
        if hasattr(model, "uscc"):
            conds.append(model.uscc.contains(q, autoescape=True))
        query = query.where(or_(*conds))
    if sub_kind and kind_col is not None:
        query = query.where(kind_col == sub_kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    column = getattr(model, sort if sort in spec.sortable else "id")
    query = query.order_by(column.desc() if desc else column.asc(), model.id)
    page = max(page, 1)
    query = query.offset((page - 1) * page_size).limit(page_size)
    rows = []
    for obj in session.scalars(query):
        row = {c: getattr(obj, c, None) for c in spec.columns}
        row["region_name"] = regions.name(getattr(obj, region_col.key))
        rows.append(row)
    return rows, int(total)


def kinds(session: Session, kind: str) -> list[str]:
    _, _, kind_col = _MODELS[kind]
    if kind_col is None:
        return []
    return [k for (k,) in session.execute(select(kind_col).distinct().order_by(kind_col))]


def export(
    caller: Caller, kind: str, f: ListFilter
) -> tuple[ListSpec, list[dict[str, Any]], list[str]]:
    """The whole filtered list for a workbook (audited): Chinese headers and labels, as on the
    page."""
    found, rows, total, _ = page(caller, kind, f, 1, 200_000)
    audit.record(
        caller, "export.list", "list", kind, q=f.q, region=f.region, sub_kind=f.sub_kind, rows=total
    )
    labelled, headers = found.export(rows)
    return found, labelled, headers
