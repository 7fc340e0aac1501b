"""Writing a file so that it appears whole or not at all.

Every file the project writes for others to read (lake partitions, evaluation snapshots, reports,
templates, cached plans, the secret key) goes through here: the content is written to a temporary
name in the same folder (same filesystem, so the rename is atomic), flushed to disk, renamed over
the final name, and the folder is flushed so that the rename survives a crash. A reader sees the
old file or the new one, never half of one. Temporary names start with a dot, so no reader glob
(``part-*.parquet``, ``*.docx``) ever matches them.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

__all__ = [
    "STALE_AFTER_S",
    "TEMP_PREFIXES",
    "clean_stale_temp",
    "fsync_dir",
    "fsync_file",
    "keep_copy",
    "publish",
    "publish_all",
    "remove_stale",
    "replacing",
    "safe_name",
    "temporary_name",
    "write_bytes",
    "write_text",
]


def temporary_name(final: Path, prefix: str = ".") -> Path:
    """A fresh name beside ``final`` for its content while it is written."""
    return final.parent / f"{prefix}{final.name}.{uuid.uuid4().hex}.tmp"


def fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def publish(tmp: Path, final: Path, *, durable: bool = True) -> None:
    """Give the written file ``tmp`` the name ``final`` in one step."""
    if durable:
        fsync_file(tmp)
    os.replace(tmp, final)
    if durable:
        fsync_dir(final.parent)


def keep_copy(path: Path, copy: Path) -> None:
    """A second name for ``path`` (a hard link, so nothing is copied where links exist)."""
    try:
        os.link(path, copy)
    except OSError:  # filesystems without hard links
        shutil.copy2(path, copy)


@contextlib.contextmanager
def replacing(
    final: Path, *, mode: int | None = None, durable: bool = True, prefix: str = "."
) -> Iterator[Path]:
    """Yield a temporary path to write ``final``'s new content to; when the block ends normally
    the file takes the final name, when it raises the temporary file is removed and whatever was
    at ``final`` stays as it was. ``mode`` creates the (empty) temporary file with those
    permissions first, so that the content is never readable by others, not even for a moment."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_name(final, prefix)
    try:
        if mode is not None:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
        yield tmp
        publish(tmp, final, durable=durable)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(final: Path, data: bytes, *, mode: int | None = None, durable: bool = True) -> Path:
    with replacing(final, mode=mode, durable=durable) as tmp:
        tmp.write_bytes(data)
    return final


def write_text(
    final: Path,
    text: str,
    *,
    encoding: str = "utf-8",
    mode: int | None = None,
    durable: bool = True,
) -> Path:
    with replacing(final, mode=mode, durable=durable) as tmp:
        tmp.write_text(text, encoding=encoding)
    return final


def publish_all(staged: Sequence[tuple[Path, Path]]) -> list[Path]:
    """Give every written file ``(temporary, final)`` its final name, all or none: if one rename
    fails, the files renamed before it are removed or put back as they were, and every temporary
    file is removed."""
    done: list[tuple[Path, Path | None]] = []
    try:
        for tmp, final in staged:
            backup = None
            if final.is_file():
                backup = final.with_name(f".~{uuid.uuid4().hex}.old")
                keep_copy(final, backup)
            try:
                publish(tmp, final)
            except BaseException:
                if backup is not None:
                    backup.unlink(missing_ok=True)
                raise
            done.append((final, backup))
    except BaseException:
        for final, backup in reversed(done):
            if backup is None:
                final.unlink(missing_ok=True)
            else:
                os.replace(backup, final)
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for _, backup in done:
        if backup is not None:
            backup.unlink(missing_ok=True)
    return [final for _, final in staged]


# ---------------------------------------------------------------------------------------------
# Private temporary folders and leftovers

# The prefixes of this application's private folders in the system's temporary folder (uploads,
# generated templates and workbooks). Each is removed when its request ends; a process killed
# meanwhile leaves one behind, which clean_stale_temp removes at the next start.
TEMP_PREFIXES = ("zs-upload-", "zs-template-", "zs-alloc-", "zs-cases-", "zs-major-")
STALE_AFTER_S = 3600.0  # a leftover older than this cannot belong to a running request

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")  # the rest is escaped wherever a name is shown


def safe_name(filename: str | None, default: str = "upload") -> str:
    """A client's file name reduced to a safe base name: the last path component (``/`` or
    ``\\``), without control characters, never ``.`` or ``..`` (then ``default``), at
    most 120 characters keeping the extension."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip()
    if not base.strip(". "):  # "", ".", "..", "..."
        return default
    if len(base) > 120:
        stem, dot, ext = base.rpartition(".")
        base = stem[: 120 - len(ext) - 1] + dot + ext if dot and len(ext) <= 10 else base[:120]
    return base


def remove_stale(paths: Sequence[Path] | Iterator[Path], max_age_s: float) -> list[Path]:
    """Remove each of ``paths`` (file or folder) last modified more than ``max_age_s`` seconds
    ago; the ones removed."""
    now = time.time()
    removed = []
    for path in paths:
        try:
            if now - path.lstat().st_mtime <= max_age_s:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            continue  # gone meanwhile, or not ours to remove
        removed.append(path)
    return removed


def clean_stale_temp(folder: Path | None = None, max_age_s: float = STALE_AFTER_S) -> list[Path]:
    """Remove this application's private temporary folders (:data:`TEMP_PREFIXES`) older than
    ``max_age_s`` from ``folder`` (the system's temporary folder by default)."""
    base = Path(folder or tempfile.gettempdir())
    try:
        entries = [p for p in base.iterdir() if p.name.startswith(TEMP_PREFIXES)]
    except OSError:
        return []
    return remove_stale(entries, max_age_s)
