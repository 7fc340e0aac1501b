"""People who use the platform: a role and a region scope each.

Roles: ``province_admin`` and ``province_analyst`` (the provincial office), ``city`` and ``county``
(转升办 of a city or county, scoped to that region), ``department`` (a responsible unit),
``viewer``. Login credentials are added by the web application.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuansheng.errors import ZhuanshengError
from zhuansheng.store import tables as t

ROLES = ("province_admin", "province_analyst", "city", "county", "department", "viewer")
ROLES_ZH = {
    "province_admin": "省级管理员",
    "province_analyst": "省级分析人员",
    "city": "市级用户",
    "county": "县级用户",
    "department": "责任单位用户",
    "viewer": "只读用户",
}
REGION_LEVEL = {"city": "city", "county": "county"}


@dataclass(frozen=True)
class Actor:
    """Who is acting, as the services check it."""

    username: str
    role: str
    region_code: str | None

    @property
    def is_province(self) -> bool:
        return self.role in ("province_admin", "province_analyst")


def add_user(
    session: Session,
    username: str,
    role: str,
    region_code: str | None = None,
    display_name: str = "",
) -> t.User:
    if role not in ROLES:
        raise ZhuanshengError(f"未知的角色 '{role}'，应为 {'、'.join(ROLES)}")
    if session.scalar(select(t.User).where(t.User.username == username)):
        raise ZhuanshengError(f"用户名 '{username}' 已存在")
    level = REGION_LEVEL.get(role)
    if level is not None:
        region = session.get(t.Region, region_code or "")
        if region is None or region.level != level:
            raise ZhuanshengError(
                f"{ROLES_ZH[role]}须指定一个{'设区市' if level == 'city' else '县（市、区）'}"
                f"代码（--region），'{region_code}' 不符合"
            )
    user = t.User(
        username=username, role=role, region_code=region_code, display_name=display_name or username
    )
    session.add(user)
    session.flush()
    return user


def actor(session: Session, username: str) -> Actor:
    """The active user with this name; a clear error otherwise."""
    user = session.scalar(select(t.User).where(t.User.username == username))
    if user is None:
        raise ZhuanshengError(f"没有用户 '{username}'，请先用 zhuansheng user add 创建")
    if not user.active:
        raise ZhuanshengError(f"用户 '{username}' 已停用")
    return Actor(user.username, user.role, user.region_code)


def disable_user(session: Session, username: str) -> None:
    user = session.scalar(select(t.User).where(t.User.username == username))
    if user is None:
        raise ZhuanshengError(f"没有用户 '{username}'")
    user.active = False


def list_users(session: Session) -> list[t.User]:
    return list(session.scalars(select(t.User).order_by(t.User.username)))
