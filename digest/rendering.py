"""Rendering the pages whose views changed, in this process or in forked workers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from digest.bodies import BodyHtml
from digest.cache import PageFingerprints
from digest.write import StagedFiles

if TYPE_CHECKING:
    import jinja2

    from digest.incremental import BodyEdit
    from digest.pages import SitePlan

# Below this many pages, starting worker processes costs more than it saves.
PARALLEL_PAGES = 500


class PageResult(NamedTuple):
    path: str
    fingerprint: bytes
    rendered: bool  # its views changed, so its template ran
    written: bool  # rendering gave other bytes than the site had
    bodies: frozenset[str]  # the articles whose body HTML the page shows


class PageRenderer:
    """Renders pages whose views changed and stages them; the others are left alone."""

    def __init__(self, plan: SitePlan, body_html: BodyHtml, environment: jinja2.Environment,
                 salt: str, known: dict[str, bytes], files: StagedFiles, root: Path,
                 edit: BodyEdit | None = None) -> None:
        self.plan = plan
        self.body_html = body_html
        self.environment = environment
        self.known = known  # the last build's page fingerprints
        self.files = files
        self.root = root
        self.edit = edit  # when only bodies changed: pages known unchanged without a look
        self.fingerprints = PageFingerprints(salt)

    def render_share(self, index: int, count: int) -> list[PageResult]:
        """Every count-th page starting at index (so that workers split the site evenly)."""
        from digest.render import render_page

        results = []
        for position, page in enumerate(self.plan.pages()):
            if position % count != index:
                continue
            if self.edit is not None and self.edit.unchanged(page.path):
                results.append(PageResult(page.path, self.known[page.path], False, False,
                                          self.edit.page_bodies[page.path]))
                continue
            self.body_html.used = set()
            context = page.make_context()
            fingerprint = self.fingerprints.of(page.template, context)
            bodies = frozenset(self.body_html.used)
            if self.known.get(page.path) == fingerprint:
                results.append(PageResult(page.path, fingerprint, False, False, bodies))
            else:
                data = render_page(self.environment, page, context, self.root)
                results.append(PageResult(page.path, fingerprint, True,
                                          self.files.put(page.path, data), bodies))
        return results


def _render_in_workers(pages: PageRenderer, workers: int) -> list[PageResult]:
    """Render the site in forked worker processes, each taking every n-th page.

    Forking hands each worker the graph and views without copying or pickling them; only the
    small results (or the problems of a failed page) come back.
    """
    import multiprocessing

    from digest.errors import DigestError, TemplateError

    context = multiprocessing.get_context("fork")
    channels = []
    processes = []
    for index in range(workers):
        receiver, sender = context.Pipe(duplex=False)

        def work(index: int = index, sender: Any = sender) -> None:
            try:
                sender.send(("ok", pages.render_share(index, workers)))
            except DigestError as error:
                sender.send(("error", error.problems))
            except Exception as error:  # reported in the parent, never lost
                sender.send(("crash", repr(error)))
            finally:
                sender.close()

        process = context.Process(target=work, daemon=True)
        process.start()
        sender.close()
        channels.append(receiver)
        processes.append(process)
    results: list[PageResult] = []
    problems = []
    crashes = []
    for receiver, process in zip(channels, processes, strict=True):
        try:
            status, payload = receiver.recv()
        except EOFError:
            status, payload = "crash", f"worker exited with code {process.exitcode}"
        process.join()
        if status == "ok":
            results.extend(payload)
        elif status == "error":
            problems.extend(payload)
        else:
            crashes.append(payload)
    if problems:
        raise TemplateError(problems)
    if crashes:
        raise RuntimeError("; ".join(crashes))
    return results


def render_pages(pages: PageRenderer, workers: int) -> list[PageResult]:
    """All pages' results: big sites in up to `workers` forked processes, small sites (or
    small edits) here."""
    small_edit = pages.edit is not None and pages.edit.same_templates
    if not small_edit and workers > 1 and sum(1 for _ in pages.plan.pages()) >= PARALLEL_PAGES:
        return _render_in_workers(pages, workers)
    return pages.render_share(0, 1)
