"""Properties of aggregation that must hold for any data (hypothesis).

- additive: the province is the sum of its cities, and each city the sum of its counties;
- ratios: every aggregate equals Σ numerator / Σ denominator of the counties that reported;
- revisions: recording a new revision for one county never changes another region's value.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from zhuansheng import monitor, programme, reference, store
from zhuansheng.monitor.aggregate import aggregate
from zhuansheng.monitor.sources import MONTHS, Series
from zhuansheng.monitor.units import UnitSet
from zhuansheng.store import observations as obs
from zhuansheng.workspace import at

N_COUNTIES = 90
values = st.floats(min_value=0, max_value=1e6, allow_nan=False)
maybe_missing = st.one_of(values, st.just(np.nan))


def _cities(units: UnitSet) -> list[int]:
    return [i for i, u in enumerate(units.units) if u.level == "city"]


def _sum_or_missing(rows: np.ndarray) -> np.ndarray:
    """Σ over rows, NaN where every row is missing (nothing reported is not zero)."""
    return np.where(np.isnan(rows).all(axis=0), np.nan, np.nansum(rows, axis=0))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=arrays(float, (N_COUNTIES, MONTHS), elements=maybe_missing))
def test_additive_sums_up_the_hierarchy(units: UnitSet, data: np.ndarray) -> None:
    series = Series(programme.indicators()["robots"], data.copy(), reported=~np.isnan(data))
    agg = aggregate(series, units).value
    province = agg[units.index("330000")]
    np.testing.assert_allclose(province, _sum_or_missing(agg[_cities(units)]), rtol=1e-9)
    for i in _cities(units):
        inside = units.membership[i] > 0
        counties = [units.index(c) for c, yes in zip(units.counties, inside, strict=True) if yes]
        np.testing.assert_allclose(agg[i], _sum_or_missing(agg[counties]), rtol=1e-9)
    # the groups: the 26 mountainous counties, and the distinct counties of the pilots
    mountain = [units.index(c.code) for c in reference.counties() if c.mountain26]
    assert len(mountain) == 26
    np.testing.assert_allclose(agg[units.index("mountain26")], _sum_or_missing(agg[mountain]))
    pilot_counties = sorted({u.county for u in units.units if u.level == "pilot"})
    pilots = [units.index(c) for c in pilot_counties]
    np.testing.assert_allclose(agg[units.index("pilots")], _sum_or_missing(agg[pilots]))
    np.testing.assert_allclose(agg[units.index("P01")], agg[units.index("330382")])  # 乐清


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    num=arrays(float, (N_COUNTIES, MONTHS), elements=st.floats(0, 1e5, allow_nan=False)),
    den=arrays(float, (N_COUNTIES, MONTHS), elements=st.floats(1, 1e5, allow_nan=False)),
    missing=arrays(bool, (N_COUNTIES, MONTHS)),
)
def test_ratio_is_sum_of_numerators_over_sum_of_denominators(
    units: UnitSet, num: np.ndarray, den: np.ndarray, missing: np.ndarray
) -> None:
    num = np.where(missing, np.nan, num)
    den = np.where(missing, np.nan, den)
    ind = programme.indicators()["tax_per_mu"]
    series = Series(ind, num / den, num=num, den=den, reported=~missing)
    agg = aggregate(series, units).value
    m = units.membership
    ok = ~missing
    expected_num = m @ np.where(ok, num, 0)
    expected_den = m @ np.where(ok, den, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.where(m @ ok > 0, expected_num / expected_den, np.nan)
    np.testing.assert_allclose(agg, expected, rtol=1e-9)


@pytest.fixture(scope="module")
def revision_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('rev') / 'r.db'}"
    store.upgrade(url)
    src = obs.Source(recorded_by="test", kind="api")
    with store.session(url) as s:
        store.sync_reference(s)
        store.sync_programme(s, programme.load(2022), programme.programme_path(2022))
        for k, county in enumerate(c.code for c in reference.counties()):
            obs.record(s, "robots", county, "2022-06", float(10 + k), src)
            obs.record(
                s,
                "rd_intensity",
                county,
                "2022-06",
                3.0 + k / 100,
                src,
                numerator=3.0 + k / 100,
                denominator=100.0,
            )
    yield url
    store.dispose_all()


def _values(url: str) -> dict[str, dict[str, float | None]]:
    m = monitor.run("2022-06", ws=at(url), count_from="imported")
    out: dict[str, dict[str, float | None]] = {}
    for target in ("robots_new", "rd_intensity_level"):
        out[target] = {r.region: r.actual for r in m.rows(level="county", target=target)}
        out[target] |= {r.region: r.actual for r in m.rows(level="city", target=target)}
    return out


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(county_index=st.integers(0, N_COUNTIES - 1), value=st.floats(0, 1e5, allow_nan=False))
def test_a_revision_changes_only_its_own_region(
    revision_world: str, county_index: int, value: float
) -> None:
    county = reference.counties()[county_index]
    before = _values(revision_world)
    with store.session(revision_world) as s:
        obs.record(
            s,
            "robots",
            county.code,
            "2022-06",
            value,
            obs.Source(recorded_by="test", kind="api", comment="更正"),
        )
    after = _values(revision_world)
    own = {county.code, county.parent_code, "330000"}
    for region, v in before["robots_new"].items():
        if region not in own:
            assert after["robots_new"][region] == v, region
    assert after["robots_new"][county.code] == pytest.approx(value)
    assert after["rd_intensity_level"] == before["rd_intensity_level"]
