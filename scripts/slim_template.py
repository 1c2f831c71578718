"""Remove from Word templates the styles nothing in them uses, and Word 2010's second copy
of the styles (``stylesWithEffects.xml``).

python-docx's default document, which the ``make_*_template.py`` scripts start from,
defines 178 styles in 350 KB of XML, and a 440 KB ``stylesWithEffects.xml`` that only Word
2010 reads. Every document rendered from such a template carries them, and LibreOffice
spends about 40 ms reading them each time it converts one: 40 % of the conversion. A
template saved by Word itself holds only the styles it uses, so this is for the templates
those scripts made.

A style is kept if the template uses it anywhere (body, headers, footers, numbering,
tables), if it is a default, or if a kept style is based on it, linked to it or followed
by it; the document defaults and the latent styles (Word's built-in list) are kept too.
The text and layout of the documents do not change.

    python scripts/slim_template.py templates/*.docx
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import qn

# Where a part names a style by its id.
STYLE_REFERENCES = ("w:pStyle", "w:rStyle", "w:tblStyle", "w:numStyleLink", "w:styleLink")
# What a style names of other styles.
STYLE_LINKS = ("w:basedOn", "w:link", "w:next")
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def used_styles(document) -> set[str]:
    """The ids of the styles the template's parts other than its styles refer to."""
    used: set[str] = set()
    for part in document.part.package.iter_parts():
        # The styles themselves, and Word 2010's copy of them, do not count.
        if not part.partname.endswith(".xml") or "styles" in part.partname.lower():
            continue
        element = getattr(part, "element", None)
        if element is None:
            element = parse_xml(part.blob)
        for tag in STYLE_REFERENCES:
            used.update(e.get(qn("w:val")) for e in element.iter(qn(tag)))
    return used


def slim(path: Path) -> tuple[int, int]:
    """Slim the template at ``path`` in place; how many styles it had and has."""
    document = Document(str(path))
    styles = document.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    keep = used_styles(document) | {
        sid for sid, s in by_id.items() if s.get(qn("w:default")) in ("1", "true")
    }
    pending = list(keep)
    while pending:
        style = by_id.get(pending.pop())
        if style is None:
            continue
        for tag in STYLE_LINKS:
            link = style.find(qn(tag))
            if link is not None and link.get(qn("w:val")) not in keep:
                keep.add(link.get(qn("w:val")))
                pending.append(link.get(qn("w:val")))
    for sid, style in by_id.items():
        if sid not in keep:
            styles.remove(style)
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype == STYLES_WITH_EFFECTS:
            document.part.drop_rel(rel_id)
    document.save(str(path))
    return len(by_id), len([s for s in by_id if s in keep])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("templates", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.templates:
        before, after = slim(path)
        print(f"{path}: {before} styles, {after} kept")
    return 0


if __name__ == "__main__":
    sys.exit(main())
