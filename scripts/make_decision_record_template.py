"""Create ``templates/decision-record.docx``, a meeting's record of decisions, the first time.
Run once; then edit it in Word. Refuses to overwrite it (``--force`` does); the build never
runs it.

    python scripts/make_decision_record_template.py [--force]
"""

from __future__ import annotations

import sys
from pathlib import Path

from make_cabinet_template import _numbered, _para, new_document
from template_script import make_templates

PATH = Path("templates/decision-record.docx")


def build(path: Path) -> None:
    document = new_document("Record of decisions")
    _para(document, "{{ council.name | upper }}", "Council Name")
    _para(document, "{{ meeting.body | upper }}", "Meeting")
    _para(document, "Record of decisions", "Title")
    _para(document, "Date of meeting: {{ meeting.date | date }}", "Meeting")
    _para(document, "Venue: {{ meeting.venue }}", "Meeting")
    _para(document, "{%p for minute in minutes %}", "Normal")
    _numbered(document, "{{ minute.number }}.", "{{ minute.title | upper }}", "Heading 1")
    _para(document, "{%p if minute.item %}", "Normal")
    _para(document, "{{ minute.item }} on the agenda.", "Body Text Indent")
    _para(document, "{%p endif %}", "Normal")
    _para(document, "{%p for interest in minute.interests %}", "Normal")
    _para(document, "{{ interest }}", "Body Text Indent")
    _para(document, "{%p endfor %}", "Normal")
    _para(document, "{%p if minute.resolved %}", "Normal")
    _para(document, "Resolved –", "Body Text Indent")
    _para(document, "{%p for resolution in minute.resolved %}", "Normal")
    _para(document, "{{ resolution.letter }} {{ resolution.text }}", "Body Text Indent")
    _para(document, "{%p endfor %}", "Normal")
    _para(document, "{%p endif %}", "Normal")
    _para(document, "{%p for deferred in minute.deferred %}", "Normal")
    _para(document, "Deferred: {{ deferred }}", "Body Text Indent")
    _para(document, "{%p endfor %}", "Normal")
    _para(document, "{%p for refused in minute.not_agreed %}", "Normal")
    _para(document, "Not agreed: {{ refused }}", "Body Text Indent")
    _para(document, "{%p endfor %}", "Normal")
    _para(document, "{%p if minute.reasons %}", "Normal")
    _para(document, "Reasons for the decision: {{ minute.reasons }}", "Body Text Indent")
    _para(document, "{%p endif %}", "Normal")
    _para(document, "{%p endfor %}", "Normal")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)


def main(argv: list[str] | None = None) -> int:
    return make_templates(__doc__.splitlines()[0], {PATH: build}, argv)


if __name__ == "__main__":
    sys.exit(main())
