"""British spelling: the words a reader reads, checked with hunspell's en-GB dictionary, the
council's own words and the organisations' names; reported where the YAML wrote them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reportgen.check import check

from conftest import TEMPLATES

pytestmark = pytest.mark.skipif(
    shutil.which("hunspell") is None, reason="hunspell is installed by scripts/setup.sh"
)


def spelling(inputs: Path) -> list[str]:
    return [
        f"{Path(d.file).name}:{d.line}:{d.col} {d.message.split(' (if')[0]}"
        for d in check(inputs, TEMPLATES).warnings
        if "dictionary" in d.message
    ]


def test_a_programme_of_british_english_has_no_misspellings(digital):
    # Westmoor (the council's name) and DLUHC (an acronym) are not misspellings.
    assert spelling(digital) == []


def test_a_misspelling_in_folded_text_is_placed_on_its_own_line(digital, edit):
    edit(digital / "documents" / "report.yaml", "going live on", "going live on the recieved")
    (found,) = spelling(digital)
    assert found.startswith("report.yaml:14:37 'recieved' is not in the en-GB dictionary")
    assert "did you mean 'received'" in found


def test_american_spelling_is_a_misspelling_in_british_english(digital, edit):
    edit(digital / "documents" / "report.yaml", "going live on", "in color, going live on")
    (found,) = spelling(digital)
    assert "'color' is not in the en-GB dictionary — did you mean 'colour'" in found


def test_the_councils_own_words_are_not_misspellings(digital, edit):
    edit(digital / "documents" / "report.yaml", "going live on", "at Brackenholme, going live on")
    assert len(spelling(digital)) == 1
    (digital / "style.yaml").write_text("words: [webchat, Brackenholme]\n")
    assert spelling(digital) == []


def test_a_slip_kept_on_purpose_is_marked_sic(digital, edit):
    edit(
        digital / "documents" / "report.yaml",
        "going live on",
        "as the minute has it, {{ 'recieved' | sic }}, going live on",
    )
    assert spelling(digital) == []


def test_spelling_can_be_switched_off(digital, edit):
    edit(digital / "documents" / "report.yaml", "going live on", "going live on the recieved")
    (digital / "style.yaml").write_text("check_spelling: false\n")
    assert spelling(digital) == []
