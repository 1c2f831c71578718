"""Rendering a .docx template: escaping, strictness, the sandbox and stable bytes."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
import pytest

from reportgen.diagnostics import ReportgenError
from reportgen.render import Properties, render_docx

PROPERTIES = Properties("A title", "en-GB", "An author", dt.date(2014, 5, 22))


def template(tmp_path: Path, *paragraphs: str) -> Path:
    """A real .docx whose paragraphs are ``paragraphs``, each one run."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    path = tmp_path / "template.docx"
    document.save(path)
    return path


def paragraphs(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def test_markup_characters_and_non_ascii_appear_literally(tmp_path):
    value = 'Learning & Development <HR> "quoted" £0.5m café – 2014/15'
    data = render_docx(template(tmp_path, "{{ value }}"), {"value": value}, PROPERTIES)
    assert paragraphs(data) == [value]


def test_braces_in_the_data_come_out_as_written(tmp_path):
    value = "{_{ not a tag }_} and {_% nor this %_}"
    data = render_docx(template(tmp_path, "{{ value }}"), {"value": value}, PROPERTIES)
    assert paragraphs(data) == [value]


def test_a_template_writes_literal_tag_braces_as_docxtpl_escapes(tmp_path):
    data = render_docx(template(tmp_path, "Write {_{ name }_} or {_% if %_}"), {}, PROPERTIES)
    assert paragraphs(data) == ["Write {{ name }} or {% if %}"]


def test_an_undefined_name_stops_the_render_naming_template_and_name(tmp_path):
    path = template(tmp_path, "Dear {{ council.nmae }}")
    with pytest.raises(ReportgenError) as caught:
        render_docx(path, {"council": {"name": "NLC"}}, PROPERTIES)
    assert str(caught.value) == (
        f"{path}: error: 'nmae' is not an attribute of this group — did you mean 'name'?"
    )


def test_a_template_cannot_reach_python_internals(tmp_path):
    path = template(tmp_path, "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(ReportgenError, match="not allowed in a template"):
        render_docx(path, {}, PROPERTIES)


def test_a_jinja_syntax_error_names_the_template_and_the_text_around_it(tmp_path):
    path = template(tmp_path, "Before", "{% for x in %}", "After")
    with pytest.raises(ReportgenError) as caught:
        render_docx(path, {}, PROPERTIES)
    message = str(caught.value)
    assert message.startswith(f"{path}: error: template syntax:")
    assert "for x in" in message


def test_a_file_that_is_not_a_docx_is_refused(tmp_path):
    path = tmp_path / "template.docx"
    path.write_text("not a zip")
    with pytest.raises(ReportgenError, match=r"not a readable \.docx file"):
        render_docx(path, {}, PROPERTIES)


def test_a_missing_template_is_named(tmp_path):
    with pytest.raises(ReportgenError, match="template not found"):
        render_docx(tmp_path / "missing.docx", {}, PROPERTIES)


def test_document_properties_are_set_from_the_report(tmp_path):
    data = render_docx(template(tmp_path, "x"), {}, PROPERTIES)
    core = docx.Document(io.BytesIO(data)).core_properties
    assert (core.title, core.language, core.author) == ("A title", "en-GB", "An author")
    assert core.created == dt.datetime(2014, 5, 22, tzinfo=dt.UTC)


def test_rendering_twice_gives_identical_bytes(tmp_path):
    path = template(tmp_path, "{{ value }}")
    first = render_docx(path, {"value": "x"}, PROPERTIES)
    second = render_docx(path, {"value": "x"}, PROPERTIES)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_a_table_cell_that_renders_empty_still_holds_a_paragraph(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).paragraphs[0].add_run("Westmoor Voluntary Action")
    table.cell(0, 0).paragraphs[0].style = document.styles["Caption"]
    address = table.cell(0, 1)
    address.paragraphs[0].add_run("{%p for line in address %}")
    address.add_paragraph("{{ line }}")
    address.add_paragraph("{%p endfor %}")
    path = tmp_path / "template.docx"
    document.save(path)
    rendered = docx.Document(io.BytesIO(render_docx(path, {"address": []}, PROPERTIES)))
    name, empty = rendered.tables[0].rows[0].cells
    # Word's format requires a paragraph in every cell; the added one is styled like the
    # row's other cells, so the empty cell is no taller than they are.
    assert [p.text for p in empty.paragraphs] == [""]
    assert empty.paragraphs[0].style.name == name.paragraphs[0].style.name == "Caption"
