"""Forked worker processes, started so that they share the parent's memory (how they treat
Ctrl-C: digest.interrupts)."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from multiprocessing.context import ForkContext
from multiprocessing.pool import Pool

from digest.interrupts import held_interrupts, ignore_interrupts


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


@contextmanager
def worker_pool(workers: int) -> Iterator[Pool]:
    """A pool of forked workers (see forking), stopped on the way out, whatever happened."""
    with forking() as context, ExitStack() as stack:
        with held_interrupts():  # a signal held meanwhile comes once the pool will be stopped
            pool = stack.enter_context(context.Pool(workers, initializer=ignore_interrupts))
        yield pool
