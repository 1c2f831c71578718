"""After a meeting: its outcomes are data, each recommendation agreed, amended, deferred or
not agreed; the build writes the record of decisions as minutes read, and the meeting's page
marks each recommendation with its outcome."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from reportgen.build import Paths, build
from reportgen.check import check
from reportgen.minutes import minutes

from conftest import FIXTURES, TEMPLATES, hold_meeting, output_path
from fidelity import pdf_text, words
from html_pages import read_file


@pytest.fixture
def held(tmp_path: Path) -> Path:
    """The district council's Cabinet of 9 September 2015, with its outcomes recorded."""
    inputs = tmp_path / "inputs"
    shutil.copytree(FIXTURES / "digital-access", inputs)
    return hold_meeting(inputs)


def messages(inputs: Path, *, final: bool = False) -> list[str]:
    return [f"{d.severity}: {d.message}" for d in check(inputs, TEMPLATES, final=final).diagnostics]


def test_a_meeting_with_every_outcome_recorded_is_valid(held):
    assert messages(held, final=True) == []


def test_the_minutes_are_numbered_on_and_resolutions_lettered(held):
    checked = check(held, TEMPLATES)
    (minute,) = minutes(checked.project, checked.contexts, "cabinet", {"report": "Item 7"})
    assert (minute.number, minute.item, minute.title) == (41, "Item 7", "Digital Customer Access")
    assert [(r.letter, r.text) for r in minute.resolved] == [
        ("(a)", "That Cabinet approves option 2 and capital of £1.25m."),
        ("(b)", "That the Director of Resources agrees the contract after consulting the Leader."),
    ]
    assert minute.deferred == [
        "That progress is reported by 1 April 2016. Reason: The supplier is to confirm the date."
    ]
    assert minute.not_agreed[0].endswith("Reason: Members asked for consultation first.")
    assert minute.interests == [
        "Councillor J Patel declared a personal interest as a library governor."
    ]


def test_a_recommendation_without_an_outcome_is_a_warning_and_an_error_when_final(held, edit):
    line = (
        "        assessment: {decision: not-agreed, reason: Members asked for consultation first.}"
    )
    edit(held / "meetings.yaml", line + "\n", "")
    missing = "no outcome recorded for recommendation 'assessment' of report 'report'"
    assert messages(held) == [f"warning: {missing}"]
    assert messages(held, final=True) == [f"error: {missing}"]


def test_an_outcome_for_a_report_not_on_the_agenda_is_an_error(held, edit):
    edit(held / "meetings.yaml", "  outcomes:\n    report:", "  outcomes:\n    reprt:")
    found = messages(held)
    assert (
        "error: 'reprt' is not a report on this meeting's agenda — did you mean 'report'?" in found
    )


def test_a_deferral_needs_its_reason(held, edit):
    edit(
        held / "meetings.yaml",
        "{decision: deferred, reason: The supplier is to confirm the date.}",
        "{decision: deferred}",
    )
    assert messages(held) == ["error: a recommendation deferred needs its 'reason'"]


@pytest.mark.libreoffice
def test_the_build_writes_the_record_and_marks_outcomes_on_the_meetings_page(held, tmp_path):
    out = tmp_path / "build"
    build(Paths(held, TEMPLATES, out))
    record = output_path(out, "decision-record")
    assert record.name == "2015-09-09-cabinet-record-of-decisions.pdf"
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(record), "-"], capture_output=True, text=True
        ).stdout.split()
    )
    assert "41. DIGITAL CUSTOMER ACCESS" in text
    assert "Resolved – (a) That Cabinet approves option 2 and capital of £1.25m." in text
    with pikepdf.open(record) as pdf:  # tagged, and declared PDF/UA, as every PDF is
        assert "/StructTreeRoot" in pdf.Root
        assert b"pdfuaid" in pdf.Root.Metadata.read_bytes()
    page = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", output_path(out, "index", "html").read_text())
    )
    assert "That the Director of Resources agrees the contract. Agreed as amended:" in page
    assert "Deferred (The supplier is to confirm the date.)" in page


@pytest.mark.libreoffice
def test_the_records_html_edition_says_what_its_pdf_says_and_the_meetings_page_links_it(
    held, tmp_path
):
    out = tmp_path / "build"
    result = build(Paths(held, TEMPLATES, out))
    (entry,) = [o for o in result.outputs if o.kind == "decision-record" and o.format == "html"]
    assert entry.path == "2015-09-09-cabinet/2015-09-09-cabinet-record-of-decisions.html"
    assert entry.meeting == "cabinet"
    assert {"templates/decision-record.html", "templates/house-style.css"} <= set(entry.sources)
    page = read_file(out / entry.path)
    assert page.title == page.headings[0][1] == "Cabinet, 9 September 2015: record of decisions"
    assert (2, "41. Digital Customer Access") in page.headings
    assert "(a) That Cabinet approves option 2 and capital of £1.25m." in page.text
    pdf = pdf_text(out / entry.path.replace(".html", ".pdf"), layout=False)
    said = {w.casefold() for w in words(page.text)}
    assert {w.casefold() for w in words(pdf)} - said == set()
    meeting_page = read_file(out / "2015-09-09-cabinet" / "index.html")
    assert "2015-09-09-cabinet-record-of-decisions.html" in meeting_page.links
    # Built again from nothing, it is the same bytes.
    before = (out / entry.path).read_bytes()
    build(Paths(held, TEMPLATES, out), force=True)
    assert (out / entry.path).read_bytes() == before
