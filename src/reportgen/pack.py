"""The committee pack: a cover with contents, then each document, as one accessible PDF.

A plain page merge would drop what makes the documents accessible, so the pack is assembled
with pikepdf keeping it: each document's structure tree becomes a ``Part`` of the pack's
``Document`` element (its ``StructParents`` and ``ParentTree`` keys renumbered so marked
content still finds its element), its bookmarks nest under a bookmark of its own, and the
pack keeps the cover's PDF/A output intent, language and "show title" preference.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, PageLocation, String

from .finish import finished_bytes, mark_pages, open_pdf, write_atomically


@dataclass(frozen=True)
class PackPart:
    """One document of the pack: its PDF and the title its bookmark carries; ``marked`` if
    its pages carry NOT FOR PUBLICATION already."""

    pdf: Path
    title: str
    marked: bool = False


def page_count(pdf: Path) -> int:
    """The number of pages of ``pdf``."""
    with open_pdf(pdf) as document:
        return len(document.pages)


def first_pages(cover_pages: int, page_counts: Sequence[int]) -> list[int]:
    """The pack page (from 1) on which each document starts, after a cover of ``cover_pages``."""
    starts = []
    page = cover_pages + 1
    for count in page_counts:
        starts.append(page)
        page += count
    return starts


def assemble_pack(
    cover: PackPart,
    parts: Sequence[PackPart],
    out: Path,
    *,
    title: str,
    language: str,
    moment: dt.datetime,
    folio: Path | None = None,
    mark: Path | None = None,
) -> list[int]:
    """Write the pack of ``cover`` then ``parts`` to ``out``, finished
    (:func:`reportgen.finish.finished_bytes`, with ``moment``) and saved once; return each
    part's first page.

    ``folio`` is a PDF of as many pages as the pack, carrying only page numbers (marked as
    artifacts, so they stay out of the structure); each of its pages is laid over the pack's.
    ``mark`` is laid over every page but those of parts ``marked`` already.
    """
    with open_pdf(cover.pdf) as pack, contextlib.ExitStack() as sources:
        root = pack.Root
        tree = root.StructTreeRoot
        document_element = _document_element(pack)
        next_key = _next_parent_key(tree)
        outline: list[OutlineItem] = [_outline_item(cover.title, 0, _outline(pack, 0))]
        starts = []
        marked = []
        for part in parts:
            # Open until the pack is saved: its pages' streams are read from it then.
            source = sources.enter_context(open_pdf(part.pdf))
            offset = len(pack.pages)
            starts.append(offset + 1)
            if part.marked:
                marked.append(range(offset, offset + len(source.pages)))
            children = _outline(source, offset)
            pack.pages.extend(source.pages)
            next_key = _adopt_structure(pack, source, offset, next_key, document_element, part)
            outline.append(_outline_item(part.title, offset, children))
        tree.ParentTreeNextKey = next_key
        if folio is not None:
            _stamp(pack, sources.enter_context(open_pdf(folio)))
        if mark is not None:
            mark_pages(pack, sources.enter_context(open_pdf(mark)), skip=marked)
        with pack.open_outline() as bookmarks:
            bookmarks.root[:] = outline
        # Viewer page numbers are pack page numbers, as the contents page gives them.
        root.PageLabels = Dictionary(Nums=Array([0, Dictionary(S=Name.D)]))
        root.PageMode = Name.UseOutlines
        root.Lang = String(language)
        _set_title(pack, title)
        finished = finished_bytes(pack, moment)
    write_atomically(out, finished)
    return starts


def _stamp(pack: pikepdf.Pdf, numbers: pikepdf.Pdf) -> None:
    if len(numbers.pages) != len(pack.pages):
        raise ValueError(f"page numbers for {len(numbers.pages)} pages, pack of {len(pack.pages)}")
    for index, (page, number) in enumerate(zip(pack.pages, numbers.pages, strict=True)):
        # Like Page.add_overlay, but under a fixed name (add_overlay draws a random one,
        # and the pack must come out the same every time), one name a page because
        # LibreOffice shares one resource dictionary among pages. The page's own
        # drawing is wrapped in q/Q so its graphics state cannot move the number.
        name = Name(f"/Folio{index + 1}")
        page.add_resource(pack.copy_foreign(number.as_form_xobject()), Name.XObject, name)
        page.contents_add(pikepdf.Stream(pack, b"q\n"), prepend=True)
        page.contents_add(pikepdf.Stream(pack, f"\nQ\nq {name} Do Q\n".encode()))


def _document_element(pack: pikepdf.Pdf) -> Dictionary:
    """The pack's top ``Document`` structure element (the cover's, which LibreOffice writes)."""
    kids = pack.Root.StructTreeRoot.K
    element = kids[0] if isinstance(kids, Array) else kids
    if not isinstance(kids, Array):
        pack.Root.StructTreeRoot.K = Array([element])
    if not isinstance(element.get("/K"), Array):
        element.K = Array([element.K] if "/K" in element else [])
    return element


def _parent_tree_pairs(tree: Dictionary) -> list[tuple[int, pikepdf.Object]]:
    """Every ``(key, value)`` of a number tree, flattening its ``Kids``."""
    pairs = []
    stack = [tree.ParentTree] if "/ParentTree" in tree else []
    while stack:
        node = stack.pop()
        nums = node.get("/Nums", Array())
        pairs += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)]
        stack += list(node.get("/Kids", Array()))
    return sorted(pairs, key=lambda pair: pair[0])


def _next_parent_key(tree: Dictionary) -> int:
    keys = [key for key, _ in _parent_tree_pairs(tree)]
    declared = int(tree.get("/ParentTreeNextKey", 0))
    return max([declared, *(k + 1 for k in keys)])


def _adopt_structure(
    pack: pikepdf.Pdf,
    source: pikepdf.Pdf,
    offset: int,
    next_key: int,
    document_element: Dictionary,
    part: PackPart,
) -> int:
    """Graft ``source``'s structure tree into the pack as a ``Part``; return the next key.

    The source's pages were appended already, so copying its structure elements maps their
    ``/Pg`` references onto the pack's copies of those pages.
    """
    source_tree = source.Root.get("/StructTreeRoot")
    if source_tree is None:
        return next_key
    pairs = _parent_tree_pairs(source_tree)
    shift = next_key - (pairs[0][0] if pairs else 0)
    parent_tree = pack.Root.StructTreeRoot.ParentTree
    nums = parent_tree.get("/Nums", Array())
    copied_values = _copy_all(pack, source, [value for _, value in pairs])
    for (key, _), value in zip(pairs, copied_values, strict=True):
        nums.append(key + shift)
        nums.append(value)
    parent_tree.Nums = nums

    for page in pack.pages[offset:]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + shift
        for annotation in page.obj.get("/Annots", Array()):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + shift

    kids = source_tree.K
    for element in kids if isinstance(kids, Array) else [kids]:
        copied = _copy(pack, element)
        # The source's Document element becomes a Part of the pack's Document.
        copied.S = Name.Part
        copied.T = String(part.title)
        copied.P = document_element
        document_element.K.append(copied)

    role_map = pack.Root.StructTreeRoot.get("/RoleMap", Dictionary())
    for role, standard in source_tree.get("/RoleMap", Dictionary()).items():
        if role not in role_map:
            role_map[role] = standard
    pack.Root.StructTreeRoot.RoleMap = role_map
    return max([next_key, *(key + shift + 1 for key, _ in pairs)])


def _copy_all(
    pack: pikepdf.Pdf, source: pikepdf.Pdf, values: list[pikepdf.Object]
) -> list[pikepdf.Object]:
    """Copy ``values`` from ``source`` into the pack in one call: copying them one by one
    (each array of each page's structure elements) was most of a pack's assembly. Only an
    indirect object can be copied, so they go in one made for the purpose, which nothing
    in the pack refers to and so is not written."""
    if not values:
        return []
    holder = pack.copy_foreign(source.make_indirect(Array(values)))
    return list(holder)


def _copy(pack: pikepdf.Pdf, value: pikepdf.Object) -> pikepdf.Object:
    """Copy a value from another PDF; direct arrays and dictionaries are copied member by
    member, since only indirect objects can be copied across files."""
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return pack.copy_foreign(value)
    if isinstance(value, Array):
        return Array([_copy(pack, item) for item in value])
    if isinstance(value, Dictionary):
        return Dictionary({key: _copy(pack, item) for key, item in value.items()})
    return value


def _outline(source: pikepdf.Pdf, offset: int) -> list[OutlineItem]:
    """``source``'s bookmarks, pointing at the pages they will have in the pack."""
    pages = {page.objgen: i for i, page in enumerate(source.pages)}
    with source.open_outline() as outline:
        return [_copy_item(item, pages, offset) for item in outline.root]


def _copy_item(item: OutlineItem, pages: dict, offset: int) -> OutlineItem:
    destination = item.destination
    page = 0
    top = None
    if isinstance(destination, Array) and len(destination) >= 1:
        page = pages.get(destination[0].objgen, 0)
        if len(destination) >= 4 and destination[1] == Name.XYZ and destination[3] is not None:
            top = float(destination[3])
    copied = _outline_item(item.title, offset + page, [], top=top)
    copied.children = [_copy_item(child, pages, offset) for child in item.children]
    return copied


def _outline_item(
    title: str, page: int, children: list[OutlineItem], *, top: float | None = None
) -> OutlineItem:
    if top is None:
        item = OutlineItem(title, page)
    else:
        item = OutlineItem(title, page, PageLocation.XYZ, top=top)
    item.children = children
    return item


def _set_title(pack: pikepdf.Pdf, title: str) -> None:
    with pack.open_metadata(set_pikepdf_as_editor=False) as metadata:
        metadata["dc:title"] = title
    pack.docinfo[Name.Title] = String(title)
