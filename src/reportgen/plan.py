"""Planning a build: which documents it makes, where each goes, what each depends on (its
sources and fingerprint), and how LibreOffice is to be run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .check import Checked
from .convert import ConverterPool, convert_to_pdf, filter_argument
from .fingerprint import fingerprint
from .layout import Placement, place_documents
from .manifest import source_name
from .model import FOLDERS

LANGUAGE = "en-GB"


@dataclass(frozen=True)
class Paths:
    """Where a build reads and writes."""

    inputs: Path
    templates: Path
    out: Path


@dataclass(frozen=True)
class Conversion:
    """How LibreOffice is run: seconds per document, processes at once."""

    timeout: float
    workers: int | None
    progress: Callable[[int, int], None] | None = None

    def __call__(self, documents: list[Path], outdir: Path) -> dict[Path, Path]:
        if not documents:
            return {}
        return convert_to_pdf(
            documents,
            outdir,
            timeout=self.timeout,
            workers=self.workers,
            progress=self.progress,
        )

    def pool(self, outdir: Path, after_batch: Callable[[list[Path]], None]) -> ConverterPool:
        """Workers to feed batches as they are rendered."""
        return ConverterPool(
            outdir,
            timeout=self.timeout,
            workers=self.workers,
            progress=self.progress,
            after_batch=after_batch,
        )

    def settings(self) -> str:
        """What of the conversion shapes its output (not the timeout or the processes)."""
        return filter_argument()


@dataclass
class PlannedDocument:
    """A document on its way to ``build/``: rendered, or ``reused`` from the last build."""

    placement: Placement
    kind: str
    title: str
    sources: list[str]
    fingerprint: str
    pages: int = 0
    reused: bool = False

    def relative(self, suffix: str) -> str:
        return f"{self.placement.folder}/{self.placement.stem}.{suffix}"


@dataclass(frozen=True)
class Workspace:
    """Where this build writes (``staging``) and where the last build's outputs are."""

    staging: Path
    out: Path
    previous: dict[str, dict[str, Any]]
    moment: dt.datetime

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
    shared = [
        source_name(inputs.root, path, "inputs")
        for prefix, path in sorted(inputs.files.items())
        if prefix[0] not in FOLDERS
    ]
    documents = {}
    for document_id, context in checked.contexts.items():
        template = checked.templates[document_id]
        model = project.documents[document_id]
        own = [("documents", document_id)]
        if model.programme is not None:
            own.append(("programmes", model.programme))
        named = [source_name(inputs.root, inputs.files[key], "inputs") for key in own]
        sources = [*sorted([*shared, *named]), source_name(paths.templates, template, "templates")]
        placement = placements[document_id]
        documents[document_id] = PlannedDocument(
            placement,
            project.documents[document_id].kind,
            titles[document_id],
            sources,
            fingerprint(context, template, moment, placement, sources, conversion.settings()),
        )
    # Agenda order: by meeting folder, item, then appendix.
    return dict(sorted(documents.items(), key=lambda pair: agenda_order(pair[1].placement)))


def agenda_order(placement: Placement) -> tuple[str, int, str, str]:
    """Sort key: by meeting folder, item, then appendix."""
    return (placement.folder, placement.item or 0, placement.appendix or "", placement.stem)


def author_of(document: Any) -> str:
    """The author written into a document's properties."""
    return getattr(document, "author", None) or "reportgen"


def dated(document: Any) -> Any:
    """The date written into a document's properties, if it has one yet."""
    # A form not yet submitted, or a meeting not yet fixed, has no date: the document
    # properties then keep the template's dates.
    date = document.date
    return date if hasattr(date, "isoformat") else None
