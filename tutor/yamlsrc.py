"""Safe YAML with line numbers, and problems reported as `FILE:LINE: message`.

Questions and labs are written by hand, so every error has to point at the line to fix. The
document is composed into nodes (safe loader only: no tag can construct objects or run code), then
turned into plain Python values while remembering the line of every key and list item.
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

Loc = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


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
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(Problem(name, 1, f"not UTF-8 text ({exc.reason})")) from None
    except OSError as exc:
        raise YamlError(Problem(name, 1, f"cannot read: {exc.strerror}")) from None
    return loads(text, name)


def loads(text: str, name: str = "<string>") -> Located:
    try:
        node = yaml.compose(text, Loader=_Loader)
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
    data = _convert(node, (), lines, name)
    return Located(name, data, lines)


_STR = "tag:yaml.org,2002:str"


def _scalar(node: yaml.ScalarNode, name: str) -> Any:
    if node.tag == _STR:  # most of a bank is text: skip the constructor machinery
        return node.value
    constructor = yaml.constructor.SafeConstructor()
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        line = node.start_mark.line + 1
        raise YamlError(Problem(name, line, f"YAML error: {exc.problem}")) from None


def _convert(node: yaml.Node, loc: Loc, lines: dict[Loc, int], name: str) -> Any:
    lines.setdefault(loc, node.start_mark.line + 1)
    if not node.tag.startswith("tag:yaml.org,2002:") or node.tag.startswith("tag:yaml.org,2002:python/"):
        raise YamlError(Problem(name, node.start_mark.line + 1, f"YAML tag {node.tag!r} is not allowed (plain values only)"))
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError(Problem(name, key_node.start_mark.line + 1, "merge keys (<<) are not supported"))
            key = _convert(key_node, loc + ("<key>",), {}, name)
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise YamlError(Problem(name, key_node.start_mark.line + 1, f"keys must be text, not {key!r} (quote it)"))
            if key in out:
                raise YamlError(Problem(name, key_node.start_mark.line + 1, f"duplicate key '{key}'"))
            lines[loc + (key,)] = key_node.start_mark.line + 1
            out[key] = _convert(value_node, loc + (key,), lines, name)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, loc + (i,), lines, name) for i, item in enumerate(node.value)]
    return _scalar(node, name)


def pydantic_problems(doc: Located, exc: Exception, base: Loc = ()) -> list[Problem]:
    """Turn a pydantic ValidationError into one Problem per error, at the line it concerns."""
    out = []
    for err in exc.errors(include_url=False):  # type: ignore[attr-defined]
        loc = base + tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        loc = _drop_union_tags(loc)
        field = ".".join(str(p) for p in loc[len(base):]) or "document"
        msg = err["msg"]
        if err["type"] == "missing":
            message = f"missing required field '{field}'"
        elif err["type"] == "extra_forbidden":
            message = f"unknown field '{field}'"
        elif err["type"] == "string_pattern_mismatch":
            message = f"{field}: {err['input']!r} {_PATTERN_HINTS.get(err['ctx']['pattern'], 'has the wrong form')}"
        elif err["type"] == "literal_error":
            message = f"{field}: {err['input']!r} is not one of {err['ctx']['expected']}"
        else:
            msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
            message = f"{field}: {msg}"
        out.append(doc.problem(loc, message))
    return _dedupe(out)


_PATTERN_HINTS = {
    r"^[a-z0-9][a-z0-9-]*$": "must be lowercase letters, digits and dashes (e.g. 'output-layer')",
    r"^[A-Za-z0-9_-]{1,12}$": "must be a short key of letters, digits, '_' or '-' (e.g. 'A')",
}


def _drop_union_tags(loc: Loc) -> Loc:
    # pydantic inserts the union member name ("str", "dict[str,str]") into locs; they are noise to a reader.
    return tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p in {"str", "int", "bool", "float", "list", "dict"})))


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out
