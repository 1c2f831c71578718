"""Drafts per document: a document is a draft when it uses a fact not yet known; its pages
say DRAFT and other documents' do not; a pack is a draft when any of its documents is."""

from __future__ import annotations

import subprocess

import pytest

from reportgen.build import Paths, build
from reportgen.check import check

from conftest import TEMPLATES, output_path


@pytest.fixture
def appendix_unknown(digital, edit):
    """The district council's papers with only the bid's contact not yet known."""
    edit(
        digital / "documents" / "bid.yaml",
        "  name: Sam Okafor",
        "  name: {unknown: The bid's contact is not chosen yet}",
    )
    return digital


def test_a_report_that_uses_no_unknown_fact_is_not_a_draft(appendix_unknown):
    checked = check(appendix_unknown, TEMPLATES)
    assert checked.draft  # something in the build is not known yet
    assert checked.contexts["bid"]["draft"] is True
    assert checked.contexts["report"]["draft"] is False


def test_prose_that_writes_an_unknown_fact_makes_its_document_a_draft(digital, edit):
    edit(
        digital / "programmes" / "digital.yaml",
        "  payback_years: 6",
        "  payback_years: {unknown: The finance team has not yet said}",
    )
    edit(
        digital / "programmes" / "digital.yaml",
        "  - that: payback_years <= 10\n",
        "  - that: 'true'\n",
    )
    checked = check(digital, TEMPLATES)
    assert checked.errors == []
    # Only the report's prose writes the payback period.
    assert [d for d in ("report", "bid") if checked.contexts[d]["draft"]] == ["report"]


@pytest.mark.libreoffice
def test_only_the_draft_and_its_pack_say_draft(appendix_unknown, tmp_path):
    out = tmp_path / "build"
    build(Paths(appendix_unknown, TEMPLATES, out))

    def text(kind: str) -> str:
        pdf = output_path(out, kind)
        return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout

    assert "DRAFT" not in text("cabinet-report")
    assert "DRAFT" in text("eoi")
    assert "DRAFT" in text("pack")
