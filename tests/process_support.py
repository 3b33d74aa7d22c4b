"""Looking at a running process from a test: which processes it has started."""

from __future__ import annotations

import contextlib
from pathlib import Path


def children(pid: int) -> set[int]:
    """The process ids of the running children of process `pid` (any of its threads')."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            found.update(int(child) for child in task.read_text().split())
    return found
