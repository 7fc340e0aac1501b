"""Three large workbooks uploaded at once to a real `zhuansheng serve` process: the server keeps
answering ``/healthz`` in under half a second while it reads them (imports run in the thread
pool, not on the event loop)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner
from web_helpers import NODE_MODULES, fill_template, free_port, web_source

from worlds import copy_world, kept_unwritten, pointed_at

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from _workbooks import padded

from zhuansheng import store, users
from zhuansheng.cli import app
from zhuansheng.collect import templates
from zhuansheng.store import tables as t

ZS = str(Path(sys.executable).with_name("zhuansheng"))
PERIOD = "2022-12"
SIZE = 4_800_000  # bytes on disk, just under the 5 MB upload limit
HEALTHZ_BOUND_S = 0.5  # the bound for one /healthz answer while uploads are read


def _wait_up(base: str) -> None:
    deadline = time.monotonic() + 180  # start-up on a busy machine
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("the server did not start")


@pytest.mark.slow
def test_healthz_answers_while_three_large_workbooks_are_read(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    source = web_source(tmp_path_factory)  # a copy of the web tests' world: no build of its own
    root = copy_world(source, tmp_path_factory.mktemp("upload-serving") / "world")
    with kept_unwritten(source), pointed_at(root):
        with store.session() as s:
            done = set(
                s.scalars(select(t.Submission.region_code).where(t.Submission.period == PERIOD))
            )
            counties = list(
                s.scalars(
                    select(t.Region.code)
                    .where(t.Region.level == "county", t.Region.code.not_in(done))
                    .order_by(t.Region.code)
                    .limit(3)
                )
            )
            assert len(counties) == 3
            for code in counties:
                users.set_password(s, f"u{code}", "upload-serving")
        runner = CliRunner()
        tokens = {}
        for code in counties:
            out = runner.invoke(app, ["user", "token", f"u{code}", "--days", "1"])
            assert out.exit_code == 0, out.output
            tokens[code] = out.output.strip().splitlines()[-1]
        files = {}
        for i, code in enumerate(counties):
            blank = templates.write_template(code, PERIOD, tmp_path / f"blank-{code}.xlsx")
            filled = fill_template(blank, tmp_path / f"filled-{code}.xlsx")
            files[code] = padded(filled, tmp_path / f"{code}-{PERIOD}.xlsx", SIZE, seed=i)
            assert 4_500_000 < files[code].stat().st_size < 5 * 1024 * 1024

        port = free_port()
        env = {**os.environ, "ZHUANSHENG_NODE_MODULES": str(NODE_MODULES)}
        server = subprocess.Popen(
            [ZS, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_up(base)

            def post(code: str) -> httpx.Response:
                # generous: three imports share two busy cores
                with httpx.Client(base_url=base, timeout=300) as c, files[code].open("rb") as fh:
                    return c.post(
                        "/api/v1/observations",
                        headers={"Authorization": f"Bearer {tokens[code]}"},
                        files={"file": (files[code].name, fh)},
                        data={"region": code, "period": PERIOD, "comment": "核实无误"},
                    )

            latencies: list[float] = []
            with ThreadPoolExecutor(3) as pool, httpx.Client(base_url=base, timeout=30) as probe:
                uploads: list[Future[httpx.Response]] = [pool.submit(post, c) for c in counties]
                while not all(u.done() for u in uploads):
                    t0 = time.perf_counter()
                    assert probe.get("/healthz").json() == {"status": "ok"}
                    latencies.append(time.perf_counter() - t0)
                    time.sleep(0.05)
                answers = [u.result() for u in uploads]
        finally:
            server.terminate()
            server.wait(20)

        for code, r in zip(counties, answers, strict=True):
            assert r.status_code in (200, 422), r.text[:500]
            if r.status_code == 200:
                assert r.json()["region"] == code and r.json()["written"] > 0
            else:
                assert r.json()["error"]["problems"]
        slow = [round(x, 3) for x in latencies if x >= HEALTHZ_BOUND_S]
        assert not slow, f"/healthz took {slow} s ({len(latencies)} answers)"
        assert len(latencies) >= 5  # reading the uploads was real work: polled all along
