"""Finishing LibreOffice's PDFs: the same bytes from the same inputs, and PDF/UA-1.

*Same inputs, same bytes.* LibreOffice writes the conversion time into a PDF's document
information, its XMP metadata and the header of the sRGB output-intent profile it embeds for
PDF/A, and a random file ID and checksum. Each time is replaced by a moment taken from the
inputs (or ``SOURCE_DATE_EPOCH``) and the ID is derived from the content, so two builds of
the same commit are byte-identical.

*Accessible.* LibreOffice 7.4 maps standard structure types to themselves in the role map
(``/H1 → /H1``), which PDF/UA checkers read as circular mappings; those entries are dropped.
The XMP then declares PDF/UA-1 (with the extension schema PDF/A requires for it). Checked
with veraPDF 1.28: the report, the forms and the pack passed both PDF/A-2b and PDF/UA-1,
before they were saved with object streams; since then ``tests/test_pdfa.py`` runs
pikepdf's PDF/A validator over every PDF of two builds.

*Marked.* A private edition carries NOT FOR PUBLICATION at the top of every page, laid over
it as it is finished, so that each PDF is saved once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import os
import struct
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pikepdf
from pikepdf import Name, String

from .diagnostics import ReportgenError

# Where an ICC profile header keeps its creation time: six big-endian 16-bit numbers.
ICC_DATE = slice(24, 36)
ICC_PROFILE_ID = slice(84, 100)


def finish_pdf(path: Path, moment: dt.datetime, *, mark: Path | None = None) -> None:
    """Rewrite ``path`` in place: dates set to ``moment``, a content-derived ID, identity
    role mappings dropped, PDF/UA-1 declared; every page marked with the first page of
    ``mark``, if given (see :func:`mark_pages`).

    A PDF that cannot be read raises :class:`ReportgenError`; a failure to write (a full
    disk) raises :class:`OSError`, and ``path`` is then as it was.
    """
    try:
        with pikepdf.open(path) as pdf, contextlib.ExitStack() as marks:
            if mark is not None:
                mark_pages(pdf, marks.enter_context(open_pdf(mark)))
            finished = finished_bytes(pdf, moment)
    except pikepdf.PdfError as exc:
        raise ReportgenError(
            f"{path.name}: LibreOffice wrote a PDF that cannot be read ({exc}); build again, "
            "and if it persists, open the .docx in LibreOffice to see what it makes of it"
        ) from None
    write_atomically(path, finished)


@contextmanager
def open_pdf(path: Path) -> Iterator[pikepdf.Pdf]:
    """Open a PDF reportgen made; one that cannot be read (LibreOffice stopped while writing
    it, a full disk) raises :class:`ReportgenError` naming it."""
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PdfError as exc:
        raise ReportgenError(f"{path.name}: not a readable PDF ({exc})") from None
    with pdf:
        yield pdf


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` whole or not at all. The bytes are made in memory
    first: QPDF writing straight to a full disk aborts the process instead of raising."""
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def finished_bytes(pdf: pikepdf.Pdf, moment: dt.datetime) -> bytes:
    """``pdf`` finished (as :func:`finish_pdf` says) and saved, as bytes. Any PDF it took
    pages or marks from must still be open."""
    iso = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as metadata:
        for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
            metadata[key] = iso
    stamp = String(moment.strftime("D:%Y%m%d%H%M%SZ"))
    pdf.docinfo[Name.CreationDate] = stamp
    pdf.docinfo[Name.ModDate] = stamp
    _drop_identity_roles(pdf)
    _declare_pdfua(pdf)
    for intent in pdf.Root.get("/OutputIntents", []):
        profile = intent.get("/DestOutputProfile")
        if profile is not None:
            _pin_profile_date(profile, moment)
    # LibreOffice's own checksum of the file covers the times replaced above, and its
    # file ID is random.
    for key in ("/DocChecksum", "/ID"):
        if key in pdf.trailer:
            del pdf.trailer[key]
    buffer = io.BytesIO()
    # Object streams (allowed from PDF/A-2 on) pack LibreOffice's hundreds of small
    # structure-element dictionaries into compressed streams: a report comes out about a
    # third smaller, a pack about two fifths, and qpdf writes them faster too.
    pdf.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def mark_pages(pdf: pikepdf.Pdf, marks: pikepdf.Pdf, *, skip: Sequence[range] = ()) -> None:
    """Lay the first page of ``marks`` (NOT FOR PUBLICATION in its header) over the top of
    every page of ``pdf`` but those in ``skip`` (marked already), centred, whatever each
    page's size. ``marks`` must stay open until ``pdf`` is saved."""
    stamp = pdf.copy_foreign(marks.pages[0].as_form_xobject())
    width, height = _size(marks.pages[0])
    for index, page in enumerate(pdf.pages):
        if any(index in pages for pages in skip):
            continue
        page_width, page_height = _size(page)
        dx, dy = (page_width - width) / 2, page_height - height
        # A fixed name, not add_overlay's random one: the same inputs give the same bytes.
        name = Name(f"/NotForPublication{index + 1}")
        page.add_resource(stamp, Name.XObject, name)
        page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
        placed = f"\nQ\nq 1 0 0 1 {dx:.2f} {dy:.2f} cm {name} Do Q\n"
        page.contents_add(pikepdf.Stream(pdf, placed.encode()))


def _size(page: pikepdf.Page) -> tuple[float, float]:
    box = [float(v) for v in page.mediabox]
    return box[2] - box[0], box[3] - box[1]


PDFUA_NAMESPACE = "http://www.aiim.org/pdfua/ns/id/"
# PDF/A allows only the XMP properties it predefines, or those an extension schema describes.
PDFUA_XMP = f"""  <rdf:Description rdf:about="" xmlns:pdfuaid="{PDFUA_NAMESPACE}">
   <pdfuaid:part>1</pdfuaid:part>
  </rdf:Description>
  <rdf:Description rdf:about=""
    xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
    xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:namespaceURI>{PDFUA_NAMESPACE}</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
      <pdfaSchema:schema>PDF/UA identification schema</pdfaSchema:schema>
      <pdfaSchema:property>
       <rdf:Seq>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:category>internal</pdfaProperty:category>
         <pdfaProperty:description>PDF/UA version identifier</pdfaProperty:description>
         <pdfaProperty:name>part</pdfaProperty:name>
         <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
        </rdf:li>
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>
"""


def _declare_pdfua(pdf: pikepdf.Pdf) -> None:
    metadata = pdf.Root.get("/Metadata")
    if metadata is None:
        return
    xmp = metadata.read_bytes().decode("utf-8")
    if PDFUA_NAMESPACE in xmp or "</rdf:RDF>" not in xmp:
        return
    xmp = xmp.replace("</rdf:RDF>", PDFUA_XMP.lstrip() + " </rdf:RDF>", 1)
    metadata.write(xmp.encode("utf-8"))


def _drop_identity_roles(pdf: pikepdf.Pdf) -> None:
    """LibreOffice maps standard structure types to themselves (``/H1 → /H1``), which PDF/UA
    checkers report as circular mappings; such entries say nothing and are dropped."""
    tree = pdf.Root.get("/StructTreeRoot")
    role_map = tree.get("/RoleMap") if tree is not None else None
    if role_map is None:
        return
    for role in list(role_map.keys()):
        if role_map[role] == Name(role):
            del role_map[role]


def _pin_profile_date(profile: pikepdf.Stream, moment: dt.datetime) -> None:
    data = bytearray(profile.read_bytes())
    if len(data) < ICC_PROFILE_ID.stop:
        return
    data[ICC_DATE] = struct.pack(
        ">6H", moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second
    )
    # A profile ID is an MD5 that covers the date; LibreOffice leaves it zero, meaning
    # "not computed", and so do we, rather than leave one that no longer matches.
    data[ICC_PROFILE_ID] = bytes(16)
    profile.write(_compressed(bytes(data)), filter=Name.FlateDecode)


@functools.lru_cache(maxsize=8)
def _compressed(data: bytes) -> bytes:
    # Every PDF of a build embeds the same profile with the same moment: compressed once.
    return zlib.compress(data, 9)
