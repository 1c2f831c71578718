"""A meeting's web pages: the HTML edition of its pack (``…-pack.html`` beside the PDF: the
summons and agenda, each item linking to its document's HTML edition, from
``templates/pack-cover.html``); a static ``index.html`` per meeting folder with the agenda,
each document with its HTML, PDF and Word editions (format, size and pages, as GOV.UK lists
attachments), the pack and its publication timetable, from ``templates/meeting-index.html``;
the timetable as ``timetable.ics`` for a clerk's calendar; and ``index.html`` at the top of
the build listing the meetings, from ``templates/site-index.html``."""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import replace
from pathlib import Path
from typing import Any

from .check import Checked
from .compose import AgendaEntry, Attachment, Listing, agenda, compose_cover
from .diagnostics import ReportgenError
from .fingerprint import fingerprint
from .house_style import style_markup
from .html_edition import FORMAT, compiled_page, page_sources, write_page
from .manifest import Output, describe, source_name
from .minutes import recorded
from .model import Project
from .paths import Paths
from .plan import PlannedDocument, Workspace, contents_entry
from .text import date, render_template
from .timetable import TIMETABLE, Deadline, calendar, timetable
from .view import plain


def pack_pages(
    checked: Checked,
    paths: Paths,
    documents: dict[str, PlannedDocument],
    outputs: list[Output],
    workspace: Workspace,
) -> list[Output]:
    """The HTML edition of each pack among ``outputs``, beside its PDF: the summons and the
    agenda from the same context as the pack's cover (with the page each paper starts on
    in the PDF), each item linking to its document's HTML edition, and the PDF itself. A
    private pack's links go to the private editions it holds. One whose context, template
    and house style are unchanged is kept."""
    project = checked.project
    assert project is not None
    packs = [o for o in outputs if o.kind == "pack" and o.format == "pdf"]
    if not packs:
        return []
    template = checked.page_templates["pack-page"]
    by_pdf = {d.relative("pdf"): d for d in documents.values()}
    made: list[Output] = []
    problems = []
    for pack in packs:
        assert pack.meeting is not None and pack.contents is not None
        members = [by_pdf[entry["path"]] for entry in pack.contents]
        pages = [int(entry["first_page"]) for entry in pack.contents]
        relative = pack.path.removesuffix(".pdf") + f".{FORMAT}"
        folder = posixpath.dirname(relative)
        private = pack.access == "private"
        contents = [contents_entry(project, d, p) for d, p in zip(members, pages, strict=True)]
        draft = checked.is_draft(d.placement.document_id for d in members)
        context = compose_cover(project, pack.meeting, contents, draft=draft, private=private)
        context["agenda"] = plain(linked_agenda(project, pack.meeting, members, pages, folder))
        context["papers"] = plain(_attachment(pack, folder))
        # A private pack's page is under private/; the meeting's page is the public one.
        context["meeting_page"] = link(f"{members[0].placement.folder}/index.html", folder)
        inputs = {s for s in pack.sources if not s.startswith("templates/")}
        sources = sorted(inputs | set(page_sources(checked, paths, template)))
        key = fingerprint(context, template, checked.house_style, sources, relative)
        try:
            made.append(
                write_page(
                    workspace,
                    relative,
                    key,
                    template,
                    context,
                    house_style=checked.house_style,
                    private=private,
                    kind="pack",
                    title=pack.title,
                    sources=sources,
                    meeting=pack.meeting,
                    access=pack.access,
                )
            )
        except ReportgenError as exc:
            problems.extend(exc.diagnostics)
    if problems:
        raise ReportgenError(problems)
    return made


def meeting_pages(
    checked: Checked,
    paths: Paths,
    documents: dict[str, PlannedDocument],
    outputs: list[Output],
    staging: Path,
    moment: dt.datetime,
) -> list[Output]:
    """A static ``index.html`` per meeting folder listing its pack, documents and timetable,
    and the timetable as ``timetable.ics`` (for a meeting with a date)."""
    project = checked.project
    assert project is not None
    template_path = checked.page_templates["meeting-index"]
    template = compiled_page(template_path.read_text("utf-8"))
    style_sources = page_sources(checked, paths, template_path)
    by_path = {o.path: o for o in outputs}
    results = []
    for meeting_id in project.meetings:
        # The public page lists only what the public may see: never a private edition.
        members = [
            d
            for d in documents.values()
            if d.placement.meeting == meeting_id and d.edition != "private"
        ]
        if not members:
            continue
        folder = members[0].placement.folder
        rows = []
        pack = next(
            (
                o
                for o in outputs
                if o.kind == "pack"
                and o.format == "pdf"
                and o.meeting == meeting_id
                and o.access == "public"
            ),
            None,
        )
        if pack is not None:
            rows.append(_index_row("All papers", pack, by_path, folder, None))
        for d in members:
            item = f"{d.placement.item}" + (
                f", appendix {d.placement.appendix}" if d.placement.appendix else ""
            )
            rows.append(_index_row(item, by_path[d.relative("pdf")], by_path, folder, d))
        lines = linked_agenda(project, meeting_id, members, [0] * len(members), folder)
        meeting = project.meetings[meeting_id]
        council = project.organisations[meeting.council]
        in_private = any(d.edition != "public" for d in members) or any(
            d.placement.meeting == meeting_id and d.edition == "private" for d in documents.values()
        )
        deadlines = timetable(meeting, council.standing_orders, in_private=in_private)
        draft = checked.is_draft(d.placement.document_id for d in members)
        context = compose_cover(project, meeting_id, [], draft=draft)
        (staging / folder).mkdir(parents=True, exist_ok=True)
        sources = sorted({s for d in members for s in d.sources} | set(style_sources))
        ics = None
        if deadlines:
            ics = f"{folder}/{TIMETABLE}"
            (staging / ics).write_bytes(calendar(meeting_id, meeting, deadlines, moment))
            title = f"{context['title'].removesuffix(': papers')}: publication timetable"
            results.append(describe(staging, ics, "timetable", title, sources, meeting=meeting_id))
        record = next(
            (
                o
                for o in outputs
                if o.kind == "decision-record" and o.meeting == meeting_id and o.format == "pdf"
            ),
            None,
        )
        if record is not None:
            rows.append(_index_row("Decisions", record, by_path, folder, None))
        decided = [
            {
                "title": project.documents[d].title,
                "recommendations": recorded(project, checked.contexts, meeting_id, d),
            }
            for d in meeting.outcomes
            if d in checked.contexts
        ]
        html = render_template(
            template,
            {
                **context,
                "documents": rows,
                "agenda": lines,
                "timetable": [_timetable_row(d) for d in deadlines],
                "calendar": TIMETABLE if ics else None,
                "decisions": plain(decided),
                "house_style": style_markup(checked.house_style),
            },
        )
        relative = f"{folder}/index.html"
        (staging / relative).write_text(html, encoding="utf-8")
        results.append(
            describe(staging, relative, "index", context["title"], sources, meeting=meeting_id)
        )
    return results


def _timetable_row(deadline: Deadline) -> dict[str, Any]:
    return {
        "what": deadline.name,
        "date": date(deadline.date),
        "iso": deadline.date.isoformat(),
        "clear_days": deadline.clear_days,
        "statutory": deadline.statutory,
    }


def linked_agenda(
    project: Project,
    meeting_id: str,
    members: list[PlannedDocument],
    pages: list[int],
    folder: str,
) -> list[AgendaEntry]:
    """The agenda as a web page in ``folder`` gives it: the body's opening items, then each
    of ``members`` (starting on so many ``pages`` of the pack, 0 for none) with a link to
    its HTML edition."""
    contents = [contents_entry(project, d, p) for d, p in zip(members, pages, strict=True)]
    links = [""] * len(project.meetings[meeting_id].opening_items())
    links += [link(d.relative("html"), folder) for d in members]
    entries = agenda(project, meeting_id, contents)
    return [replace(e, href=href) for e, href in zip(entries, links, strict=True)]


def link(relative: str, folder: str) -> str:
    """The address of the output ``relative`` (to the build) from a page in ``folder``."""
    return posixpath.relpath(relative, folder or ".")


def _index_row(
    item: str,
    pdf: Output,
    by_path: dict[str, Output],
    folder: str,
    document: PlannedDocument | None,
) -> Listing:
    """A document on the meeting's page: its HTML edition to read, and each of its files
    (HTML, PDF, Word) with what it is, as GOV.UK lists attachments."""
    stem = pdf.path.removesuffix(".pdf")
    editions = [by_path.get(f"{stem}.{suffix}") for suffix in ("html", "pdf", "docx")]
    files = [_attachment(o, folder) for o in editions if o is not None]
    html = editions[0]
    return Listing(item, pdf.title, pdf.kind, link(html.path, folder) if html else None, files)


# How each format is named in a list of files, as GOV.UK names attachments.
_FORMATS = {"html": "HTML", "pdf": "PDF", "docx": "MS Word Document"}


def _attachment(output: Output, folder: str) -> Attachment:
    """One file of a document: "PDF, 104 KB, 5 pages"."""
    name = _FORMATS.get(output.format, output.format.upper())
    about = [name, size_text(output.size)]
    if output.pages is not None:
        about.append(f"{output.pages} page" + ("" if output.pages == 1 else "s"))
    return Attachment(link(output.path, folder), name, ", ".join(about))


def size_text(size: int) -> str:
    """A file's size as people read it: "104 KB", "1.2 MB" (a file under 1 KB is "1 KB")."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB"


# The page at the top of the build that lists every meeting.
SITE_INDEX = "index.html"


def site_index(checked: Checked, paths: Paths, outputs: list[Output], staging: Path) -> Output:
    """``index.html`` at the top of the build: each meeting that has a page, soonest first
    (meetings not yet dated last), with its council, body and date and whether its papers
    are still drafts; then each council's forward plan of key decisions, with its files."""
    project = checked.project
    assert project is not None
    pages = {o.meeting: o for o in outputs if o.kind == "index" and o.meeting is not None}
    meetings = []
    for meeting_id, meeting in project.meetings.items():
        page = pages.get(meeting_id)
        if page is None:
            continue
        on_agenda = [d for item in meeting.items for d in (item.document, *item.appendices)]
        meetings.append(
            {
                "title": page.title.removesuffix(": papers"),
                "href": page.path,
                "council": project.organisations[meeting.council].name,
                "body": meeting.body_name,
                "date": date(meeting.date) if isinstance(meeting.date, dt.date) else None,
                "iso": meeting.date.isoformat() if isinstance(meeting.date, dt.date) else None,
                "draft": checked.is_draft(on_agenda),
            }
        )
    meetings.sort(key=lambda m: (m["iso"] is None, m["iso"] or "", m["title"]))
    by_path = {o.path: o for o in outputs}
    # Each council's forward plan (forward-plan/<council>-forward-plan.*), with its files.
    plans = [
        _index_row(
            project.organisations[Path(o.path).name.removesuffix("-forward-plan.pdf")].name,
            o,
            by_path,
            "",
            None,
        )
        for o in sorted(outputs, key=lambda o: o.path)
        if o.kind == "forward-plan" and o.format == "pdf"
    ]
    councils = sorted({m["council"] for m in meetings} | {p.item for p in plans})
    template_path = checked.page_templates["site-index"]
    template = compiled_page(template_path.read_text("utf-8"))
    title = "Committee meetings and papers"
    html = render_template(
        template,
        {
            "title": title,
            "councils": councils,
            "meetings": plain(meetings),
            "forward_plans": plain(plans),
            "house_style": style_markup(checked.house_style),
        },
    )
    (staging / SITE_INDEX).write_text(html, encoding="utf-8")
    inputs = checked.inputs
    assert inputs is not None
    sources = sorted(
        {
            source_name(inputs.root, path, "inputs")
            for key, path in inputs.files.items()
            if key[0] in ("meetings", "bodies", "organisations")
        }
        | set(page_sources(checked, paths, template_path))
    )
    return describe(staging, SITE_INDEX, "site-index", title, sources)
