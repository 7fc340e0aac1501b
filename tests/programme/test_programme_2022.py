"""The shipped 2022 programme against the seed document, read independently of the program."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from zhuansheng.programme import (
    available_years,
    export_rows,
    indicators,
    load,
    units,
    validate_file,
)
from zhuansheng.programme.loader import DATA

# Every quantitative target of 浙转升办〔2022〕5号, read off the document by hand:
# (clauses, value, unit, kind, qualifier, indicator). 以上 = at_least, 左右 = about.
EXPECTED = [
    # 一.(二) 主要目标
    ("一.(二)", 10, "%", "growth_pct", None, "trad_rd_expense"),  # 研发费用支出增长 10%
    ("一.(二)", 60, "%", "share_about", "about", "trad_share"),  # 比重保持在 60%左右
    ("一.(二);二.(五).14", 8, "%", "growth_pct", None, "tax_per_mu"),  # 亩均税收增长 8%（两处）
    # 二.(一) 数字化
    ("二.(一).1", 15000, "台", "count_new", None, "robots"),  # 工业机器人 1.5 万台
    ("二.(一).1", 5000, "项", "count_new", "at_least", "digital_renovation_projects"),
    ("二.(一).1", 1800, "亿元", "amount", "at_least", "digital_renovation_investment"),
    ("二.(一).2", 30, "个", "count_new", "at_least", "industrial_internet_platform"),
    ("二.(一).2", 100, "家", "count_new", None, "cloud_enterprise"),
    ("二.(一).3", 10, "个", "count_new", None, "industry_brain"),
    ("二.(一).3", 15, "家", "count_new", "at_least", "future_factory"),
    ("二.(一).3", 150, "家", "count_new", "about", "smart_factory"),
    # 二.(二) 服务化
    ("二.(二).5", 60, "个", "count_new", None, "service_manufacturing_demo"),
    ("二.(二).6", 50, "家", "count_new", None, "industrial_design_center"),
    # 二.(三) 集群化
    ("二.(三).7", 20, "个", "count_new", "about", "rising_star_cluster"),
    ("二.(三).7", 6, "个", "count_new", None, "future_industry_zone"),
    ("二.(三).8", 10, "个", "count_new", "at_least", "star_park"),
    ("二.(三).8", 20, "个", "count_new", "at_least", "star_micro_park"),
    ("二.(三).8", 8, "个", "count_new", None, "national_demo_base"),
    ("二.(三).8", 10, "个", "count_new", None, "national_demo_platform"),
    # 二.(四) 品质化
    ("二.(四).10", 3000, "项", "count_cumulative", "at_least", "zj_standard"),
    ("二.(四).10", 3000, "家", "count_cumulative", "at_least", "pinzibiao_enterprise"),
    ("二.(四).11", 3.1, "%", "level", None, "rd_intensity"),
    ("二.(四).11", 200, "项", "count_new", None, "zj_premium_product"),
    ("二.(四).11", 20, "家", "count_new", None, "management_benchmark"),
    ("二.(四).12", 300, "家", "count_new", None, "pinzibiao_enterprise"),
    ("二.(四).12", 200, "家", "count_new", "at_least", "quality_award"),
    # 二.(五) 绿色化
    ("二.(五).13", 3.4, "%", "decline_pct", None, "energy_intensity"),
    ("二.(五).13", 1000, "个", "count_cumulative", "at_least", "waste_gas_projects"),
    ("二.(五).14", 5000, "家", "count_new", "about", "low_efficiency_rectified"),
    ("二.(五).14", 50000, "亩", "amount", None, "freed_land_mu"),  # 5 万亩
    ("二.(五).14", 1200000, "吨标煤", "amount", None, "freed_energy_tce"),  # 120 万吨标煤
    ("二.(五).14", 6, "%", "growth_pct", None, "va_per_mu"),
    ("二.(五).15", 2000, "项", "count_new", None, "energy_saving_projects"),
    ("二.(五).15", 10, "个", "count_new", None, "green_park"),
    ("二.(五).15", 100, "家", "count_new", None, "green_factory"),
    ("二.(五).15", 685, "家", "count_new", None, "clean_production"),
    ("二.(五).15", 180, "家", "count_new", None, "water_saving"),
    # 二.(六) 产业链
    ("二.(六).17", 60, "项", "count_new", "at_least", "chain_projects"),
    ("二.(六).17", 100, "项", "count_new", None, "first_set_rd_projects"),
    ("二.(六).17", 200, "项", "count_new", None, "first_set_product"),
    ("二.(六).17", 100, "项", "count_new", None, "first_set_application"),
    ("二.(六).18", 20, "家", "count_new", None, "chain_leader"),
    ("二.(六).18", 20, "家", "count_new", None, "chain_community"),
    ("二.(六).18", 100, "家", "count_new", None, "chain_partner"),
    ("二.(六).19", 60, "家", "count_new", None, "hidden_champion"),
    ("二.(六).19", 2000, "家", "count_new", None, "specialised_sme"),
    ("二.(六).19", 20, "家", "count_new", None, "single_champion"),
    ("二.(六).19", 100, "家", "count_new", "about", "eagle"),
    # 三、保障措施
    (
        "三.(二)",
        None,
        None,
        "relative",
        None,
        "mfg_mid_long_loan",
    ),  # 中长期贷款增速高于各项贷款增速
    ("三.(三)", 40000, "人次", "count_new", "at_least", "training_person_times"),  # 4万人次以上
]

# Items of the document that state no number at all.
WITHOUT_NUMBERS = {
    "二.(二).4",
    "二.(三).9",
    "二.(六).16",
    "三.(一)",
    "三.(四)",
    "三.(五)",
    "三.(六)",
    "三.(七)",
}


def _key(row):
    return (
        ";".join(row["clause"]),
        row["value"],
        row["unit"],
        row["kind"],
        row["qualifier"],
        row["indicator"],
    )


def _sort(rows):
    return sorted(rows, key=lambda r: tuple("" if v is None else str(v) for v in r))


@pytest.fixture(scope="module")
def rows():
    return export_rows(load(2022))


def test_shipped_file_is_valid():
    assert validate_file(Path(str(DATA / "2022.yaml"))) == []
    assert 2022 in available_years()


def test_every_quantitative_target_matches_the_seed(rows):
    quantitative = [_key(r) for r in rows if r["kind"] != "milestone"]
    assert len(quantitative) == len(EXPECTED) == 50
    assert _sort(quantitative) == _sort(EXPECTED)


def test_targets_by_kind(rows):
    assert Counter(r["kind"] for r in rows) == {
        "count_new": 37,
        "milestone": 14,
        "count_cumulative": 3,
        "amount": 3,
        "growth_pct": 3,
        "level": 1,
        "decline_pct": 1,
        "share_about": 1,
        "relative": 1,
    }


def test_tax_per_mu_growth_is_one_target_with_both_clauses(rows):
    tax = [r for r in rows if r["indicator"] == "tax_per_mu"]
    assert len(tax) == 1
    assert tax[0]["clause"] == ["一.(二)", "二.(五).14"]
    assert (tax[0]["value"], tax[0]["kind"]) == (8, "growth_pct")


def test_pinzibiao_indicator_serves_cumulative_and_new(rows):
    kinds = sorted(
        (r["kind"], r["value"]) for r in rows if r["indicator"] == "pinzibiao_enterprise"
    )
    assert kinds == [("count_cumulative", 3000), ("count_new", 300)]


def test_structure():
    p = load(2022)
    assert (p.year, p.document, str(p.issued)) == (2022, "浙转升办〔2022〕5号", "2022-04-29")
    assert [g.clause for g in p.goals] == ["一.(一)", "一.(二)"]
    assert [(a.id, a.clause) for a in p.areas] == [
        ("digital", "二.(一)"),
        ("service", "二.(二)"),
        ("cluster", "二.(三)"),
        ("quality", "二.(四)"),
        ("green", "二.(五)"),
        ("chain", "二.(六)"),
    ]
    assert [t.number for t in p.tasks] == list(range(1, 20))
    assert [s.clause for s in p.safeguards] == [f"三.({n})" for n in "一二三四五六七"]
    for section, item in p.items():
        if section != "goal":
            assert item.targets, item.clause
            assert item.lead_units, item.clause
        only_milestones = all(t.kind == "milestone" for t in item.targets)
        assert only_milestones == (item.clause in WITHOUT_NUMBERS or item.clause == "一.(一)")


def test_responsible_units_first_named_leads():
    p = load(2022)
    t13 = p.task(13)
    assert t13.lead_units == ["省经信厅"]
    # 省发展改革委〔省能源局〕 is resolved to the catalogue's name
    assert t13.co_units[0] == "省发展改革委"
    assert p.task(15).lead_units == ["省生态环境厅"]
    assert p.task(19).lead_units == ["省工业转型升级领导小组成员单位"]
    loan = p.target("mfg_loan_growth_above_total")
    assert (loan.lead_units, loan.co_units) == (
        ["人行杭州中心支行"],
        ["浙江银保监局", "省地方金融监管局"],
    )
    assert loan.compare_to == "total_loan" and loan.value is None
    talent = p.target("talent_programmes")
    assert talent.co_units == ["省人社厅", "省经信厅", "省科技厅"]  # seed: 省人社保厅
    robots = p.target("robots_new")
    assert (robots.task, robots.area, robots.item_clause) == (1, "digital", "二.(一).1")
    assert (robots.lead_units, robots.co_units) == (["省经信厅"], ["省科技厅"])


def test_about_targets_carry_the_default_tolerance():
    p = load(2022)
    for row in p.targets():
        if row.qualifier == "about":
            expected = ("points", 2) if row.kind == "share_about" else ("relative_pct", 5)
            assert (row.tolerance.basis, row.tolerance.value) == expected, row.id
        else:
            assert row.tolerance is None


def test_indicator_catalogue_has_the_agreed_ids():
    cat = indicators()
    expected = {
        "statistic": [
            "robots",
            "trad_rd_expense",
            "tax_per_mu",
            "va_per_mu",
            "trad_share",
            "rd_intensity",
            "energy_intensity",
            "mfg_mid_long_loan",
            "total_loan",
            "training_person_times",
        ],
        "project": [
            "digital_renovation_projects",
            "digital_renovation_investment",
            "waste_gas_projects",
            "energy_saving_projects",
            "chain_projects",
            "first_set_rd_projects",
        ],
        "cases": ["low_efficiency_rectified", "freed_land_mu", "freed_energy_tce"],
    }
    for source, ids in expected.items():
        for i in ids:
            assert cat[i].source == source, i
    assert cat["tax_per_mu"].aggregation == "ratio"
    assert (cat["tax_per_mu"].numerator.unit, cat["tax_per_mu"].denominator.unit) == ("万元", "亩")
    assert (cat["trad_share"].aggregation, cat["trad_share"].scale) == ("share", 100)
    assert cat["energy_intensity"].higher_is_better is False
    assert cat["total_loan"].reported_by == "province"
    assert cat["digital_renovation_investment"].measure == "investment"
    assert cat["future_factory"].registry == "future_factory"
    registries = [i for i in cat.values() if i.source == "registry"]
    assert len(registries) == 31


def test_units_cover_attachment_2():
    attachment2 = [
        "省委人才办",
        "省发展改革委",
        "省教育厅",
        "省科技厅",
        "省财政厅",
        "省人社厅",
        "省自然资源厅",
        "省生态环境厅",
        "省商务厅",
        "省应急管理厅",
        "省税务局",
        "省市场监管局",
        "省地方金融监管局",
        "省统计局",
        "人行杭州中心支行",
        "浙江银保监局",
        "浙江证监局",
        "省通信管理局",
    ]
    listed = {u.name_zh: u for u in units()}
    assert all(listed[name].in_attachment2 for name in attachment2)
    assert listed["省工业转型升级领导小组成员单位"].kind == "collective"
    assert "省人社保厅" in listed["省人社厅"].aliases


# -- against the source document itself, shipped beside the programme file ----------------------

SEED = Path(__file__).resolve().parents[2] / "src/zhuansheng/programme/data/source/2022.zh.md"
needs_seed = pytest.mark.skipif(not SEED.is_file(), reason="source document not available")


def _squash(text: str) -> str:
    # page breaks and markdown emphasis split words in the seed; compare without them
    return re.sub(r"[\s*#]", "", text)


@needs_seed
def test_seed_text_is_the_exact_phrase():
    seed = SEED.read_text(encoding="utf-8")
    for row in load(2022).targets():
        assert row.seed_text in seed, row.id


@needs_seed
def test_item_texts_are_the_seeds_sentences():
    seed = _squash(SEED.read_text(encoding="utf-8"))
    for _, item in load(2022).items():
        assert _squash(item.title_zh) in seed
        for sentence in re.split(r"(?<=。)", item.text_zh):
            if sentence:
                assert _squash(sentence) in seed, (item.clause, sentence[:30])
