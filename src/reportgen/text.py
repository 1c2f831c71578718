"""en-GB wording of facts, and the sandboxed Jinja in which prose and templates refer to them.

Money is written the way council papers write it: ``£320 million`` in running text,
``£0.5m`` where the author asks for the short form. Dates are ``22 May 2014``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, Undefined
from jinja2.sandbox import SandboxedEnvironment

from .diagnostics import did_you_mean
from .model import Unknown

TO_BE_CONFIRMED = "to be confirmed"


def _defined(value: Any) -> Any:
    # Jinja hands a filter an Undefined instead of raising; touching it makes StrictUndefined
    # raise, so "{{ fund.anounced | date }}" names 'anounced' rather than failing vaguely.
    if isinstance(value, Undefined):
        str(value)
    return value


def _plain(number: Decimal) -> str:
    """``Decimal('0.50')`` → ``0.5``; ``Decimal('320')`` → ``320``; never exponent notation."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _grouped(number: Decimal) -> str:
    whole = f"{number:,.2f}"
    return whole[:-3] if whole.endswith(".00") else whole


def money(value: Any, style: str = "words") -> str:
    """Write an amount in pounds.

    ``style="words"``: ``£320 million``, ``£1.5 billion``, ``£250,000``.
    ``style="m"``: ``£0.5m``, ``£320m``. ``style="full"``: ``£320,000,000``.
    """
    if isinstance(_defined(value), Unknown):
        return str(value)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"money needs a number, not {value!r}")
    amount = Decimal(str(value))
    sign, amount = ("-", -amount) if amount < 0 else ("", amount)
    if style == "m":
        return f"{sign}£{_plain(amount / Decimal(1_000_000))}m"
    if style == "full":
        return f"{sign}£{_grouped(amount)}"
    if style != "words":
        raise ValueError(f"unknown money style {style!r}: use 'words', 'm' or 'full'")
    for size, word in ((Decimal(10**9), "billion"), (Decimal(10**6), "million")):
        if amount >= size:
            return f"{sign}£{_plain(amount / size)} {word}"
    return f"{sign}£{_grouped(amount)}"


def money_range(value: Any, style: str = "words") -> str:
    """A range with ``low`` and ``high`` amounts: ``£0.5m to £0.75m``."""
    if value.low == value.high:
        return money(value.low, style)
    return f"{money(value.low, style)} to {money(value.high, style)}"


def date(value: Any) -> str:
    """``2014-05-22`` → ``22 May 2014``; a date not yet known → ``to be confirmed``."""
    if isinstance(_defined(value), Unknown):
        return str(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise TypeError(f"date needs a date, not {value!r}")
    return f"{value.day} {value:%B} {value.year}"


def financial_year(start_year: Any, separator: str = "/") -> str:
    """The financial year starting in April of ``start_year``: ``2014`` → ``2014/15``."""
    if isinstance(_defined(start_year), Unknown):
        return str(start_year)
    year = int(start_year)
    return f"{year}{separator}{(year + 1) % 100:02d}"


def and_list(items: Iterable[Any], conjunction: str = "and") -> str:
    """``[a, b, c]`` → ``a, b and c`` (no Oxford comma, as council papers write it)."""
    words = [str(i) for i in items]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


FILTERS: dict[str, Callable[..., str]] = {
    "money": money,
    "money_range": money_range,
    "date": date,
    "fy": financial_year,
    "and_list": and_list,
}


def environment(*, autoescape: bool) -> SandboxedEnvironment:
    """The one Jinja environment reportgen renders with: sandboxed, strict, with our filters.

    ``autoescape=True`` is for .docx XML; prose from YAML is rendered to plain text first and
    escaped once, when it is placed in the document.
    """
    env = SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=False,
    )
    env.filters.update(FILTERS)
    return env


class ProseError(Exception):
    """A reference in a YAML prose string that cannot be resolved."""


_PROSE_ENV = environment(autoescape=False)


def interpolate(prose: str, facts: dict[str, Any]) -> str:
    """Render one prose string from YAML, in which ``{{ ... }}`` may refer to facts."""
    if "{" not in prose:
        return prose
    try:
        return _compiled(prose).render(facts)
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
        value = _expression(expression)(**facts)
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
