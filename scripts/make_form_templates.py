"""Create the form templates the first time: the expression of interest and the Design
Council application. Run once; then edit them in Word. Like make_cabinet_template.py, it
refuses to overwrite a template (``--force`` does) and the build never runs it.

    python scripts/make_form_templates.py [--force]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docx.shared import Cm
from layout_rules import keep_layout_rules
from make_cabinet_template import _numbered, _para, _repeat_header, new_document

# Column widths (cm) of each table made here; Word keeps a width per cell, not per column.
_WIDTHS: dict[int, tuple[float, ...]] = {}

FORMS = {
    "templates/eoi-transformation-challenge-award.docx": "To: {{ recipient.name }}",
    "templates/design-council-application.docx": "To: {{ recipient.name }}",
}


def _table(document, header: tuple[str, ...], widths: tuple[float, ...]):
    table = document.add_table(rows=1, cols=len(header))
    table.style = document.styles["Table Grid"]
    table.autofit = False
    _WIDTHS[id(table._tbl)] = widths
    # LibreOffice lays out by the table grid, Word by the cells: set both.
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    _repeat_header(table.rows[0])
    for cell, label, width in zip(table.rows[0].cells, header, widths, strict=True):
        cell.width = Cm(width)
        cell.paragraphs[0].style = document.styles["Table Heading"]
        cell.paragraphs[0].add_run(label)
    return table


def _row(table, *cells: str) -> list:
    row = table.add_row()
    for cell, width in zip(row.cells, _WIDTHS[id(table._tbl)], strict=True):
        cell.width = Cm(width)
    for cell, text in zip(row.cells, cells, strict=True):
        if text:
            cell.paragraphs[0].style = cell.part.document.styles["Table Contents"]
            cell.paragraphs[0].add_run(text)
    return row.cells


def build(path: Path, recipient_line: str) -> None:
    document = new_document("Form")
    _para(document, recipient_line, "Council Name")
    _para(document, "{{ title }}", "Title")
    _para(document, "Date: {{ document.date | date }}", "Meeting")

    _numbered(document, "1.", "Applicants", "Heading 1")
    applicants = _table(document, ("Authority", "Role", "Address"), (5.5, 4.0, 6.5))
    _row(applicants, "{%tr for applicant in applicants %}", "", "")
    address = _row(applicants, "{{ applicant.organisation.name }}", "{{ applicant.role }}", "")[2]
    address.paragraphs[0].add_run("{%p for line in applicant.organisation.address %}")
    _para(address, "{{ line }}", "Table Contents")
    _para(address, "{%p endfor %}", "Normal")
    _row(applicants, "{%tr endfor %}", "", "")
    _para(document, "", "Table Spacer")

    _numbered(document, "2.", "Contact", "Heading 1")
    contact = _table(document, ("Detail", "Answer"), (5.5, 10.5))
    for label, field in (
        ("Name", "name"),
        ("Role", "role"),
        ("Email", "email"),
        ("Telephone", "telephone"),
    ):
        _row(contact, label, f"{{{{ contact.{field} }}}}")
    _para(document, "", "Table Spacer")

    _para(document, "{%p for section in sections %}", "Normal")
    _numbered(document, "{{ loop.index + 2 }}.", "{{ section.title }}", "Heading 1")
    answers = _table(document, ("Question", "Answer"), (5.5, 10.5))
    _row(answers, "{%tr for field in section.fields %}", "")
    label, answer = _row(answers, "{{ field.label }}", "")
    answer.paragraphs[0].add_run("{%p if field.unknown %}")
    placeholder = _para(answer, "", "Table Contents")
    run = placeholder.add_run("[{{ field.text }}]")
    run.italic = True
    _para(answer, "{%p elif field.text %}", "Normal")
    _para(answer, "{{ field.text }}", "Table Contents")
    _para(answer, "{%p endif %}", "Normal")
    _para(answer, "{%p for bullet in field.bullets %}", "Normal")
    _para(answer, "{{ bullet }}", "Table Bullet")
    _para(answer, "{%p endfor %}", "Normal")
    _para(answer, "{%p for area in field.table %}", "Normal")
    _para(answer, "{{ area.area }}: {{ area.functions | join(', ') }}", "Table Bullet")
    _para(answer, "{%p endfor %}", "Normal")
    _row(answers, "{%tr endfor %}", "")
    _para(document, "", "Table Spacer")
    _para(document, "{%p endfor %}", "Normal")
    keep_layout_rules(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="overwrite existing templates")
    args = parser.parse_args(argv)
    for name, recipient_line in FORMS.items():
        path = Path(name)
        if path.exists() and not args.force:
            print(f"{path} exists; it is edited by hand now (use --force to start again)")
            continue
        build(path, recipient_line)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
