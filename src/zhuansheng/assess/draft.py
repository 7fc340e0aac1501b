"""Draft schemes (评价方案草案) written from a year's programme, for the office to approve.

Every quantitative target of the programme becomes an indicator. The weights give each
engineering area (工程) an equal share of 1 and split it equally among the area's targets;
targets outside the six areas (overall goals, safeguards) are listed with weight 0 for the office
to weigh or delete. The file says ``status: draft``: ``assess`` uses it only with ``--draft``
until the office changes it to ``approved``. Normalisations, caps and grade cut-offs come from
``data/draft-defaults.yaml``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from zhuansheng import atomic, programme, yamlfile
from zhuansheng.errors import Conflict, InputRejected, Invalid
from zhuansheng.workspace import Workspace

from .scheme import KINDS, file_name, programme_schemes, shipped_path, validate_scheme_file

WEIGHT_DECIMALS = 10  # the written weights sum to 1 within 1e-9


@cache
def _defaults() -> dict[str, Any]:
    tree, problems = yamlfile.read_tree(shipped_path("draft-defaults.yaml"))
    if problems:
        raise Invalid(f"评价方案草案默认设置有误：{problems[0]}")
    return yamlfile.plain(tree)


_BARE = re.compile(r"^[a-z][a-z0-9_-]*$")


def _flow(value: Any) -> str:
    """A value in YAML flow style: identifiers bare, other text quoted as JSON (valid YAML,
    Chinese kept readable)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, str) and _BARE.match(value) and value not in ("true", "false", "null"):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value, ensure_ascii=False)


def weights(rows: list[programme.TargetRow]) -> dict[str, float]:
    """Target id → weight: each area with a quantitative target gets 1 ÷ (number of such areas),
    split equally among its targets; targets outside the areas get 0."""
    areas: dict[str, list[str]] = {}
    for r in rows:
        if r.area is not None:
            areas.setdefault(r.area, []).append(r.id)
    out = {r.id: 0.0 for r in rows}
    for ids in areas.values():
        for tid in ids:
            out[tid] = 1.0 / len(areas) / len(ids)
    return out


def quantitative(year: int) -> tuple[programme.Programme, list[programme.TargetRow]]:
    """The programme of ``year`` and its targets with a number a region can be scored on."""
    prog = programme.load(year)
    kinds = _defaults()["quarterly"]["by_kind"]
    return prog, [r for r in prog.targets() if r.kind in kinds and r.value is not None]


def draft_text(year: int, kind: str) -> str:
    """The draft scheme of ``kind`` (quarterly | annual) for ``year`` as YAML text."""
    if kind not in KINDS:
        raise Invalid(
            f"方案类型应为 quarterly（季度运行评价）或 annual（年度综合评估），不是 '{kind}'"
        )
    cfg = _defaults()
    spec = cfg[kind]
    prog, rows = quantitative(year)
    if not rows:
        raise Invalid(f"{year} 年工作要点中没有量化目标，无法起草评价方案")
    w = weights(rows)
    rows = [r for r in rows if r.area] + [r for r in rows if not r.area]  # weight 0 last
    area_zh = {a.id: a.title_zh for a in prog.areas}
    levels = cfg["levels"]
    source = f"指标与目标值：{prog.title_zh}（{prog.document}）；权重为起草规则的等权，待审定"
    lines = [
        f"# {spec['name_zh'].format(year=year)}",
        f"# 由 zhuansheng assess scheme init 根据《{prog.title_zh}》起草。",
        "# 草案：每个量化目标一个指标；六大工程等权（各占 1/工程数），工程内各目标平分；",
        "# 不属于六大工程的目标（总体要求、保障措施）权重为 0，请决定是否计分。",
        "# 本方案须经省转升办审定：审定后把下面的 status: draft 改为 status: approved；",
        "# 在此之前 zhuansheng assess 只在加 --draft 时使用它，结果标明“评价方案为草案”。",
        f"id: {kind}-{year}",
        f'version: "{year}.0-draft"',
        "status: draft",
        f"name_zh: {_flow(spec['name_zh'].format(year=year))}",
        f"source: {_flow(source)}",
        f"year: {year}",
        f"period_kind: {KINDS[kind]}",
        f"levels: {_flow(levels)}",
    ]
    lines += [f"{key}: {_flow(value)}" for key, value in spec["scheme"].items()]
    lines.append("")
    lines.append("indicators:")
    current: object = ()
    for r in rows:
        if r.area != current:
            current = r.area
            label = area_zh.get(r.area, "") if r.area else "不属于六大工程（权重 0，待定）"
            lines.append(f"  # --- {label} ---")
        item = {
            "id": r.id,
            "name_zh": r.name_zh,
            "levels": levels,
            "target": r.id,
            **spec["by_kind"][r.kind],
            "weight": round(w[r.id], WEIGHT_DECIMALS),
        }
        lines.append(f"  - {_flow(item)}")
    return "\n".join(lines) + "\n"


def default_output(year: int, kind: str, ws: Workspace | None = None) -> Path:
    """Where ``assess`` looks first: ``<programme dir>/schemes/<kind>-<year>.yaml``."""
    return programme_schemes(ws) / file_name(KINDS[kind], year)


def write_draft(
    year: int,
    kind: str,
    output: Path | None = None,
    *,
    force: bool = False,
    ws: Workspace | None = None,
) -> Path:
    """Write the draft scheme (whole file or nothing) to ``output`` (default: the programme
    folder's ``schemes/``); an existing file is kept unless ``force``: it may be approved."""
    text = draft_text(year, kind)
    path = Path(output) if output is not None else default_output(year, kind, ws)
    if path.exists() and not force:
        raise Conflict(f"文件 {path} 已存在，未覆盖（可能是已审定的方案）；确需覆盖请加 --force")
    with atomic.replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
        # the draft must load as a scheme, checked by the same rules as any scheme file
        _, problems = validate_scheme_file(tmp)
        if problems:
            raise InputRejected(f"{year} 年评价方案草案", problems)
    return path
