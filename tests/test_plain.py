"""Plain English: Flesch reading ease and sentence length per paragraph, on the text as
read, against the thresholds of the council's house style; none set, none checked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.check import check
from reportgen.plain import reading_ease, sentences

from conftest import ROOT, TEMPLATES


def test_reading_ease_is_fleschs_formula():
    # Six one-syllable words in one sentence: 206.835 - 1.015 * 6 - 84.6 * 1.
    assert reading_ease("The cat sat on the mat.") == pytest.approx(116.145)


def test_sentences_end_at_a_full_stop_not_inside_a_sum():
    assert sentences("It costs £1.25m. Residents save 2.5 hours a week!") == [
        "It costs £1.25m.",
        "Residents save 2.5 hours a week!",
    ]


def plain(inputs: Path) -> list[str]:
    return [d.message for d in check(inputs, TEMPLATES).warnings if "house style" in d.message]


def test_nothing_is_scored_without_the_councils_thresholds(digital):
    assert plain(digital) == []


def test_a_sentence_longer_than_the_house_style_allows_is_named(digital):
    (digital / "style.yaml").write_text("words: [webchat]\nplain_english: {sentence_words: 18}\n")
    # Paragraph 2.4's longest sentence has 18 words: at the limit, so not named.
    assert plain(digital) == [
        "paragraph 1.1 has a sentence of 20 words, where the house style asks for 18 at most",
        "paragraph 3.1 has a sentence of 19 words, where the house style asks for 18 at most",
    ]


def test_lint_lists_paragraphs_hardest_first_with_a_summary(digital):
    result = subprocess.run(
        [sys.executable, "-m", "reportgen", "lint", "--prose", "--inputs", str(digital)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines()[1:] if line.strip() and ": " in line]
    table = [r for r in rows if r.lstrip()[0] in "-0123456789"]
    eases = [float(r.split()[0]) for r in table]
    assert eases == sorted(eases)
    assert result.stdout.rstrip().splitlines()[-1].startswith("report: ")
