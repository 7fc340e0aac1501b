"""The submission workflow: submit, return with a reason, resubmit, approve (lock), unlock,
accept; who may do what; every step in the history and the audit log; reporting rates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from zhuansheng import store, users
from zhuansheng.cli import app
from zhuansheng.collect import workflow
from zhuansheng.errors import Forbidden, ZhuanshengError
from zhuansheng.store import tables as t

KEQIAO, SHAOXING = "330603", "330600"


@pytest.fixture
def url(store_url: str) -> Iterator[str]:
    store.upgrade(store_url)
    with store.session(store_url) as s:
        store.sync_reference(s)
        users.add_user(s, "keqiao", "county", KEQIAO)
        users.add_user(s, "yuecheng", "county", "330602")
        users.add_user(s, "shaoxing", "city", SHAOXING)
        users.add_user(s, "hangzhou", "city", "330100")
        users.add_user(s, "prov", "province_admin")
        s.add(t.Submission(region_code=KEQIAO, period="2022-06", status="draft"))
    yield store_url


def act(url: str, action: str, user: str, reason: str = "") -> str:
    with store.session(url) as s:
        return workflow.act(s, action, KEQIAO, "2022-06", users.actor(s, user), reason).status


def test_the_full_cycle_with_history_and_audit(url: str) -> None:
    assert act(url, "submit", "keqiao") == "submitted"
    with pytest.raises(ZhuanshengError, match="须说明原因"):
        act(url, "return", "shaoxing")
    assert act(url, "return", "shaoxing", "研发费用口径有误，请按规上口径重报") == "returned"
    assert act(url, "submit", "keqiao") == "submitted"
    assert act(url, "approve", "shaoxing") == "approved"
    with store.session(url) as s:
        assert workflow.get(s, KEQIAO, "2022-06").locked
    assert act(url, "unlock", "shaoxing", "发现漏报一家企业") == "returned"
    with store.session(url) as s:
        assert not workflow.get(s, KEQIAO, "2022-06").locked
    act(url, "submit", "keqiao")
    act(url, "approve", "shaoxing")
    assert act(url, "accept", "prov") == "accepted"
    with store.session(url) as s:
        sub = workflow.get(s, KEQIAO, "2022-06")
        steps = [(e.actor, e.action, e.from_status, e.to_status) for e in sub.events]
        assert steps == [
            ("keqiao", "submit", "draft", "submitted"),
            ("shaoxing", "return", "submitted", "returned"),
            ("keqiao", "submit", "returned", "submitted"),
            ("shaoxing", "approve", "submitted", "approved"),
            ("shaoxing", "unlock", "approved", "returned"),
            ("keqiao", "submit", "returned", "submitted"),
            ("shaoxing", "approve", "submitted", "approved"),
            ("prov", "accept", "approved", "accepted"),
        ]
        assert sub.events[1].reason == "研发费用口径有误，请按规上口径重报"
        audit = s.scalars(
            select(t.AuditLog.action)
            .where(t.AuditLog.entity == "submission")
            .order_by(t.AuditLog.id)
        ).all()
        assert audit == [
            "submission.submit",
            "submission.return",
            "submission.submit",
            "submission.approve",
            "submission.unlock",
            "submission.submit",
            "submission.approve",
            "submission.accept",
        ]


def test_who_may_do_what(url: str) -> None:
    with pytest.raises(ZhuanshengError, match="无权"):
        act(url, "submit", "yuecheng")  # another county
    act(url, "submit", "keqiao")
    with pytest.raises(ZhuanshengError, match="无权"):
        act(url, "approve", "keqiao")  # not the level above
    with pytest.raises(ZhuanshengError, match="无权"):
        act(url, "approve", "hangzhou")  # another city
    act(url, "approve", "shaoxing")
    with pytest.raises(ZhuanshengError, match="无权"):
        act(url, "accept", "shaoxing")  # only the province accepts
    act(url, "accept", "prov")
    with pytest.raises(ZhuanshengError, match="无权"):
        act(url, "unlock", "shaoxing", "x")  # accepted data: only the province unlocks
    with pytest.raises(ZhuanshengError, match="当前为“已确认”，不能上报"):
        act(url, "submit", "keqiao")
    assert act(url, "unlock", "prov", "省级抽查发现问题") == "returned"


def test_reporting_rate_and_timeliness(url: str) -> None:
    with store.session(url) as s:
        # 柯桥 on time (5 July), 越城 late (12 July; due 10 July), 上虞 only a draft
        for code, when, status in (
            ("330603", dt.datetime(2022, 7, 5, 10), "submitted"),
            ("330602", dt.datetime(2022, 7, 12, 10), "approved"),
            ("330604", None, "draft"),
        ):
            sub = workflow.get(s, code, "2022-06") or t.Submission(
                region_code=code, period="2022-06"
            )
            sub.status = status
            sub.first_submitted_at = when.replace(tzinfo=workflow.TZ) if when else None
            s.add(sub)
    with store.session(url) as s:
        rows = {r["region"]: r for r in workflow.reporting(s, "2022-06", due_day=10)}
    sx = rows[SHAOXING]  # 绍兴 has six counties
    assert (sx["expected"], sx["received"], sx["on_time"]) == (6, 2, 1)
    assert sx["reporting_rate"] == pytest.approx(2 / 6)
    assert sx["timeliness"] == pytest.approx(1 / 6)
    assert (rows["330000"]["expected"], rows["330000"]["received"]) == (90, 2)
    assert rows["330100"]["received"] == 0


def test_cli_steps_and_errors(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHUANSHENG_DATABASE_URL", url)
    runner = CliRunner()
    out = runner.invoke(
        app, ["submission", "submit", "-r", KEQIAO, "-p", "2022-06", "--user", "keqiao"]
    )
    assert out.exit_code == 0 and "已上报" in out.output
    out = runner.invoke(
        app, ["submission", "return", "-r", KEQIAO, "-p", "2022-06", "--user", "shaoxing"]
    )
    assert out.exit_code == 2 and "须说明原因" in out.output
    out = runner.invoke(app, ["submission", "history", "-r", KEQIAO, "-p", "2022-06", "-f", "json"])
    assert out.exit_code == 0 and '"action": "submit"' in out.stdout
    out = runner.invoke(app, ["submission", "status", "-p", "2022-06", "-f", "csv"])
    assert out.exit_code == 0 and "330600,绍兴市,2022-06,6,1," in out.stdout
    out = runner.invoke(app, ["user", "add", "x", "--role", "county", "--region", "330600"])
    assert out.exit_code == 2 and "须指定一个县" in out.output


def test_a_refusal_is_forbidden_on_every_face(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workflow asks ``zhuansheng.access``: another city's user is refused with Forbidden
    before anything is said about the data, and the command line prints it and exits 2."""
    with pytest.raises(Forbidden, match="无权对 柯桥区 的数据执行“审核通过”") as refusal:
        act(url, "approve", "hangzhou")
    assert refusal.value.status == 403
    monkeypatch.setenv("ZHUANSHENG_DATABASE_URL", url)
    out = CliRunner().invoke(
        app, ["submission", "approve", "-r", KEQIAO, "-p", "2022-06", "--user", "hangzhou"]
    )
    assert out.exit_code == 2 and "无权对 柯桥区 的数据执行“审核通过”" in out.output
    with store.session(url) as s:
        assert workflow.get(s, KEQIAO, "2022-06").status == "draft"  # nothing changed
