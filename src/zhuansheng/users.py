"""People who use the platform: a role and a region scope each.

Roles: ``province_admin`` and ``province_analyst`` (the provincial office), ``city`` and ``county``
(转升办 of a city or county, scoped to that region), ``department`` (a responsible unit),
``viewer``. Passwords are stored as argon2id hashes (never the password itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuansheng import programme
from zhuansheng.access import Actor
from zhuansheng.errors import ZhuanshengError
from zhuansheng.store import audit
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
__all__ = ["ROLES", "ROLES_ZH", "Actor", "actor", "add_user", "check_password"]


def add_user(
    session: Session,
    username: str,
    role: str,
    region_code: str | None = None,
    display_name: str = "",
    units: Sequence[str] = (),
    created_at: datetime | None = None,
) -> t.User:
    """A new account; a department account names the responsible units it speaks for
    (``units``, names or aliases from the units catalogue), any other account none."""
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
    elif region_code and role == "department":
        raise ZhuanshengError(
            f"{ROLES_ZH[role]}按责任单位（--unit）绑定，不属于某个地区："
            f"请去掉 --region {region_code}"
        )
    bound = _units(role, units)
    user = t.User(
        username=username,
        role=role,
        region_code=region_code,
        display_name=display_name or username,
        units=bound,
        **({"created_at": created_at} if created_at else {}),
    )
    session.add(user)
    session.flush()
    return user


def _units(role: str, units: Sequence[str]) -> list[str]:
    """The canonical names of the units a department account is bound to."""
    if role != "department":
        if units:
            raise ZhuanshengError("只有责任单位用户（--role department）可以绑定责任单位（--unit）")
        return []
    if not units:
        raise ZhuanshengError(
            "责任单位用户须用 --unit 指定其代表的责任单位（可多次给出），如 --unit 省科技厅"
        )
    known = programme.unit_names()
    out: list[str] = []
    for name in units:
        canonical = known.get(name.strip())
        if canonical is None:
            raise ZhuanshengError(
                f"未知的责任单位 '{name}'：不在责任单位名单（units.yaml）中；"
                "请使用名单中的名称，如 省科技厅、省经信厅"
            )
        if canonical not in out:
            out.append(canonical)
    return out


def as_actor(user: t.User) -> Actor:
    return Actor(user.username, user.role, user.region_code, tuple(user.units or ()))


def actor(session: Session, username: str) -> Actor:
    """The active user with this name; a clear error otherwise."""
    user = session.scalar(select(t.User).where(t.User.username == username))
    if user is None:
        raise ZhuanshengError(f"没有用户 '{username}'，请先用 zhuansheng user add 创建")
    if not user.active:
        raise ZhuanshengError(f"用户 '{username}' 已停用")
    return as_actor(user)


def disable_user(session: Session, username: str) -> None:
    user = session.scalar(select(t.User).where(t.User.username == username))
    if user is None:
        raise ZhuanshengError(f"没有用户 '{username}'")
    user.active = False


def list_users(session: Session) -> list[t.User]:
    return list(session.scalars(select(t.User).order_by(t.User.username)))


# Demo accounts only: ``zhuansheng user demo-passwords`` gives every passwordless account of a
# synthetic demo world this password, so the served demo can be tried at once.
DEMO_PASSWORD = "zhuansheng-demo-2022"
MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ZhuanshengError(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符")
    return _hasher.hash(password)


def set_password(session: Session, username: str, password: str) -> None:
    user = session.scalar(select(t.User).where(t.User.username == username))
    if user is None:
        raise ZhuanshengError(f"没有用户 '{username}'")
    user.password_hash = hash_password(password)
    audit.record(session, username, "user.password", "user", username)


def check_password(session: Session, username: str, password: str) -> Actor | None:
    """The actor when the name and password match an active account, else None.

    A missing user still costs one hash verification, so timing does not reveal which names
    exist."""
    user = session.scalar(select(t.User).where(t.User.username == username))
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    try:
        ok = _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or not user.password_hash or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return as_actor(user)


def set_demo_passwords(session: Session) -> int:
    """Give every passwordless account the documented demo password — only in a demo world,
    i.e. a store whose enterprises are all synthetic (演示账号，仅用于合成演示数据)."""
    real = session.scalar(select(t.Enterprise.uscc).where(t.Enterprise.synthetic.is_(False)))
    any_synthetic = session.scalar(select(t.Enterprise.uscc).where(t.Enterprise.synthetic))
    if real is not None or any_synthetic is None:
        raise ZhuanshengError(
            "只有合成演示数据库才能设置演示密码；请用 zhuansheng user password 为每个用户单独设置"
        )
    # One hash shared by the demo accounts: the password is public, and hashing a hundred
    # accounts one by one would add seconds to every demo build.
    hashed = _hasher.hash(DEMO_PASSWORD)
    users = session.scalars(select(t.User).where(t.User.password_hash == "")).all()
    for user in users:
        user.password_hash = hashed
    audit.record(session, "demo", "user.demo_passwords", "user", detail={"accounts": len(users)})
    return len(users)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not-a-real-password-for-timing")
