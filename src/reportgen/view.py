"""What prose and templates are given: plain, read-only data, made from the typed model.

Inputs and templates arrive in pull requests, so they are untrusted. Jinja's sandbox refuses
the well-known escapes (``__class__``, ``__globals__``), but every *method* of an object handed
to a template is still reachable, and pydantic models have dangerous ones (``parse_raw`` with
pickle runs code, ``parse_file`` reads any file). So no such object crosses into a template:
:func:`plain` turns models, dataclasses and mappings into :class:`Record` values (named,
read-only fields and nothing else), lists into tuples, and refuses anything it does not know.
The only callables a template can reach are :class:`Function` values that reportgen puts
there itself (``ref``). :mod:`reportgen.text`'s sandbox is the second wall: it admits
attributes only of these data types, and calls only of these functions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from .diagnostics import did_you_mean
from .model import Unknown

TO_BE_CONFIRMED = "to be confirmed"

# Values that are data by themselves; the sandbox lets a template read none of their
# attributes (a date's year, month and day excepted) and call none of their methods.
SCALARS = (str, bool, int, float, Decimal, dt.date, type(None))


class Record:
    """A read-only group of named facts: ``council.name``, ``fund.tranches.main_round``.

    Fields are read as attributes or items; a record has no public attributes of its own,
    so a fact may have any name (even ``items`` or ``copy``) and nothing else is reachable.
    ``text`` is what the record reads as in prose (an organisation reads as its name); a
    record without one cannot be written as text. ``kind`` names it in messages.
    """

    __slots__ = ("_fields", "_kind", "_text")

    def __init__(
        self, fields: Mapping[str, Any], *, text: str | None = None, kind: str = "this group"
    ) -> None:
        values = {str(name): plain(value) for name, value in fields.items()}
        object.__setattr__(self, "_fields", values)
        object.__setattr__(self, "_text", text)
        object.__setattr__(self, "_kind", kind)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # never a fact; also keeps copy/pickle from recursing
            raise AttributeError(name)
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{self._kind} is read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{self._kind} is read-only")

    def __getitem__(self, name: str) -> Any:
        return self._fields[name]

    def __contains__(self, name: object) -> bool:
        return name in self._fields

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Record)
            and type(other) is type(self)
            and (self._fields, self._text) == (other._fields, other._text)
        )

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        if self._text is None:
            names = ", ".join(self._fields) or "nothing"
            raise TypeError(
                f"{self._kind} ({names}) is a group of facts, not one: "
                "write one of them, e.g. {{ x.name }}, or use a filter"
            )
        return self._text

    def __repr__(self) -> str:
        return f"<{self._kind}: {', '.join(self._fields)}>"


def fields_of(record: Record) -> dict[str, Any]:
    """A record's fields, for reportgen's own code (templates cannot call this)."""
    return dict(record._fields)


def text_of(record: Record) -> str | None:
    """What a record reads as in prose, if anything."""
    return record._text


def kind_of(record: Record) -> str:
    """What a record is, in words, for messages."""
    return record._kind


def missing(record: Record, name: str) -> str:
    """The message for a fact ``name`` that ``record`` does not have."""
    return f"'{name}' is not an attribute of {record._kind} — {did_you_mean(name, record._fields)}"


_UNKNOWNS_READ: ContextVar[list[str] | None] = ContextVar("unknowns_read", default=None)


@contextmanager
def unknowns_read() -> Iterator[list[str]]:
    """Collect the reasons of the facts not yet known that are written as text while in the
    block: a document that writes one is a draft."""
    read: list[str] = []
    token = _UNKNOWNS_READ.set(read)
    try:
        yield read
    finally:
        _UNKNOWNS_READ.reset(token)


class NotKnown(Record):
    """A fact not known yet (``{unknown: why}``): reads as "to be confirmed"."""

    __slots__ = ()

    def __init__(self, reason: str) -> None:
        super().__init__({"unknown": reason}, text=TO_BE_CONFIRMED, kind="a fact not yet known")

    def __str__(self) -> str:
        read = _UNKNOWNS_READ.get()
        if read is not None:
            read.append(str(fields_of(self)["unknown"]))
        return super().__str__()


def holds_unknown(value: Any) -> bool:
    """Whether plain data holds a fact not yet known anywhere inside it."""
    return bool(unknown_reasons(value))


def unknown_reasons(value: Any) -> set[str]:
    """The reasons (``{unknown: why}``) of every fact not yet known that plain data holds."""
    reasons: set[str] = set()
    stack = [value]
    # A record reached by two paths (a council named in many places) is looked in once.
    seen: set[int] = set()
    while stack:
        value = stack.pop()
        if isinstance(value, SCALARS):
            continue
        if isinstance(value, NotKnown):
            reasons.add(str(fields_of(value)["unknown"]))
            continue
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, Record):
            stack.extend(value._fields.values())
        elif isinstance(value, Mapping):
            stack.extend(value.values())
        elif isinstance(value, tuple | list):
            stack.extend(value)
    return reasons


class Function:
    """A function reportgen gives prose, such as ``ref('savings')``: the only kind of value
    a template may call (besides its own macros and ``range``)."""

    __slots__ = ("_call", "_name")

    def __init__(self, name: str, call: Callable[..., Any]) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_call", call)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return plain(self._call(*args, **kwargs))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a function is read-only")

    def __repr__(self) -> str:
        return f"<function {self._name}>"


def plain(value: Any, *, kind: str | None = None) -> Any:
    """``value`` as data a template may see; raise ``TypeError`` for anything else.

    Models become records of their fields and properties (reading as their ``str`` if the
    model defines one), dataclasses and mappings become records, lists become tuples.
    """
    if isinstance(value, SCALARS) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, Record | Function):
        return value
    if isinstance(value, Unknown):
        return NotKnown(value.unknown)
    if isinstance(value, BaseModel):
        cls = type(value)
        names = _names(cls)
        text = str(value) if cls.__str__ is not BaseModel.__str__ else None
        return Record({n: getattr(value, n) for n in names}, text=text, kind=kind or cls.__name__)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = [f.name for f in dataclasses.fields(value)]
        return Record({n: getattr(value, n) for n in names}, kind=kind or type(value).__name__)
    if isinstance(value, Mapping):
        return Record(value, kind=kind or "this group")
    if isinstance(value, list | tuple):
        return tuple(plain(item) for item in value)
    raise TypeError(f"a {type(value).__name__} is not data a template may be given")


def plain_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """A template's context with every value made :func:`plain`."""
    return {name: plain(value) for name, value in context.items()}


@functools.cache
def _names(cls: type[BaseModel]) -> tuple[str, ...]:
    """What a model's record holds: its fields, then its own properties."""
    return (*cls.model_fields, *_properties(cls))


def _properties(cls: type) -> list[str]:
    """A model's own properties (``Organisation.abbreviation``), not pydantic's."""
    return [
        name
        for klass in reversed(cls.__mro__)
        if issubclass(klass, BaseModel) and klass is not BaseModel
        for name, member in vars(klass).items()
        if isinstance(member, property) and not name.startswith("_")
    ]
