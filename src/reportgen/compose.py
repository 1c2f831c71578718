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
from .model import BulletsFrom, Paragraph, Project, Report, ServiceArea
from .numbering import LabelError, Labels, number_outline, section_number
from .text import ProseError, evaluate, interpolate


@dataclass
class ParagraphView:
    """A numbered paragraph as the template renders it; prose already interpolated."""

    number: str
    text: str
    heading: str = ""
    bullets: list[str] = field(default_factory=list)
    table: list[ServiceArea] = field(default_factory=list)


@dataclass
class SectionView:
    number: str
    title: str
    paragraphs: list[ParagraphView]


@dataclass
class _Pending:
    """A paragraph numbered but not yet rendered, with where its prose was written."""

    view: ParagraphView
    path: KeyPath
    source: Paragraph | None = None
    heading_path: KeyPath | None = None


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
    outline = [_section_items(report, i) for i in range(len(report.sections))]
    numbers = number_outline([len(items) for items in outline])
    pending: list[_Pending] = []
    sections: list[SectionView] = []
    problems: list[Diagnostic] = []
    for i, (section, items) in enumerate(zip(report.sections, outline, strict=True)):
        views = []
        for number, (path, source, heading, label) in zip(numbers[i], items, strict=True):
            view = ParagraphView(number=number, text="", heading=heading)
            views.append(view)
            pending.append(_Pending(view, (*base, *path), source))
            if label:
                try:
                    labels.define(label, number)
                except LabelError as exc:
                    problems.append(inputs.diagnostic((*base, *path[:-1], "id"), str(exc)))
        sections.append(SectionView(section_number(i), section.title, views))

    prose = _Prose(facts(project, report, labels), inputs)
    for item in pending:
        _render_paragraph(item, prose, project, report)
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


def _section_items(
    report: Report, index: int
) -> list[tuple[KeyPath, Paragraph | None, str, str | None]]:
    """``(path of prose, paragraph or None, heading, label)`` for each paragraph of a section."""
    section = report.sections[index]
    if section.generate == "option-summaries":
        return [
            (("options", i, "summary"), None, f"Option {i + 1}", None)
            for i in range(len(report.options))
        ]
    if section.generate == "option-analyses":
        return [
            (("options", i, "analysis"), None, f"Option {i + 1}", None)
            for i in range(len(report.options))
        ]
    if section.generate == "recommendations":
        return [
            (("recommendations", i, "text"), None, "", r.id)
            for i, r in enumerate(report.recommendations)
        ]
    return [
        (("sections", index, "paragraphs", j, "text"), p, "", p.id)
        for j, p in enumerate(section.paragraphs)
    ]


def _lookup(report: Report, path: KeyPath) -> Any:
    node: Any = report
    for part in path:
        node = node[part] if isinstance(part, int) else getattr(node, part)
    return node


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
            items = list(evaluate(spec.for_each, self.known))
        except ProseError as exc:
            self.problems.append(self.inputs.diagnostic((*path, "for_each"), str(exc)))
            return []
        return [self.render(spec.text, (*path, "text"), item=item) for item in items]


def _render_paragraph(item: _Pending, prose: _Prose, project: Project, report: Report) -> None:
    item.view.text = prose.render(_lookup(report, item.path[2:]), item.path)
    paragraph = item.source
    if paragraph is None:
        return
    bullets_path = (*item.path[:-1], "bullets")
    if isinstance(paragraph.bullets, BulletsFrom):
        item.view.bullets = prose.each(paragraph.bullets, bullets_path)
    else:
        item.view.bullets = [
            prose.render(b, (*bullets_path, k)) for k, b in enumerate(paragraph.bullets)
        ]
    if paragraph.table == "services_in_scope":
        item.view.table = list(project.programme.services_in_scope.areas)
