"""The model → what a template sees: numbered sections and paragraphs, or labelled form
fields, with their prose rendered, and the facts that prose may refer to.

Numbering happens before prose is rendered, so prose can say ``{{ ref('savings-estimate') }}``
and get ``2.12``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .decisions import PlannedDecision, forward_plan
from .diagnostics import Diagnostic, ReportgenError
from .facts import organisations, programme_view
from .load import Inputs, KeyPath
from .minutes import Minute, minutes
from .model import (
    EFFECTS,
    IMPLICATIONS,
    PROTECTED_CHARACTERISTICS,
    Body,
    BulletsFrom,
    Contact,
    Exempt,
    Form,
    FormField,
    ImpactAssessment,
    Meeting,
    Organisation,
    Paragraph,
    Project,
    Report,
    Resources,
    Signatory,
    Statements,
    Strict,
    Table,
    TableRows,
    Unknown,
)
from .numbering import LabelError, Labels, number_outline, section_number
from .text import (
    ProseError,
    date,
    evaluate,
    financial_year,
    interpolate,
    money,
    money_written,
)
from .view import (
    Function,
    Record,
    holds_unknown,
    kind_of,
    plain,
    plain_context,
    unknown_reasons,
    unknowns_read,
)


@dataclass
class CellView:
    """A table cell: its lines of text; ``listed`` when it was written as a list (a template
    may show those as bullets)."""

    lines: list[str]
    listed: bool = False


@dataclass
class TableView:
    """A table as templates render it: column labels, and rows of cells."""

    columns: list[str]
    rows: list[list[CellView]]


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
    list_style: str = "bullets"
    table: TableView | None = None
    # Every sum of money the text writes, exactly (the text rounds millions).
    amounts: list[Decimal] = field(default_factory=list)


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
    list_style: str = "bullets"
    table: TableView | None = None


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
    """A line of a pack's contents page: agenda item, appendix letter, title, first page;
    ``by`` says whose report it is (its signatory and author), for a report."""

    item: int
    appendix: str
    title: str
    page: int
    by: str = ""


@dataclass(frozen=True)
class AgendaEntry:
    """A line of the agenda: an opening item (``text`` says what it is for; no page) or a
    document on it, with the page of the pack where it starts; on a web page, ``href`` is
    the address of the document's HTML edition."""

    number: str
    title: str
    text: str = ""
    by: str = ""
    page: str = ""
    href: str = ""


@dataclass(frozen=True)
class Attachment:
    """One file of a document, as a web page lists it and GOV.UK lists attachments: its
    address, its format's name and what it is ("PDF, 104 KB, 5 pages")."""

    href: str
    format: str
    about: str


@dataclass(frozen=True)
class Listing:
    """A document on a web page (a meeting's page, build/index.html): where it stands on the
    agenda (``item``), its title and kind, its HTML edition to read (if it has one) and each
    of its files."""

    item: str
    title: str
    kind: str
    html: str | None
    files: list[Attachment]


class BodyName(Strict):
    """A meeting's body as a report sees it: its name. Only the pack's front is given the
    body's members, so a report is not a draft because they are not known."""

    name: str

    def __str__(self) -> str:
        return self.name


class MeetingView(Meeting):
    """A meeting as templates see it: ``{{ meeting.body }}`` reads as the body's name."""

    body: BodyName  # type: ignore[assignment]


def meeting_view(project: Project, meeting_id: str) -> MeetingView:
    """``meeting_id``'s meeting with its body's name in place of the body's id."""
    meeting = project.meetings[meeting_id]
    body = project.body_of(meeting)
    fields = {name: getattr(meeting, name) for name in Meeting.model_fields}
    # The meeting's contact is the pack's front's to show (as ``contact``); a report given
    # it would be a draft while it is not known.
    fields.update(body=BodyName(name=body.name), contact=None)
    view = MeetingView.model_construct(**fields)
    view._body = body
    return view


def agenda(project: Project, meeting_id: str, contents: list[ContentsEntry]) -> list[AgendaEntry]:
    """The agenda: the body's opening items, numbered from 1, then each document on it with
    its item number, whose it is and its first page; an appendix follows its item, without a
    number of its own ("Appendix A: …")."""
    meeting = project.meetings[meeting_id]
    entries = [
        AgendaEntry(str(i), item.title, item.text or "")
        for i, item in enumerate(meeting.opening_items(), start=1)
    ]
    for entry in contents:
        number, title = str(entry.item), entry.title
        if entry.appendix:
            number, title = "", f"Appendix {entry.appendix}: {entry.title}"
        entries.append(AgendaEntry(number, title, by=entry.by, page=str(entry.page)))
    return entries


def report_by(project: Project, document_id: str) -> str:
    """Whose a report is, as an agenda says it: "Report of the Chief Executive (author:
    Rachel Johnson)"; nothing for a form."""
    document = project.documents[document_id]
    if not isinstance(document, Report):
        return ""
    signatory = project.organisations[document.council].signatories[document.signatory]
    return f"Report of the {signatory.role} (author: {document.author})"


def spoken_time(value: str) -> str:
    """``18:30`` as a summons gives it: "6.30pm" ("10.00am", "12 noon")."""
    hours, minutes = (int(part) for part in value.split(":"))
    if (hours, minutes) == (12, 0):
        return "12 noon"
    return f"{(hours - 1) % 12 + 1}.{minutes:02d}{'am' if hours < 12 else 'pm'}"


@dataclass(frozen=True)
class _Entry:
    """One paragraph of a section before numbering: its prose and where it was written."""

    path: KeyPath
    prose: str
    option: int | None = None
    label: str | None = None
    source: Paragraph | None = None
    # A table generated from the report's data: "equality" or "resources".
    table: str | None = None


def shape_of(document: Report | Form) -> str:
    """``report`` or ``form``: the shape of a document, which decides what its template is
    given."""
    return "report" if isinstance(document, Report) else "form"


def context_types(kind: str) -> dict[str, Any]:
    """The type of each name a template of ``kind`` (a shape — ``report``, ``form`` — or
    ``pack``, ``folio``, ``forward-plan``, ``decision-record``, ``exempt-notice``,
    ``private-mark``, or a web page: ``pack-page``, ``meeting-index``, ``site-index``) is
    given, for the linter."""
    common = {"council": Organisation, "draft": bool, "title": str}
    if kind == "meeting-index":
        return {
            **context_types("pack"),
            "documents": list[Listing],
            "timetable": list[Any],
            "calendar": str | None,
            "decisions": list[Any],
        }
    if kind == "pack-page":
        return {**context_types("pack"), "papers": Attachment | None, "meeting_page": str}
    if kind == "site-index":
        return {
            "title": str,
            "councils": list[str],
            "meetings": list[Any],
            "forward_plans": list[Listing],
        }
    if kind == "forward-plan":
        return {**common, "decisions": list[PlannedDecision]}
    if kind == "exempt-notice":
        return {**common, "exempt": Exempt}
    if kind == "private-mark":
        return {}
    if kind == "decision-record":
        return {**common, "meeting": MeetingView, "minutes": list[Minute]}
    if kind == "pack":
        return {
            **common,
            "meeting": MeetingView,
            "body": Body,
            "time": str,
            "published": dt.date,
            "proper_officer": Signatory | None,
            "contact": Contact | None,
            "statements": Statements,
            "agenda": list[AgendaEntry],
            "contents": list[ContentsEntry],
        }
    if kind == "folio":
        return {"pages": int}
    if kind == "report":
        return {
            **common,
            "report": Report,
            "meeting": MeetingView,
            "agenda_item": int | None,
            "signatory": Signatory,
            "sections": list[SectionView],
            "background_papers": list[str],
        }
    return {
        **common,
        "document": Form,
        "recipient": Organisation | None,
        "applicants": list[ApplicantView],
        "contact": Contact | None,
        "sections": list[FormSectionView],
    }


def prose_names(
    project: Project, document: Report | Form, labels: Labels
) -> tuple[dict[str, Any], dict[str, str]]:
    """The names prose in a document may use inside ``{{ }}``, as plain data; and the names
    it may not use there, each with the reason (``partner`` where there is no one partner).
    """
    org = organisations(project)
    names: dict[str, Any] = {
        "org": org,
        "council": org[document.council],
        "ref": Function("ref", labels.ref),
    }
    absent: dict[str, str] = {}
    if document.programme is None:
        absent["partner"] = (
            "'partner' is the other council of the document's programme, and this document "
            "names no programme (add 'programme:')"
        )
        return names, absent
    programme = project.programmes[document.programme]
    names.update(programme_view(project, document.programme))
    councils = programme.councils
    if document.council in councils and len(councils) == 2:
        (other,) = [c for c in councils if c != document.council]
        names["partner"] = org[other]
    elif document.council not in councils:
        absent["partner"] = (
            f"'partner' is the other council of a programme's two councils, and "
            f"'{document.council}' is not one of programme '{document.programme}''s councils"
            f" ({', '.join(councils) or 'none'}); write {{{{ org.<id> }}}} for the council "
            "meant"
        )
    else:
        absent["partner"] = (
            f"'partner' is the other council of a programme's two councils, and programme "
            f"'{document.programme}' has {len(councils)} ({', '.join(councils)}); write "
            "{{ org.<id> }} for the council meant"
        )
    return names, absent


def compose(
    project: Project,
    inputs: Inputs,
    document_id: str,
    *,
    draft: bool,
    public: bool = True,
    unknowns: set[str] | None = None,
) -> dict[str, Any]:
    """Everything the template of ``document_id`` refers to; ``draft`` (some fact is not
    yet known) holds for it only if it uses such a fact. A report's ``public`` edition
    withholds its exempt paragraphs: the template, and prose, are given a report in which
    those paragraphs say only that they are withheld and why, so nothing else can reach
    their words. ``unknowns``, if given, gains the reason of each fact not yet known that
    the document uses."""
    document = project.documents[document_id]
    with unknowns_read() as read:
        if isinstance(document, Report):
            report = public_edition(document) if public else document
            context = plain_context(_compose_report(project, inputs, document_id, report))
        else:
            form = public_form(document) if public else document
            context = plain_context(_compose_form(project, inputs, document_id, form))
    # A draft is a document that writes a fact not yet known, in its prose or anywhere its
    # template is given one; another document's unknowns do not make it one.
    used = {*read, *unknown_reasons(context)}
    if unknowns is not None:
        unknowns |= used
    return {**context, "draft": draft and bool(used)}


def compose_notice(
    project: Project, document_id: str, title: str, *, draft: bool
) -> dict[str, Any]:
    """What the page the public sees in place of an exempt document refers to: its title,
    council and the paragraph of Schedule 12A that exempts it."""
    document = project.documents[document_id]
    return plain_context(
        {
            "title": title,
            "council": project.organisations[document.council],
            "exempt": document.exempt,
            "draft": draft,
        }
    )


def withheld(exempt: Exempt) -> str:
    """What the public edition says in place of an exempt paragraph or answer."""
    return (
        f"Withheld: exempt information under paragraph {exempt.paragraph} of Part 1 "
        "of Schedule 12A to the Local Government Act 1972."
    )


def has_exempt_parts(document: Report | Form) -> bool:
    """Whether the document is exempt, or has exempt paragraphs: it then has a private
    edition, published apart from the public one."""
    if document.exempt is not None:
        return True
    if isinstance(document, Report):
        return any(p.exempt for section in document.sections for p in section.paragraphs)
    return any(f.exempt for section in document.sections for f in section.fields)


def public_form(form: Form) -> Form:
    """``form`` with each exempt answer's words, bullets and table replaced by the note that
    it is withheld."""
    return form.model_copy(
        update={
            "sections": _withheld(
                form.sections,
                "fields",
                lambda f: FormField(label=f.label, text=withheld(f.exempt), exempt=f.exempt),
            )
        }
    )


def public_edition(report: Report) -> Report:
    """``report`` with each exempt paragraph's words, bullets and table replaced by the note
    that it is withheld (its id kept, so references to it still number)."""
    return report.model_copy(
        update={
            "sections": _withheld(
                report.sections,
                "paragraphs",
                lambda p: Paragraph(id=p.id, text=withheld(p.exempt), exempt=p.exempt),
            )
        }
    )


def _withheld(sections: list[Any], parts: str, replace: Callable[[Any], Any]) -> list[Any]:
    """Copies of ``sections`` with each exempt one of their ``parts`` replaced."""
    return [
        section.model_copy(
            update={
                parts: [
                    replace(part) if part.exempt is not None else part
                    for part in getattr(section, parts)
                ]
            }
        )
        for section in sections
    ]


def compose_cover(
    project: Project,
    meeting_id: str,
    contents: list[ContentsEntry],
    *,
    draft: bool,
    private: bool = False,
) -> dict[str, Any]:
    """What the pack's front — the summons and the agenda — refers to (the private pack's
    title says it is not for publication). The front is a draft when any document in the
    pack is, or when it gives something not yet known itself: the body's members, the
    meeting's date, time or venue, its contact, the date of publication."""
    meeting = project.meetings[meeting_id]
    council = project.organisations[meeting.council]
    body = project.body_of(meeting)
    officer = council.signatories.get(body.proper_officer) if body.proper_officer else None
    time: str | Unknown = Unknown(unknown="the meeting's time is not set ('time:')")
    if isinstance(meeting.time, str):
        time = spoken_time(meeting.time)
    elif isinstance(meeting.time, Unknown):
        time = meeting.time
    published = meeting.published or Unknown(
        unknown="the date the papers are published is not set ('published:')"
    )
    context = plain_context(
        {
            "title": pack_title(meeting, private=private),
            "council": council,
            "meeting": meeting_view(project, meeting_id),
            "body": body,
            "time": time,
            "published": published,
            "proper_officer": officer,
            "contact": meeting.contact_officer(),
            "statements": council.statements or Statements(),
            "agenda": agenda(project, meeting_id, contents),
            "contents": contents,
        }
    )
    return {**context, "draft": draft or holds_unknown(context)}


def compose_forward_plan(project: Project, council_id: str, *, draft: bool) -> dict[str, Any]:
    """What a council's forward plan template refers to: its key decisions, soonest first."""
    return plain_context(
        {
            "title": FORWARD_PLAN_TITLE,
            "council": project.organisations[council_id],
            "decisions": forward_plan(project, council_id),
            "draft": draft,
        }
    )


FORWARD_PLAN_TITLE = "Forward plan of key decisions"


def compose_decision_record(
    project: Project,
    contexts: dict[str, dict[str, Any]],
    meeting_id: str,
    items: dict[str, str],
    *,
    draft: bool,
) -> dict[str, Any]:
    """What a meeting's record of decisions template refers to: its minutes."""
    meeting = project.meetings[meeting_id]
    return plain_context(
        {
            "title": record_title(meeting),
            "council": project.organisations[meeting.council],
            "meeting": meeting_view(project, meeting_id),
            "minutes": minutes(project, contexts, meeting_id, items),
            "draft": draft,
        }
    )


def record_title(meeting: Meeting) -> str:
    """``Cabinet, 10 June 2014: record of decisions``."""
    return pack_title(meeting).removesuffix(": papers") + ": record of decisions"


def pack_title(meeting: Meeting, *, private: bool = False) -> str:
    """``Cabinet, 10 June 2014: papers`` (the date reads "date to be confirmed" until known);
    the private pack's ends ``papers not for publication``."""
    when = f"date {meeting.date}" if isinstance(meeting.date, Unknown) else date(meeting.date)
    return f"{meeting.body_name}, {when}: papers" + (" not for publication" if private else "")


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

    known, absent = prose_names(project, report, labels)
    prose = _Prose(
        {**known, "meeting": plain(meeting_view(project, report.meeting)), "report": plain(report)},
        inputs,
        absent,
    )
    for view, entry in pending:
        path = (*base, *entry.path)
        with money_written() as written:
            view.text = prose.render(entry.prose, path)
        view.amounts = written
        if entry.source is not None:
            view.bullets, view.table = _extras(entry.source, path[:-1], prose)
            view.list_style = entry.source.list_style
        elif entry.table == "equality" and report.impact_assessment is not None:
            where = (*base, "impact_assessment", "equality")
            view.table = _equality_table(report.impact_assessment, where, prose)
        elif entry.table == "resources" and report.resources is not None:
            view.table = _resources_table(report.resources, (*base, "resources"), prose)
    problems += prose.problems
    if problems:
        raise ReportgenError(problems)

    council = project.organisations[report.council]
    meeting = project.meetings[report.meeting]
    return {
        "title": report.title,
        "report": report,
        "council": council,
        "meeting": meeting_view(project, report.meeting),
        "agenda_item": _agenda_item(meeting, report_id),
        "signatory": council.signatories[report.signatory],
        "sections": sections,
        "background_papers": report.background_papers,
    }


def _agenda_item(meeting: Meeting, document_id: str) -> int | None:
    """The number the clerk gave the report's item on the agenda (``number: 7``), if any:
    a report shows it in its heading. An item numbered only by its place is not shown."""
    for item in meeting.items:
        if item.document == document_id:
            return item.number
    return None


def _compose_form(project: Project, inputs: Inputs, form_id: str, form: Form) -> dict[str, Any]:
    base: KeyPath = ("documents", form_id)
    orgs = project.organisations
    known, absent = prose_names(project, form, Labels())
    prose = _Prose({**known, "document": plain(form)}, inputs, absent)
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
            view.bullets, view.table = _extras(answer, path, prose)
            view.list_style = answer.list_style
            views.append(view)
        sections.append(FormSectionView(section.title, views))
    title = prose.render(form.title, (*base, "title"))
    if prose.problems:
        raise ReportgenError(prose.problems)
    return {
        "title": title,
        "document": form,
        "council": orgs[form.council],
        "recipient": orgs[form.recipient] if form.recipient else None,
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
    if section.generate == "impact-assessment" and report.impact_assessment is not None:
        assessment = report.impact_assessment
        summary = _Entry(
            ("impact_assessment", "summary"),
            assessment.summary,
            table="equality" if assessment.equality else None,
        )
        # One paragraph per implication, in the order councils list them.
        return [summary] + [
            _Entry(("impact_assessment", "implications", name), f"{label}: {text}")
            for name, label in IMPLICATIONS.items()
            if (text := assessment.implications.get(name)) is not None  # type: ignore[call-overload]
        ]
    if section.generate == "resources" and report.resources is not None:
        resources = report.resources
        table = "resources" if resources.figures else None
        return [_Entry(("resources", "summary"), resources.summary, table=table)]
    return [
        _Entry(("sections", index, "paragraphs", j, "text"), p.text, label=p.id, source=p)
        for j, p in enumerate(section.paragraphs)
    ]


def _equality_table(assessment: ImpactAssessment, path: KeyPath, prose: _Prose) -> TableView:
    """The effect on each protected characteristic the assessment names, in the Act's
    order."""
    rows = []
    for name, label in PROTECTED_CHARACTERISTICS.items():
        effect = assessment.equality.get(name)  # type: ignore[call-overload]
        if effect is None:
            continue
        where = (*path, name)
        note = prose.render(effect.note, (*where, "note")) if effect.note else ""
        mitigation = (
            prose.render(effect.mitigation, (*where, "mitigation")) if effect.mitigation else ""
        )
        rows.append(
            [
                CellView([label]),
                CellView([EFFECTS[effect.effect]]),
                CellView([note]),
                CellView([mitigation]),
            ]
        )
    columns = ["Protected characteristic", "Effect", "Notes", "Mitigation"]
    return TableView(columns, rows)


def _resources_table(resources: Resources, path: KeyPath, prose: _Prose) -> TableView | None:
    """Capital and revenue by financial year, with totals, from the list of facts that
    ``figures`` names."""
    assert resources.figures is not None
    where = (*path, "figures")
    items = prose.each(resources.figures, where)
    rows, capital, revenue = [], Decimal(0), Decimal(0)
    for item in items:
        missing = [
            n
            for n in ("financial_year", "capital", "revenue")
            if not (isinstance(item, Record) and n in item)
        ]
        if missing:
            prose.problem(
                where,
                f"each of '{resources.figures}' needs financial_year, capital and revenue; "
                f"one has no {', '.join(missing)}",
            )
            return None
        capital += Decimal(item.capital)
        revenue += Decimal(item.revenue)
        rows.append(
            [
                CellView([financial_year(item.financial_year)]),
                CellView([money(item.capital, "full")]),
                CellView([money(item.revenue, "full")]),
            ]
        )
    rows.append(
        [
            CellView(["Total"]),
            CellView([money(capital, "full")]),
            CellView([money(revenue, "full")]),
        ]
    )
    return TableView(["Financial year", "Capital", "Revenue"], rows)


class _Prose:
    """Renders prose strings from YAML, collecting a located diagnostic for each failure."""

    def __init__(self, known: dict[str, Any], inputs: Inputs, absent: dict[str, str]):
        self.known = known
        self.inputs = inputs
        self.absent = absent
        self.problems: list[Diagnostic] = []

    def render(self, text: str, path: KeyPath, **extra: Any) -> str:
        try:
            return interpolate(text, {**self.known, **extra})
        except ProseError as exc:
            self._problem(path, exc)
            return ""

    def value(self, expression: str, path: KeyPath, **extra: Any) -> Any:
        """The value of one expression (``item.functions``), or None if it fails."""
        try:
            return evaluate(expression, {**self.known, **extra})
        except ProseError as exc:
            self._problem(path, exc)
            return None

    def problem(self, path: KeyPath, message: str) -> None:
        """Record a problem at ``path``."""
        self.problems.append(self.inputs.diagnostic(path, message))

    def _problem(self, path: KeyPath, exc: ProseError) -> None:
        message = str(exc)
        for name, reason in self.absent.items():
            if message.endswith(f"'{name}' is undefined"):
                message = reason
        self.problems.append(self.inputs.diagnostic(path, message))

    def each(self, expression: str, where: KeyPath) -> list[Any]:
        """The items of the list that ``expression`` (written at ``where``) names."""
        items = self.value(expression, where)
        if items is None:
            return []
        if not isinstance(items, list | tuple):
            what = kind_of(items) if isinstance(items, Record) else type(items).__name__
            message = f"'{expression}' is not a list (it is {what})"
            self.problems.append(self.inputs.diagnostic(where, message))
            return []
        return list(items)

    def bullets(self, spec: BulletsFrom, path: KeyPath) -> list[str]:
        """One rendered ``spec.text`` per item of the list that ``spec.for_each`` names."""
        return [
            self.render(spec.text, (*path, "text"), item=item)
            for item in self.each(spec.for_each, (*path, "for_each"))
        ]

    def table(self, table: Table | str, path: KeyPath) -> TableView | None:
        """A table named by a fact, or with its rows written out (prose) or made from a list
        of facts."""
        rows: list[list[CellView]] = []
        if isinstance(table, str):
            found = self.value(table, path)
            if found is None:
                return None
            if not (isinstance(found, Record) and "columns" in found and "rows" in found):
                what = kind_of(found) if isinstance(found, Record) else type(found).__name__
                message = f"'{table}' is not a table (it is {what}): write {{table: …}} there"
                self.problems.append(self.inputs.diagnostic(path, message))
                return None
            rows = [[self._cell(cell, path) for cell in row] for row in found.rows]
            return TableView(list(found.columns), rows)
        if isinstance(table.rows, TableRows):
            spec, where = table.rows, (*path, "rows")
            for item in self.each(spec.for_each, (*where, "for_each")):
                row = []
                for k, expression in enumerate(spec.cells):
                    value = self.value(expression, (*where, "cells", k), item=item)
                    row.append(self._cell(value, (*where, "cells", k)))
                rows.append(row)
        else:
            for i, written in enumerate(table.rows):
                row = []
                for j, cell in enumerate(written):
                    where = (*path, "rows", i, j)
                    if isinstance(cell, str):
                        row.append(CellView([self.render(cell, where)]))
                    else:
                        lines = [self.render(line, (*where, k)) for k, line in enumerate(cell)]
                        row.append(CellView(lines, listed=True))
                rows.append(row)
        return TableView(list(table.columns), rows)

    def _cell(self, value: Any, path: KeyPath) -> CellView:
        """A cell from a fact's value: a list gives a line per entry, shown as a list."""
        listed = isinstance(value, list | tuple)
        values = list(value) if listed else [value]
        try:
            return CellView([str(v) for v in values if v is not None], listed=listed)
        except TypeError as exc:  # a group of facts with no name
            self.problems.append(self.inputs.diagnostic(path, str(exc)))
            return CellView([])


def _extras(
    source: Paragraph | FormField, path: KeyPath, prose: _Prose
) -> tuple[list[str], TableView | None]:
    """The bullets and table that a paragraph or form field adds to its text."""
    bullets_path = (*path, "bullets")
    if isinstance(source.bullets, BulletsFrom):
        bullets = prose.bullets(source.bullets, bullets_path)
    else:
        bullets = [prose.render(b, (*bullets_path, k)) for k, b in enumerate(source.bullets)]
    table = prose.table(source.table, (*path, "table")) if source.table is not None else None
    return bullets, table
