"""Loading YAML: positions of every value, and located errors instead of exceptions."""

import datetime as dt
from pathlib import Path

import pytest

from reportgen.diagnostics import ReportgenError
from reportgen.load import load_inputs


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def only_problem(root: Path) -> str:
    with pytest.raises(ReportgenError) as caught:
        load_inputs(root)
    assert len(caught.value.diagnostics) == 1, caught.value
    return str(caught.value.diagnostics[0])


def test_files_become_keys_and_folders_nest(tmp_path):
    write(tmp_path, "programme.yaml", "a: 1\n")
    write(tmp_path, "documents/cabinet-report.yaml", "title: T\n")
    inputs = load_inputs(tmp_path)
    assert inputs.data == {"programme": {"a": 1}, "documents": {"cabinet-report": {"title": "T"}}}


def test_every_value_remembers_file_line_and_column(tmp_path):
    path = write(tmp_path, "programme.yaml", "fund:\n  total: 320_000_000\n  names: [a, b]\n")
    inputs = load_inputs(tmp_path)
    where = inputs.position(("programme", "fund", "names", 1))
    assert (where.file, where.line, where.col) == (str(path), 3, 14)
    assert inputs.data["programme"]["fund"]["total"] == 320_000_000


def test_dates_and_numbers_keep_their_types(tmp_path):
    write(tmp_path, "programme.yaml", "announced: 2014-04-02\nshare: 0.5e6\ntotal: 320_000_000\n")
    data = load_inputs(tmp_path).data["programme"]
    assert data == {"announced": dt.date(2014, 4, 2), "share": 500000.0, "total": 320000000}


def test_a_syntax_error_names_file_line_and_column(tmp_path):
    path = write(tmp_path, "programme.yaml", "fund:\n  total: [1, 2\n  name: x\n")
    message = only_problem(tmp_path)
    assert message.startswith(f"{path}:3:")
    assert "YAML syntax" in message


def test_a_duplicate_key_is_an_error_naming_the_first(tmp_path):
    path = write(tmp_path, "programme.yaml", "fund:\n  total: 1\n  total: 2\n")
    assert only_problem(tmp_path) == (
        f"{path}:3:3: error: duplicate key 'total' (first at line 2) [fund.total]"
    )


def test_an_impossible_date_is_an_error(tmp_path):
    path = write(tmp_path, "meetings.yaml", "cabinet:\n  date: 2014-02-30\n")
    message = only_problem(tmp_path)
    assert message.startswith(f"{path}:2:9: error: '2014-02-30' is not a real date")
    assert message.endswith("[cabinet.date]")


def test_python_tags_are_refused(tmp_path):
    write(tmp_path, "programme.yaml", "x: !!python/object/apply:os.system ['true']\n")
    assert "tag:yaml.org,2002:python/object/apply:os.system is not allowed" in only_problem(
        tmp_path
    )


def test_yes_and_no_stay_text_as_in_yaml_1_2(tmp_path):
    write(tmp_path, "organisations.yaml", "norway: {short_name: NO, active: yes, real: true}\n")
    data = load_inputs(tmp_path).data["organisations"]["norway"]
    assert data == {"short_name": "NO", "active": "yes", "real": True}


def test_aliases_that_expand_without_limit_are_refused(tmp_path):
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefgh"):
        previous = "abcdefgh"[i]
        lines.append(
            f"{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, "
            f"*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]"
        )
    write(tmp_path, "programme.yaml", "\n".join(lines) + "\n")
    assert "too many values" in only_problem(tmp_path)


def test_a_file_that_is_not_a_mapping_is_an_error(tmp_path):
    write(tmp_path, "programme.yaml", "- a\n- b\n")
    assert "must be a mapping" in only_problem(tmp_path)


def test_problems_in_several_files_are_all_reported(tmp_path):
    write(tmp_path, "a.yaml", "x: 1\nx: 2\n")
    write(tmp_path, "b.yaml", "y: [\n")
    with pytest.raises(ReportgenError) as caught:
        load_inputs(tmp_path)
    files = [Path(d.file).name for d in caught.value.diagnostics]
    assert files == ["a.yaml", "b.yaml"]


def test_a_missing_inputs_directory_says_so(tmp_path):
    with pytest.raises(ReportgenError, match="inputs directory not found"):
        load_inputs(tmp_path / "nowhere")


def test_text_that_is_not_utf8_is_an_error(tmp_path):
    (tmp_path / "programme.yaml").write_bytes(b"name: \xa3320\n")
    assert "not UTF-8" in only_problem(tmp_path)


def test_a_time_stays_text_and_a_leading_zero_is_decimal_as_in_yaml_1_2(tmp_path):
    write(tmp_path, "meetings.yaml", "time: 18:30\nlate: 1:30\nitem: 016\nbig: 320_000_000\n")
    assert load_inputs(tmp_path).data["meetings"] == {
        "time": "18:30",
        "late": "1:30",
        "item": 16,
        "big": 320_000_000,
    }


def test_a_link_to_nothing_is_an_error_not_left_out(tmp_path):
    write(tmp_path, "programme.yaml", "a: 1\n")
    (tmp_path / "meetings.yaml").symlink_to(tmp_path / "gone.yaml")
    assert only_problem(tmp_path) == f"{tmp_path / 'meetings.yaml'}: error: a link to nothing " + (
        "(its target is missing, or a loop)"
    )


def test_a_link_loop_is_an_error_not_left_out(tmp_path):
    write(tmp_path, "programme.yaml", "a: 1\n")
    (tmp_path / "meetings.yaml").symlink_to("meetings.yaml")
    assert "a link to nothing" in only_problem(tmp_path)


def test_a_folder_named_like_a_yaml_file_is_an_error(tmp_path):
    write(tmp_path, "programme.yaml", "a: 1\n")
    (tmp_path / "meetings.yaml").mkdir()
    assert "a folder named like a YAML file" in only_problem(tmp_path)


def test_two_files_for_the_same_key_are_an_error_naming_both(tmp_path):
    write(tmp_path, "meetings.yaml", "a: 1\n")
    write(tmp_path, "meetings.yml", "a: 2\n")
    problem = only_problem(tmp_path)
    assert problem.startswith(str(tmp_path / "meetings.yml"))
    assert "meetings.yaml is also the inputs' 'meetings'" in problem


def test_thousands_of_nested_lists_are_an_error_not_a_crash(tmp_path):
    write(tmp_path, "programme.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "values nested more than 64 deep" in only_problem(tmp_path)
