"""The example Cabinet report, built with the real LibreOffice: text, structure, accessibility."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile

import pytest
from pypdf import PdfReader

from reportgen.build import Paths, build

from conftest import EXAMPLE_INPUTS, FIXTURES, TEMPLATES, output_path
from fidelity import Change, changes, pdf_text, words

REFERENCE = FIXTURES / "cabinet-report-2014-05-22.txt"

# What the generated report adds to the published text, and why:
# the meeting date the source does not give, and the column labels its table lacks.
ADDED = {
    Change("insert", "", "Date of meeting: to be confirmed"),
    Change("insert", "", "Service area Functions"),
}


@pytest.fixture(scope="module")
def pdf(example_build):
    out, _ = example_build
    return output_path(out, "cabinet-report")


@pytest.fixture(scope="module")
def reader(pdf):
    return PdfReader(pdf)


@pytest.fixture(scope="module")
def manifest(example_build):
    out, _ = example_build
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def report_text(pdf) -> str:
    """The report's text without the DRAFT mark its page headers carry while facts are
    still to be confirmed (page furniture, not part of the published wording)."""
    return "\n".join(line for line in pdf_text(pdf).splitlines() if line.strip() != "DRAFT")


def test_pdf_text_reads_as_the_published_report_word_for_word(pdf):
    reference = words(REFERENCE.read_text(encoding="utf-8"))
    ours = words(report_text(pdf))
    unexpected = [c for c in changes(reference, ours) if c not in ADDED]
    assert unexpected == [], "\n".join(str(c) for c in unexpected)


def test_every_numbered_paragraph_appears_with_its_number_in_order(pdf):
    text = report_text(pdf)
    expected = (
        [f"1.{i}" for i in range(1, 3)]
        + [f"2.{i}" for i in range(1, 19)]
        + [f"{s}.{i}" for s in (3, 4) for i in range(1, 5)]
        + ["5.1", "6.1", "7.1", "7.2", "7.3", "8.1", "8.2", "8.3"]
    )
    found = re.findall(r"^\s*(\d\.\d{1,2})\s", text, flags=re.MULTILINE)
    assert found == expected


def test_table_2_13_has_four_service_areas_with_their_functions(pdf):
    text = " ".join(words(report_text(pdf)))
    table = text[text.index("Service area Functions") : text.index("2.14")]
    assert table == (
        "Service area Functions "
        "Human Resources Learning & Development Health, Safety & Welfare Occupational Health "
        "Transactional HR Strategic HR "
        "Financial Services Accountancy/Corporate Finance Audit Exchequer "
        "Business Support IT Services Printing/DPS "
        "Legal and Democratic Services Legal Services Publications "
    )


def test_the_report_is_five_a4_pages(reader, manifest):
    assert len(reader.pages) == 5
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)
    (entry,) = [
        o for o in manifest["outputs"] if o["format"] == "pdf" and o["kind"] == "cabinet-report"
    ]
    assert entry["pages"] == 5


def test_bookmarks_follow_the_heading_styles(reader):
    def titles(outline):
        result = []
        for item in outline:
            if isinstance(item, list):
                result.append(titles(item))
            else:
                result.append(item.title)
        return result

    options = [f"Option {i}" for i in range(1, 5)]
    assert titles(reader.outline) == [
        "1. OBJECT AND KEY POINTS IN THIS REPORT",
        "2. BACKGROUND INFORMATION",
        "3. OPTIONS FOR CONSIDERATION",
        [f"3.{i} {o}" for i, o in enumerate(options, 1)],
        "4. ANALYSIS OF OPTIONS",
        [f"4.{i} {o}" for i, o in enumerate(options, 1)],
        "5. RESOURCE IMPLICATIONS (FINANCIAL, STAFFING, PROPERTY, IT)",
        "6. OUTCOMES OF INTEGRATED IMPACT ASSESSMENT (IF APPLICABLE)",
        "7. OUTCOMES OF CONSULTATION AND CONFLICTS OF INTEREST DECLARED",
        "8. RECOMMENDATIONS",
    ]


def test_title_is_set_and_shown_in_the_window(reader):
    assert reader.metadata.title == "Transformation and Shared Services"
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"].value is True


def test_language_is_british_english(reader):
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def _structure(node, found):
    node = node.get_object()
    if isinstance(node, list):
        for child in node:
            _structure(child, found)
    elif hasattr(node, "get") and "/S" in node:
        found.append(str(node["/S"]))
        if "/K" in node:
            _structure(node["/K"], found)
    return found


def test_pdf_is_tagged_with_headings_and_a_table(reader):
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    tags = _structure(root["/StructTreeRoot"]["/K"], [])
    assert tags.count("/H1") == 8
    assert tags.count("/H2") == 8
    assert tags.count("/Table") == 1


def test_table_header_row_is_marked_as_header_cells(reader):
    root = reader.trailer["/Root"]
    tags = _structure(root["/StructTreeRoot"]["/K"], [])
    table = tags[tags.index("/Table") :]
    first_row = table[1 : table.index("/TR", 2)]
    assert first_row.count("/TH") == 2
    assert "/TH" not in table[table.index("/TR", 2) :]


def test_pdf_declares_pdfa_2b(reader):
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"<pdfaid:part>2</pdfaid:part>", xmp)
    assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>", xmp)
    assert "/OutputIntents" in reader.trailer["/Root"]


def test_every_font_is_embedded(reader):
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_manifest_lists_the_report_as_docx_and_pdf_with_hashes_and_sources(example_build, manifest):
    out, _ = example_build
    stem = "date-tbc-cabinet/date-tbc-cabinet-item-4-transformation-and-shared-services"
    # (Its HTML edition has its own test, in test_html_edition.py.)
    reports = [
        o for o in manifest["outputs"] if o["kind"] == "cabinet-report" and o["format"] != "html"
    ]
    assert [(o["path"], o["format"]) for o in reports] == [
        (f"{stem}.docx", "docx"),
        (f"{stem}.pdf", "pdf"),
    ]
    for output in reports:
        data = (out / output["path"]).read_bytes()
        assert output["sha256"] == hashlib.sha256(data).hexdigest()
        assert output["size"] == len(data)
        assert output["title"] == "Transformation and Shared Services"
        assert output["meeting"] == "cabinet"
        assert output["sources"] == [
            "inputs/bodies.yaml",
            "inputs/documents/cabinet-report.yaml",
            "inputs/meetings.yaml",
            "inputs/organisations.yaml",
            "inputs/programmes/transformation.yaml",
            "templates/cabinet-report.docx",
        ]
    assert "pages" not in reports[0]


def test_docx_carries_title_language_and_heading_styles(example_build):
    out, _ = example_build
    with zipfile.ZipFile(output_path(out, "cabinet-report", "docx")) as docx:
        core = docx.read("docProps/core.xml").decode()
        body = docx.read("word/document.xml").decode()
    assert "<dc:title>Transformation and Shared Services</dc:title>" in core
    assert "<dc:language>en-GB</dc:language>" in core
    assert body.count('<w:pStyle w:val="Heading1"/>') == 8
    assert "Learning &amp; Development" in body
    assert "{{" not in body and "{%" not in body


def test_inputs_copied_elsewhere_build_byte_identical_outputs(tmp_path, example_build):
    out, _ = example_build
    elsewhere = tmp_path / "somewhere" / "else"
    shutil.copytree(EXAMPLE_INPUTS, elsewhere)
    build(Paths(elsewhere, TEMPLATES, tmp_path / "out"))
    theirs = json.loads((out / "manifest.json").read_text())["outputs"]
    assert (tmp_path / "out" / "manifest.json").read_bytes() == (out / "manifest.json").read_bytes()
    for output in theirs:
        ours = (tmp_path / "out" / output["path"]).read_bytes()
        assert ours == (out / output["path"]).read_bytes(), output["path"]


@pytest.mark.libreoffice
def test_markup_quotes_non_ascii_and_braces_in_yaml_appear_literally(example_copy, edit, tmp_path):
    title = 'Transformation & Shared Services <Phase 1> "one" café – £5m {{ 7*7 }}'
    edit(
        example_copy / "documents" / "cabinet-report.yaml",
        "title: Transformation and Shared Services",
        f"title: '{title}'",
    )
    edit(
        example_copy / "organisations.yaml",
        "name: North East Lincolnshire Council",
        'name: "North East Lincolnshire Council {% raw %}"',
    )
    out = tmp_path / "out"
    build(Paths(example_copy, TEMPLATES, out))
    pdf = output_path(out, "cabinet-report")
    text = " ".join(pdf_text(pdf).split())
    assert title.upper() in text
    assert "in conjunction with North East Lincolnshire Council {% raw %}." in text
    assert PdfReader(pdf).metadata.title == title
    import docx

    document = docx.Document(output_path(out, "cabinet-report", "docx"))
    assert title.upper() in [p.text for p in document.paragraphs]


@pytest.mark.parametrize("kind", ["cabinet-report", "eoi", "design-council-application", "pack"])
def test_pdfs_declare_pdf_ua_1_without_circular_role_mappings(example_build, kind):
    reader = PdfReader(output_path(example_build[0], kind))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    # PDF/A admits the pdfuaid property only with an extension schema describing it.
    assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp
    role_map = root["/StructTreeRoot"].get("/RoleMap", {})
    assert [role for role, standard in role_map.items() if role == standard] == []
