"""The one permission model: ``zhuansheng.access.may`` for every role, on regions chosen so each
answer follows from the rules by hand (杭州 330100 with 上城区 330102; 绍兴 330600 with 柯桥区
330603)."""

from __future__ import annotations

import pytest

from zhuansheng import access
from zhuansheng.access import Actor
from zhuansheng.errors import Forbidden

ADMIN = Actor("admin", "province_admin", None)
ANALYST = Actor("analyst", "province_analyst", None)
CITY = Actor("u330100", "city", "330100")  # 杭州市
COUNTY = Actor("u330102", "county", "330102")  # 上城区, in 杭州
DEPT = Actor("dept", "department", None)
VIEWER = Actor("viewer", "viewer", None)
ROLES = (ADMIN, ANALYST, CITY, COUNTY, DEPT, VIEWER)
OWN_COUNTY, OTHER_COUNTY, OWN_CITY, OTHER_CITY = "330102", "330603", "330100", "330600"


def answers(action: str, region: str | None, **context: object) -> str:
    """The answers of the six roles, in ROLES order, as a string of Y and N."""
    return "".join(
        "Y" if access.may(a, action, region, **context) else "N"  # type: ignore[arg-type]
        for a in ROLES
    )


@pytest.mark.parametrize(
    ("action", "region", "expected"),
    [
        # enterprise data: the province everywhere; a city its counties; a county itself
        ("enterprises.view", OWN_COUNTY, "YYYYNN"),
        ("enterprises.view", OTHER_COUNTY, "YYNNNN"),
        ("enterprises.view", OWN_CITY, "YYYNNN"),  # the county is below the city, not above
        ("enterprises.view", None, "YYYYNN"),  # the role may see enterprise data at all
        # submitted statistics: the scope, plus the read-only provincial roles
        ("data.view", OWN_COUNTY, "YYYYYY"),
        ("data.view", OTHER_COUNTY, "YYNNYY"),
        # writing statistics: the scope of a collecting role (a city for its counties: 代报)
        ("observations.import", OWN_COUNTY, "YYYYNN"),
        ("observations.import", OTHER_COUNTY, "YYNNNN"),
        ("observations.import", OWN_CITY, "YYYNNN"),
        ("template.download", OTHER_CITY, "YYNNNN"),
        # workflow steps on 上城区's data: the county submits, its city approves or returns
        ("submission.submit", OWN_COUNTY, "YYNYNN"),
        ("submission.approve", OWN_COUNTY, "YYYNNN"),
        ("submission.return", OWN_COUNTY, "YYYNNN"),
        ("submission.approve", OTHER_COUNTY, "YYNNNN"),  # another city's county
        ("submission.accept", OWN_COUNTY, "YYNNNN"),  # only the province accepts
        ("submission.view", None, "YYYYYY"),
        ("submission.board", None, "YYYNNN"),
        ("submission.upload", None, "YYYYNN"),
        # reports: province-wide ones for all; a briefing within the scope and D, V
        ("report.view", None, "YYYYYY"),
        ("report.view", OWN_COUNTY, "YYYYYY"),
        ("report.view", OTHER_COUNTY, "YYNNYY"),
        ("audit.view", None, "YNNNNN"),
        ("registers.import", None, "YYYYNN"),
        # allocations: seen within the scope (D, V everywhere); the province sets the cities'
        # and counties', a city its own counties' — never its own, a county nothing
        ("allocations.view", OWN_COUNTY, "YYYYYY"),
        ("allocations.view", OWN_CITY, "YYYNYY"),
        ("allocations.view", OTHER_COUNTY, "YYNNYY"),
        ("allocations.view", None, "YYNNYY"),  # the province's own numbers: the programme
        ("allocations.import", None, "YYYNNN"),
        ("allocations.import", OWN_COUNTY, "YYYNNN"),
        ("allocations.import", OWN_CITY, "YYNNNN"),
        ("allocations.import", OTHER_COUNTY, "YYNNNN"),
        ("allocations.import", access.PROVINCE, "NNNNNN"),
    ],
)
def test_who_may_do_what(action: str, region: str | None, expected: str) -> None:
    assert answers(action, region) == expected


def test_unlock_depends_on_the_status() -> None:
    # The city may unlock what it approved, not what the province has accepted.
    assert answers("submission.unlock", OWN_COUNTY, status="approved") == "YYYNNN"
    assert answers("submission.unlock", OWN_COUNTY, status="accepted") == "YYNNNN"


def test_generating_a_report_depends_on_its_kind() -> None:
    assert answers("report.generate", OWN_COUNTY, kind="quarterly") == "YYYYNN"
    assert answers("report.generate", OWN_CITY, kind="quarterly") == "YYYNNN"
    assert answers("report.generate", OTHER_CITY, kind="quarterly") == "YYNNNN"
    assert answers("report.generate", None, kind="quarterly") == "YYNNNN"  # province-wide
    assert answers("report.generate", OWN_COUNTY, kind="monthly") == "YYNNNN"


def test_progress_is_public_inside_the_platform_unless_switched_off() -> None:
    assert answers("progress.view", OTHER_COUNTY) == "YYYYYY"
    assert answers("progress.view", OTHER_COUNTY, all_regions_visible=False) == "YYNNYY"
    assert answers("progress.view", OWN_COUNTY, all_regions_visible=False) == "YYYYYY"
    assert answers("progress.view", "999999") == "NNNNNN"  # no such region


def test_scope_and_home() -> None:
    assert access.scope_root(CITY) == OWN_CITY and access.scope_root(ADMIN) is None
    assert access.home_region(COUNTY) == OWN_COUNTY and access.home_region(DEPT) == "330000"
    assert access.region_in(OWN_COUNTY, OWN_CITY) and not access.region_in(OTHER_COUNTY, OWN_CITY)
    assert access.chain(OWN_COUNTY) == [OWN_COUNTY, OWN_CITY, "330000"]


def test_require_raises_forbidden_with_the_message() -> None:
    access.require(CITY, "submission.approve", OWN_COUNTY)
    with pytest.raises(Forbidden, match="不在范围"):
        access.require(CITY, "submission.approve", OTHER_COUNTY, "不在范围")
    with pytest.raises(Forbidden) as default:
        access.require(COUNTY, "audit.view")
    assert default.value.status == 403 and str(default.value) == Forbidden.DEFAULT
    assert not access.known_region("999999") and access.known_region(OWN_COUNTY)
    with pytest.raises(ValueError, match="unknown action"):
        access.may(ADMIN, "no.such.action")


def test_milestone_reports_by_bound_units_and_reviews_by_the_province() -> None:
    kjt = Actor("kjt", "department", None, ("省科技厅",))
    cluster = ("省经信厅", "省发展改革委", "省科技厅", "省商务厅")  # cluster_ecosystem: lead + co
    leadership = ("省工业转型升级领导小组成员单位",)
    assert access.may(kjt, "milestone.report", units=cluster)  # a co-unit
    assert not access.may(kjt, "milestone.report", units=leadership)
    assert not access.may(DEPT, "milestone.report", units=cluster)  # a department bound to nothing
    for actor in (ADMIN, ANALYST, CITY, COUNTY, VIEWER):
        assert not access.may(actor, "milestone.report", units=cluster)
    assert [
        access.may(a, "milestone.review") for a in (ADMIN, ANALYST, CITY, COUNTY, kjt, VIEWER)
    ] == [
        True,
        True,
        False,
        False,
        False,
        False,
    ]
    assert all(access.may(a, "milestone.view") for a in (ADMIN, CITY, COUNTY, kjt, VIEWER))
