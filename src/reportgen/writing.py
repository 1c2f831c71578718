"""Checks of the words a reader reads, after facts are filled in: word limits.

Words are counted as bid forms count them: a run of characters between spaces is one word
when it holds a letter or a digit, so a hyphenated word ("well-being"), a number
("1,250,000") and a sum ("£1.25m") are one word each, and a dash standing alone is none.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .diagnostics import Diagnostic
from .load import Inputs, KeyPath
from .model import Form, FormSection, Project, Report, Section, WordLimits


def word_count(text: str) -> int:
    """The number of words in ``text``, counted as bid forms count them."""
    return sum(1 for token in text.split() if any(c.isalnum() for c in token))


def word_limit_problems(
    project: Project, inputs: Inputs, contexts: dict[str, dict[str, Any]]
) -> list[Diagnostic]:
    """Every answer, paragraph or section over its word limit: an error at the text that
    is too long, with its count and the limit."""
    found: list[Diagnostic] = []
    for document_id, context in contexts.items():
        document = project.documents[document_id]
        limits = project.kinds[document.kind].word_limits or WordLimits()
        base: KeyPath = ("documents", document_id)
        if isinstance(document, Form):
            found += _form(document, context, limits, inputs, base)
        elif isinstance(document, Report):
            found += _report(document, context, limits, inputs, base)
    return sorted(found)


def _over(
    inputs: Inputs, path: KeyPath, words: int, limit: int | None, what: str
) -> Iterator[Diagnostic]:
    if limit is not None and words > limit:
        yield inputs.diagnostic(path, f"{what} has {words} words; the limit is {limit}")


def _form(
    form: Form, context: dict[str, Any], limits: WordLimits, inputs: Inputs, base: KeyPath
) -> Iterator[Diagnostic]:
    for i, (section, view) in enumerate(zip(form.sections, context["sections"], strict=True)):
        for j, (answer, shown) in enumerate(zip(section.fields, view.fields, strict=True)):
            words = word_count(" ".join([shown.text, *shown.bullets]))
            limit = answer.max_words or limits.answer
            where = (*base, "sections", i, "fields", j)
            text_key = "text" if answer.text is not None else "bullets"
            what = f"the answer to '{answer.label}'"
            yield from _over(inputs, (*where, text_key), words, limit, what)


def _report(
    report: Report, context: dict[str, Any], limits: WordLimits, inputs: Inputs, base: KeyPath
) -> Iterator[Diagnostic]:
    for i, (section, view) in enumerate(zip(report.sections, context["sections"], strict=True)):
        where = (*base, "sections", i)
        total = 0
        for j, paragraph in enumerate(view.paragraphs):
            words = word_count(" ".join([paragraph.text, *paragraph.bullets]))
            total += words
            # Written paragraphs; generated ones (options, recommendations) count towards
            # their section.
            if section.paragraphs:
                path = (*where, "paragraphs", j, "text")
                what = f"paragraph {paragraph.number}"
                yield from _over(inputs, path, words, limits.paragraph, what)
        what = f"section '{section.title}'"
        yield from _over(inputs, (*where, "title"), total, limits.section, what)


@dataclass(frozen=True)
class Piece:
    """One paragraph or answer as read: what to call it, and where its YAML is."""

    label: str
    path: KeyPath
    text: str


def pieces(document: Report | Form, context: dict[str, Any], base: KeyPath) -> Iterator[Piece]:
    """Each paragraph of a report, or answer of a form, in reading order; a generated
    paragraph (an option, a recommendation) is placed at its section."""
    for i, (section, view) in enumerate(zip(document.sections, context["sections"], strict=True)):
        where = (*base, "sections", i)
        if isinstance(document, Form):
            assert isinstance(section, FormSection)
            for j, (answer, shown) in enumerate(zip(section.fields, view.fields, strict=True)):
                key = "text" if answer.text is not None else "bullets"
                path = (*where, "fields", j, key)
                yield Piece(f"the answer to '{answer.label}'", path, shown.text)
            continue
        assert isinstance(section, Section)
        for j, paragraph in enumerate(view.paragraphs):
            path = (*where, "paragraphs", j, "text") if section.paragraphs else (*where, "title")
            yield Piece(f"paragraph {paragraph.number}", path, paragraph.text)
