"""Acronyms spelt out on first use, as report-writing guides and the GOV.UK style guide ask:
"expression of interest (EOI)" before "EOI" alone, in each document.

An acronym is a word of two or more capitals (``EOI``, ``EOIs``); it is spelt out where it
follows its words in brackets (``… (EOI)``), or, for an organisation's short name, where the
organisation's full name appears. Acronyms the council counts as known (``UK``) are listed in
``inputs/style.yaml`` as ``known_acronyms``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .diagnostics import Diagnostic
from .load import Inputs
from .model import Project, Report
from .spelling import NOT_TEXT, locate, read_texts

_ACRONYM = re.compile(r"(?<![\w(])([A-Z][A-Z0-9&]*[A-Z])s?(?![\w])")
_DEFINED = re.compile(r"\(\s*([A-Z][A-Z0-9&]*[A-Z])s?\s*\)")


@dataclass(frozen=True)
class Passage:
    """A piece of a document in reading order: where it is (a paragraph's number or an
    answer's label) and its text as read."""

    where: str
    text: str


@dataclass(frozen=True)
class Acronym:
    """An acronym of a document: where it is first used, and where (if anywhere) spelt out."""

    acronym: str
    first_used: str
    spelt_out: str | None
    early: bool


def passages(document: Any, context: dict[str, Any]) -> list[Passage]:
    """The document's text in reading order, facts filled in."""
    found = []
    for section in context.get("sections", ()):
        found.append(Passage(_label(section.title), section.title))
        parts = section.paragraphs if isinstance(document, Report) else section.fields
        for part in parts:
            where = part.number if isinstance(document, Report) else f"'{part.label}'"
            # The label says where the passage is; it is not read as part of it.
            found.append(Passage(where, " ".join(read_texts(part, NOT_TEXT | {"label"}))))
    return found


def _label(title: str) -> str:
    return f"the heading '{title}'"


def acronyms_of(project: Project, document_id: str, context: dict[str, Any]) -> list[Acronym]:
    """Each acronym of the document, in order of first use."""
    document = project.documents[document_id]
    names = {
        o.short_name: o.name
        for o in project.organisations.values()
        if o.short_name and _ACRONYM.fullmatch(o.short_name)
    }
    used: dict[str, tuple[tuple[int, int], str]] = {}
    defined: dict[str, tuple[tuple[int, int], str]] = {}
    for index, passage in enumerate(passages(document, context)):
        for match in _DEFINED.finditer(passage.text):
            defined.setdefault(match.group(1), ((index, match.start()), passage.where))
        for acronym, name in names.items():
            at = passage.text.find(name)
            if at >= 0:
                defined.setdefault(acronym, ((index, at), passage.where))
        for match in _ACRONYM.finditer(passage.text):
            used.setdefault(match.group(1), ((index, match.start()), passage.where))
    return [
        Acronym(
            acronym,
            where,
            defined[acronym][1] if acronym in defined else None,
            acronym not in defined or at < defined[acronym][0],
        )
        for acronym, (at, where) in sorted(used.items(), key=lambda pair: pair[1][0])
    ]


def acronym_problems(
    project: Project, inputs: Inputs, contexts: dict[str, dict[str, Any]]
) -> list[Diagnostic]:
    """A warning for each acronym a document uses before spelling it out, or never spells
    out, unless the council counts it as known."""
    known = set(project.style.known_acronyms)
    found = []
    for document_id, context in contexts.items():
        for entry in acronyms_of(project, document_id, context):
            if not entry.early or entry.acronym in known:
                continue
            if entry.spelt_out is None:
                message = (
                    f"'{entry.acronym}' is never spelt out: write it in full the first time, "
                    f"followed by ({entry.acronym}), or add it to known_acronyms in "
                    "inputs/style.yaml"
                )
            else:
                message = (
                    f"'{entry.acronym}' is used in {entry.first_used} before it is spelt out "
                    f"in {entry.spelt_out}"
                )
            found.append(locate(project, inputs, document_id, entry.acronym, message))
    return sorted(found)
