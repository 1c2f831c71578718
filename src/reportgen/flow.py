"""How a rendered document flows over its pages: what a template alone cannot settle.

A template says how its paragraphs and rows behave (headings keep with the next paragraph,
table rows do not split, the signature block keeps together); what it renders depends on
the data, and three of its rules need the rendered document to be kept:

- a cell whose every paragraph was a ``{%p %}`` tag over nothing has no paragraph, which
  Word's format does not allow and LibreOffice lays off the table's grid;
- a list ends with the space after its last item, which a list style keeps small so that
  its items stay together, so the list ran straight into the paragraph after it;
- a row that may not split but is taller than a page is split by Word, but LibreOffice
  runs it off the foot of the page and loses the rest.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, nsmap, qn
from lxml import etree

# Twips (a twentieth of a point) are Word's unit of length; half-points its unit of size.
_TWIPS = 20
# Word's default left and right cell margins (0.19 cm each).
_CELL_MARGINS = 2 * 108
# A generous estimate of Arial's average advance (measured on council prose, Liberation
# Sans gives 0.42 em) and line height (1.12 em): overestimating a row's height only lets
# a row split that would have fitted; underestimating it loses text off the page.
_CHAR_WIDTH_EM = 0.47
_LINE_HEIGHT_EM = 1.15


def settle(document: Any) -> None:
    """Settle the three rules above on a rendered python-docx ``document``, in place."""
    styles = _Styles(document)
    fill_empty_cells(document, styles)
    space_after_lists(document, styles)
    allow_tall_rows_to_split(document, styles)


def fill_empty_cells(document: Any, styles: _Styles) -> None:
    """Give every table cell that rendered empty a paragraph of its own, styled like a
    paragraph elsewhere in its row (not a list item's) so the empty cell is no taller than
    its neighbours and shows no bullet."""
    for cell in document.element.body.iter(qn("w:tc")):
        last = cell[-1] if len(cell) else None
        if last is not None and last.tag == qn("w:p"):
            continue
        paragraph = parse_xml(f"<w:p {nsdecls('w')}/>")
        row = cell.getparent()
        model = next(
            (p for p in (row.iter(qn("w:p")) if row is not None else ()) if not styles.listed(p)),
            None,
        )
        style = None if model is None else model.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is not None:
            paragraph.append(
                parse_xml(
                    f'<w:pPr {nsdecls("w")}><w:pStyle w:val="{style.get(qn("w:val"))}"/></w:pPr>'
                )
            )
        cell.append(paragraph)


def space_after_lists(document: Any, styles: _Styles) -> None:
    """End each list with the space a paragraph has after it.

    A list's items are kept close (a small space after each, or none between paragraphs of
    one style); its last item is given the space after of the paragraph that introduces the
    list ("The key points are:"), so the text after the list stands as far below it as one
    paragraph stands below another. A list that ends its cell or the document, or has no
    paragraph before it, is left as it is.
    """
    for container in [document.element.body, *document.element.body.iter(qn("w:tc"))]:
        # One pass: the lead-in is the last paragraph outside a list before the list.
        lead_in, item = None, None
        for paragraph in container:
            if paragraph.tag != _P:
                continue
            if styles.listed(paragraph):
                item = paragraph
                continue
            ends_a_list = item is not None and lead_in is not None
            if ends_a_list and styles.space_after(lead_in) > styles.space_after(item):
                _set_space_after(item, styles.space_after(lead_in))
            lead_in, item = paragraph, None


def _set_space_after(paragraph: Any, twips: int) -> None:
    properties = paragraph.find(qn("w:pPr"))
    if properties is None:
        properties = parse_xml(f"<w:pPr {nsdecls('w')}/>")
        paragraph.insert(0, properties)
    spacing = properties.find(qn("w:spacing"))
    if spacing is None:
        spacing = parse_xml(f"<w:spacing {nsdecls('w')}/>")
        # w:spacing follows w:pStyle, w:keepNext…w:numPr and w:pBdr…w:tabs in w:pPr's order.
        later = {qn(f"w:{name}") for name in ("ind", "contextualSpacing", "jc", "outlineLvl")}
        anchor = next((child for child in properties if child.tag in later), None)
        if anchor is not None:
            anchor.addprevious(spacing)
        else:
            properties.append(spacing)
    spacing.set(qn("w:after"), str(twips))


def allow_tall_rows_to_split(document: Any, styles: _Styles) -> None:
    """Let a table row that cannot fit on one page split, where the template says rows may
    not: Word would split it anyway, LibreOffice would run it off the page."""
    area = _text_area(document)
    if area is None:
        return
    width, height = area
    for table in document.element.body.iter(qn("w:tbl")):
        columns = [int(c.get(qn("w:w"), "0")) for c in table.iter(qn("w:gridCol"))]
        rows = table.findall(qn("w:tr"))
        headers = [r for r in rows if r.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None]
        room = height - sum(_row_height(r, columns, width, styles) for r in headers)
        for row in rows:
            keep = row.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}")
            if keep is None or row in headers:
                continue
            if _row_height(row, columns, width, styles) > room:
                keep.getparent().remove(keep)


def _text_area(document: Any) -> tuple[int, float] | None:
    """The width (in twips) and height (in points) of the last section's text area."""
    sections = list(document.element.body.iter(qn("w:sectPr")))
    if not sections:
        return None
    size = sections[-1].find(qn("w:pgSz"))
    margins = sections[-1].find(qn("w:pgMar"))
    if size is None or margins is None:
        return None

    def margin(side: str) -> int:
        return abs(int(margins.get(qn(f"w:{side}"), "0")))

    width = int(size.get(qn("w:w"))) - margin("left") - margin("right")
    height = int(size.get(qn("w:h"))) - margin("top") - margin("bottom")
    return width, height / _TWIPS


def _cell_widths(row: Any, columns: list[int], width: int) -> list[int]:
    """Each cell's width in twips: its own, or its columns' in the table's grid, or an
    even share of the text area when the template gives neither."""
    cells = row.findall(qn("w:tc"))
    widths, column = [], 0
    for cell in cells:
        properties = cell.find(qn("w:tcPr"))
        span_element = None if properties is None else properties.find(qn("w:gridSpan"))
        span = int(span_element.get(qn("w:val"))) if span_element is not None else 1
        own = None if properties is None else properties.find(qn("w:tcW"))
        if own is not None and own.get(qn("w:type")) == "dxa" and int(own.get(qn("w:w"))) > 0:
            widths.append(int(own.get(qn("w:w"))))
        elif column + span <= len(columns) and sum(columns[column : column + span]) > 0:
            widths.append(sum(columns[column : column + span]))
        else:
            widths.append(width // max(len(cells), 1))
        column += span
    return widths


def _row_height(row: Any, columns: list[int], width: int, styles: _Styles) -> float:
    """An estimate, in points, of the height the row's tallest cell needs."""
    tallest = 0.0
    cells = row.findall(qn("w:tc"))
    for cell, twips in zip(cells, _cell_widths(row, columns, width), strict=True):
        usable = max(twips - _CELL_MARGINS, _TWIPS) / _TWIPS
        height = 0.0
        for paragraph in cell.iter(qn("w:p")):
            size = styles.font_size(paragraph)
            text = "".join(t.text or "" for t in paragraph.iter(qn("w:t")))
            lines = max(1, math.ceil(len(text) * size * _CHAR_WIDTH_EM / usable))
            height += lines * size * _LINE_HEIGHT_EM + styles.space_after(paragraph) / _TWIPS
        tallest = max(tallest, height)
    return tallest


# Names looked up for every paragraph, made once.
_NUMPR = qn("w:numPr")
_P = qn("w:p")
_PPR = qn("w:pPr")
_RPR = qn("w:rPr")
_VAL = qn("w:val")
_BASED_ON = qn("w:basedOn")
_DEFAULT_PPR = f"{qn('w:pPrDefault')}/{qn('w:pPr')}"
_DEFAULT_RPR = f"{qn('w:rPrDefault')}/{qn('w:rPr')}"
# A paragraph's own answers read by XPath, which returns strings, not elements: python-docx
# makes an object of its own for every element a lookup returns, the most of flow's time.
_STYLE_OF = etree.XPath("w:pPr/w:pStyle/@w:val", namespaces=nsmap)
_NUMBERED = etree.XPath("boolean(w:pPr/w:numPr)", namespaces=nsmap)


@functools.cache
def _own(child: str, attribute: str) -> tuple[etree.XPath, etree.XPath]:
    """Where a paragraph's own properties give ``child``'s ``attribute``: its paragraph
    properties, then those of its first run that has any."""
    found = f"{child}[1]/@{attribute}"
    return (
        etree.XPath(f"string(w:pPr/{found})", namespaces=nsmap),
        etree.XPath(f"string((w:r/w:rPr)[1]/{found})", namespaces=nsmap),
    )


class _Styles:
    """A document's paragraph styles, read through ``w:basedOn`` as Word reads them."""

    def __init__(self, document: Any):
        root = document.styles.element
        self._by_id = {s.get(qn("w:styleId")): s for s in root.findall(qn("w:style"))}
        self._default_id = next(
            (
                s.get(qn("w:styleId"))
                for s in root.findall(qn("w:style"))
                if s.get(qn("w:type")) == "paragraph" and s.get(qn("w:default")) == "1"
            ),
            None,
        )
        self._defaults = root.find(qn("w:docDefaults"))
        self._chains: dict[str | None, list[Any]] = {}
        self._values: dict[tuple[str | None, str, str], str | None] = {}

    def _style_id(self, paragraph: Any) -> str | None:
        named = _STYLE_OF(paragraph)
        return str(named[0]) if named else self._default_id

    def _style_chain(self, style_id: str | None) -> list[Any]:
        """A style's properties and those of each style it is based on, then the document
        defaults: the same for every paragraph of the style, so worked out once."""
        if style_id in self._chains:
            return self._chains[style_id]
        chain = []
        seen = set()
        current = style_id
        while current in self._by_id and current not in seen:
            seen.add(current)
            element = self._by_id[current]
            chain += [element.find(_PPR), element.find(_RPR)]
            based = element.find(_BASED_ON)
            current = based.get(_VAL) if based is not None else None
        if self._defaults is not None:
            chain += [self._defaults.find(_DEFAULT_PPR), self._defaults.find(_DEFAULT_RPR)]
        self._chains[style_id] = [c for c in chain if c is not None]
        return self._chains[style_id]

    def _style_value(self, style_id: str | None, child: str, attribute: str) -> str | None:
        key = (style_id, child, attribute)
        if key not in self._values:
            self._values[key] = next(
                (
                    found.get(qn(attribute))
                    for properties in self._style_chain(style_id)
                    if (found := properties.find(qn(child))) is not None
                    and found.get(qn(attribute)) is not None
                ),
                None,
            )
        return self._values[key]

    def _first(self, paragraph: Any, child: str, attribute: str) -> str | None:
        """``child``'s ``attribute`` from the paragraph's own properties, else its style's."""
        for own in _own(child, attribute):
            if value := own(paragraph):
                return value
        return self._style_value(self._style_id(paragraph), child, attribute)

    def listed(self, paragraph: Any) -> bool:
        """Whether the paragraph is an item of a numbered or bulleted list."""
        if _NUMBERED(paragraph):
            return True
        key = (self._style_id(paragraph), "w:numPr", "")
        if key not in self._values:
            numbered = any(p.find(_NUMPR) is not None for p in self._style_chain(key[0]))
            self._values[key] = "1" if numbered else None
        return self._values[key] is not None

    def space_after(self, paragraph: Any) -> int:
        """The space after the paragraph, in twips."""
        return int(self._first(paragraph, "w:spacing", "w:after") or 0)

    def font_size(self, paragraph: Any) -> float:
        """The size of the paragraph's text, in points (Word's default of 10 if none)."""
        return int(self._first(paragraph, "w:sz", "w:val") or 20) / 2
