"""``zhuansheng lake``: what the enterprise lake holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .output import Format, emit

app = typer.Typer(help="企业数据湖 (enterprise lake).", no_args_is_help=True)


Lake = Annotated[
    Path | None, typer.Option("--lake", help="数据湖目录（默认 $ZHUANSHENG_LAKE 或 ./var/lake）")
]
Fmt = Annotated[Format, typer.Option("--format", "-f", help="输出格式 table|csv|json")]


@app.command()
def info(lake: Lake = None, fmt: Fmt = Format.table) -> None:
    """各年度分区：行数、文件大小、来源文件、sha256、是否合成数据、写入时间、被替换的旧版本数。"""
    from dataclasses import asdict

    from zhuansheng.lake import lake_info, lake_root

    parts = lake_info(lake)
    rows = [{**asdict(p), "path": str(p.path)} for p in parts]
    cols = ["year", "rows", "bytes", "source", "sha256", "synthetic", "written_at",
            "contract_version", "superseded_versions", "path"]  # fmt: skip
    emit(rows, cols, fmt, title=f"数据湖 {lake_root(lake)} (enterprise_facts)")
