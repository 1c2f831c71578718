"""A programme's facts as prose sees them, and the checks a programme writes about them.

Facts are typed when they are written (see :mod:`reportgen.model`); here each becomes the
plain value prose reads: money an :class:`~reportgen.text.Amount` ("£320 million"), a range
a record of ``low`` and ``high``, an organisation its record (reading as its name), a group
a record (reading as its ``name`` fact, if it has one), a fact not yet known "to be
confirmed".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .diagnostics import Diagnostic, did_you_mean
from .load import Inputs, KeyPath
from .model import (
    MoneyFact,
    OrganisationFact,
    OrganisationsFact,
    PercentFact,
    Programme,
    Project,
    TableFact,
    Unknown,
)
from .text import Amount, Percent, ProseError, evaluate, interpolate, money_range_value
from .view import NotKnown, Record, plain

# Names prose has whatever the programme: a fact may not take one of them.
RESERVED = {
    "org": "all organisations, by id",
    "programme": "the document's programme",
    "council": "the council the document is written for",
    "partner": "the other council of a two-council programme",
    "ref": "the function that numbers cross-references",
    "meeting": "the report's meeting",
    "report": "the report itself",
    "document": "the form itself",
    "item": "each entry of a list in for_each",
    "loop": "Jinja's loop variable",
    "range": "Jinja's range function",
}


# Prose of every document, and every programme's checks, see the same organisations and
# facts: made into plain data once per project, not once per document.
_views: tuple[Project, dict[str, Any]] | None = None


def _cached(project: Project) -> dict[str, Any]:
    global _views
    if _views is None or _views[0] is not project:
        _views = (project, {})
    return _views[1]


def organisations(project: Project) -> Record:
    """Every organisation, by id, as prose sees them (``org.dclg``)."""
    cache = _cached(project)
    if "org" not in cache:
        found = plain(project.organisations, kind="the organisations")
        assert isinstance(found, Record)
        cache["org"] = found
    return cache["org"]


def fact_values(programme: Programme, org: Record) -> dict[str, Any]:
    """The programme's facts, by name, as plain values for prose and templates."""
    return {name: _value(value, org, name) for name, value in programme.facts.items()}


def _value(value: Any, org: Record, path: str) -> Any:
    if isinstance(value, MoneyFact):
        if isinstance(value.money, tuple):
            return money_range_value(*value.money)
        return Amount(value.money)
    if isinstance(value, PercentFact):
        return Percent(value.percent)
    if isinstance(value, OrganisationFact):
        return org[value.org]
    if isinstance(value, OrganisationsFact):
        return tuple(org[i] for i in value.orgs)
    if isinstance(value, Unknown):
        return NotKnown(value.unknown)
    if isinstance(value, TableFact):
        table = value.table
        return Record({"columns": table.columns, "rows": table.rows}, kind=f"the table {path}")
    if isinstance(value, list):
        return tuple(_value(v, org, f"{path}[{i}]") for i, v in enumerate(value))
    if isinstance(value, dict):
        fields = {k: _value(v, org, f"{path}.{k}") for k, v in value.items()}
        name = fields.get("name")
        # A group with a name reads as it: "the {{ fund }}" is "the Transformation Challenge
        # Award"; any other group must be read a fact at a time.
        return Record(fields, text=name if isinstance(name, str) else None, kind=path)
    return value


def programme_view(project: Project, programme_id: str) -> dict[str, Any]:
    """What prose of a document of a programme is given: each fact by its name, and
    ``programme`` (its title, its councils and its facts)."""
    cache = _cached(project)
    key = f"programme:{programme_id}"
    if key not in cache:
        cache[key] = _programme_view(programme_id, project.programmes[programme_id], project)
    return cache[key]


def _programme_view(programme_id: str, programme: Programme, project: Project) -> dict[str, Any]:
    org = organisations(project)
    values = fact_values(programme, org)
    record = Record(
        {
            "id": programme_id,
            "title": programme.title,
            "councils": tuple(org[c] for c in programme.councils),
            **values,
        },
        text=programme.title,
        kind=f"programme '{programme_id}'",
    )
    return {**values, "programme": record}


def check_programmes(project: Project, inputs: Inputs) -> list[Diagnostic]:
    """Every check each programme writes that its facts do not keep, located at the fact
    the check names (or the check itself), with the check's own message."""
    return [
        problem
        for programme_id in project.programmes
        for problem in _checks(inputs, project, programme_id)
    ]


def _checks(inputs: Inputs, project: Project, programme_id: str) -> Iterator[Diagnostic]:
    programme = project.programmes[programme_id]
    known = {**programme_view(project, programme_id), "org": organisations(project)}
    base: KeyPath = ("programmes", programme_id)
    for i, check in enumerate(programme.checks):
        path: KeyPath = (*base, "checks", i)
        where = path
        if check.at is not None:
            fact = tuple(int(p) if p.isdigit() else p for p in check.at.split("."))
            if (*base, "facts", *fact) in inputs.values:
                where = (*base, "facts", *fact)
            else:
                hint = did_you_mean(check.at, _fact_paths(programme.facts))
                yield inputs.diagnostic(
                    (*path, "at"), f"'{check.at}' is not a fact of this programme — {hint}"
                )
        try:
            kept = evaluate(check.that, known)
        except ProseError as exc:
            yield inputs.diagnostic((*path, "that"), f"this check cannot be evaluated: {exc}")
            continue
        if isinstance(kept, NotKnown) or kept:
            continue
        try:
            message = interpolate(check.message, known)
        except ProseError as exc:
            yield inputs.diagnostic((*path, "message"), str(exc))
            continue
        position = inputs.position((*path, "that"))
        yield inputs.diagnostic(where, f"{message} (the check at line {position.line})")


def _fact_paths(facts: dict[str, Any], prefix: str = "") -> list[str]:
    """Every fact's dotted name (``fund.tranches.main_round.amount``), for suggestions."""
    found = []
    for name, value in facts.items():
        path = f"{prefix}{name}"
        found.append(path)
        if isinstance(value, dict):
            found += _fact_paths(value, f"{path}.")
    return found
