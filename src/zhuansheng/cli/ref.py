"""``zhuansheng ref``: the reference data shipped with the package."""

from __future__ import annotations

import typer

from zhuansheng import reference

from .output import Format, as_dicts, emit

app = typer.Typer(
    help="参考数据：行政区划、行业分类、试点名单 (reference data).", no_args_is_help=True
)

FORMAT = typer.Option(Format.table, "--format", "-f", help="输出格式 table|csv|json")


@app.command()
def regions(fmt: Format = FORMAT) -> None:
    """浙江省 102 个行政区划（省、11 市、90 县市区），GB/T 2260 代码，含山区26县标记。"""
    cols = ["code", "name_zh", "level", "parent_code", "kind", "mountain26", "note"]
    emit(
        as_dicts(reference.regions()), cols, fmt, title="行政区划 regions", table_columns=cols[:-1]
    )


@app.command()
def industries(fmt: Format = FORMAT) -> None:
    """GB/T 4754-2017 制造业门类（13–43 大类及更细的传统产业小类），含传统制造业标记。"""
    cols = [
        "code",
        "level",
        "parent_code",
        "name_zh",
        "name_en",
        "traditional",
        "zj_group",
        "verification",
        "note",
    ]
    emit(
        as_dicts(reference.industries()),
        cols,
        fmt,
        title="行业 industries",
        table_columns=["code", "level", "name_zh", "traditional", "zj_group", "verification"],
    )


@app.command()
def pilots(fmt: Format = FORMAT) -> None:
    """分行业省级试点名单：已核实的试点与（仅演示用）示意性产业集群，逐行标明。"""
    cols = list(reference.PILOT_COLUMNS)
    emit(
        as_dicts(reference.pilots()),
        cols,
        fmt,
        title="试点 pilots (demo_only=1: 示意，非官方名单)",
        table_columns=cols[:8],
    )
