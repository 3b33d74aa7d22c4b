"""Split a Markdown file into its YAML front matter and body."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from digest.errors import ContentError, Problem

try:  # libyaml's C loader is several times faster on large archives
    _SafeLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - pure-Python PyYAML
    _SafeLoader = yaml.SafeLoader


_TEXT = "tag:yaml.org,2002:str"


class _NotADate(yaml.MarkedYAMLError):
    """An unquoted value shaped like a date that is no calendar date (2021-02-30)."""


class _Loader(_SafeLoader):  # type: ignore[misc, valid-type]
    """The safe loader, except that PyYAML's bare ValueError for an impossible date (raised
    from deep inside its timestamp constructor) becomes an error that knows its line."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as error:
            raise _NotADate(problem=f"{node.value!r} is not a valid date: {error}",
                            problem_mark=node.start_mark) from None

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # Most of a front matter's nodes are text, which PyYAML's general path (recursion
        # checks, a look-up of the constructor, recording the object for aliases) turns into
        # the node's own value: taken straight, front matter loads in a fifth less time.
        if node.tag == _TEXT and type(node) is yaml.ScalarNode:
            return node.value
        return super().construct_object(node, deep)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        # PyYAML keeps the last of two equal keys: a second 'tags:' line would silently
        # throw the first one's tags away
        seen: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value != "<<":
                first = seen.setdefault(key_node.value, key_node.start_mark)
                if first is not key_node.start_mark:
                    raise _TwiceGiven(key_node.value, first, key_node.start_mark)
        return super().construct_mapping(node, deep)


class _TwiceGiven(yaml.MarkedYAMLError):
    """A key given twice in one mapping."""

    def __init__(self, key: str, first: yaml.Mark, second: yaml.Mark) -> None:
        super().__init__(problem=f"'{key}' is given twice", problem_mark=second)
        self.first = first


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)

# Errors whose context mark (where the construct opened) is where the fix goes: an unclosed
# quote or bracket, or a line with no ':', is only noticed lines later, at the problem mark.
# For every other error (a tab, a bad indentation) the problem mark is the line to fix.
_OPENED_CONSTRUCTS = ("quoted scalar", "flow sequence", "flow mapping", "simple key")

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
    except _NotADate as error:
        raise YamlProblem(
            Problem(path, _line(error.problem_mark, first_line), str(error.problem),
                    "write a real date as YYYY-MM-DD, or quote the value if it is text")
        ) from None
    except _TwiceGiven as error:
        raise YamlProblem(
            Problem(path, _line(error.problem_mark, first_line),
                    f"{error.problem}, also at line {_line(error.first, first_line)}",
                    "keep one, holding what both should say: YAML would quietly keep the "
                    "second and drop the first")) from None
    except yaml.MarkedYAMLError as error:
        reason = error.problem or "invalid YAML"
        mark = error.problem_mark
        opened = error.context is not None and any(
            construct in error.context for construct in _OPENED_CONSTRUCTS)
        if error.context_mark is not None and (opened or mark is None):
            # the context names the construct at the line reported; elsewhere it is noise
            mark = error.context_mark
            reason = f"{error.context}, {reason}"
        hint = "check the indentation; quote values that contain ': ' or start with a quote"
        opener = _unclosed_quote(text, mark)
        if opener is not None:
            hint = "end the value with the quote mark it opens with"
            if mark is not None and mark.line != opener:
                hint += (f"; YAML read on to the next one, and only stumbled at line "
                         f"{_line(mark, first_line)}")
            raise YamlProblem(Problem(path, first_line + opener,
                                      "invalid YAML: this quote is never closed", hint)
                              ) from None
        if _indented_with_tab(text, mark):
            hint = "indent with spaces: YAML does not allow tabs there"
        raise YamlProblem(Problem(path, _line(mark, first_line), f"invalid YAML: {reason}", hint)
                          ) from None
    except yaml.YAMLError as error:
        raise YamlProblem(Problem(path, first_line, f"invalid YAML: {error}")) from None


def _line(mark: yaml.Mark | None, first_line: int) -> int:
    return first_line + mark.line if mark is not None else first_line


# A value that opens with a quote: `key: "…`, `- '…`, `key: ["…`.
_QUOTED_VALUE = re.compile(r"""^[ \t]*(?:-[ \t]+|[^\s#:'"][^:#]*:[ \t]+)\[?[ \t]*(["'])""")


def _unclosed_quote(text: str, mark: yaml.Mark | None) -> int | None:
    """The line (0-based) of a quoted value that runs on into the line YAML stumbled at: a
    quote left open ("source: "ESTA"), which YAML only notices where a later value's quote
    happens to close it. A value quoted over several lines that closes before is no culprit."""
    if mark is None:
        return None
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    for number, line in enumerate(lines[:mark.line + 1]):
        opened = _QUOTED_VALUE.match(line)
        if opened is None:
            continue
        closed = _closing_quote(text, starts[number] + opened.end(), opened.group(1))
        if closed is None or (closed >= starts[mark.line] and number < mark.line):
            return number
    return None


def _closing_quote(text: str, position: int, quote: str) -> int | None:
    """Where the quoted scalar that opened just before `position` ends, or None."""
    while position < len(text):
        char = text[position]
        if quote == '"' and char == "\\":
            position += 2
            continue
        if char == quote:
            if quote == "'" and text[position + 1:position + 2] == "'":
                position += 2  # '' is a quote inside single quotes
                continue
            return position
        position += 1
    return None


def _indented_with_tab(text: str, mark: yaml.Mark | None) -> bool:
    lines = text.splitlines()
    if mark is None or mark.line >= len(lines):
        return False
    line = lines[mark.line]
    return "\t" in line[:len(line) - len(line.lstrip(" \t"))]


def value_line(text: str, keys: Sequence[str | int], first_line: int = 1) -> int | None:
    """The file line of the entry reached through `keys` (mapping keys, list indexes) in YAML
    text that loads, or of the deepest one of them that is there; None when not even the
    first is. For error messages only: it parses the text again, keeping the nodes, which
    know their lines."""
    node = yaml.compose(text, Loader=_Loader)
    line = None
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            entry = next(((k, v) for k, v in node.value if k.value == key), None)
            if entry is None:
                break
            line, node = entry[0].start_mark.line, entry[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and (
                0 <= key < len(node.value)):
            node = node.value[key]
            line = node.start_mark.line
        else:
            break
    return None if line is None else first_line + line


def read_utf8(path: Path, shown: str) -> str:
    """A file's text, as read_text would give it; ContentError naming the line of the first
    byte that is not UTF-8."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ContentError(Problem(
            shown, line, f"not UTF-8 text (byte {error.start}: {data[error.start]:#04x})",
            "save the file as UTF-8")) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")  # read_text's universal newlines


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


def body_of(root: Path, relative: str) -> str | None:
    """The Markdown body of a file, after its front matter; None if the file cannot be read
    or has no front matter."""
    try:
        text = (root / relative).read_text(encoding="utf-8")
        _, start = split_document(text, relative)
    except (OSError, UnicodeDecodeError, DocumentProblem):
        return None
    return text[start:]


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
