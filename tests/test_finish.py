"""The moment a build stamps into its PDFs comes from the inputs, or SOURCE_DATE_EPOCH."""

from __future__ import annotations

import datetime as dt
import errno
from pathlib import Path

import pikepdf
import pytest

from reportgen.diagnostics import ReportgenError
from reportgen.finish import finish_pdf
from reportgen.plan import source_moment

MOMENT = dt.datetime(2014, 5, 22, tzinfo=dt.UTC)


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


def a_pdf(path: Path) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(path)
    return path


def test_a_full_disk_while_finishing_is_an_os_error_and_the_pdf_is_as_it_was(tmp_path, monkeypatch):
    pdf = a_pdf(tmp_path / "report.pdf")
    before = pdf.read_bytes()

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(OSError) as raised:
        finish_pdf(pdf, MOMENT)
    assert raised.value.errno == errno.ENOSPC
    monkeypatch.undo()
    assert pdf.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


def test_a_pdf_that_cannot_be_read_is_named_in_an_error(tmp_path):
    damaged = tmp_path / "report.pdf"
    damaged.write_bytes(b"%PDF-1.7\nnot a PDF after all\n")
    with pytest.raises(ReportgenError, match=r"report\.pdf: LibreOffice wrote a PDF that cannot"):
        finish_pdf(damaged, MOMENT)
