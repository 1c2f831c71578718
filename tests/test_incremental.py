"""Incremental builds: nothing changed, nothing rebuilt; one fact changed, only the documents
that use it (and their pack) rebuilt; --force rebuilds everything."""

from __future__ import annotations

import json
import shutil
import subprocess

import docx
import pytest

from reportgen import convert, workers
from reportgen.build import Paths, build

from conftest import FIXTURES, TEMPLATES, output_path


@pytest.fixture
def built(example_build, example_copy, tmp_path):
    """A copy of the example inputs and a copy of their last build."""
    out = tmp_path / "build"
    shutil.copytree(example_build[0], out)
    return example_copy, out


@pytest.fixture
def libreoffice_starts(monkeypatch):
    """Every command the build starts LibreOffice with, to convert or to ask its version;
    each start fails the build, so that a test can say none may happen."""
    started = []

    class NoStarting:
        """The subprocess module as the converter sees it, except that nothing starts."""

        def __getattr__(self, name):
            return getattr(subprocess, name)

        def Popen(self, command, *args, **options):
            started.append(command)
            raise AssertionError(f"LibreOffice started: {command}")

        run = Popen

    monkeypatch.setattr(convert, "subprocess", NoStarting())
    monkeypatch.setattr(workers, "subprocess", NoStarting())
    return started


def stamps(out):
    """Each output file's identity on disk: rewritten files get a new inode."""
    return {
        str(p.relative_to(out)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in out.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def test_a_build_with_nothing_changed_builds_nothing(built, libreoffice_starts):
    inputs, out = built
    manifest = (out / "manifest.json").read_bytes()
    before = stamps(out)
    result = build(Paths(inputs, TEMPLATES, out))
    assert (result.built, result.up_to_date, result.packs_built) == (0, 3, 0)
    assert libreoffice_starts == []
    # Not even the pages and the manifest, made again with the same bytes, are replaced.
    assert stamps(out) == before
    assert (out / "manifest.json").read_bytes() == manifest


@pytest.mark.libreoffice
def test_a_build_with_nothing_changed_touches_no_output_of_any_kind(tmp_path, request):
    # A dated meeting (timetable.ics), an exempt appendix (the notice, private editions and
    # the private pack) and a key decision (the forward plan): every kind of output there is.
    inputs = tmp_path / "inputs"
    shutil.copytree(FIXTURES / "digital-access", inputs)
    shutil.copytree(FIXTURES / "exempt-items", inputs, dirs_exist_ok=True)
    report = inputs / "documents" / "report.yaml"
    report.write_text(report.read_text() + "key_decision: {notice: 2015-07-29}\n")
    out = tmp_path / "build"
    build(Paths(inputs, TEMPLATES, out))
    kinds = {o["kind"] for o in json.loads((out / "manifest.json").read_text())["outputs"]}
    assert {"timetable", "index", "forward-plan", "pack"} <= kinds
    assert (out / "private").is_dir()
    started = request.getfixturevalue("libreoffice_starts")  # from here on
    before = stamps(out)
    build(Paths(inputs, TEMPLATES, out))
    assert stamps(out) == before
    assert started == []


def test_one_changed_fact_rebuilds_only_the_documents_that_use_it(built, edit):
    inputs, out = built
    application = output_path(out, "design-council-application")
    before = stamps(out)
    edit(inputs / "programmes" / "transformation.yaml", "500_000, 750_000]", "500_000, 800_000]")
    result = build(Paths(inputs, TEMPLATES, out))
    assert (result.built, result.up_to_date, result.packs_built) == (2, 1, 1)
    after = stamps(out)
    rebuilt = {p for p in before if before[p] != after.get(p)}
    assert str(application.relative_to(out)) not in rebuilt
    assert str(output_path(out, "eoi").relative_to(out)) in rebuilt
    assert str(output_path(out, "cabinet-report").relative_to(out)) in rebuilt
    assert str(output_path(out, "pack").relative_to(out)) in rebuilt


def test_a_wording_change_in_one_document_rebuilds_that_document_and_its_pack(built, edit):
    inputs, out = built
    edit(inputs / "documents" / "cabinet-report.yaml", "No conflicts of interest", "No conflict")
    result = build(Paths(inputs, TEMPLATES, out))
    assert (result.built, result.up_to_date, result.packs_built) == (1, 2, 1)


def test_force_rebuilds_everything(built):
    inputs, out = built
    result = build(Paths(inputs, TEMPLATES, out), force=True)
    assert (result.built, result.up_to_date, result.packs_built) == (3, 0, 1)


def test_an_output_deleted_or_edited_by_hand_is_rebuilt(built):
    inputs, out = built
    output_path(out, "eoi").unlink()
    with output_path(out, "cabinet-report", "docx").open("ab") as f:
        f.write(b"edited")
    result = build(Paths(inputs, TEMPLATES, out))
    assert (result.built, result.up_to_date) == (2, 1)
    assert output_path(out, "eoi").is_file()


def test_a_template_change_rebuilds_the_documents_made_from_it(built, tmp_path):
    inputs, out = built
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    path = templates / "design-council-application.docx"
    document = docx.Document(path)
    document.add_paragraph("Printed on recycled paper.")
    document.save(path)
    result = build(Paths(inputs, templates, out))
    assert (result.built, result.up_to_date, result.packs_built) == (1, 2, 1)


def test_a_change_to_the_page_number_template_rebuilds_the_pack_only(built, tmp_path):
    inputs, out = built
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    path = templates / "pack-folio.docx"
    folio = docx.Document(path)
    folio.sections[0].footer.paragraphs[0].runs[0].text = "Page no. "
    folio.save(path)
    result = build(Paths(inputs, templates, out))
    assert (result.built, result.up_to_date, result.packs_built) == (0, 3, 1)
