"""One house style for every HTML page: ``templates/house-style.css``, copied into each page
(a page fetches nothing), checked so that it can neither end the page's ``<style>`` element
nor make a browser fetch anything, and a source of every HTML output, so editing it rebuilds
exactly the HTML pages (the cases in ``fixtures/bad-inputs/house-style-*`` show the messages
``validate`` gives). The HTML templates are checked not to go round it: no script, nothing
fetched, no style of their own, the sheet only in its style element."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.build import Paths, build
from reportgen.check import check
from reportgen.compose import context_types, shape_of
from reportgen.house_style import HOUSE_STYLE, style_markup, style_problems
from reportgen.html_edition import render_html
from reportgen.lint import lint_template

from conftest import EXAMPLE_INPUTS, TEMPLATES, output_path
from html_pages import read_page

SHEET = TEMPLATES / HOUSE_STYLE


def copy_of_templates(tmp_path: Path) -> Path:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    return templates


def test_no_html_template_carries_a_style_of_its_own():
    for template in sorted(TEMPLATES.glob("*.html")):
        styles = re.findall(r"<style>(.*?)</style>", template.read_text(), flags=re.DOTALL)
        assert [s.strip() for s in styles] == ["{{ house_style }}"], template.name


def test_a_page_holds_the_house_style_as_written_quotes_and_all():
    checked = check(EXAMPLE_INPUTS, TEMPLATES)
    html = render_html(
        checked.html_templates["report"],
        checked.contexts["cabinet-report"],
        house_style=checked.house_style,
    )
    assert f"<style>\n{SHEET.read_text()}</style>" in html
    assert 'font-family: Arial, "Liberation Sans"' in html


@pytest.mark.parametrize(
    "line",
    [
        '.x::after { content: "</style><script>alert(1)</script>"; }',
        ".x { color: red; } </STYLE >",
        "/* </style */",
    ],
)
def test_a_sheet_that_would_end_its_style_element_is_refused_at_its_line(line):
    (problem,) = style_problems(f"body {{ margin: 0; }}\n{line}\n", "house-style.css")
    assert (problem.file, problem.line, problem.severity) == ("house-style.css", 2, "error")
    assert problem.message.startswith("'</style' here would end the page's style element")


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ('@import "https://example.com/a.css";', "@import"),
        ("body { background: URL( https://example.com/p.gif ); }", "url(…)"),
        (r"body { background: u\72 l(https://example.com/p.gif); }", "url(…)"),
        (r"body { background: \75\72\6c(https://example.com/p.gif); }", "url(…)"),
        (r"@im\port 'a.css';", "@import"),
        ('body { background: image-set("https://example.com/p.png" 1x); }', "image-set(…)"),
        ('@font-face { font-family: x; src: src("https://example.com/f.woff"); }', "src(…)"),
    ],
)
def test_a_sheet_that_would_fetch_a_file_is_refused_however_it_is_spelt(line, what):
    (problem,) = style_problems(f"body {{ margin: 0; }}\n{line}\n", "house-style.css")
    assert problem.line == 2
    assert problem.message.startswith(f"'{what}' would make a reader's browser fetch")


def test_a_comment_or_a_word_that_only_looks_like_a_fetch_is_not_one():
    css = (
        "/* no url(here) and no @import */\n"
        '.x::before { content: "\\201C"; }\n'
        "a.curl { color: #1d70b8; }\n"
        "@font-face { font-family: Arial; src: local(Arial); }\n"
    )
    assert style_problems(css, "house-style.css") == []


def test_a_sheet_holding_the_end_of_its_element_is_never_placed_in_a_page():
    with pytest.raises(ValueError):
        style_markup("</style><script>")


def test_a_missing_house_style_is_an_error_before_anything_is_built(tmp_path):
    templates = copy_of_templates(tmp_path)
    (templates / HOUSE_STYLE).unlink()
    checked = check(EXAMPLE_INPUTS, templates)
    assert [str(d) for d in checked.errors] == [
        f"{templates / HOUSE_STYLE}: error: the house style of every HTML page is read from "
        "here; it is missing"
    ]


def test_lint_checks_the_house_style_and_names_the_line_at_fault(tmp_path):
    templates = copy_of_templates(tmp_path)
    sheet = templates / HOUSE_STYLE
    sheet.write_text(sheet.read_text() + "a { color: red; }\n@import 'x.css';\n")
    line = len(sheet.read_text().splitlines())
    lint = subprocess.run(
        [sys.executable, "-m", "reportgen", "lint", "--templates", str(templates)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert lint.returncode == 1
    assert f"{sheet}:{line}:1: error: '@import' would make a reader's browser fetch" in (
        lint.stderr
    )


def test_every_html_page_a_check_renders_fetches_nothing_with_the_house_style():
    checked = check(EXAMPLE_INPUTS, TEMPLATES)
    for document_id, context in checked.contexts.items():
        shape = shape_of(checked.project.documents[document_id])
        html = render_html(checked.html_templates[shape], context, house_style=checked.house_style)
        assert read_page(html).fetched == [] and "url(" not in html


# --- the HTML templates, which could otherwise go round the sheet ---------------------------


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("<script>document.title = 'ran'</script>", "'<script>' would run a script"),
        ('<p onclick="alert(1)">Hello</p>', "'onclick=' would run a script"),
        ('<a href="javascript:alert(1)">Hello</a>', "'href=\"javascript:…\"' would run a script"),
        ('<link rel="stylesheet" href="https://example.com/a.css">', "'<link>' would make"),
        ('<img src="https://example.com/p.gif" alt="">', "'src=' would make"),
        ('<img src="{{ council.name }}" alt="">', "'src=' would make"),
        ('<iframe title="x"></iframe>', "'<iframe>' would make"),
        ('<p style="background: url(https://example.com/p.gif)">Hi</p>', "this style would make"),
        ("<style>body { color: red; }</style>", "a page's one style element holds"),
        ('<p title="{{ house_style }}">Hi</p>', "house_style may be used only as <style>"),
    ],
)
def test_an_html_template_may_not_run_a_script_fetch_a_file_or_go_round_the_sheet(
    tmp_path, markup, message
):
    lines = (TEMPLATES / "report.html").read_text().splitlines()
    at = lines.index("<main>") + 1
    template = tmp_path / "report.html"
    template.write_text("\n".join([*lines[:at], markup, *lines[at:]]) + "\n")
    (problem,) = lint_template(template, context_types("report"))
    assert (problem.line, problem.severity) == (at + 1, "error")
    assert problem.message.startswith(message)


def test_the_example_html_templates_run_nothing_and_fetch_nothing():
    for template in sorted(TEMPLATES.glob("*.html")):
        assert not any("would" in d.message for d in lint_template(template, {})), template


# --- in a build ---------------------------------------------------------------------------


def stamps(out: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(out)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in out.rglob("*")
        if p.is_file()
    }


@pytest.mark.libreoffice
def test_editing_the_house_style_rebuilds_exactly_the_html_pages(example_build, tmp_path):
    out = tmp_path / "build"
    shutil.copytree(example_build[0], out)
    templates = copy_of_templates(tmp_path)
    sheet = templates / HOUSE_STYLE
    sheet.write_text(sheet.read_text().replace("#1d70b8", "#1a65a6"))
    before = stamps(out)
    result = build(Paths(EXAMPLE_INPUTS, templates, out))
    assert (result.built, result.packs_built) == (0, 0)
    after = stamps(out)
    changed = {p for p in before if before[p] != after.get(p)}
    html = {p for p in before if p.endswith(".html")}
    assert changed == html | {"manifest.json"}
    assert "#1a65a6" in output_path(out, "cabinet-report", "html").read_text()


@pytest.mark.libreoffice
def test_every_html_output_names_the_house_style_among_its_sources(example_build):
    import json

    out, _ = example_build
    outputs = json.loads((out / "manifest.json").read_text())["outputs"]
    pages = [o for o in outputs if o["format"] == "html"]
    assert len(pages) >= 5
    assert all(f"templates/{HOUSE_STYLE}" in o["sources"] for o in pages)
    assert not any(
        f"templates/{HOUSE_STYLE}" in o["sources"] for o in outputs if o["format"] == "pdf"
    )
