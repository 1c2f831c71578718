"""Producing a build's outputs: check the inputs, plan the documents (:mod:`reportgen.plan`),
render and convert what changed, make the packs (:mod:`reportgen.packs`), the generated
documents and the meeting pages (:mod:`reportgen.meeting_pages`), write the manifest
(:mod:`reportgen.manifest`) and publish (:mod:`reportgen.publish`). Everything is made in a
staging directory beside the outputs, and moved into place only once all of it is made."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .check import Checked, check
from .conversion import Conversion
from .diagnostics import Diagnostic, ReportgenError
from .generated import make_generated
from .html_edition import make_html_editions
from .manifest import MANIFEST, Output, describe, previous_outputs, still_good, write_manifest
from .meeting_pages import SITE_INDEX, meeting_pages, pack_pages, site_index
from .packs import Packs
from .paths import Paths
from .plan import (
    LANGUAGE,
    PlannedDocument,
    PrivateMark,
    Workspace,
    author_of,
    dated,
    plan_documents,
    source_moment,
)
from .publish import STAGING_PREFIX, claim, exclusive, publish, recover, stage
from .render import Properties, render_docx

Log = Callable[[str], None]


@dataclass
class BuildResult:
    """What a build made: every output, the warnings, how long it took, and how many
    documents it built, kept as they were, and packs it made."""

    outputs: list[Output] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    built: int = 0
    up_to_date: int = 0
    packs_built: int = 0


def build_outputs(
    paths: Paths,
    conversion: Conversion,
    started: float,
    final: bool,
    force: bool,
    into_existing: bool,
    log: Log,
    only: str | None,
) -> BuildResult:
    checked = check(paths.inputs, paths.templates, final=final, only=only)
    if checked.errors:
        raise ReportgenError(checked.diagnostics)
    assert checked.inputs is not None
    moment = source_moment(checked.inputs.data)
    documents = plan_documents(checked, paths, conversion, moment)
    if only is not None:
        documents = {k: d for k, d in documents.items() if d.placement.meeting == only}

    claim(paths.out, adopt=into_existing)
    paths.out.mkdir(parents=True, exist_ok=True)
    with exclusive(paths.out):
        # Under the lock: the previous manifest read here is the one the files match.
        recover(paths.out)
        previous = previous_outputs(paths.out)
        reusable = {} if force else previous
        stale = _decide_reuse(documents, paths.out, reusable, previous)
        draft = " (draft)" if checked.draft else ""
        log(f"{len(stale)} of {len(documents)} documents to build{draft}")
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=paths.out))
        try:
            mark = PrivateMark(checked.mark_template, staging, conversion)
            workspace = Workspace(staging, paths.out, reusable, moment, mark, only=only)
            outputs = _produce(checked, paths, documents, workspace, conversion, log)
            made = [o.path for o in outputs if (staging / o.path).is_file()]
            superseded = set(previous) - {o.path for o in outputs}
            kept = publish(staging, paths.out, [*made, MANIFEST], superseded)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    warnings = checked.warnings + [
        Diagnostic(str(paths.out / k), 0, 0, "warning", _NOT_REMOVED) for k in kept
    ]
    return BuildResult(
        outputs,
        warnings,
        time.monotonic() - started,
        built=len(stale),
        up_to_date=len(documents) - len(stale),
        packs_built=sum(
            1 for o in outputs if o.kind == "pack" and o.format == "pdf" and o.path in made
        ),
    )


_NOT_REMOVED = (
    "an earlier build made this output and this one does not, but it is no longer a file "
    "reportgen wrote, so it was left where it is"
)


def _decide_reuse(
    documents: dict[str, PlannedDocument],
    out: Path,
    reusable: dict[str, dict[str, Any]],
    previous: dict[str, dict[str, Any]],
) -> list[PlannedDocument]:
    """Mark each document whose outputs the previous build made from the same fingerprint
    (and which are intact) as reused; return the others, which must be built."""
    for document in documents.values():
        document.reused = all(
            still_good(reusable, out, document.relative(suffix), document.fingerprint)
            for suffix in ("docx", "pdf")
        )
        if document.reused:
            document.pages = int(previous[document.relative("pdf")]["pages"])
    return [d for d in documents.values() if not d.reused]


def _produce(
    checked: Checked,
    paths: Paths,
    documents: dict[str, PlannedDocument],
    workspace: Workspace,
    convert: Conversion,
    log: Log,
) -> list[Output]:
    """Write every output that changed into the staging directory, laid out as it will be
    in ``paths.out``; describe every output, changed or not, for the manifest."""
    staging = workspace.staging
    stale = [d for d in documents.values() if not d.reused]
    packs = Packs(checked, paths, documents, workspace, convert)
    html: list[Output] = []

    def html_editions() -> None:
        html.extend(make_html_editions(checked, paths, documents, workspace))

    if stale:
        log(f"rendering and converting {len(stale)} documents")
        # The HTML editions are made while LibreOffice converts.
        _render_and_convert(checked, stale, workspace, convert, packs, meanwhile=html_editions)
    else:
        html_editions()

    outputs = []
    for document in documents.values():
        for suffix in ("docx", "pdf"):
            relative = document.relative(suffix)
            if document.reused:
                outputs.append(Output(**workspace.previous[relative]))
                continue
            output = describe(
                staging,
                relative,
                document.kind,
                document.title,
                document.sources,
                meeting=document.placement.meeting,
            )
            output.fingerprint = document.fingerprint
            output.access = document.access
            outputs.append(output)
            if output.pages is not None:
                document.pages = output.pages
    outputs += html
    outputs += packs.make(log)
    outputs += make_generated(checked, paths, documents, workspace, convert, log)
    outputs += pack_pages(checked, paths, documents, outputs, workspace)
    outputs += meeting_pages(checked, paths, documents, outputs, staging, workspace.moment)
    if workspace.only is not None:
        # The other meetings' papers (and forward plans) stay as the last build left them.
        made = {o.path for o in outputs}
        outputs += [
            Output(**entry)
            for path, entry in workspace.previous.items()
            if entry.get("meeting") != workspace.only and path not in made | {SITE_INDEX}
        ]
    # Made last, as it lists every meeting's page, this build's or kept from the last.
    outputs.append(site_index(checked, paths, outputs, staging))
    write_manifest(staging, outputs)
    return outputs


def _render_and_convert(
    checked: Checked,
    stale: list[PlannedDocument],
    workspace: Workspace,
    convert: Conversion,
    packs: Packs,
    meanwhile: Callable[[], None] = lambda: None,
) -> None:
    """Render the documents, handing them to LibreOffice in batches as they are ready, and
    finish each PDF as its batch completes (a private edition marked NOT FOR PUBLICATION on
    every page first); every rendering problem is collected. Each pack's cover goes to
    the same workers as soon as the lengths of all its documents are known; ``meanwhile``
    runs once every document has gone to LibreOffice, while it converts them."""
    # pikepdf is loaded only when there are PDFs to finish: a build with nothing to convert
    # (the author's no-op) never needs it.
    from .finish import finish_pdf
    from .pack import page_count

    staging, moment = workspace.staging, workspace.moment
    by_stem = {Path(d.relative("pdf")).stem: d for d in stale}
    private = {stem for stem, d in by_stem.items() if d.edition == "private"}
    # Made before the workers start, which then only read it.
    mark = workspace.mark.pdf if private and workspace.mark else None

    def finish(pdfs: list[Path]) -> None:
        for pdf in pdfs:
            if pdf.stem not in by_stem:
                continue  # a pack's cover: the pack is finished once assembled
            finish_pdf(pdf, moment, mark=mark if pdf.stem in private else None)

    with convert.pool(staging / ".convert", after_batch=finish, documents=len(stale)) as pool:
        # A resident converter takes one document at a time, each finished as soon as it
        # is converted; a LibreOffice call costs a start, so calls take several.
        size = 1 if pool.converters else _batch_size(len(stale), pool.workers)
        batch: list[Path] = []
        problems = []
        for document in stale:
            try:
                data = _render(checked, document, moment)
            except ReportgenError as exc:
                problems.extend(exc.diagnostics)
                continue
            batch.append(stage(staging / document.relative("docx"), data))
            if len(batch) >= size and not problems:
                pool.submit(batch)
                batch = []
        if problems:
            raise ReportgenError(problems)
        pool.submit(batch)
        # Packs whose documents were all kept from the last build can start at once.
        pool.share(packs.covers_ready())
        meanwhile()
        for written in pool.completed():
            for pdf in written:
                document = by_stem.get(pdf.stem)
                if document is not None:
                    document.pages = page_count(pdf)
                    pool.deliver(pdf, staging / document.relative("pdf"))
                elif (cover := packs.is_cover(pdf)) is not None:
                    pool.deliver(pdf, cover)
            # Each pack is assembled as soon as it can be, while LibreOffice goes on.
            pool.share(packs.covers_ready() + packs.assemble_ready())
        converted = pool.close()
    for docx_file, pdf_file in converted.items():
        os.replace(pdf_file, docx_file.with_suffix(".pdf"))


def _render(checked: Checked, document: PlannedDocument, moment: dt.datetime) -> bytes:
    """One document's .docx bytes."""
    project = checked.project
    assert project is not None
    document_id = document.placement.document_id
    model = project.documents[document_id]
    council = project.organisations[model.council]
    programme = project.programmes.get(model.programme or "")
    properties = Properties(
        document.title,
        LANGUAGE,
        author_of(model, council),
        dated(model) or moment.date(),
        subject=programme.title if programme else project.kinds[model.kind].description,
        keywords=", ".join(k for k in (model.kind, model.programme, council.name) if k),
        company=council.name,
    )
    template, context = checked.templates[document_id], checked.contexts[document_id]
    if document.edition == "private":
        context = checked.private_contexts[document_id]
    elif document.edition == "notice":
        assert checked.notice_template is not None
        template, context = checked.notice_template, checked.notice_contexts[document_id]
    return render_docx(template, context, properties)


def _batch_size(documents: int, workers: int) -> int:
    """Documents per LibreOffice call: every worker busy, and for large builds several
    calls each, so rendering the next batch overlaps converting this one (a call costs a
    LibreOffice start, about a second, so small builds make one call a worker)."""
    per_worker = min(3, max(1, documents // 100))
    return max(1, -(-documents // (workers * per_worker)))
