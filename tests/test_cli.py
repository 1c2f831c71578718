"""The command line: exit codes, messages without tracebacks, and builds that lose nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CONVERSION_MODES, FAKE_SOFFICE, ROOT, snapshot


def reportgen(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reportgen", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


@pytest.mark.libreoffice
def test_build_writes_the_documents_and_exits_zero(example_copy, tmp_path):
    out = tmp_path / "out"
    result = reportgen("build", "--inputs", str(example_copy), "--out", str(out))
    assert result.returncode == 0, result.stderr
    stem = "date-tbc-cabinet/date-tbc-cabinet-item-4-transformation-and-shared-services"
    assert {f"{stem}.docx", f"{stem}.pdf", "manifest.json"} <= set(snapshot(out))
    assert "built 3 documents and 1 packs, 0 documents up to date" in result.stdout


def test_the_reportgen_command_is_installed():
    command = Path(sys.executable).parent / "reportgen"
    result = subprocess.run([command, "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "build" in result.stdout


def test_validate_passes_on_the_example():
    result = reportgen("validate")
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


# Windows has no fcntl: the author's commands must import and run without it.
WITHOUT_FCNTL = """
import sys
sys.modules["fcntl"] = None  # what "import fcntl" meets on Windows: ImportError
from reportgen.cli import main
for command in sys.argv[1:]:
    print("exit", command.split()[0], main(command.split()), flush=True)
"""


def test_the_authors_commands_work_where_there_is_no_fcntl_as_on_windows():
    commands = [
        "validate",
        "lint",
        "fmt --check",
        "uses programmes.transformation.facts.savings",
        "diff HEAD",
    ]
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_FCNTL, *commands],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert "Traceback" not in result.stderr, result.stderr
    codes = [line for line in result.stdout.splitlines() if line.startswith("exit ")]
    assert codes == [f"exit {c.split()[0]} 0" for c in commands], result.stdout


# What a command loads is what it costs to start: each loads only what it uses.
LOADED = """
import sys
from reportgen.cli import main
code = main(sys.argv[2:])
print()
print("exit", code, *sorted(m for m in sys.argv[1].split(",") if m in sys.modules))
"""


def loaded(modules: list[str], *command: str) -> list[str]:
    """Which of ``modules`` running ``reportgen COMMAND`` loads, after its exit code."""
    result = subprocess.run(
        [sys.executable, "-c", LOADED, ",".join(modules), *command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    return result.stdout.splitlines()[-1].split()[1:]


PDF_MAKING = ["pikepdf", "reportgen.pack", "reportgen.finish"]


def test_validate_loads_nothing_of_the_build():
    building = [*PDF_MAKING, "reportgen.build", "icalendar", "ruamel.yaml"]
    assert loaded(building, "validate") == ["0"]


def test_textconv_for_git_diff_loads_neither_the_model_nor_jinja():
    template = str(ROOT / "templates" / "cabinet-report.docx")
    assert loaded(["reportgen.model", "pydantic", "jinja2"], "textconv", template) == ["0"]


def test_a_build_with_nothing_to_convert_loads_nothing_that_makes_pdfs(previous_build):
    assert loaded(PDF_MAKING, "build", "--out", str(previous_build), "--quiet") == ["0"]


def test_bad_input_gives_located_messages_exit_one_and_no_traceback(example_copy, edit):
    edit(
        example_copy / "programmes" / "transformation.yaml",
        "[500_000, 750_000]",
        "[half a million, 750_000]",
    )
    edit(example_copy / "meetings.yaml", "body: cabinet", "bdy: cabinet")
    result = reportgen("validate", "--inputs", str(example_copy))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    meetings = example_copy / "meetings.yaml"
    assert lines[0] == f"{meetings}:4:1: error: missing required key 'body' [cabinet.body]"
    assert lines[1] == (
        f"{meetings}:5:3: error: unknown key 'bdy' — did you mean 'body'? [cabinet.bdy]"
    )
    assert lines[2].startswith(f"{example_copy / 'programmes' / 'transformation.yaml'}:")
    assert lines[-1] == "3 errors, 0 warnings"


def test_a_failed_build_leaves_the_previous_outputs_untouched(previous_build, example_copy, edit):
    before = snapshot(previous_build)
    edit(
        example_copy / "documents" / "cabinet-report.yaml",
        "in conjunction with {{ partner }}.",
        "in conjunction with {{ partnr }}.",
    )
    result = reportgen("build", "--inputs", str(example_copy), "--out", str(previous_build))
    assert result.returncode == 1
    assert "partnr" in result.stderr
    assert snapshot(previous_build) == before
    assert sorted(p.name for p in previous_build.iterdir()) == [
        ".reportgen.lock",
        "date-tbc-cabinet",
        "index.html",
        "manifest.json",
    ]


@pytest.mark.parametrize("mode", CONVERSION_MODES)
def test_a_hung_converter_is_stopped_and_nothing_is_lost(previous_build, tmp_path, mode):
    before = snapshot(previous_build)
    log = tmp_path / "soffice.log"
    result = reportgen(
        "build",
        "--force",
        "--out",
        str(previous_build),
        "--timeout",
        "2",
        env={
            "REPORTGEN_SOFFICE": str(FAKE_SOFFICE / "hang"),
            "FAKE_SOFFICE_LOG": str(log),
            **CONVERSION_MODES[mode],
        },
    )
    assert result.returncode == 1
    assert "item-4-transformation-and-shared-services.docx" in result.stderr
    assert "within 2 s and was stopped" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(previous_build) == before
    for pid in map(int, log.read_text().split()):
        assert not Path(f"/proc/{pid}").exists() or _is_zombie(pid), f"process {pid} survived"


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


@pytest.mark.parametrize("mode", CONVERSION_MODES)
def test_a_crashed_converter_is_retried_once_then_reported(previous_build, tmp_path, mode):
    before = snapshot(previous_build)
    log = tmp_path / "soffice.log"
    result = reportgen(
        "build",
        "--force",
        "--out",
        str(previous_build),
        "--jobs",
        "1",
        env={
            "REPORTGEN_SOFFICE": str(FAKE_SOFFICE / "crash"),
            "FAKE_SOFFICE_LOG": str(log),
            **CONVERSION_MODES[mode],
        },
    )
    assert result.returncode == 1
    assert len(log.read_text().split()) == 2
    assert "no PDF for date-tbc-cabinet-item-4-transformation-and-shared-services.docx" in (
        result.stderr
    )
    assert "exit 139" in result.stderr
    assert result.stderr.count("reportgen: error:") == 1, "a message quoted with its prefix"
    assert snapshot(previous_build) == before


def test_missing_libreoffice_says_how_to_install_it(previous_build):
    result = reportgen(
        "build",
        "--force",
        "--out",
        str(previous_build),
        env={"REPORTGEN_SOFFICE": "/nonexistent/soffice"},
    )
    assert result.returncode == 1
    assert "LibreOffice not found" in result.stderr
    assert "apt-get install" in result.stderr


def test_staging_left_by_a_killed_build_is_cleared_by_the_next(previous_build):
    stale = previous_build / ".reportgen-staging-killed"
    (stale / "docx").mkdir(parents=True)
    (stale / "docx" / "half-written.docx").write_bytes(b"PK")
    result = reportgen("build", "--out", str(previous_build), "--quiet")
    assert result.returncode == 0, result.stderr
    assert not stale.exists()


def test_a_second_build_into_the_same_directory_waits_its_turn(previous_build):
    import fcntl

    with (previous_build / ".reportgen.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = reportgen("build", "--out", str(previous_build))
    assert result.returncode == 1
    assert "another reportgen build is writing here" in result.stderr


def test_validate_can_answer_in_json_for_editors_and_ci(example_copy, edit):
    import json

    edit(example_copy / "meetings.yaml", "body: cabinet", "bdy: cabinet")
    result = reportgen("validate", "--inputs", str(example_copy), "--format", "json")
    assert result.returncode == 1
    answer = json.loads(result.stdout)
    assert answer["errors"] == 2 and answer["warnings"] == 0
    first = answer["diagnostics"][0]
    assert first == {
        "file": str(example_copy / "meetings.yaml"),
        "line": 4,
        "col": 1,
        "severity": "error",
        "message": "missing required key 'body'",
        "key": "cabinet.body",
    }


def test_lint_passes_on_the_example_templates():
    result = reportgen("lint")
    assert result.returncode == 0, result.stderr
    # Every Word and HTML template in templates/, and the house style.
    templates = ROOT / "templates"
    every = [*templates.glob("*.docx"), *templates.glob("*.html"), templates / "house-style.css"]
    assert result.stdout.strip() == f"{len(every)} templates: ok"


@pytest.mark.libreoffice
def test_no_libreoffice_process_outlives_a_build(example_copy, tmp_path):
    # LibreOffice's profiles live in the build's staging folder under tmp_path, so only this
    # build's processes are looked for, not those of any other LibreOffice on the machine.
    out = tmp_path / "out"
    result = reportgen("build", "--inputs", str(example_copy), "--out", str(out))
    assert result.returncode == 0, result.stderr
    survivors = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(out).encode() in cmdline.read_bytes():
                survivors.append(cmdline.parent.name)
        except OSError:  # the process ended while we looked
            continue
    assert survivors == []
    assert not list(out.glob(".reportgen-staging-*")), "LibreOffice profiles left behind"


def test_outputs_a_new_build_no_longer_makes_are_removed(previous_build, example_copy, edit):
    old = set(snapshot(previous_build))
    edit(
        example_copy / "meetings.yaml",
        "date: {unknown: The 22 May 2014 report does not give the date of the Cabinet meeting}",
        "date: 2014-06-10",
    )
    (previous_build / "notes-by-the-clerk.txt").write_text("keep me")
    result = reportgen("build", "--inputs", str(example_copy), "--out", str(previous_build))
    assert result.returncode == 0, result.stderr
    now = set(snapshot(previous_build))
    assert not any(p.startswith("date-tbc-cabinet/") for p in now)
    assert any(p.startswith("2014-06-10-cabinet/2014-06-10-cabinet-item-4-") for p in now)
    assert "notes-by-the-clerk.txt" in now
    assert not (previous_build / "date-tbc-cabinet").exists()
    assert old - now


def test_lint_checks_a_template_no_input_names_as_the_kind_it_fits(tmp_path):
    scrutiny = tmp_path / "scrutiny-report.docx"
    shutil.copyfile(ROOT / "templates" / "cabinet-report.docx", scrutiny)
    result = reportgen("lint", str(scrutiny))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1 templates: ok"


def test_lint_checks_a_template_as_the_kind_the_inputs_make_from_it(example_copy, edit):
    # The report's kind names the EOI's template: linted as a report, it cannot pass.
    edit(
        example_copy / "kinds" / "cabinet-report.yaml",
        "template: cabinet-report.docx",
        "template: eoi-transformation-challenge-award.docx",
    )
    result = reportgen("lint", "--inputs", str(example_copy))
    assert result.returncode == 1
    assert "'report' is not provided to this template" not in result.stderr
    assert "is not provided to this template" in result.stderr


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--jobs", "-1", "must be at least 1, not -1"),
        ("--jobs", "0", "must be at least 1, not 0"),
        ("--jobs", "two", "expected a whole number, not 'two'"),
        ("--timeout", "0", "must be a number of seconds above 0, not 0"),
        ("--timeout", "-5", "must be a number of seconds above 0, not -5"),
        ("--timeout", "inf", "must be a number of seconds above 0, not inf"),
        ("--timeout", "nan", "must be a number of seconds above 0, not nan"),
    ],
)
def test_a_wrong_number_on_the_command_line_is_a_usage_error(option, value, says, tmp_path):
    result = reportgen("build", option, value, "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.strip().endswith(f"error: argument {option}: {says}")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_hand_edited_manifest_is_not_trusted_and_its_outputs_are_made_again(
    previous_build, example_copy
):
    manifest = previous_build / "manifest.json"
    data = json.loads(manifest.read_text())
    report = next(
        o for o in data["outputs"] if o["kind"] == "cabinet-report" and o["format"] == "pdf"
    )
    report["pages"] = "five"  # a wrong type: used to end every later build with exit 3
    manifest.write_text(json.dumps(data))
    result = reportgen("build", "--inputs", str(example_copy), "--out", str(previous_build))
    assert result.returncode == 0, result.stderr
    rebuilt = json.loads(manifest.read_text())["outputs"]
    entry = next(o for o in rebuilt if o["path"] == report["path"])
    assert entry["pages"] == 5


def test_a_manifest_entry_of_the_wrong_shape_is_left_out():
    from reportgen.manifest import _well_formed

    good = {
        "path": "a.pdf",
        "kind": "k",
        "format": "pdf",
        "title": "t",
        "sha256": "0",
        "sources": [],
        "pages": 3,
        "size": 1,
        "fingerprint": "f",
    }
    assert _well_formed(good)
    assert not _well_formed({**good, "pages": "3"})
    assert not _well_formed({**good, "pages": None})  # a reused PDF needs its pages
    assert not _well_formed({**good, "size": True})
    assert not _well_formed({**good, "extra": 1})
    assert not _well_formed({k: v for k, v in good.items() if k != "sha256"})
    assert not _well_formed(["a.pdf"])
