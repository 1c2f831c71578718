"""Cross-references between inputs and the rules of the domain."""

import shutil

from reportgen.check import check

from conftest import FIXTURES, TEMPLATES
from conftest import load_problems as problems


def test_a_partner_that_is_not_defined_is_named_with_a_suggestion(example_copy, edit):
    programme = example_copy / "programmes" / "transformation.yaml"
    edit(programme, "partners: {orgs: [nelc, eryc]}", "partners: {orgs: [nelc, erc]}")
    (found,) = problems(example_copy)
    assert found.startswith(f"{programme}:")
    assert "organisation 'erc' is not defined — did you mean 'eryc'?" in found
    assert found.endswith("[facts.shared_services[3].partners.orgs[1]]")


def test_a_report_for_an_undefined_meeting_is_an_error(example_copy, edit):
    edit(
        example_copy / "documents" / "cabinet-report.yaml", "meeting: cabinet", "meeting: cabinett"
    )
    (found,) = problems(example_copy)
    assert "meeting 'cabinett' is not defined — did you mean 'cabinet'?" in found


def test_a_signatory_must_belong_to_the_council(example_copy, edit):
    edit(
        example_copy / "documents" / "cabinet-report.yaml",
        "signatory: chief-executive",
        "signatory: leader",
    )
    (found,) = problems(example_copy)
    assert "signatory of North Lincolnshire Council 'leader' is not defined" in found


def test_a_range_of_money_with_its_low_end_above_its_high_end_is_an_error(example_copy, edit):
    edit(
        example_copy / "programmes" / "transformation.yaml",
        "[500_000, 750_000]",
        "[900_000, 750_000]",
    )
    (found,) = problems(example_copy)
    assert "the low end (£900,000) is more than the high end (£750,000)" in found
    assert found.endswith("[facts.savings.money]")


def test_a_programmes_check_is_reported_at_the_fact_it_names(example_copy, edit):
    edit(
        example_copy / "programmes" / "transformation.yaml",
        "full_bid_deadline: 2014-10-01",
        "full_bid_deadline: 2014-06-01",
    )
    (found,) = problems(example_copy)
    assert (
        "full bids are due (1 June 2014) before expressions of interest close (1 July 2014)"
        in found
    )
    assert "(the check at line" in found
    assert found.endswith("[facts.fund.tranches.main_round.full_bid_deadline]")


def test_a_check_can_add_up_the_facts_of_a_group(example_copy, edit):
    edit(
        example_copy / "programmes" / "transformation.yaml",
        "amount: {money: 105_000_000}",
        "amount: {money: 310_000_000}",
    )
    (found,) = problems(example_copy)
    assert (
        "the tranches add up to £325,000,000, more than the fund's total of £320,000,000" in found
    )


def test_a_check_that_cannot_be_evaluated_is_an_error_at_the_check(example_copy, edit):
    edit(
        example_copy / "programmes" / "transformation.yaml",
        "project_cap <= fund.tranches.main_round.amount",
        "project_cap <= fund.tranche",
    )
    (found,) = problems(example_copy)
    assert "this check cannot be evaluated: 'tranche' is not an attribute of fund" in found
    assert found.endswith("[checks[1].that]")


def test_a_fact_cannot_take_a_name_prose_gives_something_else(example_copy, edit):
    edit(
        example_copy / "programmes" / "transformation.yaml",
        "  savings: {money:",
        "  council: {money:",
    )
    found = problems(example_copy)
    assert any("a fact cannot be called 'council'" in f for f in found)


def test_a_fact_left_empty_is_an_error(example_copy, edit):
    edit(
        example_copy / "programmes" / "transformation.yaml",
        "region: Yorkshire and Humber",
        "region:",
    )
    (found,) = problems(example_copy)
    assert "a value is needed here, but it is empty" in found
    assert found.endswith("[facts.design.region]")


def test_a_document_for_an_undefined_programme_is_an_error(example_copy, edit):
    edit(
        example_copy / "documents" / "cabinet-report.yaml",
        "programme: transformation",
        "programme: transformaton",
    )
    (found,) = problems(example_copy)
    assert "programme 'transformaton' is not defined — did you mean 'transformation'?" in found


def test_ids_are_unique_within_a_report(example_copy, edit):
    edit(example_copy / "documents" / "cabinet-report.yaml", "- id: as-is", "- id: other-partners")
    (found,) = problems(example_copy)
    assert "id 'other-partners' is already used at line" in found


def test_every_problem_is_reported_in_one_run(example_copy, edit):
    edit(
        example_copy / "programmes" / "transformation.yaml",
        "[500_000, 750_000]",
        "[900_000, 750_000]",
    )
    edit(example_copy / "documents" / "cabinet-report.yaml", "date: 2014-05-22", "date: soon")
    found = problems(example_copy)
    assert len(found) == 2
    assert {f.split(":")[0].rsplit("/", 1)[1] for f in found} == {
        "transformation.yaml",
        "cabinet-report.yaml",
    }


def test_something_with_the_id_unknown_is_not_a_fact_not_yet_known(tmp_path):
    inputs = tmp_path / "inputs"
    shutil.copytree(FIXTURES / "minimal", inputs)
    # The only meeting, so meetings.yaml is a mapping with the single key 'unknown'.
    for name in ("meetings.yaml", "documents/report.yaml"):
        path = inputs / name
        text = (
            path.read_text()
            .replace("cabinet:", "unknown:")
            .replace("meeting: cabinet", "meeting: unknown")
        )
        path.write_text(text)
    checked = check(inputs, TEMPLATES)
    assert checked.diagnostics == []
    assert not checked.draft
