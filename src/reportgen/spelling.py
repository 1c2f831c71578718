"""British spelling: every word a reader reads, facts filled in, checked against an en-GB
dictionary (hunspell, with Debian's ``hunspell-en-gb``), the council's own words
(``inputs/style.yaml``) and the names of the organisations in the inputs.

A misspelling is a warning at the place in the YAML that wrote the word — the document's
own text, or the fact or organisation it came from — with hunspell's suggestions. A slip kept
on purpose (a published report quoted word for word) is written ``{{ 'recieve' | sic }}``,
which reads as the word itself and is never reported. Words in capitals (acronyms), words
with digits and web or email addresses are not spell-checked.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, format_key
from .load import Inputs, KeyPath
from .model import Project
from .view import Record, fields_of

DICTIONARY = "en_GB"
INSTALL = "apt-get install -y --no-install-recommends hunspell hunspell-en-gb"
# A word as the dictionary knows words: letters, with inner apostrophes or hyphens.
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SIC = re.compile(r"""\{\{\s*(['"])(.+?)\1\s*\|\s*sic\s*\}\}""")
_SKIP = re.compile(r"\S*(?:@|https?://|www\.)\S*")
_MAX_SUGGESTIONS = 3


def spelling_problems(
    project: Project, inputs: Inputs, contexts: dict[str, dict[str, Any]]
) -> list[Diagnostic]:
    """A warning for each word of each document that the dictionary, the council's words
    and the organisations' names do not know; one warning if hunspell is not installed."""
    if not project.style.check_spelling:
        return []
    known = {w.casefold() for w in project.style.words}
    for organisation in project.organisations.values():
        for name in (organisation.name, organisation.short_name or ""):
            known |= {w.casefold() for w in _WORD.findall(name)}
    # Each document's words, each distinct line split once: documents share much of
    # their wording (a council's boilerplate, a programme's facts).
    lines_words: dict[str, frozenset[str]] = {}
    seen: dict[str, set[str]] = {}
    for document_id, context in contexts.items():
        lines = [t for t in read_texts(context.get("sections", ())) if t]
        lines.append(str(context.get("title", "")))
        seen[document_id] = set()
        for line in lines:
            if line not in lines_words:
                lines_words[line] = frozenset(_words(line))
            seen[document_id] |= lines_words[line]
    words = set().union(*seen.values())
    candidates = sorted(w for w in words if w.casefold() not in known and not _acronym(w))
    try:
        suggestions = _unknown_to_hunspell(candidates)
    except OSError as exc:
        return [Diagnostic("reportgen", 0, 0, "warning", f"spelling not checked: {exc}")]
    found = []
    for document_id, document_words in seen.items():
        sic = _sic_words(inputs, document_id)
        for word in sorted(document_words & suggestions.keys()):
            if word not in sic:
                found.append(_where(project, inputs, document_id, word, suggestions[word]))
    return sorted(found)


# Fields of a composed view that hold no words a reader reads as text.
NOT_TEXT = frozenset({"number", "list_style", "kind"})


def read_texts(value: Any, leave_out: frozenset[str] = NOT_TEXT) -> Iterator[str]:
    """Every text a reader reads in a composed view, leaving out the fields named in
    ``leave_out`` (numbers and flags by default)."""
    if isinstance(value, Record):
        for name, field in fields_of(value).items():
            if name not in leave_out:
                yield from read_texts(field, leave_out)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from read_texts(item, leave_out)
    elif isinstance(value, str):
        yield value


def _acronym(word: str) -> bool:
    """``NLC``, ``EOIs``: capitals (and a plural s) are acronyms, checked elsewhere."""
    return word.isupper() or (word.endswith("s") and len(word) > 2 and word[:-1].isupper())


def _words(text: str) -> Iterator[str]:
    for match in _WORD.finditer(_SKIP.sub(" ", text)):
        yield match.group().strip("'’-")


# What hunspell said of each word this process has asked about (its suggestions, or None
# for a word it knows): a preview rebuilding after each edit asks only about new words.
_VERDICTS: dict[str, list[str] | None] = {}


def _unknown_to_hunspell(words: list[str]) -> dict[str, list[str]]:
    """The words hunspell's en-GB dictionary does not know, each with its suggestions."""
    new = [w for w in words if w not in _VERDICTS]
    if new:
        unknown = _ask_hunspell(new)
        _VERDICTS.update({w: unknown.get(w) for w in new})
    return {w: list(v) for w in words if (v := _VERDICTS[w]) is not None}


def _ask_hunspell(words: list[str]) -> dict[str, list[str]]:
    if not words:
        return {}
    hunspell = shutil.which("hunspell")
    if hunspell is None:
        raise OSError(f"hunspell is not installed ({INSTALL})")
    # Pipe mode, terse: only misspellings are reported, one input line each; a line that
    # starts with ^ is never read as a command.
    request = "!\n" + "".join(f"^{w}\n" for w in words)
    result = subprocess.run(
        [hunspell, "-a", "-d", DICTIONARY, "-i", "utf-8"],
        input=request,
        capture_output=True,
        # What -i says hunspell reads, whatever the machine's locale (Windows: cp1252).
        encoding="utf-8",
        timeout=60,
    )
    if result.returncode != 0 or "Can't open affix or dictionary" in result.stderr:
        raise OSError(f"hunspell has no {DICTIONARY} dictionary ({INSTALL})")
    unknown: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        if line.startswith("& "):
            head, _, offered = line.partition(": ")
            unknown[head.split()[1]] = offered.split(", ")[:_MAX_SUGGESTIONS]
        elif line.startswith("# "):
            unknown[line.split()[1]] = []
    return unknown


def _sic_words(inputs: Inputs, document_id: str) -> set[str]:
    """Words the document's YAML writes ``{{ '…' | sic }}``: kept as they are on purpose."""
    path = inputs.files.get(("documents", document_id))
    text = path.read_text("utf-8") if path else ""
    return {w for match in _SIC.finditer(text) for w in _words(match.group(2))}


def _where(
    project: Project, inputs: Inputs, document_id: str, word: str, suggestions: list[str]
) -> Diagnostic:
    hint = f" — did you mean {_either(suggestions)}?" if suggestions else ""
    message = (
        f"'{word}' is not in the {DICTIONARY.replace('_', '-')} dictionary{hint} (if it is "
        "right, add it to the words in inputs/style.yaml)"
    )
    return locate(project, inputs, document_id, word, message)


def locate(
    project: Project, inputs: Inputs, document_id: str, word: str, message: str
) -> Diagnostic:
    """A warning about ``word`` at the first place it is written for this document: the
    document's own file, then its programme's, then the other shared files; else at the
    document."""
    document = project.documents[document_id]
    files = [("documents", document_id)]
    if document.programme is not None:
        files.append(("programmes", document.programme))
    files += [prefix for prefix in inputs.files if prefix not in files and len(prefix) == 1]
    for prefix in files:
        path = inputs.files.get(prefix)
        found = _find(path, word) if path else None
        if found is not None:
            line, col = found
            key = _key_at(inputs, prefix, str(path), line, col)
            return Diagnostic(str(path), line, col, "warning", message, key)
    return inputs.diagnostic(("documents", document_id), message, severity="warning")


def _find(path: Path, word: str) -> tuple[int, int] | None:
    pattern = re.compile(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])")
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        match = pattern.search(line)
        if match:
            return number, match.start() + 1
    return None


def _key_at(inputs: Inputs, prefix: KeyPath, file: str, line: int, col: int) -> str:
    """The key of the value written nearest before ``line:col`` in ``file``."""
    best: tuple[tuple[int, int], KeyPath] | None = None
    for path, position in inputs.values.items():
        if position.file != file or path[: len(prefix)] != prefix:
            continue
        at = (position.line, position.col)
        if at <= (line, col) and (best is None or at > best[0]):
            best = (at, path)
    return format_key(best[1][len(prefix) :]) if best else ""


def _either(words: Iterable[str]) -> str:
    quoted = [f"'{w}'" for w in words]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else quoted[0]
