"""The synthetic demo world: deterministic, labelled synthetic, realistic, and safe to rebuild."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select, text

from worlds import point_at
from zhuansheng import demo, lake, programme, reference, store
from zhuansheng.demo.allocations import largest_remainder
from zhuansheng.errors import ZhuanshengError
from zhuansheng.store import tables as t

N = 2000  # enterprises: large enough for every county to have firms, small enough to be quick


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, demo.Summary]:
    """One demo world shared by the read-only tests of this module."""
    root = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        point_at(mp, root)
        summary = demo.build(seed=7, enterprises=N)
        yield root, summary
        store.dispose_all()


def _db(root: Path) -> str:
    return f"sqlite:///{root / 'var' / 'zhuansheng.db'}"


def _dump(url: str) -> str:
    """A digest of every table's rows (timestamps of the build itself excluded)."""
    digest = hashlib.sha256()
    skip = {"audit_log": None, "programmes": "loaded_at", "import_batches": "imported_at"}
    with store.engine(url).connect() as conn:
        for table in t.Base.metadata.sorted_tables:
            if table.name in skip and skip[table.name] is None:
                continue
            cols = [c for c in table.columns if c.name != skip.get(table.name)]
            for row in conn.execute(select(*cols).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def _lake_rows(root: Path) -> list[dict]:
    facts = lake.facts(lake=root / "var" / "lake")
    return facts.order_by(["uscc", "year"]).to_pyarrow().to_pylist()


@pytest.mark.slow
def test_same_seed_same_world_other_seed_other_world(tmp_path: Path) -> None:
    worlds = {}
    for name, seed in (("a", 11), ("b", 11), ("c", 12)):
        root = tmp_path / name
        with pytest.MonkeyPatch.context() as mp:
            point_at(mp, root)
            demo.build(seed=seed, enterprises=600)
            worlds[name] = (_dump(_db(root)), _lake_rows(root))
            store.dispose_all()
    assert worlds["a"][0] == worlds["b"][0]
    assert worlds["a"][1] == worlds["b"][1]
    assert worlds["a"][0] != worlds["c"][0]
    assert worlds["a"][1] != worlds["c"][1]


def test_everything_says_synthetic(built: tuple[Path, demo.Summary]) -> None:
    root, _ = built
    var = root / "var"
    assert "合成演示数据" in (var / "README-合成演示数据.txt").read_text(encoding="utf-8")
    assert "合成演示数据" in (var / "lake" / ".synthetic-demo").read_text(encoding="utf-8")
    with store.session(_db(root)) as s:
        for table in (
            t.Observation,
            t.RegistryEntry,
            t.Project,
            t.Case,
            t.Enterprise,
            t.Allocation,
        ):
            real = s.scalar(
                select(func.count()).select_from(table).where(table.synthetic.is_(False))
            )
            assert real == 0, table.__tablename__
        names = s.scalars(select(t.Enterprise.name)).all()
        assert names and all(n.startswith("演示·") for n in names)
        assert all(n.startswith("演示·") for n in s.scalars(select(t.Project.name)))
        assert all(n.startswith("演示·") for n in s.scalars(select(t.RegistryEntry.name)))
    for path in (var / "lake" / "enterprise_facts").rglob("*.parquet"):
        meta = pq.read_schema(path).metadata
        assert meta[b"zhuansheng.synthetic"] == b"true"


def test_every_statistic_indicator_has_monthly_ytd_values(built: tuple[Path, demo.Summary]) -> None:
    root, _ = built
    stats = [i for i, ind in programme.indicators().items() if ind.source == "statistic"]
    with store.session(_db(root)) as s:
        for ind in stats:
            periods = set(
                s.scalars(
                    select(t.Observation.period).where(t.Observation.indicator_id == ind).distinct()
                )
            )
            assert periods == {f"{y}-{m:02d}" for y in (2021, 2022) for m in range(1, 13)}, ind
        # Year to date never decreases within a year for an additive indicator.
        rows = s.execute(
            select(t.Observation.region_code, t.Observation.period, t.Observation.value)
            .where(t.Observation.indicator_id == "robots")
            .order_by(t.Observation.region_code, t.Observation.period)
        ).all()
    by_region: dict[tuple[str, str], list[float]] = {}
    for region, period, value in rows:
        by_region.setdefault((region, period[:4]), []).append(value)
    assert all(v == sorted(v) for v in by_region.values())


def test_some_counties_have_not_reported_the_last_months(built: tuple[Path, demo.Summary]) -> None:
    root, _ = built
    with store.session(_db(root)) as s:
        reported = {
            p: s.scalar(
                select(func.count()).where(
                    t.Observation.indicator_id == "robots", t.Observation.period == p
                )
            )
            for p in ("2022-10", "2022-11", "2022-12")
        }
    # calibration: 1 county late for 2022-11 and 3 for 2022-12 (drawn independently)
    assert reported["2022-10"] == 90
    assert reported["2022-11"] == 89
    assert reported["2022-12"] == 87


def test_magnitudes_are_anchored_to_the_baselines(built: tuple[Path, demo.Summary]) -> None:
    root, _ = built
    with store.session(_db(root)) as s:

        def parts(ind: str, period: str) -> tuple[float, float]:
            num, den = s.execute(
                select(
                    func.sum(t.Observation.numerator), func.sum(t.Observation.denominator)
                ).where(t.Observation.indicator_id == ind, t.Observation.period == period)
            ).one()
            return num, den

        va, land = parts("va_per_mu", "2021-12")
        # The county statistics are the sample scaled to the province: Σ VA = 2.03×10^8 万元.
        assert va == pytest.approx(2.03e8, rel=1e-3)
        assert 120 <= va / land <= 170  # 2020 baseline 136 万元/亩
        rd, revenue = parts("rd_intensity", "2021-12")
        assert 2.5 <= rd / revenue * 100 <= 3.3  # 2020 baseline 2.8 %
        trad, total = parts("trad_share", "2022-12")
        assert 55 <= trad / total * 100 <= 66  # programme: about 60 %
    facts = pq.read_table(root / "var" / "lake" / "enterprise_facts")
    assert facts.num_rows > N * 1.9
    above = facts.filter(pc.equal(facts["scale"], "above"))
    assert pc.min(above["land_mu"]).as_py() > 0
    below = facts.filter(pc.equal(facts["scale"], "below"))
    assert pc.min(below["land_mu"]).as_py() >= 3


def test_some_regions_are_ahead_and_some_behind(built: tuple[Path, demo.Summary]) -> None:
    root, _ = built
    with store.session(_db(root)) as s:
        target_pk = s.scalar(select(t.Target.id).where(t.Target.target_id == "robots_new"))
        alloc = dict(
            s.execute(
                select(t.Allocation.region_code, t.Allocation.value).where(
                    t.Allocation.target_pk == target_pk
                )
            ).all()
        )
        june = dict(
            s.execute(
                select(t.Observation.region_code, t.Observation.value).where(
                    t.Observation.indicator_id == "robots", t.Observation.period == "2022-06"
                )
            ).all()
        )
    counties = [c.code for c in reference.counties()]
    # Schedule for June on a linear profile is 6/12 = 0.5 of the allocated target.
    pace = [june[c] / alloc[c] / 0.5 for c in counties if alloc.get(c)]
    assert sum(p >= 1 for p in pace) >= 10
    assert sum(p < 0.9 for p in pace) >= 10


def test_allocations_add_up_to_the_province_target(built: tuple[Path, demo.Summary]) -> None:
    root, _ = built
    with store.session(_db(root)) as s:
        for target_id in ("robots_new", "digital_renovation_projects_new", "future_factory_new"):
            tgt = s.scalars(select(t.Target).where(t.Target.target_id == target_id)).one()
            rows = s.execute(
                select(t.Region.level, t.Allocation.value)
                .join(t.Region, t.Region.code == t.Allocation.region_code)
                .where(t.Allocation.target_pk == tgt.id)
            ).all()
            by_level: dict[str, float] = {}
            for level, value in rows:
                by_level[level] = by_level.get(level, 0) + value
            assert by_level["city"] == tgt.value
            if tgt.value >= 200:
                assert by_level["county"] == tgt.value
            else:
                assert "county" not in by_level


def test_largest_remainder_is_exact() -> None:
    # 10 split 1:1:1 → raw 3.333 each; the largest remainders (ties: first) get the spare unit.
    assert largest_remainder(10, np.array([1.0, 1.0, 1.0])).tolist() == [4.0, 3.0, 3.0]
    # 1800.0 亿元 split 2:1 at one decimal → 1200.0 and 600.0.
    assert largest_remainder(1800.0, np.array([2.0, 1.0]), 1).tolist() == [1200.0, 600.0]


def test_registries_projects_and_cases_track_their_targets(
    built: tuple[Path, demo.Summary],
) -> None:
    root, _ = built
    with store.session(_db(root)) as s:

        def yearly(kind: str, year: int) -> int:
            return s.scalar(
                select(func.count()).where(
                    t.RegistryEntry.registry_kind == kind,
                    func.strftime("%Y", t.RegistryEntry.recognised_on) == str(year),
                )
            )

        # future factories: target 15 以上; the demo draws 0.88–1.12 × target for 2022
        assert 13 <= yearly("future_factory", 2022) <= 17
        # specialised SMEs: target 2000
        assert 1760 <= yearly("specialised_sme", 2022) <= 2240
        invest = s.scalar(
            select(func.sum(t.ProjectInvestment.invested_wan))
            .join(t.Project)
            .where(
                t.Project.project_kind == "digital_renovation",
                t.ProjectInvestment.month.like("2022-%"),
            )
        )
        assert 1.2e7 <= invest <= 2.2e7  # target 1800 亿元 = 1.8×10^7 万元
        cases = s.scalar(select(func.count()).where(t.Case.year == 2022))
        assert 4500 <= cases <= 5400  # target 5000 家左右
        # every case has a history that starts with being listed
        first = (
            s.execute(
                text(
                    "select to_status from case_events where id in "
                    "(select min(id) from case_events group by case_id)"
                )
            )
            .scalars()
            .all()
        )
        assert set(first) == {"confirmed"}
        # registry entries of enterprises point at known enterprises
        orphan = s.scalar(
            text(
                "select count(*) from registry_entries r where r.uscc is not null and not exists "
                "(select 1 from enterprises e where e.uscc = r.uscc)"
            )
        )
        assert orphan == 0


def test_lake_reads_through_ibis(built: tuple[Path, demo.Summary]) -> None:
    root, summary = built
    facts = lake.facts(lake=root / "var" / "lake")
    assert facts.count().execute() == summary.counts["lake_rows"]
    years = sorted(facts.select("year").distinct().to_pyarrow()["year"].to_pylist())
    assert years == [2021, 2022]


def test_refuses_to_wipe_real_data(empty_world: Path) -> None:
    store.upgrade()
    with store.session() as s:
        store.sync_reference(s)
        s.add(
            t.Enterprise(
                uscc="91330603MA2BCDEF1X",
                name="某真实企业",
                county_code="330603",
                industry_code="1711",
                scale="above",
                synthetic=False,
            )
        )
    with pytest.raises(ZhuanshengError, match="非演示数据"):
        demo.build(seed=1, enterprises=600)
    with store.session() as s:
        assert s.scalar(select(t.Enterprise.name)) == "某真实企业"


def test_too_few_enterprises_is_a_clear_error(empty_world: Path) -> None:
    with pytest.raises(ZhuanshengError, match="至少为 500"):
        demo.build(seed=1, enterprises=10)


def test_refuses_to_wipe_a_store_with_real_accounts(empty_world: Path) -> None:
    from zhuansheng import users

    store.upgrade()
    with store.session() as s:
        store.sync_reference(s)
        users.add_user(s, "real-admin", "province_admin")
    with pytest.raises(ZhuanshengError, match="非演示数据"):
        demo.build(seed=1, enterprises=600)
    with store.session() as s:
        assert s.scalar(select(t.User.username)) == "real-admin"
