"""Fixtures for the programme tests: an isolated programme_dir and a small valid programme."""

from __future__ import annotations

from pathlib import Path

import pytest

# A small programme whose line numbers the validation tests rely on (line 1 = "year: 2023").
MINIMAL = """\
year: 2023
title_zh: 2023年传统制造业改造提升工作要点（测试）
document: 浙转升办〔2023〕1号
issued: 2023-04-01
source: 测试用
tolerance_defaults:
  count_new: {value: 5, basis: relative_pct}
goals:
  - clause: 一.(二)
    title_zh: 主要目标
    text_zh: 力争全年规上工业亩均税收增长 8%。
areas:
  - {id: digital, clause: 二.(一), title_zh: 深入实施数字化转型工程}
tasks:
  - clause: 二.(一).1
    number: 1
    area: digital
    title_zh: 加快企业数字化改造步伐
    text_zh: 力争全年新增应用工业机器人 1.5 万台。
    lead_units: [省经信厅]
    co_units: [省科技厅]
    targets:
      - id: robots_new
        clause: [二.(一).1]
        name_zh: 新增应用工业机器人
        indicator: robots
        kind: count_new
        value: 15000
        unit: 台
        seed_text: 新增应用工业机器人 1.5 万台
      - id: tax_per_mu_growth
        clause: [一.(二), 二.(一).1]
        name_zh: 规上工业亩均税收增长
        indicator: tax_per_mu
        kind: growth_pct
        value: 8
        unit: "%"
        seed_text: 规上工业亩均税收增长 8%
      - id: smart_factory_new
        clause: [二.(一).1]
        name_zh: 新增省级智能工厂
        indicator: smart_factory
        kind: count_new
        value: 150
        unit: 家
        qualifier: about
        seed_text: 省级智能工厂（数字化车间）150 家左右
safeguards:
  - clause: 三.(一)
    title_zh: 加强组织领导
    text_zh: 领导小组各成员单位要结合职责分工，研究出台支持措施。
    lead_units: [省工业转型升级领导小组成员单位]
    targets:
      - id: organisation_leadership
        clause: [三.(一)]
        name_zh: 加强组织领导
        kind: milestone
        seed_text: 加强组织领导
"""


def _edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


@pytest.fixture
def minimal() -> str:
    """A small valid programme; the validation tests know its line numbers."""
    return MINIMAL


@pytest.fixture
def edit():
    """Replace one exact, unique piece of the YAML (so each test shows what it broke)."""
    return _edit


@pytest.fixture(autouse=True)
def programme_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty programme_dir and no config file from the working directory."""
    folder = tmp_path / "programmes"
    folder.mkdir()
    monkeypatch.setenv("ZHUANSHENG_PROGRAMME_DIR", str(folder))
    monkeypatch.setenv("ZHUANSHENG_CONFIG", str(tmp_path / "absent.toml"))
    return folder


@pytest.fixture
def write(tmp_path: Path):
    """Write YAML text to a file and return its path."""

    def _write(text: str, name: str = "programme.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write
