"""What one evaluation run produced (returned by ``evaluate`` and recorded in the store)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunResult:
    run_id: str
    kind: str
    year: int
    engine: str
    method: dict[str, Any]
    output_path: str
    enterprises: int
    summary: dict[str, Any]
    seconds: float
    extra_output: str | None = None
    synthetic: bool = False
    timings: dict[str, float] = field(default_factory=dict)
