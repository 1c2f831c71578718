"""The house style: one stylesheet, ``templates/house-style.css``, that every HTML page holds
inside itself (an HTML edition is one self-contained file, so the sheet is copied into each
page's ``<style>``, not linked).

Templates have no loader on purpose, so a template cannot ``{% include %}`` the sheet.
Instead reportgen reads the one file at its fixed name in ``templates/``, checks it, and gives
each HTML template its text as ``house_style``, marked as already safe so that autoescape
leaves its quotes alone (``{{ house_style }}`` inside ``<style>``). Being marked safe is what
makes the check matter: the sheet is untrusted like every template, and a ``</style>`` in it
would end the style element and let the rest be read as HTML, so such a sheet is refused; so
is one that would make a reader's browser fetch anything (``@import``, ``url(…)``), since a
page must stand alone.
"""

from __future__ import annotations

import re
from pathlib import Path

from markupsafe import Markup

from .diagnostics import Diagnostic, ReportgenError

# Where the sheet is, in the templates folder: a fixed name, not one the inputs give.
HOUSE_STYLE = "house-style.css"

# What ends the style element it is placed in (HTML ends raw text at "</style", in any case).
_END_OF_STYLE = re.compile(r"</style", re.IGNORECASE)
# What makes a browser fetch something: an imported sheet, or a function given an address.
_FETCHES = re.compile(
    r"@import\b|\b(?:url|src|image-set|-webkit-image-set|image|cross-fade)\s*\(",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
# A CSS escape: a backslash and up to six hex digits (and one white space), or any character.
_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})[ \t\n\r\f]?|\\([^\n0-9a-fA-F])")


def style_problems(css: str, display: str) -> list[Diagnostic]:
    """Each line of the sheet ``css`` (read from ``display``) that could break out of the
    page's ``<style>`` element or fetch something, as an error naming that line."""
    problems = []
    for number, line in enumerate(css.splitlines(), start=1):
        if _END_OF_STYLE.search(line):
            problems.append(
                Diagnostic(
                    display,
                    number,
                    1,
                    "error",
                    "'</style' here would end the page's style element early and the rest "
                    "would be read as HTML; take it out (CSS never needs it)",
                )
            )
    # Comments split tokens (``u/**/rl(`` is no address), and escapes spell what they mean
    # (``u\72l(`` is ``url(``): read the sheet as the browser does, line by line.
    without_comments = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n") + " ", css)
    for number, line in enumerate(without_comments.splitlines(), start=1):
        found = _FETCHES.search(_unescaped(line))
        if found:
            word = found.group(0).rstrip("( \t").lower()
            what = word if word.startswith("@") else f"{word}(…)"
            problems.append(
                Diagnostic(
                    display,
                    number,
                    1,
                    "error",
                    f"'{what}' would make a reader's browser fetch another file; an HTML "
                    "page holds all it needs, so write the style itself here instead",
                )
            )
    return problems


def _unescaped(line: str) -> str:
    def character(match: re.Match[str]) -> str:
        if match.group(2) is not None:
            return match.group(2)
        code = int(match.group(1), 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"

    return _ESCAPE.sub(character, line)


def read_house_style(templates_dir: Path, name: str = HOUSE_STYLE) -> tuple[Path, str]:
    """The sheet's path and text, checked; raises :class:`ReportgenError` naming the file
    (and line) if it is missing, unreadable or unsafe. ``name`` is for ``reportgen lint``
    given another sheet to check."""
    path = templates_dir / name
    display = str(path)
    try:
        css = path.read_text("utf-8")
    except FileNotFoundError:
        raise ReportgenError(
            [_error(display, "the house style of every HTML page is read from here; it is missing")]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportgenError([_error(display, f"not a readable stylesheet ({exc})")]) from None
    problems = style_problems(css, display)
    if problems:
        raise ReportgenError(problems)
    return path, css


def style_markup(css: str) -> Markup:
    """A checked sheet as a template is given it: text that autoescape leaves as it is."""
    if _END_OF_STYLE.search(css):  # never: every sheet given a template was checked
        raise ValueError("a stylesheet holding '</style' cannot be placed in a page")
    return Markup(css)


def _error(display: str, message: str) -> Diagnostic:
    return Diagnostic(display, 0, 0, "error", message)
