"""The model: typed inputs, with every mistake located at its file, line and key."""

from reportgen.check import load_project

from conftest import load_problems as problems


def test_the_example_inputs_are_valid(example_copy):
    project, inputs = load_project(example_copy)
    assert project.documents["cabinet-report"].title == "Transformation and Shared Services"
    assert len(inputs.files) == 11  # 3 documents, 3 kinds, a programme, 4 more


def test_a_misspelt_key_names_the_nearest_known_key(example_copy, edit):
    report = example_copy / "documents" / "cabinet-report.yaml"
    edit(report, "\nrecommendations:\n", "\nrecomendations:\n")
    found = problems(example_copy)
    assert any(
        p.startswith(f"{report}:")
        and "unknown key 'recomendations' — did you mean 'recommendations'?" in p
        and p.endswith("[recomendations]")
        for p in found
    ), found


def test_money_written_as_words_is_an_error_at_its_line(example_copy, edit):
    programme = example_copy / "programmes" / "transformation.yaml"
    edit(programme, "total: {money: 320_000_000}", "total: {money: £320 million}")
    (found,) = problems(example_copy)
    line = next(n for n, text in enumerate(programme.read_text().splitlines(), 1) if "£320" in text)
    assert found == (
        f"{programme}:{line}:20: error: money must be a number of pounds, "
        "e.g. 320_000_000 or 0.5e6, or a range [low, high] [facts.fund.total.money]"
    )


def test_a_missing_required_key_is_named(example_copy, edit):
    report = example_copy / "documents" / "cabinet-report.yaml"
    edit(report, "author: Rachel Johnson/Jason Whaler\n", "")
    (found,) = problems(example_copy)
    assert "missing required key 'author'" in found
    assert found.startswith(f"{report}:")


def test_a_date_written_as_text_is_an_error(example_copy, edit):
    edit(
        example_copy / "documents" / "cabinet-report.yaml", "date: 2014-05-22", "date: 22 May 2014"
    )
    (found,) = problems(example_copy)
    assert "expected a date written as YYYY-MM-DD" in found
    assert found.endswith("[date]")


def test_an_unknown_fact_must_say_why(example_copy, edit):
    meetings = example_copy / "meetings.yaml"
    edit(
        meetings,
        "date: {unknown: The 22 May 2014 report does not give the date of the Cabinet meeting}",
        "date: {unknown: }",
    )
    (found,) = problems(example_copy)
    assert found.startswith(f"{meetings}:8:19: error: a value is needed here, but it is empty")
    assert found.endswith("[cabinet.date.unknown]")


def test_a_section_needs_paragraphs_or_generated_content(example_copy, edit):
    edit(
        example_copy / "documents" / "cabinet-report.yaml",
        "    generate: recommendations\n",
        "    generate: recommendations\n    paragraphs: [{text: extra}]\n",
    )
    (found,) = problems(example_copy)
    assert "either 'paragraphs' or 'generate'" in found


def test_generated_content_names_what_is_allowed(example_copy, edit):
    edit(
        example_copy / "documents" / "cabinet-report.yaml",
        "generate: recommendations",
        "generate: recomendations",
    )
    (found,) = problems(example_copy)
    assert (
        "'option-summaries', 'option-analyses', 'recommendations', 'impact-assessment' or "
        "'resources'" in found
    )
    assert found.endswith("[sections[7].generate]")


def test_an_unknown_input_file_is_an_error(example_copy):
    (example_copy / "programe.yaml").write_text("x: 1\n")
    (found,) = problems(example_copy)
    assert "unknown key 'programe' — did you mean 'programmes'?" in found
    assert found.startswith(f"{example_copy / 'programe.yaml'}:1:1")
