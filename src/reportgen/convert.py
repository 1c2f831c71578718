""".docx → PDF with headless LibreOffice: one process for all documents of a build.

LibreOffice costs 1.5-2 s to start and well under a second per small document once running,
so every document of a build goes to one ``soffice`` call. It gets a profile directory of its
own (a desktop LibreOffice or a stale lock cannot capture it) and a timeout, after which its
whole process group is killed.
"""

from __future__ import annotations

import collections
import functools
import json
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Protocol

from .diagnostics import ReportgenError
from .processes import kill_group


class Converter(Protocol):
    """A resident converter the pool sends documents to one by one: a build's own
    LibreOffice (:mod:`reportgen.workers`) or a unoserver (:mod:`reportgen.resident`)."""

    @property
    def restartable(self) -> bool:
        """Whether reportgen started it, and so may restart it when it fails."""

    @property
    def remote(self) -> bool:
        """Whether it runs where this machine's files cannot be seen, and so says which
        LibreOffice it runs itself."""

    @property
    def in_flight(self) -> int:
        """How many documents it may be sent at once (it converts them in turn)."""

    def convert(self, docx: Path, pdf: Path, options: list[str], timeout: float) -> None:
        """Write ``pdf`` from ``docx``, or raise saying why not."""

    def restart(self) -> Converter:
        """Start it afresh; the converter to use from now on."""

    def interrupt(self) -> None:
        """The build is stopping: give up a conversion under way, if that can be done."""


# Tagged PDF/A-2b with bookmarks from headings and the document title shown in the window:
# what the Public Sector Bodies Accessibility Regulations and the record-keepers need.
PDF_EXPORT_OPTIONS: dict[str, tuple[str, object]] = {
    "SelectPdfVersion": ("long", 2),
    "UseTaggedPDF": ("boolean", True),
    "ExportBookmarks": ("boolean", True),
    "DisplayPDFDocumentTitle": ("boolean", True),
    "ExportNotes": ("boolean", False),
    "UseLosslessCompression": ("boolean", True),
}
# LibreOffice with no window, splash, start centre, recovery or lock check: a converter
# that a desktop LibreOffice or a stale lock cannot get in the way of.
HEADLESS = (
    "--headless",
    "--invisible",
    "--nologo",
    "--nodefault",
    "--norestore",
    "--nolockcheck",
    "--nofirststartwizard",
)
# Seconds a LibreOffice process may take per document it converts (a small report takes
# well under one once LibreOffice has started; starting takes 1.5-2 s).
DEFAULT_TIMEOUT = 60.0
# One soffice call silently drops files past roughly 250 arguments.
MAX_FILES_PER_CALL = 200
PROGRESS_EVERY = 0.5


class ConversionError(ReportgenError):
    """LibreOffice is missing, hung, crashed, or did not write a PDF."""


class ConverterUnavailable(ReportgenError):
    """A resident converter could not be started or reached, or failed a conversion."""


class DocumentRefused(ReportgenError):
    """LibreOffice is running but could not convert this document."""


def export_options(options: dict[str, tuple[str, object]]) -> list[str]:
    """The PDF export options as unoserver's ``Name=value`` strings."""
    return [
        f"{name}={str(value).lower() if kind == 'boolean' else value}"
        for name, (kind, value) in options.items()
    ]


def find_soffice() -> str:
    """The LibreOffice executable: ``$REPORTGEN_SOFFICE``, else ``soffice`` on the PATH."""
    configured = os.environ.get("REPORTGEN_SOFFICE")
    candidates = [configured] if configured else ["soffice", "libreoffice"]
    for candidate in candidates:
        found = shutil.which(candidate)
        if found:
            return found
    raise ConversionError(
        "LibreOffice not found: install it (Debian/Ubuntu: apt-get install -y "
        "--no-install-recommends libreoffice-writer-nogui fonts-liberation) or set "
        "REPORTGEN_SOFFICE to the soffice executable"
    )


# A LibreOffice installation's record of itself: its product name and version in the
# configuration it ships (``share/registry/main.xcd``) and its build id beside the
# executable (``versionrc``; ``version.ini`` on Windows).
_REGISTRY_VALUE = rb'<prop oor:name="%s">\s*<value>([^<]*)</value>'
# Where those files are, from the folder that holds the executable: Linux and Windows
# (``program/``), then macOS (``Contents/MacOS/``).
_INSTALLATION_LAYOUTS = (
    (("..", "share", "registry", "main.xcd"), (("versionrc",), ("version.ini",))),
    (("..", "Resources", "registry", "main.xcd"), (("..", "Resources", "versionrc"),)),
)


@functools.cache
def libreoffice_version(soffice: str) -> str:
    """What ``soffice --version`` says (``LibreOffice 7.4.7.2 40(Build:2)``): the PDFs'
    fingerprints include it, so that a LibreOffice upgrade rebuilds them.

    Read from the installation's own files, found beside the executable (a link followed),
    which takes a millisecond or two and starts nothing, so a build with nothing to convert
    starts no LibreOffice; where they are not found (a wrapper script, an unusual layout),
    LibreOffice is asked, once per build. ``unknown`` if it cannot say."""
    return installed_version(soffice) or _asked_version(soffice)


def installed_version(soffice: str) -> str | None:
    """The version the installation's files beside ``soffice`` give; None if they are not
    found (LibreOffice is not asked)."""
    return _installed_version(Path(os.path.realpath(soffice)).parent)


def _installed_version(program: Path) -> str | None:
    for registry, build_files in _INSTALLATION_LAYOUTS:
        try:
            data = program.joinpath(*registry).read_bytes()
        except OSError:
            continue
        values = {}
        for name in ("ooName", "ooSetupVersionAboutBox", "ooSetupVersionAboutBoxSuffix"):
            found = re.search(_REGISTRY_VALUE % name.encode(), data)
            values[name] = found.group(1).decode("utf-8", "replace") if found else ""
        if not values["ooSetupVersionAboutBox"]:
            continue
        build_ids = (_build_id(program.joinpath(*f)) for f in build_files)
        return " ".join(
            part
            for part in (
                values["ooName"] or "LibreOffice",
                values["ooSetupVersionAboutBox"] + values["ooSetupVersionAboutBoxSuffix"],
                next((b for b in build_ids if b), ""),
            )
            if part
        )
    return None


def _build_id(path: Path) -> str:
    """The ``buildid=`` line of an installation's ``versionrc`` or ``version.ini``."""
    try:
        text = path.read_text("utf-8", "replace")
    except OSError:
        return ""
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip().lower() == "buildid":
            return value.strip()
    return ""


def _asked_version(soffice: str) -> str:
    try:
        result = subprocess.run(
            [soffice, "--version"], stdin=subprocess.DEVNULL, capture_output=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    lines = result.stdout.decode("utf-8", "replace").strip().splitlines()
    return lines[0].strip() if result.returncode == 0 and lines else "unknown"


def filter_argument() -> str:
    """The ``--convert-to`` value: the PDF export filter with its options as JSON."""
    options = {
        k: {"type": t, "value": str(v).lower() if t == "boolean" else str(v)}
        for k, (t, v) in PDF_EXPORT_OPTIONS.items()
    }
    return "pdf:writer_pdf_Export:" + json.dumps(options, separators=(",", ":"))


def default_workers() -> int:
    """One LibreOffice process per core: each converts one document at a time."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


class ConverterPool:
    """LibreOffice workers (one per core by default) fed batches of documents as they are
    ready, so rendering the next documents overlaps converting the first.

    Each batch is one LibreOffice call with its own profile and a limit of ``timeout``
    seconds per document — or, given resident ``converters`` (:mod:`reportgen.resident`),
    one worker per converter, each sending its batch's documents to its converter one by
    one; a converter reportgen started that dies or hangs is restarted and the document
    tried again. ``after_batch(pdfs)`` runs in the worker once a batch's PDFs are
    written; an error it raises is raised again by :meth:`close`. :meth:`close` waits, tries
    documents whose PDF is missing once more, and raises :class:`ConversionError` naming any
    still missing. Batches start in the order they were queued, ``urgent`` ones first.
    Used as a context manager, a pool that is left by an exception (Ctrl-C
    included) kills its LibreOffice processes at once rather than waiting for them.
    """

    def __init__(
        self,
        outdir: Path,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        workers: int | None = None,
        progress: Callable[[int, int], None] | None = None,
        after_batch: Callable[[list[Path]], None] | None = None,
        converters: Sequence[Converter] = (),
    ):
        self.converters = list(converters)
        self.soffice = "" if self.converters else find_soffice()
        self.outdir = outdir
        self.timeout = timeout
        self.workers = len(self.converters) or workers or default_workers()
        # Each worker takes a converter for its batch and gives it back after; a converter
        # that takes more than one document at a time is there as often.
        self._free: queue.SimpleQueue[Converter] = queue.SimpleQueue()
        for converter in self.converters:
            for _ in range(converter.in_flight):
                self._free.put(converter)
        self.progress = progress
        self.after_batch = after_batch
        self.documents: list[Path] = []
        self.runs: list[Future[None]] = []
        # What each batch wrote, as it finishes (see completed()).
        self._batches_done: queue.SimpleQueue[list[Path]] = queue.SimpleQueue()
        self._urgent: collections.deque[list[Path]] = collections.deque()
        self._waiting: collections.deque[list[Path]] = collections.deque()
        # PDFs moved into place as they came (see deliver()).
        self.delivered: set[Path] = set()
        self.finishing_errors: list[BaseException] = []
        self._running: set[subprocess.Popen[bytes]] = set()
        self._guard = threading.Lock()
        self._stopping = False
        outdir.mkdir(parents=True, exist_ok=True)
        # With converters, a thread finishing one document's PDF (after_batch) has given
        # its converter back: another thread takes it for the next document meanwhile.
        sending = sum(converter.in_flight for converter in self.converters)
        threads = sending + self.workers if self.converters else self.workers
        self.pool = ThreadPoolExecutor(max_workers=threads)

    def __enter__(self) -> ConverterPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if kind is not None:
            self.abort()

    def submit(self, documents: Sequence[Path], *, urgent: bool = False) -> None:
        """Queue one batch; it starts as soon as a worker is free, before every batch not
        ``urgent`` that is still waiting if it is."""
        if documents:
            self.documents += documents
            with self._guard:
                (self._urgent if urgent else self._waiting).append(list(documents))
            # One run for each batch: each takes the most urgent batch waiting when it starts.
            self.runs.append(self.pool.submit(self._next_batch))

    def share(self, documents: Sequence[Path]) -> None:
        """Queue ``documents`` as one urgent batch a worker, so that all of them work on
        them at once, ahead of what is waiting (a pack's cover, which its pack waits for)."""
        for chunk in _chunks(documents, self.workers):
            self.submit(chunk, urgent=True)

    def deliver(self, pdf: Path, target: Path) -> None:
        """Move a PDF :meth:`completed` gave to where it belongs, as soon as it is there;
        :meth:`close` then neither counts it missing nor returns it."""
        os.replace(pdf, target)
        self.delivered.add(pdf)

    def _next_batch(self) -> None:
        with self._guard:
            batch = (self._urgent or self._waiting).popleft()
        self._batch(batch)

    def completed(self) -> Iterator[list[Path]]:
        """The PDFs of each batch as it finishes (once ``after_batch`` has run on them),
        until every batch submitted — those submitted while this is read included — has
        finished. Whatever a batch failed to convert is left to :meth:`close`."""
        seen = 0
        while seen < len(self.runs):
            try:
                written = self._batches_done.get(timeout=PROGRESS_EVERY)
            except queue.Empty:
                if self.progress:
                    self.progress(self._done(), len(self.documents))
                continue
            seen += 1
            yield written

    def abort(self) -> None:
        """Stop now: kill every LibreOffice process group, drop queued batches, and wait
        only for the workers to notice (their profiles are removed as they do)."""
        with self._guard:
            self._stopping = True
            running = list(self._running)
        for process in running:
            kill_group(process)
        for converter in self.converters:
            converter.interrupt()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _start(self, command: list[str]) -> subprocess.Popen[bytes]:
        """Start LibreOffice, unless the pool is stopping; its process is known to
        :meth:`abort` from the moment it exists."""
        with self._guard:
            if self._stopping:
                raise ConversionError("stopped before LibreOffice started")
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self._running.add(process)
            return process

    def _finished(self, process: subprocess.Popen[bytes]) -> None:
        with self._guard:
            self._running.discard(process)

    def _batch(self, documents: list[Path]) -> None:
        written: list[Path] = []
        try:
            _run_all(self, documents)
        finally:
            if not self._stopping:
                written = [self.pdf(d) for d in documents if _pdf_ok(self.pdf(d))]
            if self.after_batch and written:
                try:
                    self.after_batch(written)
                except Exception as exc:  # raised again by close(), in the main thread
                    self.finishing_errors.append(exc)
                    written = []
            self._batches_done.put(written)

    def pdf(self, document: Path) -> Path:
        return self.outdir / f"{document.stem}.pdf"

    def close(self) -> dict[Path, Path]:
        """Wait for every batch; return docx → pdf."""
        try:
            failures = self._wait(self.runs)
            self._raise_finishing_errors()
            missing = [d for d in self._undelivered() if not _pdf_ok(self.pdf(d))]
            retried: list[str] = []
            if missing:
                self._clear_leftovers(missing)
                retries = [self.pool.submit(self._batch, c) for c in _chunks(missing, self.workers)]
                retried = [f for f in self._wait(retries) if f not in failures]
                self._raise_finishing_errors()
                missing = [d for d in missing if not _pdf_ok(self.pdf(d))]
            if missing:
                names = ", ".join(d.name for d in missing)
                partial = any(self.pdf(d).exists() for d in missing)
                said = "left an incomplete PDF" if partial else "exited without writing it"
                reason = "; ".join(failures) or f"LibreOffice {said}"
                again = f"; tried again: {'; '.join(retried)}" if retried else ""
                raise ConversionError(f"no PDF for {names}: {reason}{again}")
            return {d: self.pdf(d) for d in self._undelivered()}
        except BaseException:
            self.abort()
            raise
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def _done(self) -> int:
        """How many documents are converted: their PDFs delivered, or written."""
        return sum(
            1 for d in self.documents if self.pdf(d) in self.delivered or self.pdf(d).exists()
        )

    def _undelivered(self) -> list[Path]:
        return [d for d in self.documents if self.pdf(d) not in self.delivered]

    def _clear_leftovers(self, documents: list[Path]) -> None:
        """Remove what a failed call left for these documents: a part-written PDF, and the
        lock file that makes the next LibreOffice refuse to write it ("Io Abort")."""
        for document in documents:
            self.pdf(document).unlink(missing_ok=True)
            (self.outdir / f".~lock.{document.stem}.pdf#").unlink(missing_ok=True)

    def _raise_finishing_errors(self) -> None:
        errors = self.finishing_errors
        if not errors:
            return
        if all(isinstance(e, ReportgenError) for e in errors):
            raise ReportgenError([d for e in errors for d in e.diagnostics])  # type: ignore[attr-defined]
        raise next(e for e in errors if not isinstance(e, ReportgenError))

    def _wait(self, runs: list[Future[None]]) -> list[str]:
        while wait(runs, timeout=PROGRESS_EVERY).not_done:
            if self.progress:
                self.progress(self._done(), len(self.documents))
        if self.progress:
            self.progress(self._done(), len(self.documents))
        return [_reason(run.exception()) for run in runs if run.exception() is not None]


def convert_to_pdf(
    documents: Sequence[Path],
    outdir: Path,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    converters: Sequence[Converter] = (),
) -> dict[Path, Path]:
    """Convert every .docx in ``documents`` to ``outdir/<stem>.pdf``; return docx → pdf.

    The documents are shared among ``workers`` LibreOffice processes running at once (one
    per core by default), or among resident ``converters``; see :class:`ConverterPool`.
    """
    with ConverterPool(
        outdir, timeout=timeout, workers=workers, progress=progress, converters=converters
    ) as pool:
        for chunk in _chunks(documents, pool.workers):
            pool.submit(chunk)
        return pool.close()


def _chunks(documents: Sequence[Path], workers: int) -> list[list[Path]]:
    """Deal the documents out to the workers, largest first so the loads even out."""
    ordered = sorted(documents, key=_size, reverse=True)
    count = max(1, min(workers, len(ordered)))
    chunks: list[list[Path]] = [[] for _ in range(count)]
    for i, document in enumerate(ordered):
        chunks[i % count].append(document)
    return [c for c in chunks if c]


def _run_all(pool: ConverterPool, documents: Sequence[Path]) -> None:
    """One worker's share, in calls no longer than one LibreOffice call accepts; every call
    is tried even if one fails, and the failures are raised together."""
    if pool.converters:
        _run_resident(pool, documents)
        return
    failures = []
    for start in range(0, len(documents), MAX_FILES_PER_CALL):
        try:
            _run(pool, documents[start : start + MAX_FILES_PER_CALL])
        except ConversionError as exc:
            failures.append(exc.reason)
    if failures:
        raise ConversionError("; ".join(failures))


def _run_resident(pool: ConverterPool, documents: Sequence[Path]) -> None:
    """One worker's share, on a resident converter: each document in turn. A converter
    reportgen started that fails is restarted once for the document; one on another host
    is not ours to restart, so its failure is the document's. A document LibreOffice
    refuses is that document's failure alone."""
    options = export_options(PDF_EXPORT_OPTIONS)
    converter = pool._free.get()
    failures = []
    try:
        for document in documents:
            if pool._stopping:
                raise ConversionError("stopped")
            try:
                converter.convert(document, pool.pdf(document), options, pool.timeout)
            except DocumentRefused as refused:
                failures.append(refused.reason)
            except ConverterUnavailable as first:
                if not converter.restartable:
                    failures.append(first.reason)
                    continue
                pool.pdf(document).unlink(missing_ok=True)
                try:
                    converter = converter.restart()
                    converter.convert(document, pool.pdf(document), options, pool.timeout)
                except (ConverterUnavailable, DocumentRefused) as again:
                    failures.append(f"{first.reason}; restarted, then: {again.reason}")
    finally:
        pool._free.put(converter)
    if failures:
        # A LibreOffice that would not start fails every document alike: say so once.
        raise ConversionError("; ".join(dict.fromkeys(failures)))


def _reason(exc: BaseException | None) -> str:
    return exc.reason if isinstance(exc, ReportgenError) else str(exc)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _pdf_ok(path: Path) -> bool:
    """Whether ``path`` is a whole PDF: it starts as one and its end-of-file mark is there
    (a LibreOffice stopped while writing, or a full disk, leaves a PDF without one)."""
    try:
        with path.open("rb") as f:
            if f.read(5) != b"%PDF-":
                return False
            f.seek(max(0, path.stat().st_size - 1024))
            return b"%%EOF" in f.read()
    except OSError:
        return False


def _run(pool: ConverterPool, documents: Sequence[Path]) -> None:
    # The profile lives beside the PDFs (in a build, inside its staging folder), so that a
    # build killed outright leaves nothing outside its output folder, and the next build
    # finds any LibreOffice still running by the folder named on its command line.
    with tempfile.TemporaryDirectory(prefix=".profile-", dir=pool.outdir) as profile:
        command = [
            pool.soffice,
            f"-env:UserInstallation={Path(profile).resolve().as_uri()}",
            *HEADLESS,
            "--convert-to",
            filter_argument(),
            "--outdir",
            str(pool.outdir),
            *(str(d) for d in documents),
        ]
        names = ", ".join(d.name for d in documents)
        limit = pool.timeout * len(documents)
        try:
            process = pool._start(command)
        except OSError as exc:
            raise ConversionError(
                f"cannot start LibreOffice ({pool.soffice}): {exc.strerror}"
            ) from None
        try:
            output, _ = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            kill_group(process)
            raise ConversionError(
                f"LibreOffice did not finish converting {names} within {limit:g} s and was stopped"
            ) from None
        finally:
            kill_group(process)
            pool._finished(process)
        text = output.decode("utf-8", "replace").strip()
        if process.returncode != 0:
            tail = text.splitlines()[-1:] or ["no output"]
            raise ConversionError(
                f"LibreOffice failed converting {names} (exit {process.returncode}): "
                f"{tail[0]}{_disk_full_hint(pool.outdir)}"
            )
        # LibreOffice reports a document it could not load or store on its output and
        # still exits 0.
        # Its source-code locations (" at ./sfx2/source/...") say nothing to an author.
        errors = [line.split(" at ./")[0] for line in text.splitlines() if line.startswith("Error")]
        if errors:
            raise ConversionError(
                f"LibreOffice could not convert {names}: {errors[0]}{_disk_full_hint(pool.outdir)}"
            )


# Less room than this where LibreOffice writes is the likely cause of its failing.
NEARLY_FULL = 16 * 1024 * 1024


def _disk_full_hint(folder: Path) -> str:
    """LibreOffice crashes rather than saying the disk is full; say it for it."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return ""
    if free >= NEARLY_FULL:
        return ""
    return f" (the disk holding {folder} has {free // 1024} KiB free: is it full?)"
