"""The operational store on SQLite and PostgreSQL: schema, revisions, reference and programme."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text

from zhuansheng import programme, reference, store
from zhuansheng.errors import InputRejected
from zhuansheng.store import observations as obs
from zhuansheng.store import tables as t

SOURCE = obs.Source(
    recorded_by="county:330603",
    kind="file",
    name="柯桥-2022-06.xlsx",
    sha256="ab" * 32,
    cell="数据!D7",
)


def _with_indicator(url: str, ind: str, name_zh: str, unit: str, aggregation: str) -> None:
    """A migrated store with the reference data and one statistic indicator."""
    store.upgrade(url)
    with store.session(url) as s:
        store.sync_reference(s)
        s.add(
            t.Indicator(
                id=ind,
                name_zh=name_zh,
                unit=unit,
                source="statistic",
                aggregation=aggregation,
                definition={},
            )
        )


def test_migrations_build_exactly_the_declared_schema(store_url: str) -> None:
    assert store.upgrade(store_url) == store.head_revision()
    with store.engine(store_url).connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), t.Base.metadata)
    assert diffs == []
    # Upgrading again is a no-op.
    assert store.upgrade(store_url) == store.head_revision()


def test_a_revision_keeps_the_old_value(store_url: str) -> None:
    _with_indicator(store_url, "robots", "新增应用工业机器人", "台", "sum")
    with store.session(store_url) as s:
        first, added = obs.record(s, "robots", "330603", "2022-06", 100.0, SOURCE)
        assert (first.revision, added) == (1, True)
    corrected = obs.Source(
        recorded_by="county:330603",
        kind="file",
        name="柯桥-2022-06-更正.xlsx",
        sha256="cd" * 32,
        cell="数据!D7",
        comment="更正：漏报一家企业",
    )
    with store.session(store_url) as s:
        second, added = obs.record(s, "robots", "330603", "2022-06", 120.0, corrected)
        assert (second.revision, added) == (2, True)
        # The same value again is not a new revision.
        again, added = obs.record(s, "robots", "330603", "2022-06", 120.0, corrected)
        assert (again.revision, added) == (2, False)
    with store.session(store_url) as s:
        rows = obs.history(s, "robots", "330603", "2022-06")
        assert [(r.revision, r.value, r.source_name) for r in rows] == [
            (1, 100.0, "柯桥-2022-06.xlsx"),
            (2, 120.0, "柯桥-2022-06-更正.xlsx"),
        ]
        assert rows[0].source_cell == "数据!D7" and rows[1].comment == "更正：漏报一家企业"
        current = s.scalars(obs.current_query("robots", "2022-06")).all()
        assert [(c.region_code, c.value, c.revision) for c in current] == [("330603", 120.0, 2)]
        assert s.scalar(select(func.count()).select_from(t.Observation)) == 2


def test_latest_revisions_filter_and_page(store_url: str) -> None:
    _with_indicator(store_url, "robots", "新增应用工业机器人", "台", "sum")
    with store.session(store_url) as s:
        for region, period, value in [
            ("330603", "2022-06", 100.0),
            ("330603", "2022-06", 120.0),  # a correction: revision 2
            ("330603", "2022-05", 80.0),
            ("330602", "2022-06", 50.0),
            ("330102", "2022-06", 70.0),
        ]:
            obs.record(s, "robots", region, period, value, SOURCE)
    with store.session(store_url) as s:
        rows, total = obs.latest_revisions(s)
        assert total == 4
        assert [(r.period, r.region_code, r.value, r.revision) for r in rows] == [
            ("2022-05", "330603", 80.0, 1),
            ("2022-06", "330102", 70.0, 1),
            ("2022-06", "330602", 50.0, 1),
            ("2022-06", "330603", 120.0, 2),
        ]
        rows, total = obs.latest_revisions(s, regions=["330602", "330603"], period="2022-06")
        assert total == 2 and [(r.region_code, r.value) for r in rows] == [
            ("330602", 50.0),
            ("330603", 120.0),
        ]
        rows, total = obs.latest_revisions(s, offset=1, limit=2)
        assert total == 4 and [(r.period, r.region_code) for r in rows] == [
            ("2022-06", "330102"),
            ("2022-06", "330602"),
        ]
        assert obs.latest_revisions(s, indicator="tax_per_mu") == ([], 0)
        assert obs.latest_revisions(s, regions=[]) == ([], 0)


def test_ratio_parts_are_kept(store_url: str) -> None:
    _with_indicator(store_url, "tax_per_mu", "规上工业亩均税收", "万元/亩", "ratio")
    with store.session(store_url) as s:
        # 亩均税收 = 税收 / 用地 = 36 000 万元 / 1 200 亩 = 30 万元/亩
        obs.record(
            s, "tax_per_mu", "330603", "2022", 30.0, SOURCE, numerator=36000.0, denominator=1200.0
        )
    with store.session(store_url) as s:
        row = s.scalars(obs.current_query("tax_per_mu")).one()
        assert (row.value, row.numerator, row.denominator) == (30.0, 36000.0, 1200.0)


def test_malformed_period_is_refused(store_url: str) -> None:
    store.upgrade(store_url)
    with store.session(store_url) as s, pytest.raises(Exception, match="2022-06"):
        obs.record(s, "robots", "330603", "2022-13", 1.0, SOURCE)


def test_reference_data_loads_with_hierarchy(store_url: str) -> None:
    store.upgrade(store_url)
    with store.session(store_url) as s:
        counts = store.sync_reference(s)
        store.sync_reference(s)  # idempotent
    assert counts == {"regions": 102, "industries": len(reference.industries()), "pilots": 48}
    with store.session(store_url) as s:
        levels = dict(
            s.execute(select(t.Region.level, func.count()).group_by(t.Region.level)).all()
        )
        assert levels == {"province": 1, "city": 11, "county": 90}
        assert s.scalar(select(func.count()).where(t.Region.mountain26.is_(True))) == 26
        keqiao = s.get(t.Region, "330603")
        assert (keqiao.name_zh, keqiao.parent_code) == ("柯桥区", "330600")
        demo_only = s.scalar(select(func.count()).where(t.Pilot.demo_only.is_(True)))
        assert demo_only == 42  # 48 minus the 6 pilots found in public sources
        assert s.get(t.Pilot, "P01").industry_codes == ["382"]


def test_programme_sync_keeps_allocations_on_reload(store_url: str) -> None:
    store.upgrade(store_url)
    prog = programme.load(2022)
    with store.session(store_url) as s:
        store.sync_reference(s)
        result = store.sync_programme(s, prog, programme.programme_path(2022))
        assert result["targets"] == len(prog.targets())
    with store.session(store_url) as s:
        robots = s.scalars(select(t.Target).where(t.Target.target_id == "robots_new")).one()
        assert (robots.value, robots.unit, robots.kind) == (15000.0, "台", "count_new")
        s.add(t.Allocation(target_pk=robots.id, region_code="330600", value=1200.0))
    with store.session(store_url) as s:
        store.sync_programme(s, prog, programme.programme_path(2022))
    with store.session(store_url) as s:
        alloc = s.scalars(select(t.Allocation)).one()
        assert (alloc.region_code, alloc.value) == ("330600", 1200.0)
        both = s.scalars(select(t.Target).where(t.Target.target_id == "tax_per_mu_growth")).one()
        assert sorted(both.clauses) == sorted(["一.(二)", "二.(五).14"])


def test_chinese_text_round_trips(store_url: str) -> None:
    store.upgrade(store_url)
    name = "演示·柯桥宏泰纺织有限公司（“品字标”）"
    with store.session(store_url) as s:
        store.sync_reference(s)
        s.add(
            t.Enterprise(
                uscc="91330603MA2BCDEF1X",
                name=name,
                county_code="330603",
                industry_code="1711",
                scale="above",
                synthetic=True,
            )
        )
    with store.session(store_url) as s:
        assert s.get(t.Enterprise, "91330603MA2BCDEF1X").name == name


def test_sqlite_uses_wal(empty_world: Path) -> None:
    url = f"sqlite:///{empty_world / 'wal.db'}"
    store.upgrade(url)
    with store.engine(url).connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_failed_transaction_writes_nothing(store_url: str) -> None:
    store.upgrade(store_url)
    with pytest.raises(RuntimeError), store.session(store_url) as s:
        store.sync_reference(s)
        raise RuntimeError("interrupted")
    with store.session(store_url) as s:
        assert s.scalar(select(func.count()).select_from(t.Region)) == 0


def test_user_pilot_list_replaces_the_shipped_one(store_url: str, tmp_path: Path) -> None:
    good = tmp_path / "pilots.csv"
    header = ",".join(reference.PILOT_COLUMNS)
    good.write_text(
        header + "\n"
        "A01,330382,乐清市,低压电气,382,2018,official,0,省政府办公厅文件,\n"
        "A02,330523,安吉县,家具及竹木制品,20;21,2018,official,0,省政府办公厅文件,\n",
        encoding="utf-8",
    )
    store.upgrade(store_url)
    with store.session(store_url) as s:
        store.sync_reference(s)
        store.replace_pilots(s, reference.read_pilots_file(good))
    with store.session(store_url) as s:
        ids = s.scalars(select(t.Pilot.pilot_id).order_by(t.Pilot.pilot_id)).all()
        assert ids == ["A01", "A02"]


def test_bad_pilot_list_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "pilots.csv"
    header = ",".join(reference.PILOT_COLUMNS)
    bad.write_text(
        header + "\n"
        "A01,330382,乐清市,低压电气,382,2018,official,0,,\n"
        "A01,339999,不存在县,低压电气,99,18年,official,2,,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputRejected) as err:
        reference.read_pilots_file(bad)
    where = {(p.row, p.column) for p in err.value.problems}
    assert where == {
        (3, "pilot_id"),
        (3, "county_code"),
        (3, "industry_codes"),
        (3, "batch_year"),
        (3, "demo_only"),
    }
    assert "第 3 行, 列 county_code" in str(err.value)
    missing = tmp_path / "short.csv"
    missing.write_text("pilot_id,county_code\nA01,330382\n", encoding="utf-8")
    with pytest.raises(InputRejected, match="缺少列 county_name"):
        reference.read_pilots_file(missing)
