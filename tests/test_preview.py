"""``reportgen preview``: edit a fact and the PDF follows; a broken edit keeps the last good
PDF and says what is wrong, on the terminal and on the page; Ctrl-C leaves nothing running."""

from __future__ import annotations

import json
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from reportgen.preview import PreviewState, rebuild

import browser
from conftest import TEMPLATES
from fidelity import pdf_text

REPORT = "date-tbc-cabinet/date-tbc-cabinet-item-4-transformation-and-shared-services.pdf"
AUTHOR = "author: Rachel Johnson/Jason Whaler"


class Preview:
    """A ``reportgen preview`` running on a copy of the example, read line by line."""

    def __init__(self, inputs: Path, out: Path) -> None:
        where = ["--inputs", str(inputs), "--templates", str(TEMPLATES), "--out", str(out)]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reportgen", "preview", *where, "--port", "0", "--jobs", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, seconds: float = 120) -> re.Match[str]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.process.poll() is None, "\n".join(self.seen)
                continue
            self.seen.append(line)
            found = re.search(pattern, line)
            if found:
                return found
        raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(self.seen))

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=60)
        self.reader.join(timeout=10)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return code


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def first_event(url: str) -> dict:
    with urllib.request.urlopen(url + "_reportgen/events", timeout=10) as response:
        for raw in response:
            line = raw.decode().strip()
            if line.startswith("data: "):
                return json.loads(line.removeprefix("data: "))
    raise AssertionError("no event")


def running_with(text: str) -> list[str]:
    """Command lines of running processes that name ``text``."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = cmdline.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in command:
            found.append(command)
    return found


@pytest.mark.libreoffice
def test_preview_follows_an_edit_keeps_the_last_good_pdf_and_stops_everything(
    example_copy, tmp_path, edit
):
    out = tmp_path / "build"
    preview = Preview(example_copy, out)
    try:
        scratch = preview.wait_for(r"converters in (\S+)").group(1)
        url = preview.wait_for(r"at (http://127\.0\.0\.1:\d+/)").group(1)
        preview.wait_for(r"^watching ")
        assert "Rachel Johnson" in pdf_text(out / REPORT)
        page = fetch(url + "date-tbc-cabinet/index.html")
        assert '<script src="/_reportgen/live.js"></script>' in page

        report = example_copy / "documents" / "cabinet-report.yaml"
        edit(report, AUTHOR, "author: Priya Shah")
        preview.wait_for(r"^rebuilt in .* outputs changed")
        assert "Priya Shah" in pdf_text(out / REPORT)
        event = first_event(url)
        assert REPORT in event["changed"] and event["problems"] == []

        good = (out / REPORT).read_bytes()
        edit(report, "author: Priya Shah", "authr: Priya Shah")
        preview.wait_for(r"problems; the documents in .* are the last good build")
        assert (out / REPORT).read_bytes() == good
        problems = first_event(url)["problems"]
        assert any(
            re.search(r"cabinet-report\.yaml:\d+:\d+: error: unknown key 'authr'", p)
            for p in problems
        ), problems
    finally:
        code = preview.stop()
    assert code == 0, "\n".join(preview.seen)
    assert preview.seen[-1] == "preview stopped"
    assert running_with(scratch) == []
    assert not Path(scratch).exists()


def test_the_page_is_told_of_problems_and_not_reloaded(tmp_path):
    from reportgen.diagnostics import Diagnostic, ReportgenError

    state, said = PreviewState(), []

    def broken() -> None:
        raise ReportgenError([Diagnostic("inputs/meetings.yaml", 8, 9, "error", "bad date")])

    rebuild(broken, tmp_path, state, said.append)
    assert json.loads(state.message()) == {
        "version": 0,
        "changed": [],
        "problems": ["inputs/meetings.yaml:8:9: error: bad date"],
    }
    assert said[0] == "inputs/meetings.yaml:8:9: error: bad date"


def until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.libreoffice
@pytest.mark.browser
def test_the_open_meeting_page_reloads_itself_and_shows_the_problems(example_copy, tmp_path, edit):
    if browser.missing():
        pytest.fail(browser.missing())
    from selenium.webdriver.common.by import By

    preview = Preview(example_copy, tmp_path / "build")
    report = example_copy / "documents" / "cabinet-report.yaml"
    try:
        url = preview.wait_for(r"at (http://127\.0\.0\.1:\d+/)").group(1)
        preview.wait_for(r"^watching ")
        with browser.chromium() as page:
            page.get(url + "date-tbc-cabinet/index.html")
            root = page.find_element(By.TAG_NAME, "html")
            until(lambda: root.get_attribute("data-reportgen-version") is not None)
            pdf_link = page.find_element(By.PARTIAL_LINK_TEXT, "papers (PDF)")
            assert "/_reportgen/pdf/date-tbc-cabinet/" in pdf_link.get_attribute("href")
            page.execute_script("window.reportgenMarker = 1")

            edit(report, AUTHOR, "author: Priya Shah")
            preview.wait_for(r"^rebuilt in .* outputs changed")
            until(lambda: page.execute_script("return window.reportgenMarker") is None)

            edit(report, "author: Priya Shah", "authr: Priya Shah")
            until(lambda: page.find_elements(By.ID, "reportgen-problems"))
            shown = page.find_element(By.ID, "reportgen-problems").text
            assert "unknown key 'authr'" in shown and "cabinet-report.yaml:" in shown
    finally:
        assert preview.stop() == 0


def preview_command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reportgen", "preview", "--jobs", "1", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_port_in_use_is_said_at_once_before_libreoffice_starts(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = preview_command("--port", str(port), "--out", str(tmp_path / "build"))
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "starting" not in result.stdout
    assert "Traceback" not in result.stderr


def test_a_missing_inputs_folder_is_named(tmp_path):
    result = preview_command("--inputs", str(tmp_path / "nowhere"), "--port", "0")
    assert result.returncode == 1
    assert f"{tmp_path / 'nowhere'}: error: the inputs folder to watch is not there" in (
        result.stderr
    )
