"""Resident converters: LibreOffice kept running between builds behind unoserver, so a
conversion costs a fraction of a second instead of a LibreOffice start (1.5-2 s).

reportgen starts its own servers (one per worker, each with its own profile and ports,
restarted if it dies or hangs) or uses servers already running elsewhere
(``--converter HOST:PORT``): unoserver is a maintained XML-RPC server over LibreOffice, so
conversion can be spread over machines without a home-made protocol. A server reportgen did
not start is sent the document's bytes and answers with the PDF's.
"""

from __future__ import annotations

import functools
import http.client
import importlib.util
import os
import shutil
import subprocess
import tempfile
import time
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path

from .convert import ConverterUnavailable
from .processes import kill_group
from .workers import free_port, uno_python

# The PDF export filter and its options, as unoserver passes them to LibreOffice
# (``Name=value``; the same options as the command line's JSON, so the same bytes).
EXPORT_FILTER = "writer_pdf_Export"
# unoserver's XML-RPC interface this code speaks.
API_VERSION = "3"
# A server's own LibreOffice takes several seconds to be ready; wait this long at most.
START_TIMEOUT = 60.0


# What asking a server that is not (or no longer) there raises.
_UNREACHABLE = (OSError, http.client.HTTPException, xmlrpc.client.Error)


def unoserver_path() -> str:
    """Where the unoserver package is installed, for the server's Python to find it."""
    spec = importlib.util.find_spec("unoserver")
    if spec is None or spec.origin is None:
        raise ConverterUnavailable("unoserver is not installed (pip install unoserver)")
    return str(Path(spec.origin).resolve().parent.parent)


class _Transport(xmlrpc.client.Transport):
    """XML-RPC over HTTP with a time limit, so a hung LibreOffice cannot hang the build."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host: str) -> http.client.HTTPConnection:  # type: ignore[override]
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


@dataclass
class Converter:
    """A unoserver to convert with, at ``host:port``; ``server`` is set when reportgen
    started it (and so may restart it)."""

    host: str
    port: int
    server: ResidentServer | None = None
    # One document at a time: a second would wait on the server, its time limit running.
    in_flight = 1

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def restartable(self) -> bool:
        return self.server is not None

    def restart(self) -> Converter:
        """Restart the server reportgen started (see :attr:`restartable`)."""
        assert self.server is not None, "a converter reportgen did not start is not restarted"
        return self.server.restart()

    def interrupt(self) -> None:
        """Nothing: a server is kept between builds (a conversion under way on it ends by
        its time limit)."""

    @property
    def remote(self) -> bool:
        """Whether documents go to it as bytes: a server reportgen did not start may not
        see this machine's files (another host, a container), even on loopback."""
        return self.server is None

    def proxy(self, timeout: float) -> xmlrpc.client.ServerProxy:
        return xmlrpc.client.ServerProxy(
            f"http://{self.address}", allow_none=True, transport=_Transport(timeout)
        )

    def info(self, timeout: float = 5.0) -> dict[str, object]:
        """The server's answer to ``info()``: unoserver and LibreOffice versions, filters;
        :class:`ConverterUnavailable` if it speaks another version of unoserver's API."""
        info: dict[str, object] = self.proxy(timeout).info()  # type: ignore[assignment]
        if str(info.get("api")) != API_VERSION:
            raise ConverterUnavailable(
                f"the converter at {self.address} speaks unoserver API {info.get('api')}; "
                f"reportgen needs {API_VERSION}"
            )
        return info

    def convert(self, docx: Path, pdf: Path, options: list[str], timeout: float) -> None:
        """Convert ``docx`` to ``pdf``; raise :class:`ConverterUnavailable` saying why."""
        try:
            if self.remote:
                result = self.proxy(timeout).convert(
                    None, docx.read_bytes(), None, "pdf", EXPORT_FILTER, options, True, None, None
                )
                pdf.write_bytes(result.data)  # type: ignore[union-attr]
            else:
                self.proxy(timeout).convert(
                    str(docx.resolve()),
                    None,
                    str(pdf.resolve()),
                    None,
                    EXPORT_FILTER,
                    options,
                    True,
                    None,
                    None,
                )
        except TimeoutError:
            raise ConverterUnavailable(
                f"the converter at {self.address} did not convert {docx.name} within {timeout:g} s"
            ) from None
        except (OSError, http.client.HTTPException) as exc:
            raise ConverterUnavailable(
                f"cannot reach the converter at {self.address}: {exc}"
            ) from None
        except xmlrpc.client.Fault as fault:
            message = fault.faultString.strip().splitlines()[-1:] or ["no reason given"]
            raise ConverterUnavailable(
                f"the converter at {self.address} could not convert {docx.name}: {message[0]}"
            ) from None


def parse_address(text: str) -> Converter:
    """``HOST:PORT`` (``--converter``) as a converter; a clear error for anything else."""
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConverterUnavailable(
            f"--converter wants HOST:PORT (e.g. 10.0.0.5:2003), not {text!r}"
        )
    return Converter(host.strip("[]"), int(port))


@dataclass
class ResidentServer:
    """A unoserver reportgen started: a LibreOffice with a profile of its own in
    ``workdir``, listening on loopback ports chosen when it starts."""

    workdir: Path
    soffice: str
    process: subprocess.Popen[bytes] | None = None
    converter: Converter | None = None
    log: Path | None = None
    starts: int = 0
    _profile: Path | None = field(default=None, repr=False)

    def start(self) -> Converter:
        """Start it and wait until it answers; raise :class:`ConverterUnavailable` with the
        end of its log if it does not within :data:`START_TIMEOUT` seconds."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._profile = Path(tempfile.mkdtemp(prefix=".profile-", dir=self.workdir))
        port, uno_port = free_port(), free_port()
        self.log = self._profile.with_suffix(".log")
        environment = {**os.environ, "PYTHONPATH": unoserver_path()}
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    uno_python(),
                    "-m",
                    "unoserver.server",
                    "--interface",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--uno-port",
                    str(uno_port),
                    "--user-installation",
                    str(self._profile),
                    "--executable",
                    self.soffice,
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=environment,
                start_new_session=True,
            )
        self.starts += 1
        # A restarted server keeps its converter, so whoever holds it follows the new port.
        if self.converter is None:
            self.converter = Converter("127.0.0.1", port, self)
        self.converter.port = port
        self._wait_until_ready()
        return self.converter

    def _wait_until_ready(self) -> None:
        assert self.process is not None and self.converter is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                self.converter.info(timeout=2.0)
                return
            except ConverterUnavailable:
                self.stop()
                raise
            except _UNREACHABLE:
                pass
            time.sleep(0.1)
        tail = self.log.read_text("utf-8", "replace").strip().splitlines()[-3:] if self.log else []
        self.stop()
        raise ConverterUnavailable(
            "the resident converter (unoserver) did not start: " + (" / ".join(tail) or "no output")
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def restart(self) -> Converter:
        """Stop it, whatever state it is in, and start it afresh."""
        self.stop()
        return self.start()

    def stop(self) -> None:
        """Stop the server and its LibreOffice (all of its process group) and remove its
        profile."""
        if self.process is not None:
            kill_group(self.process)
            self.process = None
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            if self.log is not None:
                self.log.unlink(missing_ok=True)
            self._profile = None


class Converters:
    """The resident converters a preview or a build uses: those reportgen starts (one per
    worker, each running LibreOffice's ``soffice``) and any given as ``HOST:PORT``. A
    context manager: leaving it stops every server reportgen started, and their
    LibreOffices."""

    def __init__(
        self,
        workdir: Path,
        *,
        workers: int = 0,
        soffice: str = "soffice",
        addresses: list[str] | None = None,
    ) -> None:
        self.workdir = workdir
        self.servers: list[ResidentServer] = []
        self.given = [parse_address(a) for a in addresses or []]
        self.soffice = soffice
        self.wanted = workers

    def __enter__(self) -> Converters:
        try:
            for i in range(self.wanted):
                server = ResidentServer(self.workdir / f"converter-{i + 1}", self.soffice)
                self.servers.append(server)
                server.start()
            for converter in self.given:
                _check_reachable(converter)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def converters(self) -> list[Converter]:
        """Every converter to share work among."""
        own = [s.converter for s in self.servers if s.converter is not None]
        return [*own, *self.given]

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


def _check_reachable(converter: Converter) -> None:
    try:
        converter.info()
    except _UNREACHABLE as exc:
        raise ConverterUnavailable(
            f"cannot reach the converter at {converter.address}: {exc}"
        ) from None


def libreoffice_version_of(converter: Converter) -> str:
    """The LibreOffice version a converter runs, as its server reports it (for the
    fingerprint: a PDF made by another version is rebuilt); asked once per address."""
    return _reported_version(converter.host, converter.port)


@functools.cache
def _reported_version(host: str, port: int) -> str:
    try:
        info = Converter(host, port).info()
    except (*_UNREACHABLE, ConverterUnavailable):
        return "LibreOffice unknown"
    return f"LibreOffice {info.get('libreoffice_version', 'unknown')} (unoserver)"
