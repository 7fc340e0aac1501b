"""Status colours and area grouping, on hand-made rows."""

from __future__ import annotations

from dataclasses import dataclass

from zhuansheng.monitor import areas, status


@dataclass
class Row:
    clause: str
    area: str | None
    colour: str


ROWS = [
    Row("一.(一)", None, "green"),
    Row("二.(一).1", "digital", "red"),
    Row("二.(一).2", "digital", "green"),
    Row("二.(二).5", "green_low_carbon", "grey"),
    Row("三.(二)", None, "yellow"),
]


def test_counts_and_green_share() -> None:
    assert status.counts(ROWS) == {"green": 2, "yellow": 1, "red": 1, "grey": 1}
    assert status.counts([]) == {"green": 0, "yellow": 0, "red": 0, "grey": 0}
    assert status.green_share(ROWS) == 2 / 4  # the grey row is not evaluated
    assert status.green_share([Row("一", None, "grey")]) is None
    assert [status.COLOUR_ZH[c] for c in status.EVALUATED] == ["绿", "黄", "红"]


def test_labels_come_from_the_rules_file() -> None:
    behind = status.label("behind")
    assert (behind.zh, behind.colour) == ("滞后", "red")
    assert status.label("ahead").colour == "green"


def test_rows_are_grouped_by_area() -> None:
    assert [areas.area_key(r) for r in ROWS] == [
        "goal",
        "digital",
        "digital",
        "green_low_carbon",
        "safeguard",
    ]
    groups = areas.grouped(ROWS)
    assert list(groups) == ["goal", "digital", "green_low_carbon", "safeguard"]
    assert groups["digital"] == ROWS[1:3]


def test_area_names_follow_the_programme() -> None:
    names = areas.area_names(2022)
    assert len(names) == 6 + 2
    assert list(names)[-2:] == ["goal", "safeguard"]
    assert (names["goal"], names["safeguard"]) == ("总体要求", "保障措施")
