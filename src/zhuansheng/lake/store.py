"""Where the facts live on disk, how they are written (atomically) and how they are read (Ibis).

Layout::

    <lake>/enterprise_facts/year=2022/part-0.parquet          current facts of 2022
    <lake>/_superseded/enterprise_facts/year=2022/<stamp>/    what part-0 was before each re-import
    <lake>/.lock                                              serialises writers

One file per year: a year is always replaced as a whole by a complete new file, and replacing
one file is a single ``os.replace`` — readers see the old file or the new one, never a mix, never
half a file. The temporary file is written in the same directory (same filesystem, so the rename is
atomic), named ``.part-0.parquet.<random>.tmp`` so no reader glob (``part-*.parquet``) matches it,
and fsynced before the rename. ``year`` is not stored inside the files: it comes from the
partition directory (Hive partitioning), so a file can never disagree with its directory.

A year whose new content is identical to the current file's (the SHA-256 of the rows, recorded in
the footer as ``zhuansheng.content_sha256``) is left alone: re-importing the same data writes
nothing. Every writer first removes the temporary files a killed write left. Superseded versions
accumulate until ``zhuansheng lake gc`` (:func:`gc`) removes all but the newest
``lake_keep_superseded`` (default 3) of each year.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from zhuansheng import atomic, config, workspace
from zhuansheng.errors import InputRejected, ZhuanshengError

from .contract import CONTRACT_VERSION, FACT_COLUMNS, prepare_facts

if TYPE_CHECKING:
    import ibis

__all__ = [
    "FACTS_DIR",
    "PART_NAME",
    "SUPERSEDED_DIR",
    "GcEntry",
    "LakeError",
    "PartitionInfo",
    "all_files",
    "fact_files",
    "facts",
    "gc",
    "lake_info",
    "lake_root",
    "write_facts",
    "writer_lock",
]

FACTS_DIR = "enterprise_facts"
SUPERSEDED_DIR = "_superseded"
PART_NAME = "part-0.parquet"
META_PREFIX = "zhuansheng."
# Rows per Parquet row group. Readers split a file by row group, so a smaller group lets a year
# of Zhejiang's ~10^5 firms be read and evaluated by several threads instead of one.
ROW_GROUP_ROWS = 32_768


class LakeError(ZhuanshengError):
    """The lake could not be read or written (not a problem of the input)."""


def lake_root(lake: Path | str | None = None) -> Path:
    return Path(lake) if lake is not None else workspace.current().lake


def _partition(root: Path, year: int) -> Path:
    return root / FACTS_DIR / f"year={year}"


def _years_on_disk(root: Path) -> list[int]:
    base = root / FACTS_DIR
    if not base.is_dir():
        return []
    years = []
    for d in base.glob("year=*"):
        suffix = d.name.removeprefix("year=")
        if suffix.isdigit() and any(d.glob("part-*.parquet")):
            years.append(int(suffix))
    return sorted(years)


def fact_files(lake: Path | str | None = None, years: list[int] | None = None) -> list[Path]:
    """The current Parquet files (never temporary or superseded ones)."""
    root = lake_root(lake)
    wanted = _years_on_disk(root) if years is None else years
    return [f for y in wanted for f in sorted(_partition(root, y).glob("part-*.parquet"))]


def all_files(lake: Path | str | None = None) -> list[Path]:
    """Every file the lake holds (current and superseded facts, evaluation results), sorted:
    not the lock nor temporary files (names starting with a dot, in any folder)."""
    root = lake_root(lake)
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


# ---------------------------------------------------------------------------------------------
# Writing


@contextlib.contextmanager
def writer_lock(root: Path) -> Iterator[None]:
    """One writer at a time per lake (advisory lock; readers never need it)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "a+b") as fh:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            yield
            return
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _table_sha256(table: pa.Table) -> str:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue()).hexdigest()


def _content_sha256(part: pa.Table) -> str:
    """The hash of a year's rows as written (order, values, types; no file metadata)."""
    return _table_sha256(part.combine_chunks().replace_schema_metadata(None))


def _current_content(directory: Path) -> tuple[str, str] | None:
    """The content hash and synthetic flag of the year's current file, if it is the only one."""
    parts = list(directory.glob("part-*.parquet")) if directory.is_dir() else []
    if parts != [directory / PART_NAME]:
        return None
    try:
        kv = pq.read_metadata(parts[0]).metadata or {}
    except (OSError, pa.ArrowException):
        return None
    content = kv.get(f"{META_PREFIX}content_sha256".encode())
    if content is None:
        return None
    return content.decode(), kv.get(f"{META_PREFIX}synthetic".encode(), b"").decode()


def _remove_leftovers(root: Path) -> list[Path]:
    """Remove the temporary files of killed writes: every one among the facts (the caller holds
    the writer lock, so none is being written), and elsewhere in the lake those older than
    :data:`atomic.STALE_AFTER_S`."""
    removed = []
    for tmp in (root / FACTS_DIR).glob("year=*/.*.tmp"):
        tmp.unlink(missing_ok=True)
        removed.append(tmp)
    facts_dir = root / FACTS_DIR
    others = (f for f in root.rglob(".*.tmp") if facts_dir not in f.parents)
    return removed + atomic.remove_stale(others, atomic.STALE_AFTER_S)


def _stamp() -> str:
    return _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")


@dataclass
class _Staged:
    year: int
    tmp: Path | None
    final: Path
    created_dir: Path | None  # the partition directory, if this write created it
    superseded: Path | None = None
    old_files: tuple[Path, ...] = ()
    committed: bool = False


def _write_tmp(table: pa.Table, directory: Path, metadata: dict[str, str]) -> Path:
    tmp = atomic.temporary_name(directory / PART_NAME)
    schema = table.schema.with_metadata({**(table.schema.metadata or {}), **metadata})
    try:
        pq.write_table(
            table.replace_schema_metadata(schema.metadata),
            str(tmp),
            compression="zstd",
            row_group_size=ROW_GROUP_ROWS,
        )
        atomic.fsync_file(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _commit(stage: _Staged, root: Path, stamp: str) -> None:
    """Move the old part files aside (hard links, so nothing is copied), then rename the new one."""
    directory = stage.final.parent
    old = tuple(sorted(directory.glob("part-*.parquet")))
    if old:
        sup = root / SUPERSEDED_DIR / FACTS_DIR / directory.name / stamp
        sup.mkdir(parents=True, exist_ok=False)
        for f in old:
            atomic.keep_copy(f, sup / f.name)
        stage.superseded, stage.old_files = sup, old
    assert stage.tmp is not None
    atomic.publish(stage.tmp, stage.final, durable=False)  # the file is synced, the folder below
    stage.committed = True
    for f in old:
        if f != stage.final:
            f.unlink()  # extra parts left by hand: kept under _superseded, gone from the year
    atomic.fsync_dir(directory)


def _prune_empty(directory: Path, stop: Path) -> None:
    """Remove ``directory`` and its parents up to ``stop`` while they are empty."""
    while directory != stop and stop in directory.parents:
        if directory.exists():
            try:
                directory.rmdir()
            except OSError:
                return
        directory = directory.parent


def _rollback(stage: _Staged) -> None:
    """Undo one committed year: put the superseded files back (or remove a year that was new)."""
    if stage.superseded is not None:
        for f in stage.old_files:
            atomic.publish(stage.superseded / f.name, f)
        shutil.rmtree(stage.superseded, ignore_errors=True)
    else:
        stage.final.unlink(missing_ok=True)


def _discard(stage: _Staged, root: Path) -> None:
    """Remove what a failed write left: its temporary file and any directory it created."""
    if stage.tmp is not None:
        stage.tmp.unlink(missing_ok=True)
    if stage.superseded is not None:
        if not stage.committed:
            shutil.rmtree(stage.superseded, ignore_errors=True)
        _prune_empty(stage.superseded, root)
    if stage.created_dir is not None:
        _prune_empty(stage.created_dir, root)


@dataclass
class Written:
    paths: list[Path]  # the partition files written
    unchanged: list[int]  # years whose content was identical to the lake's: nothing written


def _write_prepared(
    table: pa.Table,
    *,
    lake: Path | str | None,
    source: str,
    sha256: str | None,
    synthetic: bool,
) -> Written:
    """Write a table already conformed to FACT_SCHEMA, one file per year, all or nothing; a
    year identical to the lake's current file is not written again."""
    root = lake_root(lake)
    sha = sha256 or _table_sha256(table)
    written_at = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    years = sorted(pc.unique(table["year"]).to_pylist())
    stages: list[_Staged] = []
    unchanged: list[int] = []
    flag = "true" if synthetic else "false"
    with writer_lock(root):
        _remove_leftovers(root)
        try:
            # Phase 1: every year's complete file under a temporary name.
            for year in years:
                part = table.filter(pc.equal(table["year"], year)).drop_columns(["year"])
                part = part.sort_by([("county_code", "ascending"), ("uscc", "ascending")])
                directory = _partition(root, year)
                content = _content_sha256(part)
                if _current_content(directory) == (content, flag):
                    unchanged.append(year)
                    continue
                created = None if directory.exists() else directory
                directory.mkdir(parents=True, exist_ok=True)
                stage = _Staged(year, None, directory / PART_NAME, created)
                stages.append(stage)
                stage.tmp = _write_tmp(
                    part,
                    directory,
                    {
                        f"{META_PREFIX}source": source,
                        f"{META_PREFIX}sha256": sha,
                        f"{META_PREFIX}synthetic": flag,
                        f"{META_PREFIX}content_sha256": content,
                        f"{META_PREFIX}written_at": written_at,
                        f"{META_PREFIX}contract_version": CONTRACT_VERSION,
                        f"{META_PREFIX}year": str(year),
                        f"{META_PREFIX}rows": str(part.num_rows),
                    },
                )
            # Phase 2: the renames, back to back; a failure puts earlier years back.
            stamp = _stamp()
            for stage in stages:
                _commit(stage, root, stamp)
        except BaseException as exc:
            undo_failed = []
            for stage in reversed(stages):
                if stage.committed:
                    try:
                        _rollback(stage)
                    except OSError:
                        undo_failed.append(stage)
                _discard(stage, root)
            if isinstance(exc, OSError):
                kept = ""
                if undo_failed:
                    kept = "；旧版本保存在 " + ", ".join(str(s.superseded) for s in undo_failed)
                raise LakeError(
                    f"写入数据湖失败，已撤销本次写入{kept} (write failed, rolled back): {exc}"
                ) from exc
            raise
    return Written([s.final for s in stages], unchanged)


def write_facts(
    table: pa.Table,
    *,
    lake: Path | None = None,
    source: str,
    sha256: str | None = None,
    synthetic: bool = False,
) -> list[Path]:
    """Validate ``table`` against the contract and write it, one file per year.

    Raises :class:`InputRejected` (nothing written) if the table breaks the contract. A year
    already in the lake is replaced as a whole; its previous file is kept under ``_superseded``
    (a year whose rows are identical to the current file's is not written, nor returned).
    ``sha256`` is the hash of the input file; without one, the hash of the table's Arrow IPC
    stream is recorded. Returns the partition files written.
    """
    prepared = prepare_facts(table, source_name=source)
    if prepared.table is None:
        raise InputRejected(source, prepared.problems)
    return _write_prepared(
        prepared.table, lake=lake, source=source, sha256=sha256, synthetic=synthetic
    ).paths


# ---------------------------------------------------------------------------------------------
# Reading


def facts(
    con: ibis.BaseBackend | None = None,
    *,
    lake: Path | None = None,
    years: list[int] | None = None,
) -> ibis.Table:
    """The facts as an Ibis table over the Parquet files, columns in contract order.

    ``year`` comes from the partition path. ``years`` restricts the files read; asking for a
    year the lake does not hold is an error (rather than silently fewer rows).
    """
    from .backend import connect

    root = lake_root(lake)
    on_disk = _years_on_disk(root)
    if not on_disk:
        raise LakeError(
            f"数据湖 {root} 中还没有企业数据，请先运行 `zhuansheng import enterprises 文件` "
            "(the lake has no enterprise facts yet)"
        )
    if years is not None:
        absent = sorted(set(years) - set(on_disk))
        if absent:
            raise LakeError(
                f"数据湖中没有 {', '.join(map(str, absent))} 年的数据；现有年度："
                f"{', '.join(map(str, on_disk))} (year not in the lake)"
            )
    con = con or connect()
    base = root.resolve() / FACTS_DIR
    if years is None:
        paths = [str(base / "year=*" / "part-*.parquet")]
    else:
        paths = [str(base / f"year={y}" / "part-*.parquet") for y in sorted(set(years))]
    # union_by_name: files written under an older contract version lack newer columns (→ NULL).
    table = con.read_parquet(paths, hive_partitioning=True, union_by_name=True)
    table = table.mutate(year=table.year.cast("int32"))
    return table.select(*FACT_COLUMNS)


@dataclass(frozen=True)
class PartitionInfo:
    year: int
    path: Path
    rows: int
    bytes: int
    source: str
    sha256: str
    synthetic: bool
    written_at: str
    contract_version: str
    superseded_versions: int


def lake_info(lake: Path | None = None) -> list[PartitionInfo]:
    """One entry per current partition file, from the Parquet footers (no data is read)."""
    root = lake_root(lake)
    out = []
    for path in fact_files(root):
        year = int(path.parent.name.removeprefix("year="))
        meta = pq.read_metadata(path)
        kv = {k.decode(): v.decode() for k, v in (meta.metadata or {}).items()}
        sup = root / SUPERSEDED_DIR / FACTS_DIR / path.parent.name
        versions = sum(1 for d in sup.iterdir() if d.is_dir()) if sup.is_dir() else 0
        out.append(
            PartitionInfo(
                year=year,
                path=path,
                rows=meta.num_rows,
                bytes=path.stat().st_size,
                source=kv.get(f"{META_PREFIX}source", ""),
                sha256=kv.get(f"{META_PREFIX}sha256", ""),
                synthetic=kv.get(f"{META_PREFIX}synthetic") == "true",
                written_at=kv.get(f"{META_PREFIX}written_at", ""),
                contract_version=kv.get(f"{META_PREFIX}contract_version", ""),
                superseded_versions=versions,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# Retention


@dataclass(frozen=True)
class GcEntry:
    kind: str  # "superseded" (an old version of a year) or "temporary" (a killed write's file)
    year: int | None
    path: Path
    bytes: int


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def gc(
    lake: Path | None = None, *, keep: int | None = None, dry_run: bool = False
) -> list[GcEntry]:
    """Remove the superseded versions of each year beyond the newest ``keep`` (default: the
    ``lake_keep_superseded`` setting, 3) and the temporary files of killed writes; with
    ``dry_run`` only say what would go. Current files are never touched."""
    root = lake_root(lake)
    if keep is None:
        keep = config.settings().lake_keep_superseded
    if keep < 0:
        raise ZhuanshengError(f"保留版本数不能为负数：{keep} (keep must be >= 0)")
    if not root.is_dir():
        return []
    out: list[GcEntry] = []
    with writer_lock(root):
        facts_dir = root / FACTS_DIR
        for tmp in sorted(root.rglob(".*.tmp")):
            inside = facts_dir in tmp.parents
            if inside or time.time() - tmp.stat().st_mtime > atomic.STALE_AFTER_S:
                year = _year_of(tmp.parent.name) if inside else None
                out.append(GcEntry("temporary", year, tmp, tmp.stat().st_size))
        base = root / SUPERSEDED_DIR / FACTS_DIR
        for year_dir in sorted(base.glob("year=*")) if base.is_dir() else []:
            versions = sorted(d for d in year_dir.iterdir() if d.is_dir())
            old = versions[: max(len(versions) - keep, 0)]
            out += [GcEntry("superseded", _year_of(year_dir.name), d, _size(d)) for d in old]
        if not dry_run:
            for entry in out:
                if entry.path.is_dir():
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    entry.path.unlink(missing_ok=True)
    return out


def _year_of(name: str) -> int | None:
    suffix = name.removeprefix("year=")
    return int(suffix) if suffix.isdigit() else None
