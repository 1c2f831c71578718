"""Page layout rules, checked on the real pages of every PDF that the worked example and
each fixture build: rows stay on one page (unless taller than one), no page holds only a
table's header, headings stay with their text, the signature block stays together, lists
have the space after them that paragraphs have, tables keep their grid, and no text runs
off the page. ``fixtures/layout-problems/`` breaks each rule with templates that lack it."""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from reportgen.build import Paths, build

from conftest import EXAMPLE_INPUTS, FIXTURES, TEMPLATES
from pages import RULES, Document, read

pytestmark = pytest.mark.libreoffice

DIGITAL = FIXTURES / "digital-access"


def _overlay(target: Path, *layers: Path) -> None:
    """Copy each layer over ``target`` in turn, the later layers' files winning."""
    for layer in layers:
        shutil.copytree(layer, target, dirs_exist_ok=True)


def _second_council(root: Path) -> tuple[Path, Path]:
    # As tests/test_documents.py builds it: the example signed by the other council.
    inputs = root / "inputs"
    _overlay(inputs, EXAMPLE_INPUTS, FIXTURES / "second-council")
    for name, old, new in (
        ("documents/cabinet-report.yaml", "council: nlc", "council: nelc"),
        (
            "documents/cabinet-report.yaml",
            "signatory: chief-executive",
            "signatory: director-of-resources",
        ),
        ("meetings.yaml", "council: nlc", "council: nelc"),
    ):
        path = inputs / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, (name, old)
        path.write_text(text.replace(old, new), encoding="utf-8")
    return inputs, TEMPLATES


def _with_new_kind(*layers: Path) -> Callable[[Path], tuple[Path, Path]]:
    """The digital programme with the new kind's data and template, and ``layers`` over it."""

    def lay_out(root: Path) -> tuple[Path, Path]:
        inputs, templates = root / "inputs", root / "templates"
        _overlay(inputs, DIGITAL, FIXTURES / "new-kind", *layers)
        shutil.rmtree(inputs / "templates")
        _overlay(templates, TEMPLATES, FIXTURES / "new-kind" / "templates")
        return inputs, templates

    return lay_out


def _laid_over_digital(fixture: str) -> Callable[[Path], tuple[Path, Path]]:
    def inputs(root: Path) -> tuple[Path, Path]:
        _overlay(root / "inputs", DIGITAL, FIXTURES / fixture)
        return root / "inputs", TEMPLATES

    return inputs


# Each source: how to lay out its inputs and templates under a fresh folder.
SOURCES: dict[str, Callable[[Path], tuple[Path, Path]]] = {
    "minimal": lambda root: (FIXTURES / "minimal", TEMPLATES),
    "digital-access": lambda root: (DIGITAL, TEMPLATES),
    "second-council": _second_council,
    "new-kind": _with_new_kind(),
    "exempt-items": _laid_over_digital("exempt-items"),
    # Over the new kind too: one of its problems is in an officer decision record.
    "layout-problems": _with_new_kind(FIXTURES / "layout-problems"),
}


@pytest.fixture(scope="session")
def documents(example_build, tmp_path_factory) -> Callable[[str], list[Document]]:
    """Every PDF a source builds (documents, notices, packs, private editions), read once."""
    outputs = {"example": example_build[0]}

    @functools.cache
    def of(source: str) -> list[Document]:
        if source not in outputs:
            root = tmp_path_factory.mktemp(source)
            inputs, templates = SOURCES[source](root)
            build(Paths(inputs, templates, root / "build"))
            outputs[source] = root / "build"
        pdfs = sorted(outputs[source].rglob("*.pdf"))
        assert pdfs, f"{source} built no PDF"
        return [read(pdf) for pdf in pdfs]

    return of


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("source", ["example", *SOURCES])
def test_every_page_keeps_the_layout_rule(documents, source, rule):
    problems = [p for document in documents(source) for p in RULES[rule](document)]
    assert problems == [], "\n".join(problems)
