"""Create ``templates/pack-cover.docx`` (the committee pack's cover and contents page) and
``templates/pack-folio.docx`` (its printed page numbers) the first time. Run once; then edit
them in Word. Refuses to overwrite them (``--force`` does); the build never runs it.

    python scripts/make_pack_template.py [--force]
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Pt
from make_cabinet_template import _para, new_document
from make_form_templates import _row, _table
from template_script import make_templates

PATH = Path("templates/pack-cover.docx")
FOLIO = Path("templates/pack-folio.docx")


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that LibreOffice fills in when it lays the page out."""
    paragraph._p.append(
        parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr="{instruction}">'
            "<w:r><w:t>1</w:t></w:r></w:fldSimple>"
        )
    )


def build_folio(path: Path) -> None:
    """Blank pages, as many as the pack has, each with its number in the footer: laid over
    the pack's pages so a printed pack has the numbers its contents page gives."""
    document = new_document("Committee pack page numbers")
    header = document.sections[0].header
    for paragraph in header.paragraphs:
        paragraph._p.getparent().remove(paragraph._p)
    header.is_linked_to_previous = True
    _para(document, "{%p for page in range(pages - 1) %}", "Normal")
    document.add_page_break()
    _para(document, "{%p endfor %}", "Normal")
    # The last page: LibreOffice drops a page that only a trailing break would start.
    _para(document, "", "Normal")
    footer = document.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.styles["Footer"].font.size = Pt(9)
    document.styles["Footer"].font.name = "Arial"
    footer.add_run("Page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)


def build(path: Path) -> None:
    document = new_document("Committee pack")
    _para(document, "{{ council.name | upper }}", "Council Name")
    _para(document, "{{ meeting.body | upper }}", "Meeting")
    _para(document, "{{ title }}", "Title")
    _para(document, "Date: {{ meeting.date | date }}", "Meeting")
    _para(document, "Venue: {{ meeting.venue }}", "Meeting")
    document.add_page_break()
    _para(document, "Contents", "Heading 1")
    contents = _table(document, ("Item", "Document", "Page"), (3.5, 10.5, 2.0))
    _row(contents, "{%tr for entry in contents %}", "", "")
    _row(
        contents,
        "{{ entry.item }}{% if entry.appendix %}, appendix {{ entry.appendix }}{% endif %}",
        "{{ entry.title }}",
        "{{ entry.page }}",
    )
    _row(contents, "{%tr endfor %}", "", "")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)


def main(argv: list[str] | None = None) -> int:
    return make_templates(__doc__.splitlines()[0], {PATH: build, FOLIO: build_folio}, argv)


if __name__ == "__main__":
    sys.exit(main())
