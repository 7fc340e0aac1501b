"""``db backup`` and ``db restore`` on SQLite and PostgreSQL: a backup taken while allocations are
being imported restores to exactly the state its manifest describes; a corrupted backup and a
restore over data without ``--force`` are refused with nothing written."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import uuid
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

import worlds
from zhuansheng import backup, lake, store, users, workspace
from zhuansheng.cli import app
from zhuansheng.errors import Conflict
from zhuansheng.services import allocations
from zhuansheng.services.context import Caller
from zhuansheng.workspace import Workspace

CITIES = ["330100", "330200", "330300", "330400", "330500", "330600"]
CITIES += ["330700", "330800", "330900", "331000", "331100"]
TARGETS = ["robots_new", "future_factory_new"]


def _fact(n: int, year: int) -> dict[str, object]:
    return worlds.fact_row(n, "330106", "1713", "above", year, 2.5 * n)


@pytest.fixture
def source(store_url: str) -> Iterator[Workspace]:
    """A small live world: reference data, the 2022 programme, a province user and a lake with
    two years (one of them re-imported, so a superseded file too)."""
    worlds.seed_2022(store_url)
    with store.session(store_url) as s:
        users.add_user(s, "prov", "province_admin")
    ws = workspace.current()
    rows = [_fact(n, y) for n in (1, 2, 3) for y in (2021, 2022)]
    lake.write_facts(pa.Table.from_pylist(rows), lake=ws.lake, source="first.csv")
    lake.write_facts(pa.Table.from_pylist(rows[:4]), lake=ws.lake, source="second.csv")
    yield ws


@pytest.fixture
def fresh(store_url: str, tmp_path: Path) -> Iterator[object]:
    """Makes empty workspaces (a new SQLite file or PostgreSQL database, a new lake folder)."""
    made: list[str] = []

    def make() -> Workspace:
        name = uuid.uuid4().hex[:8]
        if store_url.startswith("sqlite"):
            url = f"sqlite:///{tmp_path / f'restored-{name}' / 'zhuansheng.db'}"
        else:
            import psycopg

            parsed = make_url(store_url)
            database = f"{parsed.database}_r{name}"
            admin = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{database}"')
            made.append(admin)
            made.append(database)
            url = parsed.set(database=database).render_as_string(hide_password=False)
        return replace(
            workspace.current(), database_url=url, lake=tmp_path / f"restored-{name}" / "lake"
        )

    yield make
    store.dispose_all()
    if made:
        import psycopg

        for admin, database in zip(made[::2], made[1::2], strict=True):
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def caller(url: str, name: str = "prov") -> Caller:
    with store.session(url) as s:
        return Caller(workspace.at(url), users.actor(s, name))


def rows(url: str) -> dict[str, Counter]:
    """Every row of every table, as a multiset per table."""
    eng = store.engine(url)
    with eng.connect() as conn:
        return {
            name: Counter(
                tuple(_hashable(v) for v in r)
                for r in conn.execute(text(f'SELECT * FROM "{name}"')).all()
            )
            for name in inspect(conn).get_table_names()
        }


def _hashable(value: object) -> object:
    """JSON columns come back as dicts and lists on PostgreSQL."""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lake_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): sha256(p) for p in lake.store.all_files(root)}


def nothing_in(ws: Workspace) -> bool:
    store_empty = (
        not make_url(ws.database_url).database
        or not Path(make_url(ws.database_url).database).exists()
        if ws.database_url.startswith("sqlite")
        else not inspect(store.engine(ws.database_url)).get_table_names()
    )
    return store_empty and not ws.lake.exists()


class Importer(threading.Thread):
    """Imports one allocation after another through the service until told to stop."""

    def __init__(self, url: str, folder: Path) -> None:
        super().__init__(daemon=True)
        self.url, self.folder = url, folder
        self.done = 0
        self.started_two = threading.Event()
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            prov = caller(self.url)
            for target in TARGETS:
                for city in CITIES:
                    if self.stop.is_set():
                        return
                    f = self.folder / f"{target}-{city}.csv"
                    f.write_text(
                        f"year,target,region,value,comment\n2022,{target},{city},1,分批下达\n"
                    )
                    allocations.import_file(prov, f)
                    self.done += 1
                    if self.done >= 2:
                        self.started_two.set()
        except BaseException as exc:
            self.error = exc
            self.started_two.set()


def test_backup_while_importing_restores_the_manifest_state(
    source: Workspace, fresh, tmp_path: Path
) -> None:
    url = source.database_url
    before = store.dump.counts(url)["allocation_revisions"]
    importer = Importer(url, tmp_path)
    importer.start()
    assert importer.started_two.wait(120)
    made = backup.create(tmp_path / "live.zip", ws=source)
    importer.stop.set()
    importer.join(120)
    assert importer.error is None
    after = store.dump.counts(url)["allocation_revisions"]
    assert before < made["tables"]["allocation_revisions"] <= after
    assert not list(tmp_path.glob(".live.zip*"))  # no temporary file left

    # the archive holds what the manifest says, and the lake as it is (its files never change)
    assert made["backend"] == store.dump.backend(url)
    assert made["revision"] == store.head_revision()
    assert {e["path"]: e["sha256"] for e in made["lake"]} == lake_hashes(source.lake)
    assert any(e["path"].startswith("_superseded/") for e in made["lake"])

    target = fresh()
    done = backup.restore(tmp_path / "live.zip", ws=target)
    assert done["tables"] == made["tables"]
    assert store.dump.counts(target.database_url) == made["tables"]
    assert lake_hashes(target.lake) == lake_hashes(source.lake)
    # every restored row is a row of the source: the backup is a state the source passed through
    restored, now = rows(target.database_url), rows(url)
    for table, got in restored.items():
        assert sum(got.values()) == made["tables"][table], table
        assert not got - now[table], f"{table}: rows that the source never had"

    # once the imports have stopped, a backup restores to exactly the source, row by row
    quiet = backup.create(tmp_path / "quiet.zip", ws=source)
    again = fresh()
    backup.restore(tmp_path / "quiet.zip", ws=again)
    assert rows(again.database_url) == rows(url)
    assert sum(sum(c.values()) for c in rows(url).values()) == sum(quiet["tables"].values())
    assert lake_hashes(again.lake) == lake_hashes(source.lake)


def _rewrite(archive: Path, out: Path, member: str) -> None:
    """A copy of ``archive`` with one byte of ``member`` changed (the manifest unchanged)."""
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == member:
                data = data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
            dst.writestr(info, data)


def test_a_corrupted_backup_is_refused_with_nothing_written(
    source: Workspace, fresh, tmp_path: Path
) -> None:
    made = backup.create(tmp_path / "b.zip", ws=source)
    member = "lake/" + made["lake"][0]["path"]

    changed = tmp_path / "changed.zip"  # the byte changed and the zip's own checksum redone
    _rewrite(tmp_path / "b.zip", changed, member)
    target = fresh()
    with pytest.raises(backup.BackupError, match="SHA-256"):
        backup.restore(changed, ws=target)
    assert nothing_in(target)

    flipped = tmp_path / "flipped.zip"  # a byte flipped in the file as stored
    data = bytearray((tmp_path / "b.zip").read_bytes())
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        info = zf.getinfo(member)
    data[info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 50] ^= 0xFF
    flipped.write_bytes(bytes(data))
    with pytest.raises(backup.BackupError, match=r"损坏|SHA-256"):
        backup.restore(flipped, ws=target)
    assert nothing_in(target)


def test_restore_over_data_needs_force(source: Workspace, tmp_path: Path) -> None:
    url = source.database_url
    made = backup.create(tmp_path / "b.zip", ws=source)
    f = tmp_path / "more.csv"
    f.write_text("year,target,region,value\n2022,robots_new,330100,3\n")
    allocations.import_file(caller(url), f)
    changed = rows(url)
    with pytest.raises(Conflict, match="--force"):
        backup.restore(tmp_path / "b.zip", ws=source)
    assert rows(url) == changed  # refused: nothing changed

    extra = source.lake / "enterprise_facts" / "year=2019" / "part-0.parquet"
    extra.parent.mkdir()
    extra.write_bytes(b"not in the backup")
    done = backup.restore(tmp_path / "b.zip", ws=source, force=True)
    assert store.dump.counts(url) == made["tables"]
    assert not extra.exists() and done["lake_files_removed"] == 1
    assert lake_hashes(source.lake) == {e["path"]: e["sha256"] for e in made["lake"]}


def test_the_commands(empty_world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "seed"]).exit_code == 0
    out = runner.invoke(app, ["db", "backup", "-o", str(tmp_path / "b.zip"), "--format", "json"])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout)
    assert summary["tables"]["regions"] == 102 and summary["backend"] == "sqlite"

    out = runner.invoke(app, ["db", "restore", str(tmp_path / "b.zip")])
    assert out.exit_code == 2 and "--force" in out.output

    monkeypatch.setenv("ZHUANSHENG_DATABASE_URL", f"sqlite:///{tmp_path / 'new' / 'zs.db'}")
    monkeypatch.setenv("ZHUANSHENG_LAKE", str(tmp_path / "new" / "lake"))
    out = runner.invoke(app, ["db", "restore", str(tmp_path / "b.zip"), "--format", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["tables"] == summary["tables"]


@pytest.mark.postgres
def test_a_missing_pg_dump_is_a_clear_error(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump on the path
    store.upgrade(postgres_url)
    ws = replace(workspace.current(), database_url=postgres_url, lake=tmp_path / "lake")
    with pytest.raises(store.dump.DumpError, match="未找到 pg_dump"):
        backup.create(tmp_path / "b.zip", ws=ws)
    assert not (tmp_path / "b.zip").exists()
    assert os.listdir(tmp_path) == []
