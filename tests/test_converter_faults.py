"""LibreOffice misbehaving, and builds stopped part way: each ends promptly with a clear
message, no LibreOffice left running, nothing left behind, and the previous outputs intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CONVERSION_MODES, FAKE_SOFFICE, ROOT, snapshot


def start_build(
    out: Path, fake: str, log: Path, *extra: str, mode: str = "batch"
) -> subprocess.Popen[str]:
    """A forced build of the example with a fake LibreOffice; its workers' folders (in
    worker mode) go in the temporary folder beside ``log``. With ``--debug``, so that a bug
    met on the way out shows its traceback in the test's failure."""
    command = ["build", "--force", "--out", str(out), *extra]
    return subprocess.Popen(
        [sys.executable, "-m", "reportgen", "--debug", *command],
        cwd=ROOT,
        env={
            **os.environ,
            "REPORTGEN_SOFFICE": str(FAKE_SOFFICE / fake),
            "FAKE_SOFFICE_LOG": str(log),
            "TMPDIR": str(log.parent),
            **CONVERSION_MODES[mode],
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A test run in the background inherits Ctrl-C ignored, which Python then keeps;
        # the build under test must hear it as a terminal's foreground job does.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def run_build(
    out: Path, fake: str, log: Path, *extra: str, mode: str = "batch"
) -> subprocess.CompletedProcess[str]:
    process = start_build(out, fake, log, *extra, mode=mode)
    stdout, stderr = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def wait_for_converter(log: Path, process: subprocess.Popen[str]) -> list[int]:
    """The pids the fake LibreOffice logged, once it is running."""
    for _ in range(600):
        if log.exists() and len(log.read_text().split()) >= 2:
            return [int(p) for p in log.read_text().split()]
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("the fake LibreOffice never started")


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def assert_all_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 5
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in pids if alive(p)], "LibreOffice outlived the build"


@pytest.mark.parametrize("mode", CONVERSION_MODES)
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_stopped_build_ends_within_seconds_and_kills_libreoffice(
    previous_build, tmp_path, stop, mode
):
    before = snapshot(previous_build)
    log = tmp_path / "soffice.log"
    build = start_build(previous_build, "hang", log, "--timeout", "120", mode=mode)
    pids = wait_for_converter(log, build)
    asked = time.monotonic()
    build.send_signal(stop)
    _, stderr = build.communicate(timeout=60)
    waited = time.monotonic() - asked
    assert build.returncode == 130, stderr
    assert "interrupted; nothing in the output was changed" in stderr
    assert "Traceback" not in stderr
    assert waited < 5, f"took {waited:.1f} s to stop"
    assert_all_gone(pids)
    assert snapshot(previous_build) == before
    assert not list(previous_build.glob(".reportgen-*-*")), "staging or profiles left behind"
    assert not list(tmp_path.glob("reportgen-workers-*")), "workers' profiles left behind"


@pytest.mark.parametrize("mode", CONVERSION_MODES)
def test_what_a_build_killed_outright_left_running_is_stopped_by_the_next(
    previous_build, tmp_path, mode
):
    log = tmp_path / "soffice.log"
    build = start_build(previous_build, "hang", log, "--timeout", "120", mode=mode)
    pids = wait_for_converter(log, build)
    # Killed once it has staged its work (a worker starts before that).
    for _ in range(600):
        if list(previous_build.glob(".reportgen-staging-*/*/*.docx")):
            break
        time.sleep(0.05)
    build.kill()
    build.wait()
    assert alive(pids[0]), "the fake LibreOffice should outlive a build killed with -9"
    assert list(previous_build.glob(".reportgen-staging-*"))
    after = subprocess.run(
        [sys.executable, "-m", "reportgen", "build", "--quiet", "--out", str(previous_build)],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert after.returncode == 0, after.stderr
    assert_all_gone(pids)
    assert not list(previous_build.glob(".reportgen-staging-*"))
    assert not list(tmp_path.glob("reportgen-workers-*"))


def test_a_pdf_the_converter_damaged_is_an_error_not_a_published_file(previous_build, tmp_path):
    before = snapshot(previous_build)
    result = run_build(previous_build, "damaged", tmp_path / "soffice.log")
    assert result.returncode == 1, result.stderr
    assert "LibreOffice wrote a PDF that cannot be read" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(previous_build) == before


def test_an_error_libreoffice_prints_while_exiting_0_is_the_reason_given(previous_build, tmp_path):
    result = run_build(previous_build, "refuses", tmp_path / "soffice.log", "--jobs", "1")
    assert result.returncode == 1
    assert "could not convert" in result.stderr
    assert "Error: source file could not be loaded" in result.stderr
    assert "exited without writing it" not in result.stderr


@pytest.mark.libreoffice
def test_the_retry_after_a_converter_died_mid_write_succeeds(previous_build, tmp_path):
    log = tmp_path / "soffice.log"
    result = run_build(previous_build, "crash-leaving-locks", log, "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "soffice.log.crashed").exists(), "the first call should have crashed"
    assert not list(previous_build.rglob(".~lock*"))


def test_where_there_are_no_process_groups_as_on_windows_libreoffice_is_still_stopped(
    monkeypatch,
):
    from reportgen.processes import kill_group

    hung = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    monkeypatch.delattr(os, "killpg")
    started = time.monotonic()
    kill_group(hung)
    assert hung.returncode is not None
    assert time.monotonic() - started < 10


def test_an_interrupt_caught_after_passing_through_execd_code_still_exits_130(tmp_path):
    # As when Ctrl-C lands while dataclasses make methods (by exec) during the imports.
    (tmp_path / "interrupted_run.py").write_text(
        "import reportgen.cli as cli\n"
        "def main():\n"
        "    try:\n"
        "        exec('raise KeyboardInterrupt')\n"
        "    except KeyboardInterrupt:\n"
        "        return cli.EXIT_INTERRUPTED\n"
        "cli.main = main\n"
        "cli.run()\n"
    )
    ran = subprocess.run([sys.executable, "-m", "interrupted_run"], cwd=tmp_path, check=False)
    assert ran.returncode == 130
