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
import shutil
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

__all__ = [
    "fsync_dir",
    "fsync_file",
    "keep_copy",
    "publish",
    "publish_all",
    "replacing",
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
