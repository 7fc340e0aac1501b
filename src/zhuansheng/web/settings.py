"""Settings of the web application: environment variables (``ZHUANSHENG_WEB_*``) over defaults.

The secret that signs API tokens comes from ``ZHUANSHENG_SECRET_KEY`` or, failing that, from
``<var>/secret_key`` (``zhuansheng.services.tokens.secret_key``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from zhuansheng import workspace
from zhuansheng.config import ENV_PREFIX
from zhuansheng.workspace import Workspace

PACKAGE_DIR = Path(__file__).resolve().parent


def _env(name: str, default: str) -> str:
    return os.environ.get(f"{ENV_PREFIX}WEB_{name}", default)


def _flag(name: str, default: bool) -> bool:
    return _env(name, "1" if default else "0").strip().lower() in ("1", "true", "yes", "on")


def find_node_modules() -> Path:
    """``node_modules`` of the checkout (installed by ``./run`` with ``npm ci``)."""
    explicit = os.environ.get(f"{ENV_PREFIX}NODE_MODULES")
    if explicit:
        return Path(explicit)
    for parent in [Path.cwd(), *PACKAGE_DIR.parents]:
        if (parent / "node_modules" / "echarts").is_dir():
            return parent / "node_modules"
    return Path.cwd() / "node_modules"


@dataclass(frozen=True)
class WebSettings:
    database_url: str | None = None  # None: the workspace's (ZHUANSHENG_DATABASE_URL)
    secret: str = ""  # signs API tokens; empty: services.tokens.secret_key()
    idle_timeout_s: int = 30 * 60  # a session unused this long is logged out
    max_upload_bytes: int = 5 * 1024 * 1024
    login_attempts: int = 5  # failures per (user name, client address) …
    login_address_attempts: int = 50  # … and per client address, whatever the names …
    login_window_s: int = 15 * 60  # … within this window, then paused until it passes
    login_form_max_age_s: int = 2 * 3600  # the sign-in form's token expires after this
    # Addresses or networks (CIDR) of reverse proxies whose X-Forwarded-For is believed; empty:
    # none, the address is the connection's peer.
    trusted_proxies: tuple[str, ...] = ()
    # Aggregated progress of every region (map, rankings, region pages) visible to every
    # signed-in user; enterprise data and submissions stay within the user's scope regardless.
    all_regions_visible: bool = True
    cookie_secure: bool = False  # set behind HTTPS
    node_modules: Path = field(default_factory=find_node_modules)
    reports_dir: Path | None = None  # generated reports; None: <var>/reports

    def workspace(self) -> Workspace:
        """The workspace from the configuration, with this server's database when given."""
        ws = workspace.current()
        if self.database_url:
            ws = replace(ws, database_url=self.database_url)
        return ws


def _list(name: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in _env(name, "").split(",") if x.strip())


def from_env() -> WebSettings:
    d = WebSettings
    return WebSettings(
        idle_timeout_s=int(_env("IDLE_TIMEOUT", str(30 * 60))),
        login_attempts=int(_env("LOGIN_ATTEMPTS", str(d.login_attempts))),
        login_address_attempts=int(_env("LOGIN_ADDRESS_ATTEMPTS", str(d.login_address_attempts))),
        login_window_s=int(_env("LOGIN_WINDOW", str(d.login_window_s))),
        trusted_proxies=_list("TRUSTED_PROXIES"),
        max_upload_bytes=int(_env("MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))),
        all_regions_visible=_flag("ALL_REGIONS_VISIBLE", True),
        cookie_secure=_flag("COOKIE_SECURE", False),
        reports_dir=Path(_env("REPORTS_DIR", "")) if _env("REPORTS_DIR", "") else None,
    )
