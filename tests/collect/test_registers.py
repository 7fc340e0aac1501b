"""Registries and project registers from files: validated whole, written whole, never half."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

import worlds
from zhuansheng import store, users
from zhuansheng.collect.registers import import_register
from zhuansheng.errors import InputRejected
from zhuansheng.lake import uscc
from zhuansheng.store import tables as t
from zhuansheng.workspace import at

GOOD_USCC = "91330603" + "MA2BCDEF1"  # completed with its check character below
GOOD_USCC += uscc.check_char(GOOD_USCC)


@pytest.fixture
def url(store_url: str) -> Iterator[str]:
    worlds.seed_2022(store_url)
    with store.session(store_url) as s:
        users.add_user(s, "prov", "province_admin")
    yield store_url


def count(url: str, table: type[t.Base]) -> int:
    with store.session(url) as s:
        return s.scalar(select(func.count()).select_from(table)) or 0


def csv_file(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_registry_import_is_idempotent(url: str, tmp_path: Path) -> None:
    f = csv_file(
        tmp_path / "未来工厂.csv",
        "registry_kind,name,uscc,region_code,recognised_on,batch\n"
        f"future_factory,绍兴某纺织未来工厂,{GOOD_USCC},330603,2022-06-15,2022年第一批\n"
        "future_factory,杭州某电气未来工厂,,330109,2022/9/1,2022年第二批\n",
        encoding="gbk",
    )
    result = import_register("registry", f, user="prov", ws=at(url))
    assert (result.rows, result.written) == (2, 2)
    again = import_register("registry", f, user="prov", ws=at(url))
    assert (again.written, again.unchanged) == (0, 2)
    assert count(url, t.RegistryEntry) == 2
    with store.session(url) as s:
        dates = sorted(str(d) for d in s.scalars(select(t.RegistryEntry.recognised_on)))
    assert dates == ["2022-06-15", "2022-09-01"]


def test_registry_problems_are_located_and_nothing_is_written(url: str, tmp_path: Path) -> None:
    bad_uscc = GOOD_USCC[:-1] + ("0" if GOOD_USCC[-1] != "0" else "1")
    f = csv_file(
        tmp_path / "bad.csv",
        "registry_kind,name,uscc,region_code,recognised_on,batch\n"
        f"future_factory,甲,{bad_uscc},330603,2022-06-15,\n"
        "future_factory,乙,,339999,2022-06-15,\n"
        "future_farm,丙,,330603,2022-06-15,\n"
        "future_factory,丁,,330603,六月,\n"
        "future_factory,戊,,330603,2022-07-01,\n"
        "future_factory,戊,,330603,2022-07-01,\n",
    )
    with pytest.raises(InputRejected) as err:
        import_register("registry", f, user="prov", ws=at(url))
    where = {(p.row, p.column) for p in err.value.problems}
    assert where == {
        (2, "uscc"),
        (3, "region_code"),
        (4, "registry_kind"),
        (5, "recognised_on"),
        (7, "name"),
    }
    text = str(err.value)
    assert "校验位" in text and "未知的地区代码 '339999'" in text and "与第 6 行重复" in text
    assert count(url, t.RegistryEntry) == 0
    missing = csv_file(tmp_path / "m.csv", "registry_kind,name\nfuture_factory,甲\n")
    with pytest.raises(InputRejected, match="缺少列：region_code、recognised_on"):
        import_register("registry", missing, user="prov", ws=at(url))


def test_projects_and_investments(url: str, tmp_path: Path) -> None:
    projects = csv_file(
        tmp_path / "p.csv",
        "project_kind,code,name,uscc,region_code,status,started_on,completed_on,"
        "planned_investment_wan\n"
        "digital_renovation,SZH-1,某技改项目,,330603,started,2022-03-01,,12000\n",
    )
    import_register("projects", projects, user="prov", ws=at(url))
    money = csv_file(
        tmp_path / "i.csv", 'code,month,invested_wan\nSZH-1,2022-03,2000\nSZH-1,2022-04,"3,000"\n'
    )
    assert import_register("investments", money, user="prov", ws=at(url)).written == 2
    with store.session(url) as s:
        assert s.scalar(select(func.sum(t.ProjectInvestment.invested_wan))) == 5000.0
    changed = csv_file(
        tmp_path / "p2.csv",
        "project_kind,code,name,uscc,region_code,status,started_on,completed_on,"
        "planned_investment_wan\n"
        "digital_renovation,SZH-1,某技改项目,,330603,completed,2022-03-01,"
        "2022-10-31,12000\n",
    )
    assert import_register("projects", changed, user="prov", ws=at(url)).written == 1
    with store.session(url) as s:
        assert s.scalar(select(t.Project.status)) == "completed"
        log = s.scalars(select(t.AuditLog).where(t.AuditLog.action == "project.update")).one()
        assert log.detail["before"]["status"] == "started"
    unknown = csv_file(tmp_path / "i2.csv", "code,month,invested_wan\nSZH-9,2022-13,1\n")
    with pytest.raises(InputRejected) as err:
        import_register("investments", unknown, user="prov", ws=at(url))
    assert {(p.row, p.column) for p in err.value.problems} == {(2, "code"), (2, "month")}


@pytest.mark.slow
def test_killed_import_leaves_all_or_nothing(tmp_path: Path) -> None:
    """SIGKILL a real import process while it writes: the store has none of the file or all."""
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    store.upgrade(url)
    with store.session(url) as s:
        store.sync_reference(s)
        users.add_user(s, "prov", "province_admin")
    store.dispose_all()
    rows = 150_000
    lines = ["registry_kind,name,uscc,region_code,recognised_on,batch"]
    lines += [
        f"specialised_sme,企业{i},,330603,2022-{1 + i % 12:02d}-{1 + i % 28:02d},"
        for i in range(rows)
    ]
    big = tmp_path / "big.csv"
    big.write_text("\n".join(lines), encoding="utf-8")
    env = {**os.environ, "ZHUANSHENG_DATABASE_URL": url}
    cli = Path(sys.executable).with_name("zhuansheng")
    proc = subprocess.Popen(
        [str(cli), "import", "registry", str(big), "--user", "prov"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wal = tmp_path / "kill.db-wal"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > 4 * 2**20:  # rows are being written
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    proc.wait(timeout=60)
    killed = proc.returncode == -signal.SIGKILL
    n = count(url, t.RegistryEntry)
    store.dispose_all()
    assert n in (0, rows)
    assert killed, "the import finished before it could be killed mid-write"
    assert n == 0  # killed before the commit: none of the file


def test_a_county_user_brings_in_only_its_own_rows(url: str, tmp_path: Path) -> None:
    with store.session(url) as s:
        users.add_user(s, "keqiao", "county", "330603")
    f = csv_file(
        tmp_path / "r.csv",
        "registry_kind,name,uscc,region_code,recognised_on,batch\n"
        "future_factory,本县企业,,330603,2022-06-15,\n"
        "future_factory,外县企业,,330602,2022-06-15,\n",
    )
    with pytest.raises(InputRejected) as err:
        import_register("registry", f, user="keqiao", ws=at(url))
    assert [(p.row, p.column) for p in err.value.problems] == [(3, "region_code")]
    assert "超出用户 keqiao 的数据范围" in str(err.value)
    assert count(url, t.RegistryEntry) == 0


PROJECT = (
    "project_kind,code,name,uscc,region_code,status,started_on,completed_on,"
    "planned_investment_wan\n"
    "digital_renovation,SZH-1,某技改项目,,330106,started,2022-03-01,,12000\n"
)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("1e308", "1e+308"),
        ("1e15", "1e+15"),
        ("inf", "inf"),
        ("nan", "nan"),
        ("-inf", "inf"),
        ("1" + "0" * 400, "…（共 401 字）"),
    ],
)
def test_investments_out_of_range_are_refused_with_the_cell(
    url: str, tmp_path: Path, typed: str, shown: str
) -> None:
    import_register("projects", csv_file(tmp_path / "p.csv", PROJECT), user="prov", ws=at(url))
    f = csv_file(
        tmp_path / "i.csv", f"code,month,invested_wan\nSZH-1,2022-03,2000\nSZH-1,2022-04,{typed}\n"
    )
    with pytest.raises(InputRejected) as err:
        import_register("investments", f, user="prov", ws=at(url))
    assert [(p.row, p.column) for p in err.value.problems] == [(3, "invested_wan")]
    text = str(err.value)
    assert "第 3 行, 列 invested_wan" in text and shown in text
    assert len(text) < 400  # never the 400-digit number itself
    if typed in ("1e308", "1e15"):
        assert "超出合理范围 0 — 10,000,000 万元" in text
    assert count(url, t.ProjectInvestment) == 0


def test_project_and_plan_bounds_come_from_the_data_file(url: str, tmp_path: Path) -> None:
    huge = PROJECT.replace(",12000\n", ",6e7\n")
    with pytest.raises(InputRejected, match="超出合理范围 0 — 50,000,000 万元") as err:
        import_register("projects", csv_file(tmp_path / "p.csv", huge), user="prov", ws=at(url))
    assert [(p.row, p.column) for p in err.value.problems] == [(2, "planned_investment_wan")]
    assert count(url, t.Project) == 0
    import_register("projects", csv_file(tmp_path / "p2.csv", PROJECT), user="prov", ws=at(url))
    plan = csv_file(tmp_path / "pl.csv", "code,month,planned_wan\nSZH-1,2022-03,1e8\n")
    with pytest.raises(
        InputRejected, match="第 2 行, 列 planned_wan: 数值 100,000,000 超出合理范围"
    ):
        import_register("plans", plan, user="prov", ws=at(url))
    ok = csv_file(tmp_path / "ok.csv", "code,month,invested_wan\nSZH-1,2022-03,10000000\n")
    assert import_register("investments", ok, user="prov", ws=at(url)).written == 1
