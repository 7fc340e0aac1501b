"""``zhuansheng lake``: what the enterprise lake holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .output import Format, console, emit

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


@app.command()
def gc(
    keep: Annotated[
        int | None,
        typer.Option(
            "--keep",
            min=0,
            help="每个年度保留的旧版本数（默认 $ZHUANSHENG_LAKE_KEEP_SUPERSEDED 或 3）",
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只列出将删除的内容，不删除")] = False,
    lake: Lake = None,
    fmt: Fmt = Format.table,
) -> None:
    """清理数据湖：删除每个年度最近几个以外的旧版本（_superseded）和中断写入留下的临时文件。

    Removes the superseded versions of each year beyond the newest KEEP and the temporary files
    of killed writes; the current files are never touched. --dry-run only lists them.
    """
    from zhuansheng.lake import gc as lake_gc
    from zhuansheng.lake import lake_root

    entries = lake_gc(lake, keep=keep, dry_run=dry_run)
    rows = [
        {"kind": e.kind, "year": e.year, "bytes": e.bytes, "path": str(e.path)} for e in entries
    ]
    total = sum(e.bytes for e in entries)
    emit(rows, ["kind", "year", "bytes", "path"], fmt, title=f"数据湖 {lake_root(lake)}")
    if fmt is Format.table:
        verb = "将删除" if dry_run else "已删除"
        note = "（试运行，未删除）(dry run, nothing removed)" if dry_run else " (removed)"
        console.print(f"{verb} {len(entries)} 项，共 {total} 字节{note}", highlight=False)
