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
    "case_warnings": ("高耗低效整治预警", "Rectification cases to follow up"),
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
    "list_major": ("重大项目库", "Major projects"),
    # major projects
    "all_sizes": ("全部规模", "All sizes"),
    "all_statuses": ("全部状态", "All statuses"),
    "all_warnings": ("全部（含无预警）", "All (with or without warnings)"),
    "warning_any": ("有预警", "Any warning"),
    "warning_none": ("无预警", "No warning"),
    "as_of_month": ("截至月份", "As of month"),
    "major_summary": (
        "截至 %(month)s：年度计划累计 %(planned)s 万元，实际完成 %(actual)s 万元；"
        "投资进度滞后 %(lag)s 个，逾期未开工 %(start)s 个（滞后超过计划的 %(share)s%% 即预警）",
        "As of %(month)s: plan year to date %(planned)s (10k yuan), actual %(actual)s; "
        "%(lag)s behind plan, %(start)s past their planned start (warning when more than "
        "%(share)s%% behind the plan)",
    ),
    "plan_vs_actual": ("年度投资计划与实际完成（按月）", "Plan and actual investment by month"),
    "month": ("月份", "Month"),
    "planned_month": ("当月计划（万元）", "Planned (10k yuan)"),
    "actual_month": ("当月完成（万元）", "Actual (10k yuan)"),
    "planned_ytd": ("计划累计（万元）", "Plan YTD (10k yuan)"),
    "actual_ytd": ("完成累计（万元）", "Actual YTD (10k yuan)"),
    "no_warning": ("无预警", "No warning"),
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
    "year_fallback": (
        "按方法文件规定使用了替代值",
        "a fallback stated in the method file was used",
    ),
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
    # allocations (分解下达)
    "alloc_by_target": ("按目标查看", "By target"),
    "alloc_by_region": ("按地区查看", "By region"),
    "alloc_province_value": ("全省目标值", "Province target"),
    "alloc_value": ("分解值", "Allocated value"),
    "alloc_parent": ("上级地区", "Level above"),
    "alloc_parent_value": ("上级目标", "Target above"),
    "alloc_total": ("所辖合计", "Sum below"),
    "alloc_coverage": ("已分解地区", "Regions allocated"),
    "alloc_short": ("合计低于上级", "Sum below the level above"),
    "alloc_sums": ("分解合计校验", "Sums against the level above"),
    "alloc_rows": ("各地区分解值", "Values by region"),
    "alloc_rate_note": (
        "比率、增速类目标是各地应达到的数值，不是份额，不做合计校验。",
        "A rate or growth target is each region's own value, not a share: nothing is added up.",
    ),
    "alloc_revision": ("修订版本", "Revision"),
    "alloc_recorded": ("修订人 / 时间", "By / at"),
    "alloc_history": ("修订历史", "History"),
    "alloc_source": ("来源（文件 · 单元格）", "Source (file · cell)"),
    "alloc_upload": ("上传分解下达表", "Upload allocations"),
    "alloc_template_city": ("下载分解表（设区市）", "Template (cities)"),
    "alloc_template_county": ("下载分解表（县）", "Template (counties)"),
    "alloc_dry_run": ("只校验，不写入", "Check only, write nothing"),
    "alloc_upload_hint": (
        "可上传填好的分解下达表（xlsx），"
        "或列为 year,target,region,value 的 CSV（可加 comment 列）。"
        "整份校验，有错误整份拒收；数量、总量类目标合计低于上级的须在“说明”列写明理由。",
        "Upload a filled allocation template (xlsx) or a CSV with the columns"
        " year,target,region,value (and optionally comment). The file is checked whole and"
        " refused on any error; a count or amount whose sum falls below the level above needs"
        " a comment.",
    ),
    "alloc_checked": (
        "校验通过（未写入）：将写入 %(written)s 个数值，%(unchanged)s 个未变化。",
        "Checked (nothing written): %(written)s values would be written, %(unchanged)s unchanged.",
    ),
    "alloc_none": ("该目标尚未分解", "Not allocated yet"),
    "alloc_readonly": (
        "分解目标由上级下达，本页只读。",
        "Allocations are set by the level above: this page is read-only.",
    ),
    "comment_plain": ("说明", "Comment"),
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
    "draft_scheme": ("评价方案为草案", "Draft scheme"),
    "draft_explained": (
        "评价方案 %(id)s 为草案（status: draft），尚未经省转升办审定，以下结果仅供试算、不得公布。",
        "Scheme %(id)s is a draft (status: draft), not yet approved by the office: the results"
        " below are a trial run and must not be published.",
    ),
    "draft_refused": (
        "本期评价方案 %(id)s 为草案（status: draft），尚未审定，暂无正式排名。省转升办审定后把方案"
        "文件 %(path)s 中的 status: draft 改为 status: approved，即按正式方案排名。",
        "This period's scheme %(id)s is a draft (status: draft), not yet approved, so there is no"
        " official ranking. Once the office approves it, change status: draft to status: approved"
        " in %(path)s and the ranking becomes official.",
    ),
    "draft_try": ("按草案试算", "Trial run with the draft"),
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
    # milestone progress reports and the responsible units
    "milestones": ("工作任务进展", "Milestone reports"),
    "units": ("责任单位", "Responsible units"),
    "my_items": ("本单位的工作任务", "Your unit's tasks"),
    "report_progress": ("报送", "Report"),
    "narrative": ("进展情况", "Progress narrative"),
    "narrative_hint": ("不超过 %(n)s 字", "at most %(n)s characters"),
    "evidence": ("佐证文件", "Evidence files"),
    "evidence_hint": ("可选，pdf、docx、xlsx、png、jpg", "optional: pdf, docx, xlsx, png, jpg"),
    "latest_report": ("最近一次报送", "Latest report"),
    "review": ("审核", "Review"),
    "reported_by": ("报送人", "Reported by"),
    "recorded_at": ("报送时间", "Reported at"),
    "return_reason": ("退回原因", "Reason for return"),
    "all": ("全部", "All"),
    "unit": ("责任单位", "Unit"),
    "role": ("责任", "Role"),
    "lead_n": ("牵头目标", "Leads"),
    "co_n": ("配合目标", "Supports"),
    "behind_n": ("滞后目标", "Behind"),
    "due": ("应报进展", "Reports due"),
    "deadline": ("截止日期", "Deadline"),
    "saved_report": ("已报送，进展报告编号 %(id)s。", "Report %(id)s saved."),
    "deadline_rule": (
        "每%(freq)s结束后次月 %(day)s 日前报送（省转升办的设定，见 monitoring.yaml）；"
        "只有省级确认的报告计入监测。",
        "Due by day %(day)s of the month after each %(freq)s (the provincial office's setting,"
        " monitoring.yaml); only reports the province accepted count in monitoring.",
    ),
    "freq_quarter": ("季度", "quarter"),
    "freq_month": ("月", "month"),
    "monitor_status": ("监测状态（%(period)s）", "Monitoring status (%(period)s)"),
    "report_draft": ("排名按草案评价方案试算", "rank by a draft scheme (trial)"),
    # 高耗低效 rectification cases (整治提升): the board, the candidates' review, one case
    "case_nav": ("整治提升", "Rectification"),
    "case_board": ("整治工作台账", "Case board"),
    "case_review": ("筛查候选核实", "Candidate review"),
    "enterprise": ("企业", "Enterprise"),
    "case_title": ("整治案件 %(id)s", "Case %(id)s"),
    "case_number": ("案件编号", "Case"),
    "case_list_year": ("整治名单年度", "List year"),
    "case_rule": ("触发规则", "Rule"),
    "case_rules": ("触发规则", "Rules hit"),
    "case_mujun_class": ("亩均类别", "亩均 class"),
    "case_mujun_score": ("亩均效益得分", "亩均 score"),
    "case_carbon_grade": ("碳效等级", "碳效 grade"),
    "case_expected_land": ("预计腾出用地（亩）", "Expected freed land (mu)"),
    "case_expected_energy": (
        "预计腾出用能（吨标准煤）",
        "Expected freed energy (tce)",
    ),
    "case_expected_tax": (
        "预计整治后亩均税收（万元/亩）",
        "Expected tax per mu after (10,000 yuan/mu)",
    ),
    "case_freed_land": ("腾出用地（亩）", "Freed land (mu)"),
    "case_freed_energy": ("腾出用能（吨标准煤）", "Freed energy (tce)"),
    "case_verified_land": ("已验收腾出用地（亩）", "Verified freed land (mu)"),
    "case_land_use": ("腾出土地用途", "Use of the freed land"),
    "case_review_hint": (
        "勾选企业后可批量确认列入整治名单（选定整治措施）或排除（选择理由，“其他”须写明具体情况）；"
        "每家企业的办理结果逐一列出。上级可重新打开已排除的企业，退回县级重新核实。",
        "Tick firms to confirm them onto the rectification list (with a measure) or dismiss"
        " them (with a reason; “other” needs the details); the result is listed for each firm."
        " The level above may reopen a dismissal for the county to review again.",
    ),
    "case_confirm_ticked": ("确认列入整治名单", "Confirm the ticked firms"),
    "case_dismiss_ticked": ("排除", "Dismiss the ticked firms"),
    "case_confirm": ("确认列入", "Confirm"),
    "case_dismiss": ("排除", "Dismiss"),
    "case_measure": ("整治措施", "Measure"),
    "case_note": ("说明", "Note"),
    "case_dismiss_reason": ("排除理由", "Reason for dismissal"),
    "case_dismiss_text": ("具体情况", "Details"),
    "case_tick_all": ("全选", "Tick all"),
    "case_result": ("办理结果", "Result"),
    "case_bulk_summary": (
        "已办理 %(done)s 家，未办理 %(refused)s 家",
        "%(done)s done, %(refused)s refused",
    ),
    "case_refused": ("未办理：", "Refused: "),
    "case_confirmed_as": ("已确认列入：", "Confirmed as"),
    "case_reopen_dismissal": ("重新打开", "Reopen"),
    "case_reopen_reason": ("重新打开理由", "Reason for reopening"),
    "case_dismissal_reopened": (
        "已重新打开 %(name)s，退回县级重新核实。",
        "%(name)s is open again for the county to review.",
    ),
    "case_add": ("增列企业", "Add a firm"),
    "case_add_hint": (
        "筛查未命中、但经核实应列入整治的企业，可由县级增列，须说明理由。",
        "A county may add a firm the screening did not flag, giving its reason.",
    ),
    "case_add_reason": ("增列理由", "Reason"),
    "case_add_button": ("增列", "Add"),
    "case_count": ("案件数", "Cases"),
    "case_overdue": ("逾期", "Overdue"),
    "case_overdue_only": ("只看逾期", "Overdue only"),
    "case_awaiting": ("待验收", "Awaiting verification"),
    "case_by_month": (
        "逐月完成与验收（件）",
        "Completions and verifications by month",
    ),
    "case_completed_n": ("完成整治", "Completed"),
    "case_verified_n": ("验收通过", "Verified"),
    "case_by_state": ("按状态", "By state"),
    "case_figures": ("腾出用地与用能", "Freed land and energy"),
    "case_land": ("用地（亩）", "Land (mu)"),
    "case_energy": ("用能（吨标准煤）", "Energy (tce)"),
    "case_expected": ("预计", "Expected"),
    "case_freed": ("已腾出（完成及验收）", "Freed (completed and verified)"),
    "case_verified_figures": ("其中已验收", "of which verified"),
    "case_by_county": ("各县（市、区）情况", "By county"),
    "case_list": ("案件清单", "Cases"),
    "case_outcomes": ("整治成效", "Outcomes"),
    "case_outcomes_hint": (
        "已验收案件的企业在列入名单当年与最近评价年度的亩均类别、碳效等级；"
        "验收后仍为D类或碳效5级的排在前面并标红。",
        "The 亩均 class and 碳效 grade of each verified case's firm in the year it was listed"
        " and in the latest evaluated year; firms still class D or grade 5 come first, in red.",
    ),
    "case_still_poor_only": ("只看仍为D类或碳效5级的企业", "Still class D or grade 5 only"),
    "case_all_outcomes": ("查看全部已验收案件", "All verified cases"),
    "case_before": ("整治前（列入当年）", "Before (year listed)"),
    "case_after": ("整治后（最近评价年度）", "After (latest evaluation)"),
    "case_warning": ("提示", "Warning"),
    "case_reason": ("列入理由", "Why listed"),
    "case_opened_on": ("列入日期", "Listed on"),
    "case_responsible": ("整治责任人", "Responsible"),
    "case_planned_on": ("方案制定日期", "Planned on"),
    "case_closed_on": ("完成日期", "Completed on"),
    "case_verified_on": ("验收日期", "Verified on"),
    "case_progress": ("整治进展", "Progress"),
    "case_plan_actions": ("整改措施", "Plan actions"),
    "case_plan_item": ("内容", "Action"),
    "case_no_plan": ("尚未制定整治方案", "No plan yet"),
    "case_outcome": ("整治前后对比", "Before and after"),
    "case_timeline": ("办理记录", "Timeline"),
    "case_event_date": ("日期", "Date"),
    "case_what_now": ("办理", "Actions"),
    "case_nothing_to_do": (
        "本案件当前没有您可办理的事项。",
        "There is nothing for you to do on this case now.",
    ),
    "case_actions_hint": (
        "每行一项，格式为“内容@截止日期”",
        "one a line, as “action@YYYY-MM-DD”",
    ),
    "case_actions_example": ("更新电机@2023-06-30", "Replace the motors@2023-06-30"),
    "case_save_plan": ("保存方案", "Save the plan"),
    "case_report_progress": ("报告进展", "Report progress"),
    "case_complete": ("完成整治", "Report completion"),
    "case_verify_pass": ("验收通过", "Pass"),
    "case_verify_fail": ("验收不通过", "Fail"),
    "case_verify_reason": ("不通过理由", "Reason for failing"),
    "case_verify": ("提交验收结果", "Record the verification"),
    "case_reopen": ("重新打开", "Reopen"),
    "case_done": ("已办理：%(action)s。", "Done: %(action)s."),
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
