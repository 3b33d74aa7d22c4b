"""Forked worker processes, started so that they share the parent's memory (how they treat
Ctrl-C: digest.interrupts)."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, NamedTuple

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


class ChunkPipe(NamedTuple):
    """Positions 0 to total - 1 in chunks of `size`, for forked processes to claim one at a
    time (next_chunk): a pipe (`reader` is its reading end) holding each chunk's first position,
    written before the processes are forked. A read of four bytes takes one chunk whole,
    whichever process makes it, and an empty pipe with no writer left reads as the end. (Not a
    multiprocessing lock or shared value: their clean-up runs in Python callbacks, where a
    Ctrl-C that arrives meanwhile is lost.) Whoever made it closes the reading end once it
    claims no more chunks itself; the forked processes have their own."""

    reader: int
    size: int
    total: int


def chunk_pipe(total: int, least: int) -> ChunkPipe:
    """A ChunkPipe of chunks of at least `least` positions."""
    size = max(least, -(-total // (PIPE_BYTES // 4)))  # every chunk fits before any is read
    reader, writer = os.pipe()
    try:
        os.write(writer, b"".join(start.to_bytes(4, "little")
                                  for start in range(0, total, size)))
    finally:
        os.close(writer)
    return ChunkPipe(reader, size, total)


def next_chunk(chunks: ChunkPipe) -> range | None:
    """The next chunk's positions, or None when all are taken."""
    data = os.read(chunks.reader, 4)
    if not data:
        return None
    start = int.from_bytes(data, "little")
    return range(start, min(start + chunks.size, chunks.total))
