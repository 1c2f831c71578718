"""Key decisions: a report that commits money at or over the council's threshold (or affects
enough wards) says whether it is one, and a key decision has its forward plan notice 28 clear
days before the meeting, or a recorded exception."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest

from reportgen.build import Paths, build
from reportgen.check import check
from reportgen.decisions import amounts, forward_plan

from conftest import TEMPLATES, plan_key_decision
from fidelity import pdf_text, words
from html_pages import read_file

# The district council's Cabinet meets on Wednesday 9 September 2015; the report's first
# recommendation commits the capital cost, {money: 1_250_000}, written "£1.25m".
MEETING = "2015-09-09"


def set_rule(inputs: Path, rule: str) -> None:
    organisations = inputs / "organisations.yaml"
    text = organisations.read_text()
    anchor = "      - {name: Final report to Democratic Services, clear_days: 8}\n"
    assert anchor in text
    organisations.write_text(text.replace(anchor, anchor + f"    key_decisions: {rule}\n"))


def set_report(inputs: Path, lines: str) -> None:
    report = inputs / "documents" / "report.yaml"
    report.write_text(report.read_text() + lines)


def messages(inputs: Path, *, final: bool = False) -> list[str]:
    return [f"{d.severity}: {d.message}" for d in check(inputs, TEMPLATES, final=final).diagnostics]


def test_recommendations_committing_exactly_the_threshold_look_like_a_key_decision(digital):
    set_rule(digital, "{money: 1_250_000}")
    (found,) = messages(digital)
    assert found == (
        "warning: this looks like a key decision (its recommendations commit £1,250,000, and "
        "the council's threshold is £1,250,000): say so with 'key_decision:' and its forward "
        "plan notice, or write 'key_decision: false'"
    )


def test_one_pound_under_the_threshold_is_not_a_key_decision(digital):
    set_rule(digital, "{money: 1_250_001}")
    assert messages(digital) == []


def test_the_amount_is_the_facts_not_the_rounded_text(digital, edit):
    # £1,249,999 reads "£1.25m" in the recommendation, and is still under £1,250,000.
    edit(digital / "programmes" / "digital.yaml", "{money: 1_250_000}", "{money: 1_249_999}")
    edit(
        digital / "programmes" / "digital.yaml",
        "capital: {money: 500_000}",
        "capital: {money: 499_999}",
    )
    set_rule(digital, "{money: 1_250_000}")
    assert messages(digital) == []


def test_affecting_as_many_wards_as_the_threshold_looks_like_a_key_decision(digital):
    set_rule(digital, "{wards: 2}")
    set_report(digital, "wards: [Abbey, Castle]\n")
    (found,) = messages(digital)
    assert "it affects 2 wards, and the council's threshold is 2" in found


def test_saying_it_is_not_a_key_decision_is_enough(digital):
    set_rule(digital, "{money: 500_000}")
    set_report(digital, "key_decision: false\n")
    assert messages(digital) == []


def test_notice_28_clear_days_before_the_meeting_is_in_time(digital):
    set_report(digital, "key_decision: {notice: 2015-07-29}\n")
    assert messages(digital) == []


def test_notice_27_clear_days_before_is_late_and_an_error_when_final(digital):
    set_report(digital, "key_decision: {notice: 2015-07-30}\n")
    late = (
        "notice went on the forward plan 27 clear days before the meeting; 28 are needed, so "
        "by 29 July 2015, or record an 'exception' with its 'reason'"
    )
    assert messages(digital) == [f"warning: {late}"]
    assert messages(digital, final=True) == [f"error: {late}"]


def test_a_key_decision_without_notice_or_exception_is_named(digital):
    set_report(digital, "key_decision: {}\n")
    (found,) = messages(digital)
    assert found.startswith("warning: a key decision needs notice on the forward plan by 29 July")


def test_an_exception_with_its_reason_stands_in_for_the_notice(digital):
    set_report(
        digital,
        "key_decision: {exception: general-exception, reason: The fund closes on 1 October}\n",
    )
    assert messages(digital) == []


def test_an_exception_without_its_reason_is_an_error(digital):
    set_report(digital, "key_decision: {exception: special-urgency}\n")
    (found,) = messages(digital)
    assert found.startswith("error: a special-urgency needs its 'reason'")


def test_the_forward_plan_lists_each_key_decision_with_its_notice(digital):
    set_report(digital, "key_decision: {notice: 2015-07-29}\nwards: [Abbey, Castle]\n")
    project = check(digital, TEMPLATES).project
    (planned,) = forward_plan(project, "wdc")
    assert (planned.title, planned.decision_maker, planned.date) == (
        "Digital Customer Access",
        "Cabinet",
        "9 September 2015",
    )
    assert planned.documents == ["Digital Customer Access", "Digital access fund bid"]
    assert planned.notice == "published 29 July 2015"
    assert planned.wards == "Abbey and Castle"
    assert forward_plan(project, "dluhc") == []


def test_a_decision_taken_at_a_held_meeting_leaves_the_forward_plan(digital):
    set_report(digital, "key_decision: {notice: 2015-07-29}\n")
    meetings = digital / "meetings.yaml"
    meetings.write_text(
        meetings.read_text()
        + "  outcomes:\n    report:\n      recommendations:\n        approve: {decision: agreed}\n"
    )
    assert forward_plan(check(digital, TEMPLATES).project, "wdc") == []


def test_sums_of_money_are_read_as_authors_write_them():
    text = "spend £1.25m, then £320 million, £1.5bn and £250,000 (not 12 or £)"
    assert amounts(text) == [
        Decimal("1250000"),
        Decimal("320000000"),
        Decimal("1500000000"),
        Decimal("250000"),
    ]


@pytest.mark.libreoffice
def test_the_build_makes_the_forward_plan_as_docx_and_tagged_pdf(digital, tmp_path):
    set_report(digital, "key_decision: {notice: 2015-07-29}\nwards: [Abbey, Castle]\n")
    out = tmp_path / "build"
    result = build(Paths(digital, TEMPLATES, out))
    plans = sorted(o.path for o in result.outputs if o.kind == "forward-plan")
    assert plans == [
        f"forward-plan/wdc-forward-plan.{suffix}" for suffix in ("docx", "html", "pdf")
    ]
    pdf = out / "forward-plan" / "wdc-forward-plan.pdf"
    text = " ".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split()
    )
    assert "Forward plan of key decisions" in text
    assert "Digital Customer Access" in text and "published 29 July 2015" in text
    with pikepdf.open(pdf) as document:
        assert "/StructTreeRoot" in document.Root
        assert b"pdfuaid" in document.Root.Metadata.read_bytes()
    # Unchanged, it is kept as it is.
    again = build(Paths(digital, TEMPLATES, out))
    assert again.built == 0
    assert (out / "forward-plan" / "wdc-forward-plan.pdf").read_bytes() == pdf.read_bytes()


@pytest.mark.libreoffice
def test_the_forward_plans_html_edition_says_what_its_pdf_says_and_the_top_page_links_it(
    digital, tmp_path
):
    plan_key_decision(digital)
    out = tmp_path / "build"
    result = build(Paths(digital, TEMPLATES, out))
    (entry,) = [o for o in result.outputs if o.kind == "forward-plan" and o.format == "html"]
    assert entry.path == "forward-plan/wdc-forward-plan.html" and entry.meeting is None
    assert {"templates/forward-plan.html", "templates/house-style.css"} <= set(entry.sources)
    page = read_file(out / entry.path)
    assert page.title == page.headings[0][1] == "Forward plan of key decisions"
    assert (2, "Digital Customer Access") in page.headings
    pdf = pdf_text(out / "forward-plan" / "wdc-forward-plan.pdf", layout=False)
    said = {w.casefold() for w in words(page.text)}
    # The PDF's table has a column "Decision", where the web page heads each decision with
    # its title; and pdftotext reads the template's "Decision-maker" without its hyphen.
    assert {w.casefold() for w in words(pdf)} - said == {"decision", "decisionmaker"}
    assert "Decision-maker" in page.text
    top = read_file(out / "index.html")
    assert {entry.path, "forward-plan/wdc-forward-plan.pdf"} <= set(top.links)
    assert "Forward plans of key decisions" in top.text
    # Unchanged, it is kept as it is.
    before = (out / entry.path).stat().st_mtime_ns
    build(Paths(digital, TEMPLATES, out))
    assert (out / entry.path).stat().st_mtime_ns == before
