"""YAML data files checked with Pydantic, every problem reported with its YAML path and line.

Files are read with ruamel.yaml's round-trip loader because it remembers where every key and list
item was (``lc``), so an official can fix a file without reading a traceback. Used by the
programme files and the enterprise method files.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from zhuansheng.errors import Problem

Loc = tuple[str | int, ...]


def read_tree(path: Path) -> tuple[Any, list[Problem]]:
    """The round-trip tree of ``path``, or the problems that prevented reading it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem("文件不存在 (file not found)", where=str(path))]
    except UnicodeDecodeError as exc:
        return None, [Problem(f"文件不是 UTF-8 编码：{exc.reason}", where=str(path))]
    try:
        tree = YAML(typ="rt").load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        detail = exc.problem if isinstance(exc, MarkedYAMLError) and exc.problem else str(exc)
        where = f"(第 {line} 行)" if line else ""
        return None, [Problem(f"YAML 语法错误：{detail}", where=where, row=line)]
    if tree is None:
        return None, [Problem("文件为空", where="(第 1 行)", row=1)]
    if not isinstance(tree, CommentedMap):
        return None, [Problem("文件顶层应为映射（键: 值）", where="(第 1 行)", row=1)]
    return tree, []


def plain(node: Any) -> Any:
    """Round-trip nodes to plain Python values, so Pydantic sees ordinary types."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, dt.datetime):
        return dt.datetime.fromisoformat(node.isoformat())
    return node


def locate(tree: Any, loc: Loc) -> tuple[str, int | None]:
    """YAML path text and 1-based line of ``loc``; a missing key points at its parent's line."""
    line = 1
    node = tree
    path = ""
    walking = True
    for part in loc:
        if isinstance(part, str) and part.startswith("["):  # Pydantic's "[key]" marker
            continue
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        if not walking:
            continue
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            walking = False
    return path, line


def problem(tree: Any, loc: Loc, message: str, hint: str = "") -> Problem:
    path, line = locate(tree, loc)
    where = f"{path} (第 {line} 行)" if path else f"(第 {line} 行)"
    return Problem(message, where=where, hint=hint, row=line, column=path or None)


# -- Pydantic errors in the official's words ------------------------------------------------------

_LABELS = {
    "kind": "目标类型",
    "qualifier": "限定词",
    "basis": "容差口径",
    "source": "指标来源",
    "aggregation": "汇总方式",
    "measure": "计量方式",
    "reported_by": "报送层级",
}


def _field_names(model: type[BaseModel], loc: Loc) -> list[str]:
    """Allowed keys of the model found at ``loc`` (for 'did you mean' hints)."""
    tp: Any = model
    for part in loc:
        while True:  # unwrap list[...], X | None, dict[...] down to a model class
            origin = typing.get_origin(tp)
            if origin is typing.Annotated:
                tp = typing.get_args(tp)[0]
            elif origin in (list, dict):
                tp = typing.get_args(tp)[-1]
            elif origin in (typing.Union, types.UnionType):
                tp = next(a for a in typing.get_args(tp) if a is not type(None))
            else:
                break
        if isinstance(part, int):
            continue
        if isinstance(tp, type) and issubclass(tp, BaseModel) and part in tp.model_fields:
            tp = tp.model_fields[part].annotation
        else:
            break
    return list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else []


def did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"是否为 '{close[0]}'？" if close else ""


def pydantic_problems(exc: ValidationError, tree: Any, model: type[BaseModel]) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc: Loc = err["loc"]
        names = [p for p in loc if isinstance(p, str) and not p.startswith("[")]
        field = names[-1] if names else ""
        kind, given, ctx = err["type"], err.get("input"), err.get("ctx") or {}
        shown = f"'{given}'" if isinstance(given, str) else repr(given)
        hint = ""
        if kind == "missing":
            msg = f"缺少必填字段 '{field}'"
        elif kind == "extra_forbidden":
            msg = f"未知字段 '{field}'"
            hint = did_you_mean(field, _field_names(model, loc[:-1]))
        elif kind in ("literal_error", "enum"):
            allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
            label = "单位类型" if loc[:1] == ("units",) and field == "kind" else _LABELS.get(field)
            label = label or ("目标类型" if loc[:1] == ("tolerance_defaults",) else "取值")
            msg = f"未知的{label} {shown}，应为 {', '.join(allowed)}"
            hint = did_you_mean(str(given), allowed)
        elif kind == "greater_than_equal":
            msg = f"不能为负数：{given}" if ctx.get("ge") == 0 else f"应 ≥ {ctx.get('ge')}：{given}"
        elif kind == "less_than_equal":
            msg = f"应 ≤ {ctx.get('le')}：{given}"
        elif kind in ("float_type", "float_parsing"):
            msg = f"应为数字，实际为 {shown}"
            if isinstance(given, str) and "万" in given:
                hint = "请写成完整数字，如 1.5 万 写作 15000"
        elif kind in ("int_type", "int_parsing", "int_from_float"):
            msg = f"应为整数，实际为 {shown}"
        elif kind in ("bool_type", "bool_parsing"):
            msg = f"应为 true 或 false，实际为 {shown}"
        elif kind.startswith("date"):
            msg = f"应为日期（YYYY-MM-DD），实际为 {shown}"
        elif kind == "string_type":
            msg = f"应为文本，实际为 {shown}"
        elif kind == "string_too_short":
            msg = "不能为空"
        elif kind == "too_short":
            msg = "不能为空列表"
        elif kind == "list_type":
            msg = f"应为列表（如 [a, b]），实际为 {shown}"
        elif kind in ("dict_type", "model_type", "model_attributes_type"):
            msg = "应为映射（键: 值）"
        elif kind == "string_pattern_mismatch":
            msg = f"编号 {shown} 无效：只能用小写字母、数字和下划线，且以字母开头"
        else:  # our own PydanticCustomError messages are already in Chinese
            msg = err["msg"]
        problems.append(problem(tree, loc, msg, hint))
    return problems


# -- catalogues -------------------------------------------------------------------------------


def validated(
    path: Path,
    model: type[BaseModel],
    check: Callable[[dict, Any], list[Problem]] | None = None,
    prepare: Callable[[Any, dict], list[Problem]] | None = None,
) -> tuple[BaseModel | None, list[Problem]]:
    """The file's model and its problems (the model is None when one of them is an error).
    ``prepare`` sees the tree and its plain copy before the model does; it may adjust the copy
    and report problems of its own."""
    tree, problems = read_tree(path)
    if tree is None:
        return None, problems
    data = plain(tree)
    if prepare is not None:
        problems = prepare(tree, data)
    parsed = None
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        problems += pydantic_problems(exc, tree, model)
    if check is not None:
        problems += check(data, tree)
    problems.sort(key=lambda p: p.row or 0)
    return (None if any(p.level == "error" for p in problems) else parsed), problems
