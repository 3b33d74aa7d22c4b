"""Ctrl-C in a build: the parent's alone, never lost.

Ctrl-C reaches every process of the terminal's process group. A forked worker ignores it (and
the SIGTERM handler digest serve sets): the parent handles it and stops its workers, so a build
interrupted by Ctrl-C ends with one line, not a traceback from every worker. Only signal and
sys are imported here: the CLI wraps every command in kept_interrupts, and a command that forks
no worker should not pay for importing multiprocessing.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_STOPPING = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def kept_interrupts() -> Iterator[None]:
    """A Ctrl-C is never lost. Python raises it in whatever Python code runs next, and when
    that is an object's clean-up (a multiprocessing connection's __del__, as the parent frees
    one after starting a worker), it prints "Exception ignored" and goes on: the build ran to
    the end and published. Here such a Ctrl-C is held back (blocked and sent again) and comes
    at the next point that lets it in: where workers are started, before the site is put in
    place (both held_interrupts), or at the end of this block."""
    previous = sys.unraisablehook

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        if issubclass(unraisable.exc_type, KeyboardInterrupt):
            # Raised again only once blocked: raised now, it would be lost in this hook too.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            signal.raise_signal(signal.SIGINT)
        else:
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)


@contextmanager
def held_interrupts() -> Iterator[None]:
    """Start workers inside this: a signal that comes meanwhile waits until each worker has
    made itself deaf to it (ignore_interrupts) and is then the parent's alone. Without it, a
    Ctrl-C just after a fork reaches the new worker before it can ignore it. A Ctrl-C held back
    from before (see kept_interrupts) comes first, so that what is done inside is not begun."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)


def ignore_interrupts() -> None:
    """The first thing a worker does (its signals are held since the fork)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)
