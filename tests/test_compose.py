"""Composing a report: computed numbers, options from one list, prose that refers to facts."""

from __future__ import annotations

import pytest

from reportgen.check import load_project
from reportgen.compose import compose
from reportgen.diagnostics import ReportgenError

REPORT = "cabinet-report"


def composed(inputs):
    project, loaded = load_project(inputs)
    return compose(project, loaded, REPORT, draft=False)


def paragraph(context, number):
    section = context["sections"][int(number.split(".")[0]) - 1]
    return next(p for p in section.paragraphs if p.number == number)


def test_options_and_their_analysis_come_from_one_list(example_copy, edit):
    edit(
        example_copy / "documents" / "cabinet-report.yaml",
        "\nrecommendations:\n",
        "\n  - id: fifth\n    summary: A fifth option\n    analysis: Its analysis\n"
        "\nrecommendations:\n",
    )
    context = composed(example_copy)
    summaries, analyses = context["sections"][2], context["sections"][3]
    assert [(p.number, p.option) for p in summaries.paragraphs][-1] == ("3.5", 5)
    assert [(p.number, p.option) for p in analyses.paragraphs][-1] == ("4.5", 5)
    assert paragraph(context, "3.5").text == "A fifth option"
    assert paragraph(context, "4.5").text == "Its analysis"


def test_inserting_a_paragraph_renumbers_the_rest_and_references_follow(example_copy, edit):
    report = example_copy / "documents" / "cabinet-report.yaml"
    edit(
        report,
        "  - title: Background information\n    paragraphs:\n",
        "  - title: Background information\n    paragraphs:\n"
        "      - text: See paragraph {{ ref('savings-estimate') }}.\n",
    )
    context = composed(example_copy)
    assert paragraph(context, "2.1").text == "See paragraph 2.13."
    assert paragraph(context, "2.13").text.startswith("As part of the council's transformation")


def test_prose_refers_to_facts_written_once(example_copy, edit):
    edit(example_copy / "programme.yaml", "low: 500_000", "low: 600_000")
    context = composed(example_copy)
    assert (
        "savings in the region of £0.6m to £0.75m for each council"
        in paragraph(context, "2.12").text
    )


def test_bullets_can_be_made_from_a_list_of_facts(example_copy):
    context = composed(example_copy)
    assert paragraph(context, "2.4").bullets == (
        "procurement - NELC",
        "local taxation and benefits - NELC",
        "museum and cultural services - NELC",
        "insurance services - NELC/ERYC",
    )


def test_an_unknown_name_in_prose_is_located_in_the_yaml(example_copy, edit):
    report = example_copy / "documents" / "cabinet-report.yaml"
    edit(report, "On the {{ fund.announced | date }}", "On the {{ fund.anounced | date }}")
    with pytest.raises(ReportgenError) as caught:
        composed(example_copy)
    (problem,) = caught.value.diagnostics
    assert problem.file == str(report)
    assert problem.key == "sections[1].paragraphs[8].text"
    assert "anounced" in problem.message


def test_a_reference_to_an_unknown_label_suggests_the_nearest(example_copy, edit):
    edit(
        example_copy / "documents" / "cabinet-report.yaml",
        "The council's normal consultation protocols will be observed.",
        "See {{ ref('savings-estimat') }}.",
    )
    with pytest.raises(ReportgenError, match="did you mean 'savings-estimate'"):
        composed(example_copy)


def test_prose_cannot_reach_python_internals(example_copy, edit):
    edit(
        example_copy / "documents" / "cabinet-report.yaml",
        "No conflicts of interest have been identified.",
        "\"{{ ''.__class__.__mro__ }}\"",
    )
    with pytest.raises(ReportgenError, match="not allowed in a template"):
        composed(example_copy)


def test_the_cabinet_meeting_date_reads_to_be_confirmed(example_copy):
    context = composed(example_copy)
    assert str(context["meeting"].date) == "to be confirmed"
