"""A small scheme built in the test, so each test states the options it exercises."""

from __future__ import annotations

from typing import Any

from zhuansheng.assess import Scheme


def scheme(**overrides: Any) -> Scheme:
    base: dict[str, Any] = {
        "id": "test",
        "version": "t1",
        "name_zh": "测试方案",
        "source": "测试",
        "year": 2022,
        "period_kind": "quarter",
        "levels": ["city"],
        "indicators": [
            {"id": "a", "name_zh": "甲", "levels": ["city"], "target": "robots_new", "weight": 6},
            {"id": "b", "name_zh": "乙", "levels": ["city"], "target": "freed_land", "weight": 4},
        ],
        "grades": {"优秀": 90, "良好": 80, "合格": 60},
    }
    base.update(overrides)
    return Scheme.model_validate(base)
