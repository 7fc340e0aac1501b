"""A synthetic major-project register (重大项目库) with officials in charge, yearly plans by month
and actual investment, brought in through the register importers like an office's files.

Magnitudes follow the calibration file: a few dozen projects of 10 亿元以上 and a few hundred of
1 亿元以上 across the 11 cities (weighted by each county's economic weight); most run near their
plan, some lag it and a few start late or not at all, so that the warnings have something to show.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from zhuansheng import reference
from zhuansheng.collect.registers import KINDS, import_register

from .calibration import calibration
from .names import PREFIX, place
from .population import Geography

LAST_MONTH = "2022-12"  # actual investment is known up to the demo's last month
FILES = (
    ("projects", "重大项目库.csv"),
    ("plans", "重大项目年度投资计划.csv"),
    ("investments", "重大项目逐月完成投资.csv"),
)
PRODUCTS = (
    "年产20万吨高性能纤维",
    "高端装备智能制造基地",
    "新能源汽车零部件",
    "集成电路封装测试",
    "绿色石化新材料",
    "智能家居产业园",
    "生物医药产业化",
    "高端纺织印染数字化改造",
    "精密铸造绿色化改造",
    "锂电池材料",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙朱马胡郭林何高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
POSTS = ("经信局局长", "经信局副局长", "发改局局长", "商务局局长", "科技局局长")


def _month(first: str, offset: int) -> str:
    y, m = int(first[:4]), int(first[5:]) + offset
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return f"{y}-{m:02d}"


def _months_between(a: str, b: str) -> int:
    return (int(b[:4]) - int(a[:4])) * 12 + int(b[5:]) - int(a[5:])


def _day(month: str, day: int) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:]), day)


def register(rng: np.random.Generator, geo: Geography) -> dict[str, list[dict[str, Any]]]:
    """The three files' rows: projects, monthly plans, monthly actual investment."""
    cal = calibration()["major_projects"]
    names = {c.code: place(c.name_zh) for c in reference.counties()}
    first, last = cal["planned_start"]
    span = _months_between(first, last)
    out: dict[str, list[dict[str, Any]]] = {"projects": [], "plans": [], "investments": []}
    serial = 0
    for size, n in cal["counts"].items():
        lo, hi = cal["total_investment_wan"][size]
        counties = rng.choice(len(geo.county_codes), size=n, p=geo.weight)
        for county in counties:
            serial += 1
            code = geo.county_codes[int(county)]
            total = round(float(np.exp(rng.uniform(np.log(lo), np.log(hi)))), -2)
            start = _month(first, int(rng.integers(0, span + 1)))
            duration = int(rng.integers(cal["duration_months"][0], cal["duration_months"][1] + 1))
            end = _month(start, duration - 1)
            draw = rng.random()
            delay = 0
            if draw < cal["not_started_share"]:
                delay = None
            elif draw < cal["not_started_share"] + cal["late_start_share"]:
                delay = int(rng.integers(1, 5))
            lagging = rng.random() < cal["lagging_share"]
            delivery = (
                rng.uniform(0.45, 0.75)
                if lagging
                else float(
                    np.clip(rng.normal(cal["delivery"]["mean"], cal["delivery"]["sd"]), 0.8, 1.2)
                )
            )
            started = None if delay is None else _month(start, delay)
            if started is not None and started > LAST_MONTH:
                started = None
            pcode = f"ZDXM-{code}-{serial:04d}"
            status = "planned" if started is None else "started"
            completed_on = None
            if started is not None and _month(end, delay or 0) <= LAST_MONTH:
                status, completed_on = "completed", _day(_month(end, delay or 0), 28)
            out["projects"].append(
                {
                    "project_kind": "major_project",
                    "code": pcode,
                    "name": f"{PREFIX}{names[code]}{PRODUCTS[serial % len(PRODUCTS)]}项目",
                    "uscc": "",
                    "region_code": code,
                    "status": status,
                    "started_on": _day(started, int(rng.integers(1, 29))) if started else "",
                    "completed_on": completed_on or "",
                    "planned_investment_wan": total,
                    "official_in_charge": f"{PREFIX}{SURNAMES[int(rng.integers(len(SURNAMES)))]}某",
                    "official_post": f"{names[code]}{POSTS[int(rng.integers(len(POSTS)))]}",
                    "planned_start_on": _day(start, int(rng.integers(1, 29))),
                    "planned_completion_on": _day(end, 28),
                }
            )
            per_month = total / duration
            for k in range(duration):
                month = _month(start, k)
                if month[:4] not in ("2021", "2022"):
                    continue
                plan = round(per_month * rng.uniform(0.8, 1.2), 1)
                out["plans"].append({"code": pcode, "month": month, "planned_wan": plan})
                actual_month = _month(month, delay or 0)
                if started is not None and actual_month <= LAST_MONTH:
                    spent = round(plan * delivery * rng.uniform(0.85, 1.15), 1)
                    out["investments"].append(
                        {"code": pcode, "month": actual_month, "invested_wan": spent}
                    )
    return out


def load(rng: np.random.Generator, geo: Geography, user: str) -> int:
    """Write the register's files and import them as ``user`` would, labelled synthetic;
    returns the number of projects."""
    rows = register(rng, geo)
    with tempfile.TemporaryDirectory(prefix="zs-major-") as tmp:
        for kind, name in FILES:
            path = Path(tmp) / name
            with path.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.DictWriter(fh, KINDS[kind])
                writer.writeheader()
                writer.writerows(rows[kind])
            import_register(kind, path, user=user, synthetic=True)
    return len(rows["projects"])
