"""Number formats, against hand-written expectations."""

from __future__ import annotations

import pytest

from zhuansheng import formatting as f


@pytest.mark.parametrize(
    ("x", "digits", "expected"),
    [
        (None, 2, "—"),
        (12345.0, 2, "12,345"),
        (1234.5678, 2, "1,234.57"),
        (0.5, 1, "0.5"),
        (-2.0, 2, "-2"),
        (12345, 2, "12345"),  # an int is shown as it is
        ("3a", 2, "3a"),
    ],
)
def test_number(x: object, digits: int, expected: str) -> None:
    assert f.number(x, digits) == expected


def test_pct_and_rate() -> None:
    assert f.pct(None) == "—"
    assert f.pct(0.123) == "12.3%"
    assert f.pct(1.0) == "100.0%"
    assert f.pct(0.468) == "46.8%"
    assert f.rate(None) == "—"
    assert f.rate(14.06) == "14.1%"
    assert f.rate(14.06, 2) == "14.06%"
    assert f.rate(8, 0) == "8%"


@pytest.mark.parametrize(
    ("x", "digits", "expected"),
    [
        (None, 2, "—"),
        (1234.5, 2, "1,234.5"),
        (1000.0, 2, "1,000"),
        (0.8333333, 4, "0.8333"),
        (2.0, 2, "2"),
        (1e16, 2, "1e+16"),
    ],
)
def test_trimmed(x: float | None, digits: int, expected: str) -> None:
    assert f.trimmed(x, digits) == expected


@pytest.mark.parametrize(
    ("x", "expected"),
    [(None, "—"), (12.0, "12"), (804.83, "804.8"), (1234.56, "1235"), (3, "3"), (0.25, "0.2")],
)
def test_rounded(x: float | None, expected: str) -> None:
    assert f.rounded(x) == expected


@pytest.mark.parametrize(
    ("x", "expected"),
    [(None, "—"), (1000, "1,000"), (2500.0, "2,500"), (3.5, "3.5"), (0.012, "0.012")],
)
def test_general(x: float | None, expected: str) -> None:
    assert f.general(x) == expected
