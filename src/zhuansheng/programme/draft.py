"""A new year's programme drafted from the last one (``programme init``).

The draft keeps the structure of the source file — goals, areas, tasks, safeguards, clauses,
targets with their ids, indicators, kinds, units, qualifiers, tolerances and responsible units —
and marks what belongs to the new document with the placeholder ``待填写``: the document's
title, number, date of issue and source, the wording of every item (``text_zh``), every target's
value and the phrase it comes from (``seed_text``), and any note that names the old year. The old
value stays beside it as a YAML comment (``value: 待填写  # 2022: 15000``).

A file with a placeholder left is a draft: ``validate_file(path, draft=True)`` lists every one as
a warning, ``load`` refuses it (so a draft never enters the store).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from zhuansheng import atomic
from zhuansheng.errors import Invalid, Problem
from zhuansheng.yamlfile import Loc, problem

PLACEHOLDER = "待填写"
# What a new year's document changes, top level and per item / target.
DOCUMENT_FIELDS = ("title_zh", "document", "issued", "source")
ITEM_FIELDS = ("text_zh",)
TARGET_FIELDS = ("value", "seed_text")
SECTIONS = ("goals", "tasks", "safeguards")
# What a placeholder stands in for while a draft's other fields are checked (types only).
_LABELS = {"title_zh": "文件标题", "document": "文号", "issued": "印发日期", "source": "来源"}
_EOL = re.compile(f": {PLACEHOLDER} +# ")
_STAND_INS: dict[str, Any] = {"value": 0.0, "issued": dt.date(2000, 1, 1)}


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 4096  # keep long Chinese lines as they are, never re-wrapped
    yaml.allow_unicode = True
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)  # the programme files' own layout
    return yaml


def _mark(node: CommentedMap, key: str, year: int) -> None:
    old = node[key]
    if old is None:
        return
    hint = " ".join(str(old).split())  # one line: the comment ends at the line's end
    node[key] = PLACEHOLDER
    # ruamel keeps the comment lines below a key with the key: carry them after the hint
    below = node.ca.items.get(key, [None] * 4)[2]
    node.yaml_add_eol_comment(f"{year}: {hint}", key)
    if below is not None and below.value.startswith("\n"):
        node.ca.items[key][2].value += below.value


def _mark_dated_note(node: CommentedMap, year: int) -> None:
    # a note that speaks of the old year (到 2022 年累计 …) is about the old document
    if str(year) in str(node.get("note") or ""):
        _mark(node, "note", year)


def draft_text(source: Path, from_year: int, year: int) -> str:
    """The draft of ``year``'s programme from ``source`` (the programme of ``from_year``)."""
    tree = _yaml().load(source.read_text(encoding="utf-8"))
    tree["year"] = year
    for key in DOCUMENT_FIELDS:
        if key in tree:
            _mark(tree, key, from_year)
    for section in SECTIONS:
        for item in tree.get(section) or []:
            for key in ITEM_FIELDS:
                if key in item:
                    _mark(item, key, from_year)
            _mark_dated_note(item, from_year)
            for target in item.get("targets") or []:
                for key in TARGET_FIELDS:
                    if key in target:
                        _mark(target, key, from_year)
                _mark_dated_note(target, from_year)
    buf = io.StringIO()
    _yaml().dump(tree, buf)
    body = _EOL.sub(f": {PLACEHOLDER}  # ", buf.getvalue())  # one spacing for every hint
    head = (
        f"# {year} 年工作要点草稿：由 {from_year} 年工作要点（{source.name}）生成。\n"
        f"# 结构、条款、目标编号、指标与责任单位沿用 {from_year} 年；标为“{PLACEHOLDER}”的内容"
        f"须按 {year} 年文件填写，\n"
        f"# 行尾注释为 {from_year} 年的原值，仅供参考。"
        f"全部填写后用 zhuansheng programme validate 校验，再放入工作要点目录。\n"
        f"# Draft of {year} from {from_year}: fill every '{PLACEHOLDER}' "
        f"(the comment shows the {from_year} value).\n"
    )
    return head + body


def write_draft(source: Path, from_year: int, year: int, output: Path) -> int:
    """Write the draft to ``output`` (whole or not at all); the number of placeholders."""
    if year == from_year:
        raise Invalid(f"新年度 {year} 与来源年度相同，请用 --from 指定上一年度")
    text = draft_text(source, from_year, year)
    atomic.write_text(output, text, encoding="utf-8")
    return len(unfilled(_yaml().load(text)))


def unfilled(tree: Any, loc: Loc = ()) -> list[Loc]:
    """Where the placeholder is still in the tree, in document order."""
    if isinstance(tree, CommentedMap):
        return [x for k, v in tree.items() for x in unfilled(v, (*loc, k))]
    if isinstance(tree, CommentedSeq):
        return [x for i, v in enumerate(tree) for x in unfilled(v, (*loc, i))]
    return [loc] if isinstance(tree, str) and tree.strip() == PLACEHOLDER else []


def _named(tree: Any, loc: Loc) -> str:
    """What a location is, in words: the target's id or the item's clause, and the field."""
    field = loc[-1]
    if len(loc) >= 5 and loc[0] in SECTIONS and loc[2] == "targets":
        target = tree[loc[0]][loc[1]]["targets"][loc[3]]
        return f"目标 {target.get('id', '?')} 的 {field}"
    if len(loc) >= 3 and loc[0] in SECTIONS:
        return f"条款 {tree[loc[0]][loc[1]].get('clause', '?')} 的 {field}"
    return f"{_LABELS.get(str(field), '')} {field}".strip()


def placeholders(tree: Any, data: dict[str, Any], draft: bool) -> list[Problem]:
    """One problem per placeholder left (a warning in a draft, an error otherwise); in ``data``
    (the plain copy about to be checked) each gets a stand-in of the right type, so that the
    rest of a draft is still checked field by field."""
    out = []
    for loc in unfilled(tree):
        found = problem(
            tree,
            loc,
            f"{_named(tree, loc)} 尚未填写（草稿占位“{PLACEHOLDER}”）",
            "按新年度文件填写后再载入；行尾注释为上一年度的值",
        )
        out.append(replace(found, level="warning" if draft else "error"))
        node = data
        for part in loc[:-1]:
            node = node[part]
        if loc[-1] in _STAND_INS:
            node[loc[-1]] = _STAND_INS[loc[-1]]
    return out
