"""Planning a build: which documents it makes, where each goes and what each depends on (its
sources and fingerprint)."""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .check import Checked
from .compose import ContentsEntry, report_by
from .conversion import Conversion
from .fingerprint import fingerprint
from .layout import Placement, place_documents
from .manifest import source_name
from .model import FOLDERS, Project
from .paths import Paths
from .render import Properties, render_docx

LANGUAGE = "en-GB"


# Where the private edition of every document with exempt information goes, apart from
# everything the public may see.
PRIVATE = "private"
# The key of a document's private edition among the planned documents.
PRIVATE_EDITION = "#private"
Edition = Literal["public", "private", "notice"]


@dataclass
class PlannedDocument:
    """A document on its way to ``build/``: rendered, or ``reused`` from the last build.

    Its ``edition`` is ``public``; or ``private``, the full text of a document that is
    exempt or has exempt paragraphs, kept under ``private/``; or ``notice``, the page the
    public sees in place of a document that is exempt as a whole.
    """

    placement: Placement
    kind: str
    title: str
    sources: list[str]
    fingerprint: str
    pages: int = 0
    reused: bool = False
    edition: Edition = "public"

    def relative(self, suffix: str) -> str:
        folder, stem = self.placement.folder, self.placement.stem
        if self.edition == "private":
            return f"{PRIVATE}/{folder}/{stem}-private.{suffix}"
        if self.edition == "notice":
            return f"{folder}/{stem}-not-for-publication.{suffix}"
        return f"{folder}/{stem}.{suffix}"

    @property
    def access(self) -> str:
        """``private`` for what only members and officers may see, else ``public``."""
        return "private" if self.edition == "private" else "public"


class PrivateMark:
    """The NOT FOR PUBLICATION mark laid over every page of the private editions, as a PDF
    made the first time a build needs it (a build with nothing private never starts
    LibreOffice for it)."""

    def __init__(self, template: Path | None, staging: Path, convert: Conversion):
        self.template = template
        self.staging = staging
        self.convert = convert

    @functools.cached_property
    def pdf(self) -> Path:
        assert self.template is not None, "check() requires the mark wherever it is used"
        folder = self.staging / ".mark"
        data = render_docx(
            self.template, {}, Properties("Not for publication", LANGUAGE, "reportgen")
        )
        docx_file = folder / "not-for-publication.docx"
        folder.mkdir(parents=True, exist_ok=True)
        docx_file.write_bytes(data)
        return self.convert([docx_file], folder)[docx_file]


@dataclass(frozen=True)
class Workspace:
    """Where this build writes (``staging``) and where the last build's outputs are."""

    staging: Path
    out: Path
    previous: dict[str, dict[str, Any]]
    moment: dt.datetime
    mark: PrivateMark | None = None
    # The one meeting this build makes papers for (``--only``), or every meeting.
    only: str | None = None

    def locate(self, relative: str) -> Path:
        """An output of this build, or else the last build's copy of it."""
        fresh = self.staging / relative
        return fresh if fresh.exists() else self.out / relative


def plan_documents(
    checked: Checked, paths: Paths, conversion: Conversion, moment: dt.datetime
) -> dict[str, PlannedDocument]:
    """Every document with its place, title, sources and fingerprint, in agenda order."""
    project, inputs = checked.project, checked.inputs
    assert project is not None and inputs is not None
    titles = {d: context["title"] for d, context in checked.contexts.items()}
    placements = place_documents(project, titles)
    # A document depends on the shared files, its own file and its programme's, not on other
    # documents' or programmes'.
    # The house style (style.yaml) is read by the checks, never by a document.
    shared = [
        source_name(inputs.root, path, "inputs")
        for prefix, path in sorted(inputs.files.items())
        if prefix[0] not in FOLDERS and prefix[0] != "style"
    ]
    documents = {}
    for document_id, context in checked.contexts.items():
        template = checked.templates[document_id]
        model = project.documents[document_id]
        own = [("documents", document_id)]
        if model.programme is not None:
            own.append(("programmes", model.programme))
        named = [source_name(inputs.root, inputs.files[key], "inputs") for key in own]
        inputs_used = sorted([*shared, *named])
        placement = placements[document_id]

        same = _Shared(paths, moment, conversion, placement, model.kind, titles[document_id])
        if model.exempt is not None:
            notice = checked.notice_contexts[document_id]
            template_used = checked.notice_template
            assert template_used is not None
            documents[document_id] = same.planned("notice", template_used, notice, inputs_used)
        else:
            documents[document_id] = same.planned("public", template, context, inputs_used)
        if document_id in checked.private_contexts:
            private = checked.private_contexts[document_id]
            documents[document_id + PRIVATE_EDITION] = same.planned(
                "private", template, private, inputs_used
            )
    # Agenda order: by meeting folder, item, then appendix.
    return dict(sorted(documents.items(), key=lambda pair: agenda_order(pair[1].placement)))


def contents_entry(project: Project, document: PlannedDocument, page: int) -> ContentsEntry:
    """The agenda's line for a planned document, starting on ``page`` of the pack (0 where
    no page is shown)."""
    placement = document.placement
    return ContentsEntry(
        placement.item or 0,
        placement.appendix or "",
        document.title,
        page,
        report_by(project, placement.document_id),
    )


@dataclass(frozen=True)
class _Shared:
    """What every edition of one document shares."""

    paths: Paths
    moment: dt.datetime
    conversion: Conversion
    placement: Placement
    kind: str
    title: str

    def planned(
        self, edition: Edition, template: Path, context: dict[str, Any], inputs_used: list[str]
    ) -> PlannedDocument:
        sources = [*inputs_used, source_name(self.paths.templates, template, "templates")]
        key = fingerprint(
            context,
            template,
            self.moment,
            self.placement,
            sources,
            self.conversion.settings(),
            edition,
        )
        return PlannedDocument(self.placement, self.kind, self.title, sources, key, edition=edition)


def source_moment(data: Any) -> dt.datetime:
    """The moment a build stamps into its outputs (the PDFs' dates, the calendar's):
    ``SOURCE_DATE_EPOCH`` if set, else midnight (UTC) of the latest date in the inputs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    dates = list(_dates(data))
    latest = max(dates) if dates else dt.date(2000, 1, 1)
    return dt.datetime.combine(latest, dt.time(), dt.UTC)


def _dates(node: Any) -> Iterator[dt.date]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _dates(value)
    elif isinstance(node, list):
        for value in node:
            yield from _dates(value)
    elif isinstance(node, dt.date):
        yield node


def agenda_order(placement: Placement) -> tuple[str, int, str, str]:
    """Sort key: by meeting folder, item, then appendix."""
    return (placement.folder, placement.item or 0, placement.appendix or "", placement.stem)


def author_of(document: Any, council: Any) -> str:
    """The author written into a document's properties: the report's author, else the
    council that writes it."""
    return getattr(document, "author", None) or council.name


def meeting_properties(project: Project, meeting_id: str, title: str) -> Properties:
    """The document properties of what a meeting's council publishes for it (its pack's
    front, its record of decisions): the council as author and company, the body as
    subject, dated as the meeting is."""
    meeting = project.meetings[meeting_id]
    council = project.organisations[meeting.council].name
    return Properties(
        title, LANGUAGE, council, dated(meeting), subject=meeting.body_name, company=council
    )


def dated(document: Any) -> Any:
    """The date written into a document's properties, if it has one yet."""
    # A form not yet submitted, or a meeting not yet fixed, has no date: the document
    # properties then keep the template's dates.
    date = document.date
    return date if hasattr(date, "isoformat") else None
