"""Create ``templates/pack-cover.docx`` the first time: the committee pack's cover and contents
page. Run once; then edit it in Word. Refuses to overwrite it (``--force`` does); the build
never runs it.

    python scripts/make_pack_template.py [--force]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from make_cabinet_template import _para, new_document
from make_form_templates import _row, _table

PATH = Path("templates/pack-cover.docx")


def build(path: Path) -> None:
    document = new_document("Committee pack")
    _para(document, "{{ council.name | upper }}", "Council Name")
    _para(document, "{{ meeting.body | upper }}", "Meeting")
    _para(document, "{{ title }}", "Title")
    _para(document, "Date: {{ meeting.date | date }}", "Meeting")
    _para(document, "Venue: {{ meeting.venue }}", "Meeting")
    document.add_page_break()
    _para(document, "Contents", "Heading 1")
    contents = _table(document, ("Item", "Document", "Page"), (3.5, 10.5, 2.0))
    _row(contents, "{%tr for entry in contents %}", "", "")
    _row(
        contents,
        "{{ entry.item }}{% if entry.appendix %}, appendix {{ entry.appendix }}{% endif %}",
        "{{ entry.title }}",
        "{{ entry.page }}",
    )
    _row(contents, "{%tr endfor %}", "", "")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="overwrite the template")
    args = parser.parse_args(argv)
    if PATH.exists() and not args.force:
        print(f"{PATH} exists; it is edited by hand now (use --force to start again)")
        return 1
    build(PATH)
    print(f"wrote {PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
