"""Documents made from the meetings' data rather than from a document's own file: each
council's forward plan of key decisions (:mod:`reportgen.decisions`) and each held meeting's
record of decisions (:mod:`reportgen.minutes`), as .docx and PDF from their Word templates
and as an HTML edition from their HTML templates, all three from the same composed context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .check import DECISION_RECORD_TEMPLATE, FORWARD_PLAN_TEMPLATE, Checked
from .compose import FORWARD_PLAN_TITLE, compose_decision_record, compose_forward_plan
from .conversion import Conversion
from .diagnostics import ReportgenError
from .fingerprint import fingerprint
from .html_edition import FORMAT, page_sources, write_page
from .layout import agenda_label
from .manifest import Output, describe, source_name, still_good
from .paths import Paths
from .plan import LANGUAGE, PlannedDocument, Workspace, meeting_properties
from .publish import stage
from .render import Properties, render_docx
from .view import holds_unknown

FORWARD_PLANS = "forward-plan"

Log = Callable[[str], None]


@dataclass
class Generated:
    """One document to make: where, of what kind, from which template and context."""

    stem: str
    kind: str
    template: Path
    html_template: Path
    context: dict[str, Any]
    properties: Properties
    sources: list[str]
    meeting: str | None = None


def make_generated(
    checked: Checked,
    paths: Paths,
    documents: dict[str, PlannedDocument],
    workspace: Workspace,
    convert: Conversion,
    log: Log,
) -> list[Output]:
    """Every forward plan and record of decisions, as .docx, PDF and HTML; an edition whose
    context and template (and, for HTML, house style) are unchanged since the last build is
    kept."""
    # A build of one meeting's papers (--only) leaves the forward plans, which span every
    # meeting, as they were.
    wanted = [
        *(
            _forward_plans(checked, paths, documents, workspace.moment.date())
            if workspace.only is None
            else []
        ),
        *_records(checked, paths, documents, workspace.only),
    ]
    outputs: list[Output] = []
    problems = []
    for job in wanted:
        try:
            outputs.append(_html_edition(checked, paths, job, workspace))
        except ReportgenError as exc:
            problems.extend(exc.diagnostics)
    if problems:
        raise ReportgenError(problems)
    made: dict[Path, tuple[Generated, str]] = {}
    for job in wanted:
        key = fingerprint(job.context, job.template, workspace.moment, convert.settings())
        relatives = [f"{job.stem}.docx", f"{job.stem}.pdf"]
        if all(still_good(workspace.previous, workspace.out, r, key) for r in relatives):
            outputs += [Output(**workspace.previous[r]) for r in relatives]
            continue
        data = render_docx(job.template, job.context, job.properties)
        made[stage(workspace.staging / relatives[0], data)] = (job, key)
    if not made:
        return outputs
    from .finish import finish_pdf  # pikepdf, only when there is a PDF to finish

    log(f"converting {len(made)} forward plans and records of decisions")
    pdfs = convert(list(made), workspace.staging / ".generated")
    for docx_file, (job, key) in made.items():
        pdf = docx_file.with_suffix(".pdf")
        pdfs[docx_file].replace(pdf)
        finish_pdf(pdf, workspace.moment)
        for suffix in ("docx", "pdf"):
            output = describe(
                workspace.staging,
                f"{job.stem}.{suffix}",
                job.kind,
                job.properties.title,
                job.sources,
                meeting=job.meeting,
            )
            output.fingerprint = key
            outputs.append(output)
    return outputs


def _html_edition(checked: Checked, paths: Paths, job: Generated, workspace: Workspace) -> Output:
    """The HTML edition of one forward plan or record, unless the last build's is still
    good; raises :class:`ReportgenError` naming its template if it cannot be rendered."""
    relative = f"{job.stem}.{FORMAT}"
    inputs = [s for s in job.sources if not s.startswith("templates/")]
    sources = [*inputs, *page_sources(checked, paths, job.html_template)]
    key = fingerprint(job.context, job.html_template, checked.house_style, sources, FORMAT)
    return write_page(
        workspace,
        relative,
        key,
        job.html_template,
        job.context,
        house_style=checked.house_style,
        kind=job.kind,
        title=job.properties.title,
        sources=sources,
        meeting=job.meeting,
    )


def _forward_plans(
    checked: Checked, paths: Paths, documents: dict[str, PlannedDocument], today: dt.date
) -> list[Generated]:
    """Each council's forward plan, dated as of the inputs (not the day it is built)."""
    project = checked.project
    assert project is not None
    template = paths.templates / FORWARD_PLAN_TEMPLATE
    jobs = []
    for council_id in sorted(project.organisations):
        context = compose_forward_plan(project, council_id, draft=False)
        if not context["decisions"]:
            continue
        on_plan = [d for decision in context["decisions"] for d in decision.document_ids]
        context["draft"] = checked.is_draft(on_plan)
        council = project.organisations[council_id]
        jobs.append(
            Generated(
                f"{FORWARD_PLANS}/{council_id}-forward-plan",
                "forward-plan",
                template,
                checked.page_templates["forward-plan"],
                context,
                Properties(
                    FORWARD_PLAN_TITLE,
                    LANGUAGE,
                    council.name,
                    today,
                    subject="Key decisions",
                    company=council.name,
                ),
                _sources(paths, template, [documents[d] for d in on_plan]),
            )
        )
    return jobs


def _records(
    checked: Checked, paths: Paths, documents: dict[str, PlannedDocument], only: str | None
) -> list[Generated]:
    project = checked.project
    assert project is not None
    template = paths.templates / DECISION_RECORD_TEMPLATE
    jobs = []
    for meeting_id, meeting in project.meetings.items():
        if not meeting.outcomes or only not in (None, meeting_id):
            continue
        members = [d for d in documents.values() if d.placement.meeting == meeting_id]
        items = {
            document_id: agenda_label(documents[document_id].placement)
            for document_id in meeting.outcomes
            if document_id in documents
        }
        context = compose_decision_record(project, checked.contexts, meeting_id, items, draft=False)
        context["draft"] = checked.draft and holds_unknown(context)
        folder = members[0].placement.folder
        jobs.append(
            Generated(
                f"{folder}/{folder}-record-of-decisions",
                "decision-record",
                template,
                checked.page_templates["decision-record"],
                context,
                meeting_properties(project, meeting_id, context["title"]),
                _sources(paths, template, members),
                meeting=meeting_id,
            )
        )
    return jobs


def _sources(paths: Paths, template: Path, members: list[PlannedDocument]) -> list[str]:
    """The inputs of the documents it is about, and its template."""
    return sorted(
        {s for d in members for s in d.sources if s.startswith("inputs/")}
        | {source_name(paths.templates, template, "templates")}
    )
