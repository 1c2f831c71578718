"""Stopping what reportgen starts (a LibreOffice, or a unoserver with its LibreOffice), and
the file locks by which a build says it is alive. Light on purpose: a cold build starts its
LibreOffice workers with these before it loads the rest of reportgen."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # Windows, where msvcrt locks files instead
    fcntl = None


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


def lock_file(handle: IO[str]) -> bool:
    """Lock the open lock file without waiting; False if another process holds it. The
    operating system drops the lock when its holder dies, so a killed build leaves none."""
    if fcntl is not None:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    import msvcrt  # Windows: lock the file's first byte (past its end is allowed)

    handle.seek(0)
    try:
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def unlock_file(handle: IO[str]) -> None:
    """Release :func:`lock_file`'s lock. Closing the file releases a POSIX lock; Windows asks
    for the region to be unlocked before the file is closed."""
    if fcntl is not None:
        return
    import msvcrt

    handle.seek(0)
    msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)


def stop_processes_using(folder: Path) -> None:
    """Kill what a killed build left running in ``folder``. LibreOffice runs in a session of
    its own, with its profile in the staging folder, so it outlives the build; each session
    whose leader's command line names the folder is killed whole. (Only a session leader:
    a user's shell that merely mentions the folder is in a session it does not lead.)"""
    needle = os.fsencode(folder.resolve())
    try:
        # Listed once: a glob would stop at the first process that ends while it looks.
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:  # no /proc (Windows, macOS): nothing can be found this way
        return
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if needle in cmdline.read() and os.getsid(pid) == pid:
                    os.killpg(pid, signal.SIGKILL)
        except OSError:  # gone already, or not ours to kill
            continue
