"""Fixtures of the web tests (defined in web_helpers.py)."""

from web_helpers import app, reports, server, web_world

__all__ = ["app", "reports", "server", "web_world"]
