"""The safe reading layer: every file is built here, good ones and bad ones."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from zhuansheng.collect.numbers import NumberError, cell_number, compact, parse_number
from zhuansheng.errors import InputRejected, Problem
from zhuansheng.uploads import (
    Cell,
    _shift_formula,
    column_letter,
    defined_names,
    neutralise,
    open_workbook,
    read_csv,
    read_sheet,
    read_table,
    sheet_names,
    split_ref,
)

# --------------------------------------------------------------------------------------------
# Builders


def xlsx(path: Path, build: Callable[[xlsxwriter.Workbook], None]) -> Path:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    build(book)
    book.close()
    return path


def template_like(book: xlsxwriter.Workbook) -> None:
    """A hidden stamp sheet first, then the input sheet with the things users do to it."""
    meta = book.add_worksheet("_meta")
    meta.write_string("A1", "template_version")
    meta.write_string("B1", "3")
    meta.write_string("A2", "region")
    meta.write_string("B2", "330100")
    meta.hide()
    ws = book.add_worksheet("填报")
    ws.activate()
    pct = book.add_format({"num_format": "0.0%"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row("A1", ["指标代码", "指标名称", "单位", "本期值"])
    ws.write_string("A2", "001")
    ws.write_string("B2", "规上工业增加值")
    ws.write_number("D2", 12345)
    ws.write_number("D3", 12.5)
    ws.write_string("D4", "１２,３４５")
    ws.write_number("D5", 0.08, pct)
    ws.write_number("D6", 44743, day)
    ws.write_formula("D7", "=SUM(D2:D3)", None, 12357.5)
    ws.write_formula("E7", '=IF(D7>0,"正","")', None, "正")
    ws.write_boolean("F2", True)
    ws.write_string("F3", "")
    ws.merge_range("B9:C10", "合并的单元格")
    book.define_name("填报!输入区", "=填报!$D$2:$D$8")


def raw_xlsx(
    path: Path,
    sheet_xml: str | bytes,
    *,
    shared: list[str] | None = None,
    workbook_xml: str | None = None,
    extra: dict[str, bytes] | None = None,
) -> Path:
    """A minimal workbook written by hand, for what xlsxwriter never writes."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    workbook = workbook_xml or (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rns}><sheets>'
        '<sheet name="填报" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="/xl/sharedStrings.xml"/>'
        "</Relationships>"
    )
    body = sheet_xml if isinstance(sheet_xml, bytes) else sheet_xml.encode()
    if not body.lstrip().startswith(b"<?xml") and b"<worksheet" not in body:
        body = f"<worksheet {ns}><sheetData>".encode() + body + b"</sheetData></worksheet>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", rels)
        zf.writestr("xl/worksheets/sheet1.xml", body)
        if shared is not None:
            items = "".join(shared)
            zf.writestr("xl/sharedStrings.xml", f"<sst {ns}>{items}</sst>")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def rejected(call: Callable[[], Any]) -> InputRejected:
    with pytest.raises(InputRejected) as exc:
        call()
    return exc.value


def only(exc: InputRejected) -> Problem:
    (problem,) = exc.problems
    return problem


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return xlsx(tmp_path / "杭州市-2022-06.xlsx", template_like)


# --------------------------------------------------------------------------------------------
# Reading workbooks


def test_values_keep_their_stored_type(book: Path) -> None:
    data = read_sheet(book, sheet="填报")
    assert data.name == "填报" and data.state == "visible"
    assert data.cell("A2").value == "001"  # text stays text
    assert data.cell("D2").value == 12345 and isinstance(data.cell("D2").value, int)
    assert data.cell("D3").value == 12.5
    assert data.cell("D4").value == "１２,３４５"  # parsed later, by parse_number
    assert data.cell("F2").value is True
    assert data.cell("F3").value is None  # an empty string is an empty cell
    assert data.cell("Z99").is_empty


def test_grid_positions_and_refs(book: Path) -> None:
    data = read_sheet(book, sheet="填报")
    assert (data.n_rows, data.n_cols) == (9, 6)  # through B9 (merged text) and column F
    for r, line in enumerate(data.rows, start=1):
        assert len(line) == data.n_cols
        for c, cell in enumerate(line, start=1):
            assert (cell.row, cell.col, cell.ref) == (r, c, f"{column_letter(c)}{r}")
    d7 = data.rows[6][3]
    assert d7.ref == "D7" and data.cell(7, 4) is d7
    assert [c.ref for c in data.iter_cells()][:4] == ["A1", "B1", "C1", "D1"]
    assert data.values()[1][:4] == ["001", "规上工业增加值", None, 12345]


def test_formula_text_and_cached_value(book: Path) -> None:
    data = read_sheet(book, sheet="填报")
    d7, e7 = data.cell("D7"), data.cell("E7")
    assert (d7.formula, d7.value) == ("=SUM(D2:D3)", 12357.5)
    assert (e7.formula, e7.value) == ('=IF(D7>0,"正","")', "正")
    assert data.cell("D2").formula is None
    assert data.warnings == []


def test_merged_cells_are_flagged(book: Path) -> None:
    data = read_sheet(book, sheet="填报")
    assert data.merged_ranges == ["B9:C10"]
    assert data.cell("B9").value == "合并的单元格"
    assert all(data.cell(ref).merged for ref in ("B9", "C9", "B10", "C10"))
    assert not any(data.cell(ref).merged for ref in ("A9", "D9", "B8", "B11"))
    assert data.cell("C10").is_empty  # outside the grid, still known to be merged


def test_number_formats(book: Path) -> None:
    data = read_sheet(book, sheet="填报")
    d5, d6 = data.cell("D5"), data.cell("D6")
    assert d5.number_format == "0.0%" and d5.is_percent and not d5.is_date
    assert d6.is_date and not d6.is_percent
    assert data.cell("D2").number_format is None


def test_hidden_meta_sheet(book: Path) -> None:
    assert sheet_names(book) == ["_meta", "填报"]
    assert sheet_names(book, visible_only=True) == ["填报"]
    meta = read_sheet(book, sheet="_meta")
    assert meta.state == "hidden"
    assert meta.values() == [["template_version", "3"], ["region", "330100"]]
    assert read_sheet(book).name == "填报"  # no sheet named: the first visible one
    assert defined_names(book) == {"填报!输入区": "填报!$D$2:$D$8"}
    with open_workbook(book) as wb:  # one opening, several sheets
        assert wb.read("_meta").cell("B2").value == "330100"
        assert wb.read("填报").cell("A2").value == "001"


def test_renamed_sheet_is_refused_with_the_names_there(book: Path, tmp_path: Path) -> None:
    renamed = xlsx(tmp_path / "r.xlsx", lambda b: (b.add_worksheet("Sheet1"), b.add_worksheet()))
    p = only(rejected(lambda: read_sheet(renamed, sheet="填报")))
    assert p.message == "找不到工作表“填报”，工作簿中只有 “Sheet1”、“Sheet2” (sheet not found)"
    assert "改回“填报”" in p.hint and p.sheet == "填报"
    hidden_not_listed = only(rejected(lambda: read_sheet(book, sheet="数据")))
    assert "“填报” (sheet" in hidden_not_listed.message
    assert "_meta" not in hidden_not_listed.message


def test_shared_formulas_inline_strings_errors_and_missing_cache(tmp_path: Path) -> None:
    rows = (
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="inlineStr"><is><t>行内</t></is></c>'
        '<c r="C1"><f t="shared" ref="C1:C3" si="0">A1*$B$1+SUM(A1:B1)&amp;"A1"</f>'
        "<v>2</v></c></row>"
        '<row r="2"><c r="A2"><v>2</v></c><c r="C2"><f t="shared" si="0"/><v>4</v></c>'
        '<c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
        '<row r="3"><c r="C3"><f t="shared" si="0"/><v>6</v></c><c r="D3"><f>A1+1</f></c>'
        '</row><row><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>'
    )
    shared = [
        "<si><t>001</t></si>",
        "<si><r><t>富</t></r><r><t>文本</t></r><rPh sb='0' eb='1'><t>fu</t></rPh></si>",
    ]
    data = read_sheet(raw_xlsx(tmp_path / "x.xlsx", rows, shared=shared))
    assert data.cell("B1").value == "行内"
    assert data.cell("C1").formula == '=A1*$B$1+SUM(A1:B1)&"A1"'
    assert data.cell("C2").formula == '=A2*$B$1+SUM(A2:B2)&"A1"'
    assert data.cell("C3").formula == '=A3*$B$1+SUM(A3:B3)&"A1"'
    d2 = data.cell("D2")
    assert (d2.value, d2.error, d2.formula) == ("#DIV/0!", True, "=1/0")
    d3 = data.cell("D3")
    assert (d3.value, d3.formula) == (None, "=A1+1")
    (warning,) = data.warnings
    assert (warning.level, warning.sheet, warning.row, warning.column) == (
        "warning",
        "填报",
        3,
        "D",
    )
    assert "公式没有保存计算结果" in warning.message and "保存" in warning.hint
    assert [data.cell("A4").value, data.cell("B4").value] == ["001", "富文本"]  # no r= attributes


def test_shift_formula() -> None:
    assert _shift_formula("A1+$A1+A$1+$A$1", 2, 1) == "B3+$A3+B$1+$A$1"
    assert _shift_formula("'Sheet 1'!A1+LOG10(B2)", 1, 0) == "'Sheet 1'!A2+LOG10(B3)"
    assert _shift_formula("A1", -1, 0) == "#REF!"


def test_refs() -> None:
    assert [column_letter(n) for n in (1, 26, 27, 52, 16384)] == ["A", "Z", "AA", "AZ", "XFD"]
    assert split_ref("D7") == (7, 4) and split_ref("$AA$10") == (10, 27)
    with pytest.raises(ValueError, match="不是单元格地址"):
        split_ref("7D")


def test_sheet_too_large(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "big.xlsx", lambda b: b.add_worksheet("填报").write("XFD100000", 1))
    p = only(rejected(lambda: read_sheet(path, sheet="填报")))
    assert "使用范围到 XFD100000" in p.message and "删除" in p.hint and p.sheet == "填报"


# --------------------------------------------------------------------------------------------
# Refusals: the file as a whole


def test_empty_file(tmp_path: Path) -> None:
    for name in ("e.xlsx", "e.csv"):
        (tmp_path / name).write_bytes(b"")
        p = only(rejected(lambda name=name: read_table(tmp_path / name)))
        assert p.message == "文件为空，0 字节 (empty file)"


def test_file_too_large(book: Path) -> None:
    exc = rejected(lambda: read_sheet(book, max_bytes=1000))
    assert exc.source == book.name
    p = only(exc)
    # both sizes are under 0.1 MB: told in bytes, not as “0.0 MB，超过上限 0.0 MB”
    size = book.stat().st_size
    assert f"文件大小 {size:,} 字节，超过上限 1,000 字节（0.0 MB）" in p.message
    assert "删除" in p.hint


def test_text_named_xlsx(tmp_path: Path) -> None:
    fake = tmp_path / "填报.xlsx"
    fake.write_text("指标代码,本期值\n001,12\n", encoding="utf-8")
    p = only(rejected(lambda: read_sheet(fake)))
    assert p.message == (
        "文件扩展名为 .xlsx，但内容是文本文件 (text, e.g. CSV) "
        "(content does not match the extension)"
    )
    assert "另存为" in p.hint and ".xlsx" in p.hint


def test_old_xls(tmp_path: Path) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    old = tmp_path / "填报.xls"
    old.write_bytes(ole)
    p = only(rejected(lambda: read_table(old)))
    assert p.message == "不支持旧版 .xls 格式 (.xls not supported)"
    assert "另存为" in p.hint and "*.xlsx" in p.hint
    renamed = tmp_path / "填报.xlsx"
    renamed.write_bytes(ole)
    p = only(rejected(lambda: read_table(renamed)))
    assert "加密的工作簿" in p.message and "旧版 .xls" in p.message
    assert "取消密码" in p.hint and "另存为" in p.hint


def test_xlsx_named_xls_and_html_named_xls(book: Path, tmp_path: Path) -> None:
    named = tmp_path / "a.xls"
    named.write_bytes(book.read_bytes())
    assert "改为 .xlsx" in only(rejected(lambda: read_table(named))).hint
    html = tmp_path / "导出.xls"
    html.write_text("<html><body><table><tr><td>1</td></tr></table></body></html>")
    p = only(rejected(lambda: read_table(html)))
    assert "网页 (HTML)" in p.message and "另存为" in p.hint


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("a,b\n")
    p = only(rejected(lambda: read_table(path)))
    assert p.message == "不支持的文件类型 .txt (unsupported file type)"
    assert p.hint == "支持 .xlsx、.csv（UTF-8 或 GB18030）"


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    plain = tmp_path / "a.xlsx"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("readme.txt", "hello")
    p = only(rejected(lambda: read_sheet(plain)))
    assert "缺少 xl/workbook.xml" in p.message and "zip 压缩包" in p.message
    docx = tmp_path / "b.xlsx"
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    assert "Word 文档" in only(rejected(lambda: read_sheet(docx))).message


def test_corrupt_zip(book: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "t.xlsx"
    truncated.write_bytes(book.read_bytes()[:2000])
    p = only(rejected(lambda: read_sheet(truncated)))
    assert p.message.startswith("文件已损坏，无法作为 xlsx 打开 (corrupt file")
    assert "重新下载" in p.hint


def test_corrupt_member(tmp_path: Path) -> None:
    path = raw_xlsx(tmp_path / "c.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>' * 50)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 5, start + 25):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    p = only(rejected(lambda: read_sheet(path)))
    assert "工作簿内部文件 xl/worksheets/sheet1.xml 已损坏" in p.message


def _bomb(path: Path, megabytes: int) -> Path:
    chunk = b"\x00" * 2**20
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            for _ in range(megabytes):
                fh.write(chunk)
    return path


def test_zip_bomb_total_size(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "bomb.xlsx", 150)
    assert bomb.stat().st_size < 2**20
    # refused from the zip directory, before anything is unpacked (timed in
    # benchmarks/read_workbook.py)
    p = only(rejected(lambda: read_sheet(bomb)))
    assert p.message == (
        "解压后大小 150.0 MB，超过上限 100.0 MB (zip bomb suspected: unpacked size too large)"
    )
    assert "下发的模板" in p.hint


def test_zip_bomb_ratio(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "bomb.xlsx", 3)
    p = only(rejected(lambda: read_sheet(bomb)))
    assert p.message.startswith("压缩包内 xl/worksheets/sheet1.xml 的压缩比为 ")
    assert p.message.endswith("，超过上限 100:1 (zip bomb suspected: compression ratio too high)")
    # both limits are parameters
    assert (
        "超过上限 2.0 MB"
        in only(rejected(lambda: read_sheet(bomb, max_ratio=1e6, max_unpacked=2 * 2**20))).message
    )
    with pytest.raises(InputRejected, match="工作簿中没有工作表"):  # past the bomb checks
        read_sheet(bomb, max_ratio=1e6)


def test_doctype_is_refused(tmp_path: Path) -> None:
    evil = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    p = only(rejected(lambda: read_sheet(raw_xlsx(tmp_path / "d.xlsx", evil))))
    assert "xl/worksheets/sheet1.xml 含 DOCTYPE/ENTITY 声明" in p.message
    assert "另存为" in p.hint


def test_non_utf8_xml_is_refused(tmp_path: Path) -> None:
    body = (
        '<?xml version="1.0" encoding="cp037"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    )
    p = only(rejected(lambda: read_sheet(raw_xlsx(tmp_path / "e.xlsx", body))))
    assert "不是 UTF-8 编码" in p.message


def test_chartsheet_is_not_a_worksheet(tmp_path: Path) -> None:
    workbook = (
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="图" sheetId="1" r:id="rId9"/></sheets></workbook>'
    )
    path = raw_xlsx(tmp_path / "c.xlsx", "", workbook_xml=workbook)
    p = only(rejected(lambda: read_sheet(path, sheet="图")))
    assert "不是普通工作表" in p.message and p.sheet == "图"


def test_lake_importer_shares_the_checks(tmp_path: Path) -> None:
    from zhuansheng.lake import import_enterprises

    bomb = _bomb(tmp_path / "facts.xlsx", 3)
    with pytest.raises(InputRejected, match="zip bomb suspected"):
        import_enterprises(bomb, lake=tmp_path / "lake")
    assert not (tmp_path / "lake").exists()


# --------------------------------------------------------------------------------------------
# CSV


def test_csv_utf8_bom_keeps_text(tmp_path: Path) -> None:
    path = tmp_path / "填报.csv"
    path.write_bytes(
        '\ufeff指标代码,名称,本期值\r\n001,"规上, 增加值","12,345"\r\n002,"两\n行",\r\n'.encode()
    )
    data = read_csv(path)
    assert (data.name, data.encoding, data.n_rows, data.n_cols) == ("填报.csv", "utf-8-sig", 3, 3)
    assert data.cell("A1").value == "指标代码"  # no BOM left in the first header
    assert data.values()[1:] == [["001", "规上, 增加值", "12,345"], ["002", "两\n行", None]]
    assert data.cell("B3").ref == "B3" and data.warnings == []


def test_csv_gbk_and_tabs(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("指标代码\t本期值\n001\t８％\n".encode("gbk"))
    data = read_table(path)
    assert data.encoding == "gb18030"
    assert data.values() == [["指标代码", "本期值"], ["001", "８％"]]


def test_csv_ragged_rows_warn(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("a,b,c\n1,2\n1,2,3,4\n\n", encoding="utf-8")
    data = read_csv(path)
    assert data.n_rows == 3 and data.n_cols == 4
    assert data.cell("C2").value is None and data.cell("D3").value == "4"
    assert [(w.row, w.level) for w in data.warnings] == [(2, "warning"), (3, "warning")]
    assert "该行有 2 个字段，第 1 行有 3 个" in data.warnings[0].message


def test_csv_refusals(tmp_path: Path) -> None:
    bad_quote = tmp_path / "q.csv"
    bad_quote.write_text('a,b\n1,"x"y\n', encoding="utf-8")
    p = only(rejected(lambda: read_csv(bad_quote)))
    assert p.row == 2 and "双引号" in p.hint
    utf16 = tmp_path / "u.csv"
    utf16.write_bytes("a\tb\n".encode("utf-16"))
    p = only(rejected(lambda: read_csv(utf16)))
    assert "UTF-16" in p.message and "CSV UTF-8" in p.hint
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\x01\x02\x00\x00garbage")
    assert "内容是二进制文件" in only(rejected(lambda: read_csv(binary))).message
    blank = tmp_path / "blank.csv"
    blank.write_bytes(b"\xef\xbb\xbf\r\n")
    assert "没有内容" in only(rejected(lambda: read_csv(blank))).message
    xlsx_named_csv = tmp_path / "x.csv"
    xlsx_named_csv.write_bytes(raw_xlsx(tmp_path / "x.xlsx", "").read_bytes())
    assert "内容是Excel 工作簿" in only(rejected(lambda: read_csv(xlsx_named_csv))).message


# --------------------------------------------------------------------------------------------
# Numbers


@pytest.mark.parametrize(
    ("text", "points", "fraction"),
    [
        (None, None, None),
        ("", None, None),
        ("   ", None, None),
        ("\u3000", None, None),
        ("12345", 12345.0, 12345.0),
        ("１２,３４５", 12345.0, 12345.0),
        ("１２．５", 12.5, 12.5),
        ("12,345.6", 12345.6, 12345.6),
        ("1,234,567", 1234567.0, 1234567.0),
        (" 42 ", 42.0, 42.0),
        ("+3", 3.0, 3.0),
        ("-12.5", -12.5, -12.5),
        ("－１２", -12.0, -12.0),
        ("\u22125", -5.0, -5.0),
        (".5", 0.5, 0.5),
        ("5.", 5.0, 5.0),
        ("1.5E+3", 1500.0, 1500.0),
        ("8%", 8.0, 0.08),
        ("８％", 8.0, 0.08),
        ("8 %", 8.0, 0.08),
        ("12.5%", 12.5, 0.125),
        ("0.1%", 0.1, 0.001),
        ("-3%", -3.0, -0.03),
        ("0.08", 0.08, 0.08),
        ("8", 8.0, 8.0),
        (7, 7.0, 7.0),
        (0.08, 0.08, 0.08),
    ],
)
def test_parse_number(text: Any, points: float | None, fraction: float | None) -> None:
    assert parse_number(text) == points
    assert parse_number(text, percent="fraction") == fraction


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1,2,3", "千位分隔符位置不对"),
        ("1,23", "千位分隔符位置不对"),
        ("12..5", "小数点多于一个"),
        ("1.2.3", "小数点多于一个"),
        ("abc", "不含数字"),
        ("12元", "含有数字以外的字符"),
        ("12 345", "数字中间有空格"),
        ("12。5", "句号"),
        ("1e999", "数值超出范围"),
        ("nan", "不是有限的数值"),
        ("inf", "不是有限的数值"),
        ("-inf", "不是有限的数值"),
        ("#DIV/0!", "Excel 错误值"),
        ("8%%", "百分号"),
        ("5‰", "百分号"),
        ("--5", "含有数字以外的字符"),
        (float("nan"), "不是有限的数值"),
        (float("inf"), "不是有限的数值"),
        (10**400, "不是有限的数值"),
        (True, "逻辑值"),
    ],
)
def test_parse_number_rejects(text: Any, reason: str) -> None:
    with pytest.raises(ValueError, match=reason) as exc:
        parse_number(text)
    assert isinstance(exc.value, NumberError)
    shown = "TRUE" if text is True else compact(text)
    assert str(exc.value).startswith(f"“{shown}”不是有效数字：")
    assert len(str(exc.value)) < 100  # never a 400-digit number
    assert "(not a number:" in str(exc.value) and exc.value.hint


def test_parse_number_percent_argument() -> None:
    with pytest.raises(ValueError, match="percent must be"):
        parse_number("8%", percent="percent")


def test_cell_number_reads_percent_formatted_cells_as_shown() -> None:
    shown_8pct = Cell(5, 4, "D5", 0.08, number_format="0.0%")
    assert cell_number(shown_8pct) == 8.0
    assert cell_number(Cell(5, 4, "D5", 0.07, number_format="0%")) == 7.0  # not 7.000000000000001
    assert cell_number(shown_8pct, percent="fraction") == 0.08
    assert cell_number(Cell(1, 1, "A1", "8%", number_format="0%")) == 8.0  # text: parse_number
    assert cell_number(Cell(1, 1, "A1", 0.08)) == 0.08
    assert cell_number(Cell(1, 1, "A1")) is None
    with pytest.raises(NumberError, match="Excel 错误值"):
        cell_number(Cell(1, 1, "A1", "#DIV/0!", error=True))


# --------------------------------------------------------------------------------------------
# Exports


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ('=HYPERLINK("http://x","点击")', '\'=HYPERLINK("http://x","点击")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("-1.5e3", "-1.5e3"),
        ("-", "'-"),
        ("杭州市", "杭州市"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(text: str, safe: str) -> None:
    assert neutralise(text) == safe


# --------------------------------------------------------------------------------------------
# A filled template (its reading speed is measured in benchmarks/read_workbook.py)


def test_a_100_row_workbook_is_read_whole(tmp_path: Path) -> None:
    def build(b: xlsxwriter.Workbook) -> None:
        template_like(b)
        ws = b.get_worksheet_by_name("填报")
        for r in range(1, 101):
            ws.write_string(r, 0, f"{r:03d}")
            ws.write_string(r, 1, f"指标{r}")
            ws.write_string(r, 2, "万元")
            ws.write_number(r, 3, r * 1.5)
            ws.write_number(r, 4, r * 1.4)
            ws.write_string(r, 5, "说明")

    path = xlsx(tmp_path / "w.xlsx", build)
    with open_workbook(path) as wb:
        wb.read("_meta")
        data = wb.read("填报")
    assert data.n_rows == 101 and data.cell("A101").value == "100"


def test_cell_limits(tmp_path: Path) -> None:
    def build(b: xlsxwriter.Workbook) -> None:
        ws = b.add_worksheet("填报")
        for r in range(30):
            ws.write_row(r, 0, list(range(5)))

    path = xlsx(tmp_path / "many.xlsx", build)
    assert read_sheet(path, max_cells=150).n_rows == 30
    assert "超过 100 个单元格" in only(rejected(lambda: read_sheet(path, max_cells=100))).message
    csv_path = tmp_path / "many.csv"
    csv_path.write_text("a,b,c\n" * 40, encoding="utf-8")
    assert "超过 100 个字段" in only(rejected(lambda: read_csv(csv_path, max_cells=100))).message
