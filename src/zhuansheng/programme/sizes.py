"""Project size classes (项目规模档次) from the total investment, as the programme's 三.(五) sets
them (10 亿元以上, 1 亿元以上); the thresholds live in ``data/project_sizes.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from zhuansheng.datafile import read_yaml


@dataclass(frozen=True)
class SizeClass:
    id: str
    name_zh: str
    name_en: str
    min_investment_wan: float


@cache
def size_classes() -> tuple[SizeClass, ...]:
    """The classes from the largest down (each reaching its ``min_investment_wan``)."""
    data = read_yaml(__package__, "project_sizes.yaml")
    classes = [SizeClass(**c) for c in data["size_classes"]]
    return tuple(sorted(classes, key=lambda c: -c.min_investment_wan))


def size_class(total_investment_wan: float | None) -> str:
    """The class of a project of ``total_investment_wan`` 万元 (以上 includes the threshold)."""
    total = total_investment_wan or 0.0
    for c in size_classes():
        if total >= c.min_investment_wan:
            return c.id
    return size_classes()[-1].id
