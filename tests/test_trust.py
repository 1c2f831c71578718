"""Inputs and templates are untrusted: what a pull request writes can read facts, never run
code, read files or reach Python's objects — in prose, in .docx and HTML templates, and in
every command that renders."""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import jinja2
import pytest
from jinja2.sandbox import SandboxedEnvironment

from reportgen.build import Paths, build
from reportgen.check import check
from reportgen.compose import compose_cover, context_types
from reportgen.diagnostics import ReportgenError
from reportgen.diff import render_checked
from reportgen.lint import lint_template
from reportgen.model import Organisation
from reportgen.render import Properties, render_docx
from reportgen.text import environment, interpolate, render_template
from reportgen.view import Function, Record, plain

from conftest import EXAMPLE_INPUTS, TEMPLATES

REPORT = Path("inputs/documents/cabinet-report.yaml")
# A sentence of the worked example that prose attacks replace.
TARGET = "That approval is given to submit an application"


class _Marker:
    """Unpickling this runs ``touch``: the proof that a pickle was executed."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return (subprocess.call, (["touch", str(self.path)],))


def _pickled(marker: Path) -> str:
    return pickle.dumps(_Marker(marker), protocol=0).decode("latin-1")


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "council"
    shutil.copytree(EXAMPLE_INPUTS, root / "inputs")
    shutil.copytree(TEMPLATES, root / "templates")
    return root


def _write_prose(root: Path, expression: str) -> None:
    """Put ``{{ expression }}`` at the start of a recommendation (a folded block scalar, so
    quotes and backslashes are written as they are)."""
    path = root / REPORT
    text = path.read_text(encoding="utf-8")
    assert text.count(TARGET) == 1
    path.write_text(text.replace(TARGET, f"{{{{ {expression} }}}} approval"), encoding="utf-8")


def _reportgen(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reportgen", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- every route the attack report found, through every command that renders ------------

ROUTES = {
    "pickle": "programme.parse_raw({pickle!r}, proto='pickle', allow_pickle=True)",
    "file-read": "design.parse_file({secret!r})",
    "list-item": "(partners|list)[0].parse_file({secret!r})",
    "copy": "programme.copy(update={{'councils': 1}})",
    "json": "programme.model_validate_json('{{}}')",
    "model-of-a-loop-item": "(shared_services|first).partners[0].parse_file({secret!r})",
    "str-format": "'{{0.__class__}}'.format(council)",
    "method-of-text": "council.name.upper()",
}


@pytest.fixture
def attacked(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Path, Path, Path]:
    """The example with one route written into a recommendation; a secret file beside it,
    and where the pickle would leave its marker."""
    root = _project(tmp_path)
    secret = tmp_path / "secret.json"
    secret.write_text('{"password": "hunter2-SECRET"}')
    marker = tmp_path / "PWNED"
    expression = ROUTES[request.param].format(pickle=_pickled(marker), secret=str(secret))
    _write_prose(root, expression)
    return root, secret, marker


def _assert_refused(result: subprocess.CompletedProcess[str], marker: Path) -> None:
    assert not marker.exists(), "the pickle in the YAML was executed"
    assert "hunter2-SECRET" not in result.stdout + result.stderr
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith(f"{REPORT}:")]
    # Refused because a fact has no such attribute or a method cannot be called — not
    # because whatever the method returned happened not to fit.
    refusals = ("is not an attribute of", "is a method, and prose reads facts", "cannot be called")
    assert any(refusal in line for refusal in refusals), line


@pytest.mark.parametrize("attacked", sorted(ROUTES), indirect=True)
@pytest.mark.parametrize(
    "command",
    [["validate"], ["build", "--quiet"], ["uses", "programmes.transformation.facts.savings"]],
    ids=["validate", "build", "uses"],
)
def test_prose_cannot_call_methods_of_facts(attacked, command):
    root, _, marker = attacked
    _assert_refused(_reportgen(root, *command), marker)


@pytest.mark.parametrize("attacked", ["pickle", "file-read"], indirect=True)
def test_the_rendered_diff_of_a_hostile_branch_runs_nothing(attacked):
    root, _, marker = attacked
    hostile = (root / REPORT).read_text(encoding="utf-8")
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    (root / REPORT).write_text(
        (EXAMPLE_INPUTS / "documents" / REPORT.name).read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    who = ["-c", "user.name=Officer", "-c", "user.email=o@example.org"]
    subprocess.run(["git", "-C", str(root), *who, "add", "."], check=True)
    subprocess.run(["git", "-C", str(root), *who, "commit", "-qm", "base"], check=True)
    (root / REPORT).write_text(hostile, encoding="utf-8")
    _assert_refused(_reportgen(root, "diff", "main"), marker)


def test_the_pickle_route_is_refused_with_a_message_naming_the_attribute(tmp_path):
    root = _project(tmp_path)
    _write_prose(root, "programme.parse_raw('x', proto='pickle', allow_pickle=True)")
    result = _reportgen(root, "validate")
    assert "'parse_raw' is not an attribute of programme 'transformation'" in result.stderr


def test_a_method_of_text_is_refused_with_the_filter_to_use_instead(tmp_path):
    root = _project(tmp_path)
    _write_prose(root, "council.name.upper()")
    result = _reportgen(root, "validate")
    assert "'upper' of text is a method, and prose reads facts, not methods; write '| upper'" in (
        result.stderr
    )


# --- templates ------------------------------------------------------------------------------


def _docx_template(tmp_path: Path, text: str) -> Path:
    document = docx.Document()
    document.add_paragraph(text)
    path = tmp_path / "hostile.docx"
    document.save(path)
    return path


@pytest.mark.parametrize(
    "tag",
    [
        "{{ council.parse_file(secret) }}",
        "{{ report.parse_raw(payload, proto='pickle', allow_pickle=True) }}",
        "{{ (sections|first).paragraphs[0].text.format(1) }}",
        "{{ council.copy(update={}) }}",
    ],
)
def test_a_docx_template_cannot_call_methods_when_rendered(tmp_path, tag):
    checked = check(EXAMPLE_INPUTS, TEMPLATES)
    context = {
        **checked.contexts["cabinet-report"],
        "secret": str(tmp_path / "secret"),
        "payload": _pickled(tmp_path / "PWNED"),
    }
    (tmp_path / "secret").write_text("hunter2-SECRET")
    template = _docx_template(tmp_path, tag)
    with pytest.raises(ReportgenError) as refused:
        render_docx(template, context, Properties("t", "en-GB", "a"))
    (problem,) = refused.value.diagnostics
    assert problem.file == str(template)
    assert "hunter2-SECRET" not in problem.message
    assert not (tmp_path / "PWNED").exists()


def test_the_linter_refuses_a_call_of_a_method_in_a_template(tmp_path):
    template = _docx_template(tmp_path, "{{ council.parse_file('/etc/passwd') }}")
    (problem,) = lint_template(template, context_types("report"))
    assert problem.message.startswith(
        "'parse_file' cannot be called: templates read facts and may call only range and "
        "their own macros"
    )


def test_an_html_template_cannot_call_methods(tmp_path):
    template = environment(autoescape=True).from_string("{{ council.parse_file('/etc/passwd') }}")
    council = Organisation(name="Home Council")
    with pytest.raises(jinja2.UndefinedError, match="'parse_file' is not an attribute"):
        render_template(template, {"council": council})


def test_jinja_globals_that_make_objects_are_gone():
    for name in ("lipsum", "cycler", "joiner", "namespace", "dict"):
        with pytest.raises(Exception, match="undefined"):
            interpolate(f"{{{{ {name}() }}}}", {})


def test_arithmetic_that_would_stall_a_build_is_refused():
    with pytest.raises(Exception, match="too large"):
        interpolate("{{ 2 ** 100000 }}", {})
    with pytest.raises(Exception, match="too long"):
        interpolate("{{ 'a' * 10000000 }}", {})


# --- what prose and templates are given is data, and only data is reachable ----------------

# The types a template may be given; everything else (a model, a dict, a function that is
# not a reportgen Function) would carry methods.
PLAIN = (str, bool, int, float, Decimal, dt.date, type(None), tuple, Record, Function)


SCALARS = (str, bool, int, float, Decimal, dt.date, type(None))


class Walk:
    """Every value a template can reach from a context through ``env``'s attribute and item
    lookups (every name ``dir`` lists, every key and item), with the path that reaches it.
    What the sandbox admits of a scalar depends on its type alone, so one of each is walked;
    values shared by several contexts (the organisations) are walked once."""

    def __init__(self, env: SandboxedEnvironment, depth: int = 8):
        self.env = env
        self.depth = depth
        self.seen: set[int] = set()
        self.scalar_types: set[type] = set()

    def __call__(self, context: dict[str, Any]) -> Iterator[tuple[str, Any]]:
        pending = [(name, value, 0) for name, value in context.items()]
        while pending:
            path, value, level = pending.pop()
            if id(value) in self.seen or type(value) in self.scalar_types or level > self.depth:
                continue
            if isinstance(value, SCALARS):
                self.scalar_types.add(type(value))
            else:
                self.seen.add(id(value))
            yield path, value
            if isinstance(value, str):
                continue  # its items are one-character strings
            names = set(dir(value)) | (set(value) if isinstance(value, Record) else set())
            for name in sorted(names):
                found = self.env.getattr(value, name)
                if not isinstance(found, jinja2.Undefined):
                    pending.append((f"{path}.{name}", found, level + 1))
            if isinstance(value, tuple | list):
                pending.extend((f"{path}[{i}]", item, level + 1) for i, item in enumerate(value))


def callables_reachable(env: SandboxedEnvironment, contexts: list[dict[str, Any]]) -> list[str]:
    walk = Walk(env)
    return [
        path
        for context in contexts
        for path, found in walk(context)
        if callable(found) and not isinstance(found, Function)
    ]


def not_plain(contexts: list[dict[str, Any]]) -> list[str]:
    walk = Walk(environment(autoescape=False))
    return [
        f"{path}: {type(found).__name__}"
        for context in contexts
        for path, found in walk(context)
        if not isinstance(found, PLAIN)
    ]


@pytest.fixture
def given_to_templates(monkeypatch) -> list[dict[str, Any]]:
    """Every context any Jinja template is rendered with, recorded as it is rendered."""
    recorded: list[dict[str, Any]] = []
    new_context = jinja2.Template.new_context

    def record(self, vars=None, shared=False, locals=None):
        recorded.append(dict(vars or {}))
        return new_context(self, vars, shared, locals)

    monkeypatch.setattr(jinja2.Template, "new_context", record)
    return recorded


def test_the_walk_finds_methods_where_a_template_is_given_objects():
    # The check below could not fail if the walk found nothing anywhere: given a model and a
    # sandbox that admits methods (Jinja's own), it finds pydantic's parse_raw and parse_file.
    given = [{"council": Organisation(name="A")}]
    found = callables_reachable(SandboxedEnvironment(), given)
    assert "council.parse_raw" in found
    assert "council.parse_file" in found
    assert not_plain(given) == ["council: Organisation"]


def test_prose_and_document_templates_are_given_only_data(given_to_templates):
    checked = check(EXAMPLE_INPUTS, TEMPLATES)
    assert not checked.errors
    render_checked(checked)
    project = checked.project
    for meeting_id in project.meetings:
        cover = compose_cover(project, meeting_id, [], draft=True)
        render_docx(TEMPLATES / "pack-cover.docx", cover, Properties("t", "en-GB", "a"))
    render_docx(TEMPLATES / "pack-folio.docx", {"pages": 3}, Properties("t", "en-GB", "a"))
    assert len(given_to_templates) > 50  # every paragraph of prose, every template part
    assert not_plain(given_to_templates) == []
    assert callables_reachable(environment(autoescape=True), given_to_templates) == []


@pytest.mark.libreoffice
def test_everything_a_build_renders_is_given_only_data(given_to_templates, tmp_path):
    build(Paths(EXAMPLE_INPUTS, TEMPLATES, tmp_path / "build"))
    names = {name for context in given_to_templates for name in context}
    assert {"sections", "contents", "pages", "documents", "partner"} <= names  # all kinds
    assert not_plain(given_to_templates) == []
    assert callables_reachable(environment(autoescape=True), given_to_templates) == []


def test_plain_refuses_what_is_not_data():
    with pytest.raises(TypeError, match="not data"):
        plain(object())
    with pytest.raises(TypeError, match="not data"):
        plain({"open": open})


def test_a_record_cannot_be_changed():
    record = plain(Organisation(name="Home Council"))
    with pytest.raises(AttributeError):
        record.name = "Other"
    assert str(record) == "Home Council"


def _with_field(tmp_path: Path, instruction: str) -> Path:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    paragraph = document.add_paragraph("See: ")
    paragraph._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="{instruction}"/>'))
    path = tmp_path / "fields.docx"
    document.save(path)
    return path


def test_a_template_field_that_reads_another_file_is_refused(tmp_path):
    template = _with_field(tmp_path, "INCLUDETEXT &quot;/etc/passwd&quot;")
    (problem,) = lint_template(template, context_types("report"))
    assert problem.message.startswith("word/document.xml has a field INCLUDETEXT")


def test_page_number_fields_are_fine(tmp_path):
    template = _with_field(tmp_path, "PAGE")
    assert lint_template(template, context_types("report")) == []


def test_a_picture_linked_from_outside_the_template_is_refused(tmp_path):
    from docx.opc.constants import RELATIONSHIP_TYPE

    document = docx.Document()
    document.add_paragraph("A picture")
    document.part.relate_to("http://example.invalid/logo.png", RELATIONSHIP_TYPE.IMAGE, True)
    document.part.relate_to("https://example.invalid/", RELATIONSHIP_TYPE.HYPERLINK, True)
    path = tmp_path / "linked.docx"
    document.save(path)
    (problem,) = lint_template(path, context_types("report"))
    assert "links to 'http://example.invalid/logo.png' outside the document (image)" in (
        problem.message
    )


def test_a_template_linked_out_of_the_templates_folder_is_refused(tmp_path):
    root = _project(tmp_path)
    secret = tmp_path / "secret.docx"
    secret.write_text("hunter2-SECRET")
    (root / "templates" / "linked.docx").symlink_to(secret)
    kind = root / "inputs" / "kinds" / "cabinet-report.yaml"
    kind.write_text(
        kind.read_text().replace("template: cabinet-report.docx", "template: linked.docx")
    )
    result = _reportgen(root, "validate")
    assert result.returncode == 1
    assert "template 'linked.docx' is outside templates/" in result.stderr
    assert "hunter2-SECRET" not in result.stderr
