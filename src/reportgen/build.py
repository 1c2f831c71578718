"""The build: inputs → every document as .docx and PDF, and ``manifest.json`` describing them.

Nothing is written into the output directory until every document has rendered and
converted: work happens in a staging directory beside the outputs, and finished files are
moved into place with ``os.replace`` (atomic on one file system), the manifest last. A failed
build therefore leaves the previous outputs and manifest exactly as they were.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pypdf import PdfReader

from .compose import compose_report
from .convert import DEFAULT_TIMEOUT, convert_to_pdf
from .diagnostics import ReportgenError
from .load import Inputs, load_inputs
from .model import Project, parse_project
from .render import Properties, render_docx
from .rules import check_project

MANIFEST = "manifest.json"
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
    seconds: float = 0.0


@dataclass(frozen=True)
class Paths:
    """Where a build reads and writes."""

    inputs: Path
    templates: Path
    out: Path


def load_project(inputs_dir: Path) -> tuple[Project, Inputs]:
    """Load, type-check and cross-check the inputs; raise with every problem found."""
    inputs = load_inputs(inputs_dir)
    project = parse_project(inputs)
    check_project(project, inputs)
    return project, inputs


def build(
    paths: Paths,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    log: Callable[[str], None] = lambda message: None,
) -> BuildResult:
    """Build every report under ``paths.inputs`` into ``paths.out``."""
    started = time.monotonic()
    project, inputs = load_project(paths.inputs)
    log(f"loaded {len(inputs.files)} input files")
    rendered = _render_all(project, inputs, paths)

    paths.out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=paths.out))
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
    return BuildResult(outputs, time.monotonic() - started)


def _render_all(project: Project, inputs: Inputs, paths: Paths) -> dict:
    """Render every report to .docx bytes, collecting every problem before raising."""
    rendered = {}
    problems = []
    for report_id, report in project.reports.items():
        template = paths.templates / report.template
        if not template.is_file():
            problems.append(
                inputs.diagnostic(
                    ("reports", report_id, "template"),
                    f"template '{report.template}' not found in {paths.templates}",
                )
            )
            continue
        try:
            context = compose_report(project, inputs, report_id)
            data = render_docx(
                template, context, Properties(report.title, LANGUAGE, report.author, report.date)
            )
        except ReportgenError as exc:
            problems.extend(exc.diagnostics)
            continue
        sources = [_source_name(inputs.root, p, "inputs") for p in inputs.source_files()]
        sources.append(_source_name(paths.templates, template, "templates"))
        rendered[report_id] = (report, data, sources)
    if problems:
        raise ReportgenError(problems)
    return rendered


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
