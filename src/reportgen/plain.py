"""Plain English: each paragraph's Flesch reading ease and its longest sentence, measured on
the text as read, against the thresholds a council sets in ``inputs/style.yaml``
(``plain_english: {reading_ease: 50, sentence_words: 25}``); none set, nothing is checked.

Flesch reading ease is 206.835 − 1.015 × (words per sentence) − 84.6 × (syllables per word):
higher is easier; 60-70 is plain English, below 30 is hard going. Syllables are counted with
the ``syllables`` package (the CMU pronouncing dictionary, with its estimate for words not in
it). Paragraphs of fewer than ten words are not scored: the formula says little about them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .diagnostics import Diagnostic
from .load import Inputs, KeyPath
from .model import PlainEnglish, Project
from .writing import Piece, pieces, word_count

SHORTEST_SCORED = 10
# A sentence ends at . ! or ? followed by a space and what can start a sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9£\"“‘(])")
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Scored:
    """A paragraph's reading ease and its longest sentence, in words."""

    document: str
    piece: Piece
    reading_ease: float
    longest_sentence: int
    words: int


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences."""
    return [s for s in _SENTENCE_END.split(text.strip()) if word_count(s)]


def reading_ease(text: str) -> float:
    """Flesch reading ease of ``text`` (higher is easier)."""
    parts = sentences(text)
    words = [w for w in text.split() if any(c.isalnum() for c in w)]
    if not parts or not words:
        return 100.0
    syllable_count = sum(max(1, _syllables(w)) for w in words)
    return 206.835 - 1.015 * len(words) / len(parts) - 84.6 * syllable_count / len(words)


def _syllables(word: str) -> int:
    # Loaded on first use (its pronouncing dictionary takes a while to read): a council
    # with no plain-English rules never scores a word.
    import syllables

    # A figure ("£1.25m", "2014") is said in a few syllables; its letters alone say little.
    letters = "".join(_LETTERS.findall(word))
    return syllables.estimate(letters) if letters else 2


def scores(project: Project, contexts: dict[str, dict[str, Any]]) -> list[Scored]:
    """Every paragraph and answer long enough to score, in every document."""
    found = []
    for document_id, context in contexts.items():
        document = project.documents[document_id]
        for piece in pieces(document, context, ("documents", document_id)):
            words = word_count(piece.text)
            if words < SHORTEST_SCORED:
                continue
            longest = max(word_count(s) for s in sentences(piece.text))
            found.append(Scored(document_id, piece, reading_ease(piece.text), longest, words))
    return found


def plain_english_problems(
    project: Project, inputs: Inputs, contexts: dict[str, dict[str, Any]]
) -> list[Diagnostic]:
    """A warning for each paragraph that reads harder than the council's threshold, or
    holds a sentence longer than it allows."""
    rules = project.style.plain_english
    if rules is None:
        return []
    found = []
    for scored in scores(project, contexts):
        found += _problems(scored, rules, inputs)
    return sorted(found)


def _problems(scored: Scored, rules: PlainEnglish, inputs: Inputs) -> list[Diagnostic]:
    piece = scored.piece
    path: KeyPath = piece.path
    found = []
    if rules.reading_ease is not None and scored.reading_ease < rules.reading_ease:
        found.append(
            inputs.diagnostic(
                path,
                f"{piece.label} reads hard: Flesch reading ease {scored.reading_ease:.0f}, "
                f"where the house style asks for {rules.reading_ease:g} or more (shorter "
                "sentences and shorter words help)",
                severity="warning",
            )
        )
    if rules.sentence_words is not None and scored.longest_sentence > rules.sentence_words:
        found.append(
            inputs.diagnostic(
                path,
                f"{piece.label} has a sentence of {scored.longest_sentence} words, where the "
                f"house style asks for {rules.sentence_words} at most",
                severity="warning",
            )
        )
    return found
