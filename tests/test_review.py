"""Reviewers' tools: the rendered diff, where a fact is used, templates in git, tidy YAML,
and the pull-request workflow for a council's repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest
import yaml

from reportgen.diff import render_side
from reportgen.fmt import format_inputs, format_text
from reportgen.model import Programme
from reportgen.uses import uses

from conftest import EXAMPLE_INPUTS, ROOT, TEMPLATES

BIN = Path(sys.executable).parent


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def reportgen(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reportgen", *args], cwd=repo, capture_output=True, text=True
    )


@pytest.fixture
def repo(tmp_path) -> Path:
    """A council's repository: the example committed on main, pushed to an origin."""
    origin = tmp_path / "origin.git"
    work = tmp_path / "council"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True)
    shutil.copytree(EXAMPLE_INPUTS, work / "inputs")
    shutil.copytree(TEMPLATES, work / "templates")
    shutil.copyfile(ROOT / ".gitattributes", work / ".gitattributes")
    git(work, "-c", "user.name=Officer", "-c", "user.email=o@example.org", "add", ".")
    git(
        work,
        "-c",
        "user.name=Officer",
        "-c",
        "user.email=o@example.org",
        "commit",
        "-qm",
        "The example",
    )
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "-q", "origin", "main")
    git(work, "fetch", "-q", "origin")
    return work


def change_savings_and_a_recommendation(repo: Path) -> None:
    programme = repo / "inputs" / "programmes" / "transformation.yaml"
    programme.write_text(programme.read_text().replace("500_000, 750_000]", "500_000, 900_000]"))
    report = repo / "inputs" / "documents" / "cabinet-report.yaml"
    report.write_text(
        report.read_text().replace(
            "That approval is given to submit an application",
            "That approval is given to make an application",
        )
    )


def test_the_rendered_diff_names_exactly_what_changed(repo):
    change_savings_and_a_recommendation(repo)
    result = reportgen(repo, "diff", "--format", "json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert (answer["base"], answer["head"]) == ("origin/main", "working tree")
    status = {d["document"]: d["status"] for d in answer["documents"]}
    assert status == {
        "cabinet-report": "changed",
        "eoi-transformation-challenge-award": "changed",
        "design-council-application": "unchanged",
    }
    changes = {
        d["document"]: [(c["label"], c["kind"]) for c in d["changes"]] for d in answer["documents"]
    }
    assert changes["cabinet-report"] == [("2.12", "modified"), ("8.3", "modified")]
    assert changes["eoi-transformation-challenge-award"] == [
        ("5. Case for the project / Estimated savings", "modified")
    ]
    report = next(d for d in answer["documents"] if d["document"] == "cabinet-report")
    first, second = report["changes"]
    assert "£0.5m to £0.75m for each council" in first["old"]
    assert "£0.5m to £0.9m for each council" in first["new"]
    assert second["old"].startswith("8.3 That approval is given to submit an application")
    assert second["new"].startswith("8.3 That approval is given to make an application")


def test_the_rendered_diff_leaves_the_working_tree_alone(repo):
    change_savings_and_a_recommendation(repo)
    before = git(repo, "status", "--porcelain")
    reportgen(repo, "diff")
    assert git(repo, "status", "--porcelain") == before
    assert git(repo, "worktree", "list").count("\n") == 1


def test_the_markdown_diff_marks_the_changed_words(repo):
    change_savings_and_a_recommendation(repo)
    result = reportgen(repo, "diff", "main", "--format", "markdown")
    assert result.returncode == 0, result.stderr
    markdown = result.stdout
    assert "### Transformation and Shared Services (cabinet-report): changed" in markdown
    assert "| 2.12 |" in markdown
    assert "£0.5m to <del>£0.75m</del> <ins>£0.9m</ins> for each council" in markdown
    assert "given to <del>submit</del> <ins>make</ins> an application" in markdown
    assert "Unchanged: Design in the Public Sector Programme" in markdown


def test_the_markdown_diff_links_each_change_to_its_place_in_the_html_edition(repo):
    change_savings_and_a_recommendation(repo)
    base = "https://papers.example.gov.uk/build/"
    result = reportgen(repo, "diff", "main", "--format", "markdown", "--html-base", base)
    assert result.returncode == 0, result.stderr
    folder = "https://papers.example.gov.uk/build/date-tbc-cabinet/date-tbc-cabinet-item-4-"
    report = f"{folder}transformation-and-shared-services.html"
    eoi = f"{folder}appendix-a-transformation-challenge-award-expression-of-interest.html"
    assert f"### [Transformation and Shared Services]({report}) (cabinet-report)" in result.stdout
    assert f"| [2.12]({report}#para-2-12) |" in result.stdout
    assert f"| [8.3]({report}#para-8-3) |" in result.stdout
    assert f"| [5. Case for the project / Estimated savings]({eoi}#field-5-1) |" in result.stdout


def test_without_an_html_base_the_markdown_diff_links_nothing(repo):
    change_savings_and_a_recommendation(repo)
    result = reportgen(repo, "diff", "main", "--format", "markdown")
    assert "](" not in result.stdout


def test_an_html_base_that_is_not_a_web_address_is_refused(repo):
    result = reportgen(repo, "diff", "--format", "markdown", "--html-base", "build/")
    assert result.returncode == 2
    assert "'build/' is not a web address" in result.stderr


def test_the_terminal_diff_brackets_changed_words_when_not_coloured(repo):
    change_savings_and_a_recommendation(repo)
    result = reportgen(repo, "diff", "origin/main")
    assert "2.12 (modified):" in result.stdout
    assert "£0.5m to [-£0.75m-] {+£0.9m+} for each council" in result.stdout
    assert ": unchanged" in result.stdout


def test_a_diff_between_two_revisions(repo):
    change_savings_and_a_recommendation(repo)
    git(repo, "-c", "user.name=O", "-c", "user.email=o@example.org", "commit", "-qam", "Change")
    answer = json.loads(reportgen(repo, "diff", "main~1", "main", "--format", "json").stdout)
    assert [d["status"] for d in answer["documents"]].count("changed") == 2


def test_a_revision_compared_with_itself_has_no_changes(repo):
    result = reportgen(repo, "diff", "main", "main", "--format", "json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert {d["status"] for d in answer["documents"]} == {"unchanged"}


def test_uses_lists_every_paragraph_a_fact_reaches():
    savings, unvaried = uses(EXAMPLE_INPUTS, TEMPLATES, "programmes.transformation.facts.savings")
    assert unvaried == []
    found = {(u.document, u.label) for u in savings}
    assert found == {
        ("cabinet-report", "2.12"),
        ("eoi-transformation-challenge-award", "5. Case for the project / Estimated savings"),
    }


def test_uses_prints_each_paragraphs_number_once():
    result = reportgen(ROOT, "uses", "programmes.transformation.facts.savings")
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("cabinet-report  2.12  As part of the council's transformation")
    row = result.stdout.splitlines()[1]
    assert "Estimated savings  Initial estimates have identified savings" in row


def test_uses_of_the_cohort_size_reaches_report_and_application():
    cohort, _ = uses(
        EXAMPLE_INPUTS, TEMPLATES, "programmes.transformation.facts.design.cohort_size"
    )
    found = {(u.document, u.label) for u in cohort}
    assert found == {
        ("cabinet-report", "2.16"),
        ("design-council-application", "3. Programme / Cohort"),
    }


def test_uses_says_when_a_value_cannot_be_varied():
    result = reportgen(ROOT, "uses", "documents.cabinet-report.council")
    assert result.returncode == 0
    assert "documents.cabinet-report.council cannot be changed a little" in result.stderr


def test_uses_of_a_misspelt_key_suggests_the_right_one():
    result = reportgen(ROOT, "uses", "programmes.transformation.facts.savngs")
    assert result.returncode == 1
    assert "did you mean 'savings'?" in result.stderr


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.docx")))
def test_textconv_shows_a_templates_text_with_its_tags(template):
    result = reportgen(ROOT, "textconv", str(TEMPLATES / template))
    assert result.returncode == 0, result.stderr
    if template == "not-for-publication.docx":  # a fixed mark, no tags at all
        assert result.stdout == "[header] NOT FOR PUBLICATION\n"
        return
    assert "{%" in result.stdout
    if template == "pack-folio.docx":  # page numbers only: Word fields, not Jinja
        assert "[footer] Page of" in result.stdout
    else:
        assert "{{ " in result.stdout
        assert "[header] {%p if draft %} DRAFT {%p endif %}" in result.stdout


def test_git_diff_of_a_template_is_readable_once_set_up(repo):
    git(repo, "config", "diff.docx.textconv", f"{BIN / 'reportgen'} textconv")
    path = repo / "templates" / "pack-cover.docx"
    document = docx.Document(path)
    document.add_paragraph("Papers are available in large print on request.")
    document.save(path)
    diff = git(repo, "diff", "--", "templates/pack-cover.docx")
    assert "+Papers are available in large print on request." in diff


def test_fmt_is_idempotent_and_keeps_comments():
    text = (EXAMPLE_INPUTS / "programmes" / "transformation.yaml").read_text()
    once = format_text(text, Programme)
    assert format_text(once, Programme) == once
    assert once == text  # the example is kept formatted
    messy = "# The fund.\nfund:   {name: 'X'}   # inline\ncouncils:\n- nlc   # lead\n- nelc\n"
    formatted = format_text(messy, Programme)
    assert formatted == (
        "# The fund.\ncouncils:\n  - nlc # lead\n  - nelc\nfund: {name: X}       # inline\n"
    )
    assert format_text(formatted, Programme) == formatted
    assert yaml.safe_load(formatted) == yaml.safe_load(messy)


def test_fmt_check_fails_on_an_unformatted_file_and_names_it(example_copy):
    meetings = example_copy / "meetings.yaml"
    meetings.write_text(meetings.read_text().replace("  body: cabinet", "  body:   'cabinet'"))
    result = reportgen(ROOT, "fmt", "--check", "--inputs", str(example_copy))
    assert result.returncode == 1
    assert result.stdout.strip() == f"would reformat {meetings}"
    assert format_inputs(example_copy, check=False) == [meetings]
    assert reportgen(ROOT, "fmt", "--check", "--inputs", str(example_copy)).returncode == 0


def test_fmt_names_a_file_that_is_not_utf8_instead_of_crashing(example_copy):
    (example_copy / "meetings.yaml").write_bytes(b"cabinet:\n  venue: \xa3\n")
    result = reportgen(ROOT, "fmt", "--inputs", str(example_copy))
    assert result.returncode == 1
    assert f"{example_copy / 'meetings.yaml'}:2:10: error: not UTF-8 text" in result.stderr
    assert "Traceback" not in result.stderr


def test_fmt_takes_a_windows_checkout_with_crlf_line_ends_as_it_is(example_copy):
    for path in example_copy.rglob("*.yaml"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert format_inputs(example_copy, check=True) == []
    meetings = example_copy / "meetings.yaml"
    text = meetings.read_bytes()
    assert text.count(b"  council: nlc\r\n") == 1
    meetings.write_bytes(text.replace(b"  council: nlc", b"  council:   nlc"))
    assert format_inputs(example_copy, check=False) == [meetings]
    written = meetings.read_bytes()
    assert b"  council: nlc\r\n" in written
    assert written.count(b"\n") == written.count(b"\r\n")


def test_the_example_inputs_are_formatted():
    result = reportgen(ROOT, "fmt", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def workflow_steps() -> list[dict]:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "documents.yml").read_text())
    return workflow["jobs"]["documents"]["steps"]


def test_the_workflow_sets_up_with_the_readmes_first_command():
    readme = (ROOT / "README.md").read_text()
    first_command = readme.split("```sh\n", 1)[1].splitlines()[0]
    runs = [s["run"] for s in workflow_steps() if "run" in s]
    assert runs[0] == f"sudo {first_command}"


@pytest.mark.libreoffice
def test_the_workflows_commands_run_on_a_pull_request_branch(repo, tmp_path):
    git(repo, "checkout", "-qb", "change")
    change_savings_and_a_recommendation(repo)
    venv = tmp_path / "council" / ".venv" / "bin"
    venv.parent.mkdir(parents=True, exist_ok=True)
    venv.symlink_to(BIN)
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
    for step in workflow_steps():
        command = step.get("run", "")
        if not command.startswith(".venv/bin/reportgen"):
            continue
        command = command.replace("${{ github.base_ref }}", "main")
        result = subprocess.run(
            command, shell=True, cwd=repo, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    markdown = (repo / "rendered-diff.md").read_text()
    assert "£0.5m to <del>£0.75m</del> <ins>£0.9m</ins>" in markdown
    assert (repo / "build" / "manifest.json").is_file()


def test_a_base_from_before_the_html_templates_still_compares(tmp_path):
    # A base revision need not have the HTML templates or the house style: the review
    # renders only the Word editions.
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    for page in [*templates.glob("*.html"), *templates.glob("*.css")]:
        page.unlink()
    rendered = render_side(EXAMPLE_INPUTS, templates, "base")
    assert set(rendered) == {
        "cabinet-report",
        "eoi-transformation-challenge-award",
        "design-council-application",
    }
