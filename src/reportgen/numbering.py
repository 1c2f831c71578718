"""Section and paragraph numbers (``2.13``), and cross-references to them by label.

Numbers are derived from order alone, so inserting a paragraph renumbers everything after it
and every ``ref('label')`` follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .diagnostics import did_you_mean


def section_number(index: int) -> str:
    """The number of the section at 0-based ``index``: ``0`` → ``1``."""
    return str(index + 1)


def paragraph_numbers(section: str, count: int) -> list[str]:
    """``paragraph_numbers("2", 3)`` → ``["2.1", "2.2", "2.3"]``."""
    return [f"{section}.{i}" for i in range(1, count + 1)]


def number_outline(counts: Sequence[int]) -> list[list[str]]:
    """Numbers for a whole outline, given how many paragraphs each section holds."""
    return [paragraph_numbers(section_number(i), n) for i, n in enumerate(counts)]


class LabelError(LookupError):
    """A cross-reference to a label that is not defined, or a label defined twice."""


@dataclass
class Labels:
    """Labels (``customer-services-redesign``) and the numbers they resolved to (``2.14``)."""

    numbers: dict[str, str] = field(default_factory=dict)

    def define(self, label: str, number: str) -> None:
        """Record ``label`` as numbered ``number``; a label may be defined only once."""
        if label in self.numbers:
            raise LabelError(f"label '{label}' is already used by paragraph {self.numbers[label]}")
        self.numbers[label] = number

    def ref(self, label: str) -> str:
        """The number of the paragraph labelled ``label``."""
        try:
            return self.numbers[label]
        except KeyError:
            hint = did_you_mean(str(label), self.numbers)
            raise LabelError(f"no paragraph is labelled '{label}' — {hint}") from None
