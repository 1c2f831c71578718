"""``reportgen preview``: the author's loop. Watch ``inputs/`` and ``templates/``, rebuild
what a change touches with LibreOffice kept running (:mod:`reportgen.resident`), and serve
the build on loopback so the open pages and PDFs reload by themselves.

Problems in the inputs are printed with file:line and shown on the open page instead of the
documents; the last good documents stay in ``build/`` (a build publishes all or nothing).
Ctrl-C stops the watcher, the web server and every LibreOffice the preview started.
"""

from __future__ import annotations

import html
import json
import shutil
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .diagnostics import Diagnostic, ReportgenError
from .paths import Paths

# Where the preview's own pages live on its server; nothing in build/ starts so.
PREFIX = "/_reportgen/"
# The page's script: follow the build's events, reload when an output changes, show the
# inputs' problems over the page, and open PDFs in a frame that reloads with them.
LIVE_SCRIPT = """
(function () {
  var shown = document.documentElement.getAttribute("data-reportgen-pdf");
  function problems(list) {
    var box = document.getElementById("reportgen-problems");
    if (!list.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("section");
      box.id = "reportgen-problems";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0 0 auto 0;max-height:60vh;overflow:auto;" +
        "background:#fff;color:#0b0c0c;border-bottom:6px solid #d4351c;padding:1rem;" +
        "font:16px/1.4 Arial,sans-serif;z-index:2147483647";
      document.body.appendChild(box);
    }
    box.innerHTML = "<h2 style='margin-top:0'>The inputs have problems; the documents " +
      "below are the last good build</h2>";
    var ul = document.createElement("ul");
    list.forEach(function (p) {
      var li = document.createElement("li");
      li.textContent = p;
      li.style.fontFamily = "monospace";
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }
  document.querySelectorAll("a[href$='.pdf']").forEach(function (a) {
    var target = new URL(a.getAttribute("href"), location.href);
    if (target.origin === location.origin) {
      a.href = "/_reportgen/pdf" + target.pathname;
    }
  });
  var version = null;
  var events = new EventSource("/_reportgen/events");
  events.onmessage = function (message) {
    var state = JSON.parse(message.data);
    problems(state.problems);
    if (version !== null && state.version !== version && !state.problems.length) {
      if (!shown || state.changed.indexOf(shown) >= 0) location.reload();
    }
    version = state.version;
    document.documentElement.setAttribute("data-reportgen-version", String(version));
  };
})();
"""

Log = Callable[[str], None]


@dataclass
class PreviewState:
    """What the open pages are told: the build's version (one more after each rebuild that
    changed anything), what changed in it, and the inputs' problems, if any."""

    version: int = 0
    changed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _condition: threading.Condition = field(default_factory=threading.Condition)
    _stopping: bool = False

    def publish(self, changed: list[str], problems: list[str]) -> None:
        with self._condition:
            # A rebuild that changed nothing leaves the version, and what it changed, alone.
            if changed:
                self.version += 1
                self.changed = changed
            self.problems = problems
            self._condition.notify_all()

    def message(self) -> str:
        return json.dumps(
            {"version": self.version, "changed": self.changed, "problems": self.problems}
        )

    def follow(self, timeout: float = 15.0) -> Iterator[str]:
        """Each state as it changes (and every ``timeout`` seconds, to keep the connection)."""
        with self._condition:
            last = None
            while not self._stopping:
                current = self.message()
                if current != last:
                    last = current
                    yield current
                else:
                    yield ""
                self._condition.wait(timeout)

    def stop(self) -> None:
        with self._condition:
            self._stopping = True
            self._condition.notify_all()


class _Handler(SimpleHTTPRequestHandler):
    """Serves build/; adds the live script to every page and the preview's own routes."""

    state: PreviewState

    def __init__(self, *args: object, state: PreviewState, **kwargs: object) -> None:
        self.state = state
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal is for the build's news, not every request

    def end_headers(self) -> None:
        # Always the file as it is now: a reloaded page must not come from a cache.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path == PREFIX + "events":
            self._events()
        elif path == PREFIX + "live.js":
            self._send(LIVE_SCRIPT.encode(), "text/javascript; charset=utf-8")
        elif path.startswith(PREFIX + "pdf/"):
            self._pdf_page(path.removeprefix(PREFIX + "pdf"))
        elif path == "/" and not (Path(self.directory) / "index.html").is_file():
            self._send(self._page("Preview", self._listing()), "text/html; charset=utf-8")
        elif path.endswith((".html", "/")):
            self._html(path)
        else:
            super().do_GET()

    def _send(self, body: bytes, kind: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _html(self, path: str) -> None:
        file = Path(self.translate_path(path))
        if file.is_dir():
            file = file / "index.html"
        if not file.is_file():
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        text = file.read_text("utf-8", "replace")
        tag = f'<script src="{PREFIX}live.js"></script>'
        text = text.replace("</body>", tag + "</body>") if "</body>" in text else text + tag
        self._send(text.encode(), "text/html; charset=utf-8")

    def _pdf_page(self, path: str) -> None:
        name = urllib.parse.unquote(path).lstrip("/")
        quoted = urllib.parse.quote(name)
        body = (
            f'<iframe title="{html.escape(name)}" src="/{quoted}" '
            'style="border:0;width:100%;height:calc(100vh - 1rem)"></iframe>'
        )
        page = self._page(name, body, pdf=name)
        self._send(page.encode(), "text/html; charset=utf-8")

    def _listing(self) -> str:
        root = Path(self.directory)
        pages = sorted(p.relative_to(root).as_posix() for p in root.glob("*/index.html"))
        items = "".join(f'<li><a href="/{html.escape(p)}">{html.escape(p)}</a></li>' for p in pages)
        return f"<h1>reportgen preview</h1><ul>{items or '<li>nothing built yet</li>'}</ul>"

    def _page(self, title: str, body: str, pdf: str = "") -> str:
        marker = f' data-reportgen-pdf="{html.escape(pdf)}"' if pdf else ""
        return (
            f'<!DOCTYPE html><html lang="en-GB"{marker}><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title></head>"
            f'<body style="margin:0.5rem;font-family:Arial,sans-serif">{body}'
            f'<script src="{PREFIX}live.js"></script></body></html>'
        )

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        try:
            for message in self.state.follow():
                chunk = f"data: {message}\n\n" if message else ": still here\n\n"
                self.wfile.write(chunk.encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


def serve(directory: Path, port: int, state: PreviewState) -> ThreadingHTTPServer:
    """Serve ``directory`` on 127.0.0.1 (port 0: any free port) in a thread of its own."""
    directory.mkdir(parents=True, exist_ok=True)
    handler = partial(_Handler, directory=str(directory), state=state)
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="preview-server", daemon=True).start()
    return server


def _hashes(out: Path) -> dict[str, str]:
    """Each output's sha256, from the build's manifest."""
    try:
        manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return {o["path"]: o.get("sha256", "") for o in manifest.get("outputs", [])}


def rebuild(build_once: Callable[[], object], out: Path, state: PreviewState, log: Log) -> None:
    """One build; the pages are told what changed, or what is wrong."""
    before = _hashes(out)
    started = time.monotonic()
    try:
        build_once()
    except ReportgenError as exc:
        problems = [str(d) for d in exc.diagnostics if d.severity == "error"]
        # The pages are told first, so that whoever reads the terminal finds them told.
        state.publish([], problems)
        for line in problems:
            log(line)
        log(f"{len(problems)} problems; the documents in {out}/ are the last good build")
        return
    after = _hashes(out)
    changed = sorted(p for p, h in after.items() if before.get(p) != h)
    state.publish(changed, [])
    log(f"rebuilt in {time.monotonic() - started:.2f} s: {len(changed)} outputs changed")


def watch(paths: list[Path], stop: threading.Event, on_change: Callable[[set[str]], None]) -> None:
    """Call ``on_change`` with the changed files each time files under ``paths`` change
    (editors' swap and backup files aside), until ``stop`` is set."""
    import watchfiles

    def wanted(change: watchfiles.Change, name: str) -> bool:
        base = Path(name).name
        return not (base.startswith((".", "~$", "#")) or base.endswith(("~", ".swp", ".tmp")))

    for changes in watchfiles.watch(
        *paths, watch_filter=wanted, stop_event=stop, debounce=50, step=20, rust_timeout=500
    ):
        on_change({name for _, name in changes})


def run_preview(
    paths: Paths,
    *,
    port: int = 8000,
    workers: int = 0,
    addresses: list[str] | None = None,
    timeout: float = 60.0,
    log: Log = print,
) -> None:
    """Build, serve and rebuild on every change until interrupted (Ctrl-C raises
    KeyboardInterrupt here, after everything the preview started has been stopped)."""
    from .build import build
    from .convert import default_workers, find_soffice
    from .resident import Converters

    for folder, what in ((paths.inputs, "inputs"), (paths.templates, "templates")):
        if not folder.is_dir():
            raise ReportgenError(
                Diagnostic(str(folder), 0, 0, "error", f"the {what} folder to watch is not there")
            )
    state = PreviewState()
    # Listening first: a port in use is said at once, before LibreOffice is started.
    try:
        server = serve(paths.out, port, state)
    except OSError as exc:
        raise ReportgenError(
            f"cannot listen on 127.0.0.1:{port} ({exc.strerror}): choose another --port, "
            "or --port 0 for any free one"
        ) from None
    # The converters' profiles live outside build/, and go when the preview stops.
    scratch = Path(tempfile.mkdtemp(prefix="reportgen-preview-"))
    try:
        own = 0 if addresses else workers or default_workers()
        started = f"starting {own} LibreOffice converters in {scratch}"
        log(started if own else "using the given converters")
        soffice = find_soffice() if own else ""
        with Converters(scratch, workers=own, soffice=soffice, addresses=addresses) as converters:
            log(f"serving {paths.out}/ at http://127.0.0.1:{server.server_address[1]}/")

            def build_once() -> object:
                return build(paths, converters=converters.converters, timeout=timeout)

            rebuild(build_once, paths.out, state, log)
            log(f"watching {paths.inputs}/ and {paths.templates}/ (Ctrl-C stops)")

            def changed(names: set[str]) -> None:
                shown = ", ".join(sorted(Path(n).name for n in names)[:3])
                log(f"changed: {shown}")
                rebuild(build_once, paths.out, state, log)

            watch([paths.inputs, paths.templates], threading.Event(), changed)
    finally:
        state.stop()
        server.shutdown()
        server.server_close()
        shutil.rmtree(scratch, ignore_errors=True)
