"""Statements read from files: JSON lines (one statement a line, what `tutor progress export --xapi` writes),
or one JSON document (a list of statements, or the object an LRS returns: `{"statements": [...], "more": ...}`).

Nothing here trusts the file: a line longer than `MAX_LINE` is skipped without being held in memory, a JSON
document is read whole only up to `MAX_DOCUMENT`, a file over the caller's limit is refused before it is
read, and every problem is one `Problem` (file, line, sentence) for the caller to print.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.safetext import one_line, quote

MAX_LINE = 1 << 20  # 1 MiB: a statement is under 2 KB
MAX_DOCUMENT = 64 << 20  # a pretty-printed JSON document is parsed whole: at most this big
MAX_ITEMS = 1_000_000


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{one_line(self.file)}:{self.line}: {one_line(self.message)}"


@dataclass(frozen=True)
class Item:
    """One statement-shaped value from a file and where it was."""

    file: str
    line: int
    data: Any


def read(path: Path, limit: int) -> Iterator[Item | Problem]:
    """Every statement in `path`, in file order, and a `Problem` for each thing that is not JSON."""
    name = str(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            yield Problem(name, 0, "not a file")
            return
        if size > limit:
            yield Problem(name, 0, f"{size / 1e6:,.1f} MB, over the {limit >> 20} MiB this command reads; nothing read from it")
            return
        with path.open("rb") as f:
            head = f.read(1 << 16)
            f.seek(0)
            if _one_document(head, size):
                yield from _document(name, f)
            else:
                yield from _lines(name, f)
    except OSError as exc:
        yield Problem(name, 0, f"cannot read: {exc.strerror or exc}")


def _one_document(head: bytes, size: int) -> bool:
    """A document that starts with `[`, or a `{` document none of whose first lines is a whole JSON object
    (pretty-printed). A line of JSON lines that is broken does not make the file a document."""
    text = head.lstrip()
    if text.startswith(b"["):
        return True
    if not text.startswith(b"{"):
        return False
    lines = text.split(b"\n")
    complete = lines if size <= len(head) else lines[:-1]  # the last line of a partial head may be cut
    if not complete:
        return False  # one line longer than the head: JSON lines, streamed
    for line in complete[:50]:
        try:
            if isinstance(json.loads(line), dict):
                return False
        except ValueError:
            continue
    return True


def _document(name: str, f) -> Iterator[Item | Problem]:
    raw = f.read(MAX_DOCUMENT + 1)
    if len(raw) > MAX_DOCUMENT:
        yield Problem(name, 1, f"a JSON document over {MAX_DOCUMENT >> 20} MiB; write it as JSON lines")
        return
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        yield Problem(name, 1, "not UTF-8 text")
        return
    except (ValueError, RecursionError) as exc:
        yield Problem(name, getattr(exc, "lineno", 1), f"not JSON ({getattr(exc, 'msg', 'too deeply nested')})")
        return
    yield from _expand(name, 1, data)


def _lines(name: str, f) -> Iterator[Item | Problem]:
    number = 0
    while True:
        line = f.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            while (rest := f.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                pass
            yield Problem(name, number, f"a line over {MAX_LINE >> 20} MiB; skipped")
            continue
        if not line.strip():
            continue
        try:
            data = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError:
            yield Problem(name, number, "not UTF-8 text")
            continue
        except (ValueError, RecursionError):
            yield Problem(name, number, f"not JSON: {quote(line.decode('utf-8', 'replace').strip(), 60)}")
            continue
        yield from _expand(name, number, data)


def _expand(name: str, line: int, data: Any) -> Iterator[Item | Problem]:
    """A statement, a list of them, or an LRS result object (`statements`), as statements."""
    if isinstance(data, dict) and isinstance(data.get("statements"), list) and "verb" not in data:
        data = data["statements"]
    if isinstance(data, list):
        if len(data) > MAX_ITEMS:
            yield Problem(name, line, f"more than {MAX_ITEMS:,} statements in one document")
            return
        for item in data:
            yield Item(name, line, item)
    else:
        yield Item(name, line, data)
