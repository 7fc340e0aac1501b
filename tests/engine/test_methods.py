"""Method files: the shipped ones are valid; mistakes are refused with their line."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import method_file

from zhuansheng.engine import load_method, shipped_methods, validate_method_file
from zhuansheng.errors import InputRejected, ZhuanshengError


@pytest.mark.parametrize("path", shipped_methods(), ids=lambda p: p.name)
def test_shipped_methods_are_valid_and_cite_sources(path: Path) -> None:
    method, problems = validate_method_file(path)
    assert problems == [] and method is not None
    assert method.id == path.stem
    assert method.sources


def test_the_defaults() -> None:
    assert load_method("carbon-2022").method.grade_upper_bounds == [0.6, 0.8, 1.2, 2.0]
    hy = load_method("mujun-huangyan-2022").method
    assert [i.weight for i in hy.sets["above"].items] == [30, 20, 20, 10, 10, 10]
    assert [i.weight for i in hy.sets["below"].items] == [50, 50]


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    method, problems = validate_method_file(path)
    assert method is None
    return [str(p) for p in problems]


def test_unknown_key_is_an_error_with_its_line(tmp_path: Path) -> None:
    base = load_method("carbon-2022").path.read_text(encoding="utf-8")
    text = base.replace("decimals: 6", "decimals: 6\ngrade_upper_bound: [1, 2]")
    problems = _problems(tmp_path, text)
    assert any("未知字段 'grade_upper_bound'" in p and "grade_upper_bounds" in p for p in problems)
    assert any("第" in p and "行" in p for p in problems)


def test_bounds_must_increase(tmp_path: Path) -> None:
    path = method_file(tmp_path, "carbon-2022", "bad", grade_upper_bounds=[0.6, 1.2, 0.8, 2.0])
    problems = [str(p) for p in validate_method_file(path)[1]]
    assert any("严格递增" in p for p in problems)


def test_bands_must_end_at_100_and_rules_come_in_order(tmp_path: Path) -> None:
    hy = load_method("mujun-huangyan-2022").path.read_text(encoding="utf-8")
    problems = _problems(
        tmp_path, hy.replace("{class: D, to_pct: 100}]", "{class: D, to_pct: 99}]", 1)
    )
    assert any("100" in p for p in problems)
    sc = load_method("screening-default").path.read_text(encoding="utf-8")
    moved = sc.replace("{rule: energy_size}", "{rule: other_high_intensity}", 1)
    assert any("之前定义" in p for p in _problems(tmp_path, moved))


def test_unknown_quantity_and_field(tmp_path: Path) -> None:
    hy = load_method("mujun-huangyan-2022").path.read_text(encoding="utf-8")
    problems = _problems(tmp_path, hy.replace("numerator: tax_wan,", "numerator: tax,", 1))
    assert any("tax" in p and "不是数据湖的数值列" in p for p in problems)
    sc = load_method("screening-default").path.read_text(encoding="utf-8")
    problems = _problems(tmp_path, sc.replace("field: mujun_class", "field: mujun_klass", 1))
    assert any("mujun_klass" in p for p in problems)


def test_load_refuses_an_invalid_file_and_the_wrong_kind(tmp_path: Path) -> None:
    path = method_file(tmp_path, "carbon-2022", "bad2", levels=[{"level": "low"}])
    with pytest.raises(InputRejected):
        load_method(path)
    with pytest.raises(ZhuanshengError, match="碳效码"):
        load_method("carbon-2022", kind="mujun")
    with pytest.raises(ZhuanshengError, match="找不到方法"):
        load_method("no-such-method")


def test_a_county_file_refers_to_methods_beside_it(tmp_path: Path) -> None:
    # A county copies the carbon file under its own id and points its 亩均 file at it.
    method_file(tmp_path, "carbon-2022", "carbon-xx-2023")
    mujun = method_file(
        tmp_path,
        "mujun-huangyan-2022",
        "mujun-xx-2023",
        energy={"coefficients": "carbon-xx-2023", "electricity_convention": "calorific"},
    )
    from zhuansheng.engine.run import load_methods

    methods, loaded = load_methods("mujun", mujun)
    assert loaded.method.id == "mujun-xx-2023"
    assert methods.energy is not None and methods.energy.id == "carbon-xx-2023"


@pytest.mark.parametrize("path", shipped_methods(), ids=lambda p: p.stem)
def test_a_kept_method_is_the_method_read_with_its_lines(
    path: Path, empty_world: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhuansheng.engine.loader import MODELS, _fast
    from zhuansheng.yamlfile import validated

    first = _fast(path)  # read from YAML, kept as JSON under var/cache/methods
    kept = list((empty_world / "cache" / "methods").glob("*.json"))
    second = _fast(path)  # from the JSON
    assert first is not None and len(kept) == 1
    careful, problems = validated(path, MODELS[first.kind])
    assert problems == [] and careful == first == second
    # an edited file is another key: the kept JSON is not used for it
    edited = empty_world / path.name
    edited.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert _fast(edited) == first
    assert len(list((empty_world / "cache" / "methods").glob("*.json"))) == 2
    monkeypatch.setenv("ZHUANSHENG_PLAN_CACHE", "off")
    assert _fast(path) == first
