"""Report files: names, atomic writing, and the listing the web app shows."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
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


def write_all(out_dir: Path, jobs: Sequence[tuple[Path, Callable[[Path], None]]]) -> list[Path]:
    """Render every file to a temporary name in ``out_dir``, then rename them all; on any error
    the temporary files are removed and no file of the set appears."""
    out_dir.mkdir(parents=True, exist_ok=True)
    done: list[tuple[Path, Path]] = []
    try:
        for final, render in jobs:
            fd, tmp = tempfile.mkstemp(prefix=".~", suffix=final.suffix + ".part", dir=out_dir)
            os.close(fd)
            done.append((Path(tmp), final))
            render(Path(tmp))
    except BaseException:
        for tmp, _ in done:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, final in done:
        os.replace(tmp, final)
    return [final for _, final in done]


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
