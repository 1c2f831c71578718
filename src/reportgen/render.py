"""A .docx template + a context → the bytes of a rendered .docx.

docxtpl runs the whole document XML through one sandboxed, strict, autoescaping Jinja
environment, so a value like ``Learning & Development`` is escaped once and an undefined
name stops the build naming the template and the name.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.opc.pkgwriter import PackageWriter
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, nsmap, qn
from docxtpl import DocxTemplate
from jinja2 import Template, TemplateError
from lxml import etree

from .diagnostics import Diagnostic, ReportgenError
from .flow import settle
from .text import describe_template_error, environment
from .view import plain_context

# Zip entries carry a timestamp; pinning it keeps two renders of the same inputs identical.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Properties:
    """A document's properties, as Word's File › Info shows them; LibreOffice carries
    title, language, author, subject and keywords into the PDF. ``date`` is when it was
    created and last changed (from the inputs, never a library's default)."""

    title: str
    language: str
    author: str
    date: dt.date | None = None
    subject: str = ""
    keywords: str = ""
    company: str = ""


class _Template(DocxTemplate):
    """docxtpl cleans up and compiles a template's XML anew for every document; a build
    renders many documents from few templates, so each part's cleaned and compiled forms
    are kept (by its XML)."""

    def patch_xml(self, src_xml: str) -> str:
        return _patched(src_xml)

    def render_properties(self, context, jinja_env=None):  # type: ignore[override]
        # As docxtpl does, each of its text properties a template of its own: compiled once.
        properties = self.docx.core_properties
        for name in ("author", "comments", "identifier", "language", "subject", "title"):
            setattr(properties, name, _compiled(getattr(properties, name)).render(context))

    def render_xml_part(self, src_xml, part, context, jinja_env=None):  # type: ignore[override]
        src_xml = _prepared(src_xml)
        try:
            self.current_rendering_part = part
            dst_xml = _compiled(src_xml).render(context)
        except TemplateError as exc:
            if getattr(exc, "lineno", None) is not None:
                start = max(exc.lineno - 4, 0)
                exc.docx_context = [  # type: ignore[attr-defined]
                    re.sub(r"<[^>]+>", "", line) for line in src_xml.splitlines()[start : start + 7]
                ]
            raise
        dst_xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", dst_xml)
        # docxtpl turns a tab, a new line, \a or \f in a text into Word's own; its three
        # nested passes over the whole part rewrite only those characters.
        if not any(special in dst_xml for special in _LISTING):
            return dst_xml
        return self.resolve_listing(dst_xml)


_ESCAPES = (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}"))
_ENVIRONMENT = environment(autoescape=True)
# What docxtpl's resolve_listing rewrites, and all it rewrites.
_LISTING = ("\t", "\a", "\n", "\f")


@functools.lru_cache(maxsize=64)
def _patched(xml: str) -> str:
    # docxtpl's clean-up (tags split across runs joined, {%p %} paragraphs...) reads only
    # the XML it is given, none of the template object's state.
    return DocxTemplate.patch_xml(None, xml)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=64)
def _prepared(xml: str) -> str:
    xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)
    # docxtpl lets a template write a literal {{ as {_{ by replacing it after rendering,
    # which also rewrote an author's data; here only the template's own text is read so.
    for escaped, tag in _ESCAPES:
        xml = xml.replace(escaped, "{{ '" + tag + "' }}")
    return xml


@functools.lru_cache(maxsize=64)
def _compiled(xml: str) -> Template:
    return _ENVIRONMENT.from_string(xml)


def render_docx(template: Path, context: dict[str, Any], properties: Properties) -> bytes:
    """Render ``template`` with ``context``; raise :class:`ReportgenError` naming the template."""
    display = str(template)
    try:
        document = _Template(template)
        document.init_docx()
    except FileNotFoundError:
        raise ReportgenError(_error(display, "template not found")) from None
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ReportgenError(_error(display, f"not a readable .docx file ({exc})")) from None
    try:
        # Made plain here as well as by the caller: what a template sees is data, whoever calls.
        document.render(plain_context(context), jinja_env=_ENVIRONMENT, autoescape=True)
    except TemplateError as exc:
        around = _around(exc)
        message = describe_template_error(exc) + (f" near “{around}”" if around else "")
        raise ReportgenError(_error(display, message)) from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        # A filter given the wrong kind of fact, a group of facts printed as text.
        raise ReportgenError(_error(display, str(exc))) from None
    restart_numbered_lists(document.docx)
    settle(document.docx)
    _set_properties(document, properties)
    return package_bytes(document.docx.part.package)


def restart_numbered_lists(document: Any) -> None:
    """Start each lettered or numbered list at (a) or (1).

    Word numbers every paragraph of a list style from one counter, so a second lettered list
    would go on from (d). Each run of consecutive paragraphs of a numbered (not bulleted)
    list style gets a numbering instance of its own, restarted at its first item.
    """
    part = _numbering_part(document)
    if part is None:
        return
    numbering = part.element
    abstract_of = {
        n.get(qn("w:numId")): n.find(qn("w:abstractNumId")).get(qn("w:val"))
        for n in numbering.findall(qn("w:num"))
    }
    counted = {
        a.get(qn("w:abstractNumId"))
        for a in numbering.findall(qn("w:abstractNum"))
        if (fmt := a.find(f"{qn('w:lvl')}/{qn('w:numFmt')}")) is not None
        and fmt.get(qn("w:val")) not in ("bullet", "none")
    }
    numbered_styles = {}
    for style in document.styles.element.findall(qn("w:style")):
        num = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
        if num is not None and abstract_of.get(num.get(qn("w:val"))) in counted:
            numbered_styles[style.get(qn("w:styleId"))] = abstract_of[num.get(qn("w:val"))]
    if not numbered_styles:
        return
    next_id = max((int(n) for n in abstract_of), default=0) + 1
    previous, previous_name, current = None, None, None
    # The numbered styles' paragraphs, in document order, found in one query (a style id is
    # the template's text, so it is passed as a variable, never written into the query).
    names = {f"s{i}": name for i, name in enumerate(numbered_styles)}
    for paragraph in _styled_paragraphs(len(names))(document.element.body, **names):
        name = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}").get(qn("w:val"))
        if not (paragraph.getprevious() is previous and name == previous_name):
            current = str(next_id)
            next_id += 1
            numbering.append(
                parse_xml(
                    f'<w:num {nsdecls("w")} w:numId="{current}"><w:abstractNumId '
                    f'w:val="{numbered_styles[name]}"/><w:lvlOverride w:ilvl="0">'
                    '<w:startOverride w:val="1"/></w:lvlOverride></w:num>'
                )
            )
        properties = paragraph.find(qn("w:pPr"))
        numbers = properties.find(qn("w:numPr"))
        if numbers is None:
            numbers = parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId/></w:numPr>')
            properties.find(qn("w:pStyle")).addnext(numbers)
        numbers.find(qn("w:numId")).set(qn("w:val"), str(current))
        previous, previous_name = paragraph, name


@functools.cache
def _styled_paragraphs(count: int) -> etree.XPath:
    """A query for the paragraphs of any of ``count`` styles, named $s0, $s1…"""
    test = " or ".join(f"w:pPr/w:pStyle/@w:val = $s{i}" for i in range(count))
    return etree.XPath(f".//w:p[{test}]", namespaces=nsmap)


def _numbering_part(document: Any) -> Any:
    # A template with no numbering part has no lists (python-docx cannot make one).
    try:
        return document.part.numbering_part
    except (KeyError, NotImplementedError):
        return None


def _error(display: str, message: str) -> Diagnostic:
    return Diagnostic(display, 0, 0, "error", message)


def _around(exc: TemplateError) -> str:
    """The document text docxtpl saw around a template error, stripped of XML."""
    lines = [line.strip() for line in getattr(exc, "docx_context", []) or []]
    text = re.sub(r"\s+", " ", " ".join(line for line in lines if line)).strip()
    return text[:120]


def _set_properties(document: DocxTemplate, properties: Properties) -> None:
    core = document.docx.core_properties
    core.title = properties.title
    core.language = properties.language
    core.author = properties.author
    core.last_modified_by = properties.author
    if properties.date is not None:
        stamp = dt.datetime.combine(properties.date, dt.time())
        core.created = stamp
        core.modified = stamp
    core.revision = 1
    core.subject = properties.subject
    core.keywords = properties.keywords
    _set_company(document, properties.company)


_EXTENDED = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"


def _set_company(document: DocxTemplate, company: str) -> None:
    """The organisation in ``docProps/app.xml`` (python-docx reads only the core
    properties), so File › Info says the council, not the template's maker."""
    for part in document.docx.part.package.iter_parts():
        if str(part.partname) != "/docProps/app.xml":
            continue
        root = etree.fromstring(part.blob)
        element = root.find(f"{{{_EXTENDED}}}Company")
        if element is None:
            element = etree.SubElement(root, f"{{{_EXTENDED}}}Company")
        element.text = company
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


class _FixedEntries:
    """python-docx's zip writer, with every entry stamped with the same time and mode."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive

    def write(self, pack_uri: Any, blob: bytes) -> None:
        entry = zipfile.ZipInfo(pack_uri.membername, date_time=ZIP_EPOCH)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = 0o644 << 16
        self.archive.writestr(entry, blob)


def package_bytes(package: Any) -> bytes:
    """A python-docx package as .docx bytes with fixed entry timestamps: what saving it and
    then :func:`normalise_zip` make, compressed once instead of twice."""
    # python-docx's PackageWriter.write, with a writer of fixed entries in place of its own
    # (whose entries carry the time of saving).
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = _FixedEntries(archive)
        PackageWriter._write_content_types_stream(entries, parts)
        PackageWriter._write_pkg_rels(entries, package.rels)
        PackageWriter._write_parts(entries, parts)
    return buffer.getvalue()


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a .docx zip with fixed entry timestamps, keeping entry order and content."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
