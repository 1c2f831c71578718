"""The moment a build stamps into its PDFs comes from the inputs, or SOURCE_DATE_EPOCH."""

from __future__ import annotations

import datetime as dt

from reportgen.finish import source_moment


def test_the_moment_is_the_latest_date_in_the_inputs(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    data = {"a": dt.date(2014, 5, 22), "b": [{"c": dt.date(2014, 10, 1)}], "d": "text"}
    assert source_moment(data) == dt.datetime(2014, 10, 1, tzinfo=dt.UTC)


def test_source_date_epoch_wins(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1400716800")
    assert source_moment({"a": dt.date(2014, 10, 1)}) == dt.datetime(2014, 5, 22, tzinfo=dt.UTC)


def test_inputs_without_dates_still_give_a_fixed_moment(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert source_moment({"a": "text"}) == dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
