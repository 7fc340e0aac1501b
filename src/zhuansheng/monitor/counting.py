"""What monitoring counts (统计口径): which revisions of reported statistics stand.

A statistic a region reports arrives in that region's submission for the period (draft →
submitted → approved → accepted). With ``count_from: submitted`` (the default) a value counts
only once its submission has been submitted, and so on up the levels; ``imported`` counts every
revision, drafts included. How a submission's history decides what counts:

- submit, approve, accept raise the level; while a submission is submitted or further it cannot
  be edited, so its newest revision is what was sent up;
- a return (退回, the city rejects what was sent) counts nothing until it is submitted again;
- an unlock (解锁退回, approved data re-opened for a correction) keeps the level it had reached,
  for the values current at its last submit (revisions up to that step's observation mark),
  until it is submitted again — a correction being drafted does not count;
- a submission without events (rows a loader wrote directly, such as the demo's) counts by its
  status alone.

Values the engine computes (``source_kind = engine``) have no submission and always count, as do
registers, projects, cases and milestone reports (they are not observations).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, or_, select

from zhuansheng.errors import Invalid
from zhuansheng.store import tables as t

from .config import COUNT_LEVELS

RANK = {"submitted": 1, "approved": 2, "accepted": 3}  # imported is 0: everything counts
NO_WORKFLOW = frozenset({"engine"})  # computed, not reported: no submission to wait for
BASIS_ZH = {
    "imported": "全部已导入数据（含未上报的草稿）",
    "submitted": "已报送数据（已上报、已审核、已确认）",
    "approved": "已审核数据（已审核、已确认）",
    "accepted": "已确认数据（省级确认）",
}
BASIS_EN = {
    "imported": "all imported data (drafts included)",
    "submitted": "submitted data (submitted, approved or accepted)",
    "approved": "approved data (approved or accepted)",
    "accepted": "data accepted by the province",
}

# case_counts_from (monitoring.yaml): what the targets followed by rectification cases count
CASE_BASIS_ZH = {
    "completed": "整治企业数和腾出用地、用能按整治完成（含已验收）计入完成当月",
    "verified": "整治企业数和腾出用地、用能按验收通过计入验收当月",
}
CASE_BASIS_EN = {
    "completed": "cases count when completed (or verified), in the month of completion",
    "verified": "cases count only once verified, in the month of verification",
}


@dataclass(frozen=True, slots=True)
class Counted:
    """What of one submission counts: the level it stands at, and the newest observation id
    that counts (None: its newest revision)."""

    rank: int
    upto: int | None = None


def level(count_from: str) -> str:
    """``count_from`` checked: one of imported, submitted, approved, accepted."""
    if count_from not in COUNT_LEVELS:
        raise Invalid(f"统计口径 '{count_from}' 无效，应为 {'、'.join(COUNT_LEVELS)} 之一")
    return count_from


def basis_zh(count_from: str) -> str:
    """The counting basis in words, for pages and briefings: 统计口径：已报送数据（…）."""
    return f"统计口径：{BASIS_ZH[count_from]}"


def case_basis_zh(case_counts_from: str) -> str:
    """How rectification cases count, in words: 整治企业数和腾出用地、用能按…计."""
    return CASE_BASIS_ZH[case_counts_from]


def _walk(status: str, events: list[tuple[str, int | None]]) -> Counted:
    """Replay one submission's events (action, observation mark), oldest first."""
    if not events:
        return Counted(RANK.get(status, 0))
    rank, upto, mark = 0, None, None
    for action, at in events:
        if action == "submit":
            rank, upto, mark = 1, None, at
        elif action in ("approve", "accept"):
            rank = RANK["approved" if action == "approve" else "accepted"]
        elif action == "return":
            rank, upto = 0, None
        elif action == "unlock":
            upto = mark  # None (a mark not recorded): its newest revision, as before
    return Counted(rank, upto)


def submissions(conn: Connection, years: tuple[int, ...]) -> dict[tuple[str, str], Counted]:
    """(region, period) → what counts, for every submission of the years (one query)."""
    s, e = t.Submission, t.SubmissionEvent
    rows = conn.execute(
        select(s.id, s.region_code, s.period, s.status, e.action, e.observation_mark)
        .outerjoin(e, e.submission_id == s.id)
        .where(or_(*(s.period.like(f"{y}%") for y in years)))
        .order_by(s.id, e.id)
    )
    out: dict[tuple[str, str], Counted] = {}
    current: int | None = None
    key: tuple[str, str] = ("", "")
    status = ""
    events: list[tuple[str, int | None]] = []
    for sid, region, period, st, action, mark in rows:
        if sid != current:
            if current is not None:
                out[key] = _walk(status, events)
            current, key, status, events = sid, (region, period), st, []
        if action is not None:
            events.append((action, mark))
    if current is not None:
        out[key] = _walk(status, events)
    return out


class Rule:
    """Whether one observation revision counts at a level (``count_from``)."""

    def __init__(self, count_from: str, subs: dict[tuple[str, str], Counted]) -> None:
        self.level = RANK.get(level(count_from), 0)
        # what reached the level, split once: whole (newest revision) or up to an id
        self.whole = {k for k, c in subs.items() if c.rank >= self.level and c.upto is None}
        self.upto = {
            k: c.upto for k, c in subs.items() if c.rank >= self.level and c.upto is not None
        }

    @classmethod
    def read(cls, conn: Connection, count_from: str, years: tuple[int, ...]) -> Rule:
        """The rule with the submissions it needs (none are read for ``imported``)."""
        return cls(count_from, submissions(conn, years) if RANK.get(count_from) else {})

    def counts(self, obs_id: int, region: str, period: str, source_kind: str) -> bool:
        if self.level == 0 or source_kind in NO_WORKFLOW:
            return True
        key = (region, period)
        if key in self.whole:
            return True
        upto = self.upto.get(key)
        return upto is not None and obs_id <= upto
