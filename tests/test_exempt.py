"""Exempt information (Schedule 12A to the Local Government Act 1972): a public edition that
withholds it and a private edition that holds it, kept apart, and nothing of it in anything
the public may see."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest

from reportgen.build import Paths, build
from reportgen.check import check
from reportgen.compose import compose
from reportgen.view import Record, fields_of

from conftest import FIXTURES, TEMPLATES
from html_pages import read_file

# Words only the exempt parts hold: the paragraph of the report, and the appendix (the bid).
SECRETS = ["QUOKKA-TENDER-4410", "Ten-year support included", "ZEBRA-LIMIT-7731"]


@pytest.fixture
def exempt(tmp_path: Path) -> Path:
    inputs = tmp_path / "inputs"
    shutil.copytree(FIXTURES / "digital-access", inputs)
    shutil.copytree(FIXTURES / "exempt-items", inputs, dirs_exist_ok=True)
    return inputs


def words(value: object) -> str:
    """Every piece of text anywhere in a template's context."""
    if isinstance(value, Record):
        return words(fields_of(value))
    if isinstance(value, dict):
        return "\n".join(words(v) for v in value.values())
    if isinstance(value, list | tuple):
        return "\n".join(words(v) for v in value)
    return str(value)


def test_the_public_edition_withholds_the_paragraph_from_template_and_prose(exempt):
    checked = check(exempt, TEMPLATES)
    assert checked.errors == []
    public = words(checked.contexts["report"])
    private = words(checked.private_contexts["report"])
    assert "QUOKKA-TENDER-4410" not in public  # nor in the report object the template sees
    assert "Withheld: exempt information under paragraph 3 of Part 1" in public
    assert "QUOKKA-TENDER-4410" in private


def test_prose_elsewhere_cannot_quote_an_exempt_paragraph(exempt, edit):
    edit(
        exempt / "documents" / "report.yaml",
        "To seek approval for",
        "{{ report.sections[1].paragraphs[1].text }} To seek approval for",
    )
    checked = check(exempt, TEMPLATES)
    project, inputs = checked.project, checked.inputs
    public = compose(project, inputs, "report", draft=False)
    first = public["sections"][0].paragraphs[0].text
    assert first.startswith("Withheld")


def test_one_answer_of_a_form_can_be_withheld_from_the_public_edition(tmp_path, edit):
    inputs = tmp_path / "inputs"
    shutil.copytree(FIXTURES / "digital-access", inputs)
    edit(
        inputs / "documents" / "bid.yaml",
        "        text: '{{ revenue_saving }} a year'\n",
        "        text: '{{ revenue_saving }} a year, or WOMBAT-FLOOR-2210 at worst'\n"
        "        exempt: {paragraph: 3, reason: It would weaken the council's position.}\n",
    )
    checked = check(inputs, TEMPLATES)
    assert checked.errors == []
    assert "WOMBAT-FLOOR-2210" not in words(checked.contexts["bid"])
    assert "Withheld: exempt information under paragraph 3" in words(checked.contexts["bid"])
    assert "WOMBAT-FLOOR-2210" in words(checked.private_contexts["bid"])


def test_an_exempt_paragraph_names_one_of_the_seven_paragraphs_of_schedule_12a(exempt, edit):
    edit(exempt / "documents" / "report.yaml", "paragraph: 3", "paragraph: 8")
    (problem,) = check(exempt, TEMPLATES).errors
    assert "less than or equal to 7" in problem.message or "at most 7" in problem.message


def public_outputs(out: Path) -> list[Path]:
    return [
        p
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.relative_to(out).parts[0] not in ("private",)
    ]


def everything_in(path: Path) -> str:
    """All the text a file holds: its name, and for a PDF its page text, document
    information, metadata, bookmarks and every string and stream; for a .docx every part."""
    found = [path.name]
    if path.suffix == ".pdf":
        found.append(
            subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
        )
        with pikepdf.open(path) as pdf:
            found += [str(v) for v in pdf.docinfo.values()]
            with pdf.open_outline() as outline:
                stack = list(outline.root)
                while stack:
                    item = stack.pop()
                    found.append(item.title)
                    stack += list(item.children)
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream):
                    try:
                        found.append(obj.read_bytes().decode("latin-1"))
                    except pikepdf.PdfError:
                        continue
                elif isinstance(obj, pikepdf.String):
                    found.append(str(obj))
    elif path.suffix == ".docx":
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as docx:
            found += [docx.read(name).decode("utf-8", "replace") for name in docx.namelist()]
    else:
        found.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(found)


@pytest.mark.libreoffice
def test_no_public_output_holds_any_exempt_words(exempt, tmp_path):
    out = tmp_path / "build"
    build(Paths(exempt, TEMPLATES, out))
    public = public_outputs(out)
    assert {p.suffix for p in public} >= {".pdf", ".docx", ".html", ".json", ".ics"}
    for path in public:
        text = everything_in(path)
        for secret in SECRETS:
            assert secret not in text, f"{secret} is in {path.relative_to(out)}"
    for suffix in ("pdf", "html"):
        private = "\n".join(
            everything_in(p) for p in sorted((out / "private").rglob(f"*.{suffix}"))
        )
        for secret in SECRETS:
            assert secret in private, f"{secret} should be in the private {suffix} edition"


@pytest.mark.libreoffice
def test_public_and_private_editions_are_kept_apart_and_marked(exempt, tmp_path):
    out = tmp_path / "build"
    result = build(Paths(exempt, TEMPLATES, out))
    by_access = {
        access: sorted(o.path for o in result.outputs if o.access == access)
        for access in ("public", "private")
    }
    assert all(p.startswith("private/") for p in by_access["private"])
    assert not any(p.startswith("private/") for p in by_access["public"])
    assert "private/2015-09-09-cabinet/2015-09-09-cabinet-pack-private.pdf" in by_access["private"]
    page = (out / "2015-09-09-cabinet" / "index.html").read_text()
    assert "private" not in page.split("<main>")[1].split("Publication timetable")[0].lower()
    assert "Notice of intention to consider exempt information in private" in page
    # Every page of every private PDF says so; the public pack carries the notice instead.
    for pdf in (out / "private").rglob("*.pdf"):
        pages = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True
        ).stdout.split("\f")
        assert all("NOT FOR PUBLICATION" in p for p in pages if p.strip()), pdf.name
    # Once: the private editions inside the private pack are not marked a second time.
    with pikepdf.open(
        out / "private/2015-09-09-cabinet/2015-09-09-cabinet-pack-private.pdf"
    ) as pdf:
        for page in pdf.pages:
            drawn = b"".join(c.read_bytes() for c in page.obj.Contents)
            assert drawn.count(b"/NotForPublication") == 1
    pack = " ".join(
        subprocess.run(
            ["pdftotext", str(out / "2015-09-09-cabinet" / "2015-09-09-cabinet-pack.pdf"), "-"],
            capture_output=True,
            text=True,
        ).stdout.split()
    )
    assert "exempt information as described in paragraph 3 of Part 1 of Schedule 12A" in pack
    # Nothing changed: nothing is built again.
    again = build(Paths(exempt, TEMPLATES, out))
    assert again.built == 0 and again.packs_built == 0


@pytest.mark.libreoffice
def test_the_private_packs_web_page_links_the_private_editions_and_the_public_the_notice(
    exempt, tmp_path
):
    out = tmp_path / "build"
    build(Paths(exempt, TEMPLATES, out))
    public = read_file(out / "2015-09-09-cabinet" / "2015-09-09-cabinet-pack.html").links
    private = read_file(
        out / "private" / "2015-09-09-cabinet" / "2015-09-09-cabinet-pack-private.html"
    ).links
    notice = "2015-09-09-cabinet-item-7-appendix-a-digital-access-fund-bid-not-for-publication"
    assert f"{notice}.html" in public
    assert not any("private" in link for link in public)
    assert "2015-09-09-cabinet-item-7-appendix-a-digital-access-fund-bid-private.html" in private
    assert "2015-09-09-cabinet-pack-private.pdf" in private
    # The meeting's page is the public one: there is no private meeting page.
    assert "../../2015-09-09-cabinet/index.html" in private
