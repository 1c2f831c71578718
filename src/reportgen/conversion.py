"""How one build runs LibreOffice: seconds per document, processes at once, resident
converters to use, and the LibreOffice workers it starts for its length
(:mod:`reportgen.workers`). Light on purpose: a cold build starts its workers before it
loads the rest of reportgen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .convert import (
    ConversionError,
    Converter,
    ConverterPool,
    convert_to_pdf,
    default_workers,
    filter_argument,
    find_soffice,
    libreoffice_version,
)

if TYPE_CHECKING:
    from .workers import Workers

# A second LibreOffice pays for its start (0.7 s of CPU, on cores the build needs then) only
# with enough documents to share. Measured on 2 cores: builds of 3 to 15 documents were as
# fast with one, or faster (2.0 s against 2.5 s for the example's 3), and 30 were 10 %
# faster with two.
SHARED_FROM = 20


@dataclass
class Conversion:
    """How LibreOffice is run: seconds per document, processes at once; and, for the
    length of one build, the LibreOffice workers it starts (:mod:`reportgen.workers`). A
    context manager: leaving it stops them."""

    timeout: float
    workers: int | None
    progress: Callable[[int, int], None] | None = None
    # Resident converters (kept running between builds) to use instead of starting
    # LibreOffice for each batch.
    converters: Sequence[Converter] = ()
    _own: Workers | None = field(default=None, init=False, repr=False)

    def __enter__(self) -> Conversion:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._own is not None:
            self._own.stop()
            self._own = None

    def start_workers(self, documents: int | None = None) -> None:
        """Start the build's LibreOffice workers now, without waiting for them (a cold
        build, while it checks its inputs): as many as ``workers`` says, else one per core,
        or only one for fewer than :data:`SHARED_FROM` ``documents`` (None: not known).
        Started workers are kept; more are started if more documents come. Nothing if
        converters were given or this machine converts in batches. A LibreOffice that
        cannot be found is reported when a document is converted."""
        from .workers import Workers, available

        if self.converters or not available():
            return
        if self._own is None:
            try:
                soffice = find_soffice()
            except ConversionError:
                return
            self._own = Workers(self.workers or default_workers(), soffice)
        self._own.start(self._wanted(documents))

    def _wanted(self, documents: int | None) -> int:
        if self.workers:
            return self.workers
        few = documents is not None and documents < SHARED_FROM
        return 1 if few else default_workers()

    def kept_running(self) -> bool:
        """Whether conversions go to LibreOffices kept running (resident converters, or the
        build's workers), so that one more conversion costs a conversion, not a start."""
        from .workers import available

        return bool(self.converters) or self._own is not None or available()

    def _converters(self, documents: int) -> Sequence[Converter]:
        self.start_workers(documents)
        return self.converters or (self._own.started() if self._own else ())

    def __call__(self, documents: list[Path], outdir: Path) -> dict[Path, Path]:
        if not documents:
            return {}
        return convert_to_pdf(
            documents,
            outdir,
            timeout=self.timeout,
            workers=self.workers,
            progress=self.progress,
            converters=self._converters(len(documents)),
        )

    def pool(
        self, outdir: Path, after_batch: Callable[[list[Path]], None], documents: int
    ) -> ConverterPool:
        """Workers to feed batches as they are rendered, about ``documents`` of them."""
        return ConverterPool(
            outdir,
            timeout=self.timeout,
            workers=self.workers,
            progress=self.progress,
            after_batch=after_batch,
            converters=self._converters(documents),
        )

    def settings(self) -> str:
        """What of the conversion shapes its output (not the timeout or the processes): the
        PDF export options and the version of each LibreOffice that applies them (a
        converter on another machine says its own)."""
        versions = {
            _reported_version(c) if c.remote else libreoffice_version(find_soffice())
            for c in self.converters
        } or {libreoffice_version(find_soffice())}
        return f"{filter_argument()} {' + '.join(sorted(versions))}"


def _reported_version(converter: Converter) -> str:
    # Loaded only for a converter on another machine (XML-RPC): a build needs it then.
    from .resident import Converter as Server
    from .resident import libreoffice_version_of

    assert isinstance(converter, Server)
    return libreoffice_version_of(converter)
