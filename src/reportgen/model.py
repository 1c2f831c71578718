"""The typed model of everything under ``inputs/``.

Unknown keys are errors (``extra="forbid"``), so a misspelt key never silently vanishes.
Numbers that are money are numbers, dates are dates, and references between files are ids
checked in :mod:`reportgen.rules`. Paragraph numbers never appear here: they are computed.
"""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar
from decimal import Decimal
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    StringConstraints,
    Tag,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from typing_extensions import TypeAliasType

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


class CouncilDeadline(Strict):
    """One of a council's own deadlines before each meeting, in clear days:
    ``{name: Final report to the clerk, clear_days: 8}``."""

    name: Text
    clear_days: Annotated[int, Field(ge=1, le=366)]


class KeyDecisionRule(Strict):
    """When a council's decision is a *key decision* (2012 Regulations, reg. 8): spending or
    saving at least ``money`` pounds, or affecting at least ``wards`` wards."""

    money: Annotated[int, Field(ge=0)] | None = None
    wards: Annotated[int, Field(ge=1)] | None = None


class StandingOrders(Strict):
    """How a council counts the time before its meetings.

    ``clear_days``: ``working-days`` (Saturdays, Sundays and bank holidays do not count, the
    cautious reading of the law) or ``all-days``. ``bank_holidays``: whose, ``england``,
    ``wales``, ``scotland`` or ``northern-ireland``. ``deadlines``: the council's own, each
    so many clear days before a meeting; the law's five clear days are always there.
    ``key_decisions``: the council's thresholds for a key decision.
    """

    clear_days: Literal["working-days", "all-days"] = "working-days"
    bank_holidays: Literal["england", "wales", "scotland", "northern-ireland"] = "england"
    deadlines: list[CouncilDeadline] = []
    key_decisions: KeyDecisionRule | None = None


class Statements(Strict):
    """What a council says on every summons: how to ask for the papers in ``other_formats``
    (large print, another language) and what it allows in the way of ``filming``."""

    other_formats: Text | None = None
    filming: Text | None = None


class Organisation(Strict):
    """A council, department or partner body; a council may give its standing orders and
    the statements its summonses carry."""

    name: Text
    short_name: Text | None = None
    address: list[Text] = []
    signatories: dict[Label, Signatory] = {}
    standing_orders: StandingOrders | None = None
    statements: Statements | None = None

    def __str__(self) -> str:
        return self.name

    @property
    def abbreviation(self) -> str:
        return self.short_name or self.name


# --- a programme's facts: open names, typed values -----------------------------------------
#
# A fact is whatever a programme has. Its type comes from how it is written: text, a number,
# a date, yes/no, a list, a group of named facts, or one of a few typed values written as a
# mapping with a single key, like ``{unknown: why}``: ``{money: 320_000_000}``, a range
# ``{money: [500_000, 750_000]}``, ``{percent: 12.5}``, an organisation ``{org: dclg}`` or
# several ``{orgs: [nelc, eryc]}``.

FactName_PATTERN = r"^[a-z][a-z0-9_]*$"
FactName = Annotated[str, StringConstraints(pattern=FactName_PATTERN)]


# An amount in pounds, or a range [low, high], as an editor's schema says it.
MONEY_SCHEMA: dict[str, Any] = {
    "description": "pounds, or a range [low, high]",
    "anyOf": [
        {"type": "number", "minimum": 0},
        {
            "type": "array",
            "items": {"type": "number", "minimum": 0},
            "minItems": 2,
            "maxItems": 2,
        },
    ],
}


def _amount_or_range(value: Any) -> Any:
    # One message for both forms: pydantic's union would list a failure for each.
    if isinstance(value, list):
        if len(value) != 2:
            raise ValueError(f"a range of money is [low, high], two amounts, not {len(value)}")
        low, high = (_amount(v) for v in value)
        if low > high:
            raise ValueError(
                f"the low end (£{low:,f}) is more than the high end (£{high:,f})".replace(
                    ".0)", ")"
                )
            )
        return (low, high)
    return _amount(value)


def _amount(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(
            "money must be a number of pounds, e.g. 320_000_000 or 0.5e6, or a range [low, high]"
        )
    if value < 0:
        raise ValueError(f"money must be at least 0, not {value}")
    return Decimal(str(value))


class MoneyFact(Strict):
    """An amount in pounds, ``{money: 320_000_000}``, or a range, ``{money: [low, high]}``."""

    money: Annotated[
        Decimal | tuple[Decimal, Decimal],
        BeforeValidator(_amount_or_range),
        WithJsonSchema(MONEY_SCHEMA),
    ]


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("expected a number" + (f", not {value!r}" if value is not None else ""))
    return Decimal(str(value))


class PercentFact(Strict):
    """A percentage, ``{percent: 12.5}``."""

    percent: Annotated[Decimal, BeforeValidator(_number)]


class OrganisationFact(Strict):
    """An organisation of ``organisations.yaml``, by id: ``{org: dclg}``."""

    org: Label


class OrganisationsFact(Strict):
    """Several organisations, by id, in order: ``{orgs: [nelc, eryc, health]}``."""

    orgs: list[Label]


class TableOfFacts(Strict):
    """A table: column labels and rows, each cell text or a list of text (several lines)."""

    columns: list[Text] = Field(min_length=1)
    rows: list[list[Text | list[Text]]]

    @model_validator(mode="after")
    def _rows_fit_columns(self) -> TableOfFacts:
        _fit(len(self.columns), [len(row) for row in self.rows])
        return self


def _fit(width: int, rows: list[int]) -> None:
    for count in rows:
        if count != width:
            cells = "1 cell" if count == 1 else f"{count} cells"
            raise ValueError(f"a row has {cells}, but the table has {width} columns")


class TableFact(Strict):
    """A table as a fact: ``{table: {columns: [...], rows: [[...], ...]}}``."""

    table: TableOfFacts


# The single keys that make a mapping a typed value rather than a group of facts.
TYPED_VALUES = {"money", "percent", "org", "orgs", "table"}


def _fact_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return {
            MoneyFact: "money",
            PercentFact: "percent",
            OrganisationFact: "org",
            OrganisationsFact: "orgs",
            TableFact: "table",
            Unknown: "unknown",
        }.get(type(value))
    if isinstance(value, bool):
        return "yes-no"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return "date"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        if len(value) == 1:
            (key,) = value
            if key in TYPED_VALUES or is_unknown(value):
                return str(key)
        return "group"
    return None


def is_unknown(value: Any) -> bool:
    """Whether ``value`` is written ``{unknown: "why"}``. Only text is a reason: ``{unknown:
    {name: …}}`` is something with the id 'unknown', such as an organisation."""
    return (
        isinstance(value, dict) and set(value) == {"unknown"} and isinstance(value["unknown"], str)
    )


def _plain_number(value: Any) -> Any:
    # Whole numbers stay whole (a cohort of 16 reads "16"); others are exact decimals.
    return value if isinstance(value, int) else Decimal(str(value))


def _single(key: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {key: value},
        "required": [key],
        "additionalProperties": False,
    }


_ID = {"type": "string", "pattern": r"^[a-z0-9][a-z0-9_-]*$"}
_TEXTS = {"type": "array", "items": {"type": "string"}}
# Pydantic would describe the tagged union as oneOf, which text and dates (both strings to an
# editor) would fail; the branches are told apart by shape, so anyOf says it for editors.
FACT_SCHEMA: dict[str, Any] = {
    "description": "a fact: text, number, date, yes/no, list, group, or a typed value",
    "anyOf": [
        {"type": ["string", "number", "boolean"]},
        _single("money", MONEY_SCHEMA),
        _single("percent", {"type": "number"}),
        _single("org", _ID),
        _single("orgs", {"type": "array", "items": _ID}),
        _single("unknown", {"type": "string", "minLength": 1}),
        _single(
            "table",
            {
                "type": "object",
                "properties": {
                    "columns": _TEXTS,
                    "rows": {
                        "type": "array",
                        "items": {
                            "type": "array",
                            "items": {"anyOf": [{"type": "string"}, _TEXTS]},
                        },
                    },
                },
                "required": ["columns", "rows"],
                "additionalProperties": False,
            },
        ),
        {"type": "array", "items": {"$ref": "#/$defs/Fact"}},
        {
            "type": "object",
            "propertyNames": {"pattern": FactName_PATTERN},
            "additionalProperties": {"$ref": "#/$defs/Fact"},
            # A mapping of one of these keys alone is a typed value, not a group.
            "not": {
                "anyOf": [
                    {"required": [key], "maxProperties": 1}
                    for key in sorted({*TYPED_VALUES, "unknown"})
                ]
            },
        },
    ],
}

Fact = TypeAliasType(
    "Fact",
    Annotated[
        Annotated[Text, Tag("text")]
        | Annotated[bool, Tag("yes-no")]
        | Annotated[int | Decimal, BeforeValidator(_plain_number), Tag("number")]
        | Annotated[Date, Tag("date")]
        | Annotated[MoneyFact, Tag("money")]
        | Annotated[PercentFact, Tag("percent")]
        | Annotated[OrganisationFact, Tag("org")]
        | Annotated[OrganisationsFact, Tag("orgs")]
        | Annotated[TableFact, Tag("table")]
        | Annotated[Unknown, Tag("unknown")]
        | Annotated[list["Fact"], Tag("list")]
        | Annotated[dict[FactName, "Fact"], Tag("group")],
        Discriminator(
            _fact_kind,
            custom_error_type="fact_type",
            custom_error_message=(
                "expected a fact: text, a number, a date, a list, a group of facts, or "
                "{money: …}, {percent: …}, {org: …}, {orgs: […]}, {table: …}, {unknown: why}"
            ),
        ),
    ],
)


class Check(Strict):
    """A rule of the programme that its facts must keep, written as data.

    ``that`` is an expression over the programme's facts (``fund.total >= 0``);
    ``message`` is prose, saying what is wrong when it is false; ``at`` names the fact the
    message points at (the check itself if none).
    """

    that: Text
    message: Text
    at: Text | None = None


class Programme(Strict):
    """A programme of work and its facts, which the prose of its documents refers to.

    ``councils`` are the councils of a joint arrangement, lead first; in a document written
    for one of exactly two, ``partner`` is the other.
    """

    title: Text | None = None
    councils: list[Label] = []
    facts: dict[FactName, Fact] = {}
    checks: list[Check] = []


TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
Time = Annotated[str, StringConstraints(pattern=TIME_PATTERN)]


class Item(Strict):
    """An agenda item: a document, with others appended to it (Appendix A, B, ...).

    ``number`` is the item's number on the agenda (``7``); an item without one follows the
    item before it (the first is 1).
    """

    number: Annotated[int, Field(ge=1)] | None = None
    document: Label
    appendices: list[Label] = []


class RecommendationOutcome(Strict):
    """What the meeting decided on one recommendation: ``agreed``, ``agreed-as-amended``
    (with the amended ``wording``), ``deferred`` or ``not-agreed`` (each with its
    ``reason``)."""

    decision: Literal["agreed", "agreed-as-amended", "deferred", "not-agreed"]
    wording: Text | None = None
    reason: Text | None = None

    @model_validator(mode="after")
    def _each_decision_has_what_it_needs(self) -> RecommendationOutcome:
        if self.decision == "agreed-as-amended" and self.wording is None:
            raise ValueError("agreed-as-amended needs the amended 'wording'")
        if self.decision != "agreed-as-amended" and self.wording is not None:
            raise ValueError(f"'wording' is for agreed-as-amended, not {self.decision}")
        if self.decision in ("deferred", "not-agreed") and self.reason is None:
            raise ValueError(f"a recommendation {self.decision} needs its 'reason'")
        return self


class Interest(Strict):
    """An interest a member declared in an item: who, and what it was."""

    member: Text
    interest: Text
    # A member with a disclosable pecuniary interest takes no part, and usually leaves.
    left_the_room: bool = False


class ItemOutcome(Strict):
    """The meeting's decision on one report: each recommendation's outcome (by its id), the
    reasons for the decision, and the interests declared."""

    recommendations: dict[Label, RecommendationOutcome] = {}
    reasons: Text | None = None
    interests: list[Interest] = []


class Member(Strict):
    """A member of a body: ``{name: Councillor A Smith, role: chair, portfolio: Leader of the
    Council}``."""

    name: Text
    role: Literal["chair", "vice-chair", "member"] = "member"
    portfolio: Text | None = None


class OpeningItem(Strict):
    """One of the items a body opens every meeting with (apologies, declarations of
    interest, the minutes of the last meeting): its title and, if it has one, its text."""

    title: Text
    text: Text | None = None


class Body(Strict):
    """A committee, board or the Cabinet: who sits on it, the items every meeting of it
    opens with, the council's proper officer who summons it (one of the council's
    ``signatories``) and the officer to contact about its meetings."""

    name: Text
    members: Annotated[list[Member], Field(min_length=1)] | Unknown
    opening_items: list[OpeningItem] = []
    proper_officer: Label | None = None
    contact: Contact | None = None

    def __str__(self) -> str:
        return self.name


class Meeting(Strict):
    """A meeting; its items, in order, are what its committee pack holds.

    Once it has been held, ``outcomes`` record what it decided on each report (by the
    report's id), and the build writes its record of decisions; ``first_minute`` is the
    number of its first minute, as the council numbers its minutes.
    """

    # The body's id in ``bodies``.
    body: Label
    council: Label
    date: Date | Unknown
    time: Time | Unknown | None = None
    venue: Text | Unknown
    # The day the agenda and reports were published, once they are.
    published: Date | None = None
    items: list[Item] = []
    outcomes: dict[Label, ItemOutcome] = {}
    first_minute: Annotated[int, Field(ge=1)] = 1
    pack_template: Text = "pack-cover.docx"
    # Printed page numbers laid over the pack's pages; none if null.
    folio_template: Text | None = "pack-folio.docx"
    # The officer to contact about this meeting, where not the body's.
    contact: Contact | None = None
    # The body itself, once the project has found it (see Project).
    _body: Body | None = PrivateAttr(default=None)

    @property
    def body_name(self) -> str:
        """The body's name (``Cabinet``), as titles and file names give it."""
        return self._body.name if self._body is not None else self.body

    # Methods, not properties: templates are given a model's properties, and a report is
    # not to be given its body's contact (nor made a draft by it).
    def opening_items(self) -> list[OpeningItem]:
        """The items the body opens every meeting with, numbered before the meeting's own."""
        return list(self._body.opening_items) if self._body is not None else []

    def contact_officer(self) -> Contact | None:
        """Whom to contact about the meeting: its own contact, else its body's."""
        if self.contact is not None:
            return self.contact
        return self._body.contact if self._body is not None else None


class BulletsFrom(Strict):
    """Bullets made from a list of facts: ``for_each`` names the list, ``text`` uses ``item``."""

    for_each: Text
    text: Text


class TableRows(Strict):
    """Table rows made from a list of facts: ``for_each`` names the list; each of ``cells``
    is an expression of ``item`` (``item.area``, ``item.cost | money``), one per column. A
    cell whose value is a list shows one line per entry."""

    for_each: Text
    cells: list[Text] = Field(min_length=1)


class Table(Strict):
    """A table in a document: column labels (the header row, repeated on each page) and its
    rows, written out (each cell prose, or a list of prose for several lines) or made from a
    list of facts."""

    columns: list[Text] = Field(min_length=1)
    rows: list[list[Text | list[Text]]] | TableRows

    @model_validator(mode="after")
    def _rows_fit_columns(self) -> Table:
        if isinstance(self.rows, TableRows):
            _fit(len(self.columns), [len(self.rows.cells)])
        else:
            _fit(len(self.columns), [len(row) for row in self.rows])
        return self


# A paragraph's table: written there, or the name of a table fact (``services_in_scope``).
TableSource = Table | Text


# How a paragraph's list is marked: bullets, (a) (b) (c), or (1) (2) (3).
ListStyle = Literal["bullets", "letters", "numbers"]


class Exempt(Strict):
    """Information the public may be excluded from: one of paragraphs 1-7 of Part 1 of
    Schedule 12A to the Local Government Act 1972, with the reason the public interest in
    keeping it private outweighs that in publishing it."""

    paragraph: Annotated[int, Field(ge=1, le=7)]
    reason: Text


class Paragraph(Strict):
    id: Label | None = None
    text: Text
    bullets: list[Text] | BulletsFrom = []
    list_style: ListStyle = "bullets"
    table: TableSource | None = None
    # Withheld from the public edition of the report, shown in the private one.
    exempt: Exempt | None = None


class FormField(Strict):
    """A labelled answer on a form: text, bullets, a table, or a mix; text may be unknown."""

    label: Text
    text: Text | Unknown | None = None
    bullets: list[Text] | BulletsFrom = []
    list_style: ListStyle = "bullets"
    table: TableSource | None = None
    # Withheld from the public edition of the form, shown in the private one.
    exempt: Exempt | None = None
    # This answer's own word limit (a bid form's "max 300 words"), over the kind's.
    max_words: Annotated[int, Field(ge=1)] | None = None

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


GeneratedContent = Literal[
    "option-summaries", "option-analyses", "recommendations", "impact-assessment", "resources"
]

# --- an integrated impact assessment, and resource implications, as data ---------------------

# The characteristics the Equality Act 2010 (s.4) protects, as a report names them.
PROTECTED_CHARACTERISTICS = {
    "age": "Age",
    "disability": "Disability",
    "gender_reassignment": "Gender reassignment",
    "marriage_and_civil_partnership": "Marriage and civil partnership",
    "pregnancy_and_maternity": "Pregnancy and maternity",
    "race": "Race",
    "religion_or_belief": "Religion or belief",
    "sex": "Sex",
    "sexual_orientation": "Sexual orientation",
}
# The other implications council reports routinely set out.
IMPLICATIONS = {
    "financial": "Financial",
    "legal": "Legal",
    "staffing": "Staffing",
    "property": "Property",
    "it": "IT",
    "climate": "Climate and environment",
    "risk": "Risk",
}
EFFECTS = {
    "positive": "Positive",
    "neutral": "Neutral",
    "negative": "Negative",
    "not-known": "Not known",
}

# The names an author may write, from the tables above (Literal of a tuple is each of them).
Characteristic = Literal[tuple(PROTECTED_CHARACTERISTICS)]  # type: ignore[valid-type]
Implication = Literal[tuple(IMPLICATIONS)]  # type: ignore[valid-type]
Effect = Literal[tuple(EFFECTS)]  # type: ignore[valid-type]


class EqualityEffect(Strict):
    """The effect of a proposal on people who share a protected characteristic."""

    effect: Effect
    note: Text | None = None
    mitigation: Text | None = None

    @model_validator(mode="after")
    def _negative_is_mitigated(self) -> EqualityEffect:
        if self.effect == "negative" and self.mitigation is None:
            raise ValueError(
                "a negative effect needs a 'mitigation': say how it will be reduced or removed"
            )
        return self


class ImpactAssessment(Strict):
    """A report's integrated impact assessment: whether it is done, what the report says of
    it (``summary``, prose), the effect on each protected characteristic and the other
    implications."""

    status: Literal["completed", "to-be-completed", "not-needed"]
    completed: Date | None = None
    reason: Text | None = None
    summary: Text
    equality: dict[Characteristic, EqualityEffect] = {}
    implications: dict[Implication, Text] = {}

    @model_validator(mode="after")
    def _status_has_what_it_needs(self) -> ImpactAssessment:
        if self.status == "completed" and self.completed is None:
            raise ValueError("a completed assessment needs the date it was 'completed'")
        if self.status != "completed" and self.completed is not None:
            raise ValueError(f"an assessment that is {self.status} has no 'completed' date")
        if self.status == "not-needed" and self.reason is None:
            raise ValueError("an assessment that is not needed needs the 'reason'")
        return self


class Resources(Strict):
    """A report's resource implications: what it says (``summary``, prose) and, if known,
    ``figures``: the name of a list of facts, each with a ``financial_year`` and
    ``capital`` and ``revenue`` money, shown as a table with totals."""

    summary: Text
    figures: Text | None = None


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
    """A document of the form shape: sections of labelled answers (an expression of
    interest, an application, a decision notice)."""

    kind: Label
    template: Text | None = None
    title: Text
    programme: Label | None = None
    council: Label
    recipient: Label | None = None
    date: Date | Unknown
    applicants: list[Applicant] = []
    contact: Contact | None = None
    sections: list[FormSection] = Field(min_length=1)
    # The whole document is exempt: published only in the private edition of the pack.
    exempt: Exempt | None = None


class KeyDecision(Strict):
    """A report's decision is a key decision. It needs a notice on the forward plan at least
    28 clear days before the meeting (2012 Regulations, reg. 9), given as ``notice`` (the
    day it was published), or else a ``general-exception`` (reg. 10) or ``special-urgency``
    (reg. 11) recorded with its ``reason``."""

    notice: Date | None = None
    exception: Literal["general-exception", "special-urgency"] | None = None
    reason: Text | None = None

    @model_validator(mode="after")
    def _an_exception_has_its_reason(self) -> KeyDecision:
        if self.exception is not None and self.reason is None:
            raise ValueError(f"a {self.exception} needs its 'reason'")
        if self.reason is not None and self.exception is None:
            raise ValueError("a 'reason' is for an exception: say which ('exception: ...')")
        return self


# ``key_decision: false``, or the key decision's notice: told apart by the value, so that a
# mistake in one is reported as a mistake in it, not as "expected False".
KeyDecisionOrNot = Annotated[
    Annotated[Literal[False], Tag("not")] | Annotated[KeyDecision, Tag("key")],
    Discriminator(lambda value: "not" if value is False else "key"),
]


class Report(Strict):
    """A document of the report shape: numbered sections, options and recommendations, for
    a meeting (a Cabinet report, an officer decision record).

    ``key_decision`` marks a key decision (see :class:`KeyDecision`), or ``false`` says a
    decision that looks like one (by the council's thresholds) is not; ``wards`` are the
    wards it affects.
    """

    kind: Label
    template: Text | None = None
    programme: Label | None = None
    council: Label
    meeting: Label
    title: Text
    date: Date
    author: Text
    signatory: Label
    background_papers: list[Text] = []
    impact_assessment: ImpactAssessment | None = None
    resources: Resources | None = None
    sections: list[Section] = Field(min_length=1)
    options: list[Option] = []
    recommendations: list[Recommendation] = []
    key_decision: KeyDecisionOrNot | None = None
    wards: list[Text] = []
    exempt: Exempt | None = None


# --- kinds of document, as data ---------------------------------------------------------------
#
# Code knows the few shapes a document can have; which kinds of document there are (a Cabinet
# report, an expression of interest, a decision notice) is data: inputs/kinds/<kind>.yaml.

SHAPES: dict[str, type[Strict]] = {"report": Report, "form": Form}


WordCount = Annotated[int, Field(ge=1)]


class WordLimits(Strict):
    """The most words a kind of document allows: per ``answer`` on a form, per
    ``paragraph`` or per ``section`` of a report (as the reader reads them, facts filled in)."""

    answer: WordCount | None = None
    paragraph: WordCount | None = None
    section: WordCount | None = None


class Kind(Strict):
    """A kind of document: its shape, its template, what it is for, what it requires
    (fields of its shape that may not be left empty, such as ``recommendations``) and its
    word limits; and, if its HTML edition is not to look as its shape's default
    (``report.html``, ``form.html``), the HTML template of its own (``html_template``, a
    file in ``templates/``)."""

    shape: Literal["report", "form"]
    template: Text
    html_template: Text | None = None
    description: Text
    requires: list[Text] = []
    word_limits: WordLimits | None = None

    @field_validator("requires")
    @classmethod
    def _requires_fields_of_its_shape(cls, requires: list[str], info: ValidationInfo) -> Any:
        shape = info.data.get("shape")
        fields = SHAPES[shape].model_fields if shape in SHAPES else {}
        for name in requires if fields else []:
            if name not in fields:
                hint = did_you_mean(name, fields)
                raise ValueError(f"a {shape} has no field '{name}' to require — {hint}")
        return requires


# Which shape each kind has, while the inputs are being read: documents are told apart by
# the shape of their kind, which is itself in the inputs.
_KIND_SHAPES: ContextVar[dict[str, str] | None] = ContextVar("kind_shapes", default=None)


def _document_shape(value: Any) -> str | None:
    if isinstance(value, Report | Form):
        return "report" if isinstance(value, Report) else "form"
    if isinstance(value, dict):
        return (_KIND_SHAPES.get() or {}).get(str(value.get("kind")))
    return None


Document = Annotated[
    Annotated[Report, Tag("report")] | Annotated[Form, Tag("form")],
    Discriminator(
        _document_shape,
        custom_error_type="document_kind",
        custom_error_message="the document's kind is not one of the kinds in inputs/kinds/",
    ),
]

# Keys of the project that are folders of files, one entry a file, rather than one file.
FOLDERS = {"documents", "programmes", "kinds"}


class PlainEnglish(Strict):
    """The council's thresholds for plain English: the lowest Flesch reading ease a
    paragraph may score (0-100; higher is easier), and the most words a sentence may have."""

    reading_ease: Annotated[float, Field(ge=0, le=100)] | None = None
    sentence_words: Annotated[int, Field(ge=1)] | None = None


class HouseStyle(Strict):
    """``inputs/style.yaml``: the council's house style. Its own ``words`` the en-GB
    dictionary lacks (places, people, terms), whether to ``check_spelling`` at all, the
    ``known_acronyms`` its readers know, and its ``plain_english`` thresholds (none: not
    checked)."""

    check_spelling: bool = True
    words: list[Text] = []
    # Acronyms readers know without their words (UK, BBC): never spelt out, never warned of.
    known_acronyms: list[Text] = []
    plain_english: PlainEnglish | None = None


class Project(Strict):
    """Everything under ``inputs/``: one key per file (``documents/`` and ``programmes/``
    are folders of files, one a document or programme)."""

    organisations: dict[Label, Organisation]
    kinds: dict[Label, Kind] = {}
    programmes: dict[Label, Programme] = {}
    bodies: dict[Label, Body] = {}
    meetings: dict[Label, Meeting] = {}
    documents: dict[Label, Document] = {}
    style: HouseStyle = HouseStyle()

    @model_validator(mode="after")
    def _meetings_know_their_bodies(self) -> Project:
        # A meeting naming no body that exists is reported by the rules, with suggestions.
        for meeting in self.meetings.values():
            meeting._body = self.bodies.get(meeting.body)
        return self

    def body_of(self, meeting: Meeting) -> Body:
        """The body that holds ``meeting`` (the rules have checked it exists)."""
        return self.bodies[meeting.body]


# --- from loaded YAML to the model, with every error located -------------------------------


def parse_project(inputs: Inputs) -> Project:
    """Validate the loaded inputs into a :class:`Project`; raise with every problem located."""
    kinds = inputs.data.get("kinds")
    declared = kinds if isinstance(kinds, dict) else {}
    shapes = {
        str(name): kind["shape"]
        for name, kind in declared.items()
        if isinstance(kind, dict) and isinstance(kind.get("shape"), str) and kind["shape"] in SHAPES
    }
    token = _KIND_SHAPES.set(shapes)
    try:
        return Project.model_validate(inputs.data)
    except ValidationError as exc:
        raise ReportgenError(_diagnostics(exc, inputs, shapes, set(declared))) from None
    finally:
        _KIND_SHAPES.reset(token)


def template_of(project: Project, document: Report | Form) -> str:
    """A document's template: its own, or its kind's."""
    return document.template or project.kinds[document.kind].template


def _diagnostics(
    exc: ValidationError, inputs: Inputs, shapes: dict[str, str], declared: set[str]
) -> list[Diagnostic]:
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
        elif first["type"] == "document_kind":
            kind = first["input"].get("kind") if isinstance(first["input"], dict) else None
            if kind is None:
                found.append(inputs.diagnostic(path, "missing required key 'kind'"))
            elif isinstance(kind, str) and kind in declared:
                continue  # its kind is broken, and reported where it is written
            else:
                found.append(
                    inputs.diagnostic(
                        (*path, "kind"),
                        f"kind '{kind}' is not defined in kinds/ — "
                        f"{did_you_mean(str(kind), shapes)}",
                    )
                )
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
    "bool_type": "expected yes or no (true or false)",
}


def _message(errors: list[dict[str, Any]]) -> str:
    messages = []
    for error in errors:
        kind, context, value = error["type"], error.get("ctx", {}), error.get("input")
        message = str(error["msg"]).removeprefix("Value error, ")
        if value is None:
            message = "a value is needed here, but it is empty"
        elif kind == "string_pattern_mismatch" and context.get("pattern") == TIME_PATTERN:
            message = "expected a time written as HH:MM (24-hour), e.g. 18:30" + _got(value)
        elif kind == "string_pattern_mismatch" and context.get("pattern") == FactName_PATTERN:
            message = (
                "expected a fact's name: lower-case letters, digits and underscores, "
                "starting with a letter (prose writes {{ name }})" + _got(value)
            )
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
        elif kind == "fact_type":
            message = str(error["msg"])
        if message not in messages:
            messages.append(message)
    # A scalar where a scalar or {unknown: why} is allowed was meant as the scalar: say only
    # what is wrong with it.
    scalar = [m for m in messages if not m.startswith(_EXPECTED["model_type"])]
    if scalar and not isinstance(errors[0].get("input"), dict):
        messages = scalar
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
    if isinstance(annotation, TypeAliasType):
        return branches(annotation.__value__)
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
