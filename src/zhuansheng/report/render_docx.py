"""Word (.docx) rendering with python-docx, in the GB/T 9704 layout.

East-Asian text takes its font from ``w:rFonts/@w:eastAsia``, not from ``font.name`` (which only
sets the Latin faces), so every style and every run gets both. The official fonts (仿宋_GB2312,
黑体, 楷体_GB2312, 方正小标宋简体) are named: Word on an official's PC has them; elsewhere Word
substitutes.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from zhuansheng.monitor.status import FILLS

from .config import ReportConfig
from .content import Figure, Heading, Paragraph, Report, Table

# GB/T 9704 sizes: 二号 22 pt (title), 三号 16 pt (body, headings), 四号 14 pt (page numbers),
# 五号 10.5 pt (tables, captions).
TITLE_PT, BODY_PT, FOOT_PT, TABLE_PT = 22, 16, 14, 10.5
LINE_PT = 28  # fixed line pitch: 22 lines on the type area


def set_fonts(element: object, latin: str, east_asia: str) -> None:
    """Set the Latin and East-Asian faces on a style's or run's ``w:rPr`` (theme fonts removed,
    or they would win over the named face)."""
    rpr = element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


class _Doc:
    def __init__(self, report: Report, cfg: ReportConfig) -> None:
        self.report, self.fonts = report, cfg.fonts.docx
        self.latin = self.fonts["latin"]
        self.doc = Document()
        self._page()
        self._styles()

    def _page(self) -> None:
        s = self.doc.sections[0]
        s.orientation = WD_ORIENT.PORTRAIT
        s.page_width, s.page_height = Cm(21.0), Cm(29.7)
        s.top_margin, s.bottom_margin = Cm(3.7), Cm(3.5)
        s.left_margin, s.right_margin = Cm(2.8), Cm(2.6)
        p = s.footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(p, "— ", "body", FOOT_PT)
        run = self._run(p, "", "body", FOOT_PT)
        for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
            if tag:
                fld = OxmlElement("w:fldChar")
                fld.set(qn("w:fldCharType"), tag)
                run._r.append(fld)
            else:
                instr = OxmlElement("w:instrText")
                instr.text = text
                run._r.append(instr)
        self._run(p, " —", "body", FOOT_PT)

    def _styles(self) -> None:
        styles = self.doc.styles
        normal = styles["Normal"]
        normal.font.size = Pt(BODY_PT)
        set_fonts(normal.element, self.latin, self.fonts["body"])
        fmt = normal.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(LINE_PT)
        fmt.space_before = fmt.space_after = Pt(0)
        for name, font in (("Heading 1", "heading1"), ("Heading 2", "heading2")):
            st = styles[name]
            st.font.size = Pt(BODY_PT)
            st.font.bold = False
            st.font.color.rgb = RGBColor(0, 0, 0)
            set_fonts(st.element, self.latin, self.fonts[font])
            st.paragraph_format.space_before = st.paragraph_format.space_after = Pt(0)
            st.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
            st.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            st.paragraph_format.line_spacing = Pt(LINE_PT)
        title = styles["Title"]
        title.font.size = Pt(TITLE_PT)
        title.font.bold = False
        title.font.color.rgb = RGBColor(0, 0, 0)
        set_fonts(title.element, self.latin, self.fonts["title"])
        title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        title.paragraph_format.line_spacing = Pt(TITLE_PT * 1.6)
        # Title's default border line under the text is not in GB/T 9704.
        pbdr = title.element.pPr.find(qn("w:pBdr")) if title.element.pPr is not None else None
        if pbdr is not None:
            pbdr.getparent().remove(pbdr)

    def _run(self, paragraph: object, text: str, font: str, size: float, **kw: object) -> object:
        run = paragraph.add_run(text)  # type: ignore[attr-defined]
        run.font.size = Pt(size)
        run.font.name = self.latin
        set_fonts(run._r, self.latin, self.fonts[font])
        run.font.bold = bool(kw.get("bold", False))
        if kw.get("colour"):
            run.font.color.rgb = RGBColor.from_string(str(kw["colour"]))
        return run

    # -- blocks --------------------------------------------------------------------------------

    def head(self) -> None:
        r = self.report
        p = self.doc.add_paragraph(style="Title")
        for i, line in enumerate(r.title.split("\n")):
            run = self._run(p, line, "title", TITLE_PT)
            if i < r.title.count("\n"):
                run.add_break()  # type: ignore[attr-defined]
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(p, f"{r.issuer}　{r.date_zh}", "heading2", BODY_PT)
        if r.synthetic:
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self._run(p, "合成演示数据", "heading1", BODY_PT, colour="C00000")
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self._run(p, r.notice, "body", TABLE_PT, colour="C00000")
        self.doc.add_paragraph()

    def heading(self, b: Heading) -> None:
        p = self.doc.add_paragraph(style=f"Heading {b.level}")
        self._run(p, b.text, f"heading{b.level}", BODY_PT)

    def paragraph(self, b: Paragraph) -> None:
        p = self.doc.add_paragraph()
        if b.note:
            self._run(p, b.text, "body", TABLE_PT)
            p.paragraph_format.line_spacing = Pt(TABLE_PT * 1.5)
        else:
            p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
            self._run(p, b.text, "body", BODY_PT)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    def caption(self, text: str) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing = Pt(TABLE_PT * 2)
        self._run(p, text, "heading1", TABLE_PT)

    def table(self, b: Table) -> None:
        self.caption(b.caption)
        t = self.doc.add_table(rows=1 + len(b.rows), cols=len(b.columns))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for col, cell in zip(b.columns, t.rows[0].cells, strict=True):
            self._cell(cell, col, bold=True, fill="DDEBF7")
        # row.cells once per row: t.cell(i, j) walks the whole table each time
        for i, (row, cells) in enumerate(zip(b.rows, t.rows[1:], strict=True)):
            colour = b.colours[i] if b.colours else None
            own = bool(b.highlight and b.highlight[i])
            for j, (text, cell) in enumerate(zip(row, cells.cells, strict=True)):
                status_col = b.columns[j] == "状态"
                fill = FILLS[colour].lstrip("#") if colour and status_col else None
                self._cell(cell, text, bold=own, fill="FFF2CC" if own else fill)
        self.doc.add_paragraph()

    def _cell(
        self, cell: object, text: str, *, bold: bool = False, fill: str | None = None
    ) -> None:
        p = cell.paragraphs[0]  # type: ignore[attr-defined]
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        p.paragraph_format.first_line_indent = Pt(0)
        self._run(p, text, "table", TABLE_PT, bold=bold)
        if fill:
            shd = OxmlElement("w:shd")
            shd.set(qn("w:val"), "clear")
            shd.set(qn("w:color"), "auto")
            shd.set(qn("w:fill"), fill)
            cell._tc.get_or_add_tcPr().append(shd)  # type: ignore[attr-defined]

    def figure(self, b: Figure) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        p.add_run().add_picture(io.BytesIO(b.png), width=Cm(b.width_cm))
        self.caption(b.caption)

    def properties(self) -> None:
        r = self.report
        props = self.doc.core_properties
        when = dt.datetime.combine(r.generated_on, dt.time())
        props.title = r.title_line
        props.author = props.last_modified_by = r.issuer
        props.subject = "合成演示数据" if r.synthetic else r.period.label_zh
        props.comments = f"zhuansheng {r.version}"
        props.created = props.modified = when
        props.last_printed = when
        props.revision = 1


def render(report: Report, path: Path, cfg: ReportConfig) -> None:
    d = _Doc(report, cfg)
    d.head()
    for b in report.blocks:
        if isinstance(b, Heading):
            d.heading(b)
        elif isinstance(b, Paragraph):
            d.paragraph(b)
        elif isinstance(b, Table):
            d.table(b)
        else:
            d.figure(b)
    d.properties()
    d.doc.save(str(path))
