"""GB 32100-2015 check characters, computed by hand below and compared with the module."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from zhuansheng.lake import uscc

# Values: 0–9 → 0–9, A10 B11 C12 D13 E14 F15 G16 H17 J18 K19 L20 M21 N22 P23 Q24 R25 T26 U27
# W28 X29 Y30. Weights for positions 1–17: 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28.
#
# "91330106MA2B3C4D5":
#   9×1 + 1×3 + 3×9 + 3×27 + 0×19 + 1×26 + 0×16 + 6×17 + M21×20 + A10×29 + 2×25 + B11×13
#   + 3×8 + C12×24 + 4×10 + D13×30 + 5×28
#   = 9 + 3 + 27 + 81 + 0 + 26 + 0 + 102 + 420 + 290 + 50 + 143 + 24 + 288 + 40 + 390 + 140
#   = 2033;  2033 mod 31 = 2033 − 65×31 = 18;  31 − 18 = 13 → 'D'
# "91330000000000000": 9×1 + 1×3 + 3×9 + 3×27 = 120;  120 mod 31 = 27;  31 − 27 = 4 → '4'
# "1A000000000000000": 1×1 + A10×3 = 31;  31 mod 31 = 0;  31 − 0 = 31 → 0 → '0'
# "10000000000000000": 1×1 = 1;  31 − 1 = 30 → 'Y'
HAND = [
    ("91330106MA2B3C4D5", "D"),
    ("91330000000000000", "4"),
    ("1A000000000000000", "0"),
    ("10000000000000000", "Y"),
]


@pytest.mark.parametrize(("first17", "expected"), HAND)
def test_check_char_matches_hand_computation(first17: str, expected: str) -> None:
    assert uscc.check_char(first17) == expected
    assert uscc.is_valid(first17 + expected)
    assert uscc.explain(first17 + expected) is None


def test_explain_names_the_expected_check_character() -> None:
    text = uscc.explain("91330106MA2B3C4D5X")
    assert text is not None and "校验位" in text and "'D'" in text


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91330106MA2B3C4D5", "18 位"),
        ("91330106MA2B3C4D5DD", "18 位"),
        ("91330106MI2B3C4D5D", "第 10 位"),  # I is not used
        ("91330106MA2B3C4D5d", "第 18 位"),  # lower case is not in the alphabet
    ],
)
def test_explain_says_why(code: str, fragment: str) -> None:
    text = uscc.explain(code)
    assert text is not None and fragment in text


def test_make_assembles_a_valid_code() -> None:
    assert uscc.make("9", "1", "330106", "MA2B3C4D5") == "91330106MA2B3C4D5D"
    with pytest.raises(ValueError):
        uscc.make("9", "1", "3301", "MA2B3C4D5")


def test_organization_code_check() -> None:
    # GB 11714: 1×3 + 2×7 + 3×9 + 4×10 + 5×5 + 6×8 + 7×4 + 8×2 = 201; 201 mod 11 = 3; 11 − 3 = 8
    assert uscc.organization_code("12345678") == "123456788"
    # 0…0 → sum 0 → 11 − 0 = 11 → '0'
    assert uscc.organization_code("00000000") == "000000000"


def test_check_array_agrees_with_scalar_check() -> None:
    codes = [f + c for f, c in HAND] + [
        "91330106MA2B3C4D5X",  # wrong check char
        "91330106MI2B3C4D5D",  # bad alphabet
        "913301",  # too short
        "統一社会信用代码一二三四五六七八九十",  # 18 non-ASCII characters
        None,  # missing: not this check's business
    ]
    valid, expected = uscc.check_array(pa.array(codes))
    assert valid.tolist() == [True] * 4 + [False] * 4 + [True]
    assert expected[4] == b"D"
    assert [c is None or uscc.is_valid(c) for c in codes] == valid.tolist()


def test_check_array_accepts_40000_valid_codes() -> None:
    # its speed against a Python loop is measured in benchmarks/uscc_check.py
    rng = np.random.default_rng(0)
    bodies = [f"{n:08d}" for n in rng.integers(0, 10**8, 40_000)]
    codes = [uscc.make("9", "1", "330106", uscc.organization_code(b)) for b in bodies]
    valid, _ = uscc.check_array(pa.array(codes))
    assert valid.all()
