"""The HTML editions and meeting pages in a real browser (headless Chromium): no WCAG 2.0 or
2.1 A or AA violation that axe-core finds, nothing scrolls sideways on a 320 px phone, every
link resolves, every output is linked from its meeting's page, and the report reads word for
word as published. Screenshots at 320 and 1280 px are kept under pytest's temporary
directory (``screenshots/``), for a person to look at."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from reportgen.build import Paths, build
from reportgen.check import check
from reportgen.html_edition import render_html

from browser import axe_violations, chromium, describe, missing, overflow, screenshot, set_width
from conftest import FIXTURES, TEMPLATES, hold_meeting, output_path, plan_key_decision
from fidelity import HTML_ADDED, changes, words

pytestmark = [pytest.mark.browser, pytest.mark.libreoffice]

REFERENCE = FIXTURES / "cabinet-report-2014-05-22.txt"
WIDTHS = (320, 1280)


@pytest.fixture(scope="module")
def driver():
    if (why := missing()) is not None:
        pytest.fail(f"the browser tests need Chromium: {why}")
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def exempt_build(tmp_path_factory) -> Path:
    """A meeting with an exempt paragraph and an exempt appendix, built: its public pages,
    the notice in place of the appendix, and the private editions."""
    inputs = tmp_path_factory.mktemp("exempt") / "inputs"
    shutil.copytree(FIXTURES / "digital-access", inputs)
    shutil.copytree(FIXTURES / "exempt-items", inputs, dirs_exist_ok=True)
    return built(inputs)


def built(inputs: Path) -> Path:
    """``inputs`` built into ``build/`` beside them (their folder names the site)."""
    out = inputs.parent / "build"
    build(Paths(inputs, TEMPLATES, out))
    return out


@pytest.fixture(scope="module")
def forward_plan_build(tmp_path_factory) -> Path:
    """A meeting whose report is a key decision, built: with the council's forward plan."""
    inputs = tmp_path_factory.mktemp("forward-plan") / "inputs"
    shutil.copytree(FIXTURES / "digital-access", inputs)
    return built(plan_key_decision(inputs))


@pytest.fixture(scope="module")
def held_build(tmp_path_factory) -> Path:
    """A meeting that has been held, built: with its record of decisions."""
    inputs = tmp_path_factory.mktemp("held") / "inputs"
    shutil.copytree(FIXTURES / "digital-access", inputs)
    return built(hold_meeting(inputs))


@pytest.fixture(scope="module", params=["example", "exempt", "forward-plan", "held"])
def site(request, example_build) -> Path:
    """A build's output folder: the worked example, a meeting with exempt information, one
    with a key decision on the forward plan, or one that has been held."""
    if request.param == "example":
        return example_build[0]
    return request.getfixturevalue(f"{request.param.replace('-', '_')}_build")


def pages(out: Path) -> list[Path]:
    """Every HTML file a build wrote, public and private."""
    return sorted(out.rglob("*.html"))


def test_no_page_has_an_accessibility_violation_axe_core_can_find(driver, site):
    found = {}
    for page in pages(site):
        driver.get(page.as_uri())
        if violations := axe_violations(driver):
            found[str(page.relative_to(site))] = describe(violations)
    assert found == {}, "\n".join(f"{p}:\n{v}" for p, v in found.items())


def test_axe_core_finds_what_a_page_gets_wrong(driver, tmp_path):
    # The check above can fail: a page with no language and a picture with no text does.
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>Bad</title></head><body><main>"
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<p style="color:#aaa">Grey on white</p></main></body></html>'
    )
    driver.get(page.as_uri())
    rules = {v["id"] for v in axe_violations(driver)}
    assert {"html-has-lang", "image-alt", "color-contrast"} <= rules


def png_width(path: Path) -> int:
    with path.open("rb") as f:
        header = f.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", header[16:20])[0]


def test_nothing_scrolls_sideways_on_a_phone_and_screenshots_are_kept(
    driver, site, tmp_path_factory
):
    name = site.parent.name if site.name == "build" else site.name
    shots = tmp_path_factory.getbasetemp() / "screenshots" / name
    wide = {}
    for width in WIDTHS:
        for page in pages(site):
            set_width(driver, width)
            driver.get(page.as_uri())
            if (extra := overflow(driver)) > 0:
                wide[f"{page.relative_to(site)} at {width}px"] = extra
            name = "-".join(page.relative_to(site).with_suffix("").parts)
            shot = screenshot(driver, shots / f"{name}-{width}.png")
            assert png_width(shot) == width
    assert wide == {}, f"pages wider than the screen, by so many pixels: {wide}"


def resolve(link: str) -> tuple[Path, str]:
    """A ``file:`` address the browser resolved: the file, and the fragment."""
    parts = urlsplit(link)
    assert parts.scheme == "file", f"{link} leaves the build"
    return Path(unquote(parts.path)), parts.fragment


def links_on(driver, page: Path) -> list[str]:
    driver.get(page.as_uri())
    return driver.execute_script(
        "return [...document.querySelectorAll('a[href]')].map(a => a.href)"
    )


def test_every_link_on_every_page_resolves_to_a_file_and_an_anchor_in_it(driver, site):
    broken = []
    for page in pages(site):
        for link in links_on(driver, page):
            target, fragment = resolve(link)
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {link}")
            elif fragment:
                driver.get(target.as_uri())
                found = driver.execute_script(
                    "return document.getElementById(arguments[0]) !== null", fragment
                )
                if not found:
                    broken.append(f"{page.relative_to(site)}: {link} (no such anchor)")
    assert broken == []


def test_every_public_output_is_linked_from_its_meeting_page_and_no_private_one(driver, site):
    outputs = json.loads((site / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    linked = {
        resolve(link)[0]
        for page in [site / "index.html", *site.glob("*/index.html")]
        for link in links_on(driver, page)
    }
    public = {site / o["path"] for o in outputs if o["access"] == "public"}
    private = {site / o["path"] for o in outputs if o["access"] == "private"}
    assert public - {site / "index.html"} <= linked
    assert not private & linked
    for output in outputs:
        if output.get("meeting") and output["kind"] != "index":
            page = site / Path(output["path"]).parts[0] / "index.html"
            if output["access"] == "public":
                assert site / output["path"] in {resolve(x)[0] for x in links_on(driver, page)}


def visible_text(driver) -> str:
    """The page's text as the browser renders it, leaving out the draft notice (as the PDF's
    test leaves out its DRAFT page header)."""
    return driver.execute_script(
        "const copy = document.body.cloneNode(true);"
        "copy.querySelectorAll('.draft').forEach(e => e.remove());"
        "document.body.replaceWith(copy);"
        "return document.body.innerText;"
    )


def test_the_report_reads_word_for_word_as_published_in_the_browser(driver, example_build):
    driver.get(output_path(example_build[0], "cabinet-report", "html").as_uri())
    # The draft notice is left out; the other additions are the HTML edition's (fidelity.py).
    added = {c for c in HTML_ADDED if not c.ours.startswith("draft:")}
    ours = [w.lower() for w in words(visible_text(driver))]
    reference = [w.lower() for w in words(REFERENCE.read_text(encoding="utf-8"))]
    unexpected = [c for c in changes(reference, ours) if c not in added]
    assert unexpected == [], "\n".join(str(c) for c in unexpected)


def test_markup_in_prose_shows_as_text_and_runs_nothing(driver, example_copy, edit, tmp_path):
    hostile = """<script>document.title = "ran"</script></p> Fish & chips, "quoted" and 'single'"""
    edit(
        example_copy / "documents" / "cabinet-report.yaml",
        "No conflicts of interest have been identified.",
        hostile.replace("'", "''").join("''"),
    )
    checked = check(example_copy, TEMPLATES)
    page = tmp_path / "report.html"
    page.write_text(
        render_html(
            checked.html_templates["report"],
            checked.contexts["cabinet-report"],
            house_style=checked.house_style,
        )
    )
    driver.get(page.as_uri())
    assert driver.title == "Transformation and Shared Services"
    assert driver.execute_script("return document.scripts.length") == 0
    paragraph = driver.execute_script("return document.getElementById('para-7-3').innerText")
    assert paragraph == f"7.3 {hostile}"


def test_print_styles_leave_out_the_colours_of_the_screen(driver, example_build):
    driver.get(output_path(example_build[0], "cabinet-report", "html").as_uri())
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        background = driver.execute_script(
            "return getComputedStyle(document.querySelector('.masthead')).backgroundColor"
        )
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert background in ("rgba(0, 0, 0, 0)", "transparent")
