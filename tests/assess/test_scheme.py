"""Scheme files: the shipped ones load; a bad file is refused with lines and a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhuansheng import assess
from zhuansheng.errors import InputRejected, ZhuanshengError
from zhuansheng.periods import parse_period

SHIPPED = assess.scheme.shipped_path("quarterly-2022.yaml")


def test_the_shipped_schemes_load_with_every_level() -> None:
    q = assess.load_scheme(period=parse_period("2022Q2"))
    a = assess.load_scheme(period=parse_period("2022"))
    assert (q.scheme.id, q.scheme.period_kind) == ("quarterly-2022", "quarter")
    assert (a.scheme.id, a.scheme.period_kind) == ("annual-2022", "year")
    for loaded in (q, a):
        s = loaded.scheme
        assert set(s.levels) == {"city", "county", "pilot"}
        for level in ("city", "county"):
            assert sum(i.weight for i in s.indicators_for(level)) == 100
        assert all(i.source == "facts" for i in s.indicators_for("pilot"))
        assert len(loaded.sha256) == 64


def test_no_default_for_another_year() -> None:
    with pytest.raises(ZhuanshengError, match="没有 2031 年的默认季度运行评价方案"):
        assess.load_scheme(period=parse_period("2031Q1"))


def _bad(tmp_path: Path, old: str, new: str) -> InputRejected:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputRejected) as info:
        assess.load_scheme(path)
    return info.value


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_unknown_normalisation_is_named_with_its_line(tmp_path: Path) -> None:
    err = _bad(tmp_path, "normalisation: completion", "normalisation: completeness")
    line = _line((tmp_path / "bad.yaml").read_text(encoding="utf-8"), "normalisation: completeness")
    [p] = err.problems
    assert p.row == line
    assert "completeness" in p.message and "completion" in p.message
    assert "是否为 'completion'" in p.hint


def test_unknown_target_gets_a_suggestion(tmp_path: Path) -> None:
    err = _bad(tmp_path, "target: robots_new", "target: robot_new")
    [p] = err.problems
    assert "没有目标 'robot_new'" in p.message and "robots_new" in p.hint
    assert p.row == _line((tmp_path / "bad.yaml").read_text(encoding="utf-8"), "robot_new")


def test_geometric_with_z_scores_and_wrong_grade_order_are_refused(tmp_path: Path) -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    text = text.replace("aggregation: additive", "aggregation: geometric")
    text = text.replace("normalisations: [minmax, rank_points]", "normalisations: [zscore]")
    text = text.replace("优秀: 90, 良好: 80", "优秀: 70, 良好: 80")
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputRejected) as info:
        assess.load_scheme(path)
    messages = " ".join(p.message for p in info.value.problems)
    assert "几何加总的敏感性分析不能包含 zscore" in messages
    assert "等级分档线次序不对" in messages
    assert all(p.row for p in info.value.problems)


def test_a_pilot_indicator_must_come_from_enterprise_facts(tmp_path: Path) -> None:
    err = _bad(
        tmp_path,
        "levels: [city, county], target: robots_new",
        "levels: [pilot], target: robots_new",
    )
    assert any("pilot 层级的指标须为 source: facts" in p.message for p in err.problems)
