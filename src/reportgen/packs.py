"""Committee packs: for each meeting with items, a cover and contents page (laid out by
LibreOffice, whose length decides the contents' page numbers), printed page numbers, and
every document in agenda order, assembled with :mod:`reportgen.pack`."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .check import Checked
from .compose import compose_cover, pack_title
from .conversion import Conversion
from .diagnostics import ReportgenError
from .fingerprint import fingerprint
from .layout import agenda_label, pack_stem
from .manifest import Output, describe, source_name, still_good
from .paths import Paths
from .plan import (
    LANGUAGE,
    PRIVATE,
    PRIVATE_EDITION,
    PlannedDocument,
    Workspace,
    contents_entry,
    meeting_properties,
)
from .publish import stage
from .render import Properties, render_docx

# A cover page and a contents page, at the least.
COVER_PAGES = 2
# Times a pack's covers are laid out before its cover template is blamed.
MAX_LAYOUTS = 3

Log = Callable[[str], None]


class Packs:
    """The packs of one build. Made before the documents are converted, it knows which
    packs are out of date; :meth:`covers_ready` renders the covers (and page numbers) of
    each as soon as the lengths of all its documents are known, for the same LibreOffice
    workers to convert while the other documents are still being converted;
    :meth:`assemble_ready` assembles each pack whose covers are converted, while the others'
    documents still are; :meth:`make` then makes the rest, checking each cover came out as
    long as assumed."""

    def __init__(
        self,
        checked: Checked,
        paths: Paths,
        documents: dict[str, PlannedDocument],
        workspace: Workspace,
        convert: Conversion,
    ) -> None:
        project = checked.project
        assert project is not None
        self.checked, self.paths, self.workspace, self.convert = checked, paths, workspace, convert
        self.staging = workspace.staging
        # Each meeting's public pack, by its meeting's id; and, where any of its documents
        # has a private edition, its private pack (the id with PRIVATE_EDITION), every page
        # marked.
        self.orders: dict[str, list[PlannedDocument]] = {}
        for m, meeting in project.meetings.items():
            on_agenda = [d for item in meeting.items for d in (item.document, *item.appendices)]
            if not on_agenda or workspace.only not in (None, m):
                continue
            self.orders[m] = [documents[d] for d in on_agenda]
            if any(d + PRIVATE_EDITION in documents for d in on_agenda):
                private = [documents.get(d + PRIVATE_EDITION, documents[d]) for d in on_agenda]
                self.orders[m + PRIVATE_EDITION] = private
        self.kept: list[Output] = []
        self.stale: dict[str, tuple[str, str]] = {}
        for pack_id, members in self.orders.items():
            meeting_id = _meeting_of(pack_id)
            meeting = project.meetings[meeting_id]
            relative = f"{members[0].placement.folder}/{pack_stem(meeting)}.pdf"
            if pack_id != meeting_id:
                relative = (
                    f"{PRIVATE}/{members[0].placement.folder}/{pack_stem(meeting)}-private.pdf"
                )
            key = fingerprint(
                [d.fingerprint for d in members],
                meeting,
                project.body_of(meeting),
                project.organisations[meeting.council],
                checked.pack_templates[meeting_id],
                checked.folio_templates.get(meeting_id),
                checked.mark_template if pack_id != meeting_id else None,
                checked.is_draft(d.placement.document_id for d in members),
                workspace.moment,
                convert.settings(),
            )
            if still_good(workspace.previous, workspace.out, relative, key):
                self.kept.append(Output(**workspace.previous[relative]))
            else:
                self.stale[pack_id] = (relative, key)
        # The contents page numbers depend on how long the cover itself is, known only
        # once it is converted. Each cover is laid out for its likely lengths and the
        # variant whose length came out as assumed is kept: the likeliest alone where
        # LibreOffice is kept running (another round costs one conversion), both where
        # another round would cost another LibreOffice start.
        self.candidates = {
            m: _last_cover_pages(workspace, self.stale[m][0])
            or likely_cover_pages(
                len(self.orders[m]) + len(project.meetings[_meeting_of(m)].opening_items())
            )
            for m in self.stale
        }
        self.variants: dict[tuple[str, int], Path] = {}
        self.folios: dict[tuple[str, int], Path] = {}
        # The packs made while documents were still converting, and how many times each
        # pack's covers have been laid out.
        self.assembled: dict[str, Output] = {}
        self.layouts: dict[str, int] = {}

    def covers_ready(self) -> list[Path]:
        """The .docx of each cover variant (and its page numbers) not yet rendered whose
        pack's documents all have their length now: for LibreOffice to convert."""
        ready = [
            m
            for m in self.stale
            if not self._rendered(m) and all(d.pages > 0 for d in self.orders[m])
        ]
        return self._render(ready)

    def is_cover(self, pdf: Path) -> Path | None:
        """Where a converted cover (or page numbers) belongs, beside its .docx; None if
        ``pdf`` is not one of this build's covers."""
        for docx_file in [*self.variants.values(), *self.folios.values()]:
            if docx_file.stem == pdf.stem:
                return docx_file.with_suffix(".pdf")
        return None

    def assemble_ready(self) -> list[Path]:
        """Assemble every pack whose covers are converted, if one came out as long as
        assumed; the covers laid out again (for the workers) for those where none did."""
        again = []
        for m in self.stale:
            if m in self.assembled or not self._rendered(m) or not self._converted(m):
                continue
            cover = self._choose(m)
            if cover is not None:
                self.assembled[m] = self._assemble(m, cover)
            else:
                again += self._render([m])
        return again

    def _converted(self, pack_id: str) -> bool:
        """Whether the pack's covers and page numbers are converted, and each of its
        documents is where the pack takes it from."""
        return all(c.with_suffix(".pdf").is_file() for c in self._covers([pack_id])) and all(
            self.workspace.locate(d.relative("pdf")).is_file() for d in self.orders[pack_id]
        )

    def _choose(self, pack_id: str) -> Path | None:
        """The pack's cover variant that came out as long as it assumed; if none did, its
        variants are dropped and the next layout assumes the length the first one had."""
        from .pack import page_count

        chosen = None
        actual = None
        for (m, pages), docx_file in self.variants.items():
            if m != pack_id:
                continue
            length = page_count(docx_file.with_suffix(".pdf"))
            if length == pages:
                chosen = docx_file
                self.candidates[m] = [pages]
                break
            actual = actual or length
        if chosen is None:
            self._forget(pack_id)
            self.candidates[pack_id] = [actual] if actual else self.candidates[pack_id]
        return chosen

    def _render(self, pack_ids: list[str]) -> list[Path]:
        made = []
        for m in pack_ids:
            self.layouts[m] = self.layouts.get(m, 0) + 1
            if self.layouts[m] > MAX_LAYOUTS:
                raise ReportgenError(
                    "a pack cover's length kept changing; check the cover template"
                )
            candidates = self.candidates[m]
            if self.layouts[m] == 1 and self.convert.kept_running():
                candidates = candidates[:1]
            for pages in candidates:
                cover = _render_cover(self.checked, m, self.orders[m], pages, self.staging)
                self.variants[(m, pages)] = cover
                made.append(cover)
                if self.checked.folio_templates.get(_meeting_of(m)):
                    total = pages + sum(d.pages for d in self.orders[m])
                    folio = _render_folio(self.checked, m, total, pages, self.staging)
                    self.folios[(m, pages)] = folio
                    made.append(folio)
        return made

    def make(self, log: Log) -> list[Output]:
        """Every pack: those unchanged kept, those :meth:`assemble_ready` made, and the
        others assembled from their documents and the cover variant whose length came out
        as assumed (covers laid out again, up to three times, where none did)."""
        # Each round assembles every pack left, or lays its covers out again (at most
        # MAX_LAYOUTS times): a bounded loop, whatever goes wrong.
        for _round in range(MAX_LAYOUTS + 1):
            wanted = [m for m in self.stale if m not in self.assembled]
            if not wanted:
                break
            self._render([m for m in wanted if not self._rendered(m)])
            todo = [d for d in self._covers(wanted) if not d.with_suffix(".pdf").is_file()]
            if todo:
                log(f"converting {len(todo)} pack covers")
                for docx_file, pdf_file in self.convert(todo, self.staging / ".covers").items():
                    os.replace(pdf_file, docx_file.with_suffix(".pdf"))
            self.assemble_ready()
        left = [m for m in self.stale if m not in self.assembled]
        if left:
            raise ReportgenError(
                f"the pack for {', '.join(left)} could not be assembled: its cover's length "
                "kept changing, or one of its documents is missing; check the cover template "
                "and build again"
            )
        return self.kept + [self.assembled[m] for m in self.stale]

    def _covers(self, pack_ids: list[str]) -> list[Path]:
        """The .docx of every cover variant and page numbers laid out for these packs."""
        return [
            docx_file
            for (m, _pages), docx_file in [*self.variants.items(), *self.folios.items()]
            if m in pack_ids
        ]

    def _rendered(self, pack_id: str) -> bool:
        return any(key[0] == pack_id for key in self.variants)

    def _forget(self, pack_id: str) -> None:
        """Drop a pack's cover variants, none of which came out as long as assumed."""
        for table in (self.variants, self.folios):
            for key in [k for k in table if k[0] == pack_id]:
                table.pop(key).with_suffix(".pdf").unlink(missing_ok=True)

    def _assemble(self, pack_id: str, cover: Path) -> Output:
        from .pack import PackPart, assemble_pack

        project = self.checked.project
        assert project is not None
        relative, key = self.stale[pack_id]
        meeting_id = _meeting_of(pack_id)
        private = pack_id != meeting_id
        meeting = project.meetings[meeting_id]
        members = self.orders[pack_id]
        title = pack_title(meeting, private=private)
        target = self.staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        folio = self.folios.get((pack_id, self.candidates[pack_id][0]))
        starts = assemble_pack(
            PackPart(cover.with_suffix(".pdf"), "Summons and agenda"),
            [
                PackPart(
                    self.workspace.locate(d.relative("pdf")),
                    f"{agenda_label(d.placement)}: {d.title}",
                    # The private editions in it are marked already.
                    marked=d.edition == "private",
                )
                for d in members
            ],
            target,
            title=title,
            language=LANGUAGE,
            moment=self.workspace.moment,
            folio=folio.with_suffix(".pdf") if folio else None,
            mark=self._mark_pdf() if private else None,
        )
        template = self.checked.pack_templates[meeting_id]
        sources = sorted(
            {s for d in members for s in d.sources}
            | {source_name(self.paths.templates, template, "templates")}
        )
        output = describe(self.staging, relative, "pack", title, sources, meeting=meeting_id)
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
        return output

    def _mark_pdf(self) -> Path:
        assert self.workspace.mark is not None
        return self.workspace.mark.pdf


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
