"""Runs on a small demo world: lake files, the run record, candidates, observations, the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from worlds import built_demo_world
from zhuansheng import store
from zhuansheng.cli import evaluate as cli
from zhuansheng.engine import evaluate, run_path
from zhuansheng.errors import ZhuanshengError
from zhuansheng.store import tables as t

runner = CliRunner()


@pytest.fixture(scope="module")
def run_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with built_demo_world(tmp_path_factory, "engine-run", seed=7, enterprises=600) as root:
        yield root


def test_a_screening_run_is_recorded(run_world: Path) -> None:
    r = evaluate("screen", 2022)
    path = Path(r.output_path)
    assert path == run_path("screen", 2022, r.run_id)
    assert path.parent.name == "year=2022" and path.name == f"run={r.run_id}.parquet"
    assert not list(path.parent.glob(".*.tmp"))  # no temporary file left behind
    table = pq.read_table(path)
    assert table.num_rows == r.enterprises > 0
    for col in ("carbon_grade", "mujun_class", "screen_rules", "freed_land_mu", "mujun_reason"):
        assert col in table.column_names
    with store.session() as s:
        run = s.get(t.EvaluationRun, r.run_id)
        assert run is not None and run.method == "screen" and run.engine == "duckdb"
        assert run.method_version == "screening-default@2022.2"
        assert run.synthetic and run.summary["candidates"] == r.summary["candidates"]
        cands = s.scalars(
            select(t.ScreeningCandidate).where(t.ScreeningCandidate.run_id == r.run_id)
        ).all()
        listed = set(s.scalars(select(t.Case.uscc).where(t.Case.year == 2022)))
    assert len(cands) == r.summary["candidates"] > 0
    assert all(c.rules for c in cands)
    # a firm already on the year's list is confirmed at once; the others await the county
    assert {c.status for c in cands if c.uscc in listed} == {"confirmed"}
    assert {c.status for c in cands if c.uscc not in listed} == {"candidate"}
    assert sum(c.freed_land_mu for c in cands) == pytest.approx(r.summary["freed_land_mu"])


def test_mujun_roll_ups_become_county_observations(run_world: Path) -> None:
    r = evaluate("mujun", 2022)
    province = r.summary["province"]
    assert {"A", "B", "C"} <= set(province) and sum(province.values()) == r.enterprises
    assert r.summary["observations_written"] > 0
    with store.session() as s:
        obs = s.scalars(select(t.Observation).where(t.Observation.source_kind == "engine")).all()
    ids = {o.indicator_id for o in obs}
    assert ids == {"tax_per_mu", "va_per_mu", "rd_intensity", "trad_share"}
    assert {len(o.region_code) for o in obs} == {6} and all(o.period == "2022" for o in obs)
    one = next(o for o in obs if o.indicator_id == "tax_per_mu")
    # recomputed from the lake by hand: Σ tax / Σ land of the county's above-scale firms that
    # report both, land > 0
    facts = pq.read_table(run_world / "var" / "lake" / "enterprise_facts" / "year=2022").to_pylist()
    firms = [
        f
        for f in facts
        if f["county_code"] == one.region_code
        and f["scale"] == "above"
        and f["tax_wan"] is not None
        and (f["land_mu"] or 0) > 0
    ]
    tax, land = sum(f["tax_wan"] for f in firms), sum(f["land_mu"] for f in firms)
    assert (one.numerator, one.denominator) == (pytest.approx(tax), pytest.approx(land))
    assert one.value == pytest.approx(tax / land)
    assert "growth" not in r.summary["rollups"] and "change_pct" in r.summary["rollups"]
    # the same run again records nothing new (an unchanged value is not a new revision)
    again = evaluate("mujun", 2022)
    assert again.summary["observations_written"] == 0


def test_cli_summary_table_json_and_files(run_world: Path, tmp_path: Path) -> None:
    res = runner.invoke(cli.app, ["carbon", "--year", "2022"])
    assert res.exit_code == 0, res.output
    assert "碳效码等级" in res.output and "合计" in res.output
    out = tmp_path / "mujun.parquet"
    res = runner.invoke(
        cli.app, ["mujun", "--year", "2022", "--format", "json", "--no-store", "--output", str(out)]
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    assert payload["kind"] == "mujun" and payload["by_city"][-1]["city"] == "合计"
    assert pq.read_table(out).num_rows == payload["enterprises"]
    with store.session() as s:
        assert s.get(t.EvaluationRun, payload["run_id"]) is None  # --no-store
    res = runner.invoke(
        cli.app,
        [
            "carbon",
            "--year",
            "2022",
            "--input",
            str(out),
            "--no-store",
            "--electricity",
            "equivalent",
            "--format",
            "csv",
        ],
    )
    assert res.exit_code == 0, res.output
    assert res.output.startswith("city_code,city,1,2,3,4,5,none")


def test_clear_errors(run_world: Path) -> None:
    with pytest.raises(ZhuanshengError, match="2019"):
        evaluate("carbon", 2019)
    # carbon-2022 has no 2024 grid factor and states no fallback: the run stops and says which
    # key to add, instead of using another year's or region's factor
    with pytest.raises(ZhuanshengError, match=r"2024 年 华东（east_china）的电网排放因子"):
        evaluate("carbon", 2024, store=False)


def test_2021_runs_with_the_fallback_its_file_states_and_says_so(run_world: Path) -> None:
    # the demo lake has 2021; 华东 2021 follows `fallback: default_region` (national 2021)
    res = runner.invoke(cli.app, ["carbon", "--year", "2021"])
    assert res.exit_code == 0, res.output
    text = "".join(res.output.split())
    assert "注意：2021年有1项参数缺值" in text
    assert "grid.factors[2021,east_china].fallback:default_region" in text
    with store.session() as s:
        run = s.scalars(select(t.EvaluationRun).where(t.EvaluationRun.year == 2021)).one()
    (fb,) = run.summary["fallbacks"]
    assert (fb["wanted"], fb["used"], fb["value"]) == ("2021 east_china", "2021 national", 0.5568)
    rows = pq.read_table(run.output_path, columns=["county_code", "carbon_fallback"]).to_pylist()
    assert all(r["carbon_fallback"] for r in rows if r["county_code"].startswith("33"))


def test_the_connection_given_decides_the_backend(run_world: Path) -> None:
    from zhuansheng.engine.backends import backend_of, connect

    con = connect("duckdb")
    assert backend_of(con) == "duckdb"
    # the engine named does not matter when a connection is given: it is a DuckDB run
    r = evaluate("screen", 2022, engine="spark", con=con, store=False)
    assert r.engine == "duckdb" and Path(r.output_path).is_file()


def test_a_rerun_keeps_the_counties_decisions(run_world: Path) -> None:
    """Dismissed stays dismissed with its reason, confirmed stays confirmed; a dismissal the
    city reopened is not brought back from an older run."""
    from zhuansheng import users, workspace
    from zhuansheng.services import cases
    from zhuansheng.services.context import Caller

    def people(code: str) -> tuple[Caller, Caller]:
        with store.session() as s:
            ws = workspace.current()
            return Caller(ws, users.actor(s, f"u{code}")), Caller(
                ws, users.actor(s, f"u{code[:4]}00")
            )

    def newest(run_id: str) -> dict[str, t.ScreeningCandidate]:
        with store.session() as s:
            q = select(t.ScreeningCandidate).where(t.ScreeningCandidate.run_id == run_id)
            return {c.uscc: c for c in s.scalars(q)}

    first = newest(evaluate("screen", 2022).run_id)
    waiting = [c for c in first.values() if c.status == "candidate"]
    a, b = waiting[0], next(c for c in waiting[1:] if c.county_code == waiting[0].county_code)
    county, city = people(a.county_code)
    cases.dismiss(county, a.id, "data_error", "用地面积登记有误")
    second = newest(evaluate("screen", 2022).run_id)
    assert (second[a.uscc].status, second[a.uscc].dismiss_reason) == ("dismissed", "data_error")
    assert second[a.uscc].note == "用地面积登记有误"
    assert second[b.uscc].status == "candidate"
    # an older run's candidate is no longer the one to act on
    with pytest.raises(ZhuanshengError, match="较早的一次筛查"):
        cases.confirm(county, b.id, "upgrade")
    cases.reopen_dismissal(city, second[a.uscc].id, "面积已核实无误")
    cases.confirm(county, second[b.uscc].id, "upgrade")
    third = newest(evaluate("screen", 2022).run_id)
    assert (third[a.uscc].status, third[b.uscc].status) == ("candidate", "confirmed")
