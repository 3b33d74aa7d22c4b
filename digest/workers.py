"""Forked worker processes, started so that they share the parent's memory."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.context import ForkContext


def default_workers() -> int:
    """Worker processes a large build forks: one a core, at most four."""
    return min(os.cpu_count() or 1, 4)


@contextmanager
def forking() -> Iterator[ForkContext]:
    """The fork context, with the parent's objects moved out of the cycle collector's reach
    while workers run: a collection in a worker writes to the header of every object it looks
    at, and so would copy the parent's whole heap into the worker, page by page."""
    gc.freeze()
    try:
        yield multiprocessing.get_context("fork")
    finally:
        gc.unfreeze()
