"""``reportgen build|validate|lint``: the command line. ``tasks.py`` calls the same code.

Exit codes: 0 success (warnings allowed), 1 problems an author can fix, 2 usage,
3 an internal error (a bug: ``--debug`` shows the traceback), 130 interrupted.
"""

from __future__ import annotations

import argparse
import errno
import json
import math
import os
import shutil
import signal
import sys
import tempfile
import traceback
import urllib.parse
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

# Each command imports the stages it uses when it runs, not here: `reportgen textconv`
# (run by git for every template in a diff) needs none of the model, `validate` none of the
# build, and a no-op build none of what converts, finishes and packs PDFs.
from .conversion import SHARED_FROM
from .convert import DEFAULT_TIMEOUT
from .diagnostics import Diagnostic, PublishedThenInterrupted, PublishError, ReportgenError

if TYPE_CHECKING:
    from .resident import Converter

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
# A build of more files than this lists none of them: the manifest does.
LIST_OUTPUTS = 20


def _positive_whole_number(text: str) -> int:
    """``--jobs``: a whole number of at least 1 (argparse turns the error into exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _positive_seconds(text: str) -> float:
    """``--timeout``: a finite number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, not {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0, not {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reportgen",
        description="Build council reports, bids and packs from YAML inputs.",
    )
    parser.add_argument(
        "--debug", action="store_true", help="show a Python traceback on unexpected errors"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str, *, inputs: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if inputs:
            sub.add_argument("--inputs", type=Path, default=Path("inputs"), help="default: inputs/")
        sub.add_argument(
            "--templates", type=Path, default=Path("templates"), help="default: templates/"
        )
        return sub

    build_cmd = add("build", "render every document to .docx and PDF, and write the manifest")
    build_cmd.add_argument("--out", type=Path, default=Path("build"), help="default: build/")
    build_cmd.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=DEFAULT_TIMEOUT,
        help=f"seconds LibreOffice may take per document (default {DEFAULT_TIMEOUT:g})",
    )
    build_cmd.add_argument(
        "--jobs",
        type=_positive_whole_number,
        default=None,
        help="LibreOffice processes to run at once (default: one per core, or one for "
        f"fewer than {SHARED_FROM} documents)",
    )
    build_cmd.add_argument(
        "--force", action="store_true", help="rebuild every output, even those up to date"
    )
    build_cmd.add_argument(
        "--into-existing",
        action="store_true",
        help="build into a folder that holds other files but no reportgen manifest",
    )
    build_cmd.add_argument("--quiet", action="store_true", help="print only problems")
    build_cmd.add_argument(
        "--final",
        action="store_true",
        help="refuse to build while any fact is still {unknown: ...} (no DRAFT documents)",
    )
    build_cmd.add_argument(
        "--converter",
        action="append",
        metavar="HOST:PORT",
        help="convert with a running unoserver there instead of starting LibreOffice "
        "(repeatable: the work is shared among them)",
    )
    build_cmd.add_argument(
        "--only",
        metavar="MEETING",
        help="build this meeting's papers alone, keeping the rest of the last build as it "
        "is; with --final, only the facts they use must be known",
    )

    preview = add(
        "preview",
        "build, serve build/ on 127.0.0.1 and rebuild on every change to the inputs or "
        "templates, with LibreOffice kept running; Ctrl-C stops",
    )
    preview.add_argument("--out", type=Path, default=Path("build"), help="default: build/")
    preview.add_argument(
        "--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000; 0: any free)"
    )
    preview.add_argument(
        "--jobs",
        type=_positive_whole_number,
        default=None,
        help="LibreOffice converters to keep running (default: one per core)",
    )
    preview.add_argument(
        "--converter",
        action="append",
        metavar="HOST:PORT",
        help="use a running unoserver there instead of starting converters (repeatable)",
    )
    preview.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=DEFAULT_TIMEOUT,
        help=f"seconds a conversion may take (default {DEFAULT_TIMEOUT:g})",
    )

    validate = add("validate", "check inputs and templates and list every problem; build nothing")
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.add_argument(
        "--final", action="store_true", help="treat facts not yet known as errors"
    )
    validate.add_argument(
        "--only", metavar="MEETING", help="with --final: only the facts this meeting's papers use"
    )

    lint = add("lint", "check templates without rendering them")
    lint.add_argument("files", nargs="*", type=Path, help="templates (default: all)")
    lint.add_argument("--format", choices=("text", "json"), default="text")
    lint.add_argument(
        "--acronyms",
        action="store_true",
        help="list each document's acronyms: where first used and where spelt out",
    )
    lint.add_argument(
        "--prose",
        action="store_true",
        help="list paragraphs by reading ease, hardest first, with a summary per document",
    )
    diff = add("diff", "show what a change to the inputs does to the documents' text")
    diff.add_argument("base", nargs="?", help="git revision (default: origin/main, or main)")
    diff.add_argument("head", nargs="?", help="git revision (default: the working tree)")
    diff.add_argument("--format", choices=("terminal", "markdown", "json"), default="terminal")
    diff.add_argument(
        "--html-base",
        type=_web_address,
        metavar="URL",
        help="where build/ is published: the markdown links changed paragraphs to the HTML "
        "editions there (URL/<meeting>/<document>.html#para-2-12)",
    )

    where = add("uses", "list every document and paragraph a YAML value ends up in")
    where.add_argument("key", help="e.g. programmes.transformation.facts.savings")
    where.add_argument("--format", choices=("text", "json"), default="text")

    fmt = add("fmt", "put the input files into one canonical layout, keeping comments")
    fmt.add_argument("--check", action="store_true", help="change nothing; exit 1 if any would")

    textconv = commands.add_parser(
        "textconv", help="print a .docx template's text with its tags (for git diff)"
    )
    textconv.add_argument("file", type=Path)

    schema = commands.add_parser(
        "schema", help="write JSON Schemas of the input files, for editors"
    )
    schema.add_argument("--out", type=Path, default=Path("schemas"), help="default: schemas/")
    return parser


def _web_address(value: str) -> str:
    """A base address for links: http or https, with a host."""
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not a web address; give one like https://papers.example.gov.uk/build"
        )
    return value


def run_diff(args: argparse.Namespace) -> int:
    """Print the rendered diff between two sides."""
    from .diff import as_json, as_markdown, as_terminal, rendered_diff

    base, head, diffs = rendered_diff(args.inputs, args.templates, args.base, args.head)
    if args.format == "markdown":
        print(as_markdown(base, head, diffs, html_base=args.html_base), end="")
    elif args.format == "json":
        print(as_json(base, head, diffs), end="")
    else:
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        print(as_terminal(base, head, diffs, colour=colour), end="")
    return EXIT_OK


def run_uses(args: argparse.Namespace) -> int:
    """Print where the value at a key path is used."""
    from .uses import uses

    found, unvaried = uses(args.inputs, args.templates, args.key)
    if args.format == "json":
        document = {"uses": [asdict(u) for u in found], "not_varied": unvaried}
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return EXIT_OK
    for key in unvaried:
        print(
            f"reportgen: warning: {key} cannot be changed a little without breaking the "
            "inputs (an id?), so where it is used is not known",
            file=sys.stderr,
        )
    if not found and not unvaried:
        print(f"{args.key}: not used in any document")
    for use in found:
        # A paragraph's text starts with its number, a table row's with its first cell:
        # both are the label already.
        text = use.text
        said = use.label.rsplit(" / ", 1)[-1]
        if text.startswith(said):
            text = text[len(said) :].lstrip(" |\t")
        text = text if len(text) <= 90 else text[:87] + "..."
        print(f"{use.document}  {use.label}  {text}")
    return EXIT_OK


def run_fmt(args: argparse.Namespace) -> int:
    """Format the inputs, or with --check name the files that are not formatted."""
    from .fmt import format_inputs

    changed = format_inputs(args.inputs, check=args.check)
    for path in changed:
        print(f"{'would reformat' if args.check else 'reformatted'} {path}")
    if args.check and changed:
        print(f"{len(changed)} files to format: run reportgen fmt", file=sys.stderr)
        return EXIT_ERRORS
    if not changed:
        print(f"{args.inputs}: formatted")
    return EXIT_OK


def run_textconv(args: argparse.Namespace) -> int:
    """Print a template's text, tags and all."""
    from .extract import template_text

    try:
        print(template_text(args.file), end="")
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ReportgenError(f"{args.file}: not a readable .docx file ({exc})") from None
    return EXIT_OK


def run_schema(args: argparse.Namespace) -> int:
    """Write the JSON Schemas of the input files."""
    from .schema import write_schemas

    for path in write_schemas(args.out):
        print(f"wrote {path}")
    return EXIT_OK


def run_preview(args: argparse.Namespace) -> int:
    """The author's loop: build, serve, rebuild on change, until Ctrl-C."""
    from .paths import Paths
    from .preview import run_preview as preview

    try:
        preview(
            Paths(args.inputs, args.templates, args.out),
            port=args.port,
            workers=args.jobs or 0,
            addresses=args.converter,
            timeout=args.timeout,
            log=lambda message: print(message, flush=True),
        )
    except KeyboardInterrupt:
        print("preview stopped", flush=True)
    return EXIT_OK


def run_build(args: argparse.Namespace) -> int:
    """Build, print what was built and any warnings; the exit code."""
    if args.converter:
        from .resident import Converters

        scratch = Path(tempfile.mkdtemp(prefix="reportgen-converters-"))
        try:
            with Converters(scratch, addresses=args.converter) as converters:
                return _build(args, converters.converters)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return _build(args, [])


def _build(args: argparse.Namespace, converters: list[Converter]) -> int:
    from .build import Paths, build

    out: Path = args.out

    def log(message: str) -> None:
        if not args.quiet:
            print(message, flush=True)

    result = build(
        Paths(args.inputs, args.templates, out),
        final=args.final,
        force=args.force,
        into_existing=args.into_existing,
        timeout=args.timeout,
        workers=args.jobs,
        log=log,
        progress=_progress_bar() if _interactive(args) else None,
        only=args.only,
        converters=converters,
    )
    _print_text(result.warnings)
    if len(result.outputs) <= LIST_OUTPUTS:
        for output in result.outputs:
            pages = f", {output.pages} pages" if output.pages else ""
            log(f"  {out / output.path}  ({output.kind}{pages})")
    log(
        f"built {result.built} documents and {result.packs_built} packs, "
        f"{result.up_to_date} documents up to date, in {result.seconds:.1f} s; "
        f"see {out / 'manifest.json'}"
    )
    return EXIT_OK


def _interactive(args: argparse.Namespace) -> bool:
    """A person at a terminal: show progress that redraws; in CI or piped, plain lines."""
    return not args.quiet and sys.stdout.isatty() and not os.environ.get("CI")


def _progress_bar() -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        end = "\n" if done == total else ""
        bar = "#" * filled + "." * (width - filled)
        print(f"\r  converted [{bar}] {done}/{total}", end=end, flush=True)

    return show


def run_validate(args: argparse.Namespace) -> int:
    """Check inputs and templates and print every diagnostic; 1 if any is an error."""
    from .check import check

    checked = check(args.inputs, args.templates, final=args.final, only=args.only)
    _report(checked.diagnostics, args.format)
    if args.format == "text" and not checked.errors:
        documents = len(checked.project.documents) if checked.project else 0
        print(f"{args.inputs}: ok ({documents} documents, {len(checked.warnings)} warnings)")
    return EXIT_ERRORS if checked.errors else EXIT_OK


def run_acronyms(args: argparse.Namespace) -> int:
    """Print each document's acronyms, where each is first used and where spelt out."""
    from .acronyms import acronyms_of
    from .check import check

    checked = check(args.inputs, args.templates)
    if checked.project is None:
        _report(checked.diagnostics, "text")
        return EXIT_ERRORS
    known = set(checked.project.style.known_acronyms)
    full = {**checked.contexts, **checked.private_contexts}
    for document_id, context in full.items():
        print(document_id)
        for entry in acronyms_of(checked.project, document_id, context):
            if entry.spelt_out is None:
                said = "known" if entry.acronym in known else "never spelt out"
            else:
                said = f"spelt out in {entry.spelt_out}"
            early = " (used before it is spelt out)" if entry.early and entry.spelt_out else ""
            print(f"  {entry.acronym:<8} first used in {entry.first_used}; {said}{early}")
    return EXIT_OK


def run_prose(args: argparse.Namespace) -> int:
    """Print every scored paragraph, hardest to read first, then a summary per document."""
    from .check import check
    from .plain import scores

    checked = check(args.inputs, args.templates)
    if checked.project is None:
        _report(checked.diagnostics, "text")
        return EXIT_ERRORS
    found = scores(checked.project, {**checked.contexts, **checked.private_contexts})
    rules = checked.project.style.plain_english
    print("reading ease  longest sentence  document: paragraph")
    for scored in sorted(found, key=lambda s: s.reading_ease):
        print(
            f"{scored.reading_ease:12.0f}  {scored.longest_sentence:16d}  "
            f"{scored.document}: {scored.piece.label}"
        )
    print()
    for document in sorted({s.document for s in found}):
        mine = [s for s in found if s.document == document]
        mean = sum(s.reading_ease for s in mine) / len(mine)
        hard = ""
        if rules is not None and rules.reading_ease is not None:
            below = sum(1 for s in mine if s.reading_ease < rules.reading_ease)
            hard = f", {below} below the house style's {rules.reading_ease:g}"
        print(f"{document}: {len(mine)} paragraphs scored, mean reading ease {mean:.0f}{hard}")
    return EXIT_OK


def run_lint(args: argparse.Namespace) -> int:
    """Lint the given templates (or every .docx and HTML template in the templates directory,
    and the house style every HTML page holds, which must be there)."""
    if args.acronyms:
        return run_acronyms(args)
    if args.prose:
        return run_prose(args)
    from .house_style import HOUSE_STYLE

    every = [*args.templates.glob("*.docx"), *args.templates.glob("*.html")]
    files = args.files or sorted([*every, args.templates / HOUSE_STYLE] if every else [])
    if not files:
        _report([Diagnostic(str(args.templates), 0, 0, "error", "no .docx templates")], "text")
        return EXIT_ERRORS
    kinds = _template_kinds(args.inputs)
    found = sorted({d for f in files for d in _lint_as_kinds(f, kinds.get(f.name, set()))})
    _report(found, args.format)
    if args.format == "text" and not found:
        print(f"{len(files)} templates: ok")
    return EXIT_ERRORS if any(d.severity == "error" for d in found) else EXIT_OK


def _template_kinds(inputs: Path) -> dict[str, set[str]]:
    """Template file name → the kinds of document or page made from it: those of the
    templates reportgen names itself, and those the inputs name (if they can be read)."""
    from .check import (
        DECISION_RECORD_TEMPLATE,
        FORWARD_PLAN_TEMPLATE,
        HTML_TEMPLATES,
        MARK_TEMPLATE,
        NOTICE_TEMPLATE,
        PAGE_TEMPLATES,
    )
    from .compose import shape_of
    from .load import load_inputs
    from .model import parse_project, template_of

    kinds: dict[str, set[str]] = {}
    fixed = {
        FORWARD_PLAN_TEMPLATE: "forward-plan",
        DECISION_RECORD_TEMPLATE: "decision-record",
        NOTICE_TEMPLATE: "exempt-notice",
        MARK_TEMPLATE: "private-mark",
        **{name: shape for shape, name in HTML_TEMPLATES.items()},
        **{name: page for page, name in PAGE_TEMPLATES.items()},
    }
    for name, kind in fixed.items():
        kinds.setdefault(name, set()).add(kind)
    try:
        project = parse_project(load_inputs(inputs))
    except ReportgenError:
        return kinds
    for document in project.documents.values():
        kinds.setdefault(template_of(project, document), set()).add(shape_of(document))
    for kind in project.kinds.values():
        if kind.html_template:
            kinds.setdefault(kind.html_template, set()).add(kind.shape)
    for meeting in project.meetings.values():
        kinds.setdefault(meeting.pack_template, set()).add("pack")
        if meeting.folio_template:
            kinds.setdefault(meeting.folio_template, set()).add("folio")
    return kinds


def _lint_as_kinds(template: Path, kinds: set[str]) -> list[Diagnostic]:
    """Lint ``template`` for each kind of document the inputs make from it; a template no
    input names is linted as whichever kind fits it best (the fewest problems)."""
    from .compose import context_types
    from .lint import lint_template

    if template.suffix == ".css":  # the house style: no names to check, only its safety
        return lint_template(template, {})
    if kinds:
        return [d for kind in sorted(kinds) for d in lint_template(template, context_types(kind))]
    every = (
        *("report", "form", "pack", "folio", "forward-plan", "decision-record", "exempt-notice"),
        *("pack-page", "meeting-index", "site-index"),
    )
    return min((lint_template(template, context_types(k)) for k in every), key=len)


def _report(diagnostics: list[Diagnostic], form: str) -> None:
    if form == "json":
        errors = sum(d.severity == "error" for d in diagnostics)
        document = {
            "diagnostics": [d.as_dict() for d in diagnostics],
            "errors": errors,
            "warnings": len(diagnostics) - errors,
        }
        print(json.dumps(document, indent=2, ensure_ascii=False))
    elif diagnostics:
        _print_text(diagnostics)
        errors = sum(d.severity == "error" for d in diagnostics)
        print(
            _count(errors, "error") + ", " + _count(len(diagnostics) - errors, "warning"),
            file=sys.stderr,
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _print_text(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        print(diagnostic, file=sys.stderr)


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt, so clean-up (killing LibreOffice, removing the
    staging directory) runs when a CI job or a user's kill stops the build."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


COMMANDS = {
    "build": run_build,
    "preview": run_preview,
    "validate": run_validate,
    "lint": run_lint,
    "schema": run_schema,
    "diff": run_diff,
    "textconv": run_textconv,
    "uses": run_uses,
    "fmt": run_fmt,
}


def run() -> NoReturn:
    """The ``reportgen`` command and ``python -m reportgen``: :func:`main`, then exit with
    its code.

    An interrupted run exits at once with 130, its clean-up done. CPython marks a
    KeyboardInterrupt "unhandled" when it passes through code run by ``exec`` of a string
    (``dataclasses`` makes methods so while modules import), even once caught, and then
    ends the process by SIGINT after finalising, whatever exit code it was given: a
    Ctrl-C or SIGTERM in the build's first half second would end it so, not with 130.
    """
    code = main()
    if code == EXIT_INTERRUPTED:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``reportgen`` and ``python -m reportgen``."""
    args = _parser().parse_args(argv)
    try:
        with _terminate_as_interrupt():
            return COMMANDS[args.command](args)
    except ReportgenError as exc:
        _print_text(exc.diagnostics)
        errors = sum(d.severity == "error" for d in exc.diagnostics)
        if isinstance(exc, PublishError):
            print(f"{_count(errors, 'error')}; the output is partly changed", file=sys.stderr)
        else:
            print(f"{_count(errors, 'error')}; nothing in the output was changed", file=sys.stderr)
        return EXIT_ERRORS
    except OSError as exc:
        if args.debug:
            traceback.print_exc()
        reason = "disk full" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
        where = f"{exc.filename}: " if exc.filename else ""
        print(
            f"reportgen: error: {where}{reason}; nothing in the output was changed",
            file=sys.stderr,
        )
        return EXIT_ERRORS
    except PublishedThenInterrupted:
        print("reportgen: interrupted once the new outputs were in place", file=sys.stderr)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        print("reportgen: interrupted; nothing in the output was changed", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug in reportgen, not the author's input
        if args.debug:
            traceback.print_exc()
        print(
            f"reportgen: internal error: {type(exc).__name__}: {exc} "
            "(run with --debug for details and report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
