"""A meeting's page lists its agenda and each document's HTML, PDF and Word files as GOV.UK
lists attachments; the pack's HTML edition gives its summons and agenda, linking each paper;
the page at the top of the build lists the meetings."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest

from reportgen.meeting_pages import size_text

from conftest import output_path
from fidelity import words
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
    (pack,) = [o for o in manifest if (o["kind"], o["format"]) == ("pack", "pdf")]
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


# --- the pack's HTML edition: its summons and agenda as a web page -------------------------


def pack_pdf(manifest):
    (pack,) = [o for o in manifest if (o["kind"], o["format"]) == ("pack", "pdf")]
    return pack


def test_the_pack_has_an_html_edition_beside_its_pdf_in_the_manifest(example_build, manifest):
    out, _ = example_build
    pdf = pack_pdf(manifest)
    (html,) = [o for o in manifest if (o["kind"], o["format"]) == ("pack", "html")]
    assert html["path"] == pdf["path"].removesuffix(".pdf") + ".html"
    assert (html["title"], html["meeting"], html["access"]) == (pdf["title"], "cabinet", "public")
    assert html["sha256"] == hashlib.sha256((out / html["path"]).read_bytes()).hexdigest()
    assert {"templates/pack-cover.html", "templates/house-style.css"} <= set(html["sources"])
    assert "templates/pack-cover.docx" not in html["sources"]


def front_words(pdf: Path, last_page: int) -> set[str]:
    """The words of a pack's front (its first pages, to ``last_page``), without the page
    furniture: the DRAFT header and the "Page n of N" folio."""
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", str(last_page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text = re.sub(r"Page \d+ of \d+|DRAFT", " ", text)
    return {w.casefold() for w in words(text)}


def test_the_packs_html_edition_says_every_word_its_pdf_front_says(example_build, manifest):
    out, _ = example_build
    pdf = pack_pdf(manifest)
    front = front_words(out / pdf["path"], pdf["contents"][0]["first_page"] - 1)
    page = read_file(out / pdf["path"].replace(".pdf", ".html"))
    assert len(front) > 60
    assert front - {w.casefold() for w in words(page.text)} == set()
    assert page.title == page.headings[0][1] == "Cabinet, date to be confirmed: papers"
    assert (
        "You are summoned to attend a meeting of the Cabinet at to be confirmed on to be "
        "confirmed at to be confirmed, to transact the business on the agenda below."
    ) in page.text


def test_each_paper_on_the_packs_agenda_links_its_html_edition_and_gives_its_page(
    example_build, manifest
):
    out, _ = example_build
    pdf = pack_pdf(manifest)
    html = (out / pdf["path"].replace(".pdf", ".html")).read_text()
    folder = Path(pdf["path"]).parent
    for paper in pdf["contents"]:
        href = Path(paper["path"]).relative_to(folder).with_suffix(".html")
        row = re.search(
            rf'<a href="{re.escape(str(href))}">([^<]*)</a>.*?<td class="page">(\d+)',
            html,
            re.DOTALL,
        )
        assert row is not None, href
        assert row.group(1).endswith(paper["title"].replace("&", "&amp;"))
        assert int(row.group(2)) == paper["first_page"]
    assert f'<a href="{Path(pdf["path"]).name}">' in html


def test_the_meeting_page_lists_the_packs_html_edition_with_its_pdf(example_build, manifest):
    out, _ = example_build
    pdf = pack_pdf(manifest)
    page = read_file(out / Path(pdf["path"]).parent / "index.html")
    assert Path(pdf["path"]).with_suffix(".html").name in page.links
    assert Path(pdf["path"]).name in page.links
