"""Errors every entry point reports the same way: what was wrong, where, and what to do."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One problem in an input, located as precisely as the input allows.

    ``where`` is free text such as ``第 12 行, 列 land_mu`` or ``targets[3].value (line 88)``;
    ``row``/``column``/``sheet`` are kept separately so callers can render or sort them.
    """

    message: str
    where: str = ""
    hint: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    level: str = "error"  # "error" blocks; "warning" needs a comment

    def __str__(self) -> str:
        parts = [p for p in (self.where, self.message) if p]
        text = ": ".join(parts)
        return f"{text}（{self.hint}）" if self.hint else text


class ZhuanshengError(Exception):
    """Base class of errors the CLI shows to the user without a traceback."""


@dataclass
class InputRejected(ZhuanshengError):
    """An input was refused as a whole; nothing was written."""

    source: str
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{self.source}: {len(self.problems)} 处问题，未写入任何数据 (nothing was written)"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])
