"""Create ``templates/forward-plan.docx``, a council's forward plan of key decisions, the first
time. Run once; then edit it in Word. Refuses to overwrite it (``--force`` does); the build
never runs it.

    python scripts/make_forward_plan_template.py [--force]
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.enum.section import WD_ORIENT
from docx.shared import Cm
from layout_rules import keep_layout_rules
from make_cabinet_template import _para, new_document
from make_form_templates import _row, _table
from template_script import make_templates

PATH = Path("templates/forward-plan.docx")


def build(path: Path) -> None:
    document = new_document("Forward plan of key decisions")
    # Six columns read better across the page.
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    _para(document, "{{ council.name | upper }}", "Council Name")
    _para(document, "{{ title }}", "Title")
    _para(
        document,
        "Key decisions to be taken, each with notice at least 28 clear days before it is "
        "taken (Local Authorities (Executive Arrangements) (Meetings and Access to "
        "Information) (England) Regulations 2012, regulation 9), unless an exception is "
        "recorded.",
        "Body Text Indent",
    )
    plan = _table(
        document,
        ("Decision", "Decision-maker", "Date", "Documents to be considered", "Notice", "Wards"),
        (5.4, 3.2, 3.0, 5.5, 4.5, 3.0),
    )
    _row(plan, "{%tr for decision in decisions %}", "", "", "", "", "")
    documents = _row(
        plan,
        "{{ decision.title }}",
        "{{ decision.decision_maker }}",
        "{{ decision.date }}",
        "",
        "{{ decision.notice }}",
        "{{ decision.wards }}",
    )[3]
    documents.paragraphs[0].add_run("{%p for title in decision.documents %}")
    _para(documents, "{{ title }}", "Table Contents")
    _para(documents, "{%p endfor %}", "Normal")
    _row(plan, "{%tr endfor %}", "", "", "", "", "")
    keep_layout_rules(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)


def main(argv: list[str] | None = None) -> int:
    return make_templates(__doc__.splitlines()[0], {PATH: build}, argv)


if __name__ == "__main__":
    sys.exit(main())
