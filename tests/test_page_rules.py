"""The page layout checks of tests/pages.py, each shown a page that breaks its rule and one
that keeps it (hand-made pages, no LibreOffice), so that a check that found nothing on the
real PDFs is known to be able to find something."""

from __future__ import annotations

from pathlib import Path

from pages import (
    Char,
    Document,
    Element,
    headings_apart_from_their_text,
    lists_without_space_after,
    pages_with_only_a_tables_header,
    rows_split_across_pages,
    signature_blocks_split,
    tables_off_their_grid,
    text_below_the_margin,
)

LINE = 14.0  # a line of 12 pt text, from its top to its bottom
A4 = 841.9


def lines(page: int, top: float, count: int = 1, text: str = "text") -> list[Char]:
    """``count`` lines of text on ``page``, the first at ``top``, one under the other."""
    return [Char(page, top + i * LINE, top + (i + 1) * LINE, 72.0, text) for i in range(count)]


def block(kind: str, *chars: list[Char]) -> Element:
    return Element(kind, own=[c for group in chars for c in group])


def document(*children: Element, rules=None, body_height: float = 698.0) -> Document:
    root = Element("StructTreeRoot", [Element("Document", list(children))])
    return Document(Path("test.pdf"), root, rules or {}, {1: A4, 2: A4}, body_height)


def table(*rows: Element) -> Element:
    return Element("Table", list(rows))


def row(cell: str, *chars: list[Char]) -> Element:
    return Element("TR", [block(cell, *chars)])


def test_a_row_split_across_pages_breaks_the_rule():
    split = table(row("TH", lines(1, 700)), row("TD", lines(1, 720, 2), lines(2, 72, 1)))
    (problem,) = rows_split_across_pages(document(split))
    assert "splits across pages 1 to 2, and is not taller than a page" in problem


def test_a_row_taller_than_a_page_may_split():
    tall = table(row("TH", lines(1, 72)), row("TD", lines(1, 90, 48), lines(2, 72, 10)))
    assert rows_split_across_pages(document(tall)) == []


def test_a_page_with_a_tables_header_and_one_line_breaks_the_rule():
    # The header LibreOffice repeats at the top of page 2 is page furniture, not tagged.
    rows = table(
        row("TH", lines(1, 600)),
        row("TD", lines(1, 620, 8)),
        row("TD", lines(1, 740, 2), lines(2, 90, 1, "it.")),
    )
    (problem,) = pages_with_only_a_tables_header(document(rows))
    assert problem == "test.pdf: page 2 holds only the header of a table and 'it.'"


def test_a_page_with_a_whole_row_of_the_table_keeps_the_rule():
    rows = table(row("TH", lines(1, 600)), row("TD", lines(1, 620)), row("TD", lines(2, 90)))
    assert pages_with_only_a_tables_header(document(rows)) == []


def test_a_heading_at_the_foot_of_a_page_breaks_the_rule():
    parts = (block("H1", lines(1, 740)), block("P", lines(2, 72, 3)))
    (problem,) = headings_apart_from_their_text(document(*parts))
    assert "ends page 1, apart from the text after it on page 2" in problem


def test_a_heading_on_the_page_of_its_text_keeps_the_rule():
    parts = (block("H1", lines(1, 700)), block("P", lines(1, 720, 2)), block("P", lines(2, 72)))
    assert headings_apart_from_their_text(document(*parts)) == []


def test_a_signature_block_over_two_pages_breaks_the_rule():
    parts = (
        block("Signature", lines(1, 700, 1, "DIRECTOR")),
        block("Address", lines(1, 714, 4)),
        block("Report Footer", lines(2, 72, 1, "Author")),
    )
    (problem,) = signature_blocks_split(document(*parts))
    assert problem == (
        "test.pdf: the signature block 'DIRECTOR' is on page 1 but 'Author' is on page 2"
    )


def test_a_signature_block_on_one_page_keeps_the_rule():
    parts = (block("Signature", lines(2, 72)), block("Report Footer", lines(2, 86, 3)))
    assert signature_blocks_split(document(*parts)) == []


def paragraphs_then_a_list(space_after_list: float) -> Document:
    first, second = block("P", lines(1, 72, 2)), block("P", lines(1, 72 + 2 * LINE + 6))
    items = Element("L", [block("LI", lines(1, 200, 3))])
    after = block("P", lines(1, 200 + 3 * LINE + space_after_list))
    return document(first, second, items, after)


def test_a_list_closer_to_the_next_paragraph_than_paragraphs_are_breaks_the_rule():
    (problem,) = lists_without_space_after(paragraphs_then_a_list(2.0))
    assert problem.endswith("starts 2.0 pt below the list before it; paragraphs have 6.0 pt")


def test_a_list_as_far_from_the_next_paragraph_as_paragraphs_are_keeps_the_rule():
    assert lists_without_space_after(paragraphs_then_a_list(6.0)) == []


def grid(second_row_borders: list[float]) -> Document:
    """A two-row table whose first row has borders at 72, 200 and 500."""
    rules = [(x, 100.0, 130.0) for x in (72.0, 200.0, 500.0)]
    rules += [(x, 130.0, 160.0) for x in second_row_borders]
    rows = table(row("TH", lines(1, 108)), row("TD", lines(1, 138)))
    return document(rows, rules={1: rules})


def test_a_row_with_its_cell_borders_off_the_tables_grid_breaks_the_rule():
    (problem,) = tables_off_their_grid(grid([72.0, 150.0, 500.0]))
    assert problem.endswith(
        "has cell borders at 72, 150, 500, the table's first row at 72, 200, 500"
    )


def test_a_row_on_the_tables_grid_keeps_the_rule():
    assert tables_off_their_grid(grid([72.0, 200.5, 500.0])) == []


def test_text_past_the_bottom_margin_breaks_the_rule():
    (problem,) = text_below_the_margin(document(block("P", lines(1, A4 - 72 - 5))))
    assert problem == "test.pdf: page 1: 'text' runs past the bottom margin"


def test_text_above_the_bottom_margin_keeps_the_rule():
    assert text_below_the_margin(document(block("P", lines(1, A4 - 72 - LINE)))) == []


def test_a_signature_block_ends_at_the_next_heading():
    # A pack's summons is signed on its first page; the agenda and papers follow.
    parts = (
        block("Signature", lines(1, 400)),
        block("Address", lines(1, 414)),
        block("H2", lines(1, 440)),
        block("Address", lines(2, 72)),
    )
    assert signature_blocks_split(document(*parts)) == []
