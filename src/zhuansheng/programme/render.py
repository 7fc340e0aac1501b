"""The programme as a Rich tree, in Chinese, for ``zhuansheng programme show``."""

from __future__ import annotations

from rich.markup import escape
from rich.tree import Tree

from zhuansheng.formatting import general

from .schema import KIND_LABELS_ZH, QUALIFIER_LABELS_ZH, Item, Programme, Target

SECTION_TITLES = {"goal": "一、总体要求", "task": "二、重点任务", "safeguard": "三、保障措施"}


def _units(lead: list[str], co: list[str]) -> str:
    if not lead and not co:
        return ""
    text = f"牵头：{'、'.join(lead)}" + (f"；配合：{'、'.join(co)}" if co else "")
    return f"[dim]{escape(text)}[/]"


def target_label(t: Target) -> str:
    """One line per target: name, number, unit, 以上/左右 and its kind."""
    kind = KIND_LABELS_ZH[t.kind]
    if t.kind == "milestone":
        return f"[yellow]◇[/] {escape(t.name_zh)}  [dim]〔{kind}〕[/]"
    if t.kind == "relative":
        return (
            f"[green]●[/] {escape(t.name_zh)}  [dim]〔{kind}〕{t.id}："
            f"{t.indicator} ＞ {t.compare_to}[/]"
        )
    else:
        qualifier = QUALIFIER_LABELS_ZH.get(t.qualifier or "", "")
        if t.qualifier == "about" and t.tolerance:
            sign = "%" if t.tolerance.basis == "relative_pct" else " 个百分点"
            qualifier += f"（±{general(t.tolerance.value)}{sign}）"
        gap = "" if t.unit == "%" else " "
        figure = f"[bold]{general(t.value or 0)}[/]{gap}{t.unit}{qualifier}"
    return f"[green]●[/] {escape(t.name_zh)}：{figure}  [dim]〔{kind}〕{t.id}[/]"


def _item_node(parent: Tree, label: str, item: Item, shared: list[Target]) -> None:
    node = parent.add(f"{label}  {_units(item.lead_units, item.co_units)}".rstrip())
    for t in item.targets:
        line = target_label(t)
        others = [c for c in t.clause if c != item.clause]
        if others:
            line += f"  [dim]（另见 {'、'.join(others)}）[/]"
        if t.lead_units is not None:
            line += f"  {_units(t.lead_units, t.co_units or [])}"
        node.add(line)
    for t in shared:  # targets stated here but recorded under another clause
        node.add(f"{target_label(t)}  [dim]（同 {t.clause[-1]}，记在该条）[/]")


def build_tree(programme: Programme) -> Tree:
    """Goals, areas → tasks → targets, safeguards; a target under two clauses shows in both."""
    n_targets = sum(len(item.targets) for _, item in programme.items())
    root = Tree(
        f"[bold]{escape(programme.title_zh)}[/]（{programme.document}，{programme.issued:%Y年%-m月%-d日}）"
        f"  [dim]{n_targets} 个目标[/]"
    )
    elsewhere: dict[str, list[Target]] = {}
    for _, item in programme.items():
        for t in item.targets:
            for c in t.clause:
                if c != item.clause:
                    elsewhere.setdefault(c, []).append(t)

    goals = root.add(f"[bold]{SECTION_TITLES['goal']}[/]")
    for g in programme.goals:
        _item_node(goals, f"{g.clause} {escape(g.title_zh)}", g, elsewhere.get(g.clause, []))

    tasks = root.add(f"[bold]{SECTION_TITLES['task']}[/]")
    for area in programme.areas:
        area_node = tasks.add(
            f"[bold cyan]{area.clause} {escape(area.title_zh)}[/]  [dim]{area.id}[/]"
        )
        for t in (t for t in programme.tasks if t.area == area.id):
            _item_node(
                area_node,
                f"{t.number}. {escape(t.title_zh)}  [dim]{t.clause}[/]",
                t,
                elsewhere.get(t.clause, []),
            )

    safeguards = root.add(f"[bold]{SECTION_TITLES['safeguard']}[/]")
    for s in programme.safeguards:
        _item_node(safeguards, f"{s.clause} {escape(s.title_zh)}", s, elsewhere.get(s.clause, []))
    return root
