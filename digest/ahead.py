"""Reading a large digest's files in worker processes that go on converting the bodies.

A cold build reads every file (digest.load), makes the graph (digest.graph) and converts every
article body (digest.bodies). Only the first and the last can use more than one core; while
the parent makes the graph, the other core would wait. So the workers that read the files keep
the article bodies they read and convert them to HTML straight away, while the parent makes
the graph. The only part of a body's HTML that needs the graph, the links on the actors' first
mentions, is added once the parent sends each worker the jobs of the bodies it holds.

The workers take the bodies in chunks as they go, their own first: the parent's work slows one
more than the other, and a worker that is done with its own reads the files of another's
chunks again rather than wait for it.

Nothing here decides what the HTML is: to_html and link_first_mentions are the same calls
digest.bodies makes, and a body a worker does not hold (it changed since it was read, say) is
left to digest.bodies.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest.model import Actor, Article

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from digest.bodies import BodyJob
    from digest.errors import Problem
    from digest.workers import ChunkPipe

    Record = tuple[Article | Actor | None, list[Problem]]
    Pairs = tuple[tuple[str, str], ...]

PROGRESS_EVERY = 100  # bodies converted between two progress reports
LINKED_BATCH = 256  # linked bodies sent back to the parent at once
BODY_CHUNK = 8  # files whose bodies a worker takes on at a time


class BodiesAhead:
    """Worker processes started by read(), stopped by close() (or leaving the with block).

    known: hashes of bodies whose HTML the store already holds from an earlier build (their
    files were only touched, say): the workers do not convert those again.
    """

    def __init__(self, root: Path, workers: int, known: frozenset[str] = frozenset()) -> None:
        self.root = root
        self.workers = workers
        self.known = known
        self._stack = ExitStack()
        self._channels: list[tuple[Connection, BaseProcess]] = []
        self._converted = [0] * workers  # bodies each worker has converted so far
        self._held: list[list[str] | None] = [None] * workers  # the body hashes each worker
        # converted, once it is done
        self._asked = False  # take() has sent the workers their jobs

    def __enter__(self) -> BodiesAhead:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def read(self, relatives: list[str]) -> list[Record]:
        """Each file's record and problems, as digest.load reads them, in order. The workers
        then convert the article bodies they read, until take() asks for them."""
        from multiprocessing.connection import wait

        from digest.interrupts import held_interrupts
        from digest.workers import chunk_pipe, forking

        if self._channels:
            raise RuntimeError("read() starts the workers, and only once")
        # imported once here rather than in each worker after the fork (see digest.markup)
        import digest.markup  # noqa: F401

        shares = [relatives[index::self.workers] for index in range(self.workers)]
        claims = [chunk_pipe(len(share), BODY_CHUNK) for share in shares]
        context = self._stack.enter_context(forking())
        self._stack.callback(self._stop)
        try:
            for index in range(self.workers):
                parent_end, child_end = context.Pipe()
                process = context.Process(target=_work, daemon=True,
                                          args=(self.root, shares, index, claims, self.known,
                                                child_end))
                self._channels.append((parent_end, process))
                with held_interrupts():
                    process.start()
                child_end.close()
        finally:
            for chunks in claims:  # the workers have their own
                os.close(chunks.reader)
        records: list[Record] = [(None, [])] * len(relatives)
        waiting = {connection: index for index, (connection, _) in enumerate(self._channels)}
        while waiting:  # in the order they come: a worker goes on once its records are read
            for connection in wait(list(waiting)):
                index = waiting.pop(connection)  # type: ignore[call-overload]
                records[index::self.workers] = self._message(index)[1]
        return records

    def take(self, jobs: list[BodyJob], progress: Callable[[int], None] = lambda done: None,
             ) -> Iterator[tuple[BodyJob, str | None]]:
        """Each job with its linked HTML, or with None where no worker holds its body.
        progress(converted) hears, as the workers' reports come in, how many bodies are done.
        Each worker is sent the jobs of the bodies it holds as soon as it is done converting;
        the workers are asked once: later calls find no body held."""
        from multiprocessing.connection import wait

        if not self._channels or self._asked:
            for job in jobs:
                yield job, None
            return
        self._asked = True
        by_body: dict[str, list[BodyJob]] = {}
        for job in jobs:
            by_body.setdefault(job.body_hash, []).append(job)
        by_key = {job.key: job for job in jobs}
        pending, asked = set(range(self.workers)), set[int]()
        while pending:
            for index in sorted(pending - asked):
                held = self._held[index]
                if held is not None:  # sent even if empty: the worker waits for it to finish
                    # as plain tuples: a BodyJob would make the worker import digest.bodies
                    # (and the site graph) to unpickle it, 4 ms in each worker
                    self._channels[index][0].send(
                        [(job.key, job.body_hash, job.spellings, job.titles)
                         for body in held for job in by_body.pop(body, ())])
                    asked.add(index)
            waiting = {self._channels[index][0]: index for index in pending}
            for connection in wait(list(waiting)):
                index = waiting[connection]  # type: ignore[index]
                status, payload = self._message(index)
                if status in ("progress", "ready"):
                    progress(self.converted())
                elif status == "linked":
                    for key, html in payload:
                        yield by_key[key], html
                elif status == "done":
                    pending.discard(index)
        for left in by_body.values():  # bodies no worker converted
            for job in left:
                yield job, None

    def converted(self) -> int:
        """Bodies the workers have converted, as far as the parent has heard."""
        return sum(self._converted)

    def close(self) -> None:
        self._stack.close()

    def _message(self, index: int) -> tuple[str, Any]:
        """The next message from a worker; its progress is noted on the way."""
        connection, process = self._channels[index]
        try:
            status, payload = connection.recv()
        except EOFError:
            process.join()
            raise RuntimeError(f"a worker reading the digest's files exited with code "
                               f"{process.exitcode}") from None
        if status == "crash":
            raise RuntimeError(payload)
        if status == "progress":
            self._converted[index] = payload
        elif status == "ready":
            self._converted[index], self._held[index] = len(payload), payload
        return status, payload

    def _stop(self) -> None:
        for connection, process in self._channels:
            connection.close()
            if process.is_alive():
                process.terminate()
            process.join()
        self._channels = []


def _work(root: Path, shares: list[list[str]], index: int, claims: list[ChunkPipe],
          known: frozenset[str], connection: Connection) -> None:
    """A worker: read its share of the files, convert bodies, then link them."""
    from digest.interrupts import ignore_interrupts

    ignore_interrupts()
    try:
        _read_convert_link(root, shares, index, claims, known, connection)
    except Exception as error:  # reported in the parent, never lost
        connection.send(("crash", f"a worker reading the digest's files failed: {error!r}"))
    finally:
        connection.close()


def _read_convert_link(root: Path, shares: list[list[str]], index: int,
                       claims: list[ChunkPipe], known: frozenset[str],
                       connection: Connection) -> None:
    """Read shares[index], send the records; convert the bodies of the chunks it claims, its
    own share's first, then those of the other shares that no worker has taken yet; then link
    the bodies of the jobs the parent sends."""
    from digest.load import read_file
    from digest.markup import MarkdownRenderer, link_first_mentions
    from digest.workers import next_chunk

    records: list[Record] = []
    bodies: dict[int, tuple[str, str]] = {}  # position in its share -> body hash, Markdown
    for position, relative in enumerate(shares[index]):
        record, problems, body = read_file(root, relative)
        records.append((record, problems))
        if isinstance(record, Article) and record.body_hash not in known:
            bodies[position] = (record.body_hash, body)
    connection.send(("records", records))
    del records
    renderer = MarkdownRenderer()
    html: dict[str, str] = {}
    for owner in (index, *(other for other in range(len(shares)) if other != index)):
        share = shares[owner]
        while (chunk := next_chunk(claims[owner])) is not None:
            for position in chunk:
                found = (bodies.pop(position, None) if owner == index
                         else _body_again(root, share[position], known))
                if found is None or found[0] in html:
                    continue
                html[found[0]] = renderer.to_html(found[1])
                if len(html) % PROGRESS_EVERY == 0:
                    connection.send(("progress", len(html)))
    bodies.clear()
    connection.send(("ready", list(html)))
    jobs: list[tuple[str, str, Pairs, Pairs]] = connection.recv()  # BodyJob's fields
    batch: list[tuple[str, str]] = []
    for key, body_hash, spellings, titles in jobs:  # only of the bodies it reported (take)
        batch.append((key, link_first_mentions(html[body_hash], dict(spellings),
                                               dict(titles))))
        if len(batch) == LINKED_BATCH:
            connection.send(("linked", batch))
            batch = []
    connection.send(("linked", batch))
    connection.send(("done", None))


def _body_again(root: Path, relative: str, known: frozenset[str]) -> tuple[str, str] | None:
    """The body hash and Markdown of an article file another worker read, read again (its
    front matter is that worker's to report); None for a file of another kind, one without
    front matter, or a body known already."""
    from digest.frontmatter import body_of
    from digest.hashes import content_hash
    from digest.load import is_article_file

    body = body_of(root, relative) if is_article_file(relative) else None
    if body is None:
        return None
    body_hash = content_hash(body)
    return None if body_hash in known else (body_hash, body)
