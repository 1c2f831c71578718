"""Linting templates without rendering them."""

from __future__ import annotations

from pathlib import Path

import docx

from reportgen.compose import context_types
from reportgen.lint import lint_template

from conftest import TEMPLATES

KIND = "report"


def template(tmp_path: Path, *paragraphs: str | list[str]) -> Path:
    """A .docx with one paragraph per item; a list gives one paragraph of several runs."""
    document = docx.Document()
    for item in paragraphs:
        paragraph = document.add_paragraph()
        for run in [item] if isinstance(item, str) else item:
            paragraph.add_run(run)
    path = tmp_path / "template.docx"
    document.save(path)
    return path


def messages(path: Path) -> list[str]:
    return [d.message for d in lint_template(path, context_types(KIND))]


def test_the_example_templates_are_clean():
    kinds = {
        "cabinet-report.docx": "report",
        "eoi-transformation-challenge-award.docx": "form",
        "design-council-application.docx": "form",
        "pack-cover.docx": "pack",
        "pack-folio.docx": "folio",
        "forward-plan.docx": "forward-plan",
        "decision-record.docx": "decision-record",
        "exempt-notice.docx": "exempt-notice",
        "not-for-publication.docx": "private-mark",
    }
    assert sorted(p.name for p in TEMPLATES.glob("*.docx")) == sorted(kinds)
    for name, kind in kinds.items():
        assert lint_template(TEMPLATES / name, context_types(kind)) == []


def test_a_misspelt_attribute_names_the_type_and_the_nearest_attribute(tmp_path):
    assert messages(template(tmp_path, "Dear {{ council.nmae }}")) == [
        "'nmae' is not an attribute of Organisation — did you mean 'name'? "
        "near “Dear {{ council.nmae }}”"
    ]


def test_an_unknown_name_is_reported_with_what_is_provided(tmp_path):
    (message,) = messages(template(tmp_path, "{{ repot.title }}"))
    assert message.startswith("'repot' is not provided to this template — did you mean 'report'?")


def test_loop_variables_take_the_type_of_the_list(tmp_path):
    path = template(
        tmp_path,
        "{%p for section in sections %}",
        "{%p for para in section.paragraphs %}",
        "{{ para.number }} {{ para.txt }}",
        "{%p endfor %}",
        "{%p endfor %}",
    )
    (message,) = messages(path)
    assert message.startswith("'txt' is not an attribute of ParagraphView — did you mean 'text'?")


def test_keys_of_a_mapping_are_data_not_attributes(tmp_path):
    path = template(tmp_path, "{{ report.title }} {{ council.signatories['chief-executive'] }}")
    assert messages(path) == []


def test_an_unknown_filter_is_reported(tmp_path):
    (message,) = messages(template(tmp_path, "{{ report.date | dat }}"))
    assert message.startswith("no filter is called 'dat' — did you mean 'date'?")


def test_a_syntax_error_is_reported_with_the_text_around_it(tmp_path):
    (message,) = messages(template(tmp_path, "Intro", "{% for x in %}", "End"))
    assert message.startswith("template syntax: ")
    assert message.endswith("near “{% for x in %}”")


def test_a_tag_broken_by_a_space_would_print_as_text(tmp_path):
    (message,) = messages(template(tmp_path, "Title: { { report.title }}"))
    assert message.startswith("a template tag is broken")


def test_a_tag_split_across_runs_is_joined_as_docxtpl_does(tmp_path):
    assert messages(template(tmp_path, ["{{ report.", "title }}"])) == []


def test_text_beside_a_paragraph_tag_would_be_dropped(tmp_path):
    path = template(tmp_path, "Keep me {%p if report.title %}", "x", "{%p endif %}")
    (message,) = messages(path)
    assert message.startswith("text beside a {%p %} tag is dropped when rendering")


def test_a_file_that_is_not_a_docx_is_reported(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 not really")
    (message,) = messages(path)
    assert message.startswith("not a readable .docx file")


# --- the HTML templates: documents' editions and the web pages ----------------------------

HTML_KINDS = {
    "report.html": "report",
    "form.html": "form",
    "exempt-notice.html": "exempt-notice",
    "meeting-index.html": "meeting-index",
    "site-index.html": "site-index",
    "pack-cover.html": "pack-page",
    "forward-plan.html": "forward-plan",
    "decision-record.html": "decision-record",
}


def test_the_example_html_templates_are_clean():
    assert sorted(p.name for p in TEMPLATES.glob("*.html")) == sorted(HTML_KINDS)
    for name, kind in HTML_KINDS.items():
        assert lint_template(TEMPLATES / name, context_types(kind)) == [], name


def broken_copy(tmp_path: Path, name: str, old: str, new: str) -> tuple[Path, int]:
    """A copy of an example HTML template with ``old`` (on one line) made ``new``, and the
    number of that line."""
    text = (TEMPLATES / name).read_text()
    assert text.count(old) == 1
    path = tmp_path / name
    path.write_text(text.replace(old, new))
    line = next(i for i, s in enumerate(path.read_text().splitlines(), 1) if new in s)
    return path, line


def test_a_misspelt_attribute_in_the_meeting_page_is_named_at_its_line(tmp_path):
    path, line = broken_copy(tmp_path, "meeting-index.html", "{{ file.about }}", "{{ file.abuot }}")
    (problem,) = lint_template(path, context_types("meeting-index"))
    assert (problem.file, problem.line) == (str(path), line)
    assert problem.message.startswith(
        "'abuot' is not an attribute of Attachment — did you mean 'about'?"
    )


def test_a_name_the_list_of_meetings_is_not_given_is_named_at_its_line(tmp_path):
    path, line = broken_copy(
        tmp_path,
        "site-index.html",
        "{%- for meeting in meetings %}",
        "{%- for meeting in meetngs %}",
    )
    (problem,) = lint_template(path, context_types("site-index"))
    assert problem.line == line
    assert problem.message.startswith(
        "'meetngs' is not provided to this template — did you mean 'meetings'?"
    )
