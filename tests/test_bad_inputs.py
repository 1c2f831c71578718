"""A corpus of broken inputs: each case in ``fixtures/bad-inputs/`` overlays the files it
holds on ``fixtures/minimal/`` and ``expected.txt`` is exactly what ``reportgen validate``
must print, file:line:col, message and key path included.

To add a case, make a folder with the broken file(s), then write its ``expected.txt`` by hand
or with ``REPORTGEN_WRITE_EXPECTED=1 pytest tests/test_bad_inputs.py`` and read it critically.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen import cli

from conftest import FIXTURES, TEMPLATES

CASES = FIXTURES / "bad-inputs"
MINIMAL = FIXTURES / "minimal"
EXPECTED = "expected.txt"


def project_with(case: Path, root: Path) -> None:
    """``root/inputs`` = the minimal inputs with the case's files laid over them; a case's
    ``templates/`` folder is laid over the example's templates."""
    shutil.copytree(MINIMAL, root / "inputs")
    shutil.copytree(TEMPLATES, root / "templates")
    for path in case.rglob("*"):
        if path.is_file() and path.name != EXPECTED:
            relative = path.relative_to(case)
            in_templates = relative.parts[0] == "templates"
            target = root / relative if in_templates else root / "inputs" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def validate(root: Path) -> subprocess.CompletedProcess[str]:
    """``reportgen validate`` run in ``root``, in this process: the same code and output as
    the command (its paths relative to ``root``), without starting Python for each case."""
    here = os.getcwd()
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        os.chdir(root)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = cli.main(["validate"])
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(
        ["reportgen", "validate"], code, stdout.getvalue(), stderr.getvalue()
    )


def test_the_command_itself_answers_as_the_in_process_runs_do(tmp_path):
    project_with(CASES / "misspelt-key", tmp_path)
    command = subprocess.run(
        [sys.executable, "-m", "reportgen", "validate"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (command.returncode, command.stderr) == (1, validate(tmp_path).stderr)


def test_the_minimal_inputs_are_valid(tmp_path):
    shutil.copytree(MINIMAL, tmp_path / "inputs")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    result = validate(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir()))
def test_bad_input_is_reported_exactly(case, tmp_path):
    project_with(CASES / case, tmp_path)
    result = validate(tmp_path)
    expected_file = CASES / case / EXPECTED
    if os.environ.get("REPORTGEN_WRITE_EXPECTED"):
        expected_file.write_text(result.stderr)
    expected = expected_file.read_text()
    assert result.stderr == expected
    assert "Traceback" not in result.stderr
    errors = any(": error: " in line for line in expected.splitlines())
    assert result.returncode == (1 if errors else 0)
