"""Reading and validating programme files and the two catalogues, with YAML line numbers.

Files are read with ruamel.yaml's round-trip loader because it remembers where every key and list
item was (``lc``); each problem — from Pydantic or from the checks across the file — is reported
with its YAML path and line, so an official can fix the file without reading a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from zhuansheng import workspace
from zhuansheng.errors import InputRejected, Problem
from zhuansheng.yamlfile import Loc, did_you_mean, locate, problem, validated

from .draft import placeholders
from .schema import (
    ADDITIVE_KINDS,
    PERCENT_KINDS,
    TARGET_KINDS,
    VALUELESS_KINDS,
    Indicator,
    IndicatorCatalogue,
    Programme,
    Unit,
    UnitList,
    clause_problem,
)

DATA = resources.files("zhuansheng.programme") / "data"
_YEAR_FILE = re.compile(r"^(\d{4})\.ya?ml$")


def _dupes(items: list[Any], key: str, section: str, tree: Any, label: str) -> list[Problem]:
    seen: dict[str | int, int] = {}
    problems = []
    for i, entry in enumerate(items):
        value = entry.get(key) if isinstance(entry, dict) else None
        if not isinstance(value, str | int) or isinstance(value, bool):
            continue
        if value in seen:
            _, first_line = locate(tree, (section, seen[value], key))
            problems.append(
                problem(
                    tree, (section, i, key), f"{label} '{value}' 重复（第 {first_line} 行已有）"
                )
            )
        else:
            seen[value] = i
    return problems


def _catalogue_paths(name: str) -> list[Path]:
    """The shipped catalogue plus, when present, the user's additions beside their programmes."""
    paths = [Path(str(DATA / name))]
    extra = workspace.current().programme_dir / name
    if extra.is_file():
        paths.append(extra)
    return paths


@cache
def _shipped(path: Path, model: type[BaseModel]) -> BaseModel:
    parsed, problems = validated(path, model)
    if parsed is None:
        raise InputRejected(str(path), problems)
    return parsed


def _catalogue(name: str, model: type[BaseModel], section: str, key: str) -> list[Any]:
    entries: list[Any] = []
    for i, path in enumerate(_catalogue_paths(name)):
        if i == 0:
            parsed = _shipped(path, model)
        else:
            parsed, problems = validated(path, model)
            if parsed is None:
                raise InputRejected(str(path), problems)
        known = {getattr(e, key) for e in entries}
        clash = [getattr(e, key) for e in getattr(parsed, section) if getattr(e, key) in known]
        if clash:
            raise InputRejected(
                str(path),
                [Problem(f"与系统自带目录重复的{key}：{', '.join(clash)}", where=section)],
            )
        entries += getattr(parsed, section)
    return entries


def indicators() -> dict[str, Indicator]:
    """The indicator catalogue by id (shipped ``indicators.yaml`` + ``programme_dir`` additions)."""
    return {i.id: i for i in _catalogue("indicators.yaml", IndicatorCatalogue, "indicators", "id")}


def units() -> list[Unit]:
    """Responsible units (shipped ``units.yaml`` + ``programme_dir`` additions)."""
    return _catalogue("units.yaml", UnitList, "units", "name_zh")


def unit_names() -> dict[str, str]:
    """Every accepted spelling (name or alias) to the unit's canonical ``name_zh``."""
    index: dict[str, str] = {}
    for u in units():
        for name in (u.name_zh, *u.aliases):
            index[name] = u.name_zh
    return index


# -- checks across the programme file -----------------------------------------------------------


def _seq(obj: Any, key: str) -> list[Any]:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, list) else []


def _items(doc: dict) -> Iterator[tuple[Loc, str, dict]]:
    for section in ("goals", "tasks", "safeguards"):
        for i, item in enumerate(_seq(doc, section)):
            if isinstance(item, dict):
                yield (section, i), section, item


def _clause_ok(value: Any) -> bool:
    return isinstance(value, str) and clause_problem(value) is None


def _levels(clause: str) -> int:
    return 1 + clause.count("(") + (1 if re.search(r"\)\.\d+$", clause) else 0)


def _programme_checks(doc: dict, tree: Any) -> list[Problem]:
    problems: list[Problem] = []

    def add(loc: Loc, message: str, hint: str = "") -> None:
        problems.append(problem(tree, loc, message, hint))

    catalogue = indicators()
    known_units = unit_names()
    defaults = (
        doc.get("tolerance_defaults") if isinstance(doc.get("tolerance_defaults"), dict) else {}
    )

    # areas
    problems += _dupes(_seq(doc, "areas"), "id", "areas", tree, "工程编号")
    area_clause = {}
    for i, area in enumerate(_seq(doc, "areas")):
        if isinstance(area, dict) and _clause_ok(area.get("clause")):
            area_clause[area.get("id")] = area["clause"]
            if _levels(area["clause"]) != 2:
                add(
                    ("areas", i, "clause"),
                    f"工程的条款应为二级编号，如 二.(一)，不是 '{area['clause']}'",
                )

    # items: clauses, levels, numbers, areas, units
    problems += _dupes(_seq(doc, "tasks"), "number", "tasks", tree, "任务号")
    item_clauses: dict[str, Loc] = {}
    for loc, section, item in _items(doc):
        clause = item.get("clause")
        if _clause_ok(clause):
            if clause in item_clauses:
                _, first = locate(tree, (*item_clauses[clause], "clause"))
                add((*loc, "clause"), f"条款 '{clause}' 重复（第 {first} 行已有）")
            item_clauses.setdefault(clause, loc)
            want = 3 if section == "tasks" else 2
            if _levels(clause) != want:
                example = "二.(五).14" if want == 3 else "三.(二)"
                add(
                    (*loc, "clause"),
                    f"此处条款应为{'三' if want == 3 else '二'}级编号（如 {example}），"
                    f"不是 '{clause}'",
                )
        if section == "tasks":
            area = item.get("area")
            if isinstance(area, str) and area not in area_clause:
                add(
                    (*loc, "area"),
                    f"未知的工程 '{area}'，应为 {', '.join(map(str, area_clause))}",
                    did_you_mean(area, [str(a) for a in area_clause]),
                )
            elif _clause_ok(clause) and area in area_clause:
                if not clause.startswith(area_clause[area] + "."):
                    add(
                        (*loc, "clause"),
                        f"任务条款 '{clause}' 不在所属工程 {area}（{area_clause[area]}）之下",
                    )
                number = item.get("number")
                if isinstance(number, int) and not clause.endswith(f".{number}"):
                    add((*loc, "number"), f"任务号 {number} 与条款 '{clause}' 的末位不一致")
        if section != "goals" and item.get("lead_units") == []:
            add((*loc, "lead_units"), "应至少列明一个牵头单位")
        elif section != "goals" and "lead_units" not in item:
            add(loc, "缺少必填字段 'lead_units'（责任单位中的第一个为牵头单位）")
        problems += _unit_checks(item, loc, known_units, tree)

    # targets
    any_bad_clause = any(not _clause_ok(item.get("clause")) for _, _, item in _items(doc))
    seen_ids: dict[str, Loc] = {}
    for loc, _section, item in _items(doc):
        for j, target in enumerate(_seq(item, "targets")):
            if not isinstance(target, dict):
                continue
            tloc: Loc = (*loc, "targets", j)
            tid = target.get("id")
            if isinstance(tid, str):
                if tid in seen_ids:
                    first_path, first_line = locate(tree, (*seen_ids[tid], "id"))
                    add(
                        (*tloc, "id"),
                        f"目标编号 '{tid}' 重复：{first_path}（第 {first_line} 行）已使用",
                        "同一目标在多个条款出现时只写一次，clause 列出全部条款",
                    )
                seen_ids.setdefault(tid, tloc)
            # A malformed item clause is reported once; don't echo it as dangling references.
            known = None if any_bad_clause else item_clauses
            problems += _target_checks(target, tloc, item, known, catalogue, defaults, tree)
            problems += _unit_checks(target, tloc, known_units, tree)
    return problems


def _unit_checks(obj: dict, loc: Loc, known: dict[str, str], tree: Any) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for key in ("lead_units", "co_units"):
        for k, name in enumerate(_seq(obj, key)):
            if not isinstance(name, str):
                continue
            if name not in known:
                problems.append(
                    problem(
                        tree,
                        (*loc, key, k),
                        f"未知的责任单位 '{name}'，不在单位名单 units.yaml 中",
                        did_you_mean(name, list(known)),
                    )
                )
            elif known[name] in seen:
                problems.append(problem(tree, (*loc, key, k), f"责任单位 '{name}' 重复列出"))
            else:
                seen.add(known[name])
    return problems


def _target_checks(
    t: dict,
    loc: Loc,
    item: dict,
    item_clauses: dict[str, Loc] | None,
    catalogue: dict[str, Indicator],
    defaults: dict,
    tree: Any,
) -> list[Problem]:
    problems: list[Problem] = []

    def add(key: str | None, message: str, hint: str = "") -> None:
        problems.append(problem(tree, (*loc, key) if key else loc, message, hint))

    own = item.get("clause")
    clauses = _seq(t, "clause")
    if _clause_ok(own) and clauses and all(map(_clause_ok, clauses)) and own not in clauses:
        add("clause", f"目标的 clause 应包含所在条目的条款 '{own}'")
    for k, c in enumerate(clauses):
        if item_clauses is not None and _clause_ok(c) and c != own and c not in item_clauses:
            problems.append(problem(tree, (*loc, "clause", k), f"条款 '{c}' 在本文件中不存在"))

    kind = t.get("kind")
    if kind not in TARGET_KINDS:
        return problems  # Pydantic already reports the kind; the rules below depend on it
    indicator, compare_to = t.get("indicator"), t.get("compare_to")
    ind = catalogue.get(indicator) if isinstance(indicator, str) else None
    if indicator is None and kind != "milestone":
        add("indicator" if "indicator" in t else None, f"目标类型 {kind} 必须指明指标 indicator")
    elif isinstance(indicator, str) and ind is None:
        add(
            "indicator",
            f"未知的指标 '{indicator}'，不在指标目录 indicators.yaml 中",
            did_you_mean(indicator, list(catalogue)),
        )

    value = t.get("value")
    if kind in VALUELESS_KINDS and value is not None:
        add("value", f"目标类型 {kind} 没有目标值，value 应为空")
    elif kind not in VALUELESS_KINDS and value is None:
        add("value" if "value" in t else None, f"目标类型 {kind} 必须给出目标值 value")

    unit = t.get("unit")
    if kind not in VALUELESS_KINDS and unit is None:
        add(
            "unit" if "unit" in t else None,
            f"目标类型 {kind} 必须给出单位 unit（按原文，如 台、家、%）",
        )
    elif kind in PERCENT_KINDS and isinstance(unit, str) and unit != "%":
        add("unit", f"目标类型 {kind} 的单位应为 %，不是 '{unit}'")
    elif kind in ADDITIVE_KINDS and ind is not None and isinstance(unit, str) and unit != ind.unit:
        add("unit", f"单位 '{unit}' 与指标 {ind.id} 的单位 '{ind.unit}' 不一致")

    if kind == "relative":
        if compare_to is None:
            add(
                "compare_to" if "compare_to" in t else None,
                "目标类型 relative 必须给出比较对象 compare_to（须高于的指标）",
            )
        elif isinstance(compare_to, str) and compare_to not in catalogue:
            add(
                "compare_to",
                f"未知的指标 '{compare_to}'，不在指标目录 indicators.yaml 中",
                did_you_mean(compare_to, list(catalogue)),
            )
    elif compare_to is not None:
        add("compare_to", f"只有 relative 目标才有 compare_to，本目标类型为 {kind}")

    qualifier = t.get("qualifier")
    if kind in VALUELESS_KINDS and qualifier is not None:
        add("qualifier", f"目标类型 {kind} 没有目标值，不应有限定词")
    if kind == "share_about" and qualifier != "about":
        add(
            "qualifier" if "qualifier" in t else None,
            "目标类型 share_about（比重保持在…左右）的限定词应为 about",
        )
    if qualifier == "about" and t.get("tolerance") is None and kind not in defaults:
        add(
            "tolerance" if "tolerance" in t else None,
            f"“左右”目标需要容差 tolerance：本目标未给出，"
            f"tolerance_defaults 中也没有 {kind} 的默认值",
        )
    if qualifier != "about" and t.get("tolerance") is not None:
        add("tolerance", "只有限定词为 about（左右）的目标才有容差 tolerance")
    return problems


# -- programme files ----------------------------------------------------------------------------


def _year_of(path: Path) -> int | None:
    m = _YEAR_FILE.match(path.name)
    return int(m.group(1)) if m else None


def _check_and_parse(path: Path, draft: bool = False) -> tuple[Programme | None, list[Problem]]:
    def check(plain: dict, tree: Any) -> list[Problem]:
        problems = _programme_checks(plain, tree)
        expected = _year_of(path)
        if (
            expected is not None
            and isinstance(plain.get("year"), int)
            and plain["year"] != expected
        ):
            problems.append(
                problem(tree, ("year",), f"年份 {plain['year']} 与文件名 {path.name} 不符")
            )
        return problems

    def prepare(tree: Any, data: dict) -> list[Problem]:
        return placeholders(tree, data, draft)

    parsed, problems = validated(path, Programme, check, prepare)
    if parsed is None:
        return None, problems
    return _resolved(parsed), problems


def _resolved(programme: Programme) -> Programme:
    """Canonical unit names (aliases resolved) and the file's default tolerance for 左右 targets."""
    names = unit_names()
    data = programme.model_dump()

    def canon(obj: dict) -> None:
        for key in ("lead_units", "co_units"):
            if obj.get(key) is not None:
                obj[key] = [names[n] for n in obj[key]]

    for section in ("goals", "tasks", "safeguards"):
        for item in data[section]:
            canon(item)
            for t in item["targets"]:
                canon(t)
                if t["qualifier"] == "about" and t["tolerance"] is None:
                    t["tolerance"] = data["tolerance_defaults"][t["kind"]]
    return Programme.model_validate(data)


def validate_file(path: Path | str, *, draft: bool = False) -> list[Problem]:
    """All problems of a programme file (empty when it is valid). A value still marked to be
    filled (``待填写``) is an error, or with ``draft`` a warning."""
    return _check_and_parse(Path(path), draft)[1]


def read_draft(path: Path | str) -> Programme | None:
    """A draft's programme as far as it is filled (placeholders stand in for its values), for
    a summary; None when it has errors besides the unfilled values."""
    return _check_and_parse(Path(path), draft=True)[0]


def _search_dirs() -> list[Path]:
    # The user's folder comes first, so a revised file for a shipped year replaces it.
    return [workspace.current().programme_dir, Path(str(DATA))]


def available_years() -> list[int]:
    """Years with a programme file, shipped or in ``workspace.current().programme_dir``."""
    years = set()
    for folder in _search_dirs():
        if folder.is_dir():
            years |= {y for p in folder.iterdir() if (y := _year_of(p)) is not None}
    return sorted(years)


def programme_path(year: int) -> Path:
    """The file that ``load(year)`` reads."""
    for folder in _search_dirs():
        for suffix in (".yaml", ".yml"):
            candidate = folder / f"{year}{suffix}"
            if candidate.is_file():
                return candidate
    years = "、".join(map(str, available_years())) or "无"
    raise InputRejected(
        f"{year} 年工作要点",
        [
            Problem(
                f"没有 {year} 年的工作要点文件",
                hint=f"现有年份：{years}；可将 {year}.yaml 放入 "
                f"{workspace.current().programme_dir}（环境变量 ZHUANSHENG_PROGRAMME_DIR）",
            )
        ],
    )


_CACHE: dict[tuple, Programme] = {}


def load(year: int | None = None, *, path: Path | None = None) -> Programme:
    """The programme of ``year`` (default: the latest), or of the file ``path``.

    Raises ``InputRejected`` listing every problem when the file is not valid.
    """
    if path is None:
        if year is None:
            years = available_years()
            if not years:
                raise InputRejected("工作要点", [Problem("没有任何工作要点文件")])
            year = years[-1]
        path = programme_path(year)
    path = Path(path)
    # Keyed on the stamps of the file and the user catalogues: load() is called often, files
    # rarely change.
    stamps = tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size)
        for p in (
            path,
            *_catalogue_paths("indicators.yaml")[1:],
            *_catalogue_paths("units.yaml")[1:],
        )
        if p.is_file()
    )
    if stamps and stamps in _CACHE:
        return _CACHE[stamps]
    programme, problems = _check_and_parse(path)
    if programme is None:
        raise InputRejected(str(path), problems)
    if stamps:
        _CACHE[stamps] = programme
    return programme
