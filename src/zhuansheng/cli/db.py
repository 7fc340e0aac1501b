"""``zhuansheng db``: create or upgrade the operational store and load reference data into it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from zhuansheng import workspace

from .lazy import lazy
from .output import Format, console, console_err, emit

reference = lazy("zhuansheng.reference")
store = lazy("zhuansheng.store")
backups = lazy("zhuansheng.backup")

app = typer.Typer(
    help="业务数据库：升级、载入参考数据、备份与恢复 (operational store).", no_args_is_help=True
)


@app.command()
def upgrade() -> None:
    """创建或升级数据库结构到最新版本 (create or migrate the schema)。"""
    rev = store.upgrade()
    console.print(f"数据库已是最新版本 {rev} ({_safe_url()})")


@app.command()
def seed() -> None:
    """载入行政区划、行业、试点名单与全部年度工作要点 (reference data and programmes)。"""
    store.upgrade()
    counts = store.seed()
    console.print("已载入 (loaded): " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@app.command("load-pilots")
def load_pilots(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="试点名单 CSV"),
) -> None:
    """以文件替换试点名单（如官方公布的 48 个分行业省级试点）(replace the pilot list)。

    列与 `zhuansheng ref pilots --format csv` 的输出相同；整份文件校验通过才写入。
    """
    pilots = reference.read_pilots_file(file)
    store.upgrade()
    store.load_pilots(pilots)
    console.print(f"试点名单已替换：{len(pilots)} 个 (pilots replaced from {file.name})")


@app.command()
def info(fmt: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """数据库位置、版本与各表行数 (where the store is, its revision, row counts)。"""
    rows = [{"table": name, "rows": n} for name, n in store.table_counts().items()]
    if fmt is Format.table:
        console.print(f"数据库 {_safe_url()}  版本 {store.current_revision()}")
    emit(rows, ["table", "rows"], fmt, title="表 tables")


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(workspace.current().database_url).render_as_string(hide_password=True)


def _progress(show: bool):  # type: ignore[no-untyped-def]
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=console_err,
        disable=not show,
    )


def _reporter(bar):  # type: ignore[no-untyped-def]
    tasks: dict[str, object] = {}

    def report(what: str, done: int, total: int) -> None:
        if what not in tasks:
            tasks[what] = bar.add_task(what, total=total)
        bar.update(tasks[what], completed=done, total=total)

    return report


@app.command()
def backup(
    output: Path = typer.Option(..., "--output", "-o", help="备份文件 (backup file, .zip)"),
    fmt: Format = typer.Option(Format.table, "--format", "-f"),
) -> None:
    """备份数据库与数据湖到一个文件（运行中也可备份）(back up the store and the lake)。"""
    with _progress(fmt is Format.table) as bar:
        made = backups.create(output, progress=_reporter(bar))
    summary = {
        "file": str(output),
        "bytes": output.stat().st_size,
        "created_at": made["created_at"],
        "backend": made["backend"],
        "revision": made["revision"],
        "rows": sum(made["tables"].values()),
        "lake_files": len(made["lake"]),
        "lake_bytes": sum(e["bytes"] for e in made["lake"]),
        "tables": made["tables"],
    }
    _show(summary, fmt, f"已备份到 {output} (backed up)")


@app.command()
def restore(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="备份文件 (backup file)"),
    force: bool = typer.Option(
        False, "--force", help="覆盖已有数据的数据库与数据湖 (replace a store that has data)"
    ),
    fmt: Format = typer.Option(Format.table, "--format", "-f"),
) -> None:
    """从备份文件恢复数据库与数据湖（先校验清单与 SHA-256）(restore a backup)。"""
    with _progress(fmt is Format.table) as bar:
        done = backups.restore(file, force=force, progress=_reporter(bar))
    _show(done, fmt, f"已从 {file} 恢复 (restored)")


def _show(summary: dict, fmt: Format, headline: str) -> None:
    if fmt is Format.json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        return
    console.print(headline)
    for key, value in summary.items():
        if key != "tables":
            console.print(f"  {key}: {value}")
    rows = [{"table": name, "rows": n} for name, n in summary["tables"].items()]
    emit(rows, ["table", "rows"], fmt, title="表 tables")
