"""Interface wording in Chinese (the default) and English. Data (target names, regions, clause
text) stays in Chinese, as published; the labels of codes are ``zhuansheng.services.labels``."""

from __future__ import annotations

from zhuansheng.services.labels import label

__all__ = ["COOKIE", "LANGS", "TEXT", "label", "translate"]
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
    # Entries with %(name)s placeholders are filled in with Jinja's printf-style ``format``
    # filter, e.g. ``{{ t('n_results', lang)|format(n=found|length) }}``; a literal % is %%.
    # overview cards
    "behind_yellow": ("滞后（黄）", "Behind (yellow)"),
    "behind_red": ("滞后（红）", "Behind (red)"),
    "not_assessed": ("未评", "Not assessed"),
    # tables, pagers and search forms
    "total_pages": (
        "共 %(total)s 条 · 第 %(page)s/%(pages)s 页",
        "%(total)s entries · page %(page)s of %(pages)s",
    ),
    "prev_page": ("上一页", "Previous"),
    "next_page": ("下一页", "Next"),
    "n_results": ("%(n)s 条结果", "%(n)s results"),
    "name_or_code": ("名称或代码", "Name or code"),
    "region_code": ("地区代码", "Region code"),
    "all_categories": ("全部类别", "All categories"),
    "list_registries": ("认定名单", "Registries"),
    "list_projects": ("项目库", "Project registers"),
    "list_screening": ("高耗低效名单", "High-consumption, low-efficiency list"),
    # audit log
    "audit_action_hint": ("操作，如 export", "Action, e.g. export"),
    "time": ("时间", "Time"),
    "user": ("用户", "User"),
    "action": ("操作", "Action"),
    "entity": ("对象", "Object"),
    "entity_id": ("编号", "ID"),
    "detail": ("详情", "Details"),
    # sign-in
    "demo_accounts": (
        "演示账号：admin（省级管理员）、u330100（杭州市）、u330102（上城区）等；"
        "演示密码见文档 docs/zh/web.md（仅限合成演示数据）。",
        "Demo accounts: admin (province administrator), u330100 (Hangzhou), u330102 (Shangcheng"
        " District) and others; the demo password is given in docs/en/web.md (synthetic demo"
        " data only).",
    ),
    # map
    "map_colour_by": ("着色", "Colour by"),
    "map_completion": ("完成率或进度（%）", "Completion or progress (%)"),
    "map_green_share": ("绿色目标占比（%）", "Share of targets on track (%)"),
    "not_reported": ("未报送", "Not reported"),
    "coverage_short": ("报送不足", "Insufficient coverage"),
    "unreported_regions": ("个地区无计入的报送", "regions without a counted report"),
    # target page
    "target_text": ("目标原文", "Target as published"),
    "clause_text": ("条款原文", "Clause as published"),
    "co_units": ("；配合：%(units)s", "; supported by %(units)s"),
    "province": ("全省", "Province-wide"),
    # enterprise page
    "uscc": ("统一社会信用代码", "Unified social credit code"),
    "industry": ("行业", "Industry"),
    "above_scale": ("规上", "above designated size"),
    "below_scale": ("规下", "below designated size"),
    "mujun": ("亩均效益", "Per-mu efficiency"),
    "mujun_category": ("类别", "class"),
    "group_rank": ("组内排名", "rank in group"),
    "carbon_code": ("碳效码", "Carbon efficiency code"),
    "carbon_ratio": ("碳效值", "carbon efficiency ratio"),
    "mujun_breakdown": ("亩均效益得分说明", "How the per-mu efficiency score is made up"),
    "value": ("值", "Value"),
    "benchmark": ("基准值", "Benchmark"),
    "ratio": ("比值", "Ratio"),
    "bonus_deduction": ("加分 / 减分", "Bonus / deduction"),
    "year": ("年度", "Year"),
    "land_mu": ("用地（亩）", "Land (mu)"),
    "tax_wan": ("税收（万元）", "Tax (10,000 yuan)"),
    "value_added_wan": ("增加值（万元）", "Value added (10,000 yuan)"),
    "revenue_wan": ("营收（万元）", "Revenue (10,000 yuan)"),
    "electricity_kwh": ("用电（kWh）", "Electricity (kWh)"),
    "employees": ("从业人员", "Employees"),
    # data submission
    "not_submitted": ("未填报", "Not submitted"),
    "imported_files": ("导入文件", "Imported files"),
    "expected": ("应报", "Due"),
    "received": ("已报", "Received"),
    "on_time": ("按时", "On time"),
    "reporting_rate": ("报送率", "Reporting rate"),
    "timeliness": ("及时率", "Timeliness"),
    "upload_written": (
        "已接收：写入 %(written)s 个数值，%(unchanged)s 个未变化。",
        "Accepted: %(written)s values written, %(unchanged)s unchanged.",
    ),
    "upload_unchanged": (
        "与已保存的数据相同，没有变化。",
        "Same as the saved data: nothing changed.",
    ),
    "upload_rejected": ("未写入任何数据：%(n)s 处问题", "Nothing was written: %(n)s problem(s)"),
    "severity": ("级别", "Severity"),
    "location": ("位置", "Location"),
    "problem": ("问题", "Problem"),
    "what_to_do": ("怎么办", "What to do"),
    "severity_error": ("错误", "Error"),
    "severity_warning": ("警告", "Warning"),
    "upload_needs_comment": (
        "核实警告无误后，请在“说明”中写明理由并重新上传同一文件。",
        "Once you have checked the warnings, give your reasons under “Comment” and upload the"
        " same file again.",
    ),
    # rankings
    "weight": ("权重", "Weight"),
    "normalisation": ("标准化", "Normalisation"),
    "direction": ("方向", "Direction"),
    "linked_target": ("对应目标", "Target"),
    "contribution": ("得分贡献", "Contribution"),
    "higher_better": ("越高越好", "higher is better"),
    "lower_better": ("越低越好", "lower is better"),
    "bonus": ("加分", "Bonus"),
    "penalty": ("扣分", "Deduction"),
    "vs_previous": ("与上期相比", "Compared with the previous period"),
    "interval_title": (
        "中位数 %(median)s；5%%–95%%：%(p05)s–%(p95)s",
        "Median %(median)s; 5th–95th percentile: %(p05)s–%(p95)s",
    ),
    "scheme_version": (
        "评价方案 %(id)s（版本 %(version)s）",
        "Scheme %(id)s (version %(version)s) ",
    ),
    "weights_are": ("权重 %(v)s", "Weights: %(v)s"),
    "aggregation_is": ("聚合 %(v)s", "Aggregation: %(v)s"),
    "n_assessed": ("共 %(n)s 个评价对象。", "%(n)s regions assessed."),
    "interval_explained": (
        "名次区间：蒙特卡洛 %(draws)s 次（权重扰动、标准化方法、逐一剔除指标，种子 %(seed)s），"
        "条带为 5%%–95%% 分位，竖线为中位数，圆点为本期名次。",
        "Rank intervals: %(draws)s Monte Carlo draws (perturbed weights, other normalisation"
        " methods, leaving out one indicator at a time; seed %(seed)s). The band spans the 5th"
        " to 95th percentile, the line marks the median and the dot this period's rank.",
    ),
    "most_sensitive_to": (
        "对名次影响最大的是「%(v)s」。",
        " The ranks are most sensitive to %(v)s.",
    ),
    "no_sensitivity": (
        "未做敏感性分析（蒙特卡洛次数为 0），不显示名次区间。",
        "No sensitivity analysis was run (0 Monte Carlo draws), so no rank intervals are shown.",
    ),
    "contrib_heading": (
        "第 %(rank)s 名 · %(score)s 分（%(grade)s）",
        "Rank %(rank)s · %(score)s points (%(grade)s)",
    ),
    "capped_adjustments": (
        "加分（封顶后）+%(bonus)s，扣分（封顶后）−%(penalty)s",
        "Bonus (after cap) +%(bonus)s, deduction (after cap) −%(penalty)s",
    ),
    # reports
    "generating": ("正在生成，PDF 约需数秒……", "Generating… a PDF takes a few seconds."),
    "report_period_hint": (
        "月度监测分析期间写作 2022-06（1—6月累计），季度简报写作 2022Q2，年度综合评估写作 2022；"
        "月度、年度报告为全省报告，地区请选“浙江省”。",
        "Write the period as 2022-06 for the monthly monitoring analysis (January to June,"
        " cumulative), 2022Q2 for the quarterly briefing and 2022 for the annual assessment."
        " Monthly and annual reports cover the whole province: choose “浙江省” as the region.",
    ),
    "report_scope_hint": (
        "市、县用户只能生成本地区（市含所辖县）的季度简报。",
        " City and county users can only generate quarterly briefings for their own area (a"
        " city's includes its counties).",
    ),
    "generated_at": ("生成时间", "Generated"),
    "files_written": ("已生成 %(n)s 个文件：", "%(n)s file(s) generated:"),
}


def translate(key: str, lang: str) -> str:
    """Interface wording by key; ``category:code`` gives a value label (see :func:`label`)."""
    pair = TEXT.get(key)
    if pair is None:
        if ":" in key:
            category, code = key.split(":", 1)
            return label(category, code, lang)
        return key
    return pair[1] if lang == "en" else pair[0]
