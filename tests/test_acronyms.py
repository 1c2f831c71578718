"""Acronyms spelt out on first use, in each document: a warning where one is used first and
spelt out later, or never; organisations' short names are spelt out by their full names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from reportgen.check import check

from conftest import ROOT, TEMPLATES


def acronym_warnings(inputs: Path) -> list[str]:
    return [d.message for d in check(inputs, TEMPLATES).warnings if "spelt out" in d.message]


def test_an_acronym_spelt_out_where_first_used_is_fine(digital, edit):
    edit(
        digital / "documents" / "report.yaml",
        "To seek approval for",
        "To seek the approval of the digital board (DB) for",
    )
    edit(digital / "documents" / "report.yaml", "No saving is made.", "The DB saves nothing.")
    assert acronym_warnings(digital) == []


def test_an_acronym_used_before_it_is_spelt_out_names_both_places(digital, edit):
    edit(
        digital / "documents" / "report.yaml",
        "No saving is made.",
        "The digital board (DB) saves nothing.",
    )
    edit(digital / "documents" / "report.yaml", "To seek approval for", "To seek DB approval for")
    assert acronym_warnings(digital) == ["'DB' is used in 1.1 before it is spelt out in 6.1"]


def test_an_acronym_never_spelt_out_is_named(digital, edit):
    edit(digital / "documents" / "report.yaml", "To seek approval for", "To seek DB approval for")
    (found,) = acronym_warnings(digital)
    assert found.startswith("'DB' is never spelt out")


def test_an_acronym_the_council_counts_as_known_is_not_warned_of(digital, edit):
    edit(digital / "documents" / "report.yaml", "To seek approval for", "To seek UK approval for")
    (digital / "style.yaml").write_text("words: [webchat]\nknown_acronyms: [UK]\n")
    assert acronym_warnings(digital) == []


def test_an_organisations_full_name_spells_out_its_short_name(digital, edit):
    edit(
        digital / "documents" / "report.yaml",
        "To seek approval for",
        "To seek Westmoor District Council's approval (as WDC) for",
    )
    assert acronym_warnings(digital) == []


def test_lint_lists_a_documents_acronyms_and_where_each_is_spelt_out():
    result = subprocess.run(
        [sys.executable, "-m", "reportgen", "lint", "--acronyms"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    report = lines[lines.index("cabinet-report") + 1 : lines.index("design-council-application")]
    assert "  EOI      first used in 2.11; spelt out in 2.11" in report
    assert "  IT       first used in 2.6; known" in report
