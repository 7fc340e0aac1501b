"""Report files: names, atomic writing, and the listing the web app shows."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from zhuansheng import atomic

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
    """Render every file to a temporary name in ``out_dir`` (``.~<batch>…tmp``); on any error
    the temporary files are removed. Nothing has a final name until :func:`commit`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staged: Staged = []
    try:
        for final, render in jobs:
            tmp = atomic.temporary_name(final, prefix=f".~{batch}")
            tmp.touch(exist_ok=False)
            staged.append((tmp, final))
            render(tmp)
    except BaseException:
        discard(staged)
        raise
    return staged


def discard(staged: Staged) -> None:
    for tmp, _ in staged:
        tmp.unlink(missing_ok=True)


def commit(staged: Staged) -> list[Path]:
    """Give every staged file its final name, all or none (see :func:`atomic.publish_all`)."""
    return atomic.publish_all(staged)


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
