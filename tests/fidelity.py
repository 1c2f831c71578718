"""Word-level comparison of a PDF's text with the published reference."""

from __future__ import annotations

import difflib
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Marks that carry no words: list bullets, the reference's markdown table rules and list dashes.
_NOISE = re.compile(r"<[^>]+>|[▪•|]|-{3,}")


def words(text: str) -> list[str]:
    """The words of ``text``, without bullets, table rules or markdown list markers."""
    tokens = _NOISE.sub(" ", text).split()
    return [t for t in tokens if t != "-"]


# A line that breaks after a hyphen inside a word ("out-" / "sourcing") is one word.
_BROKEN_AT_HYPHEN = re.compile(r"(?<=\w-)\n\s*")


def pdf_text(pdf: Path, *, layout: bool = True) -> str:
    """The PDF's text as ``pdftotext -layout`` reads it (or in reading order, which keeps a
    table cell's lines together), words broken at a hyphen rejoined."""
    options = ["-layout"] if layout else []
    text = subprocess.run(
        ["pdftotext", *options, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return _BROKEN_AT_HYPHEN.sub("", text)


@dataclass(frozen=True)
class Change:
    kind: str  # "insert", "delete" or "replace"
    reference: str
    ours: str

    def __str__(self) -> str:
        return f"{self.kind}: reference {self.reference!r} / ours {self.ours!r}"


def changes(reference: list[str], ours: list[str]) -> list[Change]:
    """Every place the two word sequences differ."""
    matcher = difflib.SequenceMatcher(None, reference, ours, autojunk=False)
    return [
        Change(op, " ".join(reference[i1:i2]), " ".join(ours[j1:j2]))
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
        if op != "equal"
    ]


# What the HTML edition adds to the published text, and why: the meeting date the source does
# not give and the column labels its table lacks (as the PDF adds), the caption a table needs
# on a web page, and the notice that the document is a draft (the PDF's DRAFT page header).
HTML_ADDED = {
    Change("insert", "", "date of meeting: to be confirmed"),
    Change("insert", "", "table with paragraph 2.13 service area functions"),
    Change(
        "insert",
        "",
        "draft: some facts in this document are still to be confirmed, where it says "
        "“to be confirmed”.",
    ),
}
