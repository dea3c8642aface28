"""Read a gettext .po file and compile it to .mo bytes, with the standard library only.

Used twice: by the build hook (`hatch_build.py` loads this file by path, so building needs nothing but
hatchling) and at run time when a source checkout has a .po newer than its .mo (or none), so the app never
shows message ids. Fuzzy and untranslated entries are left out, as `msgfmt` leaves them out.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_ESCAPE = re.compile(r"\\(.)")


class PoError(ValueError):
    """A .po file this reader cannot make sense of (the message names the line)."""


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values()) and not self.fuzzy


def _unquote(token: str, lineno: int) -> str:
    token = token.strip()
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        raise PoError(f"line {lineno}: expected a quoted string, got {token[:40]!r}")
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), token[1:-1])


def parse(text: str) -> list[Entry]:
    """The entries of a .po file, header (msgid "") included; obsolete (#~) entries are dropped."""
    entries: list[Entry] = []
    entry, seen = Entry(), set()  # `seen`: the fields the current entry has so far
    target: tuple[str, int] | None = None  # the field a continuation line appends to

    def finish() -> None:
        nonlocal entry, seen, target
        if "msgid" in seen:
            entries.append(entry)
        entry, seen, target = Entry(), set(), None

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):  # an obsolete entry: kept in the file for translators, never used
            continue
        if line.startswith("#"):
            if "msgstr" in seen:
                finish()
            if line.startswith("#,") and "fuzzy" in {f.strip() for f in line[2:].split(",")}:
                entry.fuzzy = True
            target = None
            continue
        if line.startswith('"'):
            if target is None:
                raise PoError(f"line {lineno}: a string outside any msgid or msgstr")
            value = _unquote(line, lineno)
        else:
            keyword, _, rest = line.partition(" ")
            m = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if keyword not in ("msgctxt", "msgid", "msgid_plural", "msgstr") and m is None:
                raise PoError(f"line {lineno}: unexpected {keyword[:20]!r}")
            name = "msgstr" if m is not None else keyword
            if name in ("msgctxt", "msgid") and ("msgstr" in seen or name in seen):
                finish()
            seen.add(name)
            target, value = (name, int(m.group(1)) if m is not None else 0), _unquote(rest, lineno)
            if name == "msgstr":
                entry.msgstr[target[1]] = ""
            else:
                setattr(entry, name, "")
        name, index = target
        if name == "msgstr":
            entry.msgstr[index] += value
        else:
            setattr(entry, name, getattr(entry, name) + value)
    finish()
    return entries


def compile_mo(entries: list[Entry]) -> bytes:
    """GNU .mo bytes for the translated entries (and the header), in the layout `msgfmt` writes."""
    messages: dict[bytes, bytes] = {}
    for e in entries:
        if e.msgid and not e.translated:
            continue
        key = e.msgid if e.msgid_plural is None else f"{e.msgid}\0{e.msgid_plural}"
        if e.msgctxt is not None:
            key = f"{e.msgctxt}\x04{key}"
        value = "\0".join(e.msgstr[i] for i in sorted(e.msgstr))
        messages[key.encode("utf-8")] = value.encode("utf-8")
    keys = sorted(messages)
    ids = strs = b""
    offsets: list[tuple[int, int, int, int]] = []
    for k in keys:
        offsets.append((len(ids), len(k), len(strs), len(messages[k])))
        ids += k + b"\0"
        strs += messages[k] + b"\0"
    start = 7 * 4 + 16 * len(keys)  # header, then the two tables of (length, offset)
    id_table = [x for o, n, _, _ in offsets for x in (n, start + o)]
    str_table = [x for _, _, o, n in offsets for x in (n, start + len(ids) + o)]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    return header + struct.pack(f"{len(id_table)}i", *id_table) + struct.pack(f"{len(str_table)}i", *str_table) + ids + strs
