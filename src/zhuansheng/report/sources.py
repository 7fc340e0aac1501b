"""What every report of one period reads, fetched once: the monthly analysis, whether the store
holds synthetic data, and the regional assessment (when that module is installed)."""

from __future__ import annotations

import calendar
import datetime as dt
import importlib
from typing import Any

from sqlalchemy import func, select

from zhuansheng import monitor, store
from zhuansheng.collect import case_warnings
from zhuansheng.errors import ZhuanshengError
from zhuansheng.monitor import ProgressRow
from zhuansheng.periods import Period, parse_period
from zhuansheng.reference import PROVINCE_CODE
from zhuansheng.store import tables as t
from zhuansheng.workspace import Workspace, database_url


class Sources:
    """The services' results for one period, shared by every report generated from them (all 11
    city briefings read the store once)."""

    def __init__(
        self,
        period: str | Period,
        *,
        ws: Workspace | None = None,
        draft: bool = False,
        count_from: str | None = None,
    ) -> None:
        self.period = parse_period(period) if isinstance(period, str) else period
        self.ws = ws
        self.draft = draft  # rankings may use a draft scheme (they then say 评价方案为草案)
        self.synthetic, has_data = _store_facts(self.period, ws)
        # count_from: what the monitoring counts (None: the rules file's count_from)
        self.monitor = monitor.run(self.period.code, ws=ws, count_from=count_from)
        if not has_data:
            raise ZhuanshengError(
                f"{self.period.label_zh}（{self.period.code}）没有任何监测数据："
                "该期的统计报表、认定名单、项目库和整治完成的案件均为空，未生成报告。"
                "请先导入该期数据（zhuansheng import …），或换一个已有数据的期间"
            )
        self._rows: dict[str, list[ProgressRow]] = {}
        self._rankings: dict[str, Any] = {}
        self._cases: tuple[case_warnings.CaseWarnings, list[dict[str, Any]]] | None = None

    @property
    def basis_zh(self) -> str:
        """统计口径：… — said in every report's notes."""
        return str(self.monitor.analysis.basis_zh)

    @property
    def units(self) -> Any:
        return self.monitor.analysis.units

    def unit(self, code: str) -> Any:
        return self.units.units[self.units.index(code)]

    def region_rows(self, code: str = PROVINCE_CODE) -> list[ProgressRow]:
        if code not in self._rows:
            self._rows[code] = self.monitor.by_region(code)
        return self._rows[code]

    def level_rows(self, level: str, region: str | None = None) -> list[ProgressRow]:
        key = f"{level}@{region}"
        if key not in self._rows:
            self._rows[key] = self.monitor.rows(level=level, region=region)
        return self._rows[key]

    def monthly(self, target: str, code: str) -> list[ProgressRow]:
        """One target in one region for every month of the year up to the period."""
        analysis = self.monitor.analysis
        i = self.units.index(code)
        return [
            row
            for m in range(1, self.period.month + 1)
            for row in monitor.rows_for(analysis, m, units=[i], targets=[target])
        ]

    def case_facts(self) -> tuple[case_warnings.CaseWarnings, list[dict[str, Any]]]:
        """The province's rectification cases overdue or awaiting verification at the period's
        end, and its verified cases still class D or grade 5, read once for every region."""
        if self._cases is None:
            on = self.period.last_day
            with store.session(database_url(self.ws)) as s:
                self._cases = (
                    case_warnings.case_warnings(s, PROVINCE_CODE, on),
                    case_warnings.still_poor(s, PROVINCE_CODE, on),
                )
        return self._cases

    def cases(self, code: str) -> tuple[case_warnings.CaseWarnings, list[dict[str, Any]]]:
        """``case_facts`` of one region."""
        flagged, poor = self.case_facts()
        return flagged.within(code), case_warnings.still_poor_within(poor, code)

    def ranking(self, level: str, period: str, draws: int) -> tuple[Any | None, str]:
        """The regional assessment for a level (computed, not stored: publishing a ranking is the
        assessment's own step), or None with the reason it is missing."""
        key = f"{level}@{period}"
        if key not in self._rankings:
            try:
                assess = importlib.import_module("zhuansheng.assess")
            except ImportError:
                self._rankings[key] = (None, "区域综合评价模块未安装")
            else:
                try:
                    result = assess.run(
                        period=period,
                        level=level,
                        sensitivity=draws,
                        ws=self.ws,
                        save=False,
                        draft=self.draft,
                    )
                except ZhuanshengError as exc:
                    self._rankings[key] = (None, str(exc))
                else:
                    self._rankings[key] = (result, "")
        return self._rankings[key]


def _store_facts(period: Period, ws: Workspace | None) -> tuple[bool, bool]:
    """(the store holds synthetic data, the store has any data for the year up to the period:
    statistics, register entries, project investment or completed rectification cases)."""
    y, m = period.year, period.month
    periods = [f"{y}-{k:02d}" for k in range(1, m + 1)] + [f"{y}Q{q}" for q in range(1, m // 3 + 1)]
    if period.kind == "year":
        periods.append(str(y))
    start, end = dt.date(y, 1, 1), dt.date(y, m, calendar.monthrange(y, m)[1])
    with store.session(database_url(ws)) as s:
        observations = s.scalar(
            select(func.count()).select_from(t.Observation).where(t.Observation.period.in_(periods))
        )
        entries = s.scalar(
            select(func.count())
            .select_from(t.RegistryEntry)
            .where(t.RegistryEntry.recognised_on.between(start, end))
        )
        invested = s.scalar(
            select(func.count())
            .select_from(t.ProjectInvestment)
            .where(t.ProjectInvestment.month.in_(periods))
        )
        closed = s.scalar(  # rectification cases completed in the year up to the period
            select(func.count()).select_from(t.Case).where(t.Case.closed_on.between(start, end))
        )
        synthetic = any(
            s.scalar(select(table.id).where(table.synthetic.is_(True)).limit(1)) is not None
            for table in (t.Observation, t.RegistryEntry, t.Project, t.Allocation)
        )
    return synthetic, bool(observations or entries or invested or closed)
