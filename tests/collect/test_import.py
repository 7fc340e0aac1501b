"""Templates and the observation import: a real store, real workbooks, every bad input refused
with a located message and the store left exactly as it was."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

import worlds
from zhuansheng import monitor, programme, store, users
from zhuansheng.cli import app
from zhuansheng.collect import import_observations, templates, workflow
from zhuansheng.errors import Forbidden, InputRejected, Invalid, ZhuanshengError
from zhuansheng.store import observations as obs
from zhuansheng.store import tables as t
from zhuansheng.workspace import at

KEQIAO = "330603"
GOOD = {  # 柯桥区, 1—6月; ratio indicators as (numerator, denominator)
    "robots": 120,
    "trad_rd_expense": 3.5,
    "tax_per_mu": (36000, 1200),
    "va_per_mu": (168000, 1200),
    "trad_share": (10.2, 16.8),
    "rd_intensity": (3.1, 100),
    "energy_intensity": (70000, 168000),
    "training_person_times": 350,
}


@pytest.fixture
def url(store_url: str) -> Iterator[str]:
    worlds.seed_2022(store_url)
    with store.session(store_url) as s:
        users.add_user(s, "keqiao", "county", KEQIAO)
        users.add_user(s, "yuecheng", "county", "330602")
    yield store_url


def fill(template: Path, out: Path, values: dict[str, object]) -> Path:
    """Fill a template the way a county office would: the yellow cells only."""
    wb = openpyxl.load_workbook(template)
    ws = wb["填报"]
    for row in ws.iter_rows(min_row=5):
        code = row[1].value
        if code in values:
            v = values[code]
            if isinstance(v, tuple):
                row[7].value, row[9].value = v
            else:
                row[6].value = v
    wb.save(out)
    return out


def filled(
    url: str,
    tmp_path: Path,
    values: dict[str, object] | None = None,
    name: str = "柯桥-2022-06.xlsx",
) -> Path:
    blank = templates.write_template(KEQIAO, "2022-06", tmp_path / "blank.xlsx", ws=at(url))
    return fill(blank, tmp_path / name, GOOD if values is None else values)


def snapshot(url: str) -> tuple[int, int, int, int]:
    with store.session(url) as s:
        return tuple(  # type: ignore[return-value]
            s.scalar(select(func.count()).select_from(table))
            for table in (t.Observation, t.ImportBatch, t.Submission, t.AuditLog)
        )


def refused(url: str, path: Path, *needles: str, **kwargs: object) -> InputRejected:
    before = snapshot(url)
    with pytest.raises(InputRejected) as err:
        import_observations(path, user="keqiao", ws=at(url), **kwargs)  # type: ignore[arg-type]
    text = str(err.value)
    for needle in needles:
        assert needle in text, text
    assert snapshot(url) == before, "a refused file must leave the store unchanged"
    return err.value


# -- the round trip ----------------------------------------------------------------------------


def test_template_to_monitoring_round_trip(url: str, tmp_path: Path) -> None:
    path = filled(url, tmp_path)
    result = import_observations(path, user="keqiao", ws=at(url))
    assert (result.region, result.period, result.written) == (KEQIAO, "2022-06", 8)
    with store.session(url) as s:
        row = obs.latest(s, "tax_per_mu", KEQIAO, "2022-06")
        assert (row.value, row.numerator, row.denominator) == (30.0, 36000.0, 1200.0)
        assert row.source_name == "柯桥-2022-06.xlsx" and row.source_cell == "填报!H7"
        assert row.recorded_by == "keqiao" and len(row.source_sha256) == 64
        assert s.scalar(select(t.Submission.status)) == "draft"
    # a draft counts for monitoring once it is submitted (count_from: submitted)
    (draft,) = monitor.run("2022-06", ws=at(url)).rows(region=KEQIAO, target="robots_new")
    assert draft.actual is None
    with store.session(url) as s:
        workflow.act(s, "submit", KEQIAO, "2022-06", users.actor(s, "keqiao"))
    m = monitor.run("2022-06", ws=at(url))
    (robots,) = m.rows(region=KEQIAO, target="robots_new")
    assert robots.actual == 120
    (share,) = m.rows(region=KEQIAO, target="trad_share")
    assert share.actual == pytest.approx(10.2 / 16.8 * 100)


def test_same_file_again_changes_nothing_and_a_correction_keeps_history(
    url: str, tmp_path: Path
) -> None:
    path = filled(url, tmp_path)
    import_observations(path, user="keqiao", ws=at(url))
    before = snapshot(url)
    again = import_observations(path, user="keqiao", ws=at(url))
    assert (again.written, again.unchanged) == (0, 8)
    assert snapshot(url) == before
    fixed = filled(url, tmp_path, {**GOOD, "robots": 125}, name="柯桥-2022-06-更正.xlsx")
    result = import_observations(fixed, user="keqiao", ws=at(url), comment="更正机器人数")
    assert (result.written, result.unchanged) == (1, 7)
    with store.session(url) as s:
        history = obs.history(s, "robots", KEQIAO, "2022-06")
    assert [(h.revision, h.value, h.source_name) for h in history] == [
        (1, 120.0, "柯桥-2022-06.xlsx"),
        (2, 125.0, "柯桥-2022-06-更正.xlsx"),
    ]
    assert history[0].source_sha256 != history[1].source_sha256


def test_csv_template_round_trip_with_gbk_and_full_width_numbers(url: str, tmp_path: Path) -> None:
    blank = templates.write_template(KEQIAO, "2022-06", tmp_path / "t.csv", fmt="csv", ws=at(url))
    lines = blank.read_text(encoding="utf-8-sig").splitlines()
    out = []
    for line in lines:
        cells = line.split(",")
        code = cells[1] if len(cells) > 1 else ""
        if code in GOOD:
            v = GOOD[code]
            if isinstance(v, tuple):
                cells[7], cells[9] = f"{v[0]}", f"{v[1]}"
            elif code == "robots":
                cells[6] = "１２０"  # full-width digits
            else:
                cells[6] = str(v)
        out.append(",".join(cells))
    gbk = tmp_path / "柯桥.csv"
    gbk.write_bytes("\n".join(out).encode("gbk"))
    result = import_observations(gbk, user="keqiao", ws=at(url))
    assert result.written == 8
    with store.session(url) as s:
        assert obs.latest(s, "robots", KEQIAO, "2022-06").value == 120.0


# -- values people write -----------------------------------------------------------------------


def test_thousands_separators_and_percent_points(url: str, tmp_path: Path) -> None:
    values = {
        **GOOD,
        "robots": "1,２34",
        "trad_share": ("10.2", "16.8"),
        "rd_intensity": ("3.1%", "100"),
    }
    import_observations(filled(url, tmp_path, values), user="keqiao", ws=at(url))
    with store.session(url) as s:
        assert obs.latest(s, "robots", KEQIAO, "2022-06").value == 1234.0
        # "3.1%" is read in percentage points, i.e. 3.1 (the template asks for points)
        assert obs.latest(s, "rd_intensity", KEQIAO, "2022-06").numerator == 3.1


def test_text_in_a_numeric_cell(url: str, tmp_path: Path) -> None:
    path = filled(url, tmp_path, {**GOOD, "robots": "一百二十台"})
    err = refused(url, path, "第 5 行 本期值列（G5）", "不是数值")
    assert err.problems[0].sheet == "填报" and err.problems[0].column == "本期值"


def test_negative_and_missing_values_and_numerator_above_denominator(
    url: str, tmp_path: Path
) -> None:
    values = {**GOOD, "robots": -3, "training_person_times": None, "trad_share": (20, 16.8)}
    path = filled(url, tmp_path, values)
    refused(url, path, "负数", "企业经管人才培训人次未填写", "分子 20 大于分母 16.8")


def test_formula_needs_a_comment_and_then_its_cached_value_is_used(
    url: str, tmp_path: Path
) -> None:
    path = filled(url, tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["填报"]["G5"] = "=100+20"
    wb.save(path)
    # openpyxl keeps no cached result: a formula without one is refused as unreadable
    with pytest.raises(InputRejected):
        import_observations(path, user="keqiao", ws=at(url))
    import xlsxwriter

    made = tmp_path / "formula.xlsx"
    blank = templates.write_template(KEQIAO, "2022-06", tmp_path / "b2.xlsx", ws=at(url))
    meta = openpyxl.load_workbook(blank)["_meta"]
    with xlsxwriter.Workbook(made) as book:  # a formula with its cached value, as Excel saves it
        ws = book.add_worksheet("填报")
        header = templates.COLUMNS
        for j, h in enumerate(header):
            ws.write(3, j, h)
        for i, (code, v) in enumerate(GOOD.items()):
            ws.write(4 + i, 1, code)
            ws.write(4 + i, 3, programme.indicators()[code].unit)
            if code == "robots":
                ws.write_formula(4 + i, 6, "=100+20", None, 120)
            elif isinstance(v, tuple):
                ws.write(4 + i, 7, v[0])
                ws.write(4 + i, 9, v[1])
            else:
                ws.write(4 + i, 6, v)
        m = book.add_worksheet("_meta")
        for k, row in enumerate(meta.iter_rows(values_only=True)):
            m.write(k, 0, row[0])
            m.write(k, 1, row[1])
        m.hide()
    refused(url, made, "含公式", "须填写说明")
    result = import_observations(made, user="keqiao", ws=at(url), comment="机器人数为两批合计")
    assert result.written == 8 and len(result.warnings) == 1
    with store.session(url) as s:
        row = obs.latest(s, "robots", KEQIAO, "2022-06")
        assert row.value == 120.0 and "两批合计" in row.comment


def test_outlier_is_a_warning_against_own_history(url: str, tmp_path: Path) -> None:
    src = obs.Source(recorded_by="test", kind="api")
    flows = {2021: [8, 12, 9, 11, 10, 13, 7, 12, 9, 11, 10, 8], 2022: [9, 11, 10, 12, 8]}
    with store.session(url) as s:  # seventeen months of about ten robots a month
        for year, months in flows.items():
            total = 0
            for m, flow in enumerate(months, start=1):
                total += flow
                obs.record(s, "robots", KEQIAO, f"{year}-{m:02d}", float(total), src)
    # June: 50 → 150 is a flow of 100. History median 10, MAD 1 → z = 0.6745 × 90 / 1 ≈ 61
    path = filled(url, tmp_path, {**GOOD, "robots": 150})
    refused(url, path, "明显偏离本地区历史水平", "须填写说明")
    accepted = import_observations(path, user="keqiao", ws=at(url), comment="新上一条产线")
    assert accepted.written == 8


# -- files that are not what they should be -------------------------------------------------------


def _edit(path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def test_another_version_region_or_period(url: str, tmp_path: Path) -> None:
    path = filled(url, tmp_path)
    refused(url, path, "不是 330602 的", region="330602")
    refused(url, path, "不是 2022-07 的", period="2022-07")
    _edit(path, lambda wb: wb["_meta"].cell(1, 2, "obs-0"))
    refused(url, path, "模板版本 'obs-0'", "下载最新模板")


def test_a_county_cannot_submit_for_another(url: str, tmp_path: Path) -> None:
    path = filled(url, tmp_path)
    before = snapshot(url)
    with pytest.raises(ZhuanshengError, match="无权填报 柯桥区"):
        import_observations(path, user="yuecheng", ws=at(url))
    assert snapshot(url) == before


def test_renamed_sheet_merged_cells_unknown_and_duplicate_codes(url: str, tmp_path: Path) -> None:
    renamed = _edit(
        filled(url, tmp_path, name="a.xlsx"), lambda wb: setattr(wb["填报"], "title", "Sheet1")
    )
    refused(url, renamed, "填报", "Sheet1")
    merged = _edit(filled(url, tmp_path, name="b.xlsx"), lambda wb: wb["填报"].merge_cells("G5:G6"))
    refused(url, merged, "合并单元格")

    def unknown(wb):  # type: ignore[no-untyped-def]
        wb["填报"]["B12"] = "robotz"
        wb["填报"]["G12"] = 1

    refused(url, _edit(filled(url, tmp_path, name="c.xlsx"), unknown), "未知的指标代码 'robotz'")

    def duplicate(wb):  # type: ignore[no-untyped-def]
        wb["填报"]["B13"] = "robots"
        wb["填报"]["G13"] = 130

    refused(url, _edit(filled(url, tmp_path, name="d.xlsx"), duplicate), "重复，已在第 5 行出现")


def test_unsafe_or_wrong_files(url: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    refused(url, empty, "空")
    text = tmp_path / "text.xlsx"
    text.write_text("这不是 Excel 文件", encoding="utf-8")
    refused(url, text, "xlsx")
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "0" * (150 * 2**20))
    refused(url, bomb, "解压")
    big = tmp_path / "big.csv"
    with big.open("wb") as fh:
        fh.write(b"x" * (21 * 2**20))
    refused(url, big, "20")
    bom = tmp_path / "bom.csv"
    bom.write_text("\ufeff#template_version,obs-9\n", encoding="utf-8")
    refused(url, bom, "模板版本 'obs-9'")
    plain = tmp_path / "自制表格.csv"  # a table of one's own: no template stamp at all
    plain.write_text("指标代码,本期值\nrobots,12\n", encoding="utf-8")
    exc = refused(url, plain, "不是本平台的填报模板", "下载本地区、本期的最新模板")
    assert "None" not in str(exc.problems[0].message)


def test_locked_data_cannot_be_imported(url: str, tmp_path: Path) -> None:
    from zhuansheng.collect import workflow

    import_observations(filled(url, tmp_path), user="keqiao", ws=at(url))
    with store.session(url) as s:
        users.add_user(s, "shaoxing", "city", "330600")
        workflow.act(s, "submit", KEQIAO, "2022-06", users.actor(s, "keqiao"))
        workflow.act(s, "approve", KEQIAO, "2022-06", users.actor(s, "shaoxing"))
    path = filled(url, tmp_path, {**GOOD, "robots": 121}, name="late.xlsx")
    before = snapshot(url)
    with pytest.raises(ZhuanshengError, match="已审核"):
        import_observations(path, user="keqiao", ws=at(url))
    assert snapshot(url) == before


def test_unknown_region_in_the_stamp(url: str, tmp_path: Path) -> None:
    path = _edit(filled(url, tmp_path), lambda wb: wb["_meta"].cell(2, 2, "339999"))
    refused(url, path, "地区代码 '339999' 不是有效的行政区划代码")


def test_csv_with_a_bom_is_accepted(url: str, tmp_path: Path) -> None:
    blank = templates.write_template(KEQIAO, "2022-06", tmp_path / "t.csv", fmt="csv", ws=at(url))
    out = []
    for line in blank.read_text(encoding="utf-8-sig").splitlines():
        cells = line.split(",")
        v = GOOD.get(cells[1]) if len(cells) > 1 else None
        if isinstance(v, tuple):
            cells[7], cells[9] = str(v[0]), str(v[1])
        elif v is not None:
            cells[6] = str(v)
        out.append(",".join(cells))
    bom = tmp_path / "bom.csv"
    bom.write_text("\n".join(out), encoding="utf-8-sig")
    assert bom.read_bytes()[:3] == b"\xef\xbb\xbf"
    assert import_observations(bom, user="keqiao", ws=at(url)).written == 8


def test_exports_neutralise_formula_text() -> None:
    from zhuansheng import tabular

    rows = [{"name": '=HYPERLINK("http://x","点我")', "note": "@SUM(A1)", "value": "-12.5"}]
    text = tabular.to_csv(rows, ["name", "note", "value"])
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
    assert text.splitlines()[1].endswith(",-12.5")  # a plain number stays a number


def test_a_warning_is_explained_by_the_lines_note(url: str, tmp_path: Path) -> None:
    src = obs.Source(recorded_by="test", kind="api")
    flows = {2021: [8, 12, 9, 11, 10, 13, 7, 12, 9, 11, 10, 8], 2022: [9, 11, 10, 12, 8]}
    with store.session(url) as s:
        for year, months in flows.items():
            total = 0
            for m, flow in enumerate(months, start=1):
                total += flow
                obs.record(s, "robots", KEQIAO, f"{year}-{m:02d}", float(total), src)
    path = filled(url, tmp_path, {**GOOD, "robots": 150})
    _edit(path, lambda wb: wb["填报"].cell(5, 12, "新上一条机器人产线"))  # 备注 of robots
    result = import_observations(path, user="keqiao", ws=at(url))
    assert result.written == 8 and len(result.warnings) == 1
    with store.session(url) as s:
        assert "新上一条机器人产线" in obs.latest(s, "robots", KEQIAO, "2022-06").comment


def test_a_rules_file_with_an_unknown_indicator_is_refused(tmp_path: Path) -> None:
    from ruamel.yaml import YAML

    from zhuansheng.collect import default_rules, load_rules

    data = default_rules().model_dump()
    data["ranges"]["robotz"] = {"min": 0, "max": 1}
    path = tmp_path / "rules.yaml"
    with path.open("w", encoding="utf-8") as fh:
        YAML(typ="safe").dump(data, fh)
    with pytest.raises(ZhuanshengError, match="未知的指标代码 robotz"):
        load_rules(path)


def test_a_changed_unit_is_refused(url: str, tmp_path: Path) -> None:
    path = _edit(filled(url, tmp_path), lambda wb: wb["填报"].cell(6, 4, "万元"))  # was 亿元
    refused(url, path, "计量单位为“万元”，应为“亿元”", "第 6 行 单位列")


def test_one_rule_for_who_may_import(url: str, tmp_path: Path) -> None:
    """The import asks ``zhuansheng.access`` as the pages and the API do: a city may import for
    its own counties (代报) and is refused, with Forbidden (HTTP 403, CLI exit 2), for another
    city's; before, the import alone refused the first and answered the second with a plain
    error (HTTP 400) where the pages said 403."""
    with store.session(url) as s:
        users.add_user(s, "shaoxing", "city", "330600")  # 柯桥区's city
        users.add_user(s, "hangzhou", "city", "330100")
    path = filled(url, tmp_path)
    before = snapshot(url)
    with pytest.raises(Forbidden, match="无权填报 柯桥区") as refusal:
        import_observations(path, user="hangzhou", ws=at(url))
    assert refusal.value.status == 403 and snapshot(url) == before
    result = import_observations(path, user="shaoxing", ws=at(url))
    assert (result.region, result.written) == (KEQIAO, 8)
    with store.session(url) as s:
        assert obs.latest(s, "robots", KEQIAO, "2022-06").recorded_by == "shaoxing"


def test_no_template_for_a_year_without_a_programme(url: str, tmp_path: Path) -> None:
    """A template lists what the year's programme asks for: for 2031 there is none, so the
    command says so (exit 2) and writes nothing."""
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "柯桥-2031-01.xlsx"
    result = CliRunner().invoke(
        app, ["template", "--period", "2031-01", "--region", KEQIAO, "-o", str(out)]
    )
    assert result.exit_code == 2
    assert "2031 年没有工作要点" in result.output and "2022" in result.output
    assert list(folder.iterdir()) == []  # no file, no temporary one
    with pytest.raises(Invalid, match="无法生成 2031-01 的填报模板"):
        templates.write_template(KEQIAO, "2031-01", out, ws=at(url))


def test_the_commands_rules_file_is_applied(url: str, tmp_path: Path) -> None:
    """`import observations --rules F` checks with F: robots 120 passes the shipped range
    (0–20000) but not a locality's own 0–100, and the refused file writes nothing."""
    from ruamel.yaml import YAML

    from zhuansheng.collect import default_rules

    data = default_rules().model_dump()
    data["ranges"]["robots"] = {"min": 0, "max": 100}
    rules = tmp_path / "rules.yaml"
    with rules.open("w", encoding="utf-8") as fh:
        YAML(typ="safe").dump(data, fh)
    path = filled(url, tmp_path)  # robots 120
    before = snapshot(url)
    args = ["import", "observations", str(path), "--user", "keqiao", "--dry-run"]
    refused = CliRunner().invoke(app, [*args, "--rules", str(rules)])
    assert refused.exit_code == 2
    assert "超出合理范围 0–100" in " ".join(refused.output.split())
    assert snapshot(url) == before
    shipped = CliRunner().invoke(app, args)
    assert shipped.exit_code == 0, shipped.output
