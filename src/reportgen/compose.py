"""The model → what a template sees: numbered sections and paragraphs with their prose
rendered, and the facts that prose may refer to.

Numbering happens before prose is rendered, so prose can say ``{{ ref('savings-estimate') }}``
and get ``2.12``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .diagnostics import Diagnostic, ReportgenError
from .load import Inputs, KeyPath
from .model import (
    BulletsFrom,
    Meeting,
    Organisation,
    Paragraph,
    Project,
    Report,
    ServiceArea,
    Signatory,
)
from .numbering import LabelError, Labels, number_outline, section_number
from .text import ProseError, evaluate, interpolate


@dataclass
class ParagraphView:
    """A numbered paragraph as the template renders it; prose already interpolated.

    ``option`` is the option's number for paragraphs generated from the list of options
    (the template writes the "Option 1" heading).
    """

    number: str
    text: str = ""
    option: int | None = None
    bullets: list[str] = field(default_factory=list)
    table: list[ServiceArea] = field(default_factory=list)


@dataclass
class SectionView:
    number: str
    title: str
    paragraphs: list[ParagraphView]


@dataclass(frozen=True)
class _Entry:
    """One paragraph of a section before numbering: its prose and where it was written."""

    path: KeyPath
    prose: str
    option: int | None = None
    label: str | None = None
    source: Paragraph | None = None


def context_types() -> dict[str, Any]:
    """The type of each name :func:`compose_report` gives a template, for the linter."""
    return {
        "report": Report,
        "council": Organisation,
        "meeting": Meeting,
        "signatory": Signatory,
        "sections": list[SectionView],
        "background_papers": list[str],
    }


def facts(project: Project, report: Report, labels: Labels) -> dict[str, Any]:
    """The names prose in YAML may use inside ``{{ }}``, resolved from ids to objects."""
    orgs = project.organisations
    programme = project.programme
    partner = orgs[programme.partner_council]
    return {
        "org": orgs,
        "council": orgs[report.council],
        "partner": partner,
        "partners": [orgs[p] for p in programme.partners],
        "shared_services": [
            {"service": s.service, "partners": [orgs[p] for p in s.partners]}
            for s in programme.shared_services
        ],
        "savings": programme.savings_estimate,
        "services_in_scope": programme.services_in_scope,
        "fund": programme.fund,
        "tranche": programme.fund.tranches,
        "design": programme.design_programme,
        "meeting": project.meetings[report.meeting],
        "report": report,
        "ref": labels.ref,
    }


def compose_report(project: Project, inputs: Inputs, report_id: str) -> dict[str, Any]:
    """Everything ``templates/cabinet-report.docx`` refers to, for the report ``report_id``."""
    report = project.reports[report_id]
    base: KeyPath = ("reports", report_id)
    labels = Labels()
    outline = [_entries(report, i) for i in range(len(report.sections))]
    numbers = number_outline([len(entries) for entries in outline])
    pending: list[tuple[ParagraphView, _Entry]] = []
    sections: list[SectionView] = []
    problems: list[Diagnostic] = []
    for i, (section, entries) in enumerate(zip(report.sections, outline, strict=True)):
        views = []
        for number, entry in zip(numbers[i], entries, strict=True):
            view = ParagraphView(number=number, option=entry.option)
            views.append(view)
            pending.append((view, entry))
            if entry.label:
                try:
                    labels.define(entry.label, number)
                except LabelError as exc:
                    problems.append(inputs.diagnostic((*base, *entry.path[:-1], "id"), str(exc)))
        sections.append(SectionView(section_number(i), section.title, views))

    prose = _Prose(facts(project, report, labels), inputs)
    for view, entry in pending:
        _render_paragraph(view, entry, (*base, *entry.path), prose, project)
    problems += prose.problems
    if problems:
        raise ReportgenError(problems)

    council = project.organisations[report.council]
    return {
        "report": report,
        "council": council,
        "meeting": project.meetings[report.meeting],
        "signatory": council.signatories[report.signatory],
        "sections": sections,
        "background_papers": report.background_papers,
    }


def _entries(report: Report, index: int) -> list[_Entry]:
    """The paragraphs of section ``index``: its own, or those generated from a list."""
    section = report.sections[index]
    if section.generate in ("option-summaries", "option-analyses"):
        field_name = "summary" if section.generate == "option-summaries" else "analysis"
        return [
            _Entry(("options", i, field_name), getattr(option, field_name), option=i + 1)
            for i, option in enumerate(report.options)
        ]
    if section.generate == "recommendations":
        return [
            _Entry(("recommendations", i, "text"), r.text, label=r.id)
            for i, r in enumerate(report.recommendations)
        ]
    return [
        _Entry(("sections", index, "paragraphs", j, "text"), p.text, label=p.id, source=p)
        for j, p in enumerate(section.paragraphs)
    ]


class _Prose:
    """Renders prose strings from YAML, collecting a located diagnostic for each failure."""

    def __init__(self, known: dict[str, Any], inputs: Inputs):
        self.known = known
        self.inputs = inputs
        self.problems: list[Diagnostic] = []

    def render(self, text: str, path: KeyPath, **extra: Any) -> str:
        try:
            return interpolate(text, {**self.known, **extra})
        except ProseError as exc:
            self.problems.append(self.inputs.diagnostic(path, str(exc)))
            return ""

    def each(self, spec: BulletsFrom, path: KeyPath) -> list[str]:
        """One rendered ``spec.text`` per item of the list that ``spec.for_each`` names."""
        try:
            items = evaluate(spec.for_each, self.known)
        except ProseError as exc:
            self.problems.append(self.inputs.diagnostic((*path, "for_each"), str(exc)))
            return []
        if not isinstance(items, list | tuple):
            message = f"'{spec.for_each}' is not a list (it is {type(items).__name__})"
            self.problems.append(self.inputs.diagnostic((*path, "for_each"), message))
            return []
        return [self.render(spec.text, (*path, "text"), item=item) for item in items]


def _render_paragraph(
    view: ParagraphView, entry: _Entry, path: KeyPath, prose: _Prose, project: Project
) -> None:
    view.text = prose.render(entry.prose, path)
    paragraph = entry.source
    if paragraph is None:
        return
    bullets_path = (*path[:-1], "bullets")
    if isinstance(paragraph.bullets, BulletsFrom):
        view.bullets = prose.each(paragraph.bullets, bullets_path)
    else:
        view.bullets = [
            prose.render(b, (*bullets_path, k)) for k, b in enumerate(paragraph.bullets)
        ]
    if paragraph.table == "services_in_scope":
        view.table = list(project.programme.services_in_scope.areas)
