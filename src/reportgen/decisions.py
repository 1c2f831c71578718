"""Key decisions: which reports make one, whether the forward plan gave notice of it in
time, and the forward plan itself.

A key decision (Local Authorities (Executive Arrangements) (Meetings and Access to
Information) (England) Regulations 2012, reg. 8) spends or saves more than the council's
threshold, or affects two or more wards. It needs a notice on the forward plan at least 28
clear days before it is taken (reg. 9), unless a general exception (reg. 10) or special
urgency (reg. 11) is recorded with its reason. A report says it is one with
``key_decision:``; reportgen warns of a report whose recommendations commit money at or over
the council's threshold, or which affects enough wards, and says neither.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .diagnostics import Diagnostic, Severity
from .load import Inputs, KeyPath
from .model import KeyDecision, Project, Report, StandingOrders
from .text import and_list, date, money
from .timetable import clear_days_between, latest_day

# Notice on the forward plan: 2012 Regulations, reg. 9.
NOTICE_CLEAR_DAYS = 28
# Amounts as the money filter and authors write them: £320 million, £0.5m, £250,000.
_MONEY = re.compile(r"£(\d[\d,]*(?:\.\d+)?)(?:\s*(billion|million|bn|m)\b)?")
_SCALE = {
    "": 1,
    "m": 10**6,
    "million": 10**6,
    "bn": 10**9,
    "billion": 10**9,
}
EXCEPTIONS = {
    "general-exception": "general exception (reg. 10)",
    "special-urgency": "special urgency (reg. 11)",
}


def amounts(text: str) -> list[Decimal]:
    """Every sum of money written in ``text``, in pounds."""
    return [
        Decimal(figure.replace(",", "")) * _SCALE[scale] for figure, scale in _MONEY.findall(text)
    ]


def recommendation_views(report: Report, context: dict[str, Any]) -> list[Any]:
    """A composed report's recommendations as they read (facts filled in), in order: the
    paragraphs of its ``generate: recommendations`` section."""
    views: list[Any] = []
    for section, view in zip(report.sections, context.get("sections", []), strict=False):
        if section.generate == "recommendations":
            views += view.paragraphs
    return views


def committed(report: Report, context: dict[str, Any]) -> Decimal | None:
    """The largest sum of money the report's recommendations write: exactly, for a fact
    (the page may round it), or as typed in the recommendation's own words."""
    found = [a for view in recommendation_views(report, context) for a in view.amounts]
    for recommendation in report.recommendations:
        found += amounts(recommendation.text)
    return max(found, default=None)


def key_decision_problems(
    project: Project, inputs: Inputs, contexts: dict[str, dict[str, Any]], *, final: bool
) -> list[Diagnostic]:
    """A report that looks like a key decision and does not say whether it is one; a key
    decision without notice on the forward plan 28 clear days before its meeting, or a
    recorded exception. Warnings, or errors when ``final``."""
    severity: Severity = "error" if final else "warning"
    found = []
    for report_id, report in project.documents.items():
        if not isinstance(report, Report) or report_id not in contexts:
            continue
        meeting = project.meetings[report.meeting]
        council = project.organisations[report.council]
        orders = council.standing_orders or StandingOrders()
        base: KeyPath = ("documents", report_id)
        if report.key_decision is None:
            reasons = list(_looks_key(report, contexts[report_id], orders))
            if reasons:
                found.append(
                    inputs.diagnostic(
                        base,
                        f"this looks like a key decision ({'; '.join(reasons)}): say so with "
                        "'key_decision:' and its forward plan notice, or write "
                        "'key_decision: false'",
                        severity="warning",
                    )
                )
        elif isinstance(report.key_decision, KeyDecision) and isinstance(meeting.date, dt.date):
            problem = _notice_problem(report.key_decision, meeting.date, orders)
            if problem:
                where, message = problem
                found.append(
                    inputs.diagnostic((*base, "key_decision", *where), message, severity=severity)
                )
    return sorted(found)


def _looks_key(report: Report, context: dict[str, Any], orders: StandingOrders) -> Iterator[str]:
    rule = orders.key_decisions
    if rule is None:
        return
    if rule.money is not None:
        most = committed(report, context)
        if most is not None and most >= rule.money:
            yield (
                f"its recommendations commit {money(most, 'full')}, and the council's "
                f"threshold is {money(rule.money, 'full')}"
            )
    if rule.wards is not None and len(report.wards) >= rule.wards:
        yield f"it affects {len(report.wards)} wards, and the council's threshold is {rule.wards}"


def _notice_problem(
    decision: KeyDecision, meeting: dt.date, orders: StandingOrders
) -> tuple[tuple[str, ...], str] | None:
    if decision.exception is not None:
        return None
    due = date(latest_day(meeting, NOTICE_CLEAR_DAYS, orders))
    if decision.notice is None:
        return (), (
            f"a key decision needs notice on the forward plan by {due} ({NOTICE_CLEAR_DAYS} "
            "clear days before the meeting): give its 'notice' date, or an 'exception' "
            "(general-exception or special-urgency) with its 'reason'"
        )
    clear = clear_days_between(decision.notice, meeting, orders)
    if clear < NOTICE_CLEAR_DAYS:
        return ("notice",), (
            f"notice went on the forward plan {clear} clear days before the meeting; "
            f"{NOTICE_CLEAR_DAYS} are needed, so by {due}, or record an 'exception' with its "
            "'reason'"
        )
    return None


@dataclass(frozen=True)
class PlannedDecision:
    """One key decision on a council's forward plan."""

    title: str
    decision_maker: str
    date: str
    documents: list[str]
    notice: str
    wards: str
    # The ids of the documents, for what the plan is made from.
    document_ids: list[str]


def forward_plan(project: Project, council_id: str) -> list[PlannedDecision]:
    """The key decisions still to be taken at the council's meetings, soonest first (those
    whose meeting has no date yet last). A meeting whose outcomes are recorded has been held,
    and its decisions are taken: they leave the plan (it does not depend on the day it is
    built, so the same inputs give the same plan)."""
    titles = {d: getattr(document, "title", d) for d, document in project.documents.items()}
    planned: list[tuple[tuple[bool, dt.date, str], PlannedDecision]] = []
    for meeting in project.meetings.values():
        if meeting.council != council_id or meeting.outcomes:
            continue
        for item in meeting.items:
            report = project.documents.get(item.document)
            if not isinstance(report, Report) or not isinstance(report.key_decision, KeyDecision):
                continue
            decision = report.key_decision
            dated = isinstance(meeting.date, dt.date)
            if decision.exception is not None:
                notice = f"{EXCEPTIONS[decision.exception]}: {decision.reason}"
            elif decision.notice is not None:
                notice = f"published {date(decision.notice)}"
            else:
                notice = "not yet published"
            when = meeting.date if isinstance(meeting.date, dt.date) else dt.date.max
            planned.append(
                (
                    (not dated, when, report.title),
                    PlannedDecision(
                        title=report.title,
                        decision_maker=meeting.body_name,
                        date=date(meeting.date) if dated else "to be confirmed",
                        documents=[titles[d] for d in [item.document, *item.appendices]],
                        notice=notice,
                        wards=and_list(report.wards) if report.wards else "not ward-specific",
                        document_ids=[item.document, *item.appendices],
                    ),
                )
            )
    return [decision for _, decision in sorted(planned, key=lambda p: p[0])]
