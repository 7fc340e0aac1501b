"""Three large workbooks uploaded at once to a real `zhuansheng serve` process: the server keeps
answering ``/healthz`` in under half a second while it reads them (imports run in the thread
pool, not on the event loop)."""

from __future__ import annotations

import os
import random
import re
import string
import subprocess
import sys
import time
import zipfile
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner
from web_helpers import NODE_MODULES, fill_template, free_port

from worlds import built_demo_world
from zhuansheng import store, users
from zhuansheng.cli import app
from zhuansheng.collect import templates
from zhuansheng.collect.template import INPUT_SHEET
from zhuansheng.store import tables as t

ZS = str(Path(sys.executable).with_name("zhuansheng"))
PERIOD = "2022-12"
SIZE = 4_800_000  # bytes on disk, just under the 5 MB upload limit
HEALTHZ_BOUND_S = 0.5  # the bound for one /healthz answer while uploads are read

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def _sheet_part(zf: zipfile.ZipFile, name: str) -> str:
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rid = next(
        s.get(f"{{{_NS['r']}}}id")
        for s in book.iter(f"{{{_NS['m']}}}sheet")
        if s.get("name") == name
    )
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = next(
        r.get("Target") for r in rels.iter(f"{{{_NS['p']}}}Relationship") if r.get("Id") == rid
    )
    assert target
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _padding(first_row: int, budget: int, seed: int) -> tuple[bytes, int]:
    """Note rows (no indicator code, so the importer reads and skips them) of random text
    that compress to about ``budget`` bytes; the XML and the last row number."""
    rng = random.Random(seed)
    letters = string.ascii_letters + string.digits
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    chunks, packed, row = [], 0, first_row
    while packed < budget:
        rows = []
        for _ in range(500):
            cells = "".join(
                f'<c r="{col}{row}" t="inlineStr"><is><t>附注{row}：'
                f"{''.join(rng.choices(letters, k=60))}</t></is></c>"
                for col in ("A", "C", "L")
            )
            rows.append(f'<row r="{row}">{cells}</row>')
            row += 1
        chunk = "".join(rows).encode()
        packed += len(packer.compress(chunk))
        chunks.append(chunk)
    return b"".join(chunks), row - 1


def large_workbook(filled: Path, out: Path, seed: int) -> Path:
    """The filled template with its input sheet padded by note rows to about SIZE bytes."""
    with zipfile.ZipFile(filled) as src:
        part = _sheet_part(src, INPUT_SHEET)
        xml = src.read(part)
        last = max(int(n) for n in re.findall(rb'<row r="(\d+)"', xml))
        budget = SIZE - filled.stat().st_size - 20_000  # room for the zip's own bookkeeping
        rows, end = _padding(last + 2, budget, seed)
        xml = xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)
        xml = re.sub(
            rb'<dimension ref="A1:([A-Z]+)\d+"', rb'<dimension ref="A1:\g<1>%d"' % end, xml
        )
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                dst.writestr(item, xml if item.filename == part else src.read(item.filename))
    return out


def _wait_up(base: str) -> None:
    deadline = time.monotonic() + 60
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
    with built_demo_world(tmp_path_factory, "upload-serving", seed=5, enterprises=600):
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
            files[code] = large_workbook(filled, tmp_path / f"{code}-{PERIOD}.xlsx", seed=i)
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
