"""The model → what a template sees: numbered sections and paragraphs, or labelled form
fields, with their prose rendered, and the facts that prose may refer to.

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
    Contact,
    Form,
    FormField,
    Meeting,
    Organisation,
    Paragraph,
    Project,
    Report,
    ServiceArea,
    Signatory,
    Unknown,
)
from .numbering import LabelError, Labels, number_outline, section_number
from .text import ProseError, date, evaluate, interpolate
from .view import Function, Record, kind_of, plain, plain_context


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


@dataclass
class FieldView:
    """A labelled answer on a form, prose interpolated; ``unknown`` when not yet known."""

    label: str
    text: str = ""
    unknown: bool = False
    bullets: list[str] = field(default_factory=list)
    table: list[ServiceArea] = field(default_factory=list)


@dataclass
class FormSectionView:
    title: str
    fields: list[FieldView]


@dataclass
class ApplicantView:
    organisation: Organisation
    role: str


@dataclass(frozen=True)
class ContentsEntry:
    """A line of a pack's contents page: agenda item, appendix letter, title, first page."""

    item: int
    appendix: str
    title: str
    page: int


@dataclass(frozen=True)
class _Entry:
    """One paragraph of a section before numbering: its prose and where it was written."""

    path: KeyPath
    prose: str
    option: int | None = None
    label: str | None = None
    source: Paragraph | None = None


def context_types(kind: str) -> dict[str, Any]:
    """The type of each name a template of ``kind`` is given, for the linter."""
    common = {"council": Organisation, "draft": bool, "title": str}
    if kind == "pack":
        return {**common, "meeting": Meeting, "contents": list[ContentsEntry]}
    if kind == "folio":
        return {"pages": int}
    if kind == "cabinet-report":
        return {
            **common,
            "report": Report,
            "meeting": Meeting,
            "signatory": Signatory,
            "sections": list[SectionView],
            "background_papers": list[str],
        }
    return {
        **common,
        "document": Form,
        "recipient": Organisation,
        "applicants": list[ApplicantView],
        "contact": Contact,
        "sections": list[FormSectionView],
    }


def partner_of(project: Project, council: str) -> Organisation:
    """The other council of the joint arrangement, for a document written for ``council``."""
    others = [c for c in project.programme.councils if c != council]
    return project.organisations[others[0]]


def facts(project: Project, council: str, labels: Labels) -> dict[str, Any]:
    """The names prose in YAML may use inside ``{{ }}``, resolved from ids to plain data."""
    shared = _shared_facts(project)
    return {
        **shared,
        "council": shared["org"][council],
        "partner": plain(partner_of(project, council)),
        "ref": Function("ref", labels.ref),
    }


# The project's facts as plain data, made once per project rather than once per document.
_shared: tuple[Project, dict[str, Any]] | None = None


def _shared_facts(project: Project) -> dict[str, Any]:
    global _shared
    if _shared is not None and _shared[0] is project:
        return _shared[1]
    orgs = project.organisations
    programme = project.programme
    org = plain(orgs, kind="the organisations")
    assert isinstance(org, Record)
    found = plain_context(
        {
            "org": org,
            "programme": programme,
            "partners": [org[p] for p in programme.partners],
            "shared_services": [
                Record(
                    {"service": s.service, "partners": [org[p] for p in s.partners]},
                    kind="a shared service",
                )
                for s in programme.shared_services
            ],
            "savings": programme.savings_estimate,
            "services_in_scope": programme.services_in_scope,
            "fund": programme.fund,
            "tranche": plain(programme.fund.tranches, kind="the fund's tranches"),
            "design": programme.design_programme,
        }
    )
    _shared = (project, found)
    return found


def compose(project: Project, inputs: Inputs, document_id: str, *, draft: bool) -> dict[str, Any]:
    """Everything the template of ``document_id`` refers to."""
    document = project.documents[document_id]
    if isinstance(document, Report):
        context = _compose_report(project, inputs, document_id, document)
    else:
        context = _compose_form(project, inputs, document_id, document)
    return plain_context({**context, "draft": draft})


def compose_cover(
    project: Project, meeting_id: str, contents: list[ContentsEntry], *, draft: bool
) -> dict[str, Any]:
    """What the pack's cover and contents template refers to."""
    meeting = project.meetings[meeting_id]
    return plain_context(
        {
            "title": pack_title(meeting),
            "council": project.organisations[meeting.council],
            "meeting": meeting,
            "contents": contents,
            "draft": draft,
        }
    )


def pack_title(meeting: Meeting) -> str:
    """``Cabinet, 10 June 2014: papers`` (the date reads "date to be confirmed" until known)."""
    when = f"date {meeting.date}" if isinstance(meeting.date, Unknown) else date(meeting.date)
    return f"{meeting.body}, {when}: papers"


def _compose_report(
    project: Project, inputs: Inputs, report_id: str, report: Report
) -> dict[str, Any]:
    base: KeyPath = ("documents", report_id)
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

    known = facts(project, report.council, labels)
    prose = _Prose(
        {**known, "meeting": plain(project.meetings[report.meeting]), "report": plain(report)},
        inputs,
    )
    for view, entry in pending:
        path = (*base, *entry.path)
        view.text = prose.render(entry.prose, path)
        if entry.source is not None:
            view.bullets, view.table = _extras(entry.source, path[:-1], prose, project)
    problems += prose.problems
    if problems:
        raise ReportgenError(problems)

    council = project.organisations[report.council]
    return {
        "title": report.title,
        "report": report,
        "council": council,
        "meeting": project.meetings[report.meeting],
        "signatory": council.signatories[report.signatory],
        "sections": sections,
        "background_papers": report.background_papers,
    }


def _compose_form(project: Project, inputs: Inputs, form_id: str, form: Form) -> dict[str, Any]:
    base: KeyPath = ("documents", form_id)
    orgs = project.organisations
    prose = _Prose({**facts(project, form.council, Labels()), "document": plain(form)}, inputs)
    sections = []
    for i, section in enumerate(form.sections):
        views = []
        for j, answer in enumerate(section.fields):
            path: KeyPath = (*base, "sections", i, "fields", j)
            view = FieldView(label=answer.label)
            if isinstance(answer.text, Unknown):
                view.text, view.unknown = str(answer.text), True
            elif answer.text is not None:
                view.text = prose.render(answer.text, (*path, "text"))
            view.bullets, view.table = _extras(answer, path, prose, project)
            views.append(view)
        sections.append(FormSectionView(section.title, views))
    title = prose.render(form.title, (*base, "title"))
    if prose.problems:
        raise ReportgenError(prose.problems)
    return {
        "title": title,
        "document": form,
        "council": orgs[form.council],
        "recipient": orgs[form.recipient],
        "applicants": [ApplicantView(orgs[a.council], a.role) for a in form.applicants],
        "contact": form.contact,
        "sections": sections,
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
            what = kind_of(items) if isinstance(items, Record) else type(items).__name__
            message = f"'{spec.for_each}' is not a list (it is {what})"
            self.problems.append(self.inputs.diagnostic((*path, "for_each"), message))
            return []
        return [self.render(spec.text, (*path, "text"), item=item) for item in items]


def _extras(
    source: Paragraph | FormField, path: KeyPath, prose: _Prose, project: Project
) -> tuple[list[str], list[ServiceArea]]:
    """The bullets and table that a paragraph or form field adds to its text."""
    bullets_path = (*path, "bullets")
    if isinstance(source.bullets, BulletsFrom):
        bullets = prose.each(source.bullets, bullets_path)
    else:
        bullets = [prose.render(b, (*bullets_path, k)) for k, b in enumerate(source.bullets)]
    table = (
        list(project.programme.services_in_scope.areas)
        if source.table == "services_in_scope"
        else []
    )
    return bullets, table
