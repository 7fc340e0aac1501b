"""Soak: the server under steady mixed load for minutes — page views and API reads from many
clients, county workbooks uploaded back to back, briefings generated now and then — with every
answer checked and the server processes' resident memory sampled.

Builds a demo world, starts `zhuansheng serve --workers N` on loopback only, then runs
``--clients`` asyncio clients (httpx) for ``--minutes``, each cycling through the overview page,
the rankings, the case board and the API's monitoring and case reads; ``--uploaders`` threads
post county workbooks to /api/v1/observations; one thread asks for a quarterly briefing (docx)
every ``--report-every`` seconds. Every request is bounded by a client timeout and the whole run
by ``--minutes``; nothing leaves 127.0.0.1.

Prints the requests by route with p50/p95 latency, every answer that was not 2xx (the run
fails on any 5xx or transport error), and the resident memory (VmRSS from /proc) of the server
processes minute by minute; memory is called flat when the last minute's is within 10 % of the
second minute's (the baseline of the same run: the first minute warms caches).

    .venv/bin/python benchmarks/soak.py --enterprises 20000 --clients 50 --minutes 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _world import temporary_world
from web_load import ROOT, ZS, _free_port, _prepare, _upload_files, _uploader, wait_ready

READS = (
    ("overview", "/?period=2022-06", "page"),
    ("rankings", "/rankings", "page"),
    ("case board", "/cases", "page"),
    ("api monitor", "/api/v1/monitor?period=2022-06&level=city", "api"),
    ("api case board", "/api/v1/cases/board?year=2022", "api"),
    ("api cases", "/api/v1/cases?year=2022&state=verified&region=330100", "api"),
)


def _rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and its children (the uvicorn workers), in KiB."""
    total = 0
    pids = [pid]
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(k) for k in kids]
    except OSError:
        pass
    for p in pids:
        try:
            text = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        m = re.search(r"VmRSS:\s+(\d+) kB", text)
        total += int(m.group(1)) if m else 0
    return total


async def _reader(
    base: str,
    cookies: dict[str, str],
    token: str,
    until: float,
    times: dict[str, list[float]],
    bad: list[str],
    offset: int,
) -> None:
    async with (
        httpx.AsyncClient(base_url=base, cookies=cookies, timeout=120) as page,
        httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120
        ) as api,
    ):
        i = offset
        while time.perf_counter() < until:
            name, path, kind = READS[i % len(READS)]
            i += 1
            t0 = time.perf_counter()
            try:
                r = await (page if kind == "page" else api).get(path)
            except httpx.TransportError as exc:
                bad.append(f"{name}: {type(exc).__name__}")
                continue
            times[name].append(time.perf_counter() - t0)
            if r.status_code != 200:
                bad.append(f"{name}: HTTP {r.status_code}")


def _reporter(
    base: str, token: str, every: float, stop: threading.Event, out: list[tuple[int, float]]
) -> None:
    body = {"kind": "quarterly", "period": "2022Q2", "formats": ["docx"]}
    with httpx.Client(base_url=base, timeout=300) as c:
        while not stop.wait(every):
            t0 = time.perf_counter()
            r = c.post("/api/v1/reports", json=body, headers={"Authorization": f"Bearer {token}"})
            out.append((r.status_code, time.perf_counter() - t0))


def _sign_in(base: str) -> dict[str, str]:
    with httpx.Client(base_url=base, timeout=300) as c:
        form = c.get("/login").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        c.post(
            "/login",
            data={"username": "admin", "password": "zhuansheng-demo-2022", "csrf_token": csrf},
        )
        assert c.get("/?period=2022-06").status_code == 200  # the first analysis, cold
        return dict(c.cookies)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=20000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--uploaders", type=int, default=2)
    ap.add_argument("--report-every", type=float, default=60)
    args = ap.parse_args()
    with temporary_world():
        _prepare(args.enterprises)
        from zhuansheng import workspace
        from zhuansheng.services import tokens

        secret = tokens.secret_key(workspace.current())
        token = tokens.issue("admin", secret, days=1)
        port = _free_port()
        env = {**os.environ, "ZHUANSHENG_NODE_MODULES": str(ROOT / "node_modules")}
        server = subprocess.Popen(
            [ZS, "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(args.workers)],
            env=env,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base)
            cookies = _sign_in(base)
            _soak(base, cookies, token, secret, server.pid, args)
        finally:
            server.terminate()
            server.wait(30)


def _soak(
    base: str,
    cookies: dict[str, str],
    token: str,
    secret: str,
    pid: int,
    args: argparse.Namespace,
) -> None:
    from zhuansheng.services import tokens

    seconds = args.minutes * 60
    times: dict[str, list[float]] = defaultdict(list)
    bad: list[str] = []
    memory: list[tuple[float, int]] = []
    uploads: list[tuple[int, float]] = []
    reports: list[tuple[int, float]] = []
    stop = threading.Event()
    with tempfile.TemporaryDirectory() as tmp:
        files = _upload_files(Path(tmp), args.uploaders)
        threads = [
            threading.Thread(
                target=_uploader,
                args=(base, c, f, tokens.issue(f"u{c}", secret, days=1), stop, uploads),
            )
            for c, f in files
        ]
        threads.append(
            threading.Thread(target=_reporter, args=(base, token, args.report_every, stop, reports))
        )
        started = time.perf_counter()

        def sample() -> None:
            while not stop.wait(10):
                memory.append((time.perf_counter() - started, _rss_kib(pid)))

        threads.append(threading.Thread(target=sample))
        for th in threads:
            th.start()
        until = started + seconds
        asyncio.run(_readers(base, cookies, token, until, times, bad, args.clients))
        stop.set()
        for th in threads:
            th.join()
    _print(times, bad, uploads, reports, memory, args)


async def _readers(
    base: str,
    cookies: dict[str, str],
    token: str,
    until: float,
    times: dict[str, list[float]],
    bad: list[str],
    clients: int,
) -> None:
    await asyncio.gather(
        *(_reader(base, cookies, token, until, times, bad, i) for i in range(clients))
    )


def _minute(memory: list[tuple[float, int]], minute: int) -> float:
    """Mean resident memory (MiB) of the samples within that minute (1-based)."""
    got = [kib for t, kib in memory if minute - 1 <= t / 60 < minute]
    return statistics.mean(got) / 1024 if got else float("nan")


def _print(
    times: dict[str, list[float]],
    bad: list[str],
    uploads: list[tuple[int, float]],
    reports: list[tuple[int, float]],
    memory: list[tuple[float, int]],
    args: argparse.Namespace,
) -> None:
    print(
        f"soak: {args.clients} clients, {args.uploaders} uploaders, a briefing every "
        f"{args.report_every:.0f} s, {args.minutes:g} min, {args.workers} server processes, "
        f"{args.enterprises} demo enterprises"
    )
    for name, _, _ in READS:
        got = sorted(t * 1000 for t in times[name]) or [0.0]
        q = statistics.quantiles(got, n=20) if len(got) > 1 else [got[0]] * 19
        print(f"  {name:<16} n={len(got):>6}  p50 {q[9]:7.1f} ms  p95 {q[18]:7.1f} ms")
    up_codes = sorted({c for c, _ in uploads})
    rep_codes = sorted({c for c, _ in reports})
    print(f"  uploads          n={len(uploads):>6}  HTTP {up_codes}")
    print(f"  briefings        n={len(reports):>6}  HTTP {rep_codes}")
    minutes = int(args.minutes)
    if minutes >= 2:
        second, last = _minute(memory, 2), _minute(memory, minutes)
        drift = (last - second) / second
        print(
            f"  memory (server processes): minute 2 {second:.0f} MiB, minute {minutes} "
            f"{last:.0f} MiB, change {drift:+.1%} ({'flat' if abs(drift) <= 0.10 else 'NOT flat'})"
        )
    failures = [b for b in bad if "HTTP 5" in b or "Error" in b]
    failures += [f"upload HTTP {c}" for c, _ in uploads if c >= 500]
    failures += [f"briefing HTTP {c}" for c, _ in reports if c >= 300]
    print(f"  answers other than 200: {len(bad)} ({sorted(set(bad))[:10]})")
    if failures:
        raise SystemExit(f"soak failed: {len(failures)} failed requests, e.g. {failures[:5]}")


if __name__ == "__main__":
    main()
