"""The pack's front: the summons to the members of the body, then the agenda — the body's
opening items, each document with its number, whose report it is and its first page."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from reportgen.build import Paths, build
from reportgen.check import check
from reportgen.compose import ContentsEntry, compose_cover, spoken_time
from reportgen.layout import item_numbers

from conftest import TEMPLATES

PUBLISHED = "  published: 2015-09-01\n"


def cover(inputs: Path, *, draft: bool = False) -> dict:
    checked = check(inputs, TEMPLATES)
    assert not checked.errors, checked.errors
    assert checked.project is not None
    contents = [
        ContentsEntry(7, "", "Digital Customer Access", 3, "Report of the Director"),
        ContentsEntry(7, "A", "Digital access fund bid", 6),
    ]
    return compose_cover(checked.project, "cabinet", contents, draft=draft)


def unpublished(inputs: Path, edit) -> None:
    edit(inputs / "meetings.yaml", PUBLISHED, "")


def test_the_agenda_opens_with_the_bodys_items_then_numbers_each_document(digital):
    agenda = cover(digital)["agenda"]
    assert [(e.number, e.title, e.page) for e in agenda] == [
        ("1", "Apologies for absence", ""),
        ("2", "Declarations of interest", ""),
        ("3", "Minutes", ""),
        ("7", "Digital Customer Access", "3"),
        ("", "Appendix A: Digital access fund bid", "6"),
    ]
    assert agenda[2].text.startswith("To approve as a correct record the minutes")
    assert agenda[3].by == "Report of the Director"


def test_a_document_without_a_number_follows_the_opening_items(example_copy):
    project = check(example_copy, TEMPLATES).project
    assert project is not None
    assert len(project.meetings["cabinet"].opening_items()) == 3
    assert item_numbers(project.meetings["cabinet"]) == [4]


def test_the_summons_names_the_members_officer_contact_and_statements(digital):
    context = cover(digital)
    members = context["body"].members
    assert [(m.name, m.role) for m in members[:2]] == [
        ("Councillor Helen Okafor", "chair"),
        ("Councillor David Lindqvist", "vice-chair"),
    ]
    assert context["time"] == "6.30pm"
    assert str(context["meeting"].body) == "Cabinet"
    assert (context["proper_officer"].name, context["proper_officer"].role) == (
        "Priya Shah",
        "Director of Resources",
    )
    assert context["contact"].telephone == "01632 960 481"
    assert context["statements"].filming.startswith("This meeting may be filmed")


def test_a_summons_with_everything_known_is_not_a_draft(digital):
    assert cover(digital)["draft"] is False


def test_a_summons_without_its_date_of_publication_is_a_draft(digital, edit):
    unpublished(digital, edit)
    context = cover(digital)
    assert context["draft"] is True
    assert str(context["published"]) == "to be confirmed"


def test_unknown_members_make_the_summons_a_draft_but_not_the_report(digital, edit):
    bodies = digital / "bodies.yaml"
    text = bodies.read_text()
    start, end = text.index("  members:\n"), text.index("  opening_items:")
    bodies.write_text(text[:start] + "  members: {unknown: not elected yet}\n" + text[end:])
    assert cover(digital)["draft"] is True
    assert check(digital, TEMPLATES).contexts["report"]["draft"] is False


def test_a_final_build_needs_the_time_and_the_date_of_publication(digital, edit):
    edit(digital / "meetings.yaml", "  time: '18:30'\n", "")
    unpublished(digital, edit)
    errors = [d.message for d in check(digital, TEMPLATES, final=True).errors]
    assert (
        "'time:' is not set: the summons gives the meeting's time, and a final build needs it"
        in (errors)
    )
    assert (
        "'published:' is not set: the summons gives the date of publication, and a final build "
        "needs it"
    ) in errors


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("18:30", "6.30pm"),
        ("10:00", "10.00am"),
        ("12:00", "12 noon"),
        ("12:15", "12.15pm"),
        ("00:30", "12.30am"),
    ],
)
def test_a_summons_gives_the_time_as_people_say_it(written, spoken):
    assert spoken_time(written) == spoken


def page_text(pdf: Path, page: int) -> str:
    result = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return " ".join(result.stdout.split())


@pytest.mark.libreoffice
def test_the_built_pack_opens_with_the_summons_and_an_agenda_with_right_pages(digital, tmp_path):
    out = tmp_path / "build"
    build(Paths(digital, TEMPLATES, out))
    manifest = json.loads((out / "manifest.json").read_text())
    (pack,) = [o for o in manifest["outputs"] if (o["kind"], o["format"]) == ("pack", "pdf")]
    summons = page_text(out / pack["path"], 1)
    assert summons.count("Cabinet, 9 September 2015: papers") == 1
    for words in (
        "WESTMOOR DISTRICT COUNCIL",
        "To the members of the Cabinet",
        "Councillor Helen Okafor (Chair)",
        "Councillor David Lindqvist (Vice-chair)",
        "Finance and Resources",
        "You are summoned to attend a meeting of the Cabinet at Council Chamber, Civic Centre "
        "on 9 September 2015 at 6.30pm",
        "Priya Shah Director of Resources",
        "Date of publication: 1 September 2015",
        "Amira Clarke, Democratic Services Officer",
        "Telephone: 01632 960 481",
        "Other formats",
        "Filming and recording",
    ):
        assert words in summons, words
    rows = layout_lines(out / pack["path"], 2)
    report, bid = pack["contents"]
    assert row_with(rows, "Apologies for absence") == "1 Apologies for absence"
    assert row_with(rows, "Digital Customer Access") == (
        f"7 Digital Customer Access {report['first_page']}"
    )
    assert row_with(rows, "Report of the Director") == (
        "Report of the Director of Resources (author: Sam Okafor)"
    )
    assert (
        row_with(rows, "Appendix A") == f"Appendix A: Digital access fund bid {bid['first_page']}"
    )


def layout_lines(pdf: Path, page: int) -> list[str]:
    """A page's lines as laid out (a table row's cells on one line), spaces collapsed."""
    result = subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return [" ".join(line.split()) for line in result.stdout.splitlines()]


def row_with(lines: list[str], words: str) -> str:
    (line,) = [line for line in lines if words in line]
    return line
