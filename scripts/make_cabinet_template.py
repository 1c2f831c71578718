"""Create ``templates/cabinet-report.docx`` the first time. Run once; then edit it in Word.

The .docx in ``templates/`` is the source of truth: this script refuses to overwrite it
(``--force`` does, for a maintainer starting the layout again), and the build never runs it.
It is kept so the template's origin can be read and reproduced.

    python scripts/make_cabinet_template.py [--force] [PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt
from docx.styles.style import ParagraphStyle
from layout_rules import keep_layout_rules

FONT = "Arial"
INDENT = Cm(1.27)


def _lang(rpr, value: str = "en-GB") -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), value)


def _defaults(document) -> None:
    styles = document.styles.element
    rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    _lang(rpr)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(theme), None)


def _bullets(document, style: ParagraphStyle, num_id: int, left_twips: int) -> None:
    """Give ``style`` a bullet list of its own, indented ``left_twips`` (1 cm = 567)."""
    numbering = document.part.numbering_part.element
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{num_id}">'
        '<w:multiLevelType w:val="singleLevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
        '<w:lvlText w:val="\u2022"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{left_twips}" w:hanging="357"/></w:pPr>'
        f'<w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}"/></w:rPr></w:lvl>'
        "</w:abstractNum>"
    )
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{num_id}"/></w:num>'
        )
    )
    ppr = style.element.get_or_add_pPr()
    for old in ppr.findall(qn("w:numPr")):
        ppr.remove(old)
    ppr.insert(0, parse_xml(f'<w:numPr {nsdecls("w")}><w:numId w:val="{num_id}"/></w:numPr>'))


def _style(document, name: str, base: str = "Normal") -> ParagraphStyle:
    styles = document.styles
    style = (
        styles[name]
        if name in [s.name for s in styles]
        else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    )
    if name != base:
        style.base_style = styles[base]
    style.font.name = FONT
    # Built-in styles name theme fonts, which win over w:ascii; a council template uses Arial.
    fonts = style.element.get_or_add_rPr().find(qn("w:rFonts"))
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(theme), None)
    return style


def _styles(document) -> None:
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.0

    for name, size, align in (
        ("Council Name", 14, WD_ALIGN_PARAGRAPH.CENTER),
        ("Meeting", 12, WD_ALIGN_PARAGRAPH.CENTER),
    ):
        style = _style(document, name)
        style.font.bold = True
        style.font.size = Pt(size)
        style.paragraph_format.alignment = align

    title = _style(document, "Title")
    title.font.size = Pt(14)
    title.font.bold = True
    title.font.color.rgb = None
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(12)
    title.paragraph_format.space_after = Pt(18)
    # Word's built-in Title has a bottom border and a theme font; a council report has neither.
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)

    for level, before in ((1, 12), (2, 6)):
        heading = _style(document, f"Heading {level}")
        heading.font.size = Pt(12)
        heading.font.bold = True
        heading.font.italic = False
        heading.font.color.rgb = None
        pf = heading.paragraph_format
        pf.space_before = Pt(before)
        pf.space_after = Pt(6)
        pf.left_indent = INDENT
        pf.first_line_indent = -INDENT
        pf.tab_stops.add_tab_stop(INDENT)
        pf.keep_with_next = True

    numbered = _style(document, "Numbered Paragraph")
    pf = numbered.paragraph_format
    pf.left_indent = INDENT
    pf.first_line_indent = -INDENT
    pf.tab_stops.add_tab_stop(INDENT)

    indented = _style(document, "Body Text Indent")
    indented.paragraph_format.left_indent = INDENT

    bullet = _style(document, "List Bullet")
    bullet.paragraph_format.space_after = Pt(2)
    _bullets(document, bullet, 90, 1077)
    table_bullet = _style(document, "Table Bullet")
    table_bullet.paragraph_format.space_after = Pt(0)
    _bullets(document, table_bullet, 91, 357)

    table_heading = _style(document, "Table Heading")
    table_heading.font.bold = True
    table_contents = _style(document, "Table Contents")
    table_contents.paragraph_format.space_after = Pt(2)

    mark = _style(document, "Draft Mark")
    mark.font.bold = True
    mark.font.size = Pt(14)
    mark.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    spacer = _style(document, "Table Spacer")
    spacer.font.size = Pt(4)
    spacer.paragraph_format.space_after = Pt(0)

    for name in ("Signature", "Address", "Report Footer"):
        style = _style(document, name)
        style.paragraph_format.space_after = Pt(0)
    document.styles["Signature"].font.bold = True
    document.styles["Signature"].paragraph_format.space_before = Pt(24)
    document.styles["Report Footer"].paragraph_format.space_before = Pt(6)


def _para(container, text: str, style: str):
    paragraph = container.add_paragraph(style=style)
    if text:
        paragraph.add_run(text)
    return paragraph


def _numbered(container, number: str, text: str, style: str) -> None:
    paragraph = container.add_paragraph(style=style)
    paragraph.add_run(number)
    paragraph.add_run().add_tab()
    paragraph.add_run(text)


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def _services_table(document) -> None:
    table = document.add_table(rows=4, cols=2)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = (Cm(5.5), Cm(9.5))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    # Column labels are not in the published report (its header row is empty); a screen
    # reader needs them, so the template supplies them.
    header = table.rows[0]
    _repeat_header(header)
    for cell, label in zip(header.cells, ("Service area", "Functions"), strict=True):
        cell.paragraphs[0].style = document.styles["Table Heading"]
        cell.paragraphs[0].add_run(label)
    table.rows[1].cells[0].paragraphs[0].add_run("{%tr for area in para.table %}")
    body = table.rows[2].cells
    body[0].paragraphs[0].style = document.styles["Table Contents"]
    body[0].paragraphs[0].add_run("{{ area.area }}")
    functions = body[1]
    functions.paragraphs[0].add_run("{%p for function in area.functions %}")
    _para(functions, "{{ function }}", "Table Bullet")
    _para(functions, "{%p endfor %}", "Normal")
    table.rows[3].cells[0].paragraphs[0].add_run("{%tr endfor %}")


def new_document(title: str):
    """An empty A4 council document with the house styles and a DRAFT header."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.54))
    _defaults(document)
    _styles(document)
    document.core_properties.title = title
    document.core_properties.language = "en-GB"
    document.core_properties.author = "reportgen"
    # Drafts (some fact still {unknown: ...}) say so on every page.
    header = section.header
    header.paragraphs[0].add_run("{%p if draft %}")
    draft = header.add_paragraph(style=document.styles["Draft Mark"])
    draft.add_run("DRAFT")
    header.add_paragraph("{%p endif %}")
    return document


def build(path: Path) -> None:
    document = new_document("Cabinet report")

    body = document
    # The template starts with an empty paragraph python-docx leaves; reuse it.
    first = body.paragraphs[0] if body.paragraphs else body.add_paragraph()
    first.style = document.styles["Council Name"]
    first.add_run("{{ council.name | upper }}")
    _para(body, "{{ meeting.body | upper }}", "Meeting")
    _para(body, "Date of meeting: {{ meeting.date | date }}", "Meeting")
    _para(body, "{{ report.title | upper }}", "Title")

    _para(body, "{%p for section in sections %}", "Normal")
    _numbered(body, "{{ section.number }}.", "{{ section.title | upper }}", "Heading 1")
    _para(body, "{%p for para in section.paragraphs %}", "Normal")
    _para(body, "{%p if para.option %}", "Normal")
    _numbered(body, "{{ para.number }}", "Option {{ para.option }}", "Heading 2")
    _para(body, "{{ para.text }}", "Body Text Indent")
    _para(body, "{%p else %}", "Normal")
    _numbered(body, "{{ para.number }}", "{{ para.text }}", "Numbered Paragraph")
    _para(body, "{%p endif %}", "Normal")
    _para(body, "{%p for bullet in para.bullets %}", "Normal")
    _para(body, "{{ bullet }}", "List Bullet")
    _para(body, "{%p endfor %}", "Normal")
    _para(body, "{%p if para.table %}", "Normal")
    _services_table(document)
    _para(body, "", "Table Spacer")
    _para(body, "{%p endif %}", "Normal")
    _para(body, "{%p endfor %}", "Normal")
    _para(body, "{%p endfor %}", "Normal")

    _para(body, "{{ signatory.role | upper }}", "Signature")
    _para(body, "{%p for line in council.address %}", "Normal")
    _para(body, "{{ line }}", "Address")
    _para(body, "{%p endfor %}", "Normal")
    _para(body, "Author: {{ report.author }}", "Report Footer")
    _para(body, "Date: {{ report.date | date }}", "Address")
    _para(
        body,
        "Background Papers used in the preparation of this report: "
        "{{ background_papers | join('; ') if background_papers else 'None' }}",
        "Report Footer",
    )
    keep_layout_rules(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default="templates/cabinet-report.docx", type=Path)
    parser.add_argument("--force", action="store_true", help="overwrite an existing template")
    args = parser.parse_args(argv)
    if args.path.exists() and not args.force:
        print(f"{args.path} exists; it is edited by hand now (use --force to start again)")
        return 1
    build(args.path)
    print(f"wrote {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
