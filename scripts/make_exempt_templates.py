"""Create ``templates/exempt-notice.docx`` (the page the public sees in place of an exempt
document) and ``templates/not-for-publication.docx`` (the mark laid over every page of what
the public may not see) the first time. Run once; then edit them in Word. Refuses to
overwrite them (``--force`` does); the build never runs it.

    python scripts/make_exempt_templates.py [--force]
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor
from make_cabinet_template import _para, new_document
from template_script import make_templates

NOTICE = Path("templates/exempt-notice.docx")
MARK = Path("templates/not-for-publication.docx")


def build_notice(path: Path) -> None:
    document = new_document("Not for publication")
    _para(document, "{{ council.name | upper }}", "Council Name")
    _para(document, "{{ title }}", "Title")
    _para(document, "NOT FOR PUBLICATION", "Title")
    _para(
        document,
        "This document is not for publication: it contains exempt information as described "
        "in paragraph {{ exempt.paragraph }} of Part 1 of Schedule 12A to the Local "
        "Government Act 1972.",
        "Body Text Indent",
    )
    _para(
        document,
        "The public interest in keeping it private outweighs the public interest in "
        "publishing it: {{ exempt.reason }}",
        "Body Text Indent",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)


def build_mark(path: Path) -> None:
    """One blank A4 page with NOT FOR PUBLICATION in its header: the header is page
    furniture (an artifact to a screen reader), laid over each page at its top."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin = Cm(2.54)
    section.header_distance = Cm(0.6)
    document.core_properties.title = "Not for publication"
    document.core_properties.language = "en-GB"
    mark = section.header.paragraphs[0]
    mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = mark.add_run("NOT FOR PUBLICATION")
    run.bold = True
    run.font.name = "Arial"
    run.font.size = Pt(11)
    run.font.color.rgb = RGBColor(0xA0, 0x00, 0x00)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)


def main(argv: list[str] | None = None) -> int:
    return make_templates(__doc__.splitlines()[0], {NOTICE: build_notice, MARK: build_mark}, argv)


if __name__ == "__main__":
    sys.exit(main())
