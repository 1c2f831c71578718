"""A build's own LibreOffice workers: started once for the whole build (while a cold build
checks its inputs), fed every document, cover and mark one at a time, restarted when they
die, and gone when the build ends; the bytes are those of ``soffice --convert-to``."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from reportgen import workers
from reportgen.build import Paths, build
from reportgen.convert import PDF_EXPORT_OPTIONS, export_options, find_soffice
from reportgen.workers import DocumentRefused, Workers, clear_abandoned

from conftest import EXAMPLE_INPUTS, FIXTURES, ROOT, TEMPLATES, snapshot

OPTIONS = export_options(PDF_EXPORT_OPTIONS)


@pytest.fixture
def counted_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """LibreOffice behind a script that writes a line to the returned log each time it is
    started to convert (not when asked its version)."""
    log = tmp_path / "starts.log"
    script = tmp_path / "soffice"
    script.write_text(
        "#!/bin/sh\n"
        '[ "$1" = --version ] || echo started >> "$STARTS_LOG"\n'
        f'exec {find_soffice()} "$@"\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("REPORTGEN_SOFFICE", str(script))
    monkeypatch.setenv("STARTS_LOG", str(log))
    return log


def every_kind_of_output(tmp_path: Path) -> Path:
    """Inputs with a dated meeting, an exempt appendix (the notice, private editions, the
    private pack and its mark) and a key decision (the forward plan)."""
    inputs = tmp_path / "inputs"
    shutil.copytree(FIXTURES / "digital-access", inputs)
    shutil.copytree(FIXTURES / "exempt-items", inputs, dirs_exist_ok=True)
    report = inputs / "documents" / "report.yaml"
    report.write_text(report.read_text() + "key_decision: {notice: 2015-07-29}\n")
    return inputs


def starts(log: Path) -> int:
    return len(log.read_text().split()) if log.exists() else 0


@pytest.mark.libreoffice
def test_a_cold_build_starts_each_workers_libreoffice_once(tmp_path, counted_soffice, monkeypatch):
    monkeypatch.setenv("REPORTGEN_CONVERT", "workers")
    out = tmp_path / "build"
    result = build(Paths(every_kind_of_output(tmp_path), TEMPLATES, out), workers=2)
    kinds = {o.kind for o in result.outputs}
    assert {"pack", "forward-plan"} <= kinds and (out / "private").is_dir()
    # Documents, pack covers, page numbers, the private mark and the forward plan: one
    # LibreOffice start per worker for all of them (in batches, one per step at least).
    assert starts(counted_soffice) == 2


@pytest.mark.libreoffice
def test_a_build_of_few_documents_starts_one_libreoffice(tmp_path, counted_soffice, monkeypatch):
    monkeypatch.setenv("REPORTGEN_CONVERT", "workers")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    build(Paths(EXAMPLE_INPUTS, TEMPLATES, tmp_path / "build"))
    assert starts(counted_soffice) == 1


@pytest.mark.libreoffice
def test_a_build_of_many_documents_starts_one_libreoffice_a_core(
    tmp_path, counted_soffice, monkeypatch
):
    from reportgen import conversion

    monkeypatch.setenv("REPORTGEN_CONVERT", "workers")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(conversion, "SHARED_FROM", 3)  # the example's three documents
    build(Paths(EXAMPLE_INPUTS, TEMPLATES, tmp_path / "build"))
    assert starts(counted_soffice) == 2


@pytest.mark.libreoffice
def test_workers_make_the_same_bytes_as_soffice_convert_to(tmp_path, monkeypatch):
    inputs = every_kind_of_output(tmp_path)
    monkeypatch.setenv("REPORTGEN_CONVERT", "workers")
    build(Paths(inputs, TEMPLATES, tmp_path / "workers"))
    monkeypatch.setenv("REPORTGEN_CONVERT", "batch")
    build(Paths(inputs, TEMPLATES, tmp_path / "batch"))
    assert snapshot(tmp_path / "workers") == snapshot(tmp_path / "batch")


@pytest.mark.libreoffice
def test_a_build_leaves_no_libreoffice_and_no_profile_behind(tmp_path, monkeypatch):
    monkeypatch.setenv("REPORTGEN_CONVERT", "workers")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    build(Paths(every_kind_of_output(tmp_path), TEMPLATES, tmp_path / "build"))
    assert not list(tmp_path.glob(workers.FOLDER_PREFIX + "*"))
    assert not _processes_naming(tmp_path)


@pytest.mark.libreoffice
def test_a_document_libreoffice_cannot_read_is_refused_and_the_worker_carries_on(tmp_path):
    good = ROOT / "templates" / "not-for-publication.docx"
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not a word document")
    with Workers(1, find_soffice()) as own:
        (worker,) = own.start()
        with pytest.raises(DocumentRefused, match=r"could not convert broken\.docx"):
            worker.convert(broken, tmp_path / "broken.pdf", OPTIONS, 60)
        worker.convert(good, tmp_path / "good.pdf", OPTIONS, 60)
        assert worker.starts == 1
    assert (tmp_path / "good.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.libreoffice
def test_a_worker_whose_libreoffice_died_is_restarted_by_the_build(tmp_path):
    from reportgen.convert import convert_to_pdf

    documents = []
    for name in ("one", "two"):
        documents.append(tmp_path / f"{name}.docx")
        shutil.copy(ROOT / "templates" / "not-for-publication.docx", documents[-1])
    with Workers(1, find_soffice()) as own:
        (worker,) = own.start()
        worker.convert(documents[0], tmp_path / "first.pdf", OPTIONS, 60)
        assert worker.process is not None
        os.killpg(worker.process.pid, signal.SIGKILL)
        converted = convert_to_pdf(documents, tmp_path / "out", converters=own.workers)
        assert worker.starts == 2
    assert all(pdf.read_bytes().startswith(b"%PDF-") for pdf in converted.values())


def convert_with_one_worker(docx: Path, pdf: Path) -> bool:
    """Convert with a worker of its own; whether it started from the kept profile."""
    with Workers(1, find_soffice()) as own:
        (worker,) = own.start()
        worker.convert(docx, pdf, OPTIONS, 60)
        return worker._seeded


@pytest.mark.libreoffice
def test_a_workers_profile_is_kept_and_later_workers_start_from_it_to_the_same_bytes(
    tmp_path, monkeypatch
):
    from reportgen.finish import finish_pdf

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    seed = workers.profile_seed(find_soffice())
    assert seed is not None and seed.is_relative_to(tmp_path / "cache")
    docx = tmp_path / "mark.docx"
    shutil.copy(ROOT / "templates" / "not-for-publication.docx", docx)
    assert not convert_with_one_worker(docx, tmp_path / "fresh.pdf")
    assert (seed / "user").is_dir()
    assert convert_with_one_worker(docx, tmp_path / "seeded.pdf")
    for pdf in ("fresh.pdf", "seeded.pdf"):
        finish_pdf(tmp_path / pdf, dt.datetime(2014, 5, 22, tzinfo=dt.UTC))
    assert (tmp_path / "fresh.pdf").read_bytes() == (tmp_path / "seeded.pdf").read_bytes()


def test_a_kept_profile_libreoffice_will_not_start_with_is_thrown_away(tmp_path, monkeypatch):
    seed = tmp_path / "cache" / "libreoffice-profile"
    (seed / "user").mkdir(parents=True)
    monkeypatch.setattr(workers, "profile_seed", lambda soffice: seed)
    with Workers(1, str(FIXTURES / "fake-soffice" / "crash")) as own:
        (worker,) = own.start()
        with pytest.raises(workers.ConverterUnavailable):
            worker.convert(tmp_path / "a.docx", tmp_path / "a.pdf", OPTIONS, 30)
    assert not seed.exists()


def test_no_profile_is_kept_without_an_absolute_cache_folder(monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert workers.profile_seed(find_soffice()) is None


def test_a_libreoffice_that_cannot_start_is_tried_twice_then_given_up(tmp_path):
    crash = FIXTURES / "fake-soffice" / "crash"
    log = tmp_path / "soffice.log"
    os.environ["FAKE_SOFFICE_LOG"] = str(log)
    try:
        with Workers(1, str(crash)) as own:
            (worker,) = own.start()
            for _ in range(3):
                with pytest.raises(workers.ConverterUnavailable, match="exit 139"):
                    worker.convert(tmp_path / "a.docx", tmp_path / "a.pdf", OPTIONS, 30)
    finally:
        del os.environ["FAKE_SOFFICE_LOG"]
    assert starts(log) == 2


def test_a_bridge_that_stops_says_why(tmp_path, monkeypatch):
    # A Python that says it can import uno, whose bridge then fails on a broken uno.
    python = tmp_path / "python3"
    python.write_text(
        "#!/bin/sh\n"
        '[ "$1" = -c ] && exit 0\n'
        "echo 'ImportError: cannot import name getComponentContext' >&2\n"
        "exit 1\n"
    )
    python.chmod(0o755)
    monkeypatch.setenv("REPORTGEN_UNO_PYTHON", str(python))
    workers.uno_python.cache_clear()
    try:
        with Workers(1, find_soffice()) as own:
            (worker,) = own.start()
            with pytest.raises(workers.ConverterUnavailable, match="cannot import name"):
                worker.convert(tmp_path / "a.docx", tmp_path / "a.pdf", OPTIONS, 30)
    finally:
        workers.uno_python.cache_clear()


def test_what_a_killed_build_left_is_stopped_and_removed_and_a_live_builds_is_not(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    abandoned = tmp_path / f"{workers.FOLDER_PREFIX}killed"
    abandoned.mkdir()
    (abandoned / workers.LOCK).write_text("")
    # A process whose command line names the folder, as a worker's LibreOffice's does.
    left = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", str(abandoned / "profile")],
        start_new_session=True,
    )
    # Its command line can be read only once it has started (a killed build's has long).
    cmdline = Path(f"/proc/{left.pid}/cmdline")
    while os.fsencode(abandoned) not in cmdline.read_bytes():
        time.sleep(0.01)
    with Workers(0, "soffice") as live:
        live.start()
        clear_abandoned()
        assert live.folder is not None and live.folder.is_dir()
    assert left.wait(timeout=5) == -signal.SIGKILL
    assert not abandoned.exists()


def build_with(out: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    """``reportgen build`` of the example into ``out``, with these environment variables."""
    return subprocess.run(
        [sys.executable, "-m", "reportgen", "build", "--out", str(out)],
        cwd=ROOT,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_unknown_conversion_mode_is_a_clear_error(tmp_path):
    result = build_with(tmp_path / "out", REPORTGEN_CONVERT="fast")
    assert result.returncode == 1
    assert "REPORTGEN_CONVERT is 'fast'" in result.stderr
    assert "Traceback" not in result.stderr


def test_workers_asked_for_where_there_is_no_uno_python_is_a_clear_error(tmp_path):
    result = build_with(
        tmp_path / "out",
        REPORTGEN_CONVERT="workers",
        REPORTGEN_UNO_PYTHON=str(tmp_path / "no-such-python"),
    )
    assert result.returncode == 1
    assert "python3-uno" in result.stderr
    assert "Traceback" not in result.stderr


def _processes_naming(folder: Path) -> list[int]:
    needle = os.fsencode(folder)
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if needle in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


@pytest.mark.parametrize(
    ("mode", "layouts"),
    [("workers", ["cover", "folio"]), ("batch", ["cover", "cover", "folio", "folio"])],
)
def test_a_packs_covers_are_ready_once_all_its_documents_have_their_length(
    tmp_path, monkeypatch, mode, layouts
):
    from reportgen.check import check
    from reportgen.packs import Packs
    from reportgen.plan import Conversion, Workspace, plan_documents, source_moment

    monkeypatch.setenv("REPORTGEN_CONVERT", mode)

    checked = check(EXAMPLE_INPUTS, TEMPLATES)
    assert checked.inputs is not None
    moment = source_moment(checked.inputs.data)
    paths = Paths(EXAMPLE_INPUTS, TEMPLATES, tmp_path / "build")
    conversion = Conversion(60, None)
    documents = plan_documents(checked, paths, conversion, moment)
    staging = tmp_path / "staging"
    (staging / ".covers").mkdir(parents=True)
    packs = Packs(checked, paths, documents, Workspace(staging, paths.out, {}, moment), conversion)
    members = list(documents.values())
    for document in members[:-1]:
        document.pages = 4
    assert packs.covers_ready() == []
    members[-1].pages = 3
    ready = packs.covers_ready()
    # A cover and its page numbers for the likeliest length of the front where another
    # round of conversions costs one conversion; for the two likeliest where it costs a
    # LibreOffice start.
    assert sorted(p.name.rsplit("-", 2)[-2] for p in ready) == layouts
    assert all(p.is_file() for p in ready)
    assert packs.covers_ready() == [], "each cover is handed out once"


@pytest.fixture
def workers_at_check(tmp_path, monkeypatch):
    """Whether the build's LibreOffice workers had been started when it began checking its
    inputs, one entry a build."""
    import reportgen.produce as build_module

    seen: list[bool] = []
    real_check = build_module.check

    def check(*args, **kwargs):
        seen.append(bool(list(tmp_path.glob(workers.FOLDER_PREFIX + "*"))))
        return real_check(*args, **kwargs)

    monkeypatch.setenv("REPORTGEN_CONVERT", "workers")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(build_module, "check", check)
    return seen


@pytest.mark.libreoffice
def test_a_cold_build_starts_libreoffice_before_it_checks_the_inputs(
    tmp_path, example_copy, workers_at_check
):
    build(Paths(example_copy, TEMPLATES, tmp_path / "build"))
    assert workers_at_check == [True]


@pytest.mark.libreoffice
def test_a_build_with_a_last_build_starts_libreoffice_only_once_it_has_work(
    tmp_path, example_build, example_copy, workers_at_check
):
    out = tmp_path / "build"
    shutil.copytree(example_build[0], out)
    programme = example_copy / "programmes" / "transformation.yaml"
    programme.write_text(programme.read_text().replace("320_000_000", "321_000_000"))
    result = build(Paths(example_copy, TEMPLATES, out))
    assert workers_at_check == [False]
    assert result.built >= 1


@pytest.mark.libreoffice
def test_progress_counts_the_documents_already_moved_into_place(tmp_path, monkeypatch):
    monkeypatch.setenv("REPORTGEN_CONVERT", "workers")
    reports: list[tuple[int, int]] = []
    build(
        Paths(EXAMPLE_INPUTS, TEMPLATES, tmp_path / "build"),
        progress=lambda done, total: reports.append((done, total)),
    )
    assert reports, "a build with documents to convert reports its progress"
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)
    assert reports[-1][0] == reports[-1][1]


FAKE_BRIDGE = FIXTURES / "fake-bridge" / "bridge.py"


@pytest.fixture
def fake_bridge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Workers whose bridge is tests/fixtures/fake-bridge (no LibreOffice behind it, each
    document taking the seconds its name says); the log of whether each document was
    waiting for it when it finished the one before."""
    log = tmp_path / "bridge.log"
    monkeypatch.setattr(workers, "BRIDGE", FAKE_BRIDGE)
    monkeypatch.setenv("FAKE_BRIDGE_LOG", str(log))
    return log


def send_together(
    worker: workers.BuildWorker, names: list[str], folder: Path, timeout: float
) -> dict[str, BaseException | None]:
    """Send a document of each name to ``worker``, each from a thread of its own, in the
    order given and each while the one before converts; what each raised, if anything.
    A thread whose document failed restarts the worker, as the build does, and sends
    another ("0") document."""
    raised: dict[str, BaseException | None] = {}

    def send(name: str) -> None:
        try:
            worker.convert(folder / f"{name}.docx", folder / f"{name}.pdf", OPTIONS, timeout)
            raised[name] = None
        except workers.ConverterUnavailable as exc:
            raised[name] = exc
            worker.restart()
            worker.convert(folder / "0.docx", folder / "0.pdf", OPTIONS, timeout)

    threads = [threading.Thread(target=send, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
        time.sleep(0.2)
    for thread in threads:
        thread.join(30)
    return raised


def test_the_next_document_is_waiting_when_libreoffice_finishes_one(tmp_path, fake_bridge):
    from reportgen.convert import ConverterPool

    documents = [tmp_path / f"{seconds}.docx" for seconds in ("0.3", "0.30", "0.300", "0.3000")]
    with (
        Workers(1, str(FIXTURES / "fake-soffice" / "hang")) as own,
        ConverterPool(tmp_path / "out", converters=own.start()) as pool,
    ):
        for document in documents:  # one a batch, as a build sends them
            pool.submit([document])
        assert len(pool.close()) == 4
    assert fake_bridge.read_text().split() == ["waiting"] * 3


def test_a_documents_time_limit_runs_from_when_libreoffice_begins_on_it(tmp_path, fake_bridge):
    with Workers(1, str(FIXTURES / "fake-soffice" / "hang")) as own:
        (worker,) = own.start()
        # Each takes 1.4 s of a 2 s limit; the second waits 1.2 s behind the first.
        assert send_together(worker, ["1.4", "1.40"], tmp_path, 2) == {"1.4": None, "1.40": None}
        assert worker.starts == 1


def test_a_hang_with_two_documents_in_flight_restarts_libreoffice_once(tmp_path, fake_bridge):
    with Workers(1, str(FIXTURES / "fake-soffice" / "hang")) as own:
        (worker,) = own.start()
        raised = send_together(worker, ["hang", "0.1"], tmp_path, 1)
        assert "within 1 s" in str(raised["hang"])
        assert "stopped while converting 0.1.docx" in str(raised["0.1"])
        assert worker.starts == 2
