"""The text of a .docx as labelled blocks, for people to read and compare.

A rendered document becomes a list of :class:`Block`: each paragraph and each table row, in
order, labelled with where it is — the paragraph number (``2.12``), the heading it falls
under, or the heading and the row's first cell for a table row (``3. Fund / Timetable``). A
template (with its Jinja tags) reads the same way, for ``git diff`` of templates.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.document import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?\s")


@dataclass(frozen=True)
class Block:
    """One paragraph or table row: where it is, and its text."""

    label: str
    text: str


def blocks(source: bytes | Path) -> list[Block]:
    """The labelled blocks of a .docx, body only (headers and footers are page furniture)."""
    document = docx.Document(io.BytesIO(source) if isinstance(source, bytes) else source)
    return list(_walk(document))


def _walk(document: Document) -> Iterator[Block]:
    label = ""
    heading = ""
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            text = _text(item)
            if not text:
                continue
            style = item.style.name if item.style is not None else ""
            numbered = _NUMBERED.match(text)
            if style.startswith("Heading"):
                heading = text
                label = numbered.group(1) if numbered else text
            elif numbered:
                label = numbered.group(1)
            yield Block(label or "(top)", text)
        elif isinstance(item, Table):
            yield from _rows(item, heading or label or "(top)")


def _rows(table: Table, where: str) -> Iterator[Block]:
    for row in table.rows:
        cells = [" ".join(_text(p) for p in cell.paragraphs if _text(p)) for cell in row.cells]
        if not any(cells):
            continue
        yield Block(f"{where} / {cells[0]}", " | ".join(cells))


def _text(paragraph: Paragraph) -> str:
    return " ".join(paragraph.text.replace("\t", " ").split())


def template_text(path: Path) -> str:
    """A template's text with its Jinja tags, a paragraph a line, table rows as cells
    separated by ``|``: what ``git diff`` shows of a template (``reportgen textconv``)."""
    lines = []
    for block in blocks(path):
        lines.append(block.text)
    document = docx.Document(path)
    for section in document.sections:
        for part, name in ((section.header, "header"), (section.footer, "footer")):
            texts = [_text(p) for p in part.paragraphs if _text(p)]
            if texts and not part.is_linked_to_previous:
                lines.append(f"[{name}] " + " ".join(texts))
    return "\n".join(lines) + "\n"
