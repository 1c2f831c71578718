"""One way to say what is wrong with an input: ``file:line:col: severity: message [key.path]``."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem found in an input or template, located well enough for an author to fix it.

    Field order is the sort order: by file, then line, then column.
    """

    file: str
    line: int
    col: int
    severity: Severity
    message: str
    key: str = ""

    def as_dict(self) -> dict[str, str | int]:
        """The diagnostic as JSON-ready data, for editors and CI annotations."""
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "message": self.message,
            "key": self.key,
        }

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}" if self.line else self.file
        key = f" [{self.key}]" if self.key else ""
        return f"{where}: {self.severity}: {self.message}{key}"


class ReportgenError(Exception):
    """Raised when a stage cannot go on; carries every diagnostic found so far."""

    def __init__(self, diagnostics: Iterable[Diagnostic] | Diagnostic | str):
        if isinstance(diagnostics, str):
            diagnostics = [Diagnostic("reportgen", 0, 0, "error", diagnostics)]
        elif isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    @property
    def reason(self) -> str:
        """The messages alone, for quoting inside another message (without each one's
        ``reportgen: error:`` prefix)."""
        return "; ".join(
            d.message if d.file == "reportgen" and not d.line else str(d) for d in self.diagnostics
        )


class PublishError(ReportgenError):
    """Publishing failed and the previous outputs could not all be put back; the journal
    stays, so the next build puts them back."""

    output_changed = True


class PublishedThenInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM arrived while the outputs were being moved into place; it was held
    until they were, so the new outputs are published."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest of ``choices`` to ``word``, or listing them if none is close."""
    choices = sorted(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if not choices:
        return "none is defined"
    if len(choices) <= 8:
        return "expected one of: " + ", ".join(f"'{c}'" for c in choices)
    return f"{len(choices)} are defined, e.g. " + ", ".join(f"'{c}'" for c in choices[:5])


def format_key(path: Iterable[str | int]) -> str:
    """``('sections', 1, 'title')`` → ``sections[1].title``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
