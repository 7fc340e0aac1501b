"""People who use the platform: a role and a region scope each.

Roles: ``province_admin`` and ``province_analyst`` (the provincial office), ``city`` and ``county``
(转升办 of a city or county, scoped to that region), ``department`` (a responsible unit),
``viewer``. Passwords are stored as argon2id hashes (never the password itself).
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

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
    return Actor(user.username, user.role, user.region_code)


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
