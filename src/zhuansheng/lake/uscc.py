"""统一社会信用代码 (unified social credit code), GB 32100-2015.

Layout of the 18 characters: 1 registration department (登记管理部门), 2 organisation type
(机构类别), 3–8 administrative division code (登记管理机关行政区划码), 9–17 organisation body code
(主体标识码, the old GB 11714 organisation code), 18 check character.

The check character is computed over positions 1–17 with modulus 31. Only the alphabet and the check
character are enforced here: departments, types and division codes change over time and a branch
registered in another province is still a valid enterprise.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "ALPHABET",
    "WEIGHTS",
    "check_array",
    "check_char",
    "explain",
    "is_valid",
    "make",
    "organization_code",
]

# 31 characters: digits and upper-case letters without I, O, Z, S, V (easily confused).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}

# Byte → value lookup for the vectorised check; -1 marks a character outside the alphabet.
_LUT = np.full(256, -1, dtype=np.int64)
for _ch, _v in _VALUE.items():
    _LUT[ord(_ch)] = _v
_WEIGHTS_NP = np.array(WEIGHTS, dtype=np.int64)
_ALPHABET_NP = np.frombuffer(ALPHABET.encode("ascii"), dtype="S1")


def _check_value(total: int) -> int:
    return (31 - total % 31) % 31  # 31 → 0


def check_char(first17: str) -> str:
    """The check character for the first 17 characters (``ValueError`` if they are malformed)."""
    if len(first17) != LENGTH - 1:
        raise ValueError(f"need 17 characters, got {len(first17)}")
    bad = [c for c in first17 if c not in _VALUE]
    if bad:
        raise ValueError(f"character {bad[0]!r} is not in the GB 32100 alphabet")
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[_check_value(total)]


def is_valid(code: str) -> bool:
    return explain(code) is None


def explain(code: str) -> str | None:
    """Why ``code`` is not a valid USCC (Chinese with an English gloss); ``None`` if valid."""
    if len(code) != LENGTH:
        return f"统一社会信用代码应为 18 位，实为 {len(code)} 位 (must be 18 characters)"
    for pos, ch in enumerate(code, start=1):
        if ch not in _VALUE:
            extra = "（字母 I、O、Z、S、V 不使用）" if ch in "IOZSV" else ""
            return (
                f"统一社会信用代码第 {pos} 位含非法字符 {ch!r}{extra} "
                "(character not allowed by GB 32100)"
            )
    expected = check_char(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误，应为 {expected!r} (check digit)"
    return None


def make(registration_dept: str, org_type: str, admin_code6: str, body9: str) -> str:
    """Assemble a valid code from its parts (used by the synthetic data generator)."""
    first17 = f"{registration_dept}{org_type}{admin_code6}{body9}"
    if (len(registration_dept), len(org_type), len(admin_code6), len(body9)) != (1, 1, 6, 9):
        raise ValueError("parts must have 1, 1, 6 and 9 characters")
    return first17 + check_char(first17)


def organization_code(body8: str) -> str:
    """The 9-character GB 11714 organisation code for an 8-digit body (positions 9–17 of a USCC).

    Check: C9 = 11 − (Σ Ci×Wi mod 11), W = 3,7,9,10,5,8,4,2; 10 → 'X', 11 → '0'.
    Digits only, so the result always lies in the USCC alphabet.
    """
    if len(body8) != 8 or not body8.isdigit():
        raise ValueError("need 8 digits")
    total = sum(int(c) * w for c, w in zip(body8, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    c9 = 11 - total % 11
    return body8 + ("X" if c9 == 10 else "0" if c9 == 11 else str(c9))


def check_array(codes: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised check of many codes (nulls count as valid here: "missing" is checked elsewhere).

    Returns ``(valid, expected)``: a boolean mask and, per row, the expected check character
    (``b""`` where the code is too malformed to have one).
    """
    if isinstance(codes, pa.ChunkedArray):
        codes = codes.combine_chunks()
    codes = codes.cast(pa.string())
    n = len(codes)
    valid = np.ones(n, dtype=bool)
    expected = np.full(n, b"", dtype="S1")
    if n == 0:
        return valid, expected
    present = pc.is_valid(codes).to_numpy(zero_copy_only=False)
    shaped = pc.and_(pc.equal(pc.binary_length(codes), LENGTH), pc.string_is_ascii(codes))
    shaped = pc.fill_null(shaped, False).to_numpy(zero_copy_only=False)
    valid[present & ~shaped] = False
    idx = np.flatnonzero(shaped)
    if len(idx):
        # All selected strings are 18 ASCII bytes: their data buffer is one (k, 18) byte matrix.
        sel = codes.take(pa.array(idx))
        offsets = np.frombuffer(sel.buffers()[1], dtype=np.int32)[sel.offset : sel.offset + 2]
        data = np.frombuffer(sel.buffers()[2], dtype=np.uint8)
        chars = data[offsets[0] : offsets[0] + LENGTH * len(idx)].reshape(len(idx), LENGTH)
        values = _LUT[chars]
        in_alphabet = (values[:, :17] >= 0).all(axis=1)
        check = (31 - (values[:, :17] @ _WEIGHTS_NP) % 31) % 31
        ok = in_alphabet & (values[:, 17] == check)
        valid[idx] = ok
        expected[idx[in_alphabet]] = _ALPHABET_NP[check[in_alphabet]]
    return valid, expected
