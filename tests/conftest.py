"""Shared fixtures: the example inputs, copies of them to break, and one real build."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from reportgen.build import BuildResult, Paths, build
from reportgen.check import load_project
from reportgen.diagnostics import ReportgenError

# Deadlines that have passed are measured against today: the tests' today is fixed, so that
# what they expect does not change as the calendar moves on.
os.environ["REPORTGEN_TODAY"] = "2014-05-22"
# The LibreOffice profile builds keep (reportgen.workers.profile_seed) goes to a cache of
# the test run's own, not the user's.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="reportgen-test-cache-")
atexit.register(shutil.rmtree, os.environ["XDG_CACHE_HOME"], ignore_errors=True)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_INPUTS = ROOT / "inputs"
TEMPLATES = ROOT / "templates"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FAKE_SOFFICE = FIXTURES / "fake-soffice"
# The two ways a build runs LibreOffice, as the environment chooses them: its own workers
# driven over UNO (the default), or ``soffice --convert-to`` batches.
CONVERSION_MODES: dict[str, dict[str, str]] = {
    "workers": {"REPORTGEN_CONVERT": "workers"},
    "batch": {"REPORTGEN_CONVERT": "batch"},
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use the example built with LibreOffice are LibreOffice tests, so that
    ``pytest -m "not libreoffice"`` is the fast loop (tests that build by themselves carry
    the mark where they are written)."""
    for item in items:
        if "example_build" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.libreoffice)


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A private copy of the example inputs that a test may edit."""
    target = tmp_path / "inputs"
    shutil.copytree(EXAMPLE_INPUTS, target)
    return target


@pytest.fixture
def digital(tmp_path: Path) -> Path:
    """A private copy of the district council's digital access programme (a dated
    meeting, one council, a form and a report), for a test to edit."""
    target = tmp_path / "inputs"
    shutil.copytree(FIXTURES / "digital-access", target)
    return target


@pytest.fixture
def edit() -> Callable[[Path, str, str], None]:
    """Replace exactly one occurrence of ``old`` with ``new`` in a file."""

    def replace(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    return replace


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    """The example built once, with the real LibreOffice, for the PDF tests to inspect."""
    out = tmp_path_factory.mktemp("build")
    result = build(Paths(EXAMPLE_INPUTS, TEMPLATES, out))
    return out, result


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` and its bytes: what "nothing changed" compares."""
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def previous_build(example_build: tuple[Path, BuildResult], tmp_path: Path) -> Path:
    """An output directory holding a good earlier build, for a test to break a build on."""
    out = tmp_path / "build"
    shutil.copytree(example_build[0], out)
    return out


def output_path(out: Path, kind: str, fmt: str = "pdf") -> Path:
    """The one output of ``kind`` and ``fmt`` that ``out/manifest.json`` lists."""
    outputs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    (found,) = [o for o in outputs if o["kind"] == kind and o["format"] == fmt]
    return out / found["path"]


# The district council's Cabinet of 9 September 2015 (fixtures/digital-access) once held: what
# it resolved on each recommendation of its report.
OUTCOMES = """\
  first_minute: 41
  outcomes:
    report:
      recommendations:
        approve: {decision: agreed}
        delegate:
          decision: agreed-as-amended
          wording: That the Director of Resources agrees the contract after consulting the Leader.
        report-back: {decision: deferred, reason: The supplier is to confirm the date.}
        assessment: {decision: not-agreed, reason: Members asked for consultation first.}
      reasons: Digital channels cost less per contact.
      interests:
        - {member: Councillor J Patel, interest: a personal interest as a library governor}
"""


def hold_meeting(inputs: Path) -> Path:
    """``inputs`` (a copy of the digital access programme) with its Cabinet meeting held:
    its outcomes recorded, so the build makes its record of decisions."""
    meetings = inputs / "meetings.yaml"
    meetings.write_text(meetings.read_text() + OUTCOMES)
    return inputs


def plan_key_decision(inputs: Path) -> Path:
    """``inputs`` (a copy of the digital access programme) with its report a key decision,
    noticed on 29 July 2015 and affecting two wards, so the build makes a forward plan."""
    report = inputs / "documents" / "report.yaml"
    report.write_text(
        report.read_text() + "key_decision: {notice: 2015-07-29}\nwards: [Abbey, Castle]\n"
    )
    return inputs


def load_problems(inputs: Path) -> list[str]:
    """Every diagnostic that loading, typing and cross-checking ``inputs`` raises."""
    with pytest.raises(ReportgenError) as caught:
        load_project(inputs)
    return [str(d) for d in caught.value.diagnostics]
