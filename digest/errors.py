"""Errors that name the file and line and say how to fix the problem."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    path: str
    line: int | None
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        text = f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class DigestError(Exception):
    """Base class: every error the CLI reports without a traceback."""

    def __init__(self, problems: Iterable[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("digest", None, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[DigestError], tuple[tuple[Problem, ...]]]:
        # raised in a worker process, it reaches the parent with its problems intact
        return type(self), (self.problems,)


class ContentError(DigestError):
    """The digest's files (config, articles, actors, tags) are wrong."""


class TemplateError(DigestError):
    """A template failed to load or render."""


def display_path(path: Path, root: Path) -> str:
    """The path as the curator would type it: relative to the digest root when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
