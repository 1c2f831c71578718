"""scripts/slim_template.py: a template keeps the styles it uses, and only those."""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from slim_template import slim  # noqa: E402

TEMPLATES = sorted((ROOT / "templates").glob("*.docx")) + sorted(
    (ROOT / "tests" / "fixtures").glob("**/templates/*.docx")
)


def style_ids(path: Path) -> set[str]:
    styles = Document(str(path)).styles.element
    return {s.get(qn("w:styleId")) for s in styles.findall(qn("w:style"))}


@pytest.fixture
def fat_template(tmp_path: Path) -> Path:
    """python-docx's default document, with a paragraph in a style based on another."""
    path = tmp_path / "fat.docx"
    document = Document()
    document.add_paragraph("Title", style="Heading 2")
    table = document.add_table(rows=1, cols=1, style="Light Grid Accent 1")
    table.cell(0, 0).paragraphs[0].add_run("cell", style="Strong")
    document.save(str(path))
    return path


def test_a_slimmed_template_keeps_the_styles_it_uses_and_what_they_are_based_on(
    fat_template: Path,
) -> None:
    slim(fat_template)
    kept = style_ids(fat_template)
    # Heading2 is based on Normal, linked to Heading2Char and followed by Normal.
    assert {"Heading2", "Heading2Char", "Normal", "LightGrid-Accent1", "Strong"} <= kept


def test_a_slimmed_template_loses_the_styles_nothing_uses(fat_template: Path) -> None:
    before, after = slim(fat_template)
    assert after < before
    assert "Heading9" not in style_ids(fat_template)
    assert "MediumShading1-Accent6" not in style_ids(fat_template)


def test_a_slimmed_template_keeps_the_defaults(fat_template: Path) -> None:
    slim(fat_template)
    styles = Document(str(fat_template)).styles.element
    defaults = [s for s in styles.findall(qn("w:style")) if s.get(qn("w:default")) == "1"]
    assert {s.get(qn("w:type")) for s in defaults} >= {"paragraph", "character", "table"}
    assert styles.find(qn("w:docDefaults")) is not None


def test_a_slimmed_template_has_no_second_copy_of_its_styles(fat_template: Path) -> None:
    slim(fat_template)
    with zipfile.ZipFile(fat_template) as package:
        names = package.namelist()
        assert "word/stylesWithEffects.xml" not in names
        assert b"stylesWithEffects" not in package.read("[Content_Types].xml")
        assert b"stylesWithEffects" not in package.read("word/_rels/document.xml.rels")


def test_slimming_twice_changes_nothing_more(fat_template: Path, tmp_path: Path) -> None:
    slim(fat_template)
    once = style_ids(fat_template)
    copy = tmp_path / "again.docx"
    shutil.copy(fat_template, copy)
    slim(copy)
    assert style_ids(copy) == once


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_template_is_already_slim(template: Path, tmp_path: Path) -> None:
    # A template re-made without slimming costs LibreOffice about 40 ms a document.
    copy = tmp_path / template.name
    shutil.copy(template, copy)
    before, after = slim(copy)
    assert after == before, f"{template.name}: run scripts/slim_template.py on it"
    with zipfile.ZipFile(template) as package:
        assert "word/stylesWithEffects.xml" not in package.namelist()
