"""Load on the web app: 50 concurrent clients on the overview page and on /api/v1/monitor.

Builds a demo world (or uses --var), starts `zhuansheng serve` as a second process on loopback,
signs in one browser session and issues one API token, then runs N concurrent clients (httpx,
asyncio), each sending requests back to back for --seconds per endpoint. Prints p50/p95/p99
latency and throughput. Goal: p95 under 200 ms on the 2-core machine with the demo data.

    .venv/bin/python benchmarks/web_load.py --enterprises 20000 --clients 50 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _world import temporary_world

ROOT = Path(__file__).resolve().parents[1]
ZS = str(Path(sys.executable).with_name("zhuansheng"))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(enterprises: int) -> None:
    from zhuansheng import demo, store, users

    demo.build(seed=42, enterprises=enterprises)
    with store.session() as s:
        users.set_demo_passwords(s)


async def _client(
    base: str,
    path: str,
    headers: dict[str, str],
    cookies: dict[str, str],
    until: float,
    out: list[float],
) -> None:
    async with httpx.AsyncClient(base_url=base, headers=headers, cookies=cookies, timeout=30) as c:
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            r = await c.get(path)
            out.append(time.perf_counter() - t0)
            if r.status_code != 200:
                raise SystemExit(f"{path}: HTTP {r.status_code}")


async def _load(
    base: str,
    path: str,
    headers: dict[str, str],
    cookies: dict[str, str],
    clients: int,
    seconds: float,
) -> list[float]:
    out: list[float] = []
    until = time.perf_counter() + seconds
    await asyncio.gather(
        *(_client(base, path, headers, cookies, until, out) for _ in range(clients))
    )
    return out


def _report(name: str, times: list[float], seconds: float) -> None:
    ms = sorted(t * 1000 for t in times)
    q = statistics.quantiles(ms, n=100)
    print(
        f"{name:<28} n={len(ms):>6}  {len(ms) / seconds:7.1f} req/s  "
        f"p50 {q[49]:6.1f} ms  p95 {q[94]:6.1f} ms  p99 {q[98]:6.1f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=20000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=20)
    args = ap.parse_args()
    with temporary_world():
        _prepare(args.enterprises)
        from zhuansheng.web import settings, tokens

        token = tokens.issue("admin", settings.secret_key(), days=1)
        port = _free_port()
        env = {**os.environ, "ZHUANSHENG_NODE_MODULES": str(ROOT / "node_modules")}
        server = subprocess.Popen(
            [ZS, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    httpx.get(f"{base}/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            with httpx.Client(base_url=base) as c:
                page = c.get("/login")
                csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
                c.post(
                    "/login",
                    data={
                        "username": "admin",
                        "password": "zhuansheng-demo-2022",
                        "csrf_token": csrf,
                    },
                )
                cookies = dict(c.cookies)
                t0 = time.perf_counter()
                assert c.get("/?period=2022-06").status_code == 200
                print(
                    f"first overview (monitoring analysis, cold): "
                    f"{(time.perf_counter() - t0) * 1000:.0f} ms"
                )
            print(
                f"{args.clients} concurrent clients, {args.seconds:.0f} s per endpoint, "
                f"{args.enterprises} demo enterprises, server: one uvicorn process"
            )
            for name, path, headers, jar in (
                ("overview page /", "/?period=2022-06", {}, cookies),
                (
                    "/api/v1/monitor (city)",
                    "/api/v1/monitor?period=2022-06&level=city",
                    {"Authorization": f"Bearer {token}"},
                    {},
                ),
            ):
                times = asyncio.run(_load(base, path, headers, jar, args.clients, args.seconds))
                _report(name, times, args.seconds)
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
