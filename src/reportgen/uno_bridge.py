"""One LibreOffice for one build, driven over its UNO socket.

Run by a Python that has LibreOffice's ``uno`` module (Debian's python3-uno, or the Python
LibreOffice ships with), not by reportgen's own, and so it imports nothing of reportgen: only
the standard library and ``uno``. It converts as ``soffice --convert-to`` does (the document
loaded hidden and read-only, stored with the PDF filter and its options), which gives the
same bytes. unoserver's converter, which it used before, loads each document into a frame
of its own and refreshes its indexes twice: 60 % more of LibreOffice's time a document.

    python3 uno_bridge.py PORT LOG SOFFICE [ARGUMENT ...]

It starts LibreOffice with the command line it is given (which makes it listen on
``127.0.0.1:PORT``), in its own process group (so reportgen stops both with one kill),
connects to it, says ``{"ready": ...}`` on stdout, then reads one
JSON request a line on stdin (``{"docx": ..., "pdf": ..., "options": [...]}``) and answers
each with one JSON line: ``{"ok": true}``, ``{"error": ...}`` (LibreOffice refused the
document) or ``{"died": ...}`` (LibreOffice is gone). It ends, and stops LibreOffice, when
stdin closes. LibreOffice's own output goes to ``LOG``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

EXPORT_FILTER = "writer_pdf_Export"
# How often to try LibreOffice's socket while it starts.
POLL = 0.05
LOAD_PROPERTIES = (("Hidden", True), ("ReadOnly", True))


def say(message: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def tail(log: str) -> str:
    """The last lines LibreOffice wrote, for a message about why it stopped."""
    try:
        with open(log, encoding="utf-8", errors="replace") as f:
            lines = [line.strip() for line in f if line.strip()]
    except OSError:
        return ""
    return " / ".join(lines[-3:])


def exited(process: subprocess.Popen[bytes], log: str) -> str:
    said = tail(log)
    return f"LibreOffice exited (exit {process.returncode})" + (f": {said}" if said else "")


class Converter:
    """LibreOffice's desktop, reached over its socket, converting one document at a time."""

    def __init__(self, port: str) -> None:
        import uno  # only the bridge's Python has it

        self.uno = uno
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        context = resolver.resolve(
            f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"
        )
        self.desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )

    def properties(self, pairs: object) -> tuple[object, ...]:
        from com.sun.star.beans import PropertyValue

        return tuple(PropertyValue(Name=name, Value=value) for name, value in pairs)

    def convert(self, docx: str, pdf: str, options: list[str]) -> None:
        """Convert ``docx`` to ``pdf``, with the PDF filter's ``Name=value`` options."""
        uno = self.uno
        document = self.desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(docx), "_blank", 0, self.properties(LOAD_PROPERTIES)
        )
        if document is None:
            raise RuntimeError("LibreOffice could not open it")
        try:
            filter_data = uno.Any(
                "[]com.sun.star.beans.PropertyValue", self.properties(map(option, options))
            )
            document.storeToURL(
                uno.systemPathToFileUrl(pdf),
                self.properties(
                    (
                        ("FilterName", EXPORT_FILTER),
                        ("FilterData", filter_data),
                        ("Overwrite", True),
                    )
                ),
            )
        finally:
            document.close(True)


def option(text: str) -> tuple[str, object]:
    """``Name=value`` as the filter wants it: ``true``/``false`` a boolean, digits a number."""
    name, value = text.split("=", 1)
    if value in ("true", "false"):
        return name, value == "true"
    return name, int(value) if value.isdecimal() else value


def main(argv: list[str]) -> int:
    port, log, *command = argv
    try:
        import uno  # noqa: F401
    except ImportError as exc:
        say({"failed": f"this Python cannot import LibreOffice's uno: {exc}"})
        return 1
    with open(log, "wb") as output:
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT
            )
        except OSError as exc:
            say({"failed": f"cannot start LibreOffice ({command[0]}): {exc.strerror}"})
            return 1
    converter = None
    while converter is None:
        if process.poll() is not None:
            say({"failed": exited(process, log)})
            return 1
        try:
            converter = Converter(port)
        except Exception:  # not listening yet: uno raises its own NoConnectException
            time.sleep(POLL)
    say({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        try:
            converter.convert(request["docx"], request["pdf"], request["options"])
        except Exception as exc:
            reason = str(exc).strip().splitlines()
            # A LibreOffice that crashed leaves the bridge to it disposed, perhaps a moment
            # before its process has gone.
            if process.poll() is None and "disposed" not in str(exc).lower():
                say({"error": reason[-1] if reason else type(exc).__name__})
                continue
            if process.poll() is None:
                process.kill()
                process.wait()
                said = tail(log)
                say({"died": "LibreOffice stopped answering" + (f": {said}" if said else "")})
            else:
                say({"died": exited(process, log)})
            return 1
        say({"ok": True})
    process.kill()
    process.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
