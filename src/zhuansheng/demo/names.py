"""Fictional, visibly synthetic names (every one starts with 演示) and synthetic USCCs."""

from __future__ import annotations

import numpy as np

from zhuansheng.lake import uscc

PREFIX = "演示·"

_BRAND = list("华宏兴盛恒泰德信隆昌源达丰瑞鑫诚嘉汇永鸿晨宇凯博通海新天金")
_WORD = {
    "13": "食品",
    "14": "食品",
    "15": "饮品",
    "17": "纺织",
    "18": "服饰",
    "19": "鞋业",
    "20": "木业",
    "21": "家具",
    "22": "纸业",
    "23": "印务",
    "24": "文体用品",
    "25": "石化",
    "26": "化工",
    "27": "药业",
    "28": "化纤",
    "29": "塑业",
    "30": "建材",
    "31": "钢业",
    "32": "金属材料",
    "33": "五金",
    "34": "机械",
    "35": "装备",
    "36": "汽配",
    "37": "船舶",
    "38": "电气",
    "39": "电子",
    "40": "仪表",
    "41": "制品",
    "42": "再生资源",
    "43": "设备维修",
}
_SUFFIXES = ("自治县", "区", "市", "县")


def place(county_name: str) -> str:
    """柯桥区 → 柯桥, 景宁畲族自治县 → 景宁 (a two-character name keeps its suffix)."""
    for suffix in _SUFFIXES:
        if county_name.endswith(suffix) and len(county_name) - len(suffix) >= 2:
            base = county_name[: -len(suffix)]
            return base[:2] if suffix == "自治县" else base
    return county_name


def firm_names(rng: np.random.Generator, places: list[str], divisions: list[str]) -> list[str]:
    """Unique names such as 演示·柯桥宏泰纺织有限公司 (a number is added on a clash)."""
    b1 = rng.integers(0, len(_BRAND), len(places))
    b2 = rng.integers(0, len(_BRAND), len(places))
    seen: dict[str, int] = {}
    out = []
    for p, d, i, j in zip(places, divisions, b1, b2, strict=True):
        base = f"{PREFIX}{p}{_BRAND[i]}{_BRAND[j]}{_WORD.get(d, '实业')}"
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(f"{base}有限公司" if n == 0 else f"{base}{n + 1}号有限公司")
    return out


_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def usccs(county_codes: list[str], start: int) -> list[str]:
    """Valid, unique USCCs: 91 (enterprise) + county code + a serial body + check character."""
    out = []
    for k, code in enumerate(county_codes):
        n = start + k
        body = []
        for _ in range(9):
            n, r = divmod(n, 31)
            body.append(_ALPHABET[r])
        first17 = "91" + code + "".join(reversed(body))
        out.append(first17 + uscc.check_char(first17))
    return out
