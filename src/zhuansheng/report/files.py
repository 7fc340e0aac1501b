"""Report files: names, atomic writing, and the listing the web app shows."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import ReportConfig, default_config

FORMATS = ("docx", "pdf", "xlsx")
SYNTHETIC_SUFFIX = "（合成演示数据）"


def stem(
    kind: str, period: str, region: str, region_name: str, synthetic: bool, cfg: ReportConfig
) -> str:
    suffix = SYNTHETIC_SUFFIX if synthetic else ""
    return f"{cfg.file_names[kind]}-{period}-{region}-{region_name}{suffix}"


Staged = list[tuple[Path, Path]]  # (temporary file, final name)


def render_all(
    out_dir: Path, jobs: Sequence[tuple[Path, Callable[[Path], None]]], batch: str = ""
) -> Staged:
    """Render every file to a temporary name in ``out_dir`` (``.~<batch>…part``); on any error
    the temporary files are removed. Nothing has a final name until :func:`commit`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staged: Staged = []
    try:
        for final, render in jobs:
            fd, tmp = tempfile.mkstemp(
                prefix=f".~{batch}", suffix=final.suffix + ".part", dir=out_dir
            )
            os.close(fd)
            staged.append((Path(tmp), final))
            render(Path(tmp))
    except BaseException:
        discard(staged)
        raise
    return staged


def discard(staged: Staged) -> None:
    for tmp, _ in staged:
        tmp.unlink(missing_ok=True)


def _aside(final: Path) -> Path | None:
    """A second name for the file ``final`` is about to replace, so that it can be put back."""
    if not final.is_file():
        return None
    backup = final.with_name(f".~{uuid.uuid4().hex}.old")
    try:
        os.link(final, backup)
    except OSError:  # filesystems without hard links
        shutil.copy2(final, backup)
    return backup


def commit(staged: Staged) -> list[Path]:
    """Give every staged file its final name, all or none: if one rename fails, the files
    renamed before it are removed or put back as they were, and every temporary is removed."""
    done: list[tuple[Path, Path | None]] = []
    try:
        for tmp, final in staged:
            backup = _aside(final)
            try:
                os.replace(tmp, final)
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
        discard(staged)
        raise
    for _, backup in done:
        if backup is not None:
            backup.unlink(missing_ok=True)
    return [final for _, final in staged]


@dataclass(frozen=True)
class ReportFile:
    path: Path
    kind: str  # monthly | quarterly | annual
    kind_zh: str
    period: str
    region: str
    region_name: str
    format: str
    synthetic: bool
    size: int
    modified: dt.datetime


def list_reports(out_dir: Path, cfg: ReportConfig | None = None) -> list[ReportFile]:
    """The reports in ``out_dir`` (files named as this module names them), newest period first."""
    cfg = cfg or default_config()
    kinds = {v: k for k, v in cfg.file_names.items()}
    pattern = re.compile(
        r"^(?P<kind>[^-]+)-(?P<period>\d{4}(?:-\d{2}|Q[1-4])?)-(?P<region>\d{6})-"
        r"(?P<name>.+?)(?P<synthetic>"
        + re.escape(SYNTHETIC_SUFFIX)
        + r")?\.(?P<fmt>docx|pdf|xlsx)$"
    )
    out = []
    if not Path(out_dir).is_dir():
        return []
    for path in Path(out_dir).iterdir():
        m = pattern.match(path.name)
        if not m or m["kind"] not in kinds or not path.is_file():
            continue
        stat = path.stat()
        out.append(
            ReportFile(
                path=path,
                kind=kinds[m["kind"]],
                kind_zh=m["kind"],
                period=m["period"],
                region=m["region"],
                region_name=m["name"],
                format=m["fmt"],
                synthetic=bool(m["synthetic"]),
                size=stat.st_size,
                modified=dt.datetime.fromtimestamp(stat.st_mtime),
            )
        )
    order = {k: i for i, k in enumerate(FORMATS)}
    out.sort(key=lambda f: (f.period, f.kind, f.region, order[f.format]))
    out.sort(key=lambda f: f.period, reverse=True)
    return out
