"""One LibreOffice for one build, driven over its UNO socket.

Run by a Python that has LibreOffice's ``uno`` module (Debian's python3-uno, or the Python
LibreOffice ships with), not by reportgen's own, and so it imports nothing of reportgen: only
the standard library, ``uno`` and unoserver's converter, which does the conversion itself.

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


def main(argv: list[str]) -> int:
    port, log, *command = argv
    try:
        from unoserver.converter import UnoConverter
    except ImportError as exc:
        say({"failed": f"cannot load unoserver's converter: {exc}"})
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
            converter = UnoConverter(interface="127.0.0.1", port=str(port))
        except Exception:  # not listening yet: uno raises its own NoConnectException
            time.sleep(POLL)
    say({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        try:
            converter.convert(
                inpath=request["docx"],
                outpath=request["pdf"],
                filtername=EXPORT_FILTER,
                filter_options=request["options"],
            )
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
