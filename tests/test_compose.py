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
    edit(
        example_copy / "programmes" / "transformation.yaml",
        "[500_000, 750_000]",
        "[600_000, 750_000]",
    )
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


PROGRAMME = "programmes/transformation.yaml"


def _prose_problem(inputs) -> str:
    with pytest.raises(ReportgenError) as caught:
        composed(inputs)
    (problem,) = {d.message for d in caught.value.diagnostics}
    return problem


def test_partner_is_an_error_where_a_programme_has_three_councils(example_copy, edit):
    edit(example_copy / PROGRAMME, "councils: [nlc, nelc]", "councils: [nlc, nelc, eryc]")
    assert _prose_problem(example_copy) == (
        "'partner' is the other council of a programme's two councils, and programme "
        "'transformation' has 3 (nlc, nelc, eryc); write {{ org.<id> }} for the council meant"
    )


def test_partner_is_an_error_for_a_council_outside_the_programme(example_copy, edit):
    edit(example_copy / PROGRAMME, "councils: [nlc, nelc]", "councils: [nelc, eryc]")
    assert "'nlc' is not one of programme 'transformation''s councils (nelc, eryc)" in (
        _prose_problem(example_copy)
    )


def test_a_table_can_be_made_from_a_list_of_facts(example_copy, edit):
    edit(
        example_copy / "documents" / "cabinet-report.yaml",
        "table: services_in_scope.areas",
        "table:\n"
        "          columns: [Service, Councils]\n"
        "          rows:\n"
        "            for_each: shared_services\n"
        "            cells: [item.service, item.partners]",
    )
    table = paragraph(composed(example_copy), "2.13").table
    assert table.columns == ("Service", "Councils")
    first = table.rows[0]
    assert [cell.lines for cell in first] == [
        ("procurement",),
        ("North East Lincolnshire Council",),
    ]
    assert [cell.listed for cell in first] == [False, True]


def test_a_table_fact_keeps_its_column_labels_and_lists(example_copy):
    table = paragraph(composed(example_copy), "2.13").table
    assert table.columns == ("Service area", "Functions")
    assert table.rows[1][0].lines == ("Financial Services",)
    assert table.rows[1][1].lines == ("Accountancy/Corporate Finance", "Audit", "Exchequer")
    assert [cell.listed for cell in table.rows[1]] == [False, True]
