"""The labels of codes (registry kinds, statuses, rules …) in Chinese and English, read where
the codes are defined where possible, so that pages, exports and reports name a code alike."""

from __future__ import annotations

from functools import cache

from zhuansheng.collect import cases as case_rules


def _english(chinese: dict[str, str], english: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Labels whose Chinese is defined with the codes, given their English."""
    return {code: (zh, english[code]) for code, zh in chinese.items()}


# Value labels with no other source of truth: category → code → (Chinese, English).
VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "project_status": {
        "planned": ("未开工", "not started"),
        "started": ("在建", "under construction"),
        "completed": ("已完成", "completed"),
        "in_progress": ("推进中", "in progress"),
        "delayed": ("进度滞后", "delayed"),
    },
    # the warnings of monitor.major_projects.WARNINGS
    "project_warning": {
        "investment_lag": ("投资进度滞后于计划", "investment behind plan"),
        "start_overdue": ("逾期未开工", "planned start passed"),
    },
    "case_status": {
        "listed": (case_rules.STATES["confirmed"], "listed"),  # an older confirmed case
        **_english(
            case_rules.STATES,
            {
                "confirmed": "confirmed",
                "planned": "planned",
                "in_progress": "in progress",
                "completed": "completed",
                "verified": "verified",
                "reopened": "reopened",
            },
        ),
    },
    "screen_status": {
        "candidate": ("待核实", "candidate"),
        "confirmed": ("已确认", "confirmed"),
        "dismissed": ("已排除", "dismissed"),
    },
    # the measures of 一企一策, a case's actions and the reasons a candidate is dismissed: the
    # Chinese of collect.cases
    "case_measure": _english(
        case_rules.MEASURES,
        {
            "upgrade": "upgrade",
            "merger": "merger",
            "land_recovered": "land recovered / change of use",
            "relocated": "relocation",
            "closed": "closure",
        },
    ),
    "case_action": {
        "confirm": ("列入整治名单", "listed"),
        **_english(
            case_rules.ACTIONS,
            {
                "plan": "plan",
                "update": "progress report",
                "complete": "completion",
                "verify": "verification",
                "reopen": "reopening",
            },
        ),
    },
    "dismiss_reason": _english(
        case_rules.DISMISS_REASONS,
        {
            "new_plant": "new plant, in production for less than three years",
            "data_error": "data error",
            "other_campaign": "already in another rectification campaign",
            "other": "other",
        },
    ),
    "weights": {
        "expert": ("专家赋权", "expert weights"),
        "equal": ("等权", "equal weights"),
        "entropy": ("熵权法", "entropy weights"),
    },
    "aggregation": {
        "additive": ("加权求和", "weighted sum"),
        "geometric": ("加权几何平均", "weighted geometric mean"),
        "topsis": ("TOPSIS 逼近理想解法", "TOPSIS"),
    },
    # the names are the scheme's (assess.scheme.GRADES): the Chinese label is the code itself
    "ranking_grade": {
        "优秀": ("优秀", "Excellent"),
        "良好": ("良好", "Good"),
        "合格": ("合格", "Pass"),
        "不合格": ("不合格", "Fail"),
    },
    # what moves the ranks most in the sensitivity analysis
    "sensitivity": {
        "weights": ("权重", "the weights"),
        "normalisation": ("标准化方法", "the normalisation method"),
        "leave_one_out": ("剔除指标", "leaving out an indicator"),
    },
    # the same Chinese as services.rankings.NORMALISATION_ZH
    "normalisation": {
        "completion": ("完成率", "completion rate"),
        "distance": ("距目标距离", "distance to target"),
        "minmax": ("极差标准化", "min–max"),
        "zscore": ("Z 分数", "z-score"),
        "rank_points": ("按名次赋分", "points by rank"),
    },
    # the same Chinese as users.ROLES_ZH
    "role": {
        "province_admin": ("省级管理员", "province administrator"),
        "province_analyst": ("省级分析人员", "province analyst"),
        "city": ("市级用户", "city user"),
        "county": ("县级用户", "county user"),
        "department": ("责任单位用户", "department user"),
        "viewer": ("只读用户", "read-only user"),
    },
    # the same Chinese as assess.scheme.LEVEL_ZH
    "level": {
        "city": ("设区市", "cities"),
        "county": ("县（市、区）", "counties"),
        "pilot": ("分行业省级试点", "industry pilots"),
    },
    # the same Chinese as report.KIND_ZH
    "report_kind": {
        "monthly": ("月度监测分析", "monthly monitoring analysis"),
        "quarterly": ("季度简报", "quarterly briefing"),
        "annual": ("年度综合评估", "annual assessment"),
    },
    # the same Chinese as collect.milestones.STATUSES, .REVIEW and services.milestones.DUE_ZH
    "milestone_status": {
        "not_started": ("未启动", "not started"),
        "in_progress": ("推进中", "in progress"),
        "completed": ("已完成", "completed"),
        "delayed": ("滞后", "delayed"),
    },
    "milestone_review": {
        "submitted": ("待审核", "awaiting review"),
        "accepted": ("已确认", "accepted"),
        "returned": ("已退回", "returned"),
    },
    "milestone_role": {"lead": ("牵头", "lead"), "co": ("配合", "co-unit")},
    "milestone_due": {
        "accepted": ("已确认", "accepted"),
        "submitted": ("已报送待审核", "reported, awaiting review"),
        "returned": ("已退回待重报", "returned, to report again"),
        "overdue": ("逾期未报送", "overdue"),
        "due": ("待报送", "due"),
        "optional": ("配合单位可报送", "optional for a co-unit"),
    },
    # the same Chinese as collect.workflow.STATUS_ZH
    "submission_status": {
        "draft": ("草稿", "Draft"),
        "submitted": ("已上报", "Submitted"),
        "returned": ("已退回", "Returned"),
        "approved": ("已审核", "Approved"),
        "accepted": ("已确认", "Accepted"),
    },
}


@cache
def _catalogue() -> dict[str, dict[str, tuple[str, str]]]:
    """Labels read from where the codes are defined: registry and project kinds from the
    indicator catalogue, screening rules and 亩均 items from the shipped method files."""
    from zhuansheng import engine, programme

    out: dict[str, dict[str, tuple[str, str]]] = {
        "registry_kind": {},
        "project_kind": {},
        "screen_rule": {},
        "mujun_item": {},
    }
    out["size_class"] = {c.id: (c.name_zh, c.name_en) for c in programme.size_classes()}
    out["project_kind"]["major_project"] = ("重大项目", "major projects")
    for ind in programme.indicators().values():
        if ind.registry:
            out["registry_kind"].setdefault(ind.registry, (ind.name_zh, ind.name_en))
        if ind.project_kind and ind.measure == "count":
            out["project_kind"].setdefault(ind.project_kind, (ind.name_zh, ind.name_en))
    for path in engine.shipped_methods():
        method = engine.load_method(path).method
        for rule in getattr(method, "rules", None) or ():
            out["screen_rule"].setdefault(rule.id, (rule.name_zh, rule.name_zh))
        for item_set in (getattr(method, "sets", None) or {}).values():
            for item in item_set.items:
                out["mujun_item"].setdefault(item.id, (item.name_zh, item.name_zh))
    return out


def codes(category: str) -> list[str]:
    """The codes of a code set, in their defined order (the choices of a filter)."""
    return list(VALUES.get(category) or _catalogue().get(category, {}))


def label(category: str, code: object, lang: str = "zh") -> str:
    """The label of ``code`` in a code set (``registry_kind``, ``case_status`` …); the code
    itself when unknown."""
    text = "" if code is None else str(code)
    pair = VALUES.get(category, {}).get(text) or _catalogue().get(category, {}).get(text)
    if pair is None:
        return text
    return pair[1] if lang == "en" else pair[0]
