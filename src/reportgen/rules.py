"""Checks that span fields and files: references between inputs and rules of the domain."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from .diagnostics import Diagnostic, did_you_mean
from .load import Inputs, KeyPath
from .model import Form, Project, Report
from .text import money

# A paragraph number typed at the start of prose ("2.13 The following ...") would be printed
# beside the computed one; one typed in the middle ("see paragraph 2.14") goes stale.
_TYPED_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)+\s")
_TYPED_REFERENCE = re.compile(r"\bparagraphs?\s+(\d+\.\d+)", re.IGNORECASE)


def project_problems(project: Project, inputs: Inputs) -> list[Diagnostic]:
    """Every cross-reference and domain problem in ``project`` (errors and warnings)."""
    return sorted(_problems(project, inputs))


def _problems(project: Project, inputs: Inputs) -> Iterator[Diagnostic]:
    yield from _organisation_references(project, inputs)
    yield from _programme_rules(project, inputs)
    yield from _meeting_rules(project, inputs)
    for document_id, document in project.documents.items():
        if isinstance(document, Report):
            yield from _report_rules(project, inputs, document_id)
        elif document.council not in project.programme.councils:
            yield inputs.diagnostic(
                ("documents", document_id, "council"),
                f"'{document.council}' is not one of the programme's councils "
                f"({', '.join(project.programme.councils)})",
            )


def _reference(
    inputs: Inputs, path: KeyPath, value: str, known: Iterable[str], what: str
) -> Iterator[Diagnostic]:
    known = list(known)
    if value not in known:
        hint = did_you_mean(value, known)
        yield inputs.diagnostic(path, f"{what} '{value}' is not defined — {hint}")


def _organisation_references(project: Project, inputs: Inputs) -> Iterator[Diagnostic]:
    orgs = project.organisations.keys()
    programme = project.programme
    where: list[tuple[KeyPath, str]] = [
        (("programme", "fund", "awarded_by"), programme.fund.awarded_by),
        (("programme", "design_programme", "provider"), programme.design_programme.provider),
    ]
    where += [(("programme", "councils", i), c) for i, c in enumerate(programme.councils)]
    where += [(("programme", "partners", i), p) for i, p in enumerate(programme.partners)]
    for i, shared in enumerate(programme.shared_services):
        where += [
            (("programme", "shared_services", i, "partners", j), p)
            for j, p in enumerate(shared.partners)
        ]
    where += [
        (("meetings", m, "council"), meeting.council) for m, meeting in project.meetings.items()
    ]
    for d, document in project.documents.items():
        where.append((("documents", d, "council"), document.council))
        if isinstance(document, Form):
            where.append((("documents", d, "recipient"), document.recipient))
            where += [
                (("documents", d, "applicants", i, "council"), a.council)
                for i, a in enumerate(document.applicants)
            ]
    for path, value in where:
        yield from _reference(inputs, path, value, orgs, "organisation")


def _programme_rules(project: Project, inputs: Inputs) -> Iterator[Diagnostic]:
    programme = project.programme
    savings = programme.savings_estimate
    if savings.low > savings.high:
        yield inputs.diagnostic(
            ("programme", "savings_estimate", "low"),
            f"the low estimate ({_pounds(savings.low)}) is more than the high estimate "
            f"({_pounds(savings.high)})",
        )
    fund = programme.fund
    committed = sum(t.amount for t in fund.tranches.values())
    if committed > fund.total:
        yield inputs.diagnostic(
            ("programme", "fund", "total"),
            f"the tranches add up to {_pounds(committed)}, more than the fund's total of "
            f"{_pounds(fund.total)}",
        )
    for name, tranche in fund.tranches.items():
        path: KeyPath = ("programme", "fund", "tranches", name)
        if tranche.project_cap is not None and tranche.project_cap > tranche.amount:
            yield inputs.diagnostic(
                (*path, "project_cap"),
                f"a project cap of {_pounds(tranche.project_cap)} is more than the "
                f"tranche's {_pounds(tranche.amount)}",
            )
        eoi, full = tranche.eoi_deadline, tranche.full_bid_deadline
        if eoi and full and eoi >= full:
            yield inputs.diagnostic(
                (*path, "full_bid_deadline"),
                f"full bids are due ({full}) before expressions of interest close ({eoi})",
            )


def _pounds(amount: Decimal) -> str:
    return money(amount, "full")


def _meeting_rules(project: Project, inputs: Inputs) -> Iterator[Diagnostic]:
    """Items name documents that exist, each document in one place on one agenda."""
    placed: dict[str, KeyPath] = {}
    for meeting_id, meeting in project.meetings.items():
        for i, item in enumerate(meeting.items):
            path: KeyPath = ("meetings", meeting_id, "items", i)
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
        needs = {"option-summaries": "options", "option-analyses": "options"}.get(
            section.generate or "", section.generate
        )
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


def unknown_facts(inputs: Inputs, *, final: bool) -> list[Diagnostic]:
    """A diagnostic for each fact written ``{unknown: why}``: a warning in a draft build,
    an error in a final one."""
    found = []
    for path, reason in _walk_unknowns(inputs.data, ()):
        if final:
            found.append(
                inputs.diagnostic(path, f"not yet known ({reason}): a final build needs it")
            )
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
        if set(node) == {"unknown"}:
            yield path, str(node["unknown"])
            return
        for key, value in node.items():
            yield from _walk_unknowns(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk_unknowns(value, (*path, i))
