"""Committee packs: for each meeting with items, a cover and contents page (laid out by
LibreOffice, whose length decides the contents' page numbers), printed page numbers, and
every document in agenda order, assembled with :mod:`reportgen.pack`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .check import Checked
from .compose import compose_cover, pack_title
from .diagnostics import ReportgenError
from .fingerprint import fingerprint
from .layout import agenda_label, pack_stem
from .manifest import Output, describe, source_name, still_good
from .plan import (
    LANGUAGE,
    PRIVATE,
    PRIVATE_EDITION,
    Conversion,
    Paths,
    PlannedDocument,
    Workspace,
    contents_entry,
    meeting_properties,
)
from .publish import stage
from .render import Properties, render_docx

# A cover page and a contents page, at the least.
COVER_PAGES = 2

Log = Callable[[str], None]


def make_packs(
    checked: Checked,
    paths: Paths,
    documents: dict[str, PlannedDocument],
    workspace: Workspace,
    convert: Conversion,
    log: Log,
) -> list[Output]:
    """One pack per meeting with items: cover and contents, then each document in order.
    A pack whose documents and cover are unchanged is kept."""
    project = checked.project
    assert project is not None
    staging = workspace.staging
    moment = workspace.moment
    # Each meeting's public pack, by its meeting's id; and, where any of its documents has a
    # private edition, its private pack (the id with PRIVATE_EDITION), every page marked.
    orders: dict[str, list[PlannedDocument]] = {}
    for m, meeting in project.meetings.items():
        on_agenda = [d for item in meeting.items for d in (item.document, *item.appendices)]
        if not on_agenda or workspace.only not in (None, m):
            continue
        orders[m] = [documents[d] for d in on_agenda]
        if any(d + PRIVATE_EDITION in documents for d in on_agenda):
            private = [documents.get(d + PRIVATE_EDITION, documents[d]) for d in on_agenda]
            orders[m + PRIVATE_EDITION] = private
    outputs: list[Output] = []
    stale = {}
    for pack_id, members in orders.items():
        meeting_id = _meeting_of(pack_id)
        meeting = project.meetings[meeting_id]
        relative = f"{members[0].placement.folder}/{pack_stem(meeting)}.pdf"
        if pack_id != meeting_id:
            relative = f"{PRIVATE}/{members[0].placement.folder}/{pack_stem(meeting)}-private.pdf"
        key = fingerprint(
            [d.fingerprint for d in members],
            meeting,
            project.body_of(meeting),
            project.organisations[meeting.council],
            checked.pack_templates[meeting_id],
            checked.folio_templates.get(meeting_id),
            checked.mark_template if pack_id != meeting_id else None,
            checked.is_draft(d.placement.document_id for d in members),
            moment,
            convert.settings(),
        )
        if still_good(workspace.previous, workspace.out, relative, key):
            outputs.append(Output(**workspace.previous[relative]))
        else:
            stale[pack_id] = (relative, key)
    if not stale:
        return outputs
    # Loaded only when a pack is to be made (pikepdf): a no-op build never needs them.
    from .finish import finish_pdf
    from .pack import PackPart, assemble_pack, mark_every_page, page_count

    # The contents page numbers depend on how long the cover itself is, known only once it
    # is converted. Each cover is laid out for the likely lengths at once, in one
    # LibreOffice call, and the variant whose length came out as assumed is kept.
    candidates = {
        m: _last_cover_pages(workspace, stale[m][0])
        or likely_cover_pages(
            len(orders[m]) + len(project.meetings[_meeting_of(m)].opening_items())
        )
        for m in stale
    }
    covers: dict[str, Path] = {}
    folios: dict[tuple[str, int], Path] = {}
    for _attempt in range(3):
        variants = {
            (m, pages): _render_cover(checked, m, orders[m], pages, staging)
            for m in stale
            if m not in covers
            for pages in candidates[m]
        }
        folios.update(
            {
                key: _render_folio(
                    checked, key[0], key[1] + sum(d.pages for d in orders[key[0]]), key[1], staging
                )
                for key in variants
                if checked.folio_templates.get(_meeting_of(key[0]))
            }
        )
        log(f"converting {len(variants)} pack covers")
        convert(
            [*variants.values(), *(folios[k] for k in variants if k in folios)], staging / ".covers"
        )
        for (meeting_id, pages), docx_file in variants.items():
            actual = page_count(staging / ".covers" / f"{docx_file.stem}.pdf")
            if actual == pages:
                covers[meeting_id] = docx_file
                candidates[meeting_id] = [pages]
            else:
                candidates[meeting_id] = [actual]
        if len(covers) == len(stale):
            break
    else:
        raise ReportgenError("a pack cover's length kept changing; check the cover template")

    for pack_id, (relative, key) in stale.items():
        meeting_id = _meeting_of(pack_id)
        private = pack_id != meeting_id
        meeting = project.meetings[meeting_id]
        members = orders[pack_id]
        title = pack_title(meeting, private=private)
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        folio = folios.get((pack_id, candidates[pack_id][0]))
        starts = assemble_pack(
            PackPart(staging / ".covers" / f"{covers[pack_id].stem}.pdf", "Summons and agenda"),
            [
                PackPart(
                    workspace.locate(d.relative("pdf")), f"{agenda_label(d.placement)}: {d.title}"
                )
                for d in members
            ],
            target,
            title=title,
            language=LANGUAGE,
            folio=staging / ".covers" / f"{folio.stem}.pdf" if folio else None,
        )
        if private:
            # The private editions in it are marked already.
            assert workspace.mark is not None
            marked = [
                range(start - 1, start - 1 + d.pages)
                for d, start in zip(members, starts, strict=True)
                if d.edition == "private"
            ]
            mark_every_page(target, workspace.mark.pdf, skip=marked)
        finish_pdf(target, moment)
        template = checked.pack_templates[meeting_id]
        sources = sorted(
            {s for d in members for s in d.sources}
            | {source_name(paths.templates, template, "templates")}
        )
        output = describe(staging, relative, "pack", title, sources, meeting=meeting_id)
        output.contents = [
            {
                "path": d.relative("pdf"),
                "title": d.title,
                "kind": d.kind,
                "first_page": start,
                "pages": d.pages,
            }
            for d, start in zip(members, starts, strict=True)
        ]
        output.fingerprint = key
        output.access = "private" if private else "public"
        outputs.append(output)
    return outputs


def _meeting_of(pack_id: str) -> str:
    return pack_id.removesuffix(PRIVATE_EDITION)


def _stem(checked: Checked, pack_id: str) -> str:
    """The pack's file stem; a private pack's cover and folio are named apart from the
    public one's."""
    assert checked.project is not None
    stem = pack_stem(checked.project.meetings[_meeting_of(pack_id)])
    return stem + ("-private" if pack_id != _meeting_of(pack_id) else "")


def _last_cover_pages(workspace: Workspace, relative: str) -> list[int]:
    """The length of the pack's front in the last build, the likeliest length now (one
    variant to convert instead of two); nothing if there was no such pack."""
    contents = workspace.previous.get(relative, {}).get("contents") or []
    first = contents[0].get("first_page") if contents else None
    return [first - 1] if isinstance(first, int) and first > 1 else []


def likely_cover_pages(entries: int) -> list[int]:
    """A cover page, then contents pages holding about 25 entries each: that length and the
    next, in case titles wrap."""
    likely = COVER_PAGES + max(0, (entries - 1) // 25)
    return [likely, likely + 1]


def _render_folio(
    checked: Checked, pack_id: str, pages: int, cover_pages: int, staging: Path
) -> Path:
    """Blank pages numbered 1 to ``pages``, to lay over the pack's."""
    project = checked.project
    assert project is not None
    meeting_id = _meeting_of(pack_id)
    meeting = project.meetings[meeting_id]
    data = render_docx(
        checked.folio_templates[meeting_id],
        {"pages": pages},
        Properties(pack_title(meeting), LANGUAGE, "reportgen"),
    )
    stem = _stem(checked, pack_id)
    return stage(staging / ".covers" / f"{stem}-folio-{cover_pages}.docx", data)


def _render_cover(
    checked: Checked,
    pack_id: str,
    members: list[PlannedDocument],
    cover_pages: int,
    staging: Path,
) -> Path:
    project = checked.project
    assert project is not None
    from .pack import first_pages

    meeting_id = _meeting_of(pack_id)
    starts = first_pages(cover_pages, [d.pages for d in members])
    contents = [contents_entry(project, d, start) for d, start in zip(members, starts, strict=True)]
    draft = checked.is_draft(d.placement.document_id for d in members)
    context = compose_cover(
        project, meeting_id, contents, draft=draft, private=pack_id != meeting_id
    )
    properties = meeting_properties(project, meeting_id, context["title"])
    data = render_docx(checked.pack_templates[meeting_id], context, properties)
    stem = _stem(checked, pack_id)
    return stage(staging / ".covers" / f"{stem}-cover-{cover_pages}.docx", data)
