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

import contextlib
import dataclasses
import datetime as dt
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
from .convert import DEFAULT_TIMEOUT, ConverterPool, convert_to_pdf, filter_argument
from .diagnostics import Diagnostic, ReportgenError
from .fingerprint import file_hash, fingerprint
from .finish import finish_pdf, source_moment
from .layout import Placement, agenda_label, pack_stem, place_documents
from .model import FOLDERS
from .pack import PackPart, assemble_pack, first_pages, page_count
from .render import Properties, render_docx
from .text import environment, render_template

MANIFEST = "manifest.json"
LOCK = ".reportgen.lock"
STAGING_PREFIX = ".staging-"
LANGUAGE = "en-GB"
# A cover page and a contents page, at the least.
COVER_PAGES = 2

Log = Callable[[str], None]


@dataclass(frozen=True)
class _Conversion:
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
    fingerprint: str = ""


@dataclass
class BuildResult:
    outputs: list[Output] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    built: int = 0
    up_to_date: int = 0
    packs_built: int = 0


@dataclass(frozen=True)
class Paths:
    """Where a build reads and writes."""

    inputs: Path
    templates: Path
    out: Path


@dataclass
class _Document:
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
class _Workspace:
    """Where this build writes (``staging``) and where the last build's outputs are."""

    staging: Path
    out: Path
    previous: dict[str, dict[str, Any]]
    moment: dt.datetime

    def locate(self, relative: str) -> Path:
        """An output of this build, or else the last build's copy of it."""
        fresh = self.staging / relative
        return fresh if fresh.exists() else self.out / relative


def build(
    paths: Paths,
    *,
    final: bool = False,
    force: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int | None = None,
    log: Log = lambda message: None,
    progress: Callable[[int, int], None] | None = None,
) -> BuildResult:
    """Build every document, pack and index under ``paths.inputs`` into ``paths.out``.

    Outputs whose fingerprint matches the previous build's (and whose file is intact) are
    kept as they are; ``force`` rebuilds everything. Raises :class:`ReportgenError` with every
    error (and warning) if the inputs or templates do not pass :func:`reportgen.check.check`;
    warnings alone are returned in the result. ``final`` turns facts not yet known into
    errors. ``progress(done, total)`` follows each LibreOffice conversion.
    """
    started = time.monotonic()
    checked = check(paths.inputs, paths.templates, final=final)
    if checked.errors:
        raise ReportgenError(checked.diagnostics)
    conversion = _Conversion(timeout, workers, progress)
    assert checked.inputs is not None
    moment = source_moment(checked.inputs.data)
    documents = _plan_documents(checked, paths, conversion, moment)
    previous = _previous_outputs(paths.out)
    reusable = {} if force else previous
    for document in documents.values():
        document.reused = all(
            _still_good(reusable, paths.out, document.relative(suffix), document.fingerprint)
            for suffix in ("docx", "pdf")
        )
        if document.reused:
            document.pages = int(previous[document.relative("pdf")]["pages"])
    stale = [d for d in documents.values() if not d.reused]
    log(f"{len(stale)} of {len(documents)} documents to build{' (draft)' if checked.draft else ''}")

    paths.out.mkdir(parents=True, exist_ok=True)
    with _exclusive(paths.out):
        _remove_stale_staging(paths.out)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=paths.out))
        try:
            workspace = _Workspace(staging, paths.out, reusable, moment)
            outputs = _produce(checked, paths, documents, workspace, conversion, log)
            made = [o.path for o in outputs if (staging / o.path).is_file()]
            _publish(staging, paths.out, [*made, MANIFEST])
            _remove_superseded(paths.out, set(previous) - {o.path for o in outputs})
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(
        outputs,
        checked.warnings,
        time.monotonic() - started,
        built=len(stale),
        up_to_date=len(documents) - len(stale),
        packs_built=sum(1 for o in outputs if o.kind == "pack" and o.path in made),
    )


def _plan_documents(
    checked: Checked, paths: Paths, conversion: _Conversion, moment: dt.datetime
) -> dict[str, _Document]:
    """Every document with its place, title, sources and fingerprint, in agenda order."""
    project, inputs = checked.project, checked.inputs
    assert project is not None and inputs is not None
    titles = {d: context["title"] for d, context in checked.contexts.items()}
    placements = place_documents(project, titles)
    # A document depends on the shared files, its own file and its programme's, not on other
    # documents' or programmes'.
    shared = [
        _source_name(inputs.root, path, "inputs")
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
        named = [_source_name(inputs.root, inputs.files[key], "inputs") for key in own]
        sources = [*sorted([*shared, *named]), _source_name(paths.templates, template, "templates")]
        placement = placements[document_id]
        documents[document_id] = _Document(
            placement,
            project.documents[document_id].kind,
            titles[document_id],
            sources,
            fingerprint(context, template, moment, placement, sources, conversion.settings()),
        )
    # Agenda order: by meeting folder, item, then appendix.
    return dict(sorted(documents.items(), key=lambda pair: _agenda_order(pair[1].placement)))


def _render(checked: Checked, document: _Document) -> bytes:
    """One document's .docx bytes."""
    project = checked.project
    assert project is not None
    document_id = document.placement.document_id
    model = project.documents[document_id]
    properties = Properties(document.title, LANGUAGE, _author(model), _dated(model))
    return render_docx(checked.templates[document_id], checked.contexts[document_id], properties)


def _batch_size(documents: int, workers: int) -> int:
    """Documents per LibreOffice call: every worker busy, and for large builds several
    calls each, so rendering the next batch overlaps converting this one (a call costs a
    LibreOffice start, about a second, so small builds make one call a worker)."""
    per_worker = min(3, max(1, documents // 100))
    return max(1, -(-documents // (workers * per_worker)))


def _agenda_order(placement: Placement) -> tuple[str, int, str, str]:
    return (placement.folder, placement.item or 0, placement.appendix or "", placement.stem)


def _author(document: Any) -> str:
    return getattr(document, "author", None) or "reportgen"


def _write(target: Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` in the staging directory, making its folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def _dated(document: Any) -> Any:
    # A form not yet submitted, or a meeting not yet fixed, has no date: the document
    # properties then keep the template's dates.
    date = document.date
    return date if hasattr(date, "isoformat") else None


def _produce(
    checked: Checked,
    paths: Paths,
    documents: dict[str, _Document],
    workspace: _Workspace,
    convert: _Conversion,
    log: Log,
) -> list[Output]:
    """Write every output that changed into the staging directory, laid out as it will be
    in ``paths.out``; describe every output, changed or not, for the manifest."""
    staging = workspace.staging
    stale = [d for d in documents.values() if not d.reused]
    if stale:
        log(f"rendering and converting {len(stale)} documents")
        _render_and_convert(checked, stale, staging, convert, workspace.moment)

    outputs = []
    for document in documents.values():
        for suffix in ("docx", "pdf"):
            relative = document.relative(suffix)
            if document.reused:
                outputs.append(Output(**workspace.previous[relative]))
                continue
            output = _describe(
                staging,
                relative,
                document.kind,
                document.title,
                document.sources,
                meeting=document.placement.meeting,
            )
            output.fingerprint = document.fingerprint
            outputs.append(output)
            if output.pages is not None:
                document.pages = output.pages
    outputs += _packs(checked, paths, documents, workspace, convert, log)
    outputs += _indexes(checked, paths, documents, outputs, staging)
    manifest = {"outputs": [_manifest_entry(o) for o in outputs]}
    (staging / MANIFEST).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return outputs


def _render_and_convert(
    checked: Checked,
    stale: list[_Document],
    staging: Path,
    convert: _Conversion,
    moment: dt.datetime,
) -> None:
    """Render the documents, handing them to LibreOffice in batches as they are ready, and
    finish each PDF as its batch completes; every rendering problem is collected."""

    def finish(pdfs: list[Path]) -> None:
        for pdf in pdfs:
            finish_pdf(pdf, moment)

    pool = convert.pool(staging / ".convert", after_batch=finish)
    size = _batch_size(len(stale), pool.workers)
    batch: list[Path] = []
    problems = []
    for document in stale:
        try:
            data = _render(checked, document)
        except ReportgenError as exc:
            problems.extend(exc.diagnostics)
            continue
        batch.append(_write(staging / document.relative("docx"), data))
        if len(batch) >= size and not problems:
            pool.submit(batch)
            batch = []
    if problems:
        with contextlib.suppress(ReportgenError):
            pool.close()
        raise ReportgenError(problems)
    pool.submit(batch)
    for docx_file, pdf_file in pool.close().items():
        os.replace(pdf_file, docx_file.with_suffix(".pdf"))


def _packs(
    checked: Checked,
    paths: Paths,
    documents: dict[str, _Document],
    workspace: _Workspace,
    convert: _Conversion,
    log: Log,
) -> list[Output]:
    """One pack per meeting with items: cover and contents, then each document in order.
    A pack whose documents and cover are unchanged is kept."""
    project = checked.project
    assert project is not None
    staging = workspace.staging
    moment = workspace.moment
    orders = {
        m: [documents[d] for item in meeting.items for d in (item.document, *item.appendices)]
        for m, meeting in project.meetings.items()
        if meeting.items
    }
    outputs: list[Output] = []
    stale = {}
    for meeting_id, members in orders.items():
        meeting = project.meetings[meeting_id]
        relative = f"{members[0].placement.folder}/{pack_stem(meeting)}.pdf"
        key = fingerprint(
            [d.fingerprint for d in members],
            meeting,
            project.organisations[meeting.council],
            checked.pack_templates[meeting_id],
            checked.folio_templates.get(meeting_id),
            checked.draft,
            moment,
            convert.settings(),
        )
        if _still_good(workspace.previous, workspace.out, relative, key):
            outputs.append(Output(**workspace.previous[relative]))
        else:
            stale[meeting_id] = (relative, key)
    if not stale:
        return outputs

    # The contents page numbers depend on how long the cover itself is, known only once it
    # is converted. Each cover is laid out for the likely lengths at once, in one
    # LibreOffice call, and the variant whose length came out as assumed is kept.
    candidates = {m: _likely_cover_pages(len(orders[m])) for m in stale}
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
                if checked.folio_templates.get(key[0])
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

    for meeting_id, (relative, key) in stale.items():
        meeting = project.meetings[meeting_id]
        members = orders[meeting_id]
        title = pack_title(meeting)
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        folio = folios.get((meeting_id, candidates[meeting_id][0]))
        starts = assemble_pack(
            PackPart(staging / ".covers" / f"{covers[meeting_id].stem}.pdf", "Cover and contents"),
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
        finish_pdf(target, moment)
        template = checked.pack_templates[meeting_id]
        sources = sorted(
            {s for d in members for s in d.sources}
            | {_source_name(paths.templates, template, "templates")}
        )
        output = _describe(staging, relative, "pack", title, sources, meeting=meeting_id)
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
        outputs.append(output)
    return outputs


def _likely_cover_pages(entries: int) -> list[int]:
    """A cover page, then contents pages holding about 25 entries each: that length and the
    next, in case titles wrap."""
    likely = COVER_PAGES + max(0, (entries - 1) // 25)
    return [likely, likely + 1]


def _render_folio(
    checked: Checked, meeting_id: str, pages: int, cover_pages: int, staging: Path
) -> Path:
    """Blank pages numbered 1 to ``pages``, to lay over the pack's."""
    project = checked.project
    assert project is not None
    meeting = project.meetings[meeting_id]
    data = render_docx(
        checked.folio_templates[meeting_id],
        {"pages": pages},
        Properties(pack_title(meeting), LANGUAGE, "reportgen"),
    )
    return _write(staging / ".covers" / f"{pack_stem(meeting)}-folio-{cover_pages}.docx", data)


def _render_cover(
    checked: Checked,
    meeting_id: str,
    members: list[_Document],
    cover_pages: int,
    staging: Path,
) -> Path:
    project = checked.project
    assert project is not None
    starts = first_pages(cover_pages, [d.pages for d in members])
    contents = [
        ContentsEntry(d.placement.item or 0, d.placement.appendix or "", d.title, start)
        for d, start in zip(members, starts, strict=True)
    ]
    context = compose_cover(project, meeting_id, contents, draft=checked.draft)
    meeting = project.meetings[meeting_id]
    properties = Properties(context["title"], LANGUAGE, "reportgen", _dated(meeting))
    data = render_docx(checked.pack_templates[meeting_id], context, properties)
    return _write(staging / ".covers" / f"{pack_stem(meeting)}-cover-{cover_pages}.docx", data)


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
        html = render_template(template, {**context, "documents": rows})
        relative = f"{folder}/index.html"
        (staging / folder).mkdir(parents=True, exist_ok=True)
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


def _previous_outputs(out: Path) -> dict[str, dict[str, Any]]:
    """The last build's manifest entries by path (none if there is no readable manifest)."""
    try:
        entries = json.loads((out / MANIFEST).read_text("utf-8"))["outputs"]
        fields = {f.name for f in dataclasses.fields(Output)}
        return {e["path"]: e for e in entries if isinstance(e, dict) and set(e) <= fields}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _still_good(previous: dict[str, dict[str, Any]], out: Path, relative: str, key: str) -> bool:
    """Whether the last build made ``relative`` from the same fingerprint, and the file is
    still there as it was written (a clerk may have edited or deleted it)."""
    entry = previous.get(relative)
    if not entry or entry.get("fingerprint") != key:
        return False
    try:
        return file_hash(out / relative) == entry.get("sha256")
    except OSError:
        return False


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
