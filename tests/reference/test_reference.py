"""Reference data shipped with the package, read through the API and the `ref` command."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest
from typer.testing import CliRunner

from zhuansheng import reference
from zhuansheng.cli import app

runner = CliRunner()


def test_regions_form_the_hierarchy() -> None:
    regions = reference.regions()
    assert len(regions) == 102
    assert Counter(r.level for r in regions) == {"province": 1, "city": 11, "county": 90}
    # 37 districts, 20 county-level cities, 33 counties (NBS 2022)
    assert Counter(r.kind for r in reference.counties()) == {
        "district": 37,
        "county_city": 20,
        "county": 33,
    }
    assert sum(r.mountain26 for r in regions) == 26
    codes = [r.code for r in regions]
    assert len(set(codes)) == 102 and all(len(c) == 6 and c.startswith("33") for c in codes)
    cities = {r.code for r in regions if r.level == "city"}
    assert all(c.parent_code in cities for c in reference.counties())
    assert all(r.parent_code == "330000" for r in regions if r.level == "city")
    assert reference.region("330603").name_zh == "柯桥区"
    with pytest.raises(KeyError):
        reference.region("339999")


def test_industries_and_the_traditional_scope() -> None:
    divisions = [i.code for i in reference.industries() if i.level == "division"]
    assert divisions == [str(d) for d in range(13, 44)]
    # the most specific entry decides: class 3670 and group 382 inside non-traditional divisions
    assert reference.is_traditional("3670") and not reference.is_traditional("3611")
    assert reference.is_traditional("3823") and not reference.is_traditional("3811")
    assert reference.is_traditional("1711")  # 纺织业, first batch
    assert not reference.is_traditional("3311")  # 金属制品: an unverified candidate only
    assert reference.traditional_group("3670") == "汽车零部件"
    assert reference.industry("9999") is None


def test_pilots_are_48_and_say_which_are_illustrative() -> None:
    pilots = reference.pilots()
    assert len(pilots) == 48
    assert len({p.pilot_id for p in pilots}) == 48
    found = [p for p in pilots if not p.demo_only]
    assert {p.county_name for p in found} == {
        "乐清市",
        "安吉县",
        "柯桥区",
        "海宁市",
        "永康市",
        "鹿城区",
    }
    assert {p.verification for p in found} == {"verified", "partly_corroborated", "unverified"}
    assert all(p.verification == "illustrative" for p in pilots if p.demo_only)
    counties = {c.code for c in reference.counties()}
    assert all(p.county_code in counties for p in pilots)
    assert all(reference.industry(c) is not None for p in pilots for c in p.industry_codes)
    assert len(reference.clusters()) == 48


def test_ref_command_formats() -> None:
    out = runner.invoke(app, ["ref", "regions", "--format", "json"])
    assert out.exit_code == 0
    rows = json.loads(out.stdout)
    assert len(rows) == 102 and rows[0]["code"] == "330000"
    out = runner.invoke(app, ["ref", "pilots", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == 48 and rows[0]["county_code"] == "330382"
    assert sum(r["demo_only"] == "1" for r in rows) == 42
    out = runner.invoke(app, ["ref", "industries"])
    assert out.exit_code == 0 and "3670" in out.stdout and "382" in out.stdout
    out = runner.invoke(app, ["ref", "regions", "--format", "xml"])
    assert out.exit_code == 2
