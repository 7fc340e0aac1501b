"""PDF rendering: the same content as HTML, typeset by WeasyPrint (A4, page numbers).

The server has no 仿宋, 黑体 or 楷体; the fonts come from the report file's ``fonts.pdf`` (Noto
Serif CJK SC for 仿宋 and 楷体, Noto Sans CJK SC for 黑体). The HTML and CSS are kept here as
strings so they ship with the package.
"""

from __future__ import annotations

import base64
from functools import cache
from html import escape
from pathlib import Path

from zhuansheng.monitor.status import FILLS

from .config import ReportConfig
from .content import Figure, Heading, Paragraph, Report, Table

CSS = """
@page {
  size: A4;
  margin: 37mm 26mm 35mm 28mm;
  @bottom-center { content: "— " counter(page) " —"; font-family: "%(body)s"; font-size: 14pt; }
}
html { font-family: "%(body)s"; font-size: 16pt; line-height: 28pt; color: #000; }
body { margin: 0; }
h1.title { font-family: "%(title)s"; font-weight: bold; font-size: 22pt; line-height: 35pt;
  text-align: center; margin: 0 0 14pt 0; }
p.issuer { font-family: "%(heading2)s"; text-align: center; margin: 0; }
p.synthetic { color: #C00000; text-align: center; font-size: 10.5pt; line-height: 16pt;
  margin: 4pt 0 0 0; }
p.synthetic b { font-family: "%(heading1)s"; font-size: 16pt; line-height: 28pt; }
h2 { font-family: "%(heading1)s"; font-weight: normal; font-size: 16pt; margin: 14pt 0 0 0;
  text-indent: 2em; }
h3 { font-family: "%(heading2)s"; font-weight: bold; font-size: 16pt; margin: 0;
  text-indent: 2em; }
p.body { text-indent: 2em; text-align: justify; margin: 0; }
p.note { font-size: 10.5pt; line-height: 16pt; margin: 0; color: #404040; text-align: center; }
p.caption { font-family: "%(heading1)s"; font-size: 10.5pt; line-height: 16pt; text-align: center;
  margin: 8pt 0 4pt 0; break-after: avoid; }
h2, h3 { break-after: avoid; }
table { border-collapse: collapse; width: 100%%; font-family: "%(table)s"; font-size: 9pt;
  line-height: 12pt; margin-bottom: 8pt; page-break-inside: auto; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
th { background: #DDEBF7; font-weight: bold; }
th, td { border: 0.6pt solid #000; padding: 2pt 3pt; vertical-align: top; }
tr.own td { background: #FFF2CC; font-weight: bold; }
figure { margin: 6pt 0 0 0; text-align: center; page-break-inside: avoid; }
figure img { width: %(figure_width)s; }
"""


def _block(b: object) -> str:
    if isinstance(b, Heading):
        tag = "h2" if b.level == 1 else "h3"
        return f"<{tag}>{escape(b.text)}</{tag}>"
    if isinstance(b, Paragraph):
        return f'<p class="{"note" if b.note else "body"}">{escape(b.text)}</p>'
    if isinstance(b, Table):
        head = "".join(f"<th>{escape(c)}</th>" for c in b.columns)
        rows = []
        for i, row in enumerate(b.rows):
            colour = b.colours[i] if b.colours else None
            own = bool(b.highlight and b.highlight[i])
            cells = []
            for j, text in enumerate(row):
                fill = FILLS[colour] if colour and b.columns[j] == "状态" else None
                style = f' style="background:{fill}"' if fill else ""
                cells.append(f"<td{style}>{escape(text)}</td>")
            rows.append(f"<tr{' class=own' if own else ''}>{''.join(cells)}</tr>")
        return (
            f'<p class="caption">{escape(b.caption)}</p>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
    assert isinstance(b, Figure)
    data = base64.b64encode(b.png).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{escape(b.caption)}"/>'
        f'<p class="caption">{escape(b.caption)}</p></figure>'
    )


def html(report: Report, cfg: ReportConfig) -> str:
    r = report
    css = CSS % {**cfg.fonts.pdf, "figure_width": "15cm"}
    notice = (
        f'<p class="synthetic"><b>合成演示数据</b><br/>{escape(r.notice)}</p>' if r.notice else ""
    )
    body = "\n".join(_block(b) for b in r.blocks)
    created = r.generated_on.isoformat()
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"/>'
        f"<title>{escape(r.title_line)}</title>"
        f'<meta name="author" content="{escape(r.issuer)}"/>'
        f'<meta name="generator" content="zhuansheng {escape(r.version)}"/>'
        f'<meta name="dcterms.created" content="{created}"/>'
        f'<meta name="dcterms.modified" content="{created}"/>'
        f"<style>{css}</style></head><body>"
        f'<h1 class="title">{"<br/>".join(escape(t) for t in r.title.split(chr(10)))}</h1>'
        f'<p class="issuer">{escape(r.issuer)}　{escape(r.date_zh)}</p>{notice}'
        f"{body}</body></html>"
    )


@cache
def _fonts() -> object:
    """One font configuration for the process: the CJK fonts are looked up once, not per PDF."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render(report: Report, path: Path, cfg: ReportConfig) -> None:
    from weasyprint import HTML  # imported on use: it loads Pango and the fonts

    HTML(string=html(report, cfg)).write_pdf(str(path), font_config=_fonts())
