"""How a rendered document flows over its pages, settled on the rendered .docx: empty cells,
the space after a list, rows too tall to keep on one page. (tests/test_page_layout.py checks
the same on the PDFs LibreOffice makes.)"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from reportgen.render import Properties, render_docx

PROPERTIES = Properties("A title", "en-GB", "An author", dt.date(2014, 5, 22))


def rendered(document: docx.document.Document, tmp_path: Path, context: dict) -> docx.Document:
    path = tmp_path / "template.docx"
    document.save(path)
    return docx.Document(io.BytesIO(render_docx(path, context, PROPERTIES)))


def a_list_between_paragraphs() -> docx.document.Document:
    document = docx.Document()
    document.styles["Normal"].paragraph_format.space_after = Pt(6)
    document.styles["List Bullet"].paragraph_format.space_after = Pt(1)
    document.add_paragraph("The key points are:")
    document.add_paragraph("{%p for point in points %}")
    document.add_paragraph("{{ point }}", style="List Bullet")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("The next paragraph.")
    return document


def test_the_last_item_of_a_list_has_the_space_after_of_the_paragraph_before_it(tmp_path):
    result = rendered(a_list_between_paragraphs(), tmp_path, {"points": ["one", "two"]})
    intro, _, last, following = result.paragraphs
    assert (intro.text, last.text, following.text) == (
        "The key points are:",
        "two",
        "The next paragraph.",
    )
    assert last.paragraph_format.space_after == Pt(6)


def test_the_other_items_of_a_list_keep_their_styles_space(tmp_path):
    result = rendered(a_list_between_paragraphs(), tmp_path, {"points": ["one", "two"]})
    first = result.paragraphs[1]
    assert first.paragraph_format.space_after is None  # the style's 1 pt
    assert first.style.paragraph_format.space_after == Pt(1)


def a_row_that_may_not_split(*, cell_widths: bool = True) -> docx.document.Document:
    """A row of two cells, 220 pt wide each (in the cells or only in the table's grid)."""
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    for column in table.columns:
        column.width = Pt(220)
    for cell in table.rows[0].cells:
        if cell_widths:
            cell.width = Pt(220)
        else:  # Word works a cell's width out from the grid
            width = cell._tc.get_or_add_tcPr().get_or_add_tcW()
            width.set(qn("w:type"), "auto")
            width.set(qn("w:w"), "0")
    table.cell(0, 0).paragraphs[0].add_run("Plan")
    table.cell(0, 1).paragraphs[0].add_run("{{ answer }}")
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    return document


def may_split(document: docx.Document) -> bool:
    return document.tables[0].rows[0]._tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is None


def test_a_row_taller_than_a_page_may_split_across_pages(tmp_path):
    # About 200 lines of text in a 220 pt column: several pages.
    answer = "Each stage of the plan is set out here in full. " * 200
    result = rendered(a_row_that_may_not_split(), tmp_path, {"answer": answer})
    assert may_split(result)


def test_a_row_that_fits_on_a_page_still_may_not_split(tmp_path):
    answer = "Each stage of the plan is set out here in full. " * 20
    result = rendered(a_row_that_may_not_split(), tmp_path, {"answer": answer})
    assert not may_split(result)


def test_a_row_taller_than_a_page_may_split_where_only_the_grid_gives_its_widths(tmp_path):
    answer = "Each stage of the plan is set out here in full. " * 200
    template = a_row_that_may_not_split(cell_widths=False)
    assert may_split(rendered(template, tmp_path, {"answer": answer}))


def test_an_empty_cell_beside_a_list_holds_a_plain_paragraph_not_a_list_item(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    empty, listed = table.rows[0].cells
    empty.paragraphs[0].add_run("{%p for line in address %}")
    empty.add_paragraph("{{ line }}", style="Caption")
    empty.add_paragraph("{%p endfor %}")
    listed.paragraphs[0].style = document.styles["List Bullet"]
    listed.paragraphs[0].add_run("Forms online")
    listed.add_paragraph("Webchat", style="Caption")
    result = rendered(document, tmp_path, {"address": []})
    (paragraph,) = result.tables[0].rows[0].cells[0].paragraphs
    assert paragraph.style.name == "Caption"
