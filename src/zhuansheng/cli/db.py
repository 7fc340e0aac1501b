"""``zhuansheng db``: create or upgrade the operational store and load reference data into it."""

from __future__ import annotations

from pathlib import Path

import typer

from zhuansheng import workspace

from .lazy import lazy
from .output import Format, console, emit

reference = lazy("zhuansheng.reference")
store = lazy("zhuansheng.store")

app = typer.Typer(help="业务数据库：升级、载入参考数据 (operational store).", no_args_is_help=True)


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
