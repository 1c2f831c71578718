"""Checks that span fields and files: references between inputs and rules of the domain."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Iterator
from typing import Any

from .diagnostics import Diagnostic, Severity, did_you_mean
from .facts import RESERVED
from .layout import item_numbers, meeting_folder
from .load import Inputs, KeyPath
from .model import (
    TYPED_VALUES,
    Form,
    OrganisationFact,
    OrganisationsFact,
    Project,
    Report,
    StandingOrders,
    is_unknown,
)
from .text import date as written_date
from .timetable import STATUTORY_CLEAR_DAYS, clear_days_between, latest_day

# A paragraph number typed at the start of prose ("2.13 The following ...") would be printed
# beside the computed one; one typed in the middle ("see paragraph 2.14") goes stale.
_TYPED_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)+\s")
_TYPED_REFERENCE = re.compile(r"\bparagraphs?\s+(\d+\.\d+)", re.IGNORECASE)


def project_problems(project: Project, inputs: Inputs) -> list[Diagnostic]:
    """Every cross-reference and domain problem in ``project`` (errors and warnings)."""
    return sorted(_problems(project, inputs))


def _problems(project: Project, inputs: Inputs) -> Iterator[Diagnostic]:
    yield from _organisation_references(project, inputs)
    yield from _fact_names(project, inputs)
    yield from _meeting_rules(project, inputs)
    for document_id, document in project.documents.items():
        if document.programme is not None:
            yield from _reference(
                inputs,
                ("documents", document_id, "programme"),
                document.programme,
                project.programmes,
                "programme",
            )
        for name in project.kinds[document.kind].requires:
            if not getattr(document, name):
                yield inputs.diagnostic(
                    ("documents", document_id),
                    f"a {document.kind} needs '{name}' (its kind requires it), and this one "
                    "has none",
                )
        if isinstance(document, Report):
            yield from _report_rules(project, inputs, document_id)


def _reference(
    inputs: Inputs, path: KeyPath, value: str, known: Iterable[str], what: str
) -> Iterator[Diagnostic]:
    known = list(known)
    if value not in known:
        hint = did_you_mean(value, known)
        yield inputs.diagnostic(path, f"{what} '{value}' is not defined — {hint}")


def _organisation_references(project: Project, inputs: Inputs) -> Iterator[Diagnostic]:
    orgs = project.organisations.keys()
    where: list[tuple[KeyPath, str]] = []
    for programme_id, programme in project.programmes.items():
        base: KeyPath = ("programmes", programme_id)
        where += [((*base, "councils", i), c) for i, c in enumerate(programme.councils)]
        where += list(_fact_organisations(programme.facts, (*base, "facts")))
    where += [
        (("meetings", m, "council"), meeting.council) for m, meeting in project.meetings.items()
    ]
    for d, document in project.documents.items():
        where.append((("documents", d, "council"), document.council))
        if isinstance(document, Form):
            if document.recipient is not None:
                where.append((("documents", d, "recipient"), document.recipient))
            where += [
                (("documents", d, "applicants", i, "council"), a.council)
                for i, a in enumerate(document.applicants)
            ]
    for path, value in where:
        yield from _reference(inputs, path, value, orgs, "organisation")


def _fact_organisations(value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """Every organisation id written in a fact (``{org: dclg}``, ``{orgs: [a, b]}``)."""
    if isinstance(value, OrganisationFact):
        yield (*path, "org"), value.org
    elif isinstance(value, OrganisationsFact):
        yield from (((*path, "orgs", i), o) for i, o in enumerate(value.orgs))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _fact_organisations(item, (*path, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _fact_organisations(item, (*path, key))


def _fact_names(project: Project, inputs: Inputs) -> Iterator[Diagnostic]:
    """A programme's facts are named in prose beside names every document has: a fact may
    not take one of those names. A group of one fact named almost like a typed value
    (``{mony: 5}``) is a slip, not a group."""
    for programme_id, programme in project.programmes.items():
        base: KeyPath = ("programmes", programme_id, "facts")
        for name in programme.facts:
            if name in RESERVED:
                yield inputs.diagnostic(
                    (*base, name),
                    f"a fact cannot be called '{name}': prose uses that name for "
                    f"{RESERVED[name]}; choose another",
                    of_key=True,
                )
        yield from _typed_value_slips(inputs, programme.facts, base)


def _typed_value_slips(inputs: Inputs, value: Any, path: KeyPath) -> Iterator[Diagnostic]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _typed_value_slips(inputs, item, (*path, i))
    elif isinstance(value, dict):
        if len(value) == 1 and path[-1] != "facts":
            (key,) = value
            close = difflib.get_close_matches(str(key), sorted(TYPED_VALUES), n=1, cutoff=0.75)
            if close:
                yield inputs.diagnostic(
                    (*path, key),
                    f"'{key}' reads as a group of one fact — did you mean {{{close[0]}: …}}? "
                    "(rename the fact if a group is meant)",
                    of_key=True,
                )
        for key, item in value.items():
            yield from _typed_value_slips(inputs, item, (*path, key))


def _meeting_rules(project: Project, inputs: Inputs) -> Iterator[Diagnostic]:
    """Items name documents that exist, each document in one place on one agenda, and no
    two meetings publish into the same folder."""
    placed: dict[str, KeyPath] = {}
    folders: dict[str, str] = {}
    for meeting_id, meeting in project.meetings.items():
        yield from _body_references(project, inputs, meeting_id)
        folder = meeting_folder(meeting)
        if meeting.items and folder in folders:
            # Their folders, packs, covers and file names would be the same: one build would
            # overwrite the other's papers.
            other = folders[folder]
            yield inputs.diagnostic(
                ("meetings", meeting_id, "date"),
                f"meetings '{other}' and '{meeting_id}' would both publish into {folder}/ "
                "(same body, same date): give one another date, or another body",
            )
        elif meeting.items:
            folders[folder] = meeting_id
        numbers = item_numbers(meeting)
        for i, item in enumerate(meeting.items):
            path: KeyPath = ("meetings", meeting_id, "items", i)
            opening = meeting.opening_items()
            if not i and opening and numbers[0] <= len(opening):
                yield inputs.diagnostic(
                    (*path, "number"),
                    f"item {numbers[0]} has the number of the body's opening item "
                    f"'{opening[numbers[0] - 1].title}': the meeting's own items are numbered "
                    f"after its {len(opening)} opening items (from {len(opening) + 1})",
                )
            if i and numbers[i] <= numbers[i - 1]:
                yield inputs.diagnostic(
                    (*path, "number") if item.number is not None else path,
                    f"item {numbers[i]} comes after item {numbers[i - 1]}: agenda items are "
                    "numbered in the order they are listed",
                )
            named = [((*path, "document"), item.document)]
            named += [((*path, "appendices", j), a) for j, a in enumerate(item.appendices)]
            for where, document in named:
                if document not in project.documents:
                    yield from _reference(inputs, where, document, project.documents, "document")
                elif document in placed:
                    first = inputs.position(placed[document])
                    yield inputs.diagnostic(
                        where,
                        f"document '{document}' is already in a pack "
                        f"({first.file} line {first.line})",
                    )
                else:
                    placed[document] = where


def _body_references(project: Project, inputs: Inputs, meeting_id: str) -> Iterator[Diagnostic]:
    """A meeting's body exists, and the proper officer who summons it is a signatory of the
    meeting's council."""
    meeting = project.meetings[meeting_id]
    path: KeyPath = ("meetings", meeting_id, "body")
    if meeting.body not in project.bodies:
        yield from _reference(inputs, path, meeting.body, project.bodies, "body")
        return
    officer = project.bodies[meeting.body].proper_officer
    council = project.organisations.get(meeting.council)
    if officer is not None and council is not None and officer not in council.signatories:
        yield inputs.diagnostic(
            ("bodies", meeting.body, "proper_officer"),
            f"proper officer '{officer}' is not a signatory of {council.name}, whose meeting "
            f"'{meeting_id}' is — {did_you_mean(officer, council.signatories)}",
        )


def _report_rules(project: Project, inputs: Inputs, report_id: str) -> Iterator[Diagnostic]:
    report = project.documents[report_id]
    assert isinstance(report, Report)
    base: KeyPath = ("documents", report_id)
    yield from _reference(inputs, (*base, "meeting"), report.meeting, project.meetings, "meeting")
    council = project.organisations.get(report.council)
    if council is not None:
        yield from _reference(
            inputs,
            (*base, "signatory"),
            report.signatory,
            council.signatories,
            f"signatory of {council.name}",
        )
    for i, section in enumerate(report.sections):
        needs = {
            "option-summaries": "options",
            "option-analyses": "options",
            "impact-assessment": "impact_assessment",
        }.get(section.generate or "", section.generate)
        if needs and not getattr(report, needs):
            yield inputs.diagnostic(
                (*base, "sections", i, "generate"),
                f"this section is generated from '{needs}', but the report has none",
            )
    seen: dict[str, KeyPath] = {}
    labelled: list[tuple[KeyPath, str | None]] = [
        ((*base, "sections", i, "paragraphs", j, "id"), p.id)
        for i, s in enumerate(report.sections)
        for j, p in enumerate(s.paragraphs)
    ]
    labelled += [((*base, "options", i, "id"), o.id) for i, o in enumerate(report.options)]
    labelled += [
        ((*base, "recommendations", i, "id"), r.id) for i, r in enumerate(report.recommendations)
    ]
    for path, label in labelled:
        if label is None:
            continue
        if label in seen:
            first = inputs.position(seen[label])
            yield inputs.diagnostic(path, f"id '{label}' is already used at line {first.line}")
        else:
            seen[label] = path
    yield from _typed_numbers(inputs, base, report)


def _typed_numbers(inputs: Inputs, base: KeyPath, report: Report) -> Iterator[Diagnostic]:
    prose: list[tuple[KeyPath, str]] = []
    for i, section in enumerate(report.sections):
        for j, paragraph in enumerate(section.paragraphs):
            prose.append(((*base, "sections", i, "paragraphs", j, "text"), paragraph.text))
    for i, option in enumerate(report.options):
        prose.append(((*base, "options", i, "summary"), option.summary))
        prose.append(((*base, "options", i, "analysis"), option.analysis))
    for i, recommendation in enumerate(report.recommendations):
        prose.append(((*base, "recommendations", i, "text"), recommendation.text))
    for path, text in prose:
        typed = _TYPED_NUMBER.match(text)
        if typed:
            yield inputs.diagnostic(
                path,
                f"remove the typed number '{typed.group(0).strip()}': paragraph numbers "
                "are computed from the order of paragraphs",
            )
        for reference in _TYPED_REFERENCE.finditer(text):
            yield inputs.diagnostic(
                path,
                f"'{reference.group(0)}' is typed and goes stale when paragraphs move; give "
                "that paragraph an id and write {{ ref('its-id') }}",
                severity="warning",
            )


def publication_deadlines(
    project: Project, inputs: Inputs, *, today: dt.date, final: bool
) -> list[Diagnostic]:
    """Each dated meeting's papers published at least five clear days before it: a
    ``published:`` date too late, or no ``published:`` date once the deadline has passed
    (``today``) before the meeting, is a warning, or an error when ``final``."""
    found = []
    severity: Severity = "error" if final else "warning"
    for meeting_id, meeting in project.meetings.items():
        if not isinstance(meeting.date, dt.date):
            continue
        council = project.organisations.get(meeting.council)
        orders = (council.standing_orders if council else None) or StandingOrders()
        due = latest_day(meeting.date, STATUTORY_CLEAR_DAYS, orders)
        due_text = written_date(due)
        path: KeyPath = ("meetings", meeting_id, "published")
        if meeting.published is not None and meeting.published >= meeting.date:
            found.append(inputs.diagnostic(path, "published on or after the day of the meeting"))
        elif meeting.published is not None and meeting.published > due:
            clear = clear_days_between(meeting.published, meeting.date, orders)
            found.append(
                inputs.diagnostic(
                    path,
                    f"published {clear} clear days before the meeting; the law needs "
                    f"{STATUTORY_CLEAR_DAYS}, so by {due_text}",
                    severity=severity,
                )
            )
        elif meeting.published is None and due < today <= meeting.date:
            found.append(
                inputs.diagnostic(
                    ("meetings", meeting_id, "date"),
                    f"the agenda and reports had to be published by {due_text} "
                    f"({STATUTORY_CLEAR_DAYS} clear days before the meeting), and no "
                    f"'published:' date says they were (today is {written_date(today)})",
                    severity=severity,
                )
            )
    return sorted(found)


def summons_problems(
    project: Project, inputs: Inputs, *, final: bool, only: str | None = None
) -> list[Diagnostic]:
    """A final pack's summons gives the meeting's time and the date its papers are
    published; a draft's reads "to be confirmed" where either is not set yet. With ``only``,
    a final build is of that meeting's papers alone."""
    if not final:
        return []
    found = []
    for meeting_id, meeting in project.meetings.items():
        if not meeting.items or only not in (None, meeting_id):
            continue
        for key, what in (("time", "the meeting's time"), ("published", "the date of publication")):
            if getattr(meeting, key) is None:
                found.append(
                    inputs.diagnostic(
                        ("meetings", meeting_id),
                        f"'{key}:' is not set: the summons gives {what}, and a final build "
                        "needs it",
                    )
                )
    return found


def unknown_facts(
    inputs: Inputs, *, final: bool, needed: set[str] | None = None, only: str | None = None
) -> list[Diagnostic]:
    """A diagnostic for each fact written ``{unknown: why}``: a warning in a draft build,
    an error in a final one. ``needed`` limits the errors to the facts with those reasons
    (those a final build of meeting ``only`` uses); the others stay warnings."""
    found = []
    for path, reason in _walk_unknowns(inputs.data, ()):
        if final and (needed is None or reason in needed):
            build = f"a final build of '{only}'" if only else "a final build"
            found.append(inputs.diagnostic(path, f"not yet known ({reason}): {build} needs it"))
        else:
            found.append(
                inputs.diagnostic(
                    path,
                    f"not yet known ({reason}): shown as 'to be confirmed', document marked DRAFT",
                    severity="warning",
                )
            )
    return found


def _walk_unknowns(node: object, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    if isinstance(node, dict):
        if is_unknown(node):
            yield path, str(node["unknown"])
            return
        for key, value in node.items():
            yield from _walk_unknowns(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk_unknowns(value, (*path, i))
