"""One canonical layout for the inputs, comments kept, so diffs show only real changes.

Keys are put in the order the model declares them (ids an author chose, such as council ids,
keep the author's order); indentation is two spaces, list items indented under their key;
quotes only where YAML needs them; text is never re-wrapped. Comments, folded text
(``>-``) and flow lists (``[nlc, nelc]``) stay as written.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from .diagnostics import Diagnostic, ReportgenError
from .load import input_files, read_text
from .model import FOLDERS, Project, Unknown, branches, is_unknown

# Never re-wrap text: folded text (>-) keeps the lines its author gave it, other text
# stays on one line, so a changed word changes one line of the diff.
WIDTH = 4096


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = WIDTH
    yaml.allow_unicode = True
    yaml.preserve_quotes = False
    return yaml


def format_text(text: str, annotation: Any) -> str:
    """``text`` (one input file) in the canonical layout, given the model type it holds."""
    yaml = _yaml()
    data = yaml.load(text)
    if data is None:
        return text
    _order(data, annotation)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def file_type(inputs: Path, path: Path) -> Any:
    """The model type an input file holds: ``programmes/x.yaml`` a Programme, and so on."""
    relative = path.relative_to(inputs)
    fields = Project.model_fields
    top = relative.parts[0] if len(relative.parts) > 1 else relative.stem
    if top not in fields:
        return None
    annotation = fields[top].annotation
    if top in FOLDERS:
        annotation = get_args(annotation)[1]
    return annotation


def format_inputs(inputs: Path, *, check: bool) -> list[Path]:
    """Format every input file (or, with ``check``, only find them); the files that change."""
    changed = []
    paths, problems = input_files(inputs)
    for path in paths.values():
        try:
            text = read_text(path)
        except ReportgenError as exc:
            problems.extend(exc.diagnostics)
            continue
        # Git for Windows checks files out with CRLF line ends: the layout is the same
        # whichever line ends a file has, and a file keeps its own.
        newline = "\r\n" if "\r\n" in text else "\n"
        text = text.replace("\r\n", "\n")
        try:
            formatted = format_text(text, file_type(inputs, path))
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
            problems.append(Diagnostic(str(path), line, col, "error", f"cannot format: {exc}"))
            continue
        if formatted != text:
            changed.append(path)
            if not check:
                path.write_bytes(formatted.replace("\n", newline).encode("utf-8"))
    if problems:
        raise ReportgenError(problems)
    return changed


def _order(node: Any, annotation: Any) -> None:
    if isinstance(node, CommentedSeq):
        element = _element(annotation)
        for item in node:
            _order(item, element)
        return
    if not isinstance(node, CommentedMap):
        return
    model = _model_for(node, annotation)
    if model is None:
        value_type = _mapping_value(annotation)
        for value in node.values():
            _order(value, value_type)
        return
    order = list(model.model_fields)
    keys = list(node.keys())
    wanted = [k for k in order if k in node] + [k for k in keys if k not in order]
    if wanted != keys:
        _reorder(node, wanted)
    for key, value in node.items():
        field = model.model_fields.get(key)
        _order(value, field.annotation if field else None)


def _reorder(node: CommentedMap, wanted: list[str]) -> None:
    """Move keys into ``wanted`` order, carrying each key's comments with it."""
    items = [(k, node[k]) for k in wanted]
    comments = {k: node.ca.items.get(k) for k in wanted}
    for key in list(node.keys()):
        del node[key]
    for position, (key, value) in enumerate(items):
        node.insert(position, key, value)
        if comments[key] is not None:
            node.ca.items[key] = comments[key]


def _model_for(node: CommentedMap, annotation: Any) -> type[BaseModel] | None:
    models = [b for b in branches(annotation) if isinstance(b, type) and issubclass(b, BaseModel)]
    if is_unknown(node) and Unknown in models:
        return Unknown
    models = [m for m in models if m is not Unknown]
    if not models:
        return None
    # Documents of different shapes share 'kind'; the shape is the model whose keys the
    # mapping uses most.
    return max(models, key=lambda m: sum(key in m.model_fields for key in node))


def _element(annotation: Any) -> Any:
    for branch in branches(annotation):
        if get_origin(branch) is list:
            return get_args(branch)[0]
    return None


def _mapping_value(annotation: Any) -> Any:
    for branch in branches(annotation):
        if get_origin(branch) is dict:
            return get_args(branch)[1]
    return None
