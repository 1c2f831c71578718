"""Page layout rules, checked on a PDF's real pages.

A converted document is read twice: its tagged structure (which paragraphs are headings,
lists, table rows, the signature block) with pikepdf, and where each of its characters and
table rules landed with pdfplumber. The two meet at the marked-content ids that tie each
tagged element to the characters it drew, so every rule below is about positions on the
pages the reader sees, not about what the template asked for.
"""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
import pikepdf

# Positions are in points; LibreOffice places text to a hundredth of one, so a tolerance of
# one point separates "the same" from "different" without hiding a real difference.
TOLERANCE = 1.0
HEADINGS = {"H", "H1", "H2", "H3", "H4", "H5", "H6"}
# Every template here has Word's bottom margin of 2.54 cm (one inch). Body text lower than
# that has run past the margin: LibreOffice does so with a row it may not split that is
# taller than a page, and loses what does not fit.
BOTTOM_MARGIN = 72.0


@dataclass
class Char:
    page: int  # 1-based, as a reader counts
    top: float
    bottom: float
    x0: float
    text: str


@dataclass
class Element:
    """One tagged element: its type as the PDF writes it (a standard type, or a style name
    that the role map sends to one) and the characters it and its descendants drew."""

    kind: str
    children: list[Element] = field(default_factory=list)
    own: list[Char] = field(default_factory=list)

    @property
    def chars(self) -> list[Char]:
        found = list(self.own)
        for child in self.children:
            found.extend(child.chars)
        return found

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.chars).strip()

    @property
    def pages(self) -> list[int]:
        return sorted({c.page for c in self.chars})

    def on(self, page: int) -> list[Char]:
        return [c for c in self.chars if c.page == page]

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Document:
    path: Path
    root: Element
    # Vertical table rules on each page: (x, top, bottom).
    rules: dict[int, list[tuple[float, float, float]]]
    heights: dict[int, float]  # each page's height
    # The height the text of a full page takes: from the highest to the lowest character
    # any page of the document holds. A row taller than this cannot fit on one page.
    body_height: float

    @property
    def label(self) -> str:
        return self.path.name


def read(path: Path) -> Document:
    """The tagged structure of ``path`` with the position of every character it holds."""
    chars: dict[tuple[int, int], list[Char]] = defaultdict(list)
    rules: dict[int, list[tuple[float, float, float]]] = {}
    heights: dict[int, float] = {}
    tops, bottoms = [], []
    with pdfplumber.open(path) as plumbed:
        for number, page in enumerate(plumbed.pages, start=1):
            for c in page.chars:
                if c.get("mcid") is None:
                    continue  # page furniture (headers, the DRAFT mark) is not tagged
                chars[number, c["mcid"]].append(
                    Char(number, c["top"], c["bottom"], c["x0"], c["text"])
                )
                tops.append(c["top"])
                bottoms.append(c["bottom"])
            heights[number] = page.height
            rules[number] = [
                (e["x0"], e["top"], e["bottom"]) for e in page.edges if e["orientation"] == "v"
            ]
    with pikepdf.open(path) as pdf:
        page_of = {page.objgen: number for number, page in enumerate(pdf.pages, start=1)}
        tree = pdf.Root.StructTreeRoot
        root = Element("StructTreeRoot")
        _walk(tree.get("/K"), root, None, page_of, chars)
    height = max(bottoms, default=0) - min(tops, default=0)
    return Document(path, root, rules, heights, height)


def _walk(
    node: object,
    parent: Element,
    page: int | None,
    page_of: dict[tuple[int, int], int],
    chars: dict[tuple[int, int], list[Char]],
) -> None:
    """Add ``node`` (a kid of a structure element) to ``parent``: a marked-content id on the
    page in force, a marked-content reference with its own page, or an element."""
    if isinstance(node, pikepdf.Array):
        for kid in node:
            _walk(kid, parent, page, page_of, chars)
        return
    if isinstance(node, int) and page is not None:
        parent.own.extend(chars.get((page, int(node)), []))
        return
    if not isinstance(node, pikepdf.Dictionary):
        return
    if "/Pg" in node:
        page = page_of.get(node.Pg.objgen, page)
    if node.get("/Type") == "/MCR":
        if page is not None:
            parent.own.extend(chars.get((page, int(node.MCID)), []))
        return
    if node.get("/Type") == "/OBJR" or "/S" not in node:
        return
    element = Element(str(node.S)[1:])
    parent.children.append(element)
    _walk(node.get("/K"), element, page, page_of, chars)


# --- the rules -------------------------------------------------------------------------
# Each takes a document and returns its problems, one sentence each, empty when it keeps the
# rule. A sentence names the page and quotes the text, so a failure says where to look.


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _rows(table: Element) -> tuple[list[Element], list[Element]]:
    """A table's header rows (of TH cells) and its body rows."""
    rows = [e for e in table.walk() if e.kind == "TR"]
    header = [r for r in rows if any(c.kind == "TH" for c in r.children)]
    return header, [r for r in rows if r not in header]


def _tables(document: Document) -> list[Element]:
    return [e for e in document.root.walk() if e.kind == "Table"]


def _height(element: Element) -> float:
    """The height an element takes, added up over the pages it is on."""
    total = 0.0
    for page in element.pages:
        on = element.on(page)
        total += max(c.bottom for c in on) - min(c.top for c in on)
    return total


def text_below_the_margin(document: Document) -> list[str]:
    """No text runs past the bottom margin of its page."""
    problems = []
    for element in document.root.walk():
        for page in sorted({c.page for c in element.own}):
            low = [c for c in element.own if c.page == page]
            if max(c.bottom for c in low) > document.heights[page] - BOTTOM_MARGIN + TOLERANCE:
                problems.append(
                    f"{document.label}: page {page}: {_quote(''.join(c.text for c in low))} "
                    "runs past the bottom margin"
                )
    return problems


def rows_split_across_pages(document: Document) -> list[str]:
    """A table row is on one page, unless it is taller than a page."""
    problems = []
    for table in _tables(document):
        for row in _rows(table)[1]:
            pages = row.pages
            if len(pages) > 1 and _height(row) < document.body_height - TOLERANCE:
                problems.append(
                    f"{document.label}: the table row {_quote(row.text)} splits across pages "
                    f"{pages[0]} to {pages[-1]}, and is not taller than a page"
                )
    return problems


def pages_with_only_a_tables_header(document: Document) -> list[str]:
    """Every page a table is on holds one of its rows whole, or at least two lines of a row
    too tall for a page: never its header alone, nor its header and a row's last line."""
    problems = []
    for table in _tables(document):
        body = _rows(table)[1]
        for page in table.pages:
            if any(row.pages == [page] for row in body):
                continue
            lines = {round(c.top) for row in body for c in row.on(page)}
            if len(lines) >= 2:
                continue
            held = " ".join("".join(c.text for c in row.on(page)) for row in body if row.on(page))
            problems.append(
                f"{document.label}: page {page} holds only the header of a table"
                + (f" and {_quote(held)}" if held.strip() else "")
            )
    return problems


def _sequence(document: Document) -> list[Element]:
    """The document's blocks in reading order: paragraphs, headings, lists and tables (a
    list or table is one block), each with the text it holds."""
    blocks: list[Element] = []

    def visit(element: Element) -> None:
        for child in element.children:
            if child.kind in {"L", "Table"} or not child.children:
                if child.chars:
                    blocks.append(child)
            else:
                if child.own:
                    blocks.append(Element(child.kind, own=child.own))
                visit(child)

    visit(document.root)
    return blocks


def headings_apart_from_their_text(document: Document) -> list[str]:
    """A heading is on the page where the text that follows it starts."""
    problems = []
    blocks = _sequence(document)
    for heading, following in itertools.pairwise(blocks):
        if heading.kind not in HEADINGS:
            continue
        if heading.pages[-1] != following.pages[0]:
            problems.append(
                f"{document.label}: the heading {_quote(heading.text)} ends page "
                f"{heading.pages[-1]}, apart from the text after it on page {following.pages[0]}"
            )
    return problems


# What ends a signature block: the next heading, table, list, part of a pack or signature.
_AFTER_A_SIGNATURE = HEADINGS | {"Table", "L", "Part", "Art", "Sect", "Div", "Document"}


def _signature_blocks(element: Element) -> list[list[Element]]:
    """Each run of ``element``'s children from one in the Signature style up to the next
    heading, table, list or part (a summons in a pack has a signature of its own)."""
    blocks: list[list[Element]] = []
    current: list[Element] | None = None
    for child in element.children:
        if child.kind == "Signature":
            current = [child]
            blocks.append(current)
        elif current is not None and child.kind not in _AFTER_A_SIGNATURE:
            current.append(child)
        else:
            current = None
    return [[e for e in block if e.chars] for block in blocks]


def signature_blocks_split(document: Document) -> list[str]:
    """The signature block (the signatory, the council's address) and the author, date and
    background papers lines after it are on one page."""
    problems = []
    for element in document.root.walk():
        for block in _signature_blocks(element):
            pages = sorted({p for e in block for p in e.pages})
            if len(pages) > 1:
                apart = [e.text for e in block if e.pages[0] == pages[-1]]
                problems.append(
                    f"{document.label}: the signature block {_quote(block[0].text)} is on page "
                    f"{pages[0]} but {_quote(' '.join(apart))} is on page {pages[-1]}"
                )
    return problems


def _gap(before: Element, after: Element) -> float | None:
    """The space between the last line of ``before`` and the first of ``after``, where both
    are on one page."""
    last, first = before.pages[-1], after.pages[0]
    if last != first:
        return None
    return min(c.top for c in after.on(first)) - max(c.bottom for c in before.on(last))


def lists_without_space_after(document: Document) -> list[str]:
    """The space after a list is the space after a paragraph: the text that follows a list
    starts as far below it as one paragraph starts below the one before."""
    pairs = []

    def visit(element: Element) -> None:
        kids = [k for k in element.children if k.chars]
        pairs.extend(itertools.pairwise(kids))
        for kid in kids:
            # A table's cells have spacing of their own: the rule is about the body's flow.
            if kid.kind not in {"Table", "L"}:
                visit(kid)

    visit(document.root)
    paragraph_gaps = [
        gap
        for before, after in pairs
        if not ({before.kind, after.kind} & (HEADINGS | {"L", "Table"}))
        and (gap := _gap(before, after)) is not None
    ]
    if not paragraph_gaps:
        return []
    usual = statistics.median(paragraph_gaps)
    problems = []
    for before, after in pairs:
        if before.kind != "L":
            continue
        gap = _gap(before, after)
        if gap is not None and gap < usual - TOLERANCE:
            problems.append(
                f"{document.label}: page {after.pages[0]}: {_quote(after.text)} starts "
                f"{gap:.1f} pt below the list before it; paragraphs have {usual:.1f} pt"
            )
    return problems


def tables_off_their_grid(document: Document) -> list[str]:
    """Each row of a table has its cell borders where the table's first row has them (an
    empty cell included)."""
    problems = []
    for table in _tables(document):
        rows = [r for r in table.walk() if r.kind == "TR"]
        for page in table.pages:
            on_page = [r for r in rows if r.on(page)]
            grids = [(row, _borders(document, row, page)) for row in on_page]
            if not grids:
                continue
            first = grids[0][1]
            for row, borders in grids[1:]:
                if len(borders) != len(first) or any(
                    abs(a - b) > TOLERANCE for a, b in zip(borders, first, strict=False)
                ):
                    problems.append(
                        f"{document.label}: page {page}: the row {_quote(row.text)} has cell "
                        f"borders at {_points(borders)}, the table's first row at "
                        f"{_points(first)}"
                    )
    return problems


def _borders(document: Document, row: Element, page: int) -> list[float]:
    """The x of each vertical rule crossing the middle of ``row`` on ``page``."""
    on = row.on(page)
    middle = (min(c.top for c in on) + max(c.bottom for c in on)) / 2
    xs = sorted(x for x, top, bottom in document.rules[page] if top <= middle <= bottom)
    merged: list[float] = []
    for x in xs:  # a rule drawn twice (each cell's border) is one border
        if not merged or x - merged[-1] > TOLERANCE:
            merged.append(x)
    return merged


def _points(xs: list[float]) -> str:
    return ", ".join(f"{x:.0f}" for x in xs)


RULES = {
    "no text runs off the page": text_below_the_margin,
    "rows stay on one page": rows_split_across_pages,
    "no page holds only a table's header": pages_with_only_a_tables_header,
    "headings stay with their text": headings_apart_from_their_text,
    "the signature block stays together": signature_blocks_split,
    "lists have space after them": lists_without_space_after,
    "tables keep their grid": tables_off_their_grid,
}
