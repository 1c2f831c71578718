"""The HTML edition of every document: one self-contained page each, beside its .docx and
PDF, rendered from the same composed context as the Word edition (``checked.contexts``),
never converted from the .docx or PDF, so both editions say the same words.

Each shape has its template in ``templates/`` (:data:`reportgen.check.HTML_TEMPLATES`):
ordinary HTML with Jinja, rendered by the one sandboxed environment with autoescape on, so
``<script>`` or ``&`` in the YAML reach the page as text; every page holds the house style
(:mod:`reportgen.house_style`). The public edition comes from the
public context (exempt words withheld), a private edition goes under ``private/`` as its PDF
does, and an exempt document's public edition is its notice. Each page is fingerprinted like
every other output: one whose context, template and house style are unchanged is kept.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Template, TemplateError

from .check import Checked
from .compose import shape_of
from .diagnostics import Diagnostic, ReportgenError
from .fingerprint import fingerprint
from .house_style import style_markup
from .manifest import Output, describe, source_name, still_good
from .paths import Paths
from .plan import PlannedDocument, Workspace
from .publish import stage
from .text import describe_template_error, environment, render_template

# What the format is called in the manifest, and what the edition adds to the fingerprint so
# an HTML edition never shares one with its document's Word and PDF editions.
FORMAT = "html"


def make_html_editions(
    checked: Checked, paths: Paths, documents: dict[str, PlannedDocument], workspace: Workspace
) -> list[Output]:
    """The HTML edition of each planned document, written into the staging directory
    unless the last build's is still good; every problem of every template is collected."""
    outputs: list[Output] = []
    problems: list[Diagnostic] = []
    for document in documents.values():
        template, context = edition_source(checked, document)
        relative = document.relative(FORMAT)
        # The document's inputs, and this template and the house style in place of the Word
        # template.
        inputs = [s for s in document.sources if not s.startswith("templates/")]
        sources = [*inputs, *page_sources(checked, paths, template)]
        key = fingerprint(
            context,
            template,
            checked.house_style,
            document.placement,
            sources,
            document.edition,
            FORMAT,
        )
        try:
            outputs.append(
                write_page(
                    workspace,
                    relative,
                    key,
                    template,
                    context,
                    house_style=checked.house_style,
                    private=document.edition == "private",
                    kind=document.kind,
                    title=document.title,
                    sources=sources,
                    meeting=document.placement.meeting,
                    access=document.access,
                )
            )
        except ReportgenError as exc:
            problems.extend(exc.diagnostics)
    if problems:
        raise ReportgenError(problems)
    return outputs


def write_page(
    workspace: Workspace,
    relative: str,
    key: str,
    template: Path,
    context: dict[str, Any],
    *,
    house_style: str,
    kind: str,
    title: str,
    sources: list[str],
    meeting: str | None,
    private: bool = False,
    access: str = "public",
) -> Output:
    """One HTML page at ``relative``: the last build's, if its fingerprint ``key`` matches
    and the file is intact, else ``template`` rendered with ``context`` into the staging
    directory. Raises :class:`ReportgenError` naming the template if it cannot be."""
    if still_good(workspace.previous, workspace.out, relative, key):
        return Output(**workspace.previous[relative])
    html = render_html(template, context, house_style=house_style, private=private)
    stage(workspace.staging / relative, html.encode("utf-8"))
    output = describe(workspace.staging, relative, kind, title, sources, meeting=meeting)
    output.fingerprint = key
    output.access = access
    return output


def edition_source(checked: Checked, document: PlannedDocument) -> tuple[Path, dict[str, Any]]:
    """The HTML template and the composed context of a planned document's edition: the
    same context its .docx is rendered from, and the template its kind names or else its
    shape's (an exempt document's public edition is the notice's)."""
    document_id = document.placement.document_id
    if document.edition == "notice":
        return checked.html_templates["exempt-notice"], checked.notice_contexts[document_id]
    context = checked.contexts[document_id]
    if document.edition == "private":
        context = checked.private_contexts[document_id]
    assert checked.project is not None
    model = checked.project.documents[document_id]
    # The kind's own HTML template, if it names one, else its shape's.
    own = checked.kind_html_templates.get(model.kind)
    return own or checked.html_templates[shape_of(model)], context


def page_sources(checked: Checked, paths: Paths, template: Path) -> list[str]:
    """What an HTML page is made from besides its inputs, as the manifest names them: its
    template and the house style."""
    assert checked.house_style_path is not None, "check() finds the house style first"
    return [
        source_name(paths.templates, template, "templates"),
        source_name(paths.templates, checked.house_style_path, "templates"),
    ]


def render_html(
    template: Path, context: dict[str, Any], *, house_style: str, private: bool = False
) -> str:
    """The page ``template`` makes of ``context``, holding the (checked) ``house_style``;
    ``private`` for the full edition of exempt information, which says so at its top.
    Raises :class:`ReportgenError` naming the template and what went wrong."""
    display = str(template)
    try:
        source = template.read_text("utf-8")
    except FileNotFoundError:
        raise ReportgenError(_error(display, "template not found")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportgenError(_error(display, f"not a readable HTML template ({exc})")) from None
    try:
        compiled = compiled_page(source)
        page = {**context, "private": private, "house_style": style_markup(house_style)}
        html = render_template(compiled, page)
    except TemplateError as exc:
        raise ReportgenError(_error(display, describe_template_error(exc))) from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        # A filter given the wrong kind of fact, a group of facts printed as text.
        raise ReportgenError(_error(display, str(exc))) from None
    return html if html.endswith("\n") else html + "\n"


@functools.lru_cache(maxsize=32)
def compiled_page(source: str) -> Template:
    """A page template compiled once for all the pages a build makes with it (compiling
    costs more than rendering); a template that does not compile is not kept."""
    return environment(autoescape=True).from_string(source)


def _error(display: str, message: str) -> Diagnostic:
    return Diagnostic(display, 0, 0, "error", message)


@dataclass(frozen=True)
class Anchors:
    """The places in a document's HTML edition a link can point at (the ids its template
    gives them; a test checks they exist): by paragraph or section number (``2.12``), by
    section title, and by section title and question for a form's answers."""

    numbers: dict[str, str] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    fields: dict[tuple[str, str], str] = field(default_factory=dict)


def paragraph_anchor(number: str) -> str:
    """``para-2-12``: the id of numbered paragraph ``2.12``."""
    return "para-" + number.replace(".", "-")


def anchors(context: dict[str, Any], shape: str) -> Anchors:
    """Where each part of a document is in its HTML edition, as its template places it
    (templates/report.html and form.html say the same)."""
    found = Anchors()
    if shape == "report":
        for section in context["sections"]:
            found.numbers[section.number] = f"section-{section.number}"
            found.sections[section.title.casefold()] = f"section-{section.number}"
            for paragraph in section.paragraphs:
                found.numbers[paragraph.number] = paragraph_anchor(paragraph.number)
        return found
    first = 1
    for name, present in (("applicants", context["applicants"]), ("contact", context["contact"])):
        if present:
            found.sections[name] = name
            first += 1
    for i, section in enumerate(context["sections"]):
        number = first + i
        found.sections[section.title.casefold()] = f"section-{number}"
        for j, answer in enumerate(section.fields, start=1):
            found.fields[(section.title.casefold(), answer.label)] = f"field-{number}-{j}"
    return found
