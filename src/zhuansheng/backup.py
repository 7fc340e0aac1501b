"""One backup file for a workspace: the store's dump, the lake's files and a manifest.

The file is a zip archive::

    manifest.json                    format version, created at, backend, schema revision,
                                     rows per table, every file with its size and SHA-256
    store/zhuansheng.db              SQLite: a copy made with the online backup API
    store/zhuansheng.pgdump          PostgreSQL: pg_dump --format=custom
    lake/<path in the lake>          every lake file (facts, superseded facts, evaluations)

The store is copied as one snapshot while writers go on (:mod:`zhuansheng.store.dump`); the lake's
files are never changed once written (a re-import writes a new file), so copying the current ones
is consistent with the manifest, which hashes what was copied. The archive is written under a
temporary name and renamed when complete.

Restoring checks the manifest first: every file is extracted to a hidden folder and its hash
compared before the store or the lake is touched; a store that has data, or a lake that has
files, is replaced only when asked (``force``).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import shutil
import uuid
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO, Any

from zhuansheng import atomic, workspace
from zhuansheng.errors import Conflict, ZhuanshengError
from zhuansheng.lake import store as lake_store
from zhuansheng.store import dump as store_dump
from zhuansheng.store import migrate
from zhuansheng.workspace import Workspace

__all__ = ["FORMAT", "FORMAT_VERSION", "BackupError", "Progress", "create", "manifest", "restore"]

FORMAT = "zhuansheng-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
STORE_FILES = {"sqlite": "store/zhuansheng.db", "postgresql": "store/zhuansheng.pgdump"}
LAKE_PREFIX = "lake/"
CHUNK = 1 << 20

# description, bytes done, bytes in all
Progress = Callable[[str, int, int], None]


class BackupError(ZhuanshengError):
    """The backup could not be written, or the file is not a backup this version can restore."""


def _no_progress(_what: str, _done: int, _total: int) -> None:
    pass


def _copy(source: IO[bytes], target: IO[bytes], advance: Callable[[int], None]) -> str:
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        target.write(chunk)
        advance(len(chunk))
    return digest.hexdigest()


class _Counter:
    def __init__(self, what: str, total: int, progress: Progress) -> None:
        self.what, self.total, self.done, self.progress = what, total, 0, progress
        progress(what, 0, total)

    def __call__(self, n: int) -> None:
        self.done += n
        self.progress(self.what, self.done, self.total)


# ---------------------------------------------------------------------------------------------
# Writing a backup


def create(output: Path, *, ws: Workspace | None = None, progress: Progress | None = None) -> dict:
    """Write the workspace's store and lake to the backup file ``output``; returns the manifest."""
    ws = workspace.resolve(ws)
    progress = progress or _no_progress
    output = Path(output)
    backend = store_dump.backend(ws.database_url)
    if backend not in STORE_FILES:
        raise BackupError(f"不支持备份此类数据库：{backend} (unsupported backend)")
    lake_root = lake_store.lake_root(ws.lake)
    output.parent.mkdir(parents=True, exist_ok=True)
    with atomic.replacing(output) as tmp:
        staging = output.parent / f".{output.name}.{uuid.uuid4().hex}.store"
        staging.mkdir()
        try:
            progress("导出数据库 (store)", 0, 1)
            dumped = store_dump.dump(ws.database_url, staging / Path(STORE_FILES[backend]).name)
            progress("导出数据库 (store)", 1, 1)
            files = lake_store.all_files(lake_root)
            total = dumped.path.stat().st_size + sum(_size(p) for p in files)
            count = _Counter("写入备份文件 (archive)", total, progress)
            with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
                store_entry = _add(
                    zf, STORE_FILES[backend], dumped.path, count, compress=backend == "sqlite"
                )
                lake_entries = []
                for path in files:
                    name = path.relative_to(lake_root).as_posix()
                    try:
                        entry = _add(zf, LAKE_PREFIX + name, path, count, compress=False)
                    except FileNotFoundError:  # replaced and pruned meanwhile: no longer current
                        continue
                    lake_entries.append({**entry, "path": name})
                made = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
                    "backend": backend,
                    "revision": dumped.revision,
                    "store": store_entry,
                    "tables": dumped.tables,
                    "lake": lake_entries,
                }
                zf.writestr(MANIFEST, json.dumps(made, ensure_ascii=False, indent=2))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return made


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _add(
    zf: zipfile.ZipFile, name: str, path: Path, count: _Counter, *, compress: bool
) -> dict[str, Any]:
    """Copy ``path`` into the archive as ``name``, hashing what was copied (one open file: a
    rename meanwhile does not change what is read)."""
    info = zipfile.ZipInfo(name, date_time=_dt.datetime.now().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    size = 0

    def advance(n: int) -> None:
        nonlocal size
        size += n
        count(n)

    with open(path, "rb") as source, zf.open(info, "w", force_zip64=True) as target:
        sha = _copy(source, target, advance)
    return {"path": name, "bytes": size, "sha256": sha}


# ---------------------------------------------------------------------------------------------
# Reading and restoring


def manifest(archive: Path) -> dict:
    """The manifest of the backup file ``archive`` (checked for format and version)."""
    with _open(archive) as zf:
        return _manifest(zf, archive)


def _open(archive: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"{archive} 不是有效的备份文件（{exc}）(not a backup file)") from exc


def _manifest(zf: zipfile.ZipFile, archive: Path) -> dict:
    try:
        made = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except (KeyError, ValueError, zipfile.BadZipFile, zlib.error) as exc:
        raise BackupError(f"{archive} 缺少可读的清单 {MANIFEST}，不是有效的备份文件") from exc
    if not isinstance(made, dict) or made.get("format") != FORMAT:
        raise BackupError(f"{archive} 不是转升平台的备份文件 (not a Zhuansheng backup)")
    if made.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{archive} 的备份格式版本为 {made.get('format_version')}，本版本只能恢复 "
            f"{FORMAT_VERSION} 版 (unsupported backup format version)"
        )
    if (
        made.get("backend") not in STORE_FILES
        or not isinstance(made.get("lake"), list)
        or not isinstance(made.get("tables"), dict)
        or (made.get("store") or {}).get("path") != STORE_FILES[made["backend"]]
    ):
        raise BackupError(f"{archive} 的清单不完整 (incomplete manifest)")
    for entry in made["lake"]:
        _safe(entry.get("path", ""), archive)
    return made


def _safe(name: str, archive: Path) -> PurePosixPath:
    """A lake path from the manifest, refused if it could leave the lake folder."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\\" in name:
        raise BackupError(f"{archive} 的清单含非法路径 {name!r} (unsafe path in the manifest)")
    return path


def _extract(
    zf: zipfile.ZipFile, member: str, entry: dict, target: Path, count: _Counter, archive: Path
) -> None:
    """Extract one member to ``target``, refusing it unless its size and hash are the manifest's
    ``entry``'s."""
    target.parent.mkdir(parents=True, exist_ok=True)
    expected = int(entry.get("bytes", 0))
    written = 0

    def advance(n: int) -> None:
        nonlocal written
        written += n
        if written > expected:  # never unpack more than the manifest announces
            raise BackupError(
                f"备份文件 {archive} 中的 {member} 比清单所记大小大：备份已损坏或被改动，"
                "未做任何恢复 (larger than the manifest says)"
            )
        count(n)

    try:
        with zf.open(member) as source, open(target, "wb") as out:
            sha = _copy(source, out, advance)
    except KeyError as exc:
        raise BackupError(f"备份文件 {archive} 缺少 {member}：备份不完整，未做任何恢复") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise BackupError(
            f"备份文件 {archive} 中的 {member} 已损坏（{exc}）：未做任何恢复 (corrupted backup)"
        ) from exc
    if sha != entry.get("sha256") or target.stat().st_size != entry.get("bytes"):
        raise BackupError(
            f"备份文件 {archive} 中的 {member} 与清单不符（SHA-256 校验失败），"
            "备份已损坏或被改动：未做任何恢复 (checksum mismatch, nothing restored)"
        )


def restore(
    archive: Path,
    *,
    ws: Workspace | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> dict:
    """Restore the backup file ``archive`` into the workspace's store and lake; returns what was
    restored. Refused, with nothing written, if the file does not match its manifest, or if the
    store has data or the lake has files and ``force`` is not given."""
    ws = workspace.resolve(ws)
    progress = progress or _no_progress
    archive = Path(archive)
    url = ws.database_url
    lake_root = lake_store.lake_root(ws.lake)
    with _open(archive) as zf:
        made = _manifest(zf, archive)
        backend = store_dump.backend(url)
        if made["backend"] != backend:
            raise BackupError(
                f"备份来自 {made['backend']} 数据库，而当前配置的是 {backend} 数据库："
                "请配置同类数据库后再恢复 (backend mismatch)"
            )
        revision = made.get("revision")
        if revision is not None and not migrate.known_revision(revision):
            raise BackupError(
                f"备份的数据库结构版本 {revision} 比本程序新（或不认识）：请用生成备份的版本"
                "或更新的版本恢复 (unknown schema revision)"
            )
        if not force:
            _refuse_overwrite(url, backend, lake_root)
        created_root = not lake_root.exists()
        lake_root.mkdir(parents=True, exist_ok=True)
        staging = lake_root / f".restore-{uuid.uuid4().hex}"
        try:
            with lake_store.writer_lock(lake_root):
                staged = _stage(zf, made, staging, lake_root, progress, archive)
                progress("恢复数据库 (store)", 0, 1)
                store_dump.restore(url, _store_file(staging, made), backend)
                progress("恢复数据库 (store)", 1, 1)
                progress("恢复数据湖 (lake)", 0, 1)
                atomic.publish_all(staged)
                kept = {final for _, final in staged}
                removed = [p for p in lake_store.all_files(lake_root) if p not in kept]
                for path in removed:  # only with force: the lake becomes the backup's
                    path.unlink(missing_ok=True)
                progress("恢复数据湖 (lake)", 1, 1)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            if created_root:
                shutil.rmtree(lake_root, ignore_errors=True)
            raise
        shutil.rmtree(staging, ignore_errors=True)
    restored = store_dump.counts(url)
    wrong = {t: (n, restored.get(t)) for t, n in made["tables"].items() if restored.get(t) != n}
    if wrong:
        raise BackupError(f"恢复后的行数与清单不符：{wrong} (row counts differ after restore)")
    return {
        "archive": str(archive),
        "created_at": made["created_at"],
        "backend": backend,
        "revision": revision,
        "database": store_dump.safe_url(url),
        "lake": str(lake_root),
        "tables": made["tables"],
        "rows": sum(made["tables"].values()),
        "lake_files": len(made["lake"]),
        "lake_bytes": sum(e["bytes"] for e in made["lake"]),
        "lake_files_removed": len(removed),
    }


def _refuse_overwrite(url: str, backend: str, lake_root: Path) -> None:
    exists = backend == "postgresql" or store_dump.sqlite_file_exists(url)
    if exists and store_dump.has_data(url):
        raise Conflict(
            f"目标数据库 {store_dump.safe_url(url)} 已有数据，恢复会覆盖它：确认要覆盖时加 "
            "--force，或先配置一个空数据库 (the store has data; use --force to replace it)"
        )
    if lake_store.all_files(lake_root):
        raise Conflict(
            f"目标数据湖 {lake_root} 已有文件，恢复会替换它们：确认要覆盖时加 --force "
            "(the lake has files; use --force to replace them)"
        )


def _stage(
    zf: zipfile.ZipFile,
    made: dict,
    staging: Path,
    lake_root: Path,
    progress: Progress,
    archive: Path,
) -> list[tuple[Path, Path]]:
    """Extract and check every file into the hidden folder ``staging``; returns the lake's
    (staged, final) pairs."""
    entries = [made["store"], *made["lake"]]
    total = sum(int(e.get("bytes", 0)) for e in entries)
    count = _Counter("校验并解出备份 (verify)", total, progress)
    _extract(zf, made["store"]["path"], made["store"], _store_file(staging, made), count, archive)
    staged = []
    for i, entry in enumerate(made["lake"]):
        tmp = staging / "lake" / str(i)
        _extract(zf, LAKE_PREFIX + entry["path"], entry, tmp, count, archive)
        staged.append((tmp, lake_root / _safe(entry["path"], archive)))
    for _, final in staged:
        final.parent.mkdir(parents=True, exist_ok=True)
    return staged


def _store_file(staging: Path, made: dict) -> Path:
    return staging / "store" / Path(made["store"]["path"]).name
