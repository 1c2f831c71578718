"""The typed model of everything under ``inputs/``.

Unknown keys are errors (``extra="forbid"``), so a misspelt key never silently vanishes.
Numbers that are money are numbers, dates are dates, and references between files are ids
checked in :mod:`reportgen.rules`. Paragraph numbers never appear here: they are computed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PositiveInt,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from .diagnostics import Diagnostic, ReportgenError, did_you_mean
from .load import Inputs, KeyPath

Text = Annotated[str, StringConstraints(min_length=1)]
Label = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")]


def _money(value: Any) -> Any:
    # Pydantic would happily read "320000000" or True as a Decimal; money in YAML must be a
    # number so that a reviewer's diff shows a figure, not a phrase.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("money must be a number of pounds, e.g. 320_000_000 or 0.5e6")
    return Decimal(str(value))


Money = Annotated[
    Decimal,
    BeforeValidator(_money),
    Field(ge=0),
    WithJsonSchema({"type": "number", "minimum": 0, "description": "pounds"}),
]


def _real_date(value: Any) -> Any:
    if isinstance(value, dt.datetime | str | int):
        raise ValueError("expected a date written as YYYY-MM-DD, e.g. 2014-05-22")
    return value


Date = Annotated[dt.date, BeforeValidator(_real_date)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Unknown(Strict):
    """A fact the source does not give yet, written in YAML as ``{unknown: why}``."""

    unknown: Text

    def __str__(self) -> str:
        return "to be confirmed"


class Signatory(Strict):
    role: Text
    name: Text | Unknown | None = None


class Organisation(Strict):
    """A council, department or partner body."""

    name: Text
    short_name: Text | None = None
    address: list[Text] = []
    signatories: dict[Label, Signatory] = {}

    def __str__(self) -> str:
        return self.name

    @property
    def abbreviation(self) -> str:
        return self.short_name or self.name


class SharedService(Strict):
    service: Text
    partners: list[Label] = Field(min_length=1)


class SavingsEstimate(Strict):
    """An estimated range of savings, for each council in the arrangement."""

    low: Money
    high: Money


class ServiceArea(Strict):
    area: Text
    functions: list[Text] = Field(min_length=1)


class ServicesInScope(Strict):
    directorate: Text
    areas: list[ServiceArea] = Field(min_length=1)


class Tranche(Strict):
    """One year's money from a fund; ``financial_year`` is the year it starts (2015 → 2015-16)."""

    financial_year: int = Field(ge=1900, le=2200)
    amount: Money
    project_cap: Money | None = None
    eoi_deadline: Date | None = None
    full_bid_deadline: Date | None = None


class Fund(Strict):
    name: Text
    awarded_by: Label
    announced: Date
    total: Money
    capital_receipt_flexibility: Money | None = None
    tranches: dict[Label, Tranche] = {}

    def __str__(self) -> str:
        return self.name


class DesignProgramme(Strict):
    name: Text
    provider: Label
    region: Text
    cohort_size: PositiveInt

    def __str__(self) -> str:
        return self.name


class Programme(Strict):
    """The facts of the transformation programme that several documents repeat.

    ``councils`` are the councils in the joint arrangement, lead first; in a document written
    for one of them, ``partner`` is the other.
    """

    councils: list[Label] = Field(min_length=2)
    partners: list[Label] = []
    shared_services: list[SharedService] = []
    partner_preference: list[Text] = []
    customer_services_redesign: Text
    savings_estimate: SavingsEstimate
    services_in_scope: ServicesInScope
    fund: Fund
    design_programme: DesignProgramme


class Item(Strict):
    """An agenda item: a document, with others appended to it (Appendix A, B, ...)."""

    document: Label
    appendices: list[Label] = []


class Meeting(Strict):
    """A meeting; its items, in order, are what its committee pack holds."""

    body: Text
    council: Label
    date: Date | Unknown
    venue: Text | Unknown
    items: list[Item] = []
    pack_template: Text = "pack-cover.docx"
    # Printed page numbers laid over the pack's pages; none if null.
    folio_template: Text | None = "pack-folio.docx"


class BulletsFrom(Strict):
    """Bullets made from a list of facts: ``for_each`` names the list, ``text`` uses ``item``."""

    for_each: Text
    text: Text


TableSource = Literal["services_in_scope"]


class Paragraph(Strict):
    id: Label | None = None
    text: Text
    bullets: list[Text] | BulletsFrom = []
    table: TableSource | None = None


class FormField(Strict):
    """A labelled answer on a form: text, bullets, a table, or a mix; text may be unknown."""

    label: Text
    text: Text | Unknown | None = None
    bullets: list[Text] | BulletsFrom = []
    table: TableSource | None = None

    @model_validator(mode="after")
    def _has_an_answer(self) -> FormField:
        if self.text is None and not self.bullets and self.table is None:
            raise ValueError("a field needs 'text', 'bullets' or 'table'")
        return self


class FormSection(Strict):
    title: Text
    fields: list[FormField] = Field(min_length=1)


class Applicant(Strict):
    council: Label
    role: Text


class Contact(Strict):
    name: Text | Unknown
    role: Text | Unknown
    email: Text | Unknown
    telephone: Text | Unknown


GeneratedContent = Literal["option-summaries", "option-analyses", "recommendations"]


class Section(Strict):
    """A numbered section: its own paragraphs, or paragraphs generated from options or
    recommendations (so options in section 3 and their analysis in 4 share one list)."""

    title: Text
    paragraphs: list[Paragraph] = []
    generate: GeneratedContent | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Section:
        if bool(self.paragraphs) == bool(self.generate):
            raise ValueError("a section needs either 'paragraphs' or 'generate', not both")
        return self


class Option(Strict):
    id: Label
    summary: Text
    analysis: Text


class Recommendation(Strict):
    id: Label
    text: Text


class Form(Strict):
    """A form-style document: an expression of interest, an application."""

    kind: Literal["eoi", "design-council-application"]
    template: Text
    title: Text
    council: Label
    recipient: Label
    date: Date | Unknown
    applicants: list[Applicant] = Field(min_length=1)
    contact: Contact
    sections: list[FormSection] = Field(min_length=1)


class Report(Strict):
    """A report to a meeting, e.g. the Cabinet report."""

    kind: Literal["cabinet-report"]
    template: Text
    council: Label
    meeting: Label
    title: Text
    date: Date
    author: Text
    signatory: Label
    background_papers: list[Text] = []
    sections: list[Section] = Field(min_length=1)
    options: list[Option] = []
    recommendations: list[Recommendation] = []


Document = Annotated[Report | Form, Field(discriminator="kind")]

# Keys of the project that are folders of files, one entry a file, rather than one file.
FOLDERS = {"documents"}


class Project(Strict):
    """Everything under ``inputs/``: one key per file (``documents/`` is a folder of files)."""

    organisations: dict[Label, Organisation]
    programme: Programme
    meetings: dict[Label, Meeting] = {}
    documents: dict[Label, Document] = {}


# --- from loaded YAML to the model, with every error located -------------------------------


def parse_project(inputs: Inputs) -> Project:
    """Validate the loaded inputs into a :class:`Project`; raise with every problem located."""
    try:
        return Project.model_validate(inputs.data)
    except ValidationError as exc:
        raise ReportgenError(_diagnostics(exc, inputs)) from None


def _diagnostics(exc: ValidationError, inputs: Inputs) -> list[Diagnostic]:
    # Errors from the branches of one union (``date | Unknown``) share the written path up to
    # the union; of those, only the branches that matched the author's value furthest are
    # reported, as JSON Schema validators pick the best match.
    by_union: dict[KeyPath, list[tuple[KeyPath, dict[str, Any]]]] = {}
    for error in exc.errors():
        path, union = _written_path(error, inputs.data)
        by_union.setdefault(union, []).append((path, error))
    by_path: dict[KeyPath, list[dict[str, Any]]] = {}
    for candidates in by_union.values():
        deepest = max(len(path) for path, _ in candidates)
        for path, error in candidates:
            if len(path) == deepest:
                by_path.setdefault(path, []).append(error)
    found = []
    for path, errors in by_path.items():
        first = errors[0]
        if first["type"] == "extra_forbidden":
            key = str(path[-1])
            hint = did_you_mean(key, _allowed_keys(path[:-1]))
            found.append(inputs.diagnostic(path, f"unknown key '{key}' — {hint}", of_key=True))
        elif first["type"] == "missing":
            found.append(inputs.diagnostic(path, f"missing required key '{path[-1]}'", of_key=True))
        else:
            found.append(inputs.diagnostic(path, _message(errors)))
    return found


def _written_path(error: dict[str, Any], data: Any) -> tuple[KeyPath, KeyPath]:
    """The part of an error's location that names keys an author wrote, without the names
    pydantic adds for the branches of a union (``str``, ``Unknown``, ``function-after[...]``);
    and the written path up to the first such branch name (the whole path if there is none).
    """
    path: list[str | int] = []
    union: KeyPath | None = None
    node = data
    loc = error["loc"]
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            node = node[part]
        elif not (last and error["type"] in ("extra_forbidden", "missing")):
            if union is None:
                union = tuple(path)
            continue
        path.append(part)
    return tuple(path), tuple(path) if union is None else union


# Pydantic's wording, in an author's terms; keyed by pydantic's error type.
_EXPECTED = {
    "model_type": "expected a mapping of keys to values",
    "model_attributes_type": "expected a mapping of keys to values",
    "dict_type": "expected a mapping of keys to values",
    "list_type": "expected a list",
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "decimal_type": "expected a number",
    "date_type": "expected a date written as YYYY-MM-DD",
    "date_parsing": "expected a date written as YYYY-MM-DD",
    "date_from_datetime_parsing": "expected a date written as YYYY-MM-DD",
    "string_pattern_mismatch": (
        "expected an id: lower-case letters, digits, hyphens and underscores"
    ),
}


def _message(errors: list[dict[str, Any]]) -> str:
    messages = []
    for error in errors:
        kind, context, value = error["type"], error.get("ctx", {}), error.get("input")
        message = str(error["msg"]).removeprefix("Value error, ")
        if value is None:
            message = "a value is needed here, but it is empty"
        elif kind in _EXPECTED:
            message = _EXPECTED[kind] + _got(value)
        elif kind == "literal_error":
            message = f"expected {context['expected']}" + _got(value)
        elif kind in ("greater_than_equal", "greater_than"):
            bound = context.get("ge", context.get("gt"))
            message = f"must be {'at least' if kind == 'greater_than_equal' else 'more than'} "
            message += f"{bound}" + _got(value)
        elif kind == "less_than_equal":
            message = f"must be at most {context['le']}" + _got(value)
        elif kind == "too_short":
            message = "must not be empty"
        if message not in messages:
            messages.append(message)
    if len(messages) > 1:
        return "expected one of these: " + "; or ".join(messages)
    return messages[0]


def _got(value: Any) -> str:
    if isinstance(value, str | int | float | Decimal | dt.date) and len(str(value)) <= 40:
        return f", not {str(value)!r}" if isinstance(value, str) else f", not {value}"
    return ""


def _allowed_keys(path: KeyPath) -> list[str]:
    """The keys the model allows in the mapping at ``path``."""
    annotation: Any = Project
    for part in path:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    models = [a for a in branches(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
    return sorted({name for m in models for name in m.model_fields})


def branches(annotation: Any) -> list[Any]:
    """The types a type annotation allows: the members of a union, without ``Annotated``."""
    if get_origin(annotation) in (Union, UnionType):
        return [b for a in get_args(annotation) for b in branches(a)]
    if get_origin(annotation) is Annotated:
        return branches(get_args(annotation)[0])
    return [annotation]


def _step(annotation: Any, part: str | int) -> Any:
    for branch in branches(annotation):
        origin = get_origin(branch)
        if isinstance(branch, type) and issubclass(branch, BaseModel) and isinstance(part, str):
            if part in branch.model_fields:
                return branch.model_fields[part].annotation
        elif origin is dict and isinstance(part, str):
            return get_args(branch)[1]
        elif origin is list and isinstance(part, int):
            return get_args(branch)[0]
    return None
