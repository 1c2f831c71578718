"""Checks a .docx template without rendering it.

Finds Jinja syntax errors, tags that Word split across formatting runs so they no longer
parse, and every name or attribute a template uses that the model does not provide
(``{{ council.nmae }}``), following ``{% for %}`` loops to know what each loop variable is.
"""

from __future__ import annotations

import dataclasses
import re
import typing
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, get_args, get_origin

from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError, nodes
from pydantic import BaseModel

from .diagnostics import Diagnostic, ReportgenError, did_you_mean
from .house_style import read_house_style, style_problems
from .model import branches
from .text import FUNCTIONS, describe_template_error, environment

_XML_TAG = re.compile(r"<[^>]+>")
_LEFTOVER = re.compile(r"\{\s*[{%#]|[}%#]\s*\}")
# Names Jinja itself provides inside templates (its other globals are taken away).
_JINJA_NAMES = {"loop", *FUNCTIONS, "true", "false", "none", "True", "False", "None"}
# What a loop variable or name bound to a template's own macro is, to the checker.
_MACRO = "a macro of the template"


@dataclasses.dataclass(frozen=True)
class _Part:
    name: str
    raw: str
    xml: str


# What an HTML template is given besides its page's context: whether it is the private
# edition (see :func:`reportgen.html_edition.render_html`), and the house style's text.
HTML_NAMES: dict[str, Any] = {"private": bool, "house_style": str}


def lint_template(template: Path, context_types: dict[str, Any]) -> list[Diagnostic]:
    """Every problem in ``template`` (a .docx, HTML with Jinja, or the house style's .css),
    given the type of each name its context provides."""
    display = str(template)
    if template.suffix == ".css":
        try:
            read_house_style(template.parent, template.name)
        except ReportgenError as exc:
            return exc.diagnostics
        return []
    if template.suffix == ".html":
        return _lint_html(template, {**context_types, **HTML_NAMES})
    try:
        parts = list(_parts(template))
    except FileNotFoundError:
        return [Diagnostic(display, 0, 0, "error", "template not found")]
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        return [Diagnostic(display, 0, 0, "error", f"not a readable .docx file ({exc})")]

    problems: list[Diagnostic] = list(_outside_references(display, template))
    env = environment(autoescape=True)
    for part in parts:
        problems.extend(_paragraph_tags_alone(display, part.raw))
        try:
            tree = env.parse(part.xml)
        except TemplateSyntaxError as exc:
            around = _line_text(part.xml, exc.lineno)
            problems.append(_error(display, describe_template_error(exc), around))
            continue
        problems.extend(_split_tags(display, env, part.xml))
        checker = _TypeChecker(display, part.xml, env)
        checker.visit(tree, dict(context_types))
        problems.extend(checker.problems)
    return list(dict.fromkeys(problems))


def _lint_html(template: Path, context_types: dict[str, Any]) -> list[Diagnostic]:
    """An HTML template is one piece of Jinja: its syntax, and every name it uses."""
    display = str(template)
    try:
        source = template.read_text("utf-8")
    except FileNotFoundError:
        return [Diagnostic(display, 0, 0, "error", "template not found")]
    except (OSError, UnicodeDecodeError) as exc:
        return [Diagnostic(display, 0, 0, "error", f"not a readable HTML template ({exc})")]
    env = environment(autoescape=True)
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        around = _line_text(source, exc.lineno)
        return [_at_line(_error(display, describe_template_error(exc), around), exc.lineno)]
    checker = _HtmlChecker(display, source, env)
    checker.visit(tree, dict(context_types))
    return list(dict.fromkeys([*checker.problems, *_page_problems(display, source)]))


# What a page may not hold, since it is one file that fetches nothing and runs nothing in a
# reader's browser (the browser tests, on the machine that builds, open every page too).
_FETCHING_ELEMENTS = {"link", "iframe", "frame", "object", "embed", "applet"}
_FETCHING_ATTRIBUTES = {"src", "srcset", "poster", "background", "data", "lowsrc", "dynsrc"}
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style", re.DOTALL | re.IGNORECASE)
_HOUSE_STYLE = "{{ house_style }}"


def _page_problems(display: str, source: str) -> list[Diagnostic]:
    """Whatever in an HTML template would run a script or fetch a file in a reader's
    browser, and any style but the house style's (whose sheet is checked for both), each at
    its line."""
    problems = []

    def problem(line: int, message: str) -> None:
        problems.append(Diagnostic(display, line, 1, "error", message))

    for found in _STYLE_ELEMENT.finditer(source):
        if found.group(1).strip() != _HOUSE_STYLE:
            problem(
                source.count("\n", 0, found.start()) + 1,
                f"a page's one style element holds {_HOUSE_STYLE} and nothing else: "
                "write styles in house-style.css, where they are checked",
            )
    # The sheet is given as text autoescape leaves alone, checked for a style element:
    # anywhere else (an attribute, the body) its quotes or markup would be read as HTML.
    text = re.sub(r"\{#.*?#\}", lambda m: "\n" * m.group(0).count("\n"), source, flags=re.DOTALL)
    placed = [
        m.span(1) for m in _STYLE_ELEMENT.finditer(text) if m.group(1).strip() == _HOUSE_STYLE
    ]
    for use in re.finditer(r"\bhouse_style\b", text):
        if not any(start <= use.start() < end for start, end in placed):
            problem(
                text.count("\n", 0, use.start()) + 1,
                f"house_style may be used only as <style>{_HOUSE_STYLE}</style>, where the "
                "sheet is checked to stay",
            )
    # Jinja's tags, read as text of the same lines, so the markup around them parses.
    markup = _JINJA.sub(lambda m: "x" + "\n" * m.group(0).count("\n"), source)
    reader = _PageReader()
    reader.feed(markup)
    reader.close()
    for line, message in reader.found:
        problem(line, message)
    return problems


class _PageReader(HTMLParser):
    """Finds scripts, fetching elements and attributes, and inline styles that fetch."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        fetch = "would make a reader's browser fetch another file; a page holds all it needs"
        script = "would run a script in a reader's browser; a page runs none"
        if tag == "script":
            self.found.append((line, f"'<script>' {script}"))
        elif tag in _FETCHING_ELEMENTS:
            self.found.append((line, f"'<{tag}>' {fetch}"))
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on"):
                self.found.append((line, f"'{name}=' {script}"))
            elif name in _FETCHING_ATTRIBUTES and not value.lower().startswith("data:"):
                self.found.append((line, f"'{name}=' {fetch}"))
            elif name in ("href", "action", "formaction") and value.lower().startswith(
                "javascript:"
            ):
                self.found.append((line, f"'{name}=\"javascript:…\"' {script}"))
            elif name == "style" and style_problems(value, ""):
                self.found.append((line, f"this style {fetch}"))


def _at_line(diagnostic: Diagnostic, line: int | None) -> Diagnostic:
    """An HTML template's lines are the author's own (a .docx's XML lines are not): say which."""
    return dataclasses.replace(diagnostic, line=line or 0, col=1 if line else 0)


# Word fields that make LibreOffice read another file or fetch a URL while converting.
_FETCHING_FIELDS = {"INCLUDETEXT", "INCLUDEPICTURE", "INCLUDE", "LINK", "DDE", "DDEAUTO", "IMPORT"}
_RELATIONSHIP = re.compile(r"<Relationship\b[^>]*>")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
_FIELD = re.compile(r'<w:instrText\b[^>]*>([^<]*)</w:instrText>|w:instr="([^"]*)"')


def _outside_references(display: str, template: Path) -> Iterator[Diagnostic]:
    """Links from the template to files or addresses outside it (a linked picture, an
    INCLUDETEXT field, an attached template): LibreOffice would read or fetch them on the
    machine that builds, which a template from a pull request must not make it do.
    Hyperlinks are fine: nothing follows them while building."""
    with zipfile.ZipFile(template) as package:
        for name in sorted(package.namelist()):
            if not name.endswith((".rels", ".xml")):
                continue
            xml = package.read(name).decode("utf-8", errors="replace")
            for tag in _RELATIONSHIP.findall(xml) if name.endswith(".rels") else []:
                attributes = dict(_ATTRIBUTE.findall(tag))
                kind = attributes.get("Type", "").rsplit("/", 1)[-1]
                if attributes.get("TargetMode") == "External" and kind != "hyperlink":
                    yield _error(
                        display,
                        f"{name} links to '{attributes.get('Target', '')}' outside the "
                        f"document ({kind}); LibreOffice would read it while building — "
                        "insert it into the document instead of linking to it",
                    )
            if "instr" not in xml:  # most parts hold no field at all: skip the slow search
                continue
            # An instruction may be split over runs, or fields may sit side by side: read the
            # pieces both joined and apart.
            pieces = [a or b for a, b in _FIELD.findall(xml)]
            words = {w for text in ("".join(pieces), " ".join(pieces)) for w in text.split()}
            for word in sorted({w.upper() for w in words} & _FETCHING_FIELDS):
                yield _error(
                    display,
                    f"{name} has a field {word}, which reads another file or address while "
                    "building; insert the content itself instead",
                )


def _parts(template: Path) -> Iterator[_Part]:
    """The document body, headers and footers, as docxtpl prepares them for Jinja."""
    document = DocxTemplate(template)
    document.init_docx()
    raw = document.get_xml()
    yield _Part("body", raw, _one_paragraph_a_line(document.patch_xml(raw)))
    for uri in (document.HEADER_URI, document.FOOTER_URI):
        for _, part in document.get_headers_footers(uri):
            raw = document.get_part_xml(part)
            yield _Part(str(part.partname), raw, _one_paragraph_a_line(document.patch_xml(raw)))


def _one_paragraph_a_line(xml: str) -> str:
    # docxtpl does the same before rendering, so Jinja's line numbers count paragraphs.
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def _line_text(xml: str, lineno: int | None) -> str:
    lines = xml.splitlines()
    if not lineno or lineno > len(lines):
        return ""
    return _text(lines[lineno - 1])


def _text(xml: str) -> str:
    return re.sub(r"\s+", " ", _XML_TAG.sub("", xml)).strip()[:120]


def _error(display: str, message: str, around: str = "") -> Diagnostic:
    where = f" near “{around}”" if around else ""
    return Diagnostic(display, 0, 0, "error", message + where)


def _split_tags(display: str, env: Any, xml: str) -> Iterator[Diagnostic]:
    """Tag delimiters left in the text once Jinja's own tags are taken out: ``{ {`` typed
    with a space, a brace lost to autocorrect, a tag broken over two paragraphs. Jinja sees
    these as plain text and would print them in the published document."""
    reported: set[int] = set()
    for lineno, kind, value in env.lex(xml):
        found = _LEFTOVER.search(_XML_TAG.sub("", value)) if kind == "data" else None
        if not found:
            continue
        line = lineno + value[: value.find(found.group(0)[0])].count("\n")
        if line in reported:
            continue
        reported.add(line)
        yield _error(
            display,
            "a template tag is broken (split across runs or paragraphs, or a brace "
            "missing) and would print as text; retype it in one go",
            _line_text(xml, line),
        )


def _paragraph_tags_alone(display: str, raw_xml: str) -> Iterator[Diagnostic]:
    """docxtpl replaces a whole paragraph holding ``{%p ... %}`` by the tag: any other text
    in that paragraph silently disappears from the document."""
    for paragraph in re.findall(r"<w:p[ >].*?</w:p>", raw_xml, flags=re.DOTALL):
        text = _XML_TAG.sub("", paragraph)
        if "{%p" in text and re.sub(r"\{%p.*?%\}", "", text).strip():
            yield _error(
                display,
                "text beside a {%p %} tag is dropped when rendering; put the tag in a "
                "paragraph of its own",
                _text(paragraph),
            )


class _TypeChecker:
    """Walks a Jinja syntax tree knowing the type of each name, and reports unknown names
    and attributes. Types are Python annotations: pydantic models, dataclasses, list[X],
    dict[K, V] and unions of them; anything else is not checked further."""

    def __init__(self, display: str, xml: str, env: Any):
        self.display = display
        self.xml = xml
        self.env = env
        self.problems: list[Diagnostic] = []

    def visit(self, node: nodes.Node, scope: dict[str, Any]) -> None:
        if isinstance(node, nodes.For):
            element = _element_type(self.type_of(node.iter, scope))
            inner = dict(scope)
            if isinstance(node.target, nodes.Name):
                inner[node.target.name] = element
            for target in node.target.find_all(nodes.Name):  # unpacking: a, b in ...
                inner[target.name] = Any
            for child in node.body:
                self.visit(child, inner)
            for child in node.else_:
                self.visit(child, scope)
            if node.test is not None:
                self.type_of(node.test, inner)
            return
        if isinstance(node, nodes.Macro):
            scope[node.name] = _MACRO
            inner = dict(scope)
            inner.update({a.name: Any for a in node.args})
            inner.update({"varargs": Any, "kwargs": Any, "caller": _MACRO})
            for child in node.body:
                self.visit(child, inner)
            return
        if isinstance(node, nodes.Assign | nodes.AssignBlock):
            names = [node.target, *node.target.find_all(nodes.Name)]
            scope.update({n.name: Any for n in names if isinstance(n, nodes.Name)})
        if isinstance(node, nodes.Expr):
            self.type_of(node, scope)
            return
        for child in node.iter_child_nodes():
            self.visit(child, scope)

    def type_of(self, node: nodes.Node, scope: dict[str, Any]) -> Any:
        """The type of expression ``node``, reporting what it refers to that does not exist."""
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            if node.name not in _JINJA_NAMES:
                self._report(
                    node,
                    f"'{node.name}' is not provided to this template — "
                    f"{did_you_mean(node.name, scope)}",
                )
            return Any
        if isinstance(node, nodes.Getattr):
            return self._attribute(node, self.type_of(node.node, scope), node.attr)
        if isinstance(node, nodes.Call) and not self._callable(node, scope):
            # One message for ``council.parse_file(…)``: it cannot be called, whatever it is.
            inner = node.node.node if isinstance(node.node, nodes.Getattr) else None
            for child in [inner, *node.args, *node.kwargs]:
                if child is not None:
                    self.type_of(child, scope)
            return Any
        if isinstance(node, nodes.Filter | nodes.Test):
            known = self.env.filters if isinstance(node, nodes.Filter) else self.env.tests
            if node.name not in known:
                kind = "filter" if isinstance(node, nodes.Filter) else "test"
                self._report(
                    node, f"no {kind} is called '{node.name}' — {did_you_mean(node.name, known)}"
                )
        if isinstance(node, nodes.Getitem):
            container = self.type_of(node.node, scope)
            self.type_of(node.arg, scope)
            if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                return self._attribute(node, container, node.arg.value)
            return _element_type(container)
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Expr):
                self.type_of(child, scope)
            else:
                self.visit(child, scope)
        return Any

    def _callable(self, node: nodes.Call, scope: dict[str, Any]) -> bool:
        """Templates may call ``range`` and their own macros, nothing else: facts are data.
        Reports and returns False for any other call."""
        callee = node.node
        if isinstance(callee, nodes.Name) and (
            callee.name in FUNCTIONS or scope.get(callee.name) == _MACRO
        ):
            return True
        if isinstance(callee, nodes.Name) and callee.name not in scope:
            return True  # reported as a name the template is not given
        what = f"'{callee.attr}'" if isinstance(callee, nodes.Getattr) else "this"
        self._report(
            node,
            f"{what} cannot be called: templates read facts and may call only "
            f"{' and '.join(sorted(FUNCTIONS))} and their own macros (use a filter instead)",
        )
        return False

    def _attribute(self, node: nodes.Node, owner: Any, name: str) -> Any:
        for branch in branches(owner):
            if get_origin(branch) is dict:  # keys are data (org.nelc), not attributes
                return get_args(branch)[1]
        fields = _fields(owner)
        if fields is None:
            return Any
        if name in fields:
            return fields[name]
        owner_name = " or ".join(sorted({_name(b) for b in branches(owner)}))
        self._report(
            node, f"'{name}' is not an attribute of {owner_name} — {did_you_mean(name, fields)}"
        )
        return Any

    def _report(self, node: nodes.Node, message: str) -> None:
        self.problems.append(_error(self.display, message, _line_text(self.xml, node.lineno)))


class _HtmlChecker(_TypeChecker):
    """The checker, naming the line of the HTML template each problem is on."""

    def _report(self, node: nodes.Node, message: str) -> None:
        around = _line_text(self.xml, node.lineno)
        self.problems.append(_at_line(_error(self.display, message, around), node.lineno))


def _name(annotation: Any) -> str:
    return getattr(annotation, "__name__", str(annotation))


def _fields(annotation: Any) -> dict[str, Any] | None:
    """The attributes of a type and their types; ``None`` when they cannot be known."""
    found: dict[str, Any] = {}
    for branch in branches(annotation):
        if branch is type(None):
            continue
        if isinstance(branch, type) and issubclass(branch, BaseModel):
            found.update({k: f.annotation for k, f in branch.model_fields.items()})
            found.update({k: Any for k, v in vars(branch).items() if isinstance(v, property)})
        elif dataclasses.is_dataclass(branch):
            found.update(typing.get_type_hints(branch))
        else:
            return None
    return found


def _element_type(annotation: Any) -> Any:
    for branch in branches(annotation):
        if get_origin(branch) in (list, tuple) and get_args(branch):
            return get_args(branch)[0]
        if get_origin(branch) is dict:
            return get_args(branch)[1]
    return Any
