"""Regions as the services look them up: by code, their names, children and subtrees."""

from __future__ import annotations

from functools import cache

from zhuansheng import access, reference
from zhuansheng.errors import NotFound

PROVINCE = access.PROVINCE


@cache
def by_code() -> dict[str, reference.Region]:
    return {r.code: r for r in reference.regions()}


def region(code: str) -> reference.Region:
    """The region with this code, or ``NotFound``."""
    r = by_code().get(code)
    if r is None:
        raise NotFound(f"没有地区代码 '{code}'")
    return r


def name(code: str) -> str:
    r = by_code().get(code)
    return r.name_zh if r else code


def children(code: str) -> list[reference.Region]:
    return [r for r in reference.regions() if r.parent_code == code]


def subtree(code: str) -> list[str]:
    """The codes of the region and every region below it."""
    return [r.code for r in reference.regions() if access.region_in(r.code, code)]


def counties() -> list[str]:
    return [r.code for r in by_code().values() if r.level == "county"]
