"""Validation reports each problem with its YAML path and line (the bad YAML is written here)."""

from __future__ import annotations

import pytest

from zhuansheng.errors import InputRejected
from zhuansheng.programme import TARGET_KINDS, load, validate_file


def messages(path) -> list[str]:
    return [str(p) for p in validate_file(path)]


def test_minimal_programme_is_valid(write, minimal):
    assert validate_file(write(minimal)) == []
    programme = load(path=write(minimal))
    assert [t.id for t in programme.targets()] == [
        "robots_new",
        "tax_per_mu_growth",
        "smart_factory_new",
        "organisation_leadership",
    ]


def test_missing_field_points_at_the_target(write, minimal, edit):
    # line 25 "name_zh: 新增应用工业机器人" removed; the target starts on line 23
    text = edit(minimal, "        name_zh: 新增应用工业机器人\n", "")
    assert messages(write(text)) == [
        "tasks[0].targets[0].name_zh (第 23 行): 缺少必填字段 'name_zh'"
    ]


def test_unknown_kind(write, minimal, edit):
    text = edit(
        minimal,
        "        kind: count_new\n        value: 150\n",
        "        kind: count_news\n        value: 150\n",
    )
    [problem] = validate_file(write(text))
    assert problem.row == 43
    assert problem.column == "tasks[0].targets[2].kind"
    assert str(problem).startswith(
        "tasks[0].targets[2].kind (第 43 行): "
        "未知的目标类型 'count_news'，应为 count_new, count_cumulative, "
    )
    assert ", ".join(TARGET_KINDS) in problem.message
    assert problem.hint == "是否为 'count_new'？"


def test_negative_value(write, minimal, edit):
    text = edit(minimal, "value: 15000", "value: -5")
    assert messages(write(text)) == ["tasks[0].targets[0].value (第 28 行): 不能为负数：-5"]


def test_non_numeric_value(write, minimal, edit):
    text = edit(minimal, "value: 15000", "value: 1.5万")
    [problem] = validate_file(write(text))
    assert problem.where == "tasks[0].targets[0].value (第 28 行)"
    assert problem.message == "应为数字，实际为 '1.5万'"
    assert "15000" in problem.hint


def test_duplicate_target_id(write, minimal, edit):
    text = edit(minimal, "id: smart_factory_new", "id: robots_new")
    [problem] = validate_file(write(text))
    assert str(problem).startswith(
        "tasks[0].targets[2].id (第 39 行): "
        "目标编号 'robots_new' 重复：tasks[0].targets[0].id（第 23 行）已使用"
    )


def test_unknown_responsible_unit(write, minimal, edit):
    text = edit(minimal, "co_units: [省科技厅]", "co_units: [省科技委]")
    [problem] = validate_file(write(text))
    assert problem.where == "tasks[0].co_units[0] (第 21 行)"
    assert problem.message == "未知的责任单位 '省科技委'，不在单位名单 units.yaml 中"
    assert problem.hint == "是否为 '省科技厅'？"


def test_unit_alias_is_accepted_and_resolved(write, minimal, edit):
    text = edit(minimal, "co_units: [省科技厅]", "co_units: [省科技厅, 省人社保厅]")
    programme = load(path=write(text))
    assert programme.tasks[0].co_units == ["省科技厅", "省人社厅"]


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("二.（一）.1", "括号应为半角"),
        ("二、(一).1", "不用顿号"),
        ("二.(1).1", "括号内应为汉字序号"),
        ("2.(一).1", "第一级应为汉字序号"),
        ("二(一).1", "缺少半角句点"),
        ("二.(一).十", "任务号应为阿拉伯数字"),
    ],
)
def test_bad_clause_format(write, bad, why, minimal, edit):
    text = edit(minimal, "  - clause: 二.(一).1\n", f"  - clause: {bad}\n")
    [problem] = validate_file(write(text))
    assert problem.where == "tasks[0].clause (第 15 行)"
    assert problem.message.startswith(f"条款编号 '{bad}' 格式不正确：")
    assert why in problem.message


def test_bad_clause_in_a_target_clause_list(write, minimal, edit):
    text = edit(minimal, "clause: [一.(二), 二.(一).1]", "clause: [一.(二), 二.(一)-1]")
    [problem] = validate_file(write(text))
    assert problem.where == "tasks[0].targets[1].clause[1] (第 32 行)"
    assert "条款编号 '二.(一)-1' 格式不正确" in problem.message


def test_clause_reference_to_a_missing_item(write, minimal, edit):
    text = edit(minimal, "clause: [一.(二), 二.(一).1]", "clause: [一.(三), 二.(一).1]")
    assert messages(write(text)) == [
        "tasks[0].targets[1].clause[0] (第 32 行): 条款 '一.(三)' 在本文件中不存在"
    ]


def test_target_clause_must_include_its_item(write, minimal, edit):
    text = edit(minimal, "clause: [一.(二), 二.(一).1]", "clause: [一.(二)]")
    assert messages(write(text)) == [
        "tasks[0].targets[1].clause (第 32 行): 目标的 clause 应包含所在条目的条款 '二.(一).1'"
    ]


def test_value_required_except_milestone_and_relative(write, minimal, edit):
    text = edit(minimal, "        value: 15000\n", "")
    assert messages(write(text)) == [
        "tasks[0].targets[0] (第 23 行): 目标类型 count_new 必须给出目标值 value"
    ]
    text = edit(minimal, "        kind: milestone\n", "        kind: milestone\n        value: 3\n")
    assert messages(write(text)) == [
        "safeguards[0].targets[0].value (第 58 行): 目标类型 milestone 没有目标值，value 应为空"
    ]


def test_relative_needs_compare_to(write, minimal, edit):
    relative = "        kind: milestone\n        indicator: mfg_mid_long_loan\n"
    text = edit(minimal, "        kind: milestone\n", relative.replace("milestone", "relative"))
    assert messages(write(text)) == [
        "safeguards[0].targets[0] (第 54 行): "
        "目标类型 relative 必须给出比较对象 compare_to（须高于的指标）"
    ]
    text = edit(
        text,
        "        indicator: mfg_mid_long_loan\n",
        "        indicator: mfg_mid_long_loan\n        compare_to: total_loan\n",
    )
    assert validate_file(write(text)) == []


def test_unknown_indicator(write, minimal, edit):
    text = edit(minimal, "indicator: robots", "indicator: robot")
    [problem] = validate_file(write(text))
    assert problem.where == "tasks[0].targets[0].indicator (第 26 行)"
    assert problem.message == "未知的指标 'robot'，不在指标目录 indicators.yaml 中"
    assert problem.hint == "是否为 'robots'？"


def test_unit_must_match_the_indicator(write, minimal, edit):
    text = edit(minimal, "unit: 台", "unit: 万台")
    assert messages(write(text)) == [
        "tasks[0].targets[0].unit (第 29 行): 单位 '万台' 与指标 robots 的单位 '台' 不一致"
    ]


def test_about_needs_a_tolerance(write, minimal, edit):
    text = edit(
        minimal,
        "  count_new: {value: 5, basis: relative_pct}\n",
        "  amount: {value: 5, basis: relative_pct}\n",
    )
    [problem] = validate_file(write(text))
    assert problem.where == "tasks[0].targets[2] (第 39 行)"
    assert "tolerance_defaults 中也没有 count_new 的默认值" in problem.message


def test_default_tolerance_comes_from_the_file(write, minimal):
    programme = load(path=write(minimal))
    smart = programme.target("smart_factory_new")
    assert smart.tolerance is not None
    assert (smart.tolerance.value, smart.tolerance.basis) == (5, "relative_pct")
    assert programme.target("robots_new").tolerance is None


def test_unknown_key_is_an_error_with_a_suggestion(write, minimal, edit):
    text = edit(
        minimal,
        "        seed_text: 新增应用工业机器人 1.5 万台\n",
        "        seed_txt: 新增应用工业机器人 1.5 万台\n",
    )
    problems = validate_file(write(text))
    assert [str(p) for p in problems] == [
        "tasks[0].targets[0].seed_text (第 23 行): 缺少必填字段 'seed_text'",
        "tasks[0].targets[0].seed_txt (第 30 行): 未知字段 'seed_txt'（是否为 'seed_text'？）",
    ]


def test_yaml_syntax_error_has_its_line(write, minimal, edit):
    text = edit(minimal, "unit: 台", "unit: [台")
    [problem] = validate_file(write(text))
    assert problem.message.startswith("YAML 语法错误")
    assert problem.row is not None and 29 <= problem.row <= 31


def test_duplicate_yaml_key_is_an_error(write, minimal, edit):
    text = edit(minimal, "        unit: 台\n", "        unit: 台\n        unit: 个\n")
    [problem] = validate_file(write(text))
    assert problem.message.startswith("YAML 语法错误")
    assert problem.row == 30


def test_bad_date_and_year(write, minimal, edit):
    text = edit(minimal, "issued: 2023-04-01", "issued: 2023年4月1日")
    assert messages(write(text)) == [
        "issued (第 4 行): 应为日期（YYYY-MM-DD），实际为 '2023年4月1日'"
    ]
    assert messages(write(minimal, "2024.yaml")) == [
        "year (第 1 行): 年份 2023 与文件名 2024.yaml 不符"
    ]


def test_several_problems_are_all_reported_in_line_order(write, minimal, edit):
    text = edit(minimal, "value: 15000", "value: -1")
    text = edit(text, "co_units: [省科技厅]", "co_units: [省科技委]")
    text = edit(text, "kind: growth_pct", "kind: growth")
    rows = [p.row for p in validate_file(write(text))]
    assert rows == [21, 28, 35]


def test_load_raises_input_rejected_with_every_problem(write, minimal, edit):
    text = edit(minimal, "value: 15000", "value: -1")
    text = edit(text, "co_units: [省科技厅]", "co_units: [省科技委]")
    path = write(text)
    with pytest.raises(InputRejected) as caught:
        load(path=path)
    assert caught.value.source == str(path)
    assert len(caught.value.problems) == 2
    assert "第 28 行" in str(caught.value)


def test_missing_file(tmp_path):
    [problem] = validate_file(tmp_path / "nope.yaml")
    assert "文件不存在" in problem.message
