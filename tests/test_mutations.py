"""Property: whatever an author does to valid inputs, validate answers with diagnostics and
an exit code of 0 or 1, never a traceback or an internal error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen import cli

from conftest import FIXTURES, TEMPLATES

MINIMAL = FIXTURES / "minimal"
FILES = sorted(str(p.relative_to(MINIMAL)) for p in MINIMAL.rglob("*.yaml"))
# Pieces of YAML and of Jinja an author might type by mistake, and some that attack.
FRAGMENTS = [
    ":",
    "- ",
    "  ",
    "\t",
    "[",
    "]",
    "{",
    "}",
    "{{",
    "}}",
    "{%",
    "'",
    '"',
    "&a",
    "*a",
    "!!python/object:os.system",
    "null",
    "~",
    "2014-02-30",
    "1e999",
    "-1",
    "yes",
    "",
    "{{ ''.__class__ }}",
    "{{ ref('x') }}",
    "{unknown: }",
    "\u00a3",
    "\x00",
    "#",
]


def mutate(text: str, operation: str, where: float, fragment: str) -> str:
    lines = text.splitlines(keepends=True)
    index = int(where * len(lines)) % max(len(lines), 1)
    at = int(where * len(text))
    if operation == "delete line":
        del lines[index]
    elif operation == "duplicate line":
        lines.insert(index, lines[index])
    elif operation == "indent line":
        lines[index] = "  " + lines[index]
    elif operation == "dedent line":
        lines[index] = lines[index].lstrip()
    elif operation == "insert":
        return text[:at] + fragment + text[at:]
    elif operation == "replace value":
        head, sep, _ = lines[index].partition(": ")
        lines[index] = f"{head}{sep}{fragment}\n" if sep else lines[index]
    return "".join(lines)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("mutations")
    shutil.copytree(TEMPLATES, root / "templates")
    return root


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    file=st.sampled_from(FILES),
    operation=st.sampled_from(
        ["delete line", "duplicate line", "indent line", "dedent line", "insert", "replace value"]
    ),
    where=st.floats(min_value=0, max_value=0.999),
    fragment=st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)),
)
def test_any_mutation_of_valid_inputs_gets_an_answer_not_a_crash(
    workspace, capsys, file, operation, where, fragment
):
    inputs = workspace / "inputs"
    shutil.rmtree(inputs, ignore_errors=True)
    shutil.copytree(MINIMAL, inputs)
    path = Path(inputs / file)
    path.write_text(mutate(path.read_text(), operation, where, fragment), encoding="utf-8")
    code = cli.main(
        ["validate", "--inputs", str(inputs), "--templates", str(workspace / "templates")]
    )
    err = capsys.readouterr().err
    assert code in (cli.EXIT_OK, cli.EXIT_ERRORS), err
    assert "Traceback" not in err
    assert "internal error" not in err
    if code == cli.EXIT_ERRORS:
        assert ": error: " in err
