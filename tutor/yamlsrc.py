"""Safe YAML with line numbers, and problems reported as `FILE:LINE: message`.

Questions and labs are written by hand, so every error has to point at the line to fix. The
document is composed into nodes (safe loader only: no tag can construct objects or run code), then
turned into plain Python values while remembering the line of every key and list item.

Limits, so that no file can hang or exhaust the machine (each refused with one `FILE:LINE: message`):
a file is at most `MAX_FILE_BYTES` (1 MiB, about 20 times the largest shipped bank file); aliases
(`*name`) may expand to at most `MAX_ALIAS_VALUES` values in all (a "billion laughs" bomb is refused
as soon as it passes that), an alias may not contain itself, and values nest at most `MAX_DEPTH` deep.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml is ~10x faster; fall back to the pure-Python safe loader.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from tutor.safetext import abbreviate, one_line, quote

Loc = tuple[str | int, ...]

MAX_FILE_BYTES = 1024 * 1024
MAX_ALIAS_VALUES = 10_000
MAX_DEPTH = 64


from tutor.problems import Problem  # noqa: E402 - defined without YAML (the quiz's cached bank needs no parser)


class YamlError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class Located:
    """A parsed document and the 1-based line of each location in it."""

    file: str
    data: Any
    lines: dict[Loc, int]

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest known location on `loc`'s path (pydantic locs may go deeper)."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)

    def problem(self, loc: Loc, message: str) -> Problem:
        return Problem(self.file, self.line_of(loc), message)


def load(path: Path, display: str | None = None) -> Located:
    """Parse one YAML file; raises YamlError with the file and line on syntax errors."""
    name = display or str(path)
    try:
        if not path.is_file():  # a pipe or device would block or never end
            raise YamlError(Problem(name, 1, "not a regular file"))
        with open(path, "rb") as f:  # read one byte past the limit: a growing or endless file stops there
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise YamlError(Problem(name, 1, f"cannot read: {exc.strerror or exc}")) from None
    if len(raw) > MAX_FILE_BYTES:
        raise YamlError(Problem(name, 1, f"file is larger than {MAX_FILE_BYTES // 1024} KiB (the limit for a question or lab file); split it"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(Problem(name, raw.count(b"\n", 0, exc.start) + 1, f"not UTF-8 text ({exc.reason})")) from None
    return loads(text, name)


def loads(text: str, name: str = "<string>") -> Located:
    if len(text) > MAX_FILE_BYTES:
        raise YamlError(Problem(name, 1, f"text is longer than {MAX_FILE_BYTES // 1024} KiB (the limit for a question or lab file); split it"))
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.reader.ReaderError as exc:  # a control character: the reader knows its offset, not its line
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        code = ord(exc.character) if isinstance(exc.character, str) else int(exc.character)
        raise YamlError(Problem(name, line, f"control character U+{code:04X} is not allowed in YAML; remove it (or write it as an escape in double quotes)")) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and mark is not None and mark.index >= len(text.rstrip()):
            mark = exc.context_mark  # an unclosed bracket is found at end of file; point where it opened
        line = mark.line + 1 if mark else 1
        what = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            what = f"{exc.problem} ({exc.context})"
        raise YamlError(Problem(name, line, f"YAML syntax error: {what}")) from None
    except yaml.YAMLError as exc:
        raise YamlError(Problem(name, 1, f"YAML error: {exc}")) from None
    lines: dict[Loc, int] = {(): 1}
    if node is None:
        return Located(name, None, lines)
    lines[()] = node.start_mark.line + 1
    data = _Converter(name).convert(node, (), lines)
    return Located(name, data, lines)


_STR = "tag:yaml.org,2002:str"


def _scalar(node: yaml.ScalarNode, name: str) -> Any:
    if node.tag == _STR:  # most of a bank is text: skip the constructor machinery
        return node.value
    constructor = yaml.constructor.SafeConstructor()
    line = node.start_mark.line + 1
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        raise YamlError(Problem(name, line, f"YAML error: {exc.problem}")) from None
    except (ValueError, OverflowError) as exc:  # e.g. an integer of 5,000 digits (Python's conversion limit)
        raise YamlError(Problem(name, line, f"{quote(node.value)} is not a usable value ({exc.__class__.__name__}); quote it if it is text")) from None


class _Converter:
    """Nodes to plain values, counting what aliases expand to: the composer shares one node per anchor,
    so a node met again is an alias, and everything converted below it is expansion."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: set[int] = set()
        self.path: set[int] = set()  # nodes being converted right now: meeting one again is a cycle
        self.expanded = 0

    def _fail(self, node: yaml.Node, message: str) -> YamlError:
        return YamlError(Problem(self.name, node.start_mark.line + 1, message))

    def convert(self, node: yaml.Node, loc: Loc, lines: dict[Loc, int], aliased: bool = False, depth: int = 0) -> Any:
        key = id(node)
        if key in self.path:
            raise self._fail(node, "an alias refers to a value that contains it (a loop)")
        if key in self.seen:
            aliased = True
        self.seen.add(key)
        if aliased:
            self.expanded += 1
            if self.expanded > MAX_ALIAS_VALUES:
                raise self._fail(node, f"aliases expand to more than {MAX_ALIAS_VALUES:,} values (limit); write the values out")
        if depth > MAX_DEPTH:
            raise self._fail(node, f"values nest more than {MAX_DEPTH} levels deep (limit)")
        lines.setdefault(loc, node.start_mark.line + 1)
        if not node.tag.startswith("tag:yaml.org,2002:") or node.tag.startswith("tag:yaml.org,2002:python/"):
            raise self._fail(node, f"YAML tag {quote(node.tag)} is not allowed (plain values only)")
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node, self.name)
        self.path.add(key)
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, loc, lines, aliased, depth)
            return [self.convert(item, loc + (i,), lines, aliased, depth + 1) for i, item in enumerate(node.value)]
        finally:
            self.path.discard(key)

    def _mapping(self, node: yaml.MappingNode, loc: Loc, lines: dict[Loc, int], aliased: bool, depth: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self._fail(key_node, "merge keys (<<) are not supported")
            key = self.convert(key_node, loc + ("<key>",), {}, aliased, depth + 1)
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise self._fail(key_node, f"keys must be text, not {quote(key)} (quote it)")
            if key in out:
                raise self._fail(key_node, f"duplicate key {quote(key)}")
            lines[loc + (key,)] = key_node.start_mark.line + 1
            out[key] = self.convert(value_node, loc + (key,), lines, aliased, depth + 1)
        return out


def pydantic_problems(doc: Located, exc: Exception, base: Loc = ()) -> list[Problem]:
    """Turn a pydantic ValidationError into one Problem per error, at the line it concerns."""
    out = []
    for err in exc.errors(include_url=False):  # type: ignore[attr-defined]
        loc = base + tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        loc = _drop_union_tags(loc, doc.lines)
        field = abbreviate(".".join(str(p) for p in loc[len(base):]) or "document")
        msg = err["msg"]
        if err["type"] == "missing":
            message = f"missing required field '{field}'"
        elif err["type"] == "extra_forbidden":
            message = f"unknown field '{field}'"
        elif err["type"] == "string_pattern_mismatch":
            message = f"{field}: {quote(err['input'])} {_PATTERN_HINTS.get(err['ctx']['pattern'], 'has the wrong form')}"
        elif err["type"] == "literal_error":
            message = f"{field}: {quote(err['input'])} is not one of {err['ctx']['expected']}"
        else:
            msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
            message = f"{field}: {abbreviate(msg, 200)}"
        out.append(doc.problem(loc, message))
    return _dedupe(out)


_PATTERN_HINTS = {
    r"^[a-z0-9][a-z0-9-]*$": "must be lowercase letters, digits and dashes (e.g. 'output-layer')",
    r"^[A-Za-z0-9_-]{1,12}$": "must be a short key of letters, digits, '_' or '-' (e.g. 'A')",
}
_UNION_TAGS = {"str", "int", "bool", "float", "list", "dict"}


def _drop_union_tags(loc: Loc, known: dict[Loc, int]) -> Loc:
    """Drop the union member names pydantic inserts into locs ("str", "dict[str,str]"): noise to a reader.
    A part that is a real key of the document (a field named `str`, or `a[b]`) is kept."""
    out: Loc = ()
    for part in loc:
        real = out + (part,) in known
        if real or not (isinstance(part, str) and ("[" in part or part in _UNION_TAGS)):
            out += (part,)
    return out


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out
