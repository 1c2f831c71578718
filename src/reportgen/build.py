"""The build: inputs → every document as .docx and PDF, and ``manifest.json`` describing them.

Nothing is written into the output directory until every document has rendered and
converted: work happens in a staging directory beside the outputs, and finished files are
moved into place with ``os.replace`` (atomic on one file system), the manifest last. A failed
build therefore leaves the previous outputs and manifest exactly as they were.
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

from pypdf import PdfReader

from .check import Checked, check
from .convert import DEFAULT_TIMEOUT, convert_to_pdf
from .diagnostics import Diagnostic, ReportgenError
from .model import Report
from .render import Properties, render_docx

MANIFEST = "manifest.json"
LOCK = ".reportgen.lock"
STAGING_PREFIX = ".staging-"
LANGUAGE = "en-GB"


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


def build(
    paths: Paths,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    log: Callable[[str], None] = lambda message: None,
) -> BuildResult:
    """Build every report under ``paths.inputs`` into ``paths.out``.

    Raises :class:`ReportgenError` with every error (and warning) if the inputs or templates
    do not pass :func:`reportgen.check.check`; warnings alone are returned in the result.
    """
    started = time.monotonic()
    checked = check(paths.inputs, paths.templates)
    if checked.errors:
        raise ReportgenError(checked.diagnostics)
    project, inputs = checked.project, checked.inputs
    assert project is not None and inputs is not None
    log(f"checked {len(inputs.files)} input files and {len(checked.templates)} templates")
    rendered = _render_all(checked, paths)

    paths.out.mkdir(parents=True, exist_ok=True)
    with _exclusive(paths.out):
        return _build_into(paths, checked, rendered, timeout, log, started)


def _build_into(
    paths: Paths,
    checked: Checked,
    rendered: dict[str, tuple[Report, bytes, list[str]]],
    timeout: float,
    log: Callable[[str], None],
    started: float,
) -> BuildResult:
    _remove_stale_staging(paths.out)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=paths.out))
    try:
        docx_files = []
        for name, (_, data, _) in rendered.items():
            target = staging / "docx" / f"{name}.docx"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            docx_files.append(target)
        log(f"rendered {len(docx_files)} documents; converting to PDF")
        convert_to_pdf(docx_files, staging / "pdf", timeout=timeout)

        outputs = []
        for name, (report, _, sources) in rendered.items():
            for fmt in ("docx", "pdf"):
                relative = f"{fmt}/{name}.{fmt}"
                outputs.append(_describe(staging, relative, report.kind, report.title, sources))
        manifest = json.dumps(
            {"outputs": [_manifest_entry(o) for o in outputs]}, indent=2, ensure_ascii=False
        )
        (staging / MANIFEST).write_text(manifest + "\n", encoding="utf-8")
        _publish(staging, paths.out, [o.path for o in outputs] + [MANIFEST])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(outputs, checked.warnings, time.monotonic() - started)


def _render_all(checked: Checked, paths: Paths) -> dict[str, tuple[Report, bytes, list[str]]]:
    """Render every report to .docx bytes, collecting every problem before raising."""
    inputs = checked.inputs
    assert checked.project is not None and inputs is not None
    rendered = {}
    problems = []
    for report_id, context in checked.contexts.items():
        report = checked.project.reports[report_id]
        template = checked.templates[report_id]
        properties = Properties(report.title, LANGUAGE, report.author, report.date)
        try:
            data = render_docx(template, context, properties)
        except ReportgenError as exc:
            problems.extend(exc.diagnostics)
            continue
        sources = [_source_name(inputs.root, p, "inputs") for p in inputs.source_files()]
        sources.append(_source_name(paths.templates, template, "templates"))
        rendered[report_id] = (report, data, sources)
    if problems:
        raise ReportgenError(problems)
    return rendered


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


def _describe(staging: Path, relative: str, kind: str, title: str, sources: list[str]) -> Output:
    path = staging / relative
    data = path.read_bytes()
    pages = len(PdfReader(path).pages) if path.suffix == ".pdf" else None
    return Output(
        path=relative,
        kind=kind,
        format=path.suffix.lstrip("."),
        title=title,
        sha256=hashlib.sha256(data).hexdigest(),
        sources=sources,
        pages=pages,
    )


def _manifest_entry(output: Output) -> dict:
    entry = asdict(output)
    if entry["pages"] is None:
        del entry["pages"]
    return entry


def _publish(staging: Path, out: Path, relatives: list[str]) -> None:
    """Move finished files from ``staging`` into ``out``, the manifest last."""
    for relative in relatives:
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relative, target)
