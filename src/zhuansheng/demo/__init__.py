"""The synthetic demo world: enterprises, statistics, registries, projects, cases — all fictional.

``build(seed, enterprises)`` creates it from scratch in the configured store and lake.
"""

from .build import STEPS, Summary, build

__all__ = ["STEPS", "Summary", "build"]
