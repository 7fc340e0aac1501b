"""``zhuansheng template``, ``zhuansheng submission`` and ``zhuansheng user``: data collection."""

from __future__ import annotations

from pathlib import Path

import typer

from zhuansheng.errors import ZhuanshengError

from .lazy import lazy
from .output import Format, console, emit

users = lazy("zhuansheng.users")
collect = lazy("zhuansheng.collect")
workflow = lazy("zhuansheng.collect.workflow")
workspace = lazy("zhuansheng.workspace")
accounts = lazy("zhuansheng.services.accounts")
submissions = lazy("zhuansheng.services.submissions")
context = lazy("zhuansheng.services.context")

FORMAT = typer.Option(Format.table, "--format", "-f", help="输出格式 table|csv|json")


def template(
    period: str = typer.Option(..., "--period", "-p", help="填报期间（月份），如 2022-06"),
    region: str | None = typer.Option(None, "--region", "-r", help="地区代码，如 330603"),
    all_counties: bool = typer.Option(
        False, "--all-counties", help="为全部 90 个县（市、区）各生成一份"
    ),
    output: Path = typer.Option(..., "--output", "-o", help="输出文件（--all-counties 时为目录）"),
    fmt: str = typer.Option("xlsx", "--format", "-f", help="xlsx|csv"),
) -> None:
    """生成填报模板：应报指标、计量单位、上期值与上年同期值、输入校验、锁定结构、填报说明。

    Writes the reporting template of a region and period (or one per county with --all-counties).
    """
    if fmt not in ("xlsx", "csv"):
        raise ZhuanshengError(f"模板格式应为 xlsx 或 csv，不是 '{fmt}'")
    caller = context.console(workspace.current())
    if all_counties:
        paths = submissions.write_county_templates(caller, period, output, fmt)
        console.print(f"已生成 {len(paths)} 份模板，保存在 {output}")
        return
    if region is None:
        raise ZhuanshengError("请用 --region 指定地区，或用 --all-counties 生成全部县的模板")
    path = submissions.write_template(caller, region, period, output, fmt)
    console.print(f"已生成模板 {path}")


submission = typer.Typer(
    help="数据上报流程：上报、审核、退回、确认、解锁、报送情况。", no_args_is_help=True
)


def _act(action: str, region: str, period: str, user: str, reason: str) -> None:
    ws = workspace.current()
    caller = context.Caller(ws, accounts.actor(ws, user))
    status = workflow.STATUS_ZH[submissions.act(caller, action, region, period, reason)["status"]]
    console.print(f"{region} {period}：{workflow.STEPS[action].zh}完成，当前状态“{status}”")


REGION = typer.Option(..., "--region", "-r", help="地区代码")
PERIOD = typer.Option(..., "--period", "-p", help="期间，如 2022-06")
USER = typer.Option(..., "--user", help="操作人用户名")
REASON = typer.Option("", "--reason", help="原因（退回、解锁时必填）")


@submission.command("submit")
def submit(region: str = REGION, period: str = PERIOD, user: str = USER) -> None:
    """县级上报（草稿或已退回的数据）。"""
    _act("submit", region, period, user, "")


@submission.command("approve")
def approve(region: str = REGION, period: str = PERIOD, user: str = USER) -> None:
    """市级审核通过（通过后数据锁定）。"""
    _act("approve", region, period, user, "")


@submission.command("return")
def return_(
    region: str = REGION, period: str = PERIOD, user: str = USER, reason: str = REASON
) -> None:
    """市级退回修改（须说明原因）。"""
    _act("return", region, period, user, reason)


@submission.command("accept")
def accept(region: str = REGION, period: str = PERIOD, user: str = USER) -> None:
    """省级确认。"""
    _act("accept", region, period, user, "")


@submission.command("unlock")
def unlock(
    region: str = REGION, period: str = PERIOD, user: str = USER, reason: str = REASON
) -> None:
    """上级解锁已审核或已确认的数据，退回修改（须说明原因）。"""
    _act("unlock", region, period, user, reason)


@submission.command("status")
def status(
    period: str = PERIOD,
    fmt: Format = FORMAT,
    rules: Path | None = typer.Option(
        None, "--rules", exists=True, dir_okay=False, help="校验规则文件（其中的报送时限 due_day）"
    ),
) -> None:
    """报送情况：各市及全省应报、已报、按时报送的县数，报送率与及时率。"""
    caller = context.console(workspace.current())
    rows = submissions.reporting(caller, period, collect.load_rules(rules) if rules else None)
    cols = [
        "region",
        "region_name",
        "period",
        "expected",
        "received",
        "on_time",
        "reporting_rate",
        "timeliness",
        "due",
    ]
    emit(rows, cols, fmt, title=f"{period} 报送情况", table_columns=cols[:8])


@submission.command("history")
def history(region: str = REGION, period: str = PERIOD, fmt: Format = FORMAT) -> None:
    """某地区某期的流转记录（上报、退回、审核、确认、解锁）。"""
    found = submissions.history(context.console(workspace.current()), region, period)
    rows = [
        {**e, "at": e["at"].isoformat(timespec="seconds"), "from": e["from"] or ""}
        for e in found["events"]
    ]
    emit(
        rows,
        ["at", "actor", "action", "from", "to", "reason"],
        fmt,
        title=f"{region} {period} 流转记录",
    )


user = typer.Typer(help="用户：新增、列表、停用、设置密码、API 令牌。", no_args_is_help=True)


@user.command("add")
def user_add(
    username: str = typer.Argument(..., help="用户名"),
    role: str = typer.Option(
        ..., "--role", help="province_admin、province_analyst、city、county、department、viewer"
    ),
    region: str | None = typer.Option(None, "--region", help="市、县用户的地区代码"),
    display_name: str = typer.Option("", "--display-name", help="显示名称"),
    unit: list[str] = typer.Option(
        [], "--unit", help="责任单位用户代表的责任单位（可多次给出），如 --unit 省科技厅"
    ),
) -> None:
    """新增用户（角色与数据范围；责任单位用户须绑定责任单位）。"""
    accounts.add(workspace.current(), username, role, region, display_name, unit)
    console.print(f"已新增用户 {username}（{users.ROLES_ZH[role]}）")


@user.command("list")
def user_list(fmt: Format = FORMAT) -> None:
    """用户列表。"""
    rows = accounts.listing(workspace.current())
    emit(rows, ["username", "display_name", "role", "region", "units", "active"], fmt, title="用户")


@user.command("disable")
def user_disable(username: str = typer.Argument(..., help="用户名")) -> None:
    """停用用户。"""
    accounts.disable(workspace.current(), username)
    console.print(f"已停用用户 {username}")


@user.command("password")
def user_password(
    username: str = typer.Argument(..., help="用户名"),
    password: str = typer.Option(
        ...,
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="新密码（至少 10 个字符；不给出时交互输入）",
    ),
) -> None:
    """设置登录密码（以 argon2 散列保存）。"""
    accounts.set_password(workspace.current(), username, password)
    console.print(f"已设置用户 {username} 的密码")


@user.command("demo-passwords")
def user_demo_passwords() -> None:
    """仅限合成演示数据：为所有未设密码的演示账号设置公开的演示密码。"""
    n = accounts.demo_passwords(workspace.current())
    console.print(
        f"已为 {n} 个演示账号设置演示密码 {users.DEMO_PASSWORD}"
        "（仅用于合成演示数据，切勿用于真实数据）"
    )


@user.command("token")
def user_token(
    username: str = typer.Argument(..., help="用户名"),
    days: int = typer.Option(90, "--days", min=1, max=366, help="有效天数"),
) -> None:
    """为机器客户端签发 REST API 令牌（Authorization: Bearer …）；停用用户即令牌失效。"""
    typer.echo(accounts.issue_token(workspace.current(), username, days))
