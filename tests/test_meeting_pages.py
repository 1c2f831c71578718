"""A meeting's page lists its agenda and each document's HTML, PDF and Word files as GOV.UK
lists attachments; the page at the top of the build lists the meetings."""

from __future__ import annotations

import json

import pytest

from reportgen.meeting_pages import size_text

from conftest import output_path
from html_pages import read_file


@pytest.fixture(scope="module")
def manifest(example_build):
    out, _ = example_build
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]


@pytest.mark.parametrize(
    ("size", "text"),
    [(300, "1 KB"), (104 * 1024 + 100, "104 KB"), (1024 * 1024 * 3 // 2, "1.5 MB")],
)
def test_a_files_size_reads_as_kilobytes_or_megabytes(size, text):
    assert size_text(size) == text


def test_each_document_is_listed_with_its_html_pdf_and_word_files(example_build, manifest):
    out, _ = example_build
    page = output_path(out, "index", "html")
    html = page.read_text(encoding="utf-8")
    links = read_file(page).links
    documents = [o for o in manifest if o["format"] == "pdf" and o["kind"] != "pack"]
    assert len(documents) == 3
    for pdf in documents:
        stem = pdf["path"].removeprefix("date-tbc-cabinet/").removesuffix(".pdf")
        assert {f"{stem}.html", f"{stem}.pdf", f"{stem}.docx"} <= set(links)
        files = {o["format"]: o for o in manifest if o["path"].endswith(stem + "." + o["format"])}
        assert f"PDF, {size_text(pdf['size'])}, {pdf['pages']} pages" in html
        assert f"HTML, {size_text(files['html']['size'])}" in html
        assert f"MS Word Document, {size_text(files['docx']['size'])}" in html
    (pack,) = [o for o in manifest if o["kind"] == "pack"]
    assert f"PDF, {size_text(pack['size'])}, {pack['pages']} pages" in html


def test_the_agenda_numbers_each_item_and_links_each_document_to_its_html(example_build):
    out, _ = example_build
    page = read_file(output_path(out, "index", "html"))
    agenda = page.text[page.text.index("Agenda\n") : page.text.index("Documents\n")]
    numbered = [line for line in agenda.splitlines() if line[:2].rstrip(".").isdigit()]
    assert [line.split(".")[0] for line in numbered] == ["1", "2", "3", "4"]
    assert numbered[3] == "4. Transformation and Shared Services"
    assert "Appendix A: Transformation Challenge Award: expression of interest" in agenda
    report = output_path(out, "cabinet-report", "html").name
    assert report in page.links


def test_the_page_at_the_top_lists_every_meeting_and_is_in_the_manifest(example_build, manifest):
    out, _ = example_build
    (entry,) = [o for o in manifest if o["kind"] == "site-index"]
    assert (entry["path"], entry["format"]) == ("index.html", "html")
    assert "templates/site-index.html" in entry["sources"]
    page = read_file(out / "index.html")
    assert page.lang == "en-GB" and page.headings[0] == (1, "Committee meetings and papers")
    pages = [o["path"] for o in manifest if o["kind"] == "index"]
    assert page.links == pages == ["date-tbc-cabinet/index.html"]
    assert "Cabinet, date to be confirmed" in page.text
