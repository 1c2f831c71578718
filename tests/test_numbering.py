"""Section and paragraph numbers are derived from order; labels resolve to them."""

import pytest

from reportgen.numbering import LabelError, Labels, number_outline, paragraph_numbers


def test_paragraphs_are_numbered_within_their_section():
    assert paragraph_numbers("2", 3) == ["2.1", "2.2", "2.3"]


def test_an_outline_numbers_sections_from_one():
    assert number_outline([2, 0, 1]) == [["1.1", "1.2"], [], ["3.1"]]


def test_two_digit_paragraph_numbers_follow_nine():
    assert paragraph_numbers("2", 18)[9:13] == ["2.10", "2.11", "2.12", "2.13"]


def test_a_label_resolves_to_its_number():
    labels = Labels()
    labels.define("savings-estimate", "2.12")
    assert labels.ref("savings-estimate") == "2.12"


def test_an_undefined_label_suggests_the_nearest():
    labels = Labels()
    labels.define("savings-estimate", "2.12")
    with pytest.raises(LabelError, match="did you mean 'savings-estimate'"):
        labels.ref("saving-estimate")


def test_a_label_cannot_be_defined_twice():
    labels = Labels()
    labels.define("hub", "2.12")
    with pytest.raises(LabelError, match=r"already used by paragraph 2\.12"):
        labels.define("hub", "2.13")
