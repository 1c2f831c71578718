"""en-GB wording of money, dates, financial years and lists."""

import datetime as dt
from decimal import Decimal

import pytest

from reportgen.model import Organisation
from reportgen.text import (
    Amount,
    Percent,
    and_list,
    date,
    financial_year,
    interpolate,
    money,
    money_range,
    money_range_value,
)
from reportgen.view import NotKnown, plain


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (320_000_000, "£320 million"),
        (15_000_000, "£15 million"),
        (1_500_000, "£1.5 million"),
        (2_500_000_000, "£2.5 billion"),
        (250_000, "£250,000"),
        (999.5, "£999.50"),
        (0, "£0"),
        (1_234_567, "£1.23 million"),
        (1_005_000, "£1.01 million"),
        (1_234_567_890, "£1.23 billion"),
    ],
)
def test_money_in_words_as_running_text_writes_it(amount, expected):
    assert money(amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (500_000, "£0.5m"),
        (750_000, "£0.75m"),
        (320_000_000, "£320m"),
        (Decimal("1250000"), "£1.25m"),
        (1_234_567, "£1.23m"),
        (1_234_567_890, "£1,234.57m"),
        (1_000, "£0.001m"),
        (12_345, "£0.012m"),
    ],
)
def test_money_short_form_uses_m(amount, expected):
    assert money(amount, "m") == expected


def test_money_full_form_groups_thousands():
    assert money(320_000_000, "full") == "£320,000,000"


def test_money_rejects_text_and_booleans():
    with pytest.raises(TypeError):
        money("£320 million")
    with pytest.raises(TypeError):
        money(True)


def test_money_rejects_an_unknown_style():
    with pytest.raises(ValueError, match="'words', 'm' or 'full'"):
        money(5, "k")


def test_money_range_joins_low_and_high_with_to():
    savings = money_range_value(Decimal(500_000), Decimal(750_000))
    assert money_range(savings, "m") == "£0.5m to £0.75m"
    assert money(savings, "m") == "£0.5m to £0.75m"


def test_money_range_of_equal_bounds_is_one_amount():
    assert money_range(money_range_value(Decimal(5_000_000), Decimal(5_000_000))) == "£5 million"


def test_money_and_percentages_from_the_inputs_read_as_themselves():
    assert str(Amount(320_000_000)) == "£320 million"
    assert money(Amount(500_000), "m") == "£0.5m"
    assert Amount(5) + 1 == 6
    assert str(Percent("12.50")) == "12.5%"
    assert str(money_range_value(Decimal(500_000), Decimal(750_000))) == "£500,000 to £750,000"


def test_date_has_no_leading_zero_and_full_month():
    assert date(dt.date(2014, 5, 22)) == "22 May 2014"
    assert date(dt.date(2014, 4, 2)) == "2 April 2014"


def test_unknown_values_read_to_be_confirmed():
    unknown = NotKnown("not in the source")
    assert date(unknown) == "to be confirmed"
    assert money(unknown) == "to be confirmed"


def test_financial_year_takes_the_separator_the_prose_uses():
    assert financial_year(2014) == "2014/15"
    assert financial_year(2015, "-") == "2015-16"
    assert financial_year(1999, "-") == "1999-00"


@pytest.mark.parametrize(
    ("items", "expected"),
    [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")],
)
def test_and_list_has_no_oxford_comma(items, expected):
    assert and_list(items) == expected


def test_items_lists_a_groups_names_and_facts_in_written_order():
    organisations = plain({"nlc": Organisation(name="North"), "nelc": Organisation(name="NE")})
    assert interpolate(
        "{% for id, o in org | items %}{{ id }}={{ o }} {% endfor %}", {"org": organisations}
    ) == ("nlc=North nelc=NE ")
