"""Processes started by tests: hearing Ctrl-C as from a terminal; which processes they start."""

from __future__ import annotations

import contextlib
import signal
from pathlib import Path


def children(pid: int) -> set[int]:
    """The process ids of the running children of process `pid` (any of its threads')."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            found.update(int(child) for child in task.read_text().split())
    return found


def hears_ctrl_c() -> None:
    """For subprocess's preexec_fn: the child takes SIGINT as from a terminal, also when the
    tests run in the background of a script, which starts them with SIGINT ignored (and
    Python keeps an ignored SIGINT ignored, so Ctrl-C would never reach the child)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
