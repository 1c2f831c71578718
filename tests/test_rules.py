"""Cross-references between inputs and the rules of the domain."""

from conftest import load_problems as problems


def test_a_partner_that_is_not_defined_is_named_with_a_suggestion(example_copy, edit):
    programme = example_copy / "programme.yaml"
    edit(programme, "partners: [nelc, eryc]", "partners: [nelc, erc]")
    (found,) = problems(example_copy)
    assert found.startswith(f"{programme}:")
    assert "organisation 'erc' is not defined — did you mean 'eryc'?" in found
    assert found.endswith("[shared_services[3].partners[1]]")


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


def test_savings_low_above_high_is_an_error(example_copy, edit):
    edit(example_copy / "programme.yaml", "low: 500_000", "low: 900_000")
    (found,) = problems(example_copy)
    assert "the low estimate (£900,000) is more than the high estimate (£750,000)" in found
    assert found.endswith("[savings_estimate.low]")


def test_full_bids_cannot_be_due_before_expressions_of_interest(example_copy, edit):
    edit(
        example_copy / "programme.yaml",
        "full_bid_deadline: 2014-10-01",
        "full_bid_deadline: 2014-06-01",
    )
    (found,) = problems(example_copy)
    assert (
        "full bids are due (2014-06-01) before expressions of interest close (2014-07-01)" in found
    )


def test_tranches_cannot_add_up_to_more_than_the_fund(example_copy, edit):
    edit(example_copy / "programme.yaml", "amount: 105_000_000", "amount: 310_000_000")
    (found,) = problems(example_copy)
    assert (
        "the tranches add up to £325,000,000, more than the fund's total of £320,000,000" in found
    )


def test_a_project_cap_above_its_tranche_is_an_error(example_copy, edit):
    edit(example_copy / "programme.yaml", "project_cap: 5_000_000", "project_cap: 500_000_000")
    (found,) = problems(example_copy)
    assert "a project cap of £500,000,000 is more than the tranche's £105,000,000" in found


def test_ids_are_unique_within_a_report(example_copy, edit):
    edit(example_copy / "documents" / "cabinet-report.yaml", "- id: as-is", "- id: other-partners")
    (found,) = problems(example_copy)
    assert "id 'other-partners' is already used at line" in found


def test_every_problem_is_reported_in_one_run(example_copy, edit):
    edit(example_copy / "programme.yaml", "low: 500_000", "low: 900_000")
    edit(example_copy / "documents" / "cabinet-report.yaml", "meeting: cabinet", "meeting: council")
    assert len(problems(example_copy)) == 2
