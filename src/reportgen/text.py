"""en-GB wording of facts, and the sandboxed Jinja in which prose and templates refer to them.

Money is written the way council papers write it: ``£320 million`` in running text,
``£0.5m`` where the author asks for the short form. Dates are ``22 May 2014``.

Prose and templates are untrusted (see :mod:`reportgen.view`). They are given plain data
only, and the sandbox here admits nothing else: attributes only of records (their facts),
dates (year, month, day) and loops (``loop.index``…); calls only of reportgen's functions,
a template's own macros and ``range``; filters only from a documented list.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, Undefined
from jinja2.filters import FILTERS as JINJA_FILTERS
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError, safe_range

from .diagnostics import did_you_mean
from .view import Function, NotKnown, Record, fields_of, kind_of, missing, plain


def _defined(value: Any) -> Any:
    # Jinja hands a filter an Undefined instead of raising; touching it makes StrictUndefined
    # raise, so "{{ fund.anounced | date }}" names 'anounced' rather than failing vaguely.
    if isinstance(value, Undefined):
        str(value)
    return value


def _plain(number: Decimal) -> str:
    """``Decimal('0.50')`` → ``0.5``; ``Decimal('1234')`` → ``1,234``; never exponent
    notation."""
    text = f"{number:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _rounded(number: Decimal) -> Decimal:
    """Millions as council papers write them: two decimal places (``1.23``), or as many as
    show two significant figures of a small amount (``0.0012``), never ``0``."""
    if not number:
        return number
    places = max(2, 1 - number.adjusted())
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _grouped(number: Decimal) -> str:
    whole = f"{number:,.2f}"
    return whole[:-3] if whole.endswith(".00") else whole


_WRITTEN_MONEY: ContextVar[list[Decimal] | None] = ContextVar("written_money", default=None)


@contextmanager
def money_written() -> Iterator[list[Decimal]]:
    """Collect every sum of money written (exactly, before rounding for the page) while in
    the block: what a recommendation commits, for instance."""
    written: list[Decimal] = []
    token = _WRITTEN_MONEY.set(written)
    try:
        yield written
    finally:
        _WRITTEN_MONEY.reset(token)


class Amount(Decimal):
    """An amount of money from the inputs: reads "£320 million" in prose, and is a number in
    sums, comparisons and filters (``{{ fund.total | money('m') }}``)."""

    __slots__ = ()

    def __str__(self) -> str:
        return money(self)


class Percent(Decimal):
    """A percentage from the inputs: reads "12.5%"."""

    __slots__ = ()

    def __str__(self) -> str:
        return f"{_plain(Decimal(self))}%"


def money_range_value(low: Decimal, high: Decimal) -> Record:
    """A range of money: ``low`` and ``high`` amounts, reading "£500,000 to £750,000"."""
    low, high = Amount(low), Amount(high)
    text = money_range_text(low, high, "words")
    return Record({"low": low, "high": high}, text=text, kind="a range of money")


def money(value: Any, style: str = "words") -> str:
    """Write an amount in pounds.

    ``style="words"``: ``£320 million``, ``£1.5 billion``, ``£250,000``.
    ``style="m"``: ``£0.5m``, ``£320m``. ``style="full"``: ``£320,000,000``.
    """
    if isinstance(_defined(value), NotKnown):
        return str(value)
    if isinstance(value, Record) and "low" in value and "high" in value:
        return money_range(value, style)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"money needs a number, not {value!r}")
    amount = Decimal(value) if isinstance(value, Decimal) else Decimal(str(value))
    written = _WRITTEN_MONEY.get()
    if written is not None:
        written.append(amount)
    sign, amount = ("-", -amount) if amount < 0 else ("", amount)
    if style == "m":
        return f"{sign}£{_plain(_rounded(amount / Decimal(1_000_000)))}m"
    if style == "full":
        return f"{sign}£{_grouped(amount)}"
    if style != "words":
        raise ValueError(f"unknown money style {style!r}: use 'words', 'm' or 'full'")
    for size, word in ((Decimal(10**9), "billion"), (Decimal(10**6), "million")):
        if amount >= size:
            return f"{sign}£{_plain(_rounded(amount / size))} {word}"
    return f"{sign}£{_grouped(amount)}"


def money_range(value: Any, style: str = "words") -> str:
    """A range with ``low`` and ``high`` amounts: ``£0.5m to £0.75m``."""
    if isinstance(_defined(value), NotKnown):
        return str(value)
    return money_range_text(value.low, value.high, style)


def money_range_text(low: Any, high: Any, style: str) -> str:
    if low == high:
        return money(low, style)
    return f"{money(low, style)} to {money(high, style)}"


def date(value: Any) -> str:
    """``2014-05-22`` → ``22 May 2014``; a date not yet known → ``to be confirmed``."""
    if isinstance(_defined(value), NotKnown):
        return str(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise TypeError(f"date needs a date, not {value!r}")
    return f"{value.day} {value:%B} {value.year}"


def financial_year(start_year: Any, separator: str = "/") -> str:
    """The financial year starting in April of ``start_year``: ``2014`` → ``2014/15``."""
    if isinstance(_defined(start_year), NotKnown):
        return str(start_year)
    year = int(start_year)
    return f"{year}{separator}{(year + 1) % 100:02d}"


def and_list(items: Iterable[Any], conjunction: str = "and") -> str:
    """``[a, b, c]`` → ``a, b and c`` (no Oxford comma, as council papers write it)."""
    words = [str(i) for i in items]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def items(value: Any) -> list[tuple[str, Any]]:
    """``{% for id, org in org | items %}``: a group's names and facts, in written order."""
    if isinstance(_defined(value), Record):
        return list(fields_of(value).items())
    if isinstance(value, dict):
        return list(value.items())
    raise TypeError(f"items needs a group of facts, not {value!r}")


def values(value: Any) -> tuple[Any, ...]:
    """``{{ fund.tranches | values | map(attribute='amount') | sum }}``: a group's facts."""
    if isinstance(_defined(value), Record):
        return tuple(fields_of(value).values())
    raise TypeError(f"values needs a group of facts, not {value!r}")


def sic(text: str) -> str:
    """``{{ 'recieve' | sic }}``: a word kept as written on purpose (quoting a published
    text); it reads as itself, and the spelling check passes over it."""
    if not isinstance(text, str):
        raise TypeError(f"sic marks text as written, not {text!r}")
    return text


FILTERS: dict[str, Callable[..., Any]] = {
    "money": money,
    "money_range": money_range,
    "date": date,
    "fy": financial_year,
    "and_list": and_list,
    "items": items,
    "values": values,
    "sic": sic,
}

# Jinja's own filters that only reshape data. Left out: those that call into Python objects
# or the outside world (attr, tojson, pprint, xmlattr, urlize, random — random also breaks
# reproducible builds), and safe/forceescape, since escaping is not a template's choice.
# fmt: off
JINJA_DATA_FILTERS = (
    "abs", "batch", "capitalize", "center", "count", "d", "default", "e", "escape", "first",
    "float", "format", "groupby", "indent", "int", "join", "last", "length", "list", "lower",
    "map", "max", "min", "reject", "rejectattr", "replace", "reverse", "round", "select",
    "selectattr", "slice", "sort", "string", "striptags", "sum", "title", "trim", "truncate",
    "unique", "upper", "wordcount", "wordwrap",
)
# fmt: on

# The functions a template may call by name, besides its own macros.
FUNCTIONS = {"range": safe_range}

# Attributes of Jinja's loop variable that are data (``loop.cycle`` and the like are not).
_LOOP_DATA = frozenset(
    {"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0"}
    | {"previtem", "nextitem"}
)
_DATE_DATA = frozenset({"year", "month", "day"})
# Bounds on arithmetic, so a template cannot stall a build with ``9 ** 9 ** 9``.
_MAX_EXPONENT = 64
_MAX_REPEAT = 100_000


class _DataSandbox(ImmutableSandboxedEnvironment):
    """A sandbox that admits data and nothing else (an allow-list, not a block-list)."""

    intercepted_binops = frozenset({"**", "*"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_") or callable(value):
            return False
        if isinstance(obj, Record):
            return True
        if isinstance(obj, dt.date):
            return attr in _DATE_DATA
        if isinstance(obj, LoopContext):
            return attr in _LOOP_DATA
        return False

    def is_safe_callable(self, obj: Any) -> bool:
        return isinstance(obj, Function | Macro) or obj is safe_range

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Record):
            if attribute in obj:
                return obj[attribute]
            return self.undefined(missing(obj, attribute), obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Record) and isinstance(argument, str):
            return self.getattr(obj, argument)
        return super().getitem(obj, argument)

    def wrap_str_format(self, value: Any) -> None:
        # Jinja hands out a sandboxed str.format; prose has no use for methods at all.
        return None

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(__obj, Undefined):
            # Say why the name is not there ("'parse_raw' is not an attribute of …"),
            # not that an Undefined cannot be called.
            __obj._fail_with_undefined_error()
        if not __self.is_safe_callable(__obj):
            allowed = " and ".join(sorted({*FUNCTIONS, "ref"}))
            raise SecurityError(
                f"{_describe(__obj)} cannot be called: prose and templates may call only "
                f"{allowed}, and a template's own macros"
            )
        return __context.call(__obj, *args, **kwargs)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        value = inspect.getattr_static(obj, attribute, None)  # without running a property
        what = _describe(obj)
        if callable(value) and not attribute.startswith("_"):
            filter_fits = isinstance(obj, str) and attribute in self.filters
            hint = f"; write '| {attribute}'" if filter_fits else ""
            message = f"'{attribute}' of {what} is a method, and prose reads facts, not methods"
        else:
            hint = ""
            message = f"'{attribute}' of {what} is Python's, not a fact"
        return self.undefined(message + hint, obj=obj, name=attribute, exc=SecurityError)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        number = isinstance(right, int | float | Decimal)
        if operator == "**" and number and abs(right) > _MAX_EXPONENT:
            raise SecurityError(f"the power {right} is too large (at most {_MAX_EXPONENT})")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                repeated = isinstance(sequence, str | tuple | list) and isinstance(count, int)
                if repeated and len(sequence) * count > _MAX_REPEAT:
                    raise SecurityError("a repeated text or list would be too long")
        return super().call_binop(context, operator, left, right)


def _describe(obj: Any) -> str:
    if isinstance(obj, Record):
        return kind_of(obj)
    names = {str: "text", int: "a number", float: "a number", Decimal: "a number"}
    for kind, name in names.items():
        if isinstance(obj, kind):
            return name
    if isinstance(obj, dt.date):
        return "a date"
    if isinstance(obj, tuple | list):
        return "a list"
    return f"a {type(obj).__name__}"


def is_known(value: Any) -> bool:
    """``{% if meeting.venue is known %}``: given, and not written ``{unknown: …}``."""
    return value is not None and not isinstance(value, NotKnown | Undefined)


def environment(*, autoescape: bool) -> ImmutableSandboxedEnvironment:
    """The one Jinja environment reportgen renders with: sandboxed, strict, data only.

    ``autoescape=True`` is for .docx XML and HTML; prose from YAML is rendered to plain text
    first and escaped once, when it is placed in the document.
    """
    env = _DataSandbox(undefined=StrictUndefined, autoescape=autoescape)
    env.filters = {name: JINJA_FILTERS[name] for name in JINJA_DATA_FILTERS}
    env.filters.update(FILTERS)
    env.tests["known"] = is_known
    env.globals = dict(FUNCTIONS)
    return env


def render_template(template: Template, context: dict[str, Any]) -> str:
    """Render ``template`` with ``context`` made plain data first (see :mod:`reportgen.view`)."""
    return template.render({name: plain(value) for name, value in context.items()})


class ProseError(Exception):
    """A reference in a YAML prose string that cannot be resolved."""


_PROSE_ENV = environment(autoescape=False)


def interpolate(prose: str, facts: dict[str, Any]) -> str:
    """Render one prose string from YAML, in which ``{{ ... }}`` may refer to facts."""
    if "{" not in prose:
        return prose
    try:
        return render_template(_compiled(prose), facts)
    except TemplateError as exc:
        raise ProseError(describe_template_error(exc)) from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        raise ProseError(str(exc)) from None


@functools.lru_cache(maxsize=8192)
def _compiled(prose: str) -> Template:
    # The same prose is rendered once per document and per build: compile it once.
    return _PROSE_ENV.from_string(prose)


@functools.lru_cache(maxsize=1024)
def _expression(expression: str) -> Any:
    return _PROSE_ENV.compile_expression(expression, undefined_to_none=False)


def evaluate(expression: str, facts: dict[str, Any]) -> Any:
    """Evaluate one Jinja expression (``shared_services``) against the facts, sandboxed."""
    try:
        value = _expression(expression)(**{n: plain(v) for n, v in facts.items()})
        return _defined(value)
    except TemplateError as exc:
        raise ProseError(describe_template_error(exc)) from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        raise ProseError(str(exc)) from None


def describe_template_error(exc: Exception) -> str:
    """A one-line reason for a Jinja failure, in an author's terms."""
    message = getattr(exc, "message", None) or str(exc)
    name = type(exc).__name__
    if name == "UndefinedError":
        if " is not an attribute of " in message:  # says what exists already
            return message
        return f"unknown name in {{{{ }}}}: {message}"
    if name == "SecurityError":
        return f"not allowed in a template: {message}"
    unknown = re.match(r"No (filter|test) named '([^']+)'", message)
    if unknown:
        kind, word = unknown.groups()
        names = _PROSE_ENV.filters if kind == "filter" else _PROSE_ENV.tests
        return f"no {kind} is called '{word}' — {did_you_mean(word, names)}"
    if name == "TemplateSyntaxError":
        return f"template syntax: {message}"
    return message
