"""Interface wording in Chinese (the default) and English. Data (target names, regions, clause
text) stays in Chinese, as published."""

from __future__ import annotations

from functools import cache

LANGS = ("zh", "en")
COOKIE = "zs_lang"

TEXT: dict[str, tuple[str, str]] = {
    "app": (
        "转升 · 传统制造业改造提升监测评价平台",
        "Zhuansheng · Traditional manufacturing upgrade monitor",
    ),
    "overview": ("总览", "Overview"),
    "map": ("地图", "Map"),
    "targets": ("目标", "Targets"),
    "regions": ("地区", "Regions"),
    "enterprises": ("企业", "Enterprises"),
    "lists": ("名单", "Lists"),
    "submissions": ("数据填报", "Data submission"),
    "audit": ("操作日志", "Audit log"),
    "login": ("登录", "Sign in"),
    "logout": ("退出", "Sign out"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "period": ("期间", "Period"),
    "show": ("查看", "Show"),
    "bigscreen": ("大屏", "Big screen"),
    "ahead": ("进度正常或超前", "On or ahead of schedule"),
    "behind": ("滞后", "Behind"),
    "warnings": ("最新预警", "Latest warnings"),
    "target": ("目标", "Target"),
    "actual": ("实际", "Actual"),
    "target_value": ("目标值", "Target value"),
    "completion": ("完成率", "Completion"),
    "schedule": ("序时进度", "Schedule"),
    "status": ("状态", "Status"),
    "projection": ("全年预计", "Year-end projection"),
    "clause": ("条款", "Clause"),
    "region": ("地区", "Region"),
    "lead_units": ("责任单位", "Responsible units"),
    "download_xlsx": ("下载 xlsx", "Download xlsx"),
    "search": ("搜索", "Search"),
    "search_hint": ("统一社会信用代码或企业名称", "USCC or enterprise name"),
    "level": ("层级", "Level"),
    "city": ("设区市", "Cities"),
    "county": ("县（市、区）", "Counties"),
    "indicator": ("指标", "Indicator"),
    "all_targets_status": ("各地目标绿色占比", "Share of targets on track"),
    "template": ("下载填报模板", "Download template"),
    "upload": ("上传填好的模板", "Upload a filled template"),
    "comment": ("说明（有警告时必填）", "Comment (required when there are warnings)"),
    "submit": ("上报", "Submit"),
    "approve": ("审核通过", "Approve"),
    "return": ("退回", "Return"),
    "accept": ("确认", "Accept"),
    "unlock": ("解锁退回", "Unlock"),
    "reason": ("原因", "Reason"),
    "reporting_board": ("报送情况", "Reporting rates"),
    "history": ("流转记录", "History"),
    "synthetic": ("合成演示数据", "Synthetic demo data"),
    "filter": ("筛选", "Filter"),
    "page": ("页", "Page"),
    "export": ("导出 xlsx", "Export xlsx"),
    "allocations": ("分解目标", "Allocations"),
    "cases": ("整治案例", "Rectification cases"),
    "mujun_classes": ("亩均效益分类", "亩均 classes"),
    "carbon_grades": ("碳效等级", "碳效 grades"),
    "facts": ("年度数据", "Yearly facts"),
    "screening": ("筛查标记", "Screening flags"),
    "no_data": ("暂无数据", "No data"),
    "trend": ("逐月进度", "Monthly trend"),
    "forbidden": ("无权访问", "Forbidden"),
    "not_found": ("未找到", "Not found"),
    "error": ("出错了", "Error"),
    "rankings": ("排名", "Rankings"),
    "rank": ("名次", "Rank"),
    "score": ("得分", "Score"),
    "grade": ("等级", "Grade"),
    "rank_change": ("名次变化", "Rank change"),
    "rank_interval": ("名次区间（5%–95%）", "Rank interval (5–95 %)"),
    "draws": ("蒙特卡洛次数", "Monte Carlo draws"),
    "contributions": ("指标贡献", "Contributions"),
    "reports": ("报告", "Reports"),
    "generate_report": ("生成报告", "Generate a report"),
    "generate": ("生成", "Generate"),
    "report_kind": ("报告类型", "Report"),
    "report_files": ("已生成的报告", "Generated reports"),
    "download": ("下载", "Download"),
    "no_reports": ("暂无报告", "No reports yet"),
}


# Value labels with no other source of truth: category → code → (Chinese, English).
VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "project_status": {
        "completed": ("已完成", "completed"),
        "in_progress": ("推进中", "in progress"),
        "delayed": ("进度滞后", "delayed"),
    },
    "case_status": {
        "listed": ("已列入整治名单", "listed"),
        "planned": ("已制定整治方案", "planned"),
        "in_progress": ("整治中", "in progress"),
        "completed": ("整治完成", "completed"),
        "verified": ("已验收", "verified"),
    },
    "screen_status": {
        "candidate": ("待核实", "candidate"),
        "confirmed": ("已确认", "confirmed"),
        "dismissed": ("已排除", "dismissed"),
    },
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


def label(category: str, code: object, lang: str = "zh") -> str:
    """The label of ``code`` in a code set (``registry_kind``, ``case_status`` …); the code
    itself when unknown."""
    text = "" if code is None else str(code)
    pair = VALUES.get(category, {}).get(text) or _catalogue().get(category, {}).get(text)
    if pair is None:
        return text
    return pair[1] if lang == "en" else pair[0]


def translate(key: str, lang: str) -> str:
    """Interface wording by key; ``category:code`` gives a value label (see :func:`label`)."""
    pair = TEXT.get(key)
    if pair is None:
        if ":" in key:
            category, code = key.split(":", 1)
            return label(category, code, lang)
        return key
    return pair[1] if lang == "en" else pair[0]
