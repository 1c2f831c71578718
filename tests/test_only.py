"""``build --final --only MEETING``: a clerk finalises one meeting's papers while another
meeting's are still drafts, and the other meeting's outputs stay as they were."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.build import Paths, build
from reportgen.check import check

from conftest import EXAMPLE_INPUTS, FIXTURES, TEMPLATES

DIGITAL = FIXTURES / "digital-access"


def two_meetings(root: Path) -> Path:
    """The worked example (its Cabinet's date not known: drafts) and Westmoor's Cabinet of
    9 September 2015 (every fact known), as two meetings of one inputs tree."""
    inputs = root / "inputs"
    shutil.copytree(EXAMPLE_INPUTS, inputs)
    for folder in ("programmes", "documents"):
        for path in (DIGITAL / folder).iterdir():
            shutil.copyfile(path, inputs / folder / path.name)
    report = inputs / "documents" / "report.yaml"
    report.write_text(report.read_text().replace("meeting: cabinet", "meeting: westmoor"))
    for name in ("organisations.yaml", "bodies.yaml", "meetings.yaml"):
        theirs = (DIGITAL / name).read_text()
        if name != "organisations.yaml":
            theirs = theirs.replace("cabinet:", "westmoor:", 1)
        if name == "meetings.yaml":
            theirs = theirs.replace("body: cabinet", "body: westmoor")
        with (inputs / name).open("a") as handle:
            handle.write("\n" + theirs)
    return inputs


def errors(inputs: Path, **options) -> list[str]:
    return [d.message for d in check(inputs, TEMPLATES, final=True, **options).errors]


def test_a_final_check_of_the_whole_tree_refuses_the_example_s_unknown_facts(tmp_path):
    assert any("not yet known" in e for e in errors(two_meetings(tmp_path)))


def test_a_final_check_of_one_meeting_needs_only_the_facts_its_papers_use(tmp_path):
    inputs = two_meetings(tmp_path)
    assert errors(inputs, only="westmoor") == []
    checked = check(inputs, TEMPLATES, final=True, only="westmoor")
    assert any("not yet known" in w.message for w in checked.warnings)


def test_a_final_check_of_the_other_meeting_names_the_facts_its_papers_lack(tmp_path):
    found = errors(two_meetings(tmp_path), only="cabinet")
    assert (
        "not yet known (The report gives no contact details): a final build of 'cabinet' "
        "needs it" in found
    )
    assert (
        "'time:' is not set: the summons gives the meeting's time, and a final build "
        "needs it" in found
    )
    assert not any("Westmoor" in e for e in found)


def test_only_a_meeting_that_does_not_exist_is_an_error_with_the_nearest(tmp_path):
    found = errors(two_meetings(tmp_path), only="westmor")
    assert "--only: meeting 'westmor' is not defined — did you mean 'westmoor'?" in found


def stamps(out: Path) -> dict[str, tuple[int, bytes]]:
    return {
        str(p.relative_to(out)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def final_build_of(meeting: str, inputs: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """``reportgen build --final --only MEETING``, as a clerk runs it."""
    where = ["--inputs", str(inputs), "--out", str(out), "--templates", str(TEMPLATES)]
    return subprocess.run(
        [sys.executable, "-m", "reportgen", "build", "--final", "--only", meeting, *where],
        capture_output=True,
        text=True,
    )


@pytest.mark.libreoffice
def test_finalising_one_meeting_keeps_the_other_meetings_papers_as_they_were(tmp_path):
    inputs = two_meetings(tmp_path)
    out = tmp_path / "build"
    build(Paths(inputs, TEMPLATES, out))
    before = stamps(out)
    outputs = json.loads((out / "manifest.json").read_text())["outputs"]
    cabinet = {o["path"] for o in outputs if o.get("meeting") == "cabinet"}
    assert cabinet and all(p.startswith("date-tbc-cabinet/") for p in cabinet)

    result = final_build_of("westmoor", inputs, out)
    assert result.returncode == 0, result.stderr
    after = stamps(out)
    assert {p: after[p] for p in cabinet} == {p: before[p] for p in cabinet}
    manifest = json.loads((out / "manifest.json").read_text())["outputs"]
    assert cabinet <= {o["path"] for o in manifest}
    westmoor = [o for o in manifest if o.get("meeting") == "westmoor" and o["format"] == "pdf"]
    assert {o["kind"] for o in westmoor} == {"cabinet-report", "eoi", "pack"}
    # The list of meetings at the top is made anew, and still lists both.
    top = (out / "index.html").read_text()
    for folder in ("date-tbc-cabinet", westmoor[0]["path"].split("/")[0]):
        assert f'href="{folder}/index.html"' in top
    for output in westmoor:
        first_page = subprocess.run(
            ["pdftotext", "-l", "1", str(out / output["path"]), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "DRAFT" not in first_page, output["path"]


@pytest.mark.libreoffice
def test_a_final_build_of_one_meeting_refuses_when_its_own_papers_lack_a_fact(tmp_path):
    inputs = two_meetings(tmp_path)
    result = final_build_of("cabinet", inputs, tmp_path / "build")
    assert result.returncode == 1
    assert "a final build of 'cabinet' needs it" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "build").exists()
