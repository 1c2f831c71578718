"""Where a fact ends up: every document and paragraph that a YAML value reaches.

Found by experiment rather than by reading templates: the value (every value under it, for a
mapping) is nudged — text gains a mark, a number grows, a date moves a day — the documents
are composed and rendered again in memory, and the paragraphs whose text changed are the
ones that use it. This sees through prose references, bullets made from lists, tables and
templates alike.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .check import check
from .diagnostics import ReportgenError, did_you_mean, format_key
from .diff import compare, render_checked
from .load import Inputs, KeyPath, load_inputs

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass(frozen=True)
class Use:
    document: str
    title: str
    label: str
    text: str


def parse_key(key: str) -> KeyPath:
    """``programmes.transformation.facts.fund`` or ``documents.cabinet-report.options[1]``."""
    parts: list[str | int] = []
    for name, index in _PART.findall(key):
        parts.append(int(index) if index else name)
    if not parts:
        raise ReportgenError(
            f"'{key}' is not a key path (e.g. programmes.transformation.facts.savings)"
        )
    return tuple(parts)


def uses(inputs_dir: Path, templates: Path, key: str) -> tuple[list[Use], list[str]]:
    """Every paragraph, in every document, whose text depends on the value at ``key``; and
    the values under ``key`` that could not be varied without breaking the inputs (an id,
    say), whose uses are therefore unknown."""
    loaded = load_inputs(inputs_dir)
    path = parse_key(key)
    _value_at(loaded.data, path, key)
    baseline = check(inputs_dir, templates, loaded=loaded)
    if baseline.errors:
        raise ReportgenError(baseline.diagnostics)
    before = render_checked(baseline)
    found: dict[tuple[str, str, str], Use] = {}
    unvaried = []
    for leaf in _leaves(_value_at(loaded.data, path, key), path):
        for nudged in _nudges(loaded, leaf):
            checked = check(inputs_dir, templates, loaded=nudged, lint=False)
            if not checked.errors:  # the rules may refuse a nudge (a date past a deadline)
                break
        else:
            unvaried.append(format_key(leaf))
            continue
        for diff in compare(before, render_checked(checked)):
            for change in diff.changes:
                # The text as it stands, not as the nudge left it.
                use = Use(diff.document, diff.title, change.label, change.old or change.new)
                found.setdefault((diff.document, change.label, use.text), use)
    return list(found.values()), unvaried


def _value_at(data: Any, path: KeyPath, key: str) -> Any:
    node = data
    for depth, part in enumerate(path):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            node = node[part]
        else:
            known = list(node) if isinstance(node, dict) else []
            where = format_key(path[:depth]) or "the inputs"
            hint = did_you_mean(str(part), known) if known else "it is not a mapping"
            raise ReportgenError(f"{key}: no '{part}' in {where} — {hint}")
    return node


def _leaves(node: Any, path: KeyPath) -> list[KeyPath]:
    if isinstance(node, dict):
        return [leaf for k, v in node.items() for leaf in _leaves(v, (*path, k))]
    if isinstance(node, list):
        return [leaf for i, v in enumerate(node) for leaf in _leaves(v, (*path, i))]
    return [path]


def _nudges(loaded: Inputs, leaf: KeyPath) -> Iterator[Inputs]:
    """Copies of the inputs with the value at ``leaf`` changed a little, one way, then the
    other: text gains a mark, numbers (by enough to show through rounding) and dates move
    up, then down."""
    value = _value_at(loaded.data, leaf, format_key(leaf))
    if isinstance(value, bool):
        changes: list[Any] = [not value]
    elif isinstance(value, int):
        # A change in the second significant figure, which no rounding in the text hides
        # (£0.5m becomes £0.51m; a cohort of 16 becomes 17).
        step = max(1, 10 ** (len(str(abs(value))) - 2))
        changes = [value + step, value - step]
    elif isinstance(value, float):
        changes = [value * 1.05 + 0.01, value * 0.95]
    elif isinstance(value, dt.date):
        changes = [value + dt.timedelta(days=1), value - dt.timedelta(days=1)]
    elif isinstance(value, str):
        changes = [value + " ⁂", "⁂ " + value]
    else:
        changes = []
    for change in changes:
        data = copy.deepcopy(loaded.data)
        parent = data
        for part in leaf[:-1]:
            parent = parent[part]
        parent[leaf[-1]] = change
        yield Inputs(loaded.root, data, loaded.files, loaded.values, loaded.keys)
