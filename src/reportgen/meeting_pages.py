"""A meeting's page: a static ``index.html`` per meeting folder listing its pack and
documents and its publication timetable, from ``templates/meeting-index.html``; and the
timetable as ``timetable.ics`` for a clerk's calendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from .check import INDEX_TEMPLATE, Checked
from .compose import compose_cover
from .manifest import Output, describe, source_name
from .minutes import recorded
from .plan import Paths, PlannedDocument
from .text import date, environment, render_template
from .timetable import TIMETABLE, Deadline, calendar, timetable
from .view import plain


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
    template_path = paths.templates / INDEX_TEMPLATE
    template = environment(autoescape=True).from_string(template_path.read_text("utf-8"))
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
                if o.kind == "pack" and o.meeting == meeting_id and o.access == "public"
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
        meeting = project.meetings[meeting_id]
        council = project.organisations[meeting.council]
        in_private = any(d.edition != "public" for d in members) or any(
            d.placement.meeting == meeting_id and d.edition == "private" for d in documents.values()
        )
        deadlines = timetable(meeting, council.standing_orders, in_private=in_private)
        draft = checked.is_draft(d.placement.document_id for d in members)
        context = compose_cover(project, meeting_id, [], draft=draft)
        (staging / folder).mkdir(parents=True, exist_ok=True)
        sources = sorted(
            {s for d in members for s in d.sources}
            | {source_name(paths.templates, template_path, "templates")}
        )
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
                "timetable": [_timetable_row(d) for d in deadlines],
                "calendar": TIMETABLE if ics else None,
                "decisions": plain(decided),
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


def _index_row(
    item: str,
    pdf: Output,
    by_path: dict[str, Output],
    folder: str,
    document: PlannedDocument | None,
) -> dict[str, Any]:
    docx = document.relative("docx") if document else None
    return {
        "item": item,
        "title": pdf.title,
        "kind": pdf.kind,
        "pages": pdf.pages,
        "size": _size(pdf.size),
        "pdf": pdf.path.removeprefix(f"{folder}/"),
        "docx": docx.removeprefix(f"{folder}/") if docx and docx in by_path else None,
    }


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
