"""Resident converters: LibreOffice kept running behind unoserver, started by reportgen or
running elsewhere (``--converter HOST:PORT``), share the work and make the same bytes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from xmlrpc.server import SimpleXMLRPCServer

import pytest

from reportgen.build import Paths, build
from reportgen.convert import ConversionError, convert_to_pdf, find_soffice
from reportgen.resident import (
    API_VERSION,
    Converter,
    Converters,
    ConverterUnavailable,
    ResidentServer,
    parse_address,
)

from conftest import EXAMPLE_INPUTS, TEMPLATES


def test_a_converter_address_is_host_and_port():
    assert parse_address("10.0.0.5:2003").address == "10.0.0.5:2003"
    assert parse_address("[::1]:2003").host == "::1"


@pytest.mark.parametrize("wrong", ["10.0.0.5", ":2003", "host:port", "host:70000"])
def test_a_converter_address_that_is_not_host_and_port_is_refused(wrong):
    with pytest.raises(ConverterUnavailable, match="--converter wants HOST:PORT"):
        parse_address(wrong)


@pytest.fixture
def stalled_server():
    """An XML-RPC server that answers as unoserver does, then never finishes converting."""
    server = SimpleXMLRPCServer(("127.0.0.1", 0), allow_none=True, logRequests=False)
    release = threading.Event()
    server.register_function(lambda: {"api": API_VERSION}, "info")
    server.register_function(lambda *args: release.wait(30), "convert")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Converter("127.0.0.1", server.server_address[1])
    release.set()
    server.shutdown()


def test_a_converter_that_hangs_is_given_up_on_within_the_time_limit(stalled_server, tmp_path):
    docx = tmp_path / "report.docx"
    docx.write_bytes(b"PK")
    started = time.monotonic()
    with pytest.raises(ConversionError, match=re.escape("did not convert report.docx within 1 s")):
        convert_to_pdf([docx], tmp_path / "out", timeout=1, converters=[stalled_server])
    assert time.monotonic() - started < 10


def test_a_converter_that_cannot_be_reached_is_named(tmp_path):
    unreachable = re.escape("cannot reach the converter at 127.0.0.1:9")
    with (
        pytest.raises(ConverterUnavailable, match=unreachable),
        Converters(tmp_path, addresses=["127.0.0.1:9"]),
    ):
        pass


def test_a_converter_speaking_another_unoserver_api_is_refused(tmp_path):
    server = SimpleXMLRPCServer(("127.0.0.1", 0), allow_none=True, logRequests=False)
    server.register_function(lambda: {"api": "2"}, "info")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"127.0.0.1:{server.server_address[1]}"
    try:
        refused = re.escape(f"the converter at {address} speaks unoserver API 2; reportgen needs")
        with (
            pytest.raises(ConverterUnavailable, match=refused),
            Converters(tmp_path, addresses=[address]),
        ):
            pass
    finally:
        server.shutdown()


def build_bytes(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        # The manifest differs in the fingerprints, which name each converter's LibreOffice.
        if p.is_file() and p.suffix in (".pdf", ".docx", ".html", ".ics")
    }


@pytest.fixture
def two_servers(tmp_path):
    """Two unoservers on their own ports, started as if on other machines."""
    servers = [ResidentServer(tmp_path / f"server-{i}", "soffice") for i in (1, 2)]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


def exports(server: ResidentServer) -> int:
    """How many documents a server has converted, from its log."""
    assert server.log is not None
    return server.log.read_text("utf-8", "replace").count("Exporting to")


@pytest.mark.libreoffice
def test_two_converters_on_other_ports_share_the_work_and_make_the_same_bytes(
    two_servers, example_build, tmp_path
):
    local, _ = example_build
    out = tmp_path / "build"
    addresses = [f"--converter={s.converter.address}" for s in two_servers]  # type: ignore[union-attr]
    result = subprocess.run(
        [sys.executable, "-m", "reportgen", "build", "--out", str(out), *addresses],
        capture_output=True,
        text=True,
        cwd=EXAMPLE_INPUTS.parent,
    )
    assert result.returncode == 0, result.stderr
    assert all(exports(s) >= 1 for s in two_servers), [exports(s) for s in two_servers]
    assert build_bytes(out) == build_bytes(local)


@pytest.mark.libreoffice
def test_a_converter_reportgen_started_is_restarted_when_it_dies(tmp_path):
    out = tmp_path / "build"
    with Converters(tmp_path / "converters", workers=1, soffice=find_soffice()) as converters:
        (server,) = converters.servers
        assert server.process is not None
        os.killpg(server.process.pid, signal.SIGKILL)
        build(Paths(EXAMPLE_INPUTS, TEMPLATES, out), converters=converters.converters)
        assert server.starts == 2
        assert server.alive()
    assert not server.alive()
    manifest = json.loads((out / "manifest.json").read_text())
    assert any(o["kind"] == "pack" for o in manifest["outputs"])
