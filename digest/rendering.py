"""Rendering the pages whose views changed, in this process or in forked workers."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from digest.bodies import BodyHtml
from digest.cache import PageFingerprints
from digest.write import StagedFiles

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import ForkContext
    from multiprocessing.process import BaseProcess

    import jinja2

    from digest.errors import Problem
    from digest.incremental import BodyEdit
    from digest.pages import SitePlan
    from digest.render import PageSpec

# Below this many pages, starting worker processes costs more than it saves.
PARALLEL_PAGES = 500
PROGRESS_EVERY = 250  # pages between two progress reports
CHUNK = 32  # pages a process takes on at a time (more on a site of over 32,000 pages)

# progress(what is being done, how many done, out of how many)
Progress = Callable[[str, int, int], None]


class PageResult(NamedTuple):
    path: str
    fingerprint: bytes
    rendered: bool  # its views changed, so its template ran
    written: bool  # rendering gave other bytes than the site had
    bodies: frozenset[str]  # the articles whose body HTML the page shows


class PageRenderer:
    """Renders pages whose views changed and stages them; the others are left alone."""

    def __init__(self, plan: SitePlan, body_html: BodyHtml, environment: jinja2.Environment,
                 fingerprints: PageFingerprints, known: dict[str, bytes], files: StagedFiles,
                 root: Path, edit: BodyEdit | None = None) -> None:
        self.plan = plan
        self.body_html = body_html
        self.environment = environment
        self.known = known  # the last build's page fingerprints
        self.files = files
        self.root = root
        self.edit = edit  # when only bodies changed: pages known unchanged without a look
        self.fingerprints = fingerprints

    def render_paths(self, paths: set[str]) -> list[PageResult]:
        """Just these pages (their views are made; the others' are not)."""
        return [self._render(page) for page in self.plan.pages_at(paths)]

    def _render(self, page: PageSpec) -> PageResult:
        from digest.render import render_page

        self.body_html.used = set()
        context = page.make_context()
        fingerprint = self.fingerprints.of(page.template, context)
        bodies = frozenset(self.body_html.used)
        if self.known.get(page.path) == fingerprint:
            return PageResult(page.path, fingerprint, False, False, bodies)
        data = render_page(self.environment, page, context, self.root)
        return PageResult(page.path, fingerprint, True, self.files.put(page.path, data), bodies)

    def render_claimed(self, claim: Callable[[], range | None],
                       progress: Callable[[int], None] = lambda done: None) -> list[PageResult]:
        """The pages at the positions (in the site's order) of each span that claim() hands out,
        until it hands out None: workers claim chunks as they go, so that one that drew costly
        pages (the search index, the sitemap) does not keep the other waiting at the end.
        progress(pages done) is called now and then."""
        results: list[PageResult] = []
        span = range(0)
        for position, page in enumerate(self.plan.pages()):
            if position >= span.stop:  # spans come in rising order: the next is here or later
                claimed = claim()
                if claimed is None:
                    break
                span = claimed
            if position < span.start:
                continue
            if len(results) % PROGRESS_EVERY == 0 and results:
                progress(len(results))
            if self.edit is not None and self.edit.unchanged(page.path):
                results.append(PageResult(page.path, self.known[page.path], False, False,
                                          self.edit.page_bodies[page.path]))
                continue
            results.append(self._render(page))
        progress(len(results))
        return results


def _render_in_workers(pages: PageRenderer, workers: int, total: int,
                       progress: Progress) -> list[PageResult]:
    """Render the site in forked worker processes, each taking chunks of pages as it goes.

    Forking hands each worker the graph and views without copying or pickling them; only
    progress counts and the small results (or the problems of a failed page) come back.

    In a build that loaded no earlier build (a first or cold one), this process renders its
    share too, beside `workers - 1` workers, rather than wait: a worker more would cost its
    fork, and the copies of every memory page it writes to. One that did load an earlier
    build holds its graph and cache besides this build's; rendering on top of them would raise
    the build's peak memory (by 13 MiB at 10,000 articles), so it waits for `workers` workers.
    """
    from digest.workers import forking

    here = not pages.known
    with forking() as context:
        return _Gathering(pages, total, progress).run(workers - 1 if here else workers,
                                                      context, here)


def _stop(processes: list[BaseProcess]) -> None:
    """Workers still running when the parent gives up (Ctrl-C, say): stopped now, before they
    write more into a staging folder that is being removed."""
    started = [process for process in processes if process.pid is not None]
    for process in started:
        if process.is_alive():
            process.terminate()
    for process in started:
        process.join()


class _Gathering:
    """One rendering of the site by this process and its workers: what each has done, and
    what the workers said."""

    def __init__(self, pages: PageRenderer, total: int, progress: Progress) -> None:
        self.pages = pages
        self.total = total
        self.progress = progress
        self.channels: dict[Connection, BaseProcess] = {}  # a worker's pipe, while it runs
        self.counts: dict[Connection, int] = {}  # pages each worker has done so far
        self.ended: dict[Connection, tuple[str, Any]] = {}  # last words, heard while rendering
        self.results: list[PageResult] = []
        self.problems: list[Problem] = []
        self.crashes: list[str] = []
        self.own = 0  # pages this process has done

    def run(self, workers: int, context: ForkContext, here: bool) -> list[PageResult]:
        """The results of `workers` forked workers' pages, and of this process's if `here`."""
        from digest.errors import DigestError, TemplateError
        from digest.workers import chunk_pipe, next_chunk

        chunks = chunk_pipe(self.total, CHUNK)
        claim = functools.partial(next_chunk, chunks)
        try:
            try:
                self._start(workers, claim, context)
                if here:
                    self.results.extend(self.pages.render_claimed(claim, self._report))
            except DigestError as error:  # as a worker's: the others' problems count too
                self.problems.extend(error.problems)
            finally:
                os.close(chunks.reader)
            self._hear_out()
        finally:
            _stop(list(self.channels.values()))  # the ones that did not report back
        if self.problems:
            raise TemplateError(self.problems)
        if self.crashes:
            raise RuntimeError("; ".join(self.crashes))
        self.results.sort(key=lambda result: result.path)
        return self.results

    def _start(self, workers: int, claim: Callable[[], range | None],
               context: ForkContext) -> None:
        """Workers that claim chunks of pages until none are left, each with the pipe it
        reports on."""
        from digest.errors import DigestError
        from digest.interrupts import held_interrupts, ignore_interrupts

        pages = self.pages
        for _ in range(workers):
            receiver, sender = context.Pipe(duplex=False)

            def work(sender: Connection = sender) -> None:
                ignore_interrupts()
                try:
                    done = pages.render_claimed(claim,
                                                lambda count: sender.send(("progress", count)))
                    sender.send(("ok", done))
                except DigestError as error:
                    sender.send(("error", error.problems))
                except Exception as error:  # reported in the parent, never lost
                    sender.send(("crash", repr(error)))
                finally:
                    sender.close()

            process = context.Process(target=work, daemon=True)
            self.channels[receiver] = process  # first: a signal held meanwhile finds it to stop
            self.counts[receiver] = 0
            with held_interrupts():
                process.start()
            sender.close()

    def _report(self, own: int) -> None:
        """Progress while this process renders: its own pages and what the workers have said
        so far (read without waiting; a worker's last message is kept for _hear_out)."""
        for receiver in self.channels:
            while receiver not in self.ended and receiver.poll():
                status, payload = self._receive(receiver)
                if status == "progress":
                    self.counts[receiver] = payload
                else:
                    self.ended[receiver] = (status, payload)
        self.own = own
        self._progress()

    def _progress(self) -> None:
        self.progress("rendering pages", self.own + sum(self.counts.values()), self.total)

    def _hear_out(self) -> None:
        """Wait for every worker's last message."""
        from multiprocessing.connection import wait

        while self.channels:
            ready = [receiver for receiver in self.channels if receiver in self.ended]
            if not ready:
                heard = wait(list(self.channels))
                ready = [receiver for receiver in self.channels if receiver in heard]
            for receiver in ready:
                status, payload = (self.ended.pop(receiver) if receiver in self.ended
                                   else self._receive(receiver))
                if status == "progress":
                    self.counts[receiver] = payload
                    self._progress()
                    continue
                self.channels.pop(receiver).join()
                if status == "ok":
                    self.results.extend(payload)
                elif status == "error":
                    self.problems.extend(payload)
                else:
                    self.crashes.append(payload)

    def _receive(self, receiver: Connection) -> tuple[str, Any]:
        try:
            status, payload = receiver.recv()
        except EOFError:
            return "crash", f"worker exited with code {self.channels[receiver].exitcode}"
        return status, payload


def render_pages(pages: PageRenderer, workers: int, progress: Progress) -> list[PageResult]:
    """All pages' results: big sites in `workers` processes (forked ones, and this one in a
    first or cold build), small sites (or small edits) in this one alone."""
    total = sum(1 for _ in pages.plan.pages())
    small_edit = pages.edit is not None and pages.edit.same_templates
    if not small_edit and workers > 1 and total >= PARALLEL_PAGES:
        return _render_in_workers(pages, workers, total, progress)
    whole = iter([range(total)])
    return pages.render_claimed(lambda: next(whole, None),
                                lambda done: progress("rendering pages", done, total))
