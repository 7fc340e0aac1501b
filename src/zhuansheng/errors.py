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
    """Base class of the domain errors: shown to the user as a message, never a traceback.

    Each face maps them once: the web and the API to an HTTP status (``status``), the CLI to
    exit code 2 with the message. A plain ``ZhuanshengError`` is an invalid request (400)."""

    status = 400


class Invalid(ZhuanshengError):
    """The request or input is wrong: what, where and what to do (HTTP 400)."""


class NotFound(ZhuanshengError):
    """What was asked for does not exist (HTTP 404)."""

    status = 404


class Forbidden(ZhuanshengError):
    """The actor may not see or do this (HTTP 403)."""

    status = 403
    DEFAULT = "无权访问：超出您的数据范围或角色权限"

    def __init__(self, message: str = "") -> None:
        self.message = message or self.DEFAULT
        super().__init__(self.message)


class Conflict(ZhuanshengError):
    """The request clashes with the current state of the data (HTTP 409)."""

    status = 409


@dataclass
class InputRejected(ZhuanshengError):
    """An input was refused as a whole; nothing was written (HTTP 422, with the problems)."""

    status = 422

    source: str
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{self.source}: {len(self.problems)} 处问题，未写入任何数据 (nothing was written)"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])
