"""Stopping what reportgen starts: a LibreOffice, or a unoserver with its LibreOffice."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill ``process`` and anything it started (oosplash starts soffice.bin as a child,
    unoserver its LibreOffice), then reap it. A process that has exited but is not yet
    reaped still has its group killed: what it started may outlive it."""
    if process.returncode is None:  # once reaped, its number may belong to someone else
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if hasattr(os, "killpg"):
                os.killpg(process.pid, signal.SIGKILL)
            else:  # Windows has no process groups to kill: the process itself, at least
                process.kill()
    process.wait()
