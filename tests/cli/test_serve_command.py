"""`zhuansheng serve` refuses a store without the current schema, before listening."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from zhuansheng import store, users
from zhuansheng.cli import app

ZS = str(Path(sys.executable).with_name("zhuansheng"))

runner = CliRunner()
# generous for a busy 2-core machine; passing runs do not wait for them (polling)
REQUEST_TIMEOUT = 60.0
START_TIMEOUT = 180.0
STOP_TIMEOUT = 60.0


def test_serve_refuses_a_store_without_tables(empty_world: Path) -> None:
    # `empty_world` (tests/conftest.py) points at a fresh var/ whose store has never been created
    # an address nothing can listen on: were the check missing, uvicorn would fail at once
    # instead of listening, and the assertions below would catch it
    out = runner.invoke(app, ["serve", "--host", "256.256.256.256", "--port", "8000"])
    assert out.exit_code == 2
    assert "尚未建表" in out.output and "zhuansheng db upgrade" in out.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in text:
            out.append(int(status.parent.name))
    return out


@pytest.mark.slow
def test_several_server_processes_share_the_sessions(demo_world: Path) -> None:
    with store.session() as s:
        users.set_demo_passwords(s)
    port = _free_port()
    server = subprocess.Popen(
        [ZS, "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, "ZHUANSHENG_WEB_SECRET": "serve-test"},
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base, server)
        workers = [p for p in _children(server.pid) if "spawn_main" in _cmdline(p)]
        assert len(workers) == 2  # the supervisor runs two server processes
        with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT) as c:
            page = c.get("/login").text
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            r = c.post(
                "/login",
                data={"username": "admin", "password": users.DEMO_PASSWORD, "csrf_token": csrf},
            )
            assert r.status_code == 303  # signed in: on to the overview
            # fresh connections land on either process: every one knows the session
            for _ in range(20):
                with httpx.Client(
                    base_url=base, cookies=c.cookies, timeout=REQUEST_TIMEOUT
                ) as fresh:
                    assert fresh.get("/").status_code == 200
    finally:
        server.terminate()
        try:
            server.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()  # leave no server behind, and still fail
            raise


def _wait_until_healthy(base: str, server: subprocess.Popen[bytes]) -> None:
    """Poll /healthz until the server answers (a busy machine may take long to start it)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the server exited with {server.returncode}"
        try:
            if httpx.get(f"{base}/healthz", timeout=REQUEST_TIMEOUT).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)  # not listening yet
    raise AssertionError(f"the server did not answer within {START_TIMEOUT} s")


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""
