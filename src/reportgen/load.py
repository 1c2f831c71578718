"""YAML files → plain data that remembers the file, line and column of every key and value.

Only YAML's safe subset is loaded; duplicate keys, unknown tags, impossible dates and
alias bombs are diagnostics, never exceptions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic, ReportgenError, Severity, format_key

KeyPath = tuple[str | int, ...]

# An author's inputs are a few hundred values; aliases that expand past this are an attack
# (the "billion laughs") or a mistake, and either way would exhaust memory.
MAX_NODES = 200_000
# No input needs values nested more than a dozen deep; thousands would exhaust the stack of
# every stage that walks them.
MAX_DEPTH = 64
YAML_SUFFIXES = (".yaml", ".yml")
_CORE = "tag:yaml.org,2002:"
ALLOWED_TAGS = {
    _CORE + name for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}


class _Loader(yaml.SafeLoader):
    """The safe loader, closer to YAML 1.2 where 1.1 surprises authors.

    ``yes``/``no``/``on``/``off`` stay text (a council called "NO" is not False), and
    ``5e5`` is a number, as it is in YAML 1.2 and JSON.
    """


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same rules with libyaml's parser: several times faster on large inputs. Its
    error messages are terser, so a file it refuses is parsed again by :class:`_Loader`
    for the message."""


def _decimal_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    # YAML 1.2 reads 016 as 16, not the octal 14 that YAML 1.1 gives.
    text = str(loader.construct_scalar(node)).replace("_", "")
    if text.lstrip("+-").startswith(("0x", "0o", "0b")):
        return int(text, 0)
    return int(text)


for _loader in (_Loader, _FastLoader):
    # YAML 1.1 reads 18:30 as the base-60 number 1110 and yes/no as booleans; authors mean
    # a time and a word. Booleans and integers are re-declared below as YAML 1.2 has them.
    _loader.yaml_implicit_resolvers = {
        first: [
            (tag, regexp) for tag, regexp in resolvers if tag not in (_CORE + "bool", _CORE + "int")
        ]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _loader.add_implicit_resolver(
        _CORE + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
    )
    _loader.add_implicit_resolver(
        _CORE + "int",
        re.compile(r"^(?:[-+]?[0-9][0-9_]*|0x[0-9a-fA-F_]+|0o[0-7_]+)$"),
        list("-+0123456789"),
    )
    _loader.add_constructor(_CORE + "int", _decimal_int)
    _loader.add_implicit_resolver(
        _CORE + "float",
        re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
        list("-+0123456789"),
    )


@dataclass(frozen=True)
class Position:
    """Where a value was written: the file as the user named it, 1-based line and column."""

    file: str
    line: int
    col: int


@dataclass
class Inputs:
    """Every input file merged into one tree, keyed by file stem (and folder for subfolders).

    ``inputs/meetings.yaml`` becomes ``data["meetings"]``;
    ``inputs/documents/cabinet-report.yaml`` becomes ``data["documents"]["cabinet-report"]``.
    """

    root: Path
    data: dict[str, Any] = field(default_factory=dict)
    files: dict[KeyPath, Path] = field(default_factory=dict)
    values: dict[KeyPath, Position] = field(default_factory=dict)
    keys: dict[KeyPath, Position] = field(default_factory=dict)

    def position(self, path: KeyPath, *, of_key: bool = False) -> Position:
        """The position of ``path``, or of its nearest ancestor that was written down."""
        table = self.keys if of_key else self.values
        for n in range(len(path), -1, -1):
            found = table.get(path[:n]) or self.values.get(path[:n])
            if found:
                return found
        return Position(str(self.root), 0, 0)

    def file_of(self, path: KeyPath) -> tuple[KeyPath, Path] | None:
        """The file that holds ``path`` and the file's own prefix in the merged tree."""
        for n in range(len(path), 0, -1):
            if path[:n] in self.files:
                return path[:n], self.files[path[:n]]
        return None

    def diagnostic(
        self, path: KeyPath, message: str, *, of_key: bool = False, severity: Severity = "error"
    ) -> Diagnostic:
        """A problem at ``path``, with the key shown relative to the file that holds it."""
        pos = self.position(path, of_key=of_key)
        owner = self.file_of(path)
        local = path[len(owner[0]) :] if owner else path
        return Diagnostic(pos.file, pos.line, pos.col, severity, message, format_key(local))


def load_inputs(root: Path) -> Inputs:
    """Load every ``*.yaml`` under ``root`` into one :class:`Inputs`; raise on any problem."""
    if not root.is_dir():
        raise ReportgenError(
            Diagnostic(str(root), 0, 0, "error", "inputs directory not found (see --inputs)")
        )
    inputs = Inputs(root=root)
    problems: list[Diagnostic] = []
    paths, problems = input_files(root)
    if not paths and not problems:
        problems.append(Diagnostic(str(root), 0, 0, "error", "no .yaml files in inputs directory"))
    for prefix, path in paths.items():
        try:
            _load_file(path, prefix, inputs)
        except ReportgenError as exc:
            problems.extend(exc.diagnostics)
    if problems:
        raise ReportgenError(problems)
    return inputs


def input_files(root: Path) -> tuple[dict[KeyPath, Path], list[Diagnostic]]:
    """Each YAML file under ``root`` by the key its contents go under; files that cannot be
    read as one (a link to nothing, a folder named like a file, two files for one key) are
    problems, never silently left out."""
    files: dict[KeyPath, Path] = {}
    problems = []
    for path in sorted(p for p in root.rglob("*") if p.suffix in YAML_SUFFIXES):
        rel = path.relative_to(root)
        prefix: KeyPath = (*rel.parent.parts, rel.stem)
        if any(p.startswith(".") for p in prefix):
            continue
        if path.is_symlink() and not path.exists():
            problems.append(_problem(path, "a link to nothing (its target is missing, or a loop)"))
        elif path.is_dir():
            problems.append(_problem(path, "a folder named like a YAML file; rename it"))
        elif prefix in files:
            key = format_key(prefix)
            message = f"{files[prefix].name} is also the inputs' '{key}': keep one of the two"
            problems.append(_problem(path, message))
        else:
            files[prefix] = path
    return files, problems


def _problem(path: Path, message: str) -> Diagnostic:
    return Diagnostic(str(path), 0, 0, "error", message)


def read_text(path: Path) -> str:
    """An input file's text; one that cannot be read or is not UTF-8 raises
    :class:`ReportgenError` saying where."""
    display = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReportgenError(
            Diagnostic(display, 0, 0, "error", f"cannot read: {exc.strerror}")
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data, exc.start)
        message = f"not UTF-8 text ({exc.reason}): save the file as UTF-8"
        raise ReportgenError(Diagnostic(display, line, col, "error", message)) from None


def _load_file(path: Path, prefix: KeyPath, inputs: Inputs) -> None:
    display = str(path)
    text = read_text(path)
    bad = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if bad:
        line, col = _line_col(text, bad.start())
        message = f"the control character U+{ord(bad.group()):04X} is not allowed in YAML"
        raise ReportgenError(Diagnostic(display, line, col, "error", message))

    loader = _FastLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError:
            loader.dispose()
            loader = _Loader(text)
            node = loader.get_single_node()
        builder = _Builder(loader, display, inputs, prefix)
        value = {} if node is None else builder.build(node, prefix)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = exc.problem or exc.context or "invalid YAML"
        start = exc.context_mark
        if exc.context and exc.problem and start and start.line + 1 != line:
            message += f" — {exc.context} that starts at line {start.line + 1}"
        elif exc.context and exc.problem:
            message = f"{exc.context}: {message}"
        if "'\\t'" in message:
            message += " (indent with spaces, not tabs)"
        raise ReportgenError(
            Diagnostic(display, line, col, "error", f"YAML syntax: {message}")
        ) from None
    except yaml.YAMLError as exc:
        raise ReportgenError(Diagnostic(display, 1, 1, "error", f"YAML: {exc}")) from None
    except RecursionError:
        message = f"values nested more than {MAX_DEPTH} deep (lists in lists in lists …)"
        raise ReportgenError(Diagnostic(display, 1, 1, "error", message)) from None
    finally:
        loader.dispose()
    if builder.problems:
        raise ReportgenError(builder.problems)
    if not isinstance(value, dict):
        raise ReportgenError(
            Diagnostic(display, 1, 1, "error", "the file must be a mapping of keys to values")
        )

    parent = inputs.data
    for part in prefix[:-1]:
        parent = parent.setdefault(part, {})
    parent[prefix[-1]] = value
    inputs.files[prefix] = path
    inputs.values.setdefault(prefix, Position(display, 1, 1))
    inputs.keys.setdefault(prefix, Position(display, 1, 1))


# Characters an escape in double quotes can write but a .docx (XML 1.0) cannot hold.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _not_in_xml(value: str) -> str:
    """Why ``value`` cannot go into a document, and what to write instead."""
    found = _NOT_IN_XML.search(value)
    assert found is not None
    char = found.group()
    if "\ud800" <= char <= "\udbff":
        after = value[found.end() : found.end() + 1]
        if "\udc00" <= after <= "\udfff":
            joined = chr(0x10000 + ((ord(char) - 0xD800) << 10) + (ord(after) - 0xDC00))
            return (
                f"\\u{ord(char):04x}\\u{ord(after):04x} is a UTF-16 surrogate pair, which YAML "
                f"does not join: write the character itself ({joined}) or "
                f"\\U{ord(joined):08X}"
            )
    if "\ud800" <= char <= "\udfff":
        return f"\\u{ord(char):04x} is half of a UTF-16 surrogate pair, not a character"
    return f"the character U+{ord(char):04X} cannot appear in a document; remove its escape"


def _line_col(text: str | bytes, offset: int) -> tuple[int, int]:
    newline = "\n" if isinstance(text, str) else b"\n"
    line = text.count(newline, 0, offset) + 1
    return line, offset - (text.rfind(newline, 0, offset) + 1) + 1


class _Builder:
    """Turns a composed YAML node tree into plain Python values, recording positions."""

    def __init__(self, loader: yaml.SafeLoader, display: str, inputs: Inputs, prefix: KeyPath):
        self.loader = loader
        self.display = display
        self.inputs = inputs
        self.prefix = prefix
        self.problems: list[Diagnostic] = []
        self.count = 0

    def _pos(self, node: yaml.Node) -> Position:
        return Position(self.display, node.start_mark.line + 1, node.start_mark.column + 1)

    def _error(self, node: yaml.Node, path: KeyPath, message: str) -> None:
        pos = self._pos(node)
        key = format_key(path[len(self.prefix) :])
        self.problems.append(Diagnostic(pos.file, pos.line, pos.col, "error", message, key))

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise yaml.MarkedYAMLError(
                problem="too many values (aliases expanding without limit?)",
                problem_mark=node.start_mark,
            )
        if len(path) - len(self.prefix) > MAX_DEPTH:
            self._error(node, path, f"values nested more than {MAX_DEPTH} deep")
            return None
        self.inputs.values[path] = self._pos(node)
        if node.tag not in ALLOWED_TAGS:
            self._error(node, path, f"the tag {node.tag} is not allowed in inputs")
            return None
        if isinstance(node, yaml.MappingNode):
            return dict(self._mapping(node, path))
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> Iterator[tuple[str, Any]]:
        seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if (
                not isinstance(key_node, yaml.ScalarNode)
                or key_node.tag == "tag:yaml.org,2002:merge"
            ):
                self._error(key_node, path, "keys must be plain names (no merge keys or lists)")
                continue
            key = str(key_node.value)
            if key in seen:
                first = seen[key].start_mark.line + 1
                self._error(
                    key_node, (*path, key), f"duplicate key '{key}' (first at line {first})"
                )
                continue
            seen[key] = key_node
            self.inputs.keys[(*path, key)] = self._pos(key_node)
            yield key, self.build(value_node, (*path, key))

    def _scalar(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        try:
            value = self.loader.construct_object(node, deep=True)
            if isinstance(value, str) and _NOT_IN_XML.search(value):
                self._error(node, path, _not_in_xml(value))
                return None
            return value
        except yaml.constructor.ConstructorError as exc:
            self._error(node, path, exc.problem or "value cannot be read")
        except ValueError as exc:
            # PyYAML resolves 2014-02-30 as a timestamp and then fails to construct it.
            if node.tag == "tag:yaml.org,2002:timestamp":
                self._error(node, path, f"'{node.value}' is not a real date ({exc})")
            else:
                self._error(node, path, f"'{node.value}' cannot be read: {exc}")
        return None
