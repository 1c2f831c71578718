"""Create ``templates/pack-cover.docx`` (the committee pack's front: summons and agenda) and
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
from layout_rules import keep_layout_rules
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


def _cell_lines(cell, *lines: str) -> None:
    """More paragraphs in a table cell, after its first."""
    for text in lines:
        _para(cell, text, "Table Contents")


def build(path: Path) -> None:
    """The pack's front: the summons (council, members, the proper officer's summons, the
    date of publication, whom to contact, the council's statements), then the agenda."""
    document = new_document("Committee pack")
    _para(document, "{{ council.name | upper }}", "Council Name")
    _para(document, "{{ council.address | join(', ') }}", "Meeting")
    _para(document, "{{ title }}", "Title")

    _para(document, "To the members of the {{ meeting.body }}", "Heading 1")
    _para(document, "{%p if body.members is known %}", "Normal")
    members = _table(document, ("Councillor", "Portfolio"), (8.0, 8.0))
    _row(members, "{%tr for member in body.members %}", "")
    _row(
        members,
        "{{ member.name }}{% if member.role != 'member' %} "
        "({{ member.role | replace('-', ' ') | capitalize | replace('Vice chair', 'Vice-chair') }})"
        "{% endif %}",
        "{{ member.portfolio or '' }}",
    )
    _row(members, "{%tr endfor %}", "")
    _para(document, "", "Normal")
    _para(document, "{%p else %}", "Normal")
    _para(document, "Members: {{ body.members }}", "Normal")
    _para(document, "{%p endif %}", "Normal")

    summons = _para(
        document,
        "You are summoned to attend a meeting of the {{ meeting.body }} at {{ meeting.venue }} "
        "on {{ meeting.date | date }} at {{ time }}, to transact the business on the agenda "
        "below.",
        "Normal",
    )
    # The summons stays on the page of the proper officer who makes it.
    summons.paragraph_format.keep_with_next = True
    summons.paragraph_format.keep_together = True
    _para(document, "{%p if proper_officer %}", "Normal")
    _para(document, "{%p if proper_officer.name is known and proper_officer.name %}", "Normal")
    _para(document, "{{ proper_officer.name }}", "Signature")
    _para(document, "{%p endif %}", "Normal")
    _para(document, "{{ proper_officer.role }}", "Address")
    _para(document, "{%p endif %}", "Normal")
    _para(document, "Date of publication: {{ published | date }}", "Report Footer")

    _para(document, "{%p if contact %}", "Normal")
    _para(document, "Contact officer for this meeting", "Heading 2")
    _para(document, "{{ contact.name }}, {{ contact.role }}", "Address")
    _para(document, "Telephone: {{ contact.telephone }}", "Address")
    _para(document, "Email: {{ contact.email }}", "Address")
    _para(document, "{%p endif %}", "Normal")
    _para(document, "{%p if statements.other_formats %}", "Normal")
    _para(document, "Other formats", "Heading 2")
    _para(document, "{{ statements.other_formats }}", "Normal")
    _para(document, "{%p endif %}", "Normal")
    _para(document, "{%p if statements.filming %}", "Normal")
    _para(document, "Filming and recording", "Heading 2")
    _para(document, "{{ statements.filming }}", "Normal")
    _para(document, "{%p endif %}", "Normal")

    document.add_page_break()
    _para(document, "Agenda", "Heading 1")
    agenda = _table(document, ("Item", "Business", "Page"), (2.5, 11.5, 2.0))
    _row(agenda, "{%tr for entry in agenda %}", "", "")
    cells = _row(agenda, "{{ entry.number }}", "{{ entry.title }}", "{{ entry.page }}")
    _cell_lines(
        cells[1],
        "{%p if entry.text %}",
        "{{ entry.text }}",
        "{%p endif %}",
        "{%p if entry.by %}",
        "{{ entry.by }}",
        "{%p endif %}",
    )
    _row(agenda, "{%tr endfor %}", "", "")
    keep_layout_rules(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)


def main(argv: list[str] | None = None) -> int:
    return make_templates(__doc__.splitlines()[0], {PATH: build, FOLIO: build_folio}, argv)


if __name__ == "__main__":
    sys.exit(main())
