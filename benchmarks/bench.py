"""Build-speed benchmark: reportgen against converting the same documents naively.

Scales the example to N programmes (each its Cabinet report, expression of interest and
Design Council application; one meeting, and so one pack, per 10 programmes) in a temporary
directory, and prints a table; each figure is the median of --repeat runs.

    python benchmarks/bench.py [--sizes 1,10,50,200] [--repeat 3] [--naive-max 10]

Columns: cold build (empty build/), no-op rebuild (nothing changed), one fact changed (one
report's author; how many documents were rebuilt), naive (one `soffice --convert-to pdf`
process per document, measured up to --naive-max programmes and extrapolated per document
beyond, marked ~), single process (every document through one LibreOffice process, as
reportgen does with --jobs 1), one fact changed with the converters warm (what `reportgen
preview` does after each edit: LibreOffice kept running behind unoserver, one per core)
and the first such edit after the converters started (reportgen's caches still empty), and
the peak memory of the whole build (all processes).
Machines are shared and noisy: compare the ratios, which come from the same run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inputs"
TEMPLATES = ROOT / "templates"
PROGRAMMES_PER_MEETING = 10
SUMMARY = re.compile(r"built (\d+) documents and (\d+) packs, (\d+) documents up to date")
# reportgen as installed for use: its modules' bytecode cached, as Python does unless told
# not to (some sandboxes set PYTHONDONTWRITEBYTECODE, which makes every run compile them).
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENVIRONMENT["CI"] = "true"


def make_inputs(target: Path, programmes: int) -> None:
    """The example scaled to ``programmes`` sets of documents and their meetings."""
    shutil.copytree(EXAMPLE, target)
    documents = target / "documents"
    originals = {p.stem: p.read_text(encoding="utf-8") for p in documents.glob("*.yaml")}
    for path in documents.glob("*.yaml"):
        path.unlink()
    meetings = []
    bodies = []
    for start in range(0, programmes, PROGRAMMES_PER_MEETING):
        number = start // PROGRAMMES_PER_MEETING + 1
        items = []
        for i in range(start, min(start + PROGRAMMES_PER_MEETING, programmes)):
            for stem, text in originals.items():
                if stem == "cabinet-report":
                    text = text.replace(
                        "title: Transformation and Shared Services",
                        f"title: Transformation and Shared Services, programme {i + 1}",
                    ).replace("meeting: cabinet", f"meeting: cabinet-{number}")
                (documents / f"{stem}-{i + 1}.yaml").write_text(text, encoding="utf-8")
            items.append(
                f"      - document: cabinet-report-{i + 1}\n"
                f"        appendices: [eoi-transformation-challenge-award-{i + 1}, "
                f"design-council-application-{i + 1}]\n"
            )
        bodies.append(
            f"cabinet-{number}:\n  name: Cabinet {number}\n"
            "  members: [{name: Councillor A Member, role: chair}]\n"
            "  proper_officer: chief-executive\n"
        )
        meetings.append(
            f"cabinet-{number}:\n  body: cabinet-{number}\n  council: nlc\n"
            f"  date: 2014-06-{number % 28 + 1:02d}\n  venue: Civic Centre\n  items:\n"
            + "".join(items)
        )
    (target / "meetings.yaml").write_text("\n".join(meetings), encoding="utf-8")
    (target / "bodies.yaml").write_text("\n".join(bodies), encoding="utf-8")


def change_one_fact(inputs: Path, run: int) -> None:
    """Change the author of programme 1's report: one document and its pack."""
    path = inputs / "documents" / "cabinet-report-1.yaml"
    text = re.sub(r"^author: .*$", f"author: An Officer {run}", path.read_text(), flags=re.M)
    path.write_text(text)


class PeakMemory:
    """Samples the resident memory of a process and all its descendants."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._page = os.sysconf("SC_PAGE_SIZE")

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree_rss())
            time.sleep(0.05)

    def _tree_rss(self) -> int:
        # Only the build's own processes are read, through each one's list of children:
        # reading every process on the machine each time cost 2 % of a core, taken from
        # the build being measured.
        total, stack = 0, [self.pid]
        while stack:
            pid = stack.pop()
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[21]) * self._page
                for children in Path(f"/proc/{pid}/task").glob("*/children"):
                    stack.extend(int(child) for child in children.read_text().split())
            except (OSError, IndexError, ValueError):
                continue
        return total


@dataclass
class Run:
    seconds: float
    peak: int = 0
    output: str = ""


def timed(command: list[str], **kwargs: object) -> Run:
    started = time.monotonic()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs
    )
    with PeakMemory(process.pid) as memory:
        output, _ = process.communicate()
    seconds = time.monotonic() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    return Run(seconds, memory.peak, output)


def reportgen(inputs: Path, out: Path, *extra: str) -> Run:
    return timed(
        [
            sys.executable,
            "-m",
            "reportgen",
            "build",
            "--inputs",
            str(inputs),
            "--out",
            str(out),
            "--templates",
            str(TEMPLATES),
            *extra,
        ],
        env=ENVIRONMENT,
    )


def naive(docx: list[Path], workdir: Path) -> float:
    """One soffice process per document, one after another, as a shell loop would."""
    profile = (workdir / "naive-profile").as_uri()
    started = time.monotonic()
    for path in docx:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(workdir / "naive"),
                str(path),
            ],
            check=True,
            capture_output=True,
        )
    return time.monotonic() - started


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass
class Row:
    programmes: int
    documents: int = 0
    cold: list[float] = field(default_factory=list)
    noop: list[float] = field(default_factory=list)
    changed: list[float] = field(default_factory=list)
    rebuilt: set[str] = field(default_factory=set)
    naive: list[float] = field(default_factory=list)
    naive_estimated: bool = False
    single: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    first_edit: list[float] = field(default_factory=list)
    peak: list[int] = field(default_factory=list)


def warm_edits(inputs: Path, out: Path, edits: int = 5) -> tuple[float, list[float]]:
    """As the preview does: start resident converters, build, then change one fact and
    rebuild ``edits`` + 1 times; the first edit's seconds, and the others'."""
    sys.path.insert(0, str(ROOT / "src"))
    from reportgen.build import Paths, build
    from reportgen.convert import default_workers, find_soffice
    from reportgen.resident import Converters

    paths = Paths(inputs, TEMPLATES, out)
    scratch = Path(tempfile.mkdtemp(prefix="reportgen-bench-converters-"))
    try:
        soffice = find_soffice()
        with Converters(scratch, workers=default_workers(), soffice=soffice) as converters:
            build(paths, converters=converters.converters)
            seconds = []
            for edit in range(edits + 1):
                change_one_fact(inputs, 1000 + edit)
                started = time.monotonic()
                build(paths, converters=converters.converters)
                seconds.append(time.monotonic() - started)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return seconds[0], seconds[1:]


def measure(programmes: int, repeat: int, naive_max: int, naive_per_doc: list[float]) -> Row:
    row = Row(programmes)
    for run in range(repeat):
        with tempfile.TemporaryDirectory(prefix="reportgen-bench-") as tmp:
            work = Path(tmp)
            inputs = work / "inputs"
            make_inputs(inputs, programmes)
            out = work / "build"
            cold = reportgen(inputs, out)
            row.cold.append(cold.seconds)
            row.peak.append(cold.peak)
            row.noop.append(reportgen(inputs, out).seconds)
            change_one_fact(inputs, run)
            changed = reportgen(inputs, out)
            row.changed.append(changed.seconds)
            found = SUMMARY.search(changed.output)
            row.rebuilt.add(f"{found.group(1)} doc + {found.group(2)} pack" if found else "?")
            docx = sorted(out.rglob("*.docx"))
            row.documents = len(docx)
            row.single.append(reportgen(inputs, work / "single", "--jobs", "1").seconds)
            first, warm = warm_edits(inputs, out)
            row.first_edit.append(first)
            row.warm.extend(warm)
            if programmes <= naive_max:
                seconds = naive(docx, work)
                row.naive.append(seconds)
                naive_per_doc.append(seconds / len(docx))
    if not row.naive and naive_per_doc:
        row.naive = [median(naive_per_doc) * row.documents]
        row.naive_estimated = True
    return row


def table(rows: list[Row]) -> str:
    header = (
        "| programmes | documents | cold build s | no-op rebuild s | one fact changed s "
        "| rebuilt on change | naive per-file soffice s | naive / cold | single process s "
        "| single / cold | one fact changed, warm s | first edit after start s | peak RSS MiB |"
    )
    lines = [header, "|" + "|".join("---" for _ in range(header.count("|") - 1)) + "|"]
    for row in rows:
        cold, naive_s, single = median(row.cold), median(row.naive), median(row.single)
        mark = "~" if row.naive_estimated else ""
        lines.append(
            f"| {row.programmes} | {row.documents} | {cold:.1f} | {median(row.noop):.2f} "
            f"| {median(row.changed):.1f} | {', '.join(sorted(row.rebuilt))} "
            f"| {mark}{naive_s:.1f} | {mark}{naive_s / cold:.1f}× | {single:.1f} "
            f"| {single / cold:.2f}× | {median(row.warm):.2f} | {median(row.first_edit):.2f} "
            f"| {max(row.peak) / 2**20:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,50,200", help="programmes, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--naive-max", type=int, default=10, help="largest size run naively")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    # Compiled first, as an installed reportgen is: otherwise the first build measured after
    # a change to the code compiles its modules, and its row's cold build seems slower.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "reportgen")],
        env=ENVIRONMENT,
        check=True,
    )
    naive_per_doc: list[float] = []
    rows = []
    for size in sizes:
        print(f"measuring {size} programmes ...", file=sys.stderr, flush=True)
        rows.append(measure(size, args.repeat, args.naive_max, naive_per_doc))
    print(table(rows))
    print(
        f"\n{machine()}; runs per figure: {args.repeat}; "
        "~ = extrapolated from the per-document naive time measured at smaller sizes"
    )
    return 0


def machine() -> str:
    """What the figures were measured on: processor, cores, memory, load, LibreOffice."""
    sys.path.insert(0, str(ROOT / "src"))
    from reportgen.convert import find_soffice, libreoffice_version

    model = "unknown processor"
    memory = ""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        names = [line.split(":", 1)[1] for line in cpuinfo.splitlines() if "model name" in line]
        model = names[0].strip() if names else model
        total = next(
            line for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line
        )
        memory = f", {int(total.split()[1]) // 2**20} GiB"
    except (OSError, StopIteration):
        pass
    load = f", load {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return (
        f"{model}, {len(os.sched_getaffinity(0))} cores{memory}{load}; "
        f"{libreoffice_version(find_soffice())}; Python {sys.version.split()[0]}"
    )


if __name__ == "__main__":
    sys.exit(main())
