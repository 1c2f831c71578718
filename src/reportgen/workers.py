"""A build's own LibreOffice workers: one LibreOffice per worker, started once for the whole
build and fed its documents one at a time — the documents, then the pack covers and page
numbers, the NOT FOR PUBLICATION mark, the forward plans and records of decisions — instead
of a LibreOffice start (1.2-2 s) for each of those steps one after the other.

Each worker is LibreOffice driven through its UNO socket by :mod:`reportgen.uno_bridge`, run
by a Python that has LibreOffice's ``uno`` module, which converts as a ``soffice
--convert-to`` call does, with the same export options, and so to the same bytes. Workers
start without waiting (a cold build starts them before it checks its inputs) and are
waited for when their first document is ready. Where no such Python is found, or
``REPORTGEN_CONVERT=batch`` is set, a build converts with ``soffice --convert-to`` batches
as before (:mod:`reportgen.convert`).

Their profiles live in a folder of the system's temporary directory holding a lock: a build
killed outright leaves its LibreOffices running, and the next build that starts workers
finds their folder unlocked, stops them and removes it.

A LibreOffice given an empty profile spends a third of a second making it. So the first
build on a machine keeps one worker's profile, made by that LibreOffice, in the user's
cache folder (``~/.cache/reportgen``: the user's own, where no one else can plant a profile
with macros in it), and later builds start each worker from a copy of it. A profile that
LibreOffice fails to start with is thrown away, and the next start makes a new one.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import hashlib
import json
import os
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

from .convert import HEADLESS, ConverterUnavailable, DocumentRefused, installed_version
from .processes import kill_group, lock_file, stop_processes_using, unlock_file

BRIDGE = Path(__file__).with_name("uno_bridge.py")
FOLDER_PREFIX = "reportgen-workers-"
LOCK = "lock"
# Failed starts in a row after which a worker's LibreOffice is not started again.
GIVE_UP_AFTER = 2
# Set to ``batch`` to convert with one ``soffice --convert-to`` call per batch.
MODE_VARIABLE = "REPORTGEN_CONVERT"


def available() -> bool:
    """Whether builds convert with workers: ``REPORTGEN_CONVERT`` says ``workers`` or
    ``batch``; unset, workers wherever a Python with ``uno`` is found and processes have
    groups to stop them by."""
    mode = os.environ.get(MODE_VARIABLE, "").strip().lower()
    if mode not in ("", "workers", "batch"):
        raise ConverterUnavailable(
            f"{MODE_VARIABLE} is {mode!r}: it may be 'workers' (LibreOffice kept for the "
            "build, driven over UNO) or 'batch' (soffice --convert-to), or unset"
        )
    if mode == "batch":
        return False
    if mode == "" and not hasattr(os, "killpg"):
        # Without process groups (Windows) a worker's LibreOffice could outlive a build
        # that was stopped; a batch's is stopped with it.
        return False
    try:
        uno_python()
    except ConverterUnavailable:
        if mode == "workers":
            raise
        return False
    return True


@functools.cache
def uno_python() -> str:
    """A Python that can ``import uno`` (LibreOffice's bridge, which unoserver's server
    needs): ``$REPORTGEN_UNO_PYTHON``, else the system's ``python3`` with Debian's
    python3-uno, else the Python LibreOffice ships with (Windows, macOS)."""
    configured = os.environ.get("REPORTGEN_UNO_PYTHON")
    candidates = [configured] if configured else ["/usr/bin/python3", "python3"]
    soffice = shutil.which(os.environ.get("REPORTGEN_SOFFICE") or "soffice")
    if soffice and not configured:
        program = Path(soffice).resolve().parent
        candidates += [str(program / "python"), str(program / "python.exe")]
    for candidate in candidates:
        found = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if found and _imports_uno(found):
            return found
    raise ConverterUnavailable(
        "no Python with LibreOffice's 'uno' module, which a resident converter needs: "
        "install it (Debian/Ubuntu: apt-get install -y --no-install-recommends python3-uno) "
        "or set REPORTGEN_UNO_PYTHON to such a Python"
    )


def _imports_uno(python: str) -> bool:
    try:
        return (
            subprocess.run(
                [python, "-c", "import uno"], capture_output=True, timeout=30, check=False
            ).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


def profile_seed(soffice: str) -> Path | None:
    """Where a profile this LibreOffice made is kept for its workers to start from, in the
    user's cache folder (one for each installation and version); None where the user has
    no home to keep it in, or the installation does not say its version."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    version = installed_version(soffice)
    if not os.path.isabs(cache) or version is None:
        return None
    installation = f"{os.path.realpath(soffice)} {version}"
    key = hashlib.sha256(installation.encode("utf-8")).hexdigest()[:16]
    return Path(cache) / "reportgen" / f"libreoffice-profile-{key}"


def _keep_profile(profile: Path, seed: Path) -> None:
    """Keep ``profile`` as the seed, unless another build kept one first; a copy made
    beside it and renamed into place, so no build ever starts from half a profile."""
    partial = seed.with_name(f"{seed.name}.{os.getpid()}.partial")
    try:
        seed.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(profile, partial, symlinks=True)
        os.rename(partial, seed)
    except OSError:  # kept by another build meanwhile, or nowhere to keep it
        shutil.rmtree(partial, ignore_errors=True)


def free_port() -> int:
    """A loopback port no one is listening on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Request:
    """A document sent to a worker: its answer once given, and since when LibreOffice has
    been converting it (None while it waits behind the one before it)."""

    __slots__ = ("answer", "done", "since")

    def __init__(self) -> None:
        self.answer: dict[str, object] | None = None
        self.done = threading.Event()
        self.since: float | None = None


class BuildWorker:
    """One LibreOffice, kept for one build, converting one document at a time.

    Two documents may be sent to it at once (:attr:`in_flight`) and are converted in turn:
    the second waits in the bridge's input, so LibreOffice starts on it the moment it has
    written the first, not once the build has read its answer and chosen what comes next
    (a tenth of every document's time, measured on a busy 2-core machine). Each document
    has ``timeout`` seconds from when LibreOffice begins on it.
    """

    # Nothing is sent to it as bytes: it reads and writes this machine's files.
    remote = False
    in_flight = 2

    def __init__(self, folder: Path, soffice: str, name: str) -> None:
        self.folder = folder
        self.soffice = soffice
        self.name = name
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.failed_starts = 0
        self._broken: str | None = None
        # The bridge's first word: ready, or why LibreOffice did not start.
        self._started: queue.Queue[dict[str, object] | None] = queue.Queue()
        self._pending: collections.deque[_Request] = collections.deque()
        self._ready = False
        self._profile: Path | None = None
        self.seed = profile_seed(soffice)
        self._seeded = False
        # _lock keeps the order documents are sent in the order their answers are read;
        # _starting lets one thread at a time start LibreOffice and wait for it.
        self._lock = threading.RLock()
        self._starting = threading.RLock()
        # Which start of LibreOffice a thread last saw fail, so that of two threads seeing
        # one failure only the first restarts it.
        self._seen = threading.local()

    @property
    def address(self) -> str:
        return self.name

    @property
    def restartable(self) -> bool:
        """Whether starting it again may help: not once it has failed to start twice."""
        return self._broken is None

    def start(self) -> None:
        """Start LibreOffice and its bridge, without waiting for it to be ready."""
        with self._lock:
            self._start()

    def _start(self) -> None:
        self._stop(keep_profile=False)
        self._profile = self.folder / f"{self.name}-{self.starts + 1}"
        self._profile.mkdir(parents=True)
        self._seeded = False
        if self.seed is not None and self.seed.is_dir():
            with contextlib.suppress(OSError):
                shutil.copytree(self.seed, self._profile / "profile", symlinks=True)
                self._seeded = True
        self._started = queue.Queue()
        self._pending = collections.deque()
        self._ready = False
        port = free_port()
        bridge_log = (self._profile / "bridge.log").open("wb")
        self.process = subprocess.Popen(
            [
                uno_python(),
                str(BRIDGE),
                str(port),
                str(self._profile / "libreoffice.log"),
                self.soffice,
                f"-env:UserInstallation={(self._profile / 'profile').resolve().as_uri()}",
                *HEADLESS,
                f"--accept=socket,host=127.0.0.1,port={port},tcpNoDelay=1;"
                "urp;StarOffice.ComponentContext",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=bridge_log,
            # The bridge needs only the standard library and uno: nothing of reportgen's.
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
            start_new_session=True,
        )
        bridge_log.close()
        self.starts += 1
        threading.Thread(
            target=_read_answers,
            args=(self.process.stdout, self._started, self._pending, self._lock),
            daemon=True,
        ).start()

    def convert(self, docx: Path, pdf: Path, options: list[str], timeout: float) -> None:
        """Convert ``docx`` to ``pdf`` within ``timeout`` seconds (once LibreOffice is
        ready and has begun on it). Raises :class:`ConverterUnavailable` if LibreOffice did
        not start, died or hung (it is then stopped), :class:`DocumentRefused` if it could
        not convert it. Safe to call from :attr:`in_flight` threads at once."""
        with self._starting:
            if self._broken is not None:
                raise ConverterUnavailable(self._broken)
            if self.process is None:
                self.start()
            if not self._ready:
                self._wait_until_ready(timeout)
            start = self.starts
        request = _Request()
        line = json.dumps(
            {"docx": str(docx.resolve()), "pdf": str(pdf.resolve()), "options": options}
        )
        stopped = f"LibreOffice stopped before converting {docx.name}"
        with self._lock:
            process = self.process
            if process is None or process.stdin is None or self.starts != start:
                raise self._failed(start, stopped)
            self._pending.append(request)
            if len(self._pending) == 1:
                request.since = time.monotonic()
            try:
                process.stdin.write((line + "\n").encode("utf-8"))
                process.stdin.flush()
            except OSError:
                raise self._failed(start, stopped) from None
        while not request.done.wait(_left(request, timeout)):
            if request.since is not None and time.monotonic() - request.since >= timeout:
                raise self._failed(
                    start,
                    f"LibreOffice did not finish converting {docx.name} within {timeout:g} s "
                    "and was stopped",
                )
        answer = request.answer
        if answer is None or "died" in answer:
            said = answer.get("died") if answer else "LibreOffice stopped"
            raise self._failed(start, f"{said} while converting {docx.name}")
        if "error" in answer:
            raise DocumentRefused(f"LibreOffice could not convert {docx.name}: {answer['error']}")

    def _wait_until_ready(self, timeout: float) -> None:
        """Wait for LibreOffice to start, as long as a document may take; one that fails
        to start twice running is not started again in this build."""
        try:
            answer = self._started.get(timeout=timeout)
        except queue.Empty:
            answer = {"failed": f"it did not start within {timeout:g} s and was stopped"}
        if answer is None or "ready" not in answer:
            said = answer.get("failed") if answer else self._bridge_stopped()
            self.failed_starts += 1
            if self._seeded and self.seed is not None:
                # Perhaps the kept profile is why: the next start makes its own.
                shutil.rmtree(self.seed, ignore_errors=True)
            reason = f"LibreOffice did not start: {said}"
            if self.failed_starts >= GIVE_UP_AFTER:
                self._broken = reason
            raise self._failed(self.starts, reason)
        self.failed_starts = 0
        self._ready = True

    def _bridge_stopped(self) -> str:
        """Why the bridge ended without a word: the last line it wrote to its log."""
        lines: list[str] = []
        if self._profile is not None:
            with contextlib.suppress(OSError):
                lines = (self._profile / "bridge.log").read_text("utf-8", "replace").splitlines()
        last = [line.strip() for line in lines if line.strip()][-1:]
        return "its bridge to LibreOffice stopped" + (f": {last[0]}" if last else "")

    def _failed(self, start: int, reason: str) -> ConverterUnavailable:
        """Stop LibreOffice if it is still the one that failed (its ``start``-th), and say
        why; :meth:`restart` then knows which start this thread saw fail."""
        with self._lock:
            if self.starts == start:
                self.stop()
        self._seen.start = start
        return ConverterUnavailable(reason)

    def restart(self) -> BuildWorker:
        """Stop it, whatever state it is in, and start it afresh (unless it has been given
        up for this build); if another thread restarted it since this one saw it fail,
        the LibreOffice it started is kept."""
        with self._starting:
            if self.restartable and getattr(self._seen, "start", self.starts) == self.starts:
                self.start()
        return self

    def interrupt(self) -> None:
        """Stop at once: the build is ending without its conversions."""
        self.stop()

    def stop(self, *, keep_profile: bool = False) -> None:
        """Stop LibreOffice and its bridge (one process group) and remove the profile;
        ``keep_profile`` keeps it first as the seed of later builds' workers, if it is a
        profile LibreOffice started with and no seed is kept yet. Documents sent to it and
        not yet answered are answered "stopped" (their bridge's output ends)."""
        with self._lock:
            self._stop(keep_profile)

    def _stop(self, keep_profile: bool) -> None:
        ready = self._ready
        if self.process is not None:
            if self.process.stdin is not None:
                # A bridge that has gone leaves a broken pipe, which closing reports.
                with contextlib.suppress(OSError):
                    self.process.stdin.close()
            kill_group(self.process)
            self.process = None
        self._ready = False
        if keep_profile and ready and self.seed is not None and not self.seed.exists():
            assert self._profile is not None
            _keep_profile(self._profile / "profile", self.seed)
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None


def _left(request: _Request, timeout: float) -> float:
    """How long to wait for ``request`` before looking again whether it is late."""
    if request.since is None:  # behind another document, which has a time limit of its own
        return timeout
    return max(request.since + timeout - time.monotonic(), 0.0)


def _read_answers(
    stream: IO[bytes] | None,
    started: queue.Queue[dict[str, object] | None],
    pending: collections.deque[_Request],
    lock: threading.RLock,
) -> None:
    """Pass the bridge's answers on, one a line: the first (ready, or failed to start) to
    ``started``, each later one to the oldest document ``pending``. When the bridge stops,
    ``started`` is given None if it said nothing, and every document pending is answered
    None."""
    assert stream is not None
    said = False
    for line in stream:
        try:
            answer = json.loads(line)
        except ValueError:
            continue
        if not said:
            said = True
            started.put(answer)
            continue
        with lock:
            request = pending.popleft() if pending else None
            if pending:
                pending[0].since = time.monotonic()
        if request is not None:
            request.answer = answer
            request.done.set()
    if not said:
        started.put(None)
    with lock:
        unanswered = list(pending)
        pending.clear()
    for request in unanswered:
        request.done.set()


class Workers:
    """The LibreOffice workers of one build, started on first use (or earlier, by
    :meth:`start`) and stopped when the build ends. A context manager."""

    def __init__(self, count: int, soffice: str) -> None:
        self.count = count
        self.soffice = soffice
        self.folder: Path | None = None
        self.workers: list[BuildWorker] = []
        self._lock: IO[str] | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, count: int | None = None) -> list[BuildWorker]:
        """Start the first ``count`` workers (all, if None) now, those not started yet,
        without waiting for them; the workers started."""
        if not self.workers:
            self.folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
            # Locked before it has its name, so no other build ever finds it unlocked.
            self._lock = (self.folder / f"{LOCK}.new").open("a")
            lock_file(self._lock)
            os.replace(self.folder / f"{LOCK}.new", self.folder / LOCK)
            self.workers = [
                BuildWorker(self.folder, self.soffice, f"libreoffice-{i + 1}")
                for i in range(self.count)
            ]
        try:
            for worker in self.workers[:count]:
                if not worker.starts:
                    worker.start()
        except BaseException:
            self.stop()
            raise
        return self.started()

    def started(self) -> list[BuildWorker]:
        """The workers started so far (each restarted as it needs)."""
        return [worker for worker in self.workers if worker.starts]

    def stop(self) -> None:
        """Stop every worker's LibreOffice and remove their folder (the first one's profile
        kept as the seed, if there is none yet)."""
        for i, worker in enumerate(self.workers):
            worker.stop(keep_profile=i == 0)
        self.workers = []
        if self._lock is not None:
            unlock_file(self._lock)
            self._lock.close()
            self._lock = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def clear_abandoned() -> None:
    """Stop the LibreOffices of builds killed outright and remove their folders: a folder
    whose lock can be taken has no build alive to hold it."""
    for folder in Path(tempfile.gettempdir()).glob(FOLDER_PREFIX + "*"):
        try:
            # A folder without its lock yet is one a build is making.
            with (folder / LOCK).open("r+") as handle:
                if not lock_file(handle):
                    continue
                stop_processes_using(folder)
                unlock_file(handle)
        except OSError:
            continue
        shutil.rmtree(folder, ignore_errors=True)
