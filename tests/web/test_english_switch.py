"""The language switch: after ``/lang/en`` the interface wording of the pages (headers, hints,
pagers, status words, result messages) is English, while data stays as published; without the
switch the same pages keep their Chinese wording."""

from __future__ import annotations

import html
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_helpers import USERS, World, blank_template, client_for, csrf_of, fill_template

from zhuansheng import store
from zhuansheng.assess.scheme import GRADES, LEVEL_ZH
from zhuansheng.collect import workflow
from zhuansheng.report import KIND_ZH
from zhuansheng.services import evaluations, labels, rankings
from zhuansheng.store import tables as t
from zhuansheng.users import ROLES_ZH
from zhuansheng.web import i18n

TEMPLATES = Path(i18n.__file__).parent / "templates"
CJK = re.compile(r"[\u4e00-\u9fff]")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def english_client(app, username: str | None) -> TestClient:  # type: ignore[no-untyped-def]
    c = client_for(app, username)
    r = c.get("/lang/en?next=/", follow_redirects=False)
    assert r.status_code == 303 and r.cookies.get(i18n.COOKIE) == "en"
    return c


@pytest.fixture(scope="module")
def en(app) -> TestClient:  # type: ignore[no-untyped-def]
    return english_client(app, USERS["province_admin"])


@pytest.fixture(scope="module")
def zh(app) -> TestClient:  # type: ignore[no-untyped-def]
    return client_for(app, USERS["province_admin"])


def page(c: TestClient, path: str) -> str:
    r = c.get(path)
    assert r.status_code == 200, (path, r.status_code)
    return html.unescape(r.text)


def assert_wording(text: str, present: list[str], absent: list[str], where: str) -> None:
    for s in present:
        assert s in text, f"{where}: missing {s!r}"
    for s in absent:
        assert s not in text, f"{where}: unexpected {s!r}"


# path → (English wording, the Chinese wording it replaces)
PAGES: dict[str, tuple[list[str], list[str]]] = {
    "/admin/audit": (
        [
            'placeholder="Action, e.g. export"',
            "<th>Time</th><th>User</th><th>Action</th><th>Object</th><th>ID</th><th>Details</th>",
            " entries · page 1 of ",
        ],
        [
            'placeholder="操作，如 export"',
            "<th>时间</th><th>用户</th><th>操作</th><th>对象</th><th>编号</th><th>详情</th>",
            " 条 · 第 1/",
        ],
    ),
    "/lists/registries?page=2": (
        [
            '<a href="/lists/projects">Project registers</a>',
            '<a href="/lists/screening">High-consumption, low-efficiency list</a>',
            'placeholder="Name or code"',
            'placeholder="Region code"',
            '<option value="">All categories</option>',
            " entries · page 2 of ",
            "‹ Previous</a>",
            ">Next ›</a>",
        ],
        [
            '<a href="/lists/projects">项目库</a>',
            '<a href="/lists/screening">高耗低效名单</a>',
            'placeholder="名称或代码"',
            'placeholder="地区代码"',
            '<option value="">全部类别</option>',
            " 条 · 第 2/",
            "‹ 上一页</a>",
            ">下一页 ›</a>",
        ],
    ),
    "/enterprises?q=330": ([" results</p>"], [" 条结果</p>"]),
    "/": (
        ["<span>Behind (yellow)</span>", "<span>Behind (red)</span>", "<span>Not assessed</span>"],
        ["<span>滞后（黄）</span>", "<span>滞后（红）</span>", "<span>未评</span>"],
    ),
    "/map": (['data-label="Share of targets on track (%)"'], ['data-label="绿色目标占比（%）"']),
    "/map?target=chain_leader_new": (
        ['data-label="Completion or progress (%)"'],
        ['data-label="完成率或进度（%）"'],
    ),
    "/targets/chain_leader_new": (
        [
            "<dt>Target as published</dt>",
            "<dt>Clause as published</dt>",
            "<dt>Province-wide</dt>",
            "; supported by ",
        ],
        ["<dt>目标原文</dt>", "<dt>条款原文</dt>", "<dt>全省</dt>", "；配合："],
    ),
    "/rankings?period=2022Q2&level=city&draws=50": (
        [
            " (version ",
            "Weights: expert weights",
            "Aggregation: weighted sum",
            " regions assessed.",
            "Rank intervals: 50 Monte Carlo draws (perturbed weights",
            "The ranks are most sensitive to ",
            "<th>Bonus</th><th>Deduction</th>",
            'title="Compared with the previous period"',
            'title="Median ',
            "<th>Weight</th><th>Normalisation</th><th>Direction</th><th>Target</th>",
            "<td>completion rate</td><td>higher is better</td>",
        ],
        [
            "（版本 ",
            "权重 专家赋权",
            "聚合 加权求和",
            " 个评价对象。",
            "名次区间：蒙特卡洛 50 次（权重扰动",
            "对名次影响最大的是「",
            "<th>加分</th><th>扣分</th>",
            'title="与上期相比"',
            'title="中位数 ',
            "<th>权重</th><th>标准化</th><th>方向</th><th>对应目标</th>",
            "<td>完成率</td><td>越高越好</td>",
        ],
    ),
    "/rankings?period=2022Q2&level=city&draws=0": (
        ["No sensitivity analysis was run (0 Monte Carlo draws)"],
        ["未做敏感性分析（蒙特卡洛次数为 0）"],
    ),
    "/rankings/contributions?period=2022Q2&level=city&draws=0&region=330100": (
        [
            "<th>Weight</th><th>Normalisation</th><th>Contribution</th>",
            "Bonus (after cap) +",
            ", deduction (after cap) −",
        ],
        [
            "<th>权重</th><th>标准化</th><th>得分贡献</th>",
            "加分（封顶后）+",
            "，扣分（封顶后）−",
        ],
    ),
    "/reports": (
        [
            "Generating… a PDF takes a few seconds.",
            "Write the period as 2022-06 for the monthly monitoring analysis",
            "<th>Generated</th>",
        ],
        ["正在生成，PDF 约需数秒……", "月度监测分析期间写作 2022-06", "<th>生成时间</th>"],
    ),
    "/units?year=2022": (
        ["<th>Unit</th><th>Leads</th><th>Supports</th><th>Behind</th><th>accepted</th>"],
        ["<th>责任单位</th><th>牵头目标</th><th>配合目标</th><th>滞后目标</th><th>已确认</th>"],
    ),
    "/submissions?period=2022-12": (
        [
            "<th>Due</th><th>Received</th><th>On time</th><th>Reporting rate</th>"
            "<th>Timeliness</th>",
            "<td>Submitted</td>",
        ],
        [
            "<th>应报</th><th>已报</th><th>按时</th><th>报送率</th><th>及时率</th>",
            "<td>已上报</td>",
        ],
    ),
}


@pytest.mark.parametrize("path", list(PAGES))
def test_pages_speak_english_after_the_switch(en: TestClient, path: str) -> None:
    english, chinese = PAGES[path]
    assert_wording(page(en, path), english, chinese, path)


@pytest.mark.parametrize("path", list(PAGES))
def test_pages_keep_their_chinese_wording_by_default(zh: TestClient, path: str) -> None:
    english, chinese = PAGES[path]
    assert_wording(page(zh, path), chinese, english, path)


def test_ranking_grades_are_named_in_english_and_keep_their_colours(
    en: TestClient, zh: TestClient
) -> None:
    path = "/rankings?period=2022Q2&level=city&draws=0"
    grade = re.compile(r'class="grade grade-([a-dx])">([^<]*)<')
    en_grades, zh_grades = grade.findall(page(en, path)), grade.findall(page(zh, path))
    assert en_grades and len(en_grades) == len(zh_grades)
    css = dict(zip(GRADES, "abcd", strict=True))
    names = {"Excellent": "优秀", "Good": "良好", "Pass": "合格", "Fail": "不合格"}
    for (cls_en, name_en), (cls_zh, name_zh) in zip(en_grades, zh_grades, strict=True):
        assert cls_en == cls_zh == css[name_zh] and names[name_en] == name_zh
    heading = page(en, "/rankings/contributions?period=2022Q2&level=city&draws=0&region=330100")
    assert re.search(
        r"<h3>\S+ · Rank \d+ · [\d.]+ points \((Excellent|Good|Pass|Fail)\)</h3>", heading
    )
    assert " 名 · " not in heading and " 分（" not in heading


def test_the_submission_pages_name_statuses_in_english(en: TestClient, web_world: World) -> None:
    # a month nobody reported: every county is "not submitted"
    text = page(en, "/submissions?period=2020-01")
    assert "<td>Not submitted</td>" in text and "未填报" not in text
    text = page(en, f"/submissions/{web_world.editable_county}/{web_world.period}")
    assert re.search(r" · (Not submitted|Draft|Submitted|Returned|Approved|Accepted)</h1>", text)
    assert "<h2>Imported files</h2>" in text and "导入文件" not in text
    assert "未填报" not in text and "草稿" not in text


def test_the_enterprise_page_speaks_english(
    en: TestClient, zh: TestClient, web_world: World
) -> None:
    with store.session(web_world.url) as s:
        usccs = s.scalars(select(t.Enterprise.uscc).order_by(t.Enterprise.uscc).limit(200))
        uscc = next(u for u in usccs if evaluations.enterprise_result(s, "mujun", u) is not None)
    english = [
        "<dt>Unified social credit code</dt>",
        "<dt>Industry</dt>",
        " designated size</dd>",
        "<dt>Per-mu efficiency</dt><dd>Score ",
        " · class <b>",
        "<h2>How the per-mu efficiency score is made up</h2>",
        "<th>Indicator</th><th>Value</th><th>Benchmark</th><th>Ratio</th><th>Score</th>",
        "<td>Bonus / deduction</td>",
        "<th>Year</th><th>Land (mu)</th><th>Tax (10,000 yuan)</th>",
        "<th>Employees</th>",
    ]
    chinese = [
        "<dt>统一社会信用代码</dt>",
        "<dt>行业</dt>",
        "<dt>亩均效益</dt><dd>得分 ",
        " · 类别 <b>",
        "<h2>亩均效益得分说明</h2>",
        "<th>指标</th><th>值</th><th>基准值</th><th>比值</th><th>得分</th>",
        "<td>加分 / 减分</td>",
        "<th>年度</th><th>用地（亩）</th><th>税收（万元）</th>",
        "<th>从业人员</th>",
    ]
    path = f"/enterprises/{uscc}"
    assert_wording(page(en, path), english, chinese, path)
    assert_wording(page(zh, path), chinese, english, path)


def test_the_login_page_gives_the_demo_hint_in_english(app) -> None:  # type: ignore[no-untyped-def]
    text = page(english_client(app, None), "/login")
    assert "Demo accounts: admin (province administrator)" in text and "演示账号" not in text
    assert "演示账号：admin（省级管理员）" in page(client_for(app, None), "/login")


def test_a_rejected_upload_is_explained_in_english(app, web_world: World, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = english_client(app, USERS["county"])
    path = fill_template(
        blank_template(web_world, "330102", tmp_path), tmp_path / "bad.xlsx", bad_cell=True
    )
    token = csrf_of(c.get(f"/submissions?period={web_world.period}").text)
    r = c.post(
        "/submissions/upload",
        data={"region": "330102", "period": web_world.period, "comment": "", "csrf_token": token},
        files={"file": ("bad.xlsx", path.read_bytes(), XLSX)},
    )
    assert r.status_code == 200
    text = html.unescape(r.text)
    assert re.search(r"Nothing was written: \d+ problem\(s\)", text)
    assert "<th>Severity</th><th>Location</th><th>Problem</th><th>What to do</th>" in text
    assert "<td>Error</td>" in text
    assert (
        "未写入任何数据" not in text and "<th>级别</th>" not in text and "<td>错误</td>" not in text
    )


def render(app, name: str, **context: object) -> str:  # type: ignore[no-untyped-def]
    return app.state.web.templates.get_template(name).render(**context)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh", ["已接收：写入 3 个数值，2 个未变化。", "核实警告无误后，请在“说明”中写明理由"]),
        ("en", ["Accepted: 3 values written, 2 unchanged.", "give your reasons under “Comment”"]),
    ],
)
def test_the_upload_messages_follow_the_language(app, lang: str, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    text = render(
        app,
        "upload_result.html",
        lang=lang,
        file_name="a.xlsx",
        result=SimpleNamespace(written=3, unchanged=2),
        problems=[],
        region="330102",
        period="2022-12",
        needs_comment=False,
    )
    assert expected[0] in html.unescape(text)
    same = render(
        app, "upload_result.html", lang=lang, result=SimpleNamespace(written=0, unchanged=5)
    )
    assert ("与已保存的数据相同" in same) == (lang == "zh")
    warned = render(
        app,
        "upload_result.html",
        lang=lang,
        result=None,
        problems=[SimpleNamespace(level="warning", where="G7", message="m", hint="h")],
        needs_comment=True,
    )
    assert expected[1] in html.unescape(warned)
    assert ("<td>警告</td>" in warned) == (lang == "zh") and ("<td>Warning</td>" in warned) == (
        lang == "en"
    )


def test_the_generated_files_message_follows_the_language(app) -> None:  # type: ignore[no-untyped-def]
    files = [SimpleNamespace(path=Path("a.docx")), SimpleNamespace(path=Path("a.pdf"))]
    for lang, expected in (("zh", "已生成 2 个文件："), ("en", "2 file(s) generated:")):
        text = render(
            app, "_report_result.html", lang=lang, written=files, error="", url_of=lambda f: "#"
        )
        assert expected in text


def test_formatted_wording_has_the_same_placeholders_in_both_languages() -> None:
    placeholder = re.compile(r"%\((\w+)\)s")
    for key, (chinese, english) in i18n.TEXT.items():
        names = set(placeholder.findall(chinese))
        assert names == set(placeholder.findall(english)), key
        if names:
            values = dict.fromkeys(names, "X")
            for text in (chinese, english):
                filled = text % values  # a literal % is written %% in these entries
                assert "%(" not in filled and "X" in filled, key


def test_value_labels_match_the_chinese_used_elsewhere() -> None:
    chinese = {k: v[0] for k, v in labels.VALUES["submission_status"].items()}
    assert chinese == workflow.STATUS_ZH
    assert {k: v[0] for k, v in labels.VALUES["normalisation"].items()} == rankings.NORMALISATION_ZH
    assert tuple(labels.VALUES["ranking_grade"]) == GRADES
    assert all(code == zh for code, (zh, _) in labels.VALUES["ranking_grade"].items())
    assert {k: v[0] for k, v in labels.VALUES["role"].items()} == ROLES_ZH
    assert {k: v[0] for k, v in labels.VALUES["level"].items()} == LEVEL_ZH
    assert {k: v[0] for k, v in labels.VALUES["report_kind"].items()} == KIND_ZH


def test_roles_levels_and_report_kinds_follow_the_language(en: TestClient, zh: TestClient) -> None:
    english, chinese = page(en, "/rankings"), page(zh, "/rankings")
    assert "admin · province administrator" in english and "admin · 省级管理员" in chinese
    assert '<option value="county">counties</option>' in english
    assert '<option value="county">县（市、区）</option>' in chinese
    english, chinese = page(en, "/reports"), page(zh, "/reports")
    assert '<option value="quarterly">quarterly briefing</option>' in english
    assert '<option value="quarterly">季度简报</option>' in chinese
    assert "季度简报</option>" not in english


# Chinese a template may still hold: the brand, the language switch, the bilingual footer and the
# grade → CSS class lookup (its keys are the scheme's grade names, i.e. data).
ALLOWED = (
    "转升 Zhuansheng",
    "'中文'",
    "本页数据为合成演示数据，非官方统计",
    "{'优秀': 'a', '良好': 'b', '合格': 'c', '不合格': 'd'}",
)


def test_templates_hold_no_chinese_interface_wording() -> None:
    left = []
    for path in sorted(TEMPLATES.glob("*.html")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = re.sub(r"\{#.*?#\}", "", line)
            for allowed in ALLOWED:
                line = line.replace(allowed, "")
            if CJK.search(line):
                left.append(f"{path.name}:{n}: {line.strip()}")
    assert not left, "\n".join(left)
