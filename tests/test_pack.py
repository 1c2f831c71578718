"""The committee pack: contents page numbers, bookmarks, page labels and tagging."""

from __future__ import annotations

import json
import re

import pikepdf
import pytest
from pypdf import PdfReader

from fidelity import pdf_text


@pytest.fixture(scope="module")
def manifest(example_build):
    return json.loads((example_build[0] / "manifest.json").read_text())


@pytest.fixture(scope="module")
def pack_entry(manifest):
    (entry,) = [o for o in manifest["outputs"] if (o["kind"], o["format"]) == ("pack", "pdf")]
    return entry


@pytest.fixture(scope="module")
def pack(example_build, pack_entry):
    return example_build[0] / pack_entry["path"]


FOLIO = re.compile(r"^\s*Page \d+ of \d+\s*$", re.MULTILINE)


def pages_of(pdf) -> list[str]:
    return pdf_text(pdf).split("\f")


def without_folios(page: str) -> str:
    return FOLIO.sub("", page).rstrip()


def test_the_pack_holds_cover_contents_and_each_document_in_agenda_order(pack_entry):
    assert [c["kind"] for c in pack_entry["contents"]] == [
        "cabinet-report",
        "eoi",
        "design-council-application",
    ]
    assert pack_entry["contents"][0]["first_page"] == 3
    assert pack_entry["pages"] == 2 + sum(c["pages"] for c in pack_entry["contents"])


def test_each_document_starts_on_the_page_the_manifest_gives(example_build, pack, pack_entry):
    pack_pages = pages_of(pack)
    for entry in pack_entry["contents"]:
        document_pages = pages_of(example_build[0] / entry["path"])
        first = entry["first_page"]
        in_pack = pack_pages[first - 1 : first - 1 + entry["pages"]]
        # Compared word by word: the page number line shifts pdftotext's columns.
        assert [without_folios(p).split() for p in in_pack] == [
            p.split() for p in document_pages[: entry["pages"]]
        ]


def page_beside(tokens: list[str], title: str) -> str:
    """The page number printed on a contents row: the number found among or right after the
    title's words (a long title wraps in its cell, so the number may sit between lines)."""
    wanted = title.split()
    for start in range(len(tokens)):
        i, matched, numbers = start, 0, []
        while i < len(tokens) and matched < len(wanted):
            if tokens[i] == wanted[matched]:
                matched += 1
            elif tokens[i].isdigit() and matched:
                numbers.append(tokens[i])
            else:
                break
            i += 1
        if matched == len(wanted):
            if not numbers and i < len(tokens) and tokens[i].isdigit():
                numbers.append(tokens[i])
            return " ".join(numbers)
    return ""


def test_the_agenda_gives_each_document_its_first_page(pack, pack_entry):
    tokens = pages_of(pack)[1].split()
    assert tokens[:5] == ["DRAFT", "Agenda", "Item", "Business", "Page"]
    for entry, appendix in zip(pack_entry["contents"], ["", "A", "B"], strict=True):
        title = f"Appendix {appendix}: {entry['title']}" if appendix else entry["title"]
        assert page_beside(tokens, title) == str(entry["first_page"]), title


def agenda_labels(pack_entry: dict) -> list[str]:
    """Each document's bookmark: where it sits on the agenda, then its title."""
    places = ["Item 4", "Item 4, appendix A", "Item 4, appendix B"]
    return [f"{p}: {c['title']}" for p, c in zip(places, pack_entry["contents"], strict=True)]


def test_bookmarks_nest_each_documents_headings_under_it(example_build, pack, pack_entry):
    reader = PdfReader(pack)
    outline = reader.outline
    tops = [item for item in outline if not isinstance(item, list)]
    assert [t.title for t in tops] == ["Summons and agenda", *agenda_labels(pack_entry)]
    nested = [item for item in outline if isinstance(item, list)]
    report = PdfReader(example_build[0] / pack_entry["contents"][0]["path"])
    assert [i.title for i in nested[1] if not isinstance(i, list)] == [
        i.title for i in report.outline if not isinstance(i, list)
    ]
    for top, entry in zip(tops[1:], pack_entry["contents"], strict=True):
        assert reader.get_destination_page_number(top) == entry["first_page"] - 1
    first_heading = nested[1][0]
    assert first_heading.title == "1. OBJECT AND KEY POINTS IN THIS REPORT"
    assert reader.get_destination_page_number(first_heading) == 2


def test_viewer_page_labels_are_the_pack_page_numbers(pack):
    labels = PdfReader(pack).page_labels
    assert labels[:4] == ["1", "2", "3", "4"]


def test_every_printed_page_carries_its_pack_page_number(pack, pack_entry):
    pages = pages_of(pack)[: pack_entry["pages"]]
    printed = [FOLIO.findall(page) for page in pages]
    total = pack_entry["pages"]
    assert [" ".join(p[0].split()) for p in printed] == [
        f"Page {n} of {total}" for n in range(1, total + 1)
    ]


def test_the_pack_is_titled_british_english_and_shows_its_title(pack):
    reader = PdfReader(pack)
    assert reader.metadata.title == "Cabinet, date to be confirmed: papers"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>2</pdfaid:part>" in xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert "Cabinet, date to be confirmed: papers" in xmp


def test_each_document_keeps_its_structure_tree_as_a_part_of_the_pack(pack, pack_entry):
    with pikepdf.open(pack) as pdf:
        document = pdf.Root.StructTreeRoot.K[0]
        parts = [k for k in document.K if k.get("/S") == pikepdf.Name.Part]
        assert [str(p.T) for p in parts] == agenda_labels(pack_entry)
        for part in parts:
            assert part.P.objgen == document.objgen
        headings = [k.S for k in parts[0].K]
        assert headings.count(pikepdf.Name.H1) == 8


def marked_content(pdf: pikepdf.Pdf) -> list[list[str]]:
    """For each page, the structure types its marked content belongs to, in MCID order."""
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    return [
        [
            str(e.get("/S")) if isinstance(e, pikepdf.Dictionary) else "-"
            for e in parents[int(page.obj.StructParents)]
        ]
        for page in pdf.pages
    ]


def test_marked_content_on_every_page_still_finds_its_structure(example_build, pack, pack_entry):
    with pikepdf.open(pack) as pdf:
        tree = pdf.Root.StructTreeRoot
        nums = tree.ParentTree.Nums
        assert int(tree.ParentTreeNextKey) > max(int(nums[i]) for i in range(0, len(nums), 2))
        in_pack = marked_content(pdf)
    for entry in pack_entry["contents"]:
        with pikepdf.open(example_build[0] / entry["path"]) as source:
            alone = marked_content(source)
        first = entry["first_page"] - 1
        assert in_pack[first : first + entry["pages"]] == alone


def test_the_meeting_index_links_every_pdf_with_its_details(example_build, manifest):
    out, _ = example_build
    (index,) = [o for o in manifest["outputs"] if o["kind"] == "index"]
    html = (out / index["path"]).read_text()
    assert '<html lang="en-GB">' in html
    folder = index["path"].rsplit("/", 1)[0]
    pdfs = [o for o in manifest["outputs"] if o["format"] == "pdf"]
    for output in pdfs:
        name = output["path"].removeprefix(f"{folder}/")
        assert f'<a href="{name}">{output["title"]} (PDF)</a>' in html
        assert (out / folder / name).is_file()
    assert html.count(" (PDF)</a>") == len(pdfs)
    assert re.search(r'<span class="about">PDF, \d+ KB, 5 pages</span>', html)


@pytest.mark.libreoffice
@pytest.mark.parametrize("mode", ["workers", "batch"])
def test_a_cover_longer_or_shorter_than_assumed_is_laid_out_again_to_its_length(
    tmp_path, monkeypatch, mode
):
    from reportgen import packs
    from reportgen.build import Paths, build

    from conftest import EXAMPLE_INPUTS, TEMPLATES

    monkeypatch.setenv("REPORTGEN_CONVERT", mode)
    # Every first layout assumes a front of five or six pages; the example's has two.
    monkeypatch.setattr(packs, "likely_cover_pages", lambda entries: [5, 6])
    out = tmp_path / "build"
    result = build(Paths(EXAMPLE_INPUTS, TEMPLATES, out))
    (entry,) = [o for o in result.outputs if (o.kind, o.format) == ("pack", "pdf")]
    assert entry.contents[0]["first_page"] == 3
    tokens = pages_of(out / entry.path)[1].split()
    assert page_beside(tokens, entry.contents[0]["title"]) == "3"
    assert len(pages_of(out / entry.path)) - 1 == entry.pages


@pytest.mark.libreoffice
def test_a_pack_that_cannot_be_assembled_is_an_error_not_a_hang(tmp_path, monkeypatch):
    import signal

    from reportgen import packs
    from reportgen.build import Paths, build
    from reportgen.diagnostics import ReportgenError

    from conftest import EXAMPLE_INPUTS, TEMPLATES

    # As if one of its documents were never where the pack takes it from.
    monkeypatch.setattr(packs.Packs, "_converted", lambda self, pack_id: False)

    def hung(signum, frame):
        raise AssertionError("the build kept trying to assemble the pack")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        with pytest.raises(ReportgenError, match="could not be assembled"):
            build(Paths(EXAMPLE_INPUTS, TEMPLATES, tmp_path / "build"))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert not (tmp_path / "build" / "manifest.json").exists()
