"""The HTML edition of every document: rendered from the same composed content as its .docx,
word for word the published report, linkable paragraph numbers, escaped prose, one
self-contained file each, listed in the manifest, reproducible and incremental."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportgen.build import Paths, build
from reportgen.check import check
from reportgen.compose import shape_of
from reportgen.html_edition import anchors, render_html

from conftest import EXAMPLE_INPUTS, FIXTURES, TEMPLATES, output_path
from fidelity import HTML_ADDED, changes, pdf_text, words
from html_pages import read_file, read_page

REFERENCE = FIXTURES / "cabinet-report-2014-05-22.txt"


def edition(inputs: Path, document_id: str, templates: Path = TEMPLATES) -> str:
    """The public HTML edition of one document, as a build renders it."""
    checked = check(inputs, templates)
    assert not checked.errors, checked.errors
    shape = shape_of(checked.project.documents[document_id])
    return render_html(
        checked.html_templates[shape],
        checked.contexts[document_id],
        house_style=checked.house_style,
    )


@pytest.fixture(scope="module")
def report() -> str:
    return edition(EXAMPLE_INPUTS, "cabinet-report")


def html_words(html: str) -> list[str]:
    # Case is the print edition's typography (its headings in capitals); the words are the
    # same.
    return [w.lower() for w in words(read_page(html).text)]


def test_the_html_edition_reads_as_the_published_report_word_for_word(report):
    reference = [w.lower() for w in words(REFERENCE.read_text(encoding="utf-8"))]
    unexpected = [c for c in changes(reference, html_words(report)) if c not in HTML_ADDED]
    assert unexpected == [], "\n".join(str(c) for c in unexpected)


def test_a_page_is_in_british_english_titled_and_headed_by_the_documents_title(report):
    page = read_page(report)
    assert page.lang == "en-GB"
    assert page.title == "Transformation and Shared Services"
    assert page.headings[0] == (1, "Transformation and Shared Services")
    assert [level for level, _ in page.headings].count(1) == 1


def test_sections_are_headings_and_options_are_headings_below_them(report):
    headings = read_page(report).headings
    assert (2, "2. Background information") in headings
    at = headings.index((2, "3. Options for consideration"))
    assert headings[at + 1 : at + 5] == [(3, f"3.{i} Option {i}") for i in range(1, 5)]


def test_every_paragraph_number_is_shown_and_is_an_anchor_to_link_to(report):
    checked = check(EXAMPLE_INPUTS, TEMPLATES)
    numbers = [
        p.number
        for section in checked.contexts["cabinet-report"]["sections"]
        for p in section.paragraphs
    ]
    for number in numbers:
        anchor = f"para-{number.replace('.', '-')}"
        assert f'id="{anchor}"><a class="number" href="#{anchor}">{number}</a>' in report
    assert len(numbers) == len(set(numbers)) == 36


def test_lists_are_lists_and_the_table_has_a_caption_column_and_row_headers(report):
    assert report.count("<ul>") >= 5
    table = report[report.index("<table>") : report.index("</table>")]
    assert "<caption>Table with paragraph 2.13</caption>" in table
    assert '<th scope="col">Service area</th><th scope="col">Functions</th>' in table
    assert '<th scope="row">Human Resources</th>' in table
    assert "<li>Learning &amp; Development</li>" in table


def test_the_signature_block_author_and_background_papers_are_as_in_the_report(report):
    text = read_page(report).text
    assert "Chief Executive\nCivic Centre\nAshby Road\nSCUNTHORPE" in text
    assert "Author: Rachel Johnson/Jason Whaler" in text
    assert "Date: 22 May 2014" in text
    assert "Background Papers used in the preparation of this report: None" in text


def test_a_draft_says_so_at_the_top_and_shows_what_is_to_be_confirmed(report):
    page = read_page(report)
    main = page.text[page.text.index("North Lincolnshire Council") :]
    assert main.split("\n", 2)[1].startswith("Draft: some facts in this document")
    assert '<dd><span class="tbc">to be confirmed</span></dd>' in report


@pytest.mark.parametrize("inputs", [EXAMPLE_INPUTS, FIXTURES / "digital-access"])
def test_every_place_a_review_links_to_is_an_anchor_of_the_html_edition(inputs):
    checked = check(inputs, TEMPLATES)
    for document_id, context in checked.contexts.items():
        shape = shape_of(checked.project.documents[document_id])
        html = render_html(checked.html_templates[shape], context, house_style=checked.house_style)
        ids = set(read_page(html).ids)
        places = anchors(context, shape)
        wanted = {*places.numbers.values(), *places.sections.values(), *places.fields.values()}
        assert len(wanted) > 3 and wanted <= ids, (document_id, wanted - ids)


def test_a_form_shows_each_answer_not_yet_known_as_to_be_confirmed():
    html = edition(EXAMPLE_INPUTS, "eoi-transformation-challenge-award")
    page = read_page(html)
    assert page.headings[0] == (1, "Transformation Challenge Award: expression of interest")
    assert [h for level, h in page.headings if level == 2][:3] == [
        "1. Applicants",
        "2. Contact",
        "3. Fund",
    ]
    assert 'id="field-4-4">Funding requested</dt>' in html
    assert '<span class="tbc">[to be confirmed]</span>' in html
    assert '<tr><th scope="row">Email</th><td><span class="tbc">' in html


def test_a_form_with_no_applicants_or_contact_numbers_its_sections_from_one(digital):
    checked = check(digital, TEMPLATES)
    (form,) = [d for d, m in checked.project.documents.items() if shape_of(m) == "form"]
    html = render_html(
        checked.html_templates["form"], checked.contexts[form], house_style=checked.house_style
    )
    headings = [h for level, h in read_page(html).headings if level == 2]
    model = checked.project.documents[form]
    first = 1 + bool(model.applicants) + bool(model.contact)
    assert headings[-1].startswith(f"{first + len(model.sections) - 1}. ")


def test_prose_with_markup_and_quotes_appears_literally(example_copy, edit):
    hostile = """<script>alert("x")</script></p> Fish & chips, "quoted" and 'single'"""
    edit(
        example_copy / "documents" / "cabinet-report.yaml",
        "No conflicts of interest have been identified.",
        hostile.replace("'", "''").join("''"),
    )
    html = edition(example_copy, "cabinet-report")
    assert "<script>" not in html and "</p> Fish" not in html
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;/p&gt; Fish &amp; chips, "
        "&#34;quoted&#34; and &#39;single&#39;" in html
    )
    assert hostile in read_page(html).text
    assert read_page(html).scripts == 0


def test_a_page_is_one_file_that_fetches_nothing_and_runs_no_script(report):
    for html in (report, edition(EXAMPLE_INPUTS, "design-council-application")):
        page = read_page(html)
        assert page.fetched == [] and page.scripts == 0
        assert all(link.startswith("#") for link in page.links)
        assert "@import" not in html and "url(" not in html


def test_a_misspelt_name_in_an_html_template_is_an_error_naming_it(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    path = templates / "report.html"
    path.write_text(path.read_text().replace("{{ report.author }}", "{{ report.auther }}"))
    line = path.read_text().splitlines().index("  <p>Author: {{ report.auther }}</p>") + 1
    checked = check(EXAMPLE_INPUTS, templates)
    assert [str(d) for d in checked.errors] == [
        f"{path}:{line}:1: error: 'auther' is not an attribute of Report — did you mean "
        "'author'? near “Author: {{ report.auther }}”"
    ]


def test_a_missing_html_template_is_an_error_before_anything_is_built(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "form.html").unlink()
    checked = check(EXAMPLE_INPUTS, templates)
    assert [str(d) for d in checked.errors] == [
        f"{templates / 'form.html'}: error: the build makes each form's HTML edition, from here"
    ]


# --- in a build (with LibreOffice, for the PDFs they sit beside) ---------------------------


@pytest.fixture(scope="module")
def manifest(example_build):
    out, _ = example_build
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]


def test_every_document_has_an_html_edition_beside_its_pdf(example_build, manifest):
    out, _ = example_build
    pdfs = [o for o in manifest if o["format"] == "pdf" and o["kind"] != "pack"]
    pages = ("index", "site-index", "pack")
    html = {o["path"]: o for o in manifest if o["format"] == "html" and o["kind"] not in pages}
    assert len(pdfs) == len(html) == 3
    for pdf in pdfs:
        entry = html[pdf["path"].removesuffix(".pdf") + ".html"]
        assert (entry["kind"], entry["title"], entry["meeting"], entry["access"]) == (
            pdf["kind"],
            pdf["title"],
            pdf["meeting"],
            "public",
        )
        data = (out / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size"] == len(data)
        assert "pages" not in entry
        shape = "report" if pdf["kind"] == "cabinet-report" else "form"
        assert entry["sources"] == [
            *(s for s in pdf["sources"] if s.startswith("inputs/")),
            f"templates/{shape}.html",
            "templates/house-style.css",
        ]


def test_every_paragraph_number_in_the_pdf_has_its_anchor_in_the_html(example_build):
    out, _ = example_build
    text = pdf_text(output_path(out, "cabinet-report"))
    numbers = re.findall(r"^\s*(\d\.\d{1,2})\s", text, flags=re.MULTILINE)
    ids = read_file(output_path(out, "cabinet-report", "html")).ids
    assert len(numbers) == 36
    assert [n for n in numbers if f"para-{n.replace('.', '-')}" not in ids] == []


def outline(pdf: Path) -> list[tuple[int, str]]:
    """The PDF's bookmarks as (depth, title), depth 2 at the top as an h2."""

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                yield from walk(item, depth + 1)
            else:
                yield depth, item.title

    return list(walk(PdfReader(pdf).outline, 2))


@pytest.mark.parametrize("kind", ["cabinet-report", "eoi", "design-council-application"])
def test_the_heading_outline_below_the_title_is_the_pdfs_bookmarks(example_build, kind):
    out, _ = example_build
    headings = read_file(output_path(out, kind, "html")).headings
    # The print edition sets headings in capitals; the bookmarks' words are the headings'.
    below_title = [(level, text.casefold()) for level, text in headings if level > 1]
    bookmarks = [(d, t.casefold()) for d, t in outline(output_path(out, kind))]
    assert below_title == bookmarks


def test_a_second_build_of_the_same_inputs_writes_the_same_html_bytes(example_build, tmp_path):
    out, _ = example_build
    again = tmp_path / "again"
    shutil.copytree(out, again)
    build(Paths(EXAMPLE_INPUTS, TEMPLATES, again), force=True)
    for path in sorted(out.rglob("*.html")):
        assert (again / path.relative_to(out)).read_bytes() == path.read_bytes(), path


def stamps(out: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(out)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in out.rglob("*")
        if p.is_file()
    }


def test_a_change_to_an_html_template_rebuilds_only_the_html_editions_made_from_it(
    example_build, tmp_path
):
    out = tmp_path / "build"
    shutil.copytree(example_build[0], out)
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    form = templates / "form.html"
    form.write_text(form.read_text().replace("<h1>", '<h1 class="form-title">'))
    before = stamps(out)
    result = build(Paths(EXAMPLE_INPUTS, templates, out))
    assert (result.built, result.packs_built) == (0, 0)
    changed = {p for p in before if before[p] != stamps(out).get(p)}
    # The pages listing them are made again, and replaced if a size they give has changed.
    pages = {"index.html", "date-tbc-cabinet/index.html"}
    assert changed - pages == {
        "manifest.json",
        str(output_path(out, "eoi", "html").relative_to(out)),
        str(output_path(out, "design-council-application", "html").relative_to(out)),
    }
    assert 'class="form-title"' in output_path(out, "eoi", "html").read_text()


def test_a_broken_page_template_fails_the_check_before_anything_is_built(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    page = templates / "meeting-index.html"
    page.write_text(page.read_text().replace("{{ entry.title }}", "{{ entry.titel }}", 1))
    (problem,) = check(EXAMPLE_INPUTS, templates).errors
    assert problem.file == str(page) and problem.line > 0
    assert "'titel' is not an attribute of Listing" in problem.message
