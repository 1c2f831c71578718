"""Word limits: counted as bid forms count words, on the text the reader reads (facts filled
in), reported at the YAML that wrote it with the count and the limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.check import check
from reportgen.writing import word_count

from conftest import TEMPLATES


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Savings of £0.5m to £0.75m for each council.", 8),
        ("Our well-being strategy – agreed in 2014/15 – costs £1,250,000.", 8),
        ("  ", 0),
    ],
)
def test_words_are_counted_as_bid_forms_count_them(text, words):
    assert word_count(text) == words


def limit_answers(inputs: Path, words: int) -> None:
    kind = inputs / "kinds" / "eoi.yaml"
    text = kind.read_text().split("word_limits:")[0]
    kind.write_text(text + f"word_limits: {{answer: {words}}}\n")


def errors(inputs: Path) -> list[str]:
    return [f"{d.line}: {d.message}" for d in check(inputs, TEMPLATES).errors]


def test_an_answer_at_its_limit_passes_and_one_word_over_does_not(digital):
    # The longest answer is the list of stages: "Forms online", "Webchat", "Paper forms
    # closed": six words.
    limit_answers(digital, 6)
    assert errors(digital) == []
    limit_answers(digital, 5)
    assert errors(digital) == ["24: the answer to 'Stages' has 6 words; the limit is 5"]


def test_the_words_counted_are_those_read_with_facts_filled_in(digital):
    # '{{ revenue_saving }} a year' reads "£180,000 to £240,000 a year": five words.
    limit_answers(digital, 4)
    assert "21: the answer to 'Savings' has 5 words; the limit is 4" in errors(digital)


def test_an_answers_own_limit_is_used_before_its_kinds(digital, edit):
    limit_answers(digital, 100)
    edit(
        digital / "documents" / "bid.yaml",
        "      - label: Savings\n",
        "      - label: Savings\n        max_words: 4\n",
    )
    assert errors(digital) == ["22: the answer to 'Savings' has 5 words; the limit is 4"]
