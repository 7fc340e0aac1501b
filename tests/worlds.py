"""Demo worlds for the tests: built once for the whole run, each test working on a copy.

A world is a folder holding ``var/`` (the SQLite store and the Parquet lake); the programme
folder the settings name under it stays empty. Building one takes seconds, copying its files
milliseconds. So a world is built once per run (the first xdist worker to need it builds it
under a file lock, the others wait and reuse it), and the tests work on copies: a test that
writes gets a copy of its own, a module whose tests only read shares one. Nothing written by
one test is seen by another, and nothing ever writes into the built original.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from zhuansheng import demo, programme, store
from zhuansheng.lake import uscc as credit_codes
from zhuansheng.store import tables as t


def point_at(mp: pytest.MonkeyPatch, root: Path) -> None:
    """Settings for a world under ``root`` (var/, its store and lake; an empty programme dir)."""
    mp.setenv("ZHUANSHENG_VAR", str(root / "var"))
    mp.setenv("ZHUANSHENG_DATABASE_URL", f"sqlite:///{root / 'var' / 'zhuansheng.db'}")
    mp.setenv("ZHUANSHENG_LAKE", str(root / "var" / "lake"))
    mp.setenv("ZHUANSHENG_PROGRAMME_DIR", str(root / "programmes"))
    mp.delenv("ZHUANSHENG_CONFIG", raising=False)


def build_in(root: Path, build: Callable[[], object]) -> None:
    """Run ``build`` with the settings pointing at ``root``; leave no connection open, so that
    the files are complete and can be copied."""
    with pytest.MonkeyPatch.context() as mp:
        point_at(mp, root)
        try:
            build()
        finally:
            store.dispose_all()


def _run_folder(factory: pytest.TempPathFactory) -> Path:
    """A folder shared by all workers of this run, and by nothing else."""
    base = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # each worker's basetemp is <run folder>/popen-gwN: their parent belongs to this run only
        return base.parent
    return base


def shared_world(factory: pytest.TempPathFactory, name: str, build: Callable[[], object]) -> Path:
    """The root of world ``name``, built by ``build`` once per run. Read it only: copy it with
    ``copy_world`` before pointing the settings at it."""
    folder = _run_folder(factory) / "shared-worlds"
    folder.mkdir(exist_ok=True)
    root = folder / name
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, even if build fails
        if not root.exists():
            partial = folder / f"{name}.partial"
            shutil.rmtree(partial, ignore_errors=True)  # left by a build that failed
            build_in(partial, build)
            partial.rename(root)  # a world appears complete or not at all
    return root


def fingerprint(root: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file under ``root``: unchanged if nothing wrote."""
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@contextmanager
def kept_unwritten(root: Path) -> Iterator[Path]:
    """Fail if anything wrote into the world at ``root`` while the context lasted."""
    before = fingerprint(root)
    yield root
    assert fingerprint(root) == before, f"the world {root} was written to; use a copy of its own"


def copy_world(source: Path, root: Path) -> Path:
    """A copy of the world at ``source`` under ``root`` (a new folder)."""
    shutil.copytree(source, root, symlinks=True)
    return root


@contextmanager
def pointed_at(root: Path) -> Iterator[Path]:
    """The settings point at the world under ``root`` while the context lasts."""
    with pytest.MonkeyPatch.context() as mp:
        point_at(mp, root)
        try:
            yield root
        finally:
            store.dispose_all()


def demo_source(factory: pytest.TempPathFactory) -> Path:
    """The demo world most modules share (seed 5, 2 000 sample firms), built once per run."""
    return shared_world(factory, "demo-seed5-2000", lambda: demo.build(seed=5, enterprises=2000))


@contextmanager
def built_demo_world(
    factory: pytest.TempPathFactory, name: str, *, seed: int, enterprises: int
) -> Iterator[Path]:
    """A demo world of its own built under a new temporary folder (for a module that needs
    other seeds or sizes); the settings point at it while the context lasts."""
    root = factory.mktemp(name)
    build_in(root, lambda: demo.build(seed=seed, enterprises=enterprises))
    with pointed_at(root):
        yield root


def seed_2022(url: str) -> str:
    """A new store at ``url`` with the schema, the reference data and the 2022 programme."""
    store.upgrade(url)
    with store.session(url) as s:
        store.sync_reference(s)
        store.sync_programme(s, programme.load(2022), programme.programme_path(2022))
    return url


def screening(
    s: Session, firms: list[tuple[str, str, str]], candidates: list[str], year: int = 2022
) -> None:
    """A screening run of ``year`` whose ``candidates`` (USCCs) are among ``firms`` (USCC, name,
    county), every firm an above-scale enterprise of industry 1711 flagged by one rule."""
    run_id = f"screen-{year}-test"
    s.add(
        t.EvaluationRun(
            run_id=run_id,
            method="screen",
            year=year,
            method_file="screening.yaml",
            method_sha256="0" * 64,
            engine="duckdb",
        )
    )
    for uscc, name, county in firms:
        s.add(t.Enterprise(uscc=uscc, name=name, county_code=county, industry_code="1711",
                           scale="above"))  # fmt: skip
    s.flush()
    for uscc, name, county in firms:
        if uscc in candidates:
            s.add(
                t.ScreeningCandidate(
                    run_id=run_id,
                    uscc=uscc,
                    name=name,
                    county_code=county,
                    industry_code="1711",
                    year=year,
                    rules=["tax_per_mu_low"],
                    freed_land_mu=12.5,
                    freed_energy_tce=300.0,
                )
            )


# a value to fill in a drafted programme, with last year's value as the hint (programme init)
DRAFT_HINT = re.compile(r"^(?P<indent>\s*)(?P<key>\w+): 待填写  # 2022: (?P<old>.*)$")


def fill_programme_draft(text: str) -> str:
    """Fill a draft as an office would from the new document: each value one more than the
    year before (15000 → 15001), each text the old one marked 2023, the new date of issue."""
    lines = []
    for line in text.splitlines():
        m = DRAFT_HINT.match(line)
        if m:
            key, old = m["key"], m["old"]
            if key == "value":
                new = str(float(old) + 1)
            elif key == "issued":
                new = "2023-04-28"
            else:
                new = json.dumps(f"{old}（2023 年）", ensure_ascii=False)  # a YAML string
            line = f"{m['indent']}{key}: {new}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def fact_row(
    n: int, county: str, industry: str, scale: str, year: int, tax: float
) -> dict[str, Any]:
    """One valid enterprise-year of the lake contract; the figures grow with ``n``."""
    return {
        "uscc": credit_codes.make("9", "1", county, credit_codes.organization_code(f"{n:08d}")),
        "name": f"测试企业{n}有限公司",
        "county_code": county,
        "industry_code": industry,
        "scale": scale,
        "year": year,
        "land_mu": 10.0 * n,
        "tax_wan": tax,
        "value_added_wan": 100.0 * n if scale == "above" else None,
        "revenue_wan": 500.0 * n,
        "rd_wan": 5.0 * n,
        "employees": 20.0 * n,
        "electricity_kwh": 100000.0 * n,
        "coal_t": 0.0,
        "coke_t": 0.0,
        "fuel_oil_t": 0.0,
        "gasoline_t": 1.5,
        "diesel_t": 2.5,
        "lpg_t": 0.0,
        "natural_gas_m3": 1000.0 * n,
        "heat_gj": 0.0,
        "zero_carbon_kwh": 0.0,
        "pollutant_t": 0.25 * n,
        "state_listed_tce": 0.0,
    }
