"""Forked worker processes, started so that they share the parent's memory (how they treat
Ctrl-C: digest.interrupts)."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING

from digest.interrupts import held_interrupts, ignore_interrupts

if TYPE_CHECKING:  # imported by multiprocessing when a pool is made
    from multiprocessing.context import ForkContext
    from multiprocessing.pool import Pool

PIPE_BYTES = 4096  # what a pipe holds at the least (one memory page)


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


def chunk_pipe(total: int, least: int) -> tuple[int, int]:
    """Positions 0 to total - 1 in chunks of at least `least`, for forked processes to claim
    one at a time (next_chunk): a pipe (its reading end is returned, with the chunks' size)
    holding each chunk's first position, written before the processes are forked. A read of
    four bytes takes one chunk whole, whichever process makes it, and an empty pipe with no
    writer left reads as the end. (Not a multiprocessing lock or shared value: their clean-up
    runs in Python callbacks, where a Ctrl-C that arrives meanwhile is lost.) The caller
    closes the reading end once the processes are forked."""
    size = max(least, -(-total // (PIPE_BYTES // 4)))  # every chunk fits before any is read
    reader, writer = os.pipe()
    try:
        os.write(writer, b"".join(start.to_bytes(4, "little")
                                  for start in range(0, total, size)))
    finally:
        os.close(writer)
    return reader, size


def next_chunk(reader: int, size: int) -> range | None:
    """The next chunk's positions (the last may run past the end), or None when all are
    taken."""
    data = os.read(reader, 4)
    if not data:
        return None
    start = int.from_bytes(data, "little")
    return range(start, start + size)
