"""Any council's next report: a programme of another shape, several programmes in one
inputs tree, facts written once wherever they are used."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
import yaml
from pypdf import PdfReader

from reportgen.build import Paths, build
from reportgen.check import check
from reportgen.diff import compare, render_checked
from reportgen.html_edition import edition_source, render_html
from reportgen.layout import Placement
from reportgen.plan import PlannedDocument
from reportgen.render import Properties, render_docx

from conftest import EXAMPLE_INPUTS, FIXTURES, TEMPLATES, output_path
from html_pages import read_page

DIGITAL = FIXTURES / "digital-access"


def texts(inputs: Path) -> dict[str, dict[str, str]]:
    """Every document's paragraphs and table rows, by label."""
    checked = check(inputs, TEMPLATES)
    assert not checked.errors, checked.errors
    return {
        document: {block.label: block.text for block in rendered.blocks}
        for document, rendered in render_checked(checked).items()
    }


def test_a_programme_of_another_shape_needs_no_dummy_facts():
    checked = check(DIGITAL, TEMPLATES)
    assert checked.diagnostics == []
    programme = yaml.safe_load((DIGITAL / "programmes" / "digital.yaml").read_text())
    assert not {"fund", "design", "savings", "services_in_scope"} & set(programme["facts"])
    assert programme["councils"] == ["wdc"]  # no partner council


def test_its_figures_are_written_once_and_reach_every_document_that_uses_them(digital, edit):
    before = texts(digital)
    edit(digital / "programmes" / "digital.yaml", "[180_000, 240_000]", "[180_000, 260_000]")
    after = texts(digital)
    changed = {
        (document, label)
        for document in before
        for label, text in after[document].items()
        if before[document].get(label) != text
    }
    assert changed == {
        ("report", "2.4"),  # the background
        ("report", "4.2"),  # the financial implication
        ("report", "6.2"),  # the analysis of option 2
        ("bid", "3. The project / Savings"),
    }
    assert "£180,000 to £260,000 a year" in after["bid"]["3. The project / Savings"]


def test_a_table_made_from_a_list_of_facts_has_the_columns_it_names():
    report = texts(DIGITAL)["report"]
    assert report["2. BACKGROUND / Year"] == "Year | Capital | Revenue"
    assert report["2. BACKGROUND / 2015/16"] == "2015/16 | £750,000 | £40,000"
    assert report["2. BACKGROUND / 2016/17"] == "2016/17 | £500,000 | £60,000"


def test_a_programmes_own_check_stops_a_build_at_the_fact(digital, edit):
    edit(digital / "programmes" / "digital.yaml", "{money: 1_250_000}", "{money: 1_300_000}")
    (problem,) = check(digital, TEMPLATES).errors
    assert problem.message.startswith(
        "the capital by year adds up to £1,250,000, not the £1,300,000 sought"
    )
    assert problem.key == "facts.capital_cost"


def test_prose_sees_only_its_own_programmes_facts(tmp_path, edit):
    inputs = two_programmes(tmp_path)
    edit(inputs / "documents" / "report.yaml", "Keep the current channels.", "Keep {{ fund }}.")
    (problem,) = check(inputs, TEMPLATES).errors
    assert problem.file.endswith("report.yaml")
    assert "'fund' is undefined" in problem.message


def test_partner_is_not_guessed_for_a_council_on_its_own(digital, edit):
    edit(digital / "documents" / "report.yaml", "Keep the current channels.", "Ask {{ partner }}.")
    (problem,) = check(digital, TEMPLATES).errors
    assert problem.message.startswith("'partner' is the other council of a programme's two")


def two_programmes(root: Path) -> Path:
    """The worked example and the digital programme in one inputs tree, both reports on one
    Cabinet agenda."""
    inputs = root / "inputs"
    shutil.copytree(EXAMPLE_INPUTS, inputs)
    for folder in ("programmes", "documents"):
        for path in (DIGITAL / folder).iterdir():
            shutil.copyfile(path, inputs / folder / path.name)
    organisations = (DIGITAL / "organisations.yaml").read_text()
    with (inputs / "organisations.yaml").open("a") as handle:
        handle.write(organisations)
    meetings = inputs / "meetings.yaml"
    meetings.write_text(
        meetings.read_text().replace(
            "      appendices: [eoi-transformation-challenge-award, design-council-application]",
            "      appendices: [eoi-transformation-challenge-award, design-council-application]\n"
            "    - document: report\n"
            "      appendices: [bid]",
        )
    )
    return inputs


def test_one_meeting_takes_reports_of_two_programmes(tmp_path):
    inputs = two_programmes(tmp_path)
    checked = check(inputs, TEMPLATES)
    assert checked.errors == []
    assert set(checked.contexts) == {
        "cabinet-report",
        "eoi-transformation-challenge-award",
        "design-council-application",
        "report",
        "bid",
    }


@pytest.mark.libreoffice
def test_the_digital_programme_builds_to_docx_pdf_and_a_pack(tmp_path):
    out = tmp_path / "build"
    result = build(Paths(DIGITAL, TEMPLATES, out))
    assert result.warnings == []
    kinds = sorted((o.kind, o.format) for o in result.outputs)
    assert kinds == [
        ("cabinet-report", "docx"),
        ("cabinet-report", "html"),
        ("cabinet-report", "pdf"),
        ("eoi", "docx"),
        ("eoi", "html"),
        ("eoi", "pdf"),
        ("index", "html"),
        ("pack", "html"),
        ("pack", "pdf"),
        ("site-index", "html"),
        ("timetable", "ics"),
    ]
    assert output_path(out, "pack").name == "2015-09-09-cabinet-pack.pdf"
    # The council's standing orders and the law's five clear days, on the meeting's page
    # and in a calendar file beside it.
    page = output_path(out, "index", "html").read_text()
    assert '<time datetime="2015-08-17">17 August 2015</time>' in page
    assert '<time datetime="2015-09-01">1 September 2015</time>' in page
    assert '<a href="timetable.ics">' in page
    assert output_path(out, "timetable", "ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    report = output_path(out, "cabinet-report")
    assert report.name == "2015-09-09-cabinet-item-7-digital-customer-access.pdf"
    text = pdf_text(report)
    assert "(c) close the paper forms" in text
    assert "(a) take-up" in text  # the second lettered list starts again at (a)
    heading = text.split("DIGITAL CUSTOMER ACCESS")[0].split()
    assert " ".join(heading) == (
        "WESTMOOR DISTRICT COUNCIL CABINET Date of meeting: 9 September 2015 Time: 18:30 "
        "Venue: Council Chamber, Civic Centre Agenda item 7"
    )


def pdf_text(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        ["pdftotext", "-layout", *pages, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.libreoffice
def test_a_pack_of_two_programmes_uses_the_items_own_numbers(tmp_path):
    inputs = two_programmes(tmp_path)
    meetings = inputs / "meetings.yaml"
    meetings.write_text(
        meetings.read_text().replace("- document: report", "- number: 7\n      document: report")
    )
    out = tmp_path / "build"
    build(Paths(inputs, TEMPLATES, out))
    pack = output_path(out, "pack")
    names = sorted(p.name for p in pack.parent.glob("*.pdf"))
    assert "date-tbc-cabinet-item-7-digital-customer-access.pdf" in names
    assert "date-tbc-cabinet-item-7-appendix-a-digital-access-fund-bid.pdf" in names
    assert "date-tbc-cabinet-item-4-transformation-and-shared-services.pdf" in names
    contents = [" ".join(line.split()) for line in pdf_text(pack, 2).splitlines()]
    assert any(line.startswith("7 Digital Customer Access") for line in contents), contents
    assert any(line.startswith("Appendix A: Digital access fund bid") for line in contents)
    tops = [o.title for o in PdfReader(pack).outline if not isinstance(o, list)]
    assert tops == [
        "Summons and agenda",
        "Item 4: Transformation and Shared Services",
        "Item 4, appendix A: Transformation Challenge Award: expression of interest",
        "Item 4, appendix B: Design in the Public Sector Programme: application to participate",
        "Item 7: Digital Customer Access",
        "Item 7, appendix A: Digital access fund bid",
    ]


def test_agenda_items_numbered_out_of_order_are_an_error(tmp_path):
    inputs = two_programmes(tmp_path)
    meetings = inputs / "meetings.yaml"
    text = meetings.read_text().replace(
        "- document: cabinet-report", "- number: 8\n      document: cabinet-report"
    )
    meetings.write_text(text.replace("- document: report", "- number: 7\n      document: report"))
    (problem,) = check(inputs, TEMPLATES).errors
    assert problem.message == (
        "item 7 comes after item 8: agenda items are numbered in the order they are listed"
    )


def test_the_rendered_diff_names_both_documents_of_a_changed_figure(digital, edit):
    before = render_checked(check(digital, TEMPLATES))
    edit(digital / "programmes" / "digital.yaml", "{percent: 62.5}", "{percent: 70}")
    after = render_checked(check(digital, TEMPLATES))
    changed = {d.document for d in compare(before, after) if d.status == "changed"}
    assert changed == {"report"}


NEW_KIND = FIXTURES / "new-kind"


def with_new_kind(root: Path) -> tuple[Path, Path]:
    """The digital programme's inputs and the example's templates, with the files of a new
    kind of document (officer decision records) laid over them: data and a template only."""
    inputs, templates = root / "inputs", root / "templates"
    shutil.copytree(DIGITAL, inputs)
    shutil.copytree(TEMPLATES, templates)
    for path in NEW_KIND.rglob("*"):
        if path.is_file():
            relative = path.relative_to(NEW_KIND)
            base = root if relative.parts[0] == "templates" else inputs
            (base / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, base / relative)
    return inputs, templates


def test_a_kind_added_as_data_is_checked_like_any_other(tmp_path):
    inputs, templates = with_new_kind(tmp_path)
    checked = check(inputs, templates)
    assert checked.diagnostics == []
    rendered = render_checked(checked)["fees-decision"]
    assert rendered.kind == "officer-decision"
    text = " ".join(block.text for block in rendered.blocks)
    assert "WESTMOOR DISTRICT COUNCIL: record of an officer decision" in text
    assert "Garden waste collection charge for 2016/17" in text
    assert "To set the charge for garden waste collection at £45 a year from 1 April 2016" in text


def public_edition_of(document_id: str) -> PlannedDocument:
    """A document's public edition, as the build plans it (only its id matters here)."""
    placement = Placement(document_id, folder="documents", stem=document_id)
    return PlannedDocument(placement, kind="", title="", sources=[], fingerprint="")


def test_a_kinds_own_html_template_makes_its_documents_html_editions(tmp_path):
    inputs, templates = with_new_kind(tmp_path)
    checked = check(inputs, templates)
    assert checked.diagnostics == []
    template, context = edition_source(checked, public_edition_of("fees-decision"))
    assert template == templates / "officer-decision.html"
    page = read_page(render_html(template, context, house_style=checked.house_style))
    assert page.headings[0] == (1, "Garden waste collection charge for 2016/17")
    assert "Record of an officer decision" in page.text
    assert (2, "The decision") in page.headings  # form.html would say "1. The decision"
    # The documents of other kinds keep their shape's template.
    assert edition_source(checked, public_edition_of("report"))[0] == templates / "report.html"


def test_a_misspelt_name_in_a_kinds_own_html_template_is_an_error_at_its_line(tmp_path):
    inputs, templates = with_new_kind(tmp_path)
    own = templates / "officer-decision.html"
    own.write_text(own.read_text().replace("{{ field.label }}", "{{ field.lable }}"))
    line = next(i for i, s in enumerate(own.read_text().splitlines(), 1) if "lable" in s)
    (problem,) = check(inputs, templates).errors
    assert (problem.file, problem.line) == (str(own), line)
    assert problem.message.startswith("'lable' is not an attribute of FieldView")


def test_a_document_of_an_undefined_kind_is_an_error_with_a_suggestion(tmp_path, edit):
    inputs, templates = with_new_kind(tmp_path)
    edit(
        inputs / "documents" / "fees-decision.yaml",
        "kind: officer-decision",
        "kind: officer-decisoin",
    )
    (problem,) = check(inputs, templates).errors
    assert problem.message == (
        "kind 'officer-decisoin' is not defined in kinds/ — did you mean 'officer-decision'?"
    )
    assert problem.key == "kind"


def test_a_kind_can_require_what_its_documents_must_have(digital, edit):
    edit(
        digital / "kinds" / "cabinet-report.yaml",
        "requires: [recommendations]",
        "requires: [recommendations, background_papers]",
    )
    (problem,) = check(digital, TEMPLATES).errors
    assert problem.message.startswith("a cabinet-report needs 'background_papers'")


@pytest.mark.libreoffice
def test_a_kind_added_as_data_builds_to_a_pdf(tmp_path):
    inputs, templates = with_new_kind(tmp_path)
    out = tmp_path / "build"
    build(Paths(inputs, templates, out))
    pdf = output_path(out, "officer-decision")
    assert pdf.parent.name == "documents"  # on no agenda
    text = " ".join(pdf_text(pdf).split())
    assert "Garden waste collection charge for 2016/17" in text
    assert "Alternatives considered • Keep the current charge • Stop the service" in text
    # Its HTML edition is made from the kind's own template, which is one of its sources.
    html = output_path(out, "officer-decision", "html")
    assert "Record of an officer decision" in html.read_text()
    manifest = json.loads((out / "manifest.json").read_text())["outputs"]
    (entry,) = [o for o in manifest if o["path"] == str(html.relative_to(out))]
    assert "templates/officer-decision.html" in entry["sources"]


def test_resource_implications_show_figures_by_year_with_totals():
    report = texts(DIGITAL)["report"]
    rows = {label.split(" / ")[-1]: text for label, text in report.items() if "RESOURCE" in label}
    assert rows["Financial year"] == "Financial year | Capital | Revenue"
    assert rows["2015/16"] == "2015/16 | £750,000 | £40,000"
    assert rows["Total"] == "Total | £1,250,000 | £100,000"


def test_a_completed_impact_assessment_shows_each_effect_and_implication():
    report = texts(DIGITAL)["report"]
    assert report["4.1"].startswith("4.1 An integrated impact assessment was completed on 12 June")
    rows = {label.split(" / ")[-1]: text for label, text in report.items() if "IMPACT" in label}
    assert rows["Age"] == (
        "Age | Negative | Older residents are less likely to use online services. | "
        "Telephone and face-to-face help stay open, and staff help people online."
    )
    assert rows["Race"] == "Race | Neutral |  | "
    assert report["4.2"] == (
        "4.2 Financial: Capital of £1.25 million; savings of £180,000 to £240,000 a year."
    )
    assert report["4.4"].startswith("4.4 Risk:")


def test_an_assessment_still_to_be_done_reads_as_the_report_says(example_copy):
    report = texts(example_copy)["cabinet-report"]
    assert report["6.1"] == (
        "6.1 An integrated impact assessment will be completed and monitored throughout the "
        "transformation programme and summary details will be included in future reports to "
        "Cabinet."
    )
    assert "6.2" not in report


def test_each_lettered_list_gets_numbering_of_its_own_restarted_at_a():
    checked = check(DIGITAL, TEMPLATES)
    data = render_docx(
        checked.templates["report"], checked.contexts["report"], Properties("t", "en-GB", "a")
    )
    document = docx.Document(io.BytesIO(data))
    lettered = [p for p in document.paragraphs if p.style.style_id == "ListLetter"]
    assert [p.text for p in lettered] == [
        "move the forms residents use most online",
        "open webchat in the contact centre",
        "close the paper forms",
        "take-up",
        "cost",
        "complaints",
    ]
    ids = [p._p.pPr.numPr.numId.val for p in lettered]
    assert ids[0] == ids[1] == ids[2] != ids[3] == ids[4] == ids[5]
    numbering = document.part.numbering_part.element
    for num_id in {ids[0], ids[3]}:
        (num,) = [n for n in numbering.num_lst if n.numId == num_id]
        assert num.xpath("./w:lvlOverride/w:startOverride/@w:val") == ["1"]
