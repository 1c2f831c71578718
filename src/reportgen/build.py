"""The build: inputs → every document as .docx and PDF, a committee pack and a page per
meeting, and ``manifest.json`` describing them all.

``build`` is the entry: it starts the build's LibreOffice workers for a cold build, then
hands over to :mod:`reportgen.produce`, which checks the inputs, plans, renders, converts,
packs and publishes. Nothing is written into the output directory until everything is made:
work happens in a staging directory beside the outputs, finished files are moved into
place, the manifest last. A failed build leaves the previous outputs as they were.

This module loads only what starts LibreOffice. The rest of reportgen (the model, the
checks, the templates: about 0.4 s) loads while LibreOffice starts, on the other core.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .conversion import Conversion
from .convert import DEFAULT_TIMEOUT
from .paths import MANIFEST, Paths
from .workers import clear_abandoned

if TYPE_CHECKING:
    from .convert import Converter
    from .manifest import Output
    from .produce import BuildResult

__all__ = ["BuildResult", "Output", "Paths", "build"]

Log = Callable[[str], None]


def build(
    paths: Paths,
    *,
    final: bool = False,
    force: bool = False,
    into_existing: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int | None = None,
    log: Log = lambda message: None,
    progress: Callable[[int, int], None] | None = None,
    only: str | None = None,
    converters: Sequence[Converter] = (),
) -> BuildResult:
    """Build every document, pack and index under ``paths.inputs`` into ``paths.out``.

    Outputs whose fingerprint matches the previous build's (and whose file is intact) are
    kept as they are; ``force`` rebuilds everything. Raises :class:`ReportgenError` with every
    error (and warning) if the inputs or templates do not pass :func:`reportgen.check.check`;
    warnings alone are returned in the result. ``final`` turns facts not yet known into
    errors. ``progress(done, total)`` follows each LibreOffice conversion. A folder that
    holds files but no reportgen manifest is refused unless ``into_existing``.

    ``only`` (a meeting's id) builds that meeting's papers alone — its documents, packs, page
    and record of decisions — and keeps every other output of the last build as it is;
    with ``final``, only the facts its papers use must be known. ``converters`` are
    resident converters (:mod:`reportgen.resident`) to convert with instead of starting
    LibreOffice.
    """
    started = time.monotonic()
    # What a build killed outright left running on this machine is stopped first.
    clear_abandoned()
    with Conversion(timeout, workers, progress, converters) as conversion:
        if force or not (paths.out / MANIFEST).is_file():
            # A cold build converts everything: its LibreOffice starts before the rest of
            # reportgen loads and checks the inputs. Any other build starts it only once it
            # has something to convert.
            conversion.start_workers(_document_files(paths))
        from .produce import build_outputs

        return build_outputs(paths, conversion, started, final, force, into_existing, log, only)


def _document_files(paths: Paths) -> int | None:
    """How many documents the inputs seem to hold before they are read: the YAML files in
    ``documents/``, one a document (None where there is no such folder)."""
    folder = paths.inputs / "documents"
    if not folder.is_dir():
        return None
    return sum(1 for p in folder.rglob("*") if p.suffix in (".yaml", ".yml"))


def __getattr__(name: str) -> Any:
    # The result's classes load with the rest of the build, not with this module.
    if name in ("BuildResult", "Output"):
        from . import produce

        return getattr(produce, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
