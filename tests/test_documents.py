"""The expression of interest and the Design Council application: shared facts, drafts and
final builds, and documents for a second council from data alone."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile

import docx
import pytest

from reportgen.build import Paths, build
from reportgen.check import load_project
from reportgen.compose import compose

from conftest import FIXTURES, ROOT, TEMPLATES, output_path
from fidelity import pdf_text


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def eoi(example_build):
    return flat(pdf_text(output_path(example_build[0], "eoi"), layout=False))


@pytest.fixture(scope="module")
def application(example_build):
    pdf = output_path(example_build[0], "design-council-application")
    return flat(pdf_text(pdf, layout=False))


def answers(docx_path) -> dict[str, str]:
    """Each form row's label and its answer, as the .docx tables hold them."""
    rows = {}
    for table in docx.Document(docx_path).tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells]
            rows[cells[0]] = " | ".join(cells[1:])
    return rows


@pytest.mark.parametrize(
    "fact",
    [
        "North Lincolnshire Council Lead authority",
        "North East Lincolnshire Council Partner authority",
        "£105 million available in 2015-16",
        "up to £5 million",
        "Expression of interest by 1 July 2014",
        "by 1 October 2014",
        "savings in the region of £0.5m to £0.75m for each council",
        "Human Resources: Learning & Development, Health, Safety & Welfare",
        "A proposal has been developed to redesign the front end of the local taxation and "
        "benefits customer service provision",
        "insurance services (North East Lincolnshire Council, East Riding of Yorkshire Council)",
        "Improved resilience across services",
    ],
)
def test_the_expression_of_interest_carries_the_report_facts(eoi, fact):
    assert fact in eoi


def test_the_expression_of_interest_is_addressed_and_titled_from_the_facts(eoi):
    assert "To: Department of Communities and Local Government" in eoi
    assert "Transformation Challenge Award: expression of interest" in eoi


@pytest.mark.parametrize(
    "fact",
    [
        "To: Design Council",
        "Design in the Public Sector Programme: application to participate",
        "Design Council 'Design in the Public Sector Programme' for Yorkshire and Humber",
        "a cohort of 16 participants",
        "The customer services redesign project",
        "Joint applicant (lead)",
        "a shared 'back office hub' transformation project with North East Lincolnshire Council",
    ],
)
def test_the_application_carries_the_report_facts(application, fact):
    assert fact in application


def test_facts_not_yet_known_are_visible_placeholders(example_build):
    out, _ = example_build
    eoi = answers(output_path(out, "eoi", "docx"))
    assert eoi["Funding requested"] == "[to be confirmed]"
    assert eoi["Name"] == "to be confirmed"
    application = answers(output_path(out, "design-council-application", "docx"))
    assert application["Team members"] == "[to be confirmed]"
    assert application["Commitment to attend the programme's workshops"] == "[to be confirmed]"


def test_applicants_and_their_roles_come_from_the_data(example_build):
    rows = answers(output_path(example_build[0], "eoi", "docx"))
    assert rows["North Lincolnshire Council"].startswith("Lead authority | Civic Centre")
    assert rows["North East Lincolnshire Council"] == "Partner authority | "


def test_every_document_of_a_draft_build_says_draft(example_build):
    out, _ = example_build
    for kind in ("cabinet-report", "eoi", "design-council-application", "pack"):
        first_page = pdf_text(output_path(out, kind)).split("\f")[0]
        assert first_page.strip().startswith("DRAFT"), kind


def test_one_change_to_the_savings_estimate_changes_report_and_eoi(example_copy, edit):
    edit(
        example_copy / "programmes" / "transformation.yaml",
        "500_000, 750_000]",
        "500_000, 900_000]",
    )
    project, inputs = load_project(example_copy)
    report = compose(project, inputs, "cabinet-report", draft=True)
    eoi = compose(project, inputs, "eoi-transformation-challenge-award", draft=True)
    paragraph_2_12 = report["sections"][1].paragraphs[11]
    assert "£0.5m to £0.9m for each council" in paragraph_2_12.text
    savings = next(f for s in eoi["sections"] for f in s.fields if f.label == "Estimated savings")
    assert "£0.5m to £0.9m for each council" in savings.text


def unknowns(inputs) -> list[tuple[str, int]]:
    """(file, line) of every ``{unknown: ...}`` written in the inputs."""
    found = []
    for path in sorted(inputs.rglob("*.yaml")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "{unknown:" in line:
                found.append((str(path.relative_to(inputs.parent)), number))
    return found


def test_a_default_build_warns_of_each_unknown_fact_with_file_and_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "reportgen", "validate"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if ": warning: not yet known" in line]
    expected = unknowns(ROOT / "inputs")
    assert len(warned) == len(expected) > 5
    for (file, line), warning in zip(expected, warned, strict=True):
        assert warning.startswith(f"{file}:{line}:")


def test_a_final_build_refuses_listing_every_unknown_fact(tmp_path):
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "reportgen", "build", "--final", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if ": error: not yet known" in line]
    assert [tuple(e.split(":")[:2]) for e in errors] == [
        (file, str(line)) for file, line in unknowns(ROOT / "inputs")
    ]
    assert all(e.endswith("]") and "a final build needs it" in e for e in errors)
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.libreoffice
def test_documents_for_a_second_council_come_from_data_alone(example_copy, edit, tmp_path):
    for name in ("organisations.yaml", "bodies.yaml"):
        shutil.copyfile(FIXTURES / "second-council" / name, example_copy / name)
    report = example_copy / "documents" / "cabinet-report.yaml"
    edit(report, "council: nlc", "council: nelc")
    edit(report, "signatory: chief-executive", "signatory: director-of-resources")
    edit(example_copy / "meetings.yaml", "council: nlc", "council: nelc")
    out = tmp_path / "out"
    build(Paths(example_copy, TEMPLATES, out))
    text = pdf_text(output_path(out, "cabinet-report"))
    assert text.lstrip().startswith("DRAFT")
    assert "NORTH EAST LINCOLNSHIRE COUNCIL" in text
    assert "in conjunction with North Lincolnshire Council." in flat(text)
    tail = flat(text[text.index("DIRECTOR OF RESOURCES") :])
    assert tail.startswith(
        "DIRECTOR OF RESOURCES Municipal Offices Town Hall Square GRIMSBY "
        "North East Lincolnshire DN31 1HU"
    )
    cover = pdf_text(output_path(out, "pack")).split("\f")[0]
    assert "NORTH EAST LINCOLNSHIRE COUNCIL" in cover


def test_the_manifest_lists_every_document_and_the_pack(example_build):
    out, _ = example_build
    manifest = json.loads((out / "manifest.json").read_text())
    kinds = sorted((o["kind"], o["format"]) for o in manifest["outputs"])
    assert kinds == [
        ("cabinet-report", "docx"),
        ("cabinet-report", "html"),
        ("cabinet-report", "pdf"),
        ("design-council-application", "docx"),
        ("design-council-application", "html"),
        ("design-council-application", "pdf"),
        ("eoi", "docx"),
        ("eoi", "html"),
        ("eoi", "pdf"),
        ("index", "html"),
        ("pack", "html"),
        ("pack", "pdf"),
        ("site-index", "html"),
    ]
    for output in manifest["outputs"]:
        assert (out / output["path"]).is_file()


def test_every_docx_carries_properties_from_the_inputs_not_a_librarys(example_build):
    out, _ = example_build
    for kind in ("cabinet-report", "eoi", "design-council-application"):
        path = output_path(out, kind, "docx")
        core = docx.Document(path).core_properties
        # The forms' date is not known yet: they are dated from the inputs' latest date.
        assert core.created.year == 2014, (kind, core.created)
        assert core.author in ("Rachel Johnson/Jason Whaler", "North Lincolnshire Council")
        assert core.subject == "Transformation and Shared Services"
        assert kind in core.keywords
        with zipfile.ZipFile(path) as package:
            app = package.read("docProps/app.xml").decode()
        assert "<Company>North Lincolnshire Council</Company>" in app
