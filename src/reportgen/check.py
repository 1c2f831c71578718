"""Everything ``reportgen validate`` checks, in pipeline order; ``build`` runs it first.

Inputs are loaded and typed, cross-checked, each report is composed (so prose that refers to
a fact or paragraph that does not exist is caught) and each template is linted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .acronyms import acronym_problems
from .compose import (
    compose,
    compose_cover,
    compose_notice,
    context_types,
    has_exempt_parts,
    pack_title,
    shape_of,
)
from .decisions import key_decision_problems
from .diagnostics import Diagnostic, ReportgenError, did_you_mean
from .facts import check_programmes
from .fingerprint import file_hash
from .house_style import read_house_style
from .lint import lint_template
from .load import Inputs, load_inputs
from .minutes import outcome_problems
from .model import KeyDecision, Project, parse_project, template_of
from .plain import plain_english_problems
from .rules import project_problems, publication_deadlines, summons_problems, unknown_facts
from .spelling import spelling_problems
from .timetable import today
from .view import unknown_reasons
from .writing import word_limit_problems

# The page listing a meeting's documents; plain HTML with Jinja, not a Word file.
INDEX_TEMPLATE = "meeting-index.html"
# The page at the top of the build listing every meeting.
SITE_INDEX_TEMPLATE = "site-index.html"
# The HTML edition of each shape of document, and of the notice in place of an exempt one;
# HTML with Jinja, like the meeting's page.
HTML_TEMPLATES = {
    "report": "report.html",
    "form": "form.html",
    "exempt-notice": "exempt-notice.html",
}
# The web pages made besides the documents' editions, by what each is (its kind to the
# linter, see :func:`reportgen.compose.context_types`).
PAGE_TEMPLATES = {
    "meeting-index": INDEX_TEMPLATE,
    "site-index": SITE_INDEX_TEMPLATE,
    # The HTML edition of a pack: its summons and agenda, linking each document.
    "pack-page": "pack-cover.html",
    # The HTML editions of the documents made from the meetings' data.
    "forward-plan": "forward-plan.html",
    "decision-record": "decision-record.html",
}
# A council's forward plan of key decisions, made when it has any.
FORWARD_PLAN_TEMPLATE = "forward-plan.docx"
# A held meeting's record of decisions, made once it has outcomes.
DECISION_RECORD_TEMPLATE = "decision-record.docx"
# What the public sees in place of an exempt document, and the mark on every page of what
# it may not see.
NOTICE_TEMPLATE = "exempt-notice.docx"
MARK_TEMPLATE = "not-for-publication.docx"
# Word's document properties hold a title of at most this many characters.
MAX_TITLE = 255


@dataclass
class Checked:
    """The outcome of checking: the model and composed documents if they could be made, and
    every diagnostic, errors and warnings, sorted by file and line. ``draft`` when some fact
    is not yet known."""

    project: Project | None = None
    inputs: Inputs | None = None
    # Each document's context: its public edition, where it has one.
    contexts: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The full edition of each document that is exempt or has exempt paragraphs.
    private_contexts: dict[str, dict[str, Any]] = field(default_factory=dict)
    # For each document exempt as a whole, the page the public sees instead.
    notice_contexts: dict[str, dict[str, Any]] = field(default_factory=dict)
    notice_template: Path | None = None
    mark_template: Path | None = None
    templates: dict[str, Path] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    pack_templates: dict[str, Path] = field(default_factory=dict)
    folio_templates: dict[str, Path] = field(default_factory=dict)
    # The HTML editions' templates, by the shape they serve (or "exempt-notice").
    html_templates: dict[str, Path] = field(default_factory=dict)
    # The HTML templates kinds name for their documents' editions, by the kind's id.
    kind_html_templates: dict[str, Path] = field(default_factory=dict)
    # The web pages' templates this build needs, by their kind (see PAGE_TEMPLATES).
    page_templates: dict[str, Path] = field(default_factory=dict)
    # The house style every HTML page holds (templates/house-style.css), checked, and its file.
    house_style: str = ""
    house_style_path: Path | None = None
    draft: bool = False
    # The reasons of the facts not yet known that each document uses, by its id.
    unknowns: dict[str, set[str]] = field(default_factory=dict)

    def is_draft(self, document_ids: Iterable[str]) -> bool:
        """Whether any of these documents is a draft (writes a fact not yet known)."""
        return any(self.contexts[d].get("draft", False) for d in document_ids if d in self.contexts)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


def check(
    inputs_dir: Path,
    templates_dir: Path,
    *,
    final: bool = False,
    loaded: Inputs | None = None,
    lint: bool = True,
    only: str | None = None,
    html: bool = True,
) -> Checked:
    """Check inputs and templates; never raises for a problem an author can fix.

    Facts written ``{unknown: why}`` are warnings (the documents are drafts), or errors
    when ``final`` is set, since a final build must not print "to be confirmed". With
    ``only`` (a meeting's id), ``final`` is for that meeting's papers: the facts they use
    must be known, while other meetings' documents may stay drafts.
    ``loaded`` gives inputs already loaded (and perhaps altered) instead of reading them;
    ``lint=False`` skips the templates' checks, for callers that checked them already;
    ``html=False`` leaves out the HTML templates and the house style, for callers that render
    only the Word editions (``reportgen diff``, whose base may predate a page's template).
    """
    checked = Checked()
    try:
        checked.inputs = loaded or load_inputs(inputs_dir)
        checked.project = parse_project(checked.inputs)
    except ReportgenError as exc:
        checked.diagnostics = exc.diagnostics
        return checked
    project, inputs = checked.project, checked.inputs
    # With --only, the facts' diagnostics are settled once its meeting's papers are composed.
    unknown = unknown_facts(inputs, final=final and only is None)
    checked.draft = bool(unknown)
    problems = project_problems(project, inputs)
    if only is not None and only not in project.meetings:
        problems.append(
            Diagnostic(
                str(inputs.root),
                0,
                0,
                "error",
                f"--only: meeting '{only}' is not defined — {did_you_mean(only, project.meetings)}",
            )
        )
    found = problems + unknown + summons_problems(project, inputs, final=final, only=only)
    # Unknown facts may be errors (--final) but do not stop composing; broken references do.
    if not any(d.severity == "error" for d in problems):
        found.extend(publication_deadlines(project, inputs, today=today(), final=final))
        found.extend(outcome_problems(project, inputs, final=final))
        found.extend(check_programmes(project, inputs))
        for document_id, document in project.documents.items():
            used = checked.unknowns.setdefault(document_id, set())
            try:
                checked.contexts[document_id] = compose(
                    project, inputs, document_id, draft=checked.draft, unknowns=used
                )
                if has_exempt_parts(document):
                    checked.private_contexts[document_id] = compose(
                        project,
                        inputs,
                        document_id,
                        draft=checked.draft,
                        public=False,
                        unknowns=used,
                    )
                if document.exempt is not None:
                    title = checked.contexts[document_id]["title"]
                    checked.notice_contexts[document_id] = compose_notice(
                        project, document_id, title, draft=checked.contexts[document_id]["draft"]
                    )
            except ReportgenError as exc:
                found.extend(exc.diagnostics)
            else:
                title = checked.contexts[document_id]["title"]
                if len(title) > MAX_TITLE:
                    found.append(
                        inputs.diagnostic(("documents", document_id, "title"), _too_long(title))
                    )
            name = template_of(project, document)
            where = ("documents", document_id, "template")
            if document.template is None:
                where = ("kinds", document.kind, "template")
            template = template_path(templates_dir, name)
            if template is None:
                found.append(inputs.diagnostic(where, _outside(name)))
                continue
            if not template.is_file():
                found.append(
                    inputs.diagnostic(where, f"template '{name}' not found in {templates_dir}")
                )
                continue
            checked.templates[document_id] = template
        found.extend(_reader_checks(checked, final=final))
        if final and only is not None and only in project.meetings:
            # Each fact the meeting's papers use is needed; the rest may stay unknown.
            needed = _unknowns_of_meeting(checked, only)
            drafted = set(unknown)
            found = [d for d in found if d not in drafted]
            found += unknown_facts(inputs, final=True, needed=needed, only=only)
    for meeting_id, meeting in project.meetings.items():
        if not meeting.items:
            continue
        if len(pack_title(meeting)) > MAX_TITLE:
            found.append(
                inputs.diagnostic(("meetings", meeting_id, "body"), _too_long(pack_title(meeting)))
            )
        wanted = [
            (meeting.pack_template, "pack_template"),
            (meeting.folio_template, "folio_template"),
        ]
        for name, key in wanted:
            if name is None:
                continue
            path = ("meetings", meeting_id, key)
            template = template_path(templates_dir, name)
            if template is None:
                found.append(inputs.diagnostic(path, _outside(name)))
            elif not template.is_file():
                found.append(
                    inputs.diagnostic(
                        path, f"template '{name}' (for the pack) not found in {templates_dir}"
                    )
                )
            elif key == "pack_template":
                checked.pack_templates[meeting_id] = template
            elif key == "folio_template":
                checked.folio_templates[meeting_id] = template
    # A template serves every kind of document made from it: lint it once for each.
    uses = {(t, shape_of(project.documents[d])) for d, t in checked.templates.items()}
    generated = [
        (FORWARD_PLAN_TEMPLATE, "forward-plan", _has_key_decisions(project), "a forward plan"),
        (
            DECISION_RECORD_TEMPLATE,
            "decision-record",
            any(m.outcomes for m in project.meetings.values()),
            "a record of decisions",
        ),
    ]
    exempt = bool(checked.private_contexts)
    generated += [
        (NOTICE_TEMPLATE, "exempt-notice", bool(checked.notice_contexts), "exempt notices"),
        (MARK_TEMPLATE, "private-mark", exempt, "the NOT FOR PUBLICATION mark"),
    ]
    for name, kind, needed, what in generated:
        template = templates_dir / name
        if needed and template.is_file():
            uses.add((template, kind))
            if kind == "exempt-notice":
                checked.notice_template = template
            elif kind == "private-mark":
                checked.mark_template = template
        elif needed:
            found.append(
                Diagnostic(str(template), 0, 0, "error", f"the build makes {what}, from here")
            )
    # A kind may name an HTML template of its own; its shape's default serves the others.
    for kind_id, kind in project.kinds.items() if html else ():
        if kind.html_template is None:
            continue
        template = _kind_html_template(templates_dir, kind.html_template)
        if isinstance(template, str):
            found.append(inputs.diagnostic(("kinds", kind_id, "html_template"), template))
            continue
        uses.add((template, kind.shape))
        checked.kind_html_templates[kind_id] = template
    shapes = {
        shape_of(d) for d in project.documents.values() if d.kind not in checked.kind_html_templates
    }
    for shape, name in HTML_TEMPLATES.items() if html else ():
        needed = bool(checked.notice_contexts) if shape == "exempt-notice" else shape in shapes
        what = "notice" if shape == "exempt-notice" else shape
        made = f"each {what}'s HTML edition,"
        template = _page_template(templates_dir / name, needed, made, found)
        if template is not None:
            uses.add((template, shape))
            checked.html_templates[shape] = template
    pages = {
        "meeting-index": (bool(project.meetings), "each meeting's page"),
        "site-index": (True, "build/index.html, the list of meetings"),
        "pack-page": (
            any(m.items for m in project.meetings.values()),
            "each pack's HTML edition (its summons and agenda)",
        ),
        "forward-plan": (_has_key_decisions(project), "the forward plan's HTML edition"),
        "decision-record": (
            any(m.outcomes for m in project.meetings.values()),
            "each record of decisions' HTML edition",
        ),
    }
    for kind, name in PAGE_TEMPLATES.items() if html else ():
        needed, made = pages[kind]
        template = _page_template(templates_dir / name, needed, made, found)
        if template is not None:
            uses.add((template, kind))
            checked.page_templates[kind] = template
    try:
        if html:
            checked.house_style_path, checked.house_style = read_house_style(templates_dir)
    except ReportgenError as exc:
        found.extend(exc.diagnostics)
    uses |= {(t, "pack") for t in checked.pack_templates.values()}
    uses |= {(t, "folio") for t in checked.folio_templates.values()}
    for template, kind in sorted(uses) if lint else ():
        found.extend(_linted(template, kind))
    checked.diagnostics = sorted(set(found))
    return checked


# Each template's lint, by its content and the kind it is linted as: a template is linted
# again only when it changes (the preview checks the inputs after every edit).
_LINTED: dict[tuple[str, str, str], list[Diagnostic]] = {}


def _linted(template: Path, kind: str) -> list[Diagnostic]:
    key = (str(template), file_hash(template), kind)
    if key not in _LINTED:
        if len(_LINTED) > 256:
            _LINTED.clear()
        _LINTED[key] = lint_template(template, context_types(kind))
    return _LINTED[key]


def _unknowns_of_meeting(checked: Checked, meeting_id: str) -> set[str]:
    """The reasons of the facts not yet known that a meeting's papers use: its documents,
    and its pack's summons and agenda."""
    project = checked.project
    assert project is not None
    meeting = project.meetings[meeting_id]
    on_agenda = [d for item in meeting.items for d in (item.document, *item.appendices)]
    needed = set().union(*(checked.unknowns.get(d, set()) for d in on_agenda))
    if meeting.items:
        needed |= unknown_reasons(compose_cover(project, meeting_id, [], draft=True))
    return needed


def _reader_checks(checked: Checked, *, final: bool) -> list[Diagnostic]:
    """The checks of what the reader reads, once every document is composed: key decisions
    from the recommendations' sums, word limits, spelling, acronyms and plain English (on the
    whole text, exempt parts included)."""
    project, inputs = checked.project, checked.inputs
    assert project is not None and inputs is not None
    full = {**checked.contexts, **checked.private_contexts}
    return [
        *key_decision_problems(project, inputs, checked.contexts, final=final),
        *word_limit_problems(project, inputs, full),
        *spelling_problems(project, inputs, full),
        *acronym_problems(project, inputs, full),
        *plain_english_problems(project, inputs, full),
    ]


def _has_key_decisions(project: Project) -> bool:
    return any(
        isinstance(getattr(d, "key_decision", None), KeyDecision)
        for d in project.documents.values()
    )


def template_path(templates_dir: Path, name: str) -> Path | None:
    """The template ``name`` names, or None if it would be outside ``templates_dir``: inputs
    come from pull requests, and a template is read (and converted) on the machine that
    builds, so it must be one of the repository's templates, not ``/etc/passwd``."""
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts:
        return None
    path = templates_dir / relative
    try:
        inside = path.resolve().is_relative_to(templates_dir.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return None
    return path if inside else None


def _page_template(template: Path, needed: bool, made: str, found: list[Diagnostic]) -> Path | None:
    """``template``, if the build needs it and it is there; if it is needed and missing, an
    error saying what the build ``made`` from it is added to ``found``."""
    if not needed:
        return None
    if template.is_file():
        return template
    found.append(Diagnostic(str(template), 0, 0, "error", f"the build makes {made} from here"))
    return None


def _kind_html_template(templates_dir: Path, name: str) -> Path | str:
    """The HTML template a kind names, or what is wrong with the name: it must be an HTML
    file in ``templates_dir``."""
    template = template_path(templates_dir, name)
    if template is None:
        return _outside(name)
    if template.suffix != ".html":
        return f"template '{name}' is not an HTML template: name a .html file in templates/"
    if not template.is_file():
        return f"template '{name}' (for the HTML edition) not found in {templates_dir}"
    return template


def _too_long(title: str) -> str:
    return (
        f"a title of {len(title)} characters is too long: a document's properties hold "
        f"{MAX_TITLE} at most"
    )


def _outside(name: str) -> str:
    return (
        f"template '{name}' is outside templates/: name a file in templates/ "
        "(no absolute path, no '..', no link out of it)"
    )


def load_project(inputs_dir: Path) -> tuple[Project, Inputs]:
    """Load, type and cross-check the inputs; raise with every error (warnings are kept
    for :func:`check`)."""
    inputs = load_inputs(inputs_dir)
    project = parse_project(inputs)
    errors = [d for d in project_problems(project, inputs) if d.severity == "error"]
    if not errors:
        errors = check_programmes(project, inputs)
    if errors:
        raise ReportgenError(errors)
    return project, inputs
