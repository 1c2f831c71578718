"""The build: inputs → every document as .docx and PDF, a committee pack and an index page
per meeting, and ``manifest.json`` describing them all.

Nothing is written into the output directory until every document has rendered and
converted and every pack is assembled: work happens in a staging directory beside the
outputs, and finished files are moved into place with ``os.replace`` (atomic on one file
system), the manifest last. A failed build leaves the previous outputs and manifest as they
were. Files a previous build listed that this build no longer makes (a renamed document,
say) are removed after the new manifest is in place.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .check import INDEX_TEMPLATE, Checked, check
from .compose import ContentsEntry, compose_cover, pack_title
from .convert import DEFAULT_TIMEOUT, convert_to_pdf
from .diagnostics import Diagnostic, ReportgenError
from .finish import finish_pdf, source_moment
from .layout import Placement, pack_stem, place_documents
from .pack import PackPart, assemble_pack, first_pages, page_count
from .render import Properties, render_docx
from .text import environment

MANIFEST = "manifest.json"
LOCK = ".reportgen.lock"
STAGING_PREFIX = ".staging-"
LANGUAGE = "en-GB"
# A cover page and a contents page; a pack whose cover comes out longer is laid out again.
COVER_PAGES = 2

Log = Callable[[str], None]


@dataclass(frozen=True)
class _Conversion:
    """How LibreOffice is run: seconds per document, processes at once."""

    timeout: float
    workers: int | None

    def __call__(self, documents: list[Path], outdir: Path) -> dict[Path, Path]:
        return convert_to_pdf(documents, outdir, timeout=self.timeout, workers=self.workers)


@dataclass
class Output:
    """One file a build produced, as listed in ``manifest.json``."""

    path: str
    kind: str
    format: str
    title: str
    sha256: str
    sources: list[str]
    pages: int | None = None
    meeting: str | None = None
    contents: list[dict[str, Any]] | None = None
    size: int = 0


@dataclass
class BuildResult:
    outputs: list[Output] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class Paths:
    """Where a build reads and writes."""

    inputs: Path
    templates: Path
    out: Path


@dataclass
class _Document:
    """A rendered document on its way to ``build/``."""

    placement: Placement
    kind: str
    title: str
    docx: bytes
    sources: list[str]
    pages: int = 0

    def relative(self, suffix: str) -> str:
        return f"{self.placement.folder}/{self.placement.stem}.{suffix}"


def build(
    paths: Paths,
    *,
    final: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int | None = None,
    log: Log = lambda message: None,
) -> BuildResult:
    """Build every document, pack and index under ``paths.inputs`` into ``paths.out``.

    Raises :class:`ReportgenError` with every error (and warning) if the inputs or templates
    do not pass :func:`reportgen.check.check`; warnings alone are returned in the result.
    ``final`` turns facts not yet known into errors.
    """
    started = time.monotonic()
    checked = check(paths.inputs, paths.templates, final=final)
    if checked.errors:
        raise ReportgenError(checked.diagnostics)
    log(f"checked {len(checked.templates)} documents{' (draft)' if checked.draft else ''}")
    documents = _render_documents(checked, paths)

    paths.out.mkdir(parents=True, exist_ok=True)
    with _exclusive(paths.out):
        _remove_stale_staging(paths.out)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=paths.out))
        try:
            conversion = _Conversion(timeout, workers)
            outputs = _produce(checked, paths, documents, staging, conversion, log)
            previous = _listed(paths.out / MANIFEST)
            _publish(staging, paths.out, [o.path for o in outputs] + [MANIFEST])
            _remove_superseded(paths.out, previous - {o.path for o in outputs})
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(outputs, checked.warnings, time.monotonic() - started)


def _render_documents(checked: Checked, paths: Paths) -> dict[str, _Document]:
    """Render every document to .docx bytes, collecting every problem before raising."""
    project, inputs = checked.project, checked.inputs
    assert project is not None and inputs is not None
    titles = {d: context["title"] for d, context in checked.contexts.items()}
    placements = place_documents(project, titles)
    input_sources = [_source_name(inputs.root, p, "inputs") for p in inputs.source_files()]
    documents = {}
    problems = []
    for document_id, context in checked.contexts.items():
        document = project.documents[document_id]
        template = checked.templates[document_id]
        properties = Properties(titles[document_id], LANGUAGE, _author(document), _dated(document))
        try:
            data = render_docx(template, context, properties)
        except ReportgenError as exc:
            problems.extend(exc.diagnostics)
            continue
        sources = [*input_sources, _source_name(paths.templates, template, "templates")]
        documents[document_id] = _Document(
            placements[document_id], document.kind, titles[document_id], data, sources
        )
    if problems:
        raise ReportgenError(problems)
    # Agenda order: by meeting folder, item, then appendix.
    return dict(sorted(documents.items(), key=lambda pair: _agenda_order(pair[1].placement)))


def _agenda_order(placement: Placement) -> tuple[str, int, str, str]:
    return (placement.folder, placement.item or 0, placement.appendix or "", placement.stem)


def _author(document: Any) -> str:
    return getattr(document, "author", None) or "reportgen"


def _dated(document: Any) -> Any:
    # Forms not yet submitted have no date; the document properties still need one.
    date = document.date
    return date if hasattr(date, "isoformat") else None


def _produce(
    checked: Checked,
    paths: Paths,
    documents: dict[str, _Document],
    staging: Path,
    convert: _Conversion,
    log: Log,
) -> list[Output]:
    """Write every output into ``staging``, laid out as it will be in ``paths.out``."""
    docx_files = []
    for document in documents.values():
        target = staging / document.relative("docx")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(document.docx)
        docx_files.append(target)
    log(f"rendered {len(docx_files)} documents; converting to PDF")
    converted = convert(docx_files, staging / ".convert")
    moment = source_moment(checked.inputs.data if checked.inputs else {})
    for docx_file, pdf_file in converted.items():
        finish_pdf(pdf_file, moment)
        os.replace(pdf_file, docx_file.with_suffix(".pdf"))

    outputs = []
    for document in documents.values():
        document.pages = page_count(staging / document.relative("pdf"))
        for suffix in ("docx", "pdf"):
            outputs.append(
                _describe(
                    staging,
                    document.relative(suffix),
                    document.kind,
                    document.title,
                    document.sources,
                    meeting=document.placement.meeting,
                )
            )
    outputs += _packs(checked, paths, documents, staging, convert, log)
    outputs += _indexes(checked, paths, documents, outputs, staging)
    manifest = {"outputs": [_manifest_entry(o) for o in outputs]}
    (staging / MANIFEST).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return outputs


def _packs(
    checked: Checked,
    paths: Paths,
    documents: dict[str, _Document],
    staging: Path,
    convert: _Conversion,
    log: Log,
) -> list[Output]:
    """One pack per meeting with items: cover and contents, then each document in order."""
    project = checked.project
    assert project is not None and checked.inputs is not None
    moment = source_moment(checked.inputs.data)
    meetings = {m: meeting for m, meeting in project.meetings.items() if meeting.items}
    if not meetings:
        return []
    order = {
        m: [d for item in meeting.items for d in (item.document, *item.appendices)]
        for m, meeting in meetings.items()
    }
    cover_pages = dict.fromkeys(meetings, COVER_PAGES)
    # The contents page numbers depend on how long the cover is, known only once converted.
    for _attempt in range(3):
        covers = {
            m: _render_cover(checked, paths, m, order[m], documents, cover_pages[m], staging)
            for m in meetings
        }
        log(f"converting {len(covers)} pack covers")
        convert(list(covers.values()), staging / ".covers")
        actual = {m: page_count(staging / ".covers" / f"{covers[m].stem}.pdf") for m in covers}
        if actual == cover_pages:
            break
        cover_pages = actual
    else:
        raise ReportgenError("a pack cover's length kept changing; check the cover template")

    outputs = []
    for meeting_id, meeting in meetings.items():
        members = [documents[d] for d in order[meeting_id]]
        folder = members[0].placement.folder
        relative = f"{folder}/{pack_stem(meeting)}.pdf"
        title = pack_title(meeting)
        starts = assemble_pack(
            PackPart(staging / ".covers" / f"{covers[meeting_id].stem}.pdf", "Cover and contents"),
            [PackPart(staging / d.relative("pdf"), d.title) for d in members],
            staging / relative,
            title=title,
            language=LANGUAGE,
        )
        finish_pdf(staging / relative, moment)
        template = paths.templates / meeting.pack_template
        sources = sorted(
            {s for d in members for s in d.sources}
            | {_source_name(paths.templates, template, "templates")}
        )
        contents = [
            {
                "path": d.relative("pdf"),
                "title": d.title,
                "kind": d.kind,
                "first_page": start,
                "pages": d.pages,
            }
            for d, start in zip(members, starts, strict=True)
        ]
        output = _describe(staging, relative, "pack", title, sources, meeting=meeting_id)
        output.contents = contents
        outputs.append(output)
    return outputs


def _render_cover(
    checked: Checked,
    paths: Paths,
    meeting_id: str,
    order: list[str],
    documents: dict[str, _Document],
    cover_pages: int,
    staging: Path,
) -> Path:
    project = checked.project
    assert project is not None
    members = [documents[d] for d in order]
    starts = first_pages(cover_pages, [d.pages for d in members])
    contents = [
        ContentsEntry(d.placement.item or 0, d.placement.appendix or "", d.title, start)
        for d, start in zip(members, starts, strict=True)
    ]
    context = compose_cover(project, meeting_id, contents, draft=checked.draft)
    meeting = project.meetings[meeting_id]
    template = paths.templates / meeting.pack_template
    date = meeting.date if hasattr(meeting.date, "isoformat") else None
    data = render_docx(template, context, Properties(context["title"], LANGUAGE, "reportgen", date))
    target = staging / ".covers" / f"{pack_stem(meeting)}-cover.docx"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def _indexes(
    checked: Checked,
    paths: Paths,
    documents: dict[str, _Document],
    outputs: list[Output],
    staging: Path,
) -> list[Output]:
    """A static ``index.html`` per meeting folder listing its pack and documents."""
    project = checked.project
    assert project is not None
    template_path = paths.templates / INDEX_TEMPLATE
    template = environment(autoescape=True).from_string(template_path.read_text("utf-8"))
    by_path = {o.path: o for o in outputs}
    results = []
    for meeting_id in project.meetings:
        members = [d for d in documents.values() if d.placement.meeting == meeting_id]
        if not members:
            continue
        folder = members[0].placement.folder
        rows = []
        pack = next((o for o in outputs if o.kind == "pack" and o.meeting == meeting_id), None)
        if pack is not None:
            rows.append(_index_row("All papers", pack, by_path, folder, None))
        for d in members:
            item = f"{d.placement.item}" + (
                f", appendix {d.placement.appendix}" if d.placement.appendix else ""
            )
            rows.append(_index_row(item, by_path[d.relative("pdf")], by_path, folder, d))
        context = compose_cover(project, meeting_id, [], draft=checked.draft)
        html = template.render({**context, "documents": rows})
        relative = f"{folder}/index.html"
        (staging / relative).write_text(html, encoding="utf-8")
        sources = sorted(
            {s for d in members for s in d.sources}
            | {_source_name(paths.templates, template_path, "templates")}
        )
        results.append(
            _describe(staging, relative, "index", context["title"], sources, meeting=meeting_id)
        )
    return results


def _index_row(
    item: str, pdf: Output, by_path: dict[str, Output], folder: str, document: _Document | None
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


@contextmanager
def _exclusive(out: Path) -> Iterator[None]:
    """Hold a lock on ``out`` so two builds never interleave their files."""
    with (out / LOCK).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReportgenError(
                f"{out}: another reportgen build is writing here; wait for it to finish"
            ) from None
        yield


def _remove_stale_staging(out: Path) -> None:
    """Staging directories left by a build that was killed (we hold the lock: none is live)."""
    for stale in out.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(stale, ignore_errors=True)


def _source_name(root: Path, path: Path, label: str) -> str:
    # Named by role, not by where the directory happens to be, so a copied inputs directory
    # yields the same manifest.
    return f"{label}/{path.relative_to(root).as_posix()}"


def _describe(
    staging: Path,
    relative: str,
    kind: str,
    title: str,
    sources: list[str],
    *,
    meeting: str | None = None,
) -> Output:
    path = staging / relative
    data = path.read_bytes()
    return Output(
        path=relative,
        kind=kind,
        format=path.suffix.lstrip("."),
        title=title,
        sha256=hashlib.sha256(data).hexdigest(),
        sources=sources,
        pages=page_count(path) if path.suffix == ".pdf" else None,
        meeting=meeting,
        size=len(data),
    )


def _manifest_entry(output: Output) -> dict[str, Any]:
    entry = asdict(output)
    return {key: value for key, value in entry.items() if value is not None}


def _listed(manifest: Path) -> set[str]:
    """The paths a previous manifest lists (none if there is none or it is unreadable)."""
    try:
        return {o["path"] for o in json.loads(manifest.read_text("utf-8"))["outputs"]}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _publish(staging: Path, out: Path, relatives: list[str]) -> None:
    """Move finished files from ``staging`` into ``out``, the manifest last."""
    for relative in relatives:
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relative, target)


def _remove_superseded(out: Path, relatives: set[str]) -> None:
    """Delete outputs of an earlier build that this one no longer makes, and their empty
    folders; only files a manifest listed, never anything else in ``out``."""
    for relative in sorted(relatives):
        target = out / relative
        if out.resolve() in target.resolve().parents:
            target.unlink(missing_ok=True)
            parent = target.parent
            while parent != out and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
