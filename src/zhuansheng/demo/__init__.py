"""The synthetic demo world: enterprises, statistics, registries, projects, cases — all fictional.

``build(seed, enterprises)`` creates it from scratch in the configured store and lake;
``review_candidates`` has the counties review part of a screening's candidates.
"""

from .build import STEPS, Summary, build
from .case_replay import review_candidates

__all__ = ["STEPS", "Summary", "build", "review_candidates"]
