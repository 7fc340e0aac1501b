"""Schemes per year: the programme folder's ``schemes/<kind>-<year>.yaml`` before the shipped
ones, ``assess scheme init`` drafts, draft schemes used only with ``--draft`` (and saying so), and
``measure: pace`` for a rate target as the progress ratio R, all on real stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from assess_helpers import scheme as small_scheme
from ruamel.yaml import YAML
from sqlalchemy import select
from typer.testing import CliRunner

import worlds
from zhuansheng import assess, programme, store, users
from zhuansheng.assess import draft, inputs
from zhuansheng.assess.scheme import LoadedScheme, shipped_path
from zhuansheng.cli import app
from zhuansheng.collect import workflow
from zhuansheng.periods import parse_period
from zhuansheng.store import observations as obs
from zhuansheng.store import tables as t
from zhuansheng.workspace import at, current

runner = CliRunner()
SRC = obs.Source(recorded_by="test", kind="api", name="hand-made")


@pytest.fixture(autouse=True)
def _analyses_forgotten() -> Iterator[None]:
    yield
    inputs.clear_cache()


def _yaml(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _programme_2023(folder: Path) -> Path:
    """A 2023 programme: the 2022 file with the year changed (as a new user would start)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = programme.programme_path(2022).read_text(encoding="utf-8")
    path = folder / "2023.yaml"
    path.write_text(text.replace("\nyear: 2022\n", "\nyear: 2023\n"), encoding="utf-8")
    return path


# -- where a scheme is found ---------------------------------------------------------------------


def test_the_programme_folder_comes_before_the_shipped_scheme(empty_world: Path) -> None:
    q2 = parse_period("2022Q2")
    assert assess.find_scheme(q2) == shipped_path("quarterly-2022.yaml")
    own = current().programme_dir / "schemes" / "quarterly-2022.yaml"
    own.parent.mkdir(parents=True)
    text = shipped_path("quarterly-2022.yaml").read_text(encoding="utf-8")
    own.write_text(text.replace('version: "2022.1"', 'version: "2022.1-local"'), encoding="utf-8")
    assert assess.find_scheme(q2) == own
    assert assess.load_scheme(period=q2).scheme.version == "2022.1-local"
    # the annual scheme is still the shipped one: each kind is looked up on its own
    assert assess.find_scheme(parse_period("2022")) == shipped_path("annual-2022.yaml")
    assert assess.scheme_periods([2022]) == ["2022Q1", "2022Q2", "2022Q3", "2022Q4", "2022"]


def test_a_year_without_a_scheme_says_where_to_put_one(empty_world: Path) -> None:
    _programme_2023(current().programme_dir)
    out = runner.invoke(app, ["assess", "--period", "2023Q1"])
    assert out.exit_code == 2
    text = " ".join(out.output.split())
    assert "没有 2023 年的默认季度运行评价方案" in text
    assert "quarterly-2023.yaml" in text and "assess scheme init" in text
    assert assess.scheme_periods([2022, 2023]) == ["2022Q1", "2022Q2", "2022Q3", "2022Q4", "2022"]


# -- drafting a scheme ---------------------------------------------------------------------------


def test_scheme_init_drafts_every_quantitative_target_with_equal_area_weights(
    empty_world: Path,
) -> None:
    _programme_2023(current().programme_dir)
    out = runner.invoke(app, ["assess", "scheme", "init", "--year", "2023", "--kind", "quarterly"])
    assert out.exit_code == 0, out.output
    path = current().programme_dir / "schemes" / "quarterly-2023.yaml"
    data = _yaml(path)
    text = path.read_text(encoding="utf-8")
    assert data["status"] == "draft" and "status: approved" in text  # the comment says how
    assert (data["year"], data["period_kind"], data["id"]) == (2023, "quarter", "quarterly-2023")
    targets = programme.load(2023).targets()
    numbered = {r.id for r in targets if r.kind not in ("milestone", "relative")}
    assert {i["target"] for i in data["indicators"]} == numbered
    weight = {i["target"]: i["weight"] for i in data["indicators"]}
    area = {r.id: r.area for r in targets}
    per_area: dict[str, list[float]] = {}
    for tid, w in weight.items():
        per_area.setdefault(area[tid] or "none", []).append(w)
    # six areas, each 1/6, split equally: 数字化 has 8 targets → 1/6/8 = 1/48 each;
    # 服务化 has 2 → 1/6/2 = 1/12; targets outside the areas weigh 0 until the office decides
    assert len(per_area["digital"]) == 8
    assert per_area["digital"][0] == pytest.approx(1 / 48, abs=1e-10)
    assert per_area["service"] == pytest.approx([1 / 12, 1 / 12], abs=1e-10)
    assert set(per_area["none"]) == {0}
    for name, ws in per_area.items():
        if name != "none":
            assert sum(ws) == pytest.approx(1 / 6, abs=1e-9) and len(set(ws)) == 1
    assert sum(weight.values()) == pytest.approx(1.0, abs=1e-9)
    # quarterly: on schedule (pace) — but share_about has no pace, so its actual against target
    measure = {i["target"]: i["measure"] for i in data["indicators"]}
    assert measure["rd_intensity_level"] == "pace" and measure["trad_share"] == "actual"
    loaded = assess.load_scheme(period=parse_period("2023Q1"))
    assert loaded.path == path and loaded.scheme.draft
    # an existing file (perhaps approved by now) is kept unless --force
    again = ["assess", "scheme", "init", "--year", "2023", "--kind", "quarterly"]
    out = runner.invoke(app, again)
    assert out.exit_code == 2 and "已存在" in out.output and "--force" in out.output
    assert runner.invoke(app, [*again, "--force"]).exit_code == 0


def test_scheme_init_annual_to_a_named_file(empty_world: Path, tmp_path: Path) -> None:
    target = tmp_path / "mine" / "annual.yaml"
    out = runner.invoke(
        app, ["assess", "scheme", "init", "-y", "2022", "-k", "annual", "-o", str(target)]
    )
    assert out.exit_code == 0, out.output
    data = _yaml(target)
    assert data["period_kind"] == "year" and data["grades"]["basis"] == "rank_share"
    kinds = {r.id: r.kind for r in programme.load(2022).targets()}
    for ind in data["indicators"]:
        assert ind["measure"] == "actual"
        rate = kinds[ind["target"]] in ("growth_pct", "decline_pct", "level")
        assert (ind.get("normalisation") == "distance") == rate
    problems = assess.validate_scheme_file(target)[1]
    assert problems == []
    out = runner.invoke(app, ["assess", "scheme", "init", "-y", "2031", "-k", "annual"])
    assert out.exit_code == 2 and "没有 2031 年的工作要点文件" in out.output


def test_pace_on_a_target_without_pace_is_refused_with_its_line(
    empty_world: Path, tmp_path: Path
) -> None:
    path = tmp_path / "s.yaml"
    text = draft.draft_text(2022, "quarterly")
    bad = text.replace("target: trad_share, measure: actual", "target: trad_share, measure: pace")
    assert bad != text
    path.write_text(bad, encoding="utf-8")
    problems = assess.validate_scheme_file(path)[1]
    line = next(i for i, s in enumerate(bad.splitlines(), 1) if "trad_share, measure: pace" in s)
    assert len(problems) == 1 and problems[0].row == line
    assert "measure: pace" in problems[0].message and "measure: actual" in problems[0].hint


# -- a small store: measure pace for a rate target, and draft runs ---------------------------------


@pytest.fixture
def url(store_url: str) -> Iterator[str]:
    worlds.seed_2022(store_url)
    yield store_url


def record(url: str, region: str, period: str, num: float, den: float) -> None:
    """A county's R&D intensity, saved and submitted (上报) as its office does, so that
    monitoring counts it (count_from: submitted)."""
    with store.session(url) as s:
        if s.scalar(select(t.User).where(t.User.username == f"u{region}")) is None:
            users.add_user(s, f"u{region}", "county", region)
    with store.session(url) as s:
        county = users.actor(s, f"u{region}")
        workflow.ensure_draft(s, region, period, county)
        obs.record(s, "rd_intensity", region, period, num / den * 100, SRC, numerator=num,
                   denominator=den)  # fmt: skip
    with store.session(url) as s:
        workflow.act(s, "submit", region, period, users.actor(s, f"u{region}"))


def _rd_world(url: str) -> None:
    """R&D intensity (target: 达到 3.1 %) in two cities, through one county each:
    绍兴 (越城 330602) 2.9 % last December → 3.0 % in June; 杭州 (上城 330102) 2.0 % → 2.8 %."""
    record(url, "330602", "2021-12", 29.0, 1000.0)
    record(url, "330602", "2022-06", 30.0, 1000.0)
    record(url, "330102", "2021-12", 20.0, 1000.0)
    record(url, "330102", "2022-06", 28.0, 1000.0)


RD = [{"id": "rd", "name_zh": "研发强度", "levels": ["city"], "target": "rd_intensity_level",
       "measure": "pace", "cap": 1}]  # fmt: skip


def test_pace_of_a_level_target_is_the_progress_ratio(url: str) -> None:
    _rd_world(url)
    s = small_scheme(indicators=RD)
    data = inputs.from_monitor(s, "city", parse_period("2022Q2"), at(url))
    x = dict(zip(data.regions, data.x[:, 0], strict=True))
    # R = (current − last December) ÷ (target − last December):
    #   绍兴 (3.0 − 2.9) ÷ (3.1 − 2.9) = 0.1 ÷ 0.2 = 0.5     (actual ÷ target would be 0.968)
    #   杭州 (2.8 − 2.0) ÷ (3.1 − 2.0) = 0.8 ÷ 1.1 = 0.7273  (actual ÷ target would be 0.903)
    assert x["330600"] == pytest.approx(0.1 / 0.2)
    assert x["330100"] == pytest.approx(0.8 / 1.1)
    assert x["330600"] != pytest.approx(3.0 / 3.1)
    # so 杭州, which moved further towards the target, ranks above 绍兴 (actual ÷ target would
    # put 绍兴 first); the other cities reported nothing (missing: zero)
    loaded = LoadedScheme(s, Path("rd.yaml"), "", "0" * 64)
    result = assess.evaluate(loaded, parse_period("2022Q2"), "city", ws=at(url))
    ranks = {r.region: r.rank for r in result.rows}
    assert ranks["330100"] == 1 and ranks["330600"] == 2
    # score = weight 1 × min(R, cap 1) × 100
    assert result.row("330100").score == pytest.approx(100 * 0.8 / 1.1, abs=1e-3)
    assert result.row("330600").score == pytest.approx(50.0, abs=1e-3)


def test_without_last_december_the_pace_is_missing_not_actual_over_target(url: str) -> None:
    record(url, "330602", "2022-06", 30.0, 1000.0)  # 绍兴: June only, no base, so no R
    record(url, "330102", "2021-12", 20.0, 1000.0)
    record(url, "330102", "2022-06", 28.0, 1000.0)
    s = small_scheme(indicators=RD)
    data = inputs.from_monitor(s, "city", parse_period("2022Q2"), at(url))
    x = dict(zip(data.regions, data.x[:, 0], strict=True))
    assert x["330100"] == pytest.approx(0.8 / 1.1)
    assert x["330600"] != x["330600"]  # NaN: scored by the scheme's missing rule, not 3.0 ÷ 3.1


def test_a_draft_scheme_is_used_only_with_draft_and_the_run_records_it(
    url: str, tmp_path: Path
) -> None:
    _rd_world(url)
    path = tmp_path / "quarterly-2022.yaml"
    text = draft.draft_text(2022, "quarterly")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(assess.DraftScheme) as refused:
        assess.run("2022Q2", "city", scheme=path, ws=at(url))
    assert "status: approved" in str(refused.value) and "--draft" in str(refused.value)
    result = assess.run("2022Q2", "city", scheme=path, ws=at(url), draft=True)
    assert result.draft and "评价方案为草案" in result.title_zh
    assert any("评价方案为草案" in n for n in result.notes)
    with store.session(url) as s:
        row = s.get(t.AssessmentRun, result.run_id)
        assert row is not None and row.draft is True and row.result["draft"] is True
        others = s.scalars(select(t.AssessmentRun.draft)).all()
    assert others == [True]
    assert assess.load_run(result.run_id, ws=at(url)).draft
    assert [r["draft"] for r in assess.runs(ws=at(url))] == [True]
    assert assess.reproduce(result.run_id, ws=at(url)).rows == result.rows
    # approved by the office: the same file without --draft, and the results no longer say so
    path.write_text(text.replace("status: draft", "status: approved"), encoding="utf-8")
    approved = assess.run("2022Q2", "city", scheme=path, ws=at(url))
    assert not approved.draft and "草案" not in approved.title_zh
    with store.session(url) as s:
        assert s.get(t.AssessmentRun, approved.run_id).draft is False  # type: ignore[union-attr]
