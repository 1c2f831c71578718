"""The page layout rules a template keeps, as Word's own paragraph and row properties.

The ``make_*_template.py`` scripts apply them to the templates they make; run this on
templates that exist already (it changes only what a rule needs, and running it twice
changes nothing the second time):

    python scripts/layout_rules.py templates/cabinet-report.docx [...]

- Table rows may not split across pages (``w:cantSplit``): a row taller than a page is
  split all the same, when the document is rendered (see ``reportgen.flow``).
- Headings and a table's header row keep with what follows them (``w:keepNext``), and
  a heading's lines stay together (``w:keepLines``).
- The signature block — the signatory, the council's address, the author, date and
  background papers lines, from the paragraph in the *Signature* style to the end — keeps
  together on one page.

The space after a list and the paragraph of an empty cell depend on the data, so the render
settles them (``reportgen.flow``); ``tests/test_page_layout.py`` checks all of them on the
PDFs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

KEEP_WITH_NEXT = ("Heading 1", "Heading 2", "Heading 3", "Table Heading")


def keep_layout_rules(document: WordDocument) -> None:
    """Give ``document`` (a python-docx Document) the page layout rules."""
    body = document.element.body
    for row in body.iter(qn("w:tr")):
        properties = row.get_or_add_trPr()
        if properties.find(qn("w:cantSplit")) is None:
            properties.insert(0, OxmlElement("w:cantSplit"))
    names = {style.name for style in document.styles}
    for name in KEEP_WITH_NEXT:
        if name in names:
            style = document.styles[name].paragraph_format
            style.keep_with_next = True
            if name.startswith("Heading"):
                style.keep_together = True
    block = _signature_block(document)
    for index, paragraph in enumerate(block):
        paragraph.paragraph_format.keep_together = True
        if index < len(block) - 1:
            paragraph.paragraph_format.keep_with_next = True


def _signature_block(document: WordDocument) -> list:
    """The body's paragraphs from the first in the Signature style to the last."""
    paragraphs = document.paragraphs
    start = next((i for i, p in enumerate(paragraphs) if p.style.name == "Signature"), None)
    return [] if start is None else paragraphs[start:]


def main(argv: list[str] | None = None) -> int:
    paths = [Path(p) for p in (sys.argv[1:] if argv is None else argv)]
    if not paths:
        print(__doc__.strip().splitlines()[0], "\nusage: layout_rules.py TEMPLATE.docx ...")
        return 2
    for path in paths:
        document = Document(str(path))
        keep_layout_rules(document)
        document.save(str(path))
        print(f"kept the layout rules in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
