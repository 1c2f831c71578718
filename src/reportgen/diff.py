"""What a change to the inputs does to the documents: the rendered diff for reviewers.

Both sides (a git revision, or the working tree) are checked and rendered to .docx in a
temporary directory — never touching the working tree and needing no LibreOffice — and each
document's text is compared paragraph by paragraph, labelled with paragraph numbers or form
fields, with the changed words marked. Given the address the build is published at, the
markdown links each document and changed paragraph to its HTML edition (``…html#para-2-12``).
"""

from __future__ import annotations

import difflib
import html
import io
import json
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

from .check import Checked, check
from .compose import shape_of
from .diagnostics import ReportgenError
from .extract import Block, blocks
from .html_edition import FORMAT, Anchors, anchors
from .layout import place_documents
from .render import Properties, render_docx

WORKING_TREE = "working tree"
Status = Literal["unchanged", "changed", "added", "removed"]


@dataclass(frozen=True)
class Rendered:
    """One document of one side: its title, kind and text."""

    title: str
    kind: str
    blocks: list[Block]
    # Its public HTML edition, relative to the build, and the places in it; none for a
    # document exempt as a whole, whose public edition is a notice.
    html: str = ""
    anchors: Anchors = field(default_factory=Anchors)


@dataclass
class Change:
    """A paragraph (or table row) that was modified, added or removed."""

    label: str
    kind: Literal["modified", "added", "removed"]
    old: str = ""
    new: str = ""
    # Where the paragraph is in the HTML edition of the new side ("para-2-12"), if it is there.
    anchor: str = ""


@dataclass
class DocumentDiff:
    document: str
    title: str
    kind: str
    status: Status
    changes: list[Change] = field(default_factory=list)
    # The new side's HTML edition, relative to the build ("" if it has none).
    html: str = ""


def render_side(inputs: Path, templates: Path, name: str) -> dict[str, Rendered]:
    """Check and render every document of one side to text; raise if the side is broken.
    Only the Word editions are rendered, so the HTML templates are not asked for (a base from
    before one was added still compares)."""
    checked = check(inputs, templates, html=False)
    if checked.errors:
        raise ReportgenError(
            [replace(d, message=f"{d.message} (in {name})") for d in checked.errors]
        )
    return render_checked(checked)


def render_checked(checked: Checked) -> dict[str, Rendered]:
    """Every document of checked inputs rendered to .docx in memory, as labelled text."""
    project = checked.project
    assert project is not None
    placements = place_documents(project, {d: c["title"] for d, c in checked.contexts.items()})
    rendered = {}
    for document_id, context in checked.contexts.items():
        model = project.documents[document_id]
        data = render_docx(
            checked.templates[document_id],
            context,
            Properties(context["title"], "en-GB", "reportgen"),
        )
        html, places = "", Anchors()
        if model.exempt is None:
            placement = placements[document_id]
            html = f"{placement.folder}/{placement.stem}.{FORMAT}"
            places = anchors(context, shape_of(model))
        rendered[document_id] = Rendered(context["title"], model.kind, blocks(data), html, places)
    return rendered


def default_base(repo: Path) -> str:
    """``origin/main`` if the repository has it, else ``main``."""
    for candidate in ("origin/main", "main"):
        if _git(repo, "rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}", check=False):
            return candidate
    raise ReportgenError("no BASE given and neither origin/main nor main exists")


def checkout(repo: Path, revision: str, paths: list[Path], target: Path) -> None:
    """Write ``paths`` (relative to the repository) as they are at ``revision`` into
    ``target``, with ``git archive``: the working tree and index are left alone."""
    archive = _git(repo, "archive", "--format=tar", revision, "--", *map(str, paths), binary=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(target, filter="data")
        else:  # Python before 3.11.4 (Debian 12's 3.11.2): git archive writes no links out
            tar.extractall(target)


def _git(repo: Path, *args: str, check: bool = True, binary: bool = False):
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True)
    if result.returncode != 0:
        if not check:
            return None
        reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReportgenError(f"git {args[0]}: {reason[-1] if reason else 'failed'}")
    return result.stdout if binary else result.stdout.decode("utf-8")


def repository_of(path: Path) -> Path:
    """The top of the git working tree holding ``path``."""
    top = _git(path if path.is_dir() else path.parent, "rev-parse", "--show-toplevel")
    return Path(top.strip())


def rendered_diff(
    inputs: Path, templates: Path, base: str | None, head: str | None
) -> tuple[str, str, list[DocumentDiff]]:
    """Compare the documents at ``base`` with those at ``head`` (None: the working tree)."""
    repo = repository_of(inputs.resolve())
    base = base or default_base(repo)
    relative = [inputs.resolve().relative_to(repo), templates.resolve().relative_to(repo)]
    with tempfile.TemporaryDirectory(prefix="reportgen-diff-") as tmp:
        sides = []
        # Each side checks out into a folder of its own, even when both name one revision.
        for side, revision in (("base", base), ("head", head)):
            if revision is None:
                sides.append(render_side(inputs, templates, WORKING_TREE))
                continue
            root = Path(tmp) / side
            root.mkdir()
            checkout(repo, revision, relative, root)
            sides.append(render_side(root / relative[0], root / relative[1], revision))
    return base, head or WORKING_TREE, compare(*sides)


def compare(before: dict[str, Rendered], after: dict[str, Rendered]) -> list[DocumentDiff]:
    """Per document, what changed between ``before`` and ``after``."""
    diffs = []
    for document in sorted(before.keys() | after.keys()):
        old, new = before.get(document), after.get(document)
        if old is None or new is None:
            present = new or old
            assert present is not None
            status: Status = "added" if old is None else "removed"
            kind = "added" if old is None else "removed"
            changes = [
                Change(b.label, kind, **({"new": b.text} if old is None else {"old": b.text}))
                for b in present.blocks
            ]
        else:
            changes = list(_changes(old.blocks, new.blocks))
            status = "changed" if changes else "unchanged"
        if new is not None:
            for change in changes:
                if change.kind != "removed":
                    change.anchor = anchor_of(change.label, new.anchors)
        latest = new or old
        assert latest is not None
        html_path = new.html if new is not None else ""
        diffs.append(DocumentDiff(document, latest.title, latest.kind, status, changes, html_path))
    return diffs


_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)\.?\s*")


def anchor_of(label: str, places: Anchors) -> str:
    """Where a block the diff labels ``label`` is in the HTML edition: a numbered paragraph
    or section (``2.12``); a form's answer (``3. Fund / Timetable``); else the section a
    table row (``2. BACKGROUND INFORMATION / Audit``) or heading falls under; or nothing."""
    if label in places.numbers:
        return places.numbers[label]
    heading, _, row = label.partition(" / ")
    title = _NUMBER.sub("", heading).casefold()
    if (title, row) in places.fields:
        return places.fields[(title, row)]
    if title in places.sections:
        return places.sections[title]
    number = _NUMBER.match(heading)
    return places.numbers.get(number.group(1), "") if number else ""


def _changes(old: list[Block], new: list[Block]) -> Iterator[Change]:
    matcher = difflib.SequenceMatcher(
        None, [b.text for b in old], [b.text for b in new], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(pairs):
            yield Change(new[j1 + k].label, "modified", old[i1 + k].text, new[j1 + k].text)
        for block in old[i1 + pairs : i2]:
            yield Change(block.label, "removed", old=block.text)
        for block in new[j1 + pairs : j2]:
            yield Change(block.label, "added", new=block.text)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``[(" ", words), ("-", words), ("+", words), ...]``: the words kept, cut and added."""
    a, b = old.split(), new.split()
    pieces = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append((" ", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("+", " ".join(b[j1:j2])))
    return pieces


# --- formats -------------------------------------------------------------------------------

RED, GREEN, BOLD, DIM, RESET = "\033[31m", "\033[32m", "\033[1m", "\033[2m", "\033[0m"


def as_terminal(base: str, head: str, diffs: list[DocumentDiff], *, colour: bool) -> str:
    """Plain text, with changed words coloured (or bracketed ``[-cut-]{+added+}``)."""

    def mark(sign: str, words: str) -> str:
        if sign == " ":
            return words
        if colour:
            return f"{RED if sign == '-' else GREEN}{words}{RESET}"
        return f"[-{words}-]" if sign == "-" else f"{{+{words}+}}"

    lines = [f"Documents at {base} → {head}"]
    for diff in diffs:
        title = f"{BOLD}{diff.title}{RESET}" if colour else diff.title
        lines.append(f"\n{title} ({diff.kind}, {diff.document}): {diff.status}")
        for change in diff.changes:
            if change.kind == "modified":
                text = " ".join(mark(s, w) for s, w in word_diff(change.old, change.new))
            elif change.kind == "added":
                text = mark("+", change.new)
            else:
                text = mark("-", change.old)
            lines.append(f"  {change.label} ({change.kind}): {text}")
    return "\n".join(lines) + "\n"


def as_markdown(
    base: str, head: str, diffs: list[DocumentDiff], *, html_base: str | None = None
) -> str:
    """For a pull-request comment: per document, each changed paragraph with its words
    struck out and added in place. With ``html_base`` (the address the build is published
    at), each document links to its HTML edition and each changed paragraph to its place
    there."""

    def escape(text: str) -> str:
        return html.escape(text, quote=False).replace("|", "\\|").replace("*", "\\*")

    def inline(change: Change) -> str:
        if change.kind == "added":
            return f"<ins>{escape(change.new)}</ins>"
        if change.kind == "removed":
            return f"<del>{escape(change.old)}</del>"
        parts = []
        for sign, words in word_diff(change.old, change.new):
            text = escape(words)
            parts.append(
                text
                if sign == " "
                else f"<{'del' if sign == '-' else 'ins'}>{text}"
                f"</{'del' if sign == '-' else 'ins'}>"
            )
        return " ".join(parts)

    def link(text: str, diff: DocumentDiff, anchor: str = "") -> str:
        if not html_base or not diff.html:
            return text
        address = f"{html_base.rstrip('/')}/{diff.html}" + (f"#{anchor}" if anchor else "")
        return f"[{text}]({address.replace(' ', '%20').replace(')', '%29')})"

    changed = [d for d in diffs if d.status != "unchanged"]
    lines = [f"## What this change does to the documents ({base} → {head})", ""]
    if not changed:
        lines.append("No document changes.")
    for diff in changed:
        title = link(escape(diff.title), diff)
        lines += [f"### {title} ({diff.kind}): {diff.status}", ""]
        lines += ["| Paragraph | Change |", "|---|---|"]
        lines += [
            f"| {link(escape(c.label), diff, c.anchor) if c.anchor else escape(c.label)} "
            f"| {inline(c)} |"
            for c in diff.changes
        ]
        lines.append("")
    unchanged = [d for d in diffs if d.status == "unchanged"]
    if unchanged:
        lines.append("Unchanged: " + ", ".join(f"{escape(d.title)} ({d.kind})" for d in unchanged))
    return "\n".join(lines).rstrip() + "\n"


def as_json(base: str, head: str, diffs: list[DocumentDiff]) -> str:
    """Everything, for scripts."""
    return (
        json.dumps(
            {"base": base, "head": head, "documents": [asdict(d) for d in diffs]},
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
