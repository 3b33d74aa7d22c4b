"""Split a Markdown file into its YAML front matter and body."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from digest.errors import Problem

try:  # libyaml's C loader is several times faster on large archives
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - pure-Python PyYAML
    _Loader = yaml.SafeLoader

_FENCE = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.M)


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed file: front matter mapping, body text, and where the body starts."""

    path: str
    meta: dict[str, Any]
    body: str
    front_matter: str
    body_line: int

    def line_of(self, key: str) -> int:
        """The line of `key:` in the front matter (1-based, in the file), or 1 if absent."""
        match = re.search(rf"^{re.escape(key)}[ \t]*:", self.front_matter, re.M)
        if match is None:
            return 1
        return self.front_matter.count("\n", 0, match.start()) + 2


def load_yaml(text: str, path: str, first_line: int = 1) -> Any:
    """Parse YAML; a syntax error becomes a Problem with the file's line number."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as error:
        # The context mark is where the broken construct starts (an unclosed quote, say);
        # the problem mark is often only where the parser gave up, at the end of the block.
        mark = error.context_mark or error.problem_mark
        line = first_line + mark.line if mark is not None else first_line
        reason = error.problem or "invalid YAML"
        if error.context:
            reason = f"{error.context}, {reason}"
        raise YamlProblem(
            Problem(path, line, f"invalid YAML: {reason}",
                    "check the indentation; quote values that contain ': ' or start with a quote")
        ) from None
    except yaml.YAMLError as error:
        raise YamlProblem(Problem(path, first_line, f"invalid YAML: {error}")) from None


class YamlProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def split_document(text: str, path: str) -> tuple[str, int]:
    """The front matter's text and the offset where the body starts. Raises DocumentProblem
    when the file has no closed front matter."""
    opening = _FENCE.match(text)
    if opening is None:
        raise DocumentProblem(
            Problem(path, 1, "no front matter",
                    "start the file with a line '---', the YAML fields, then another '---'")
        )
    closing = _CLOSE.search(text, opening.end())
    if closing is None:
        raise DocumentProblem(
            Problem(path, 1, "front matter is not closed", "add a line '---' after the YAML fields")
        )
    body_start = closing.end() + 1 if closing.end() < len(text) else closing.end()
    return text[opening.end():closing.start()], body_start


def parse_document(text: str, path: str) -> Document:
    """Parse `---` front matter and body. Raises DocumentProblem on bad input."""
    front, body_start = split_document(text, path)
    try:
        meta = load_yaml(front, path, first_line=2)
    except YamlProblem as error:
        raise DocumentProblem(error.problem) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise DocumentProblem(
            Problem(path, 2, "front matter must be a mapping of fields",
                    "write one 'key: value' per line")
        )
    body_line = text.count("\n", 0, body_start) + 1
    return Document(path, meta, text[body_start:], front, body_line)


class DocumentProblem(Exception):
    """A file whose front matter cannot be read at all."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem




class _FrontMatterDumper(yaml.SafeDumper):
    """Writes each value on one line, in double quotes where YAML needs quotes at all, so that
    the file reads naturally and simple tools (grep, a line-based reader) see whole values."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    analysis = dumper.analyze_scalar(value)
    plain = (analysis.allow_block_plain and not analysis.multiline
             and dumper.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
             == "tag:yaml.org,2002:str")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=None if plain else '"')


_FrontMatterDumper.add_representer(str, _represent_text)


def dump_front_matter(meta: dict[str, Any]) -> str:
    """Front matter as written by digest: stable key order, readable Unicode, one line a value."""
    text = yaml.dump(meta, Dumper=_FrontMatterDumper, sort_keys=False, allow_unicode=True,
                     width=1_000_000, default_flow_style=False)
    return f"---\n{text}---\n"
