"""Load on the web app: 50 concurrent clients on the overview page and on /api/v1/monitor.

Builds a demo world, starts `zhuansheng serve` as a second process on loopback, signs in one
browser session and issues one API token, then runs N concurrent connections, each sending
requests back to back for --seconds per endpoint: with wrk (Debian package, in deps/apt.txt) when
it is installed — a C load generator leaves the two cores to the server —, else with httpx and
asyncio in this process. Prints p50/p95/p99 latency and throughput, and the ratio to /healthz (the
smallest route, same load) as the baseline of the same run. Goal: p95 under 200 ms on the 2-core
machine with the demo data.

With ``--mixed`` it then loads the overview page twice more, alone and while ``--uploaders``
clients post 4.8 MB county workbooks back to back to /api/v1/observations, and prints the page
views' p50/p95/p99 under uploads as ratios to the run without them.

    .venv/bin/python benchmarks/web_load.py --enterprises 20000 --clients 50 --seconds 20
    .venv/bin/python benchmarks/web_load.py --enterprises 20000 --seconds 20 --mixed
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _workbooks import large_workbook
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


def wait_ready(base: str, seconds: float = 30) -> None:
    """Until the server answers /healthz (it imports and opens the store first)."""
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"the server at {base} did not answer within {seconds:.0f} s")


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


# wrk prints these after the run: requests, then p50/p95/p99 in microseconds
_WRK_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("ZS %d %d %d %d %d\\n", summary.requests, summary.errors.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def _wrk(
    base: str, path: str, headers: dict[str, str], cookies: dict[str, str], clients: int, s: float
) -> tuple[int, float, float, float]:
    """(requests, p50, p95, p99 in ms) from wrk with one thread per core."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(_WRK_LUA)
    args = ["wrk", "-t2", f"-c{clients}", f"-d{s:.0f}s", "-s", fh.name]
    hdrs = dict(headers)
    if cookies:
        hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    for k, v in hdrs.items():
        args += ["-H", f"{k}: {v}"]
    out = subprocess.run([*args, base + path], capture_output=True, text=True, check=True).stdout
    os.unlink(fh.name)
    n, errors, p50, p95, p99 = map(int, re.search(r"ZS (.+)", out).group(1).split())
    if errors:
        raise SystemExit(f"{path}: {errors} responses were not 2xx/3xx")
    return n, p50 / 1000, p95 / 1000, p99 / 1000


def _python(
    base: str, path: str, headers: dict[str, str], cookies: dict[str, str], clients: int, s: float
) -> tuple[int, float, float, float]:
    times = asyncio.run(_load(base, path, headers, cookies, clients, s))
    q = statistics.quantiles(sorted(t * 1000 for t in times), n=100)
    return len(times), q[49], q[94], q[98]


def _report(name: str, r: tuple[int, float, float, float], seconds: float, base_p95: float) -> None:
    n, p50, p95, p99 = r
    print(
        f"{name:<28} n={n:>6}  {n / seconds:7.1f} req/s  p50 {p50:6.1f} ms  "
        f"p95 {p95:6.1f} ms  p99 {p99:6.1f} ms  p95 ×{p95 / base_p95:.1f} of /healthz"
    )


UPLOAD_PERIOD = "2022-12"
UPLOAD_SIZE = 4_800_000  # just under the 5 MB upload limit


def _upload_files(folder: Path, n: int) -> list[tuple[str, Path]]:
    """(county, workbook) for ``n`` counties with nothing submitted for UPLOAD_PERIOD."""
    from sqlalchemy import select

    from zhuansheng import store
    from zhuansheng.store import tables as t

    with store.session() as s:
        done = select(t.Submission.region_code).where(t.Submission.period == UPLOAD_PERIOD)
        counties = list(
            s.scalars(
                select(t.Region.code)
                .where(t.Region.level == "county", t.Region.code.not_in(done))
                .order_by(t.Region.code)
                .limit(n)
            )
        )
    return [
        (c, large_workbook(c, UPLOAD_PERIOD, folder, UPLOAD_SIZE, i))
        for i, c in enumerate(counties)
    ]


def _uploader(
    base: str,
    county: str,
    path: Path,
    token: str,
    stop: threading.Event,
    out: list[tuple[int, float]],
) -> None:
    """Posts the county's workbook back to back until ``stop``: (status, seconds) per upload."""
    body = path.read_bytes()
    with httpx.Client(base_url=base, timeout=600) as c:
        while not stop.is_set():
            t0 = time.perf_counter()
            r = c.post(
                "/api/v1/observations",
                headers={"Authorization": f"Bearer {token}"},
                files={"file": (path.name, body)},
                data={"region": county, "period": UPLOAD_PERIOD, "comment": "核实无误"},
            )
            out.append((r.status_code, time.perf_counter() - t0))


def _mixed(load, base: str, cookies: dict[str, str], args: argparse.Namespace) -> None:  # type: ignore[no-untyped-def]
    from zhuansheng import workspace
    from zhuansheng.services import tokens

    secret = tokens.secret_key(workspace.current())
    with tempfile.TemporaryDirectory() as tmp:
        files = _upload_files(Path(tmp), args.uploaders)
        path = "/?period=2022-06"
        alone = load(base, path, {}, cookies, args.clients, args.seconds)
        stop, done = threading.Event(), []  # type: ignore[var-annotated]
        threads = [
            threading.Thread(
                target=_uploader,
                args=(base, c, f, tokens.issue(f"u{c}", secret, days=1), stop, done),
            )
            for c, f in files
        ]
        for th in threads:
            th.start()
        busy = load(base, path, {}, cookies, args.clients, args.seconds)
        stop.set()
        for th in threads:
            th.join()
    print(
        f"\nmixed run: overview page, {args.clients} clients, alone and while {len(files)} "
        f"clients post {UPLOAD_SIZE / 1e6:.1f} MB workbooks back to back"
    )
    for name, r in (("overview alone", alone), ("overview during uploads", busy)):
        n, p50, p95, p99 = r
        print(
            f"{name:<28} n={n:>6}  {n / args.seconds:7.1f} req/s  p50 {p50:6.1f} ms  "
            f"p95 {p95:6.1f} ms  p99 {p99:6.1f} ms  "
            f"(×{p50 / alone[1]:.2f} ×{p95 / alone[2]:.2f} ×{p99 / alone[3]:.2f} of alone)"
        )
    codes = sorted({code for code, _ in done})
    times = sorted(s for _, s in done) or [0.0]
    print(
        f"uploads: {len(done)} answered (HTTP {codes}), "
        f"median {statistics.median(times):.1f} s, max {times[-1]:.1f} s"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=20000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--python-client", action="store_true", help="httpx even when wrk is there")
    ap.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    ap.add_argument("--mixed", action="store_true", help="then page views during uploads")
    ap.add_argument("--uploaders", type=int, default=3, help="concurrent uploads in --mixed")
    args = ap.parse_args()
    with temporary_world():
        _prepare(args.enterprises)
        from zhuansheng import workspace
        from zhuansheng.services import tokens

        token = tokens.issue("admin", tokens.secret_key(workspace.current()), days=1)
        port = _free_port()
        env = {**os.environ, "ZHUANSHENG_NODE_MODULES": str(ROOT / "node_modules")}
        server = subprocess.Popen(
            [ZS, "serve", "--port", str(port), "--workers", str(args.workers)],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base)
            with httpx.Client(base_url=base, timeout=300) as c:  # the first analysis is cold
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
                # every process computes its own analysis once: warm them all before timing
                for _ in range(10 * args.workers if args.workers > 1 else 0):
                    with httpx.Client(base_url=base, cookies=cookies) as fresh:
                        fresh.get("/?period=2022-06")
                        fresh.get(
                            "/api/v1/monitor?period=2022-06&level=city",
                            headers={"Authorization": f"Bearer {token}"},
                        )
            load = _wrk if shutil.which("wrk") and not args.python_client else _python
            print(
                f"{args.clients} concurrent clients ({'wrk' if load is _wrk else 'httpx'}), "
                f"{args.seconds:.0f} s per endpoint, {args.enterprises} demo enterprises, "
                f"server: {args.workers} uvicorn process(es)"
            )
            base_p95 = 0.0
            for name, path, headers, jar in (
                ("/healthz (baseline)", "/healthz", {}, {}),
                ("overview page /", "/?period=2022-06", {}, cookies),
                (
                    "/api/v1/monitor (city)",
                    "/api/v1/monitor?period=2022-06&level=city",
                    {"Authorization": f"Bearer {token}"},
                    {},
                ),
            ):
                r = load(base, path, headers, jar, args.clients, args.seconds)
                base_p95 = base_p95 or r[2]
                _report(name, r, args.seconds, base_p95)
            if args.mixed:
                _mixed(load, base, cookies, args)
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
