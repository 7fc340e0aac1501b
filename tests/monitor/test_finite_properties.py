"""No status is ever decided on a figure that is not finite (hypothesis).

- aggregation: an infinite or overflowing figure is missing (NaN), never a huge total, and the
  additive rule then says 数据缺报, never 已完成;
- the whole path: random investment files within their ranges (collect/data/bounds.yaml) are
  imported and monitored, and no row holds NaN or ±inf, and every coloured row has a finite actual
  and target.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import worlds
from zhuansheng import monitor, programme, reference, store, users
from zhuansheng.collect.bounds import column_bounds
from zhuansheng.collect.registers import import_register
from zhuansheng.monitor import rules
from zhuansheng.monitor.aggregate import aggregate
from zhuansheng.monitor.config import default_config
from zhuansheng.monitor.sources import MONTHS, Series
from zhuansheng.monitor.units import UnitSet
from zhuansheng.workspace import at

N_COUNTIES = 90
TARGET = "digital_renovation_investment"
absurd = st.sampled_from([math.inf, -math.inf, math.nan, 1e308, 1.7e308])
figures = st.one_of(st.floats(0, 1e6, allow_nan=False), absurd)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=arrays(float, (N_COUNTIES, MONTHS), elements=figures))
def test_an_infinite_figure_is_missing_never_achieved(units: UnitSet, data: np.ndarray) -> None:
    ind = programme.indicators()[TARGET]
    series = Series(ind, data.copy(), stock=np.zeros((N_COUNTIES, 2)))  # a register series
    value = aggregate(series, units).value
    assert not np.isinf(value).any()
    actual = value[:, 12:]
    target = np.full((len(units.units), 1), 1800.0)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        completion = actual / target
    schedule = np.arange(1, 13)[None, :] / 12.0
    status = rules.additive_status(
        actual, completion, schedule, completion / schedule, target, 0.0, default_config()
    )
    assert (status[~np.isfinite(actual)] == "no_data").all()
    # a county holding an absurd figure counts as not reported, at its own level
    counties = [units.index(c) for c in units.counties]
    own = value[counties, 12:]
    assert np.isnan(own[~np.isfinite(data[:, 12:])]).all()


@pytest.fixture(scope="module")
def register_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("finite")
    url = worlds.seed_2022(f"sqlite:///{folder / 'f.db'}")
    with store.session(url) as s:
        users.add_user(s, "prov", "province_admin")
    counties = [c.code for c in reference.counties()][::15]  # six counties, several cities
    lines = [
        "project_kind,code,name,uscc,region_code,status,started_on,completed_on,"
        "planned_investment_wan"
    ]
    lines += [
        f"digital_renovation,P-{k},技改项目{k},,{code},started,2022-01-10,,50000"
        for k, code in enumerate(counties)
    ]
    projects = folder / "p.csv"
    projects.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_register("projects", projects, user="prov", ws=at(url))
    yield url, folder
    store.dispose_all()


limit = column_bounds("investments")["invested_wan"]
entries = st.lists(
    st.tuples(
        st.integers(0, 5),  # project
        st.integers(1, 12),  # month
        st.floats(limit.min, limit.max, allow_nan=False, allow_infinity=False),
    ),
    min_size=1,
    max_size=12,
    unique_by=lambda e: (e[0], e[1]),
)


def _finite_or_none(x: object) -> bool:
    return x is None or not isinstance(x, float) or math.isfinite(x)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=entries, month=st.integers(1, 12))
def test_imported_investments_give_finite_rows(
    register_world: tuple[str, Path], rows: list[tuple[int, int, float]], month: int
) -> None:
    url, folder = register_world
    f = folder / "i.csv"
    body = [f"P-{p},2022-{m:02d},{v!r}" for p, m, v in rows]
    f.write_text("code,month,invested_wan\n" + "\n".join(body) + "\n", encoding="utf-8")
    import_register("investments", f, user="prov", ws=at(url))
    m = monitor.run(f"2022-{month:02d}", ws=at(url), count_from="imported")
    found = m.rows(target=TARGET)
    assert found
    for row in found:
        data = row.as_dict()
        assert all(_finite_or_none(v) for v in data.values()), data
        if row.colour != "grey":
            assert row.actual is not None and row.target_value is not None, data
    for r in m.analysis.results:
        rated = ~np.isin(r.status, ["no_data", "no_target", "no_report", "not_due"])
        if r.target.kind in rules.ADDITIVE_KINDS:
            assert np.isfinite(r.actual[rated]).all(), r.target.id
