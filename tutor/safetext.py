"""Text from files, made safe to print: control characters shown escaped, huge values abbreviated.

A question, lab or file name may carry escape sequences (YAML's "\\e[5m" or "\\x1b]0;title\\a" are
valid text): written raw they blink, recolour or retitle the learner's terminal. Every path that shows
file text (the CLI's problems, `tutor stats`, `tutor labs`, the app) passes it through `clean()` or
`one_line()` once, at its output boundary. Torch-free and Textual-free: anything may import it.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, and the Unicode line/paragraph separators and bidi overrides that
# can reorder or break a line on screen. \t and \n are kept by `clean()` (layout), escaped by `one_line()`.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: object) -> str:
    """`text` with every control character except newline and tab shown as an escape (`\\x1b`)."""
    return _UNSAFE.sub(_escape, str(text))


def one_line(text: object) -> str:
    """Like `clean()`, and newlines and tabs escaped too: for `FILE:LINE: message` and table cells."""
    return _UNSAFE_LINE.sub(_escape, str(text))


def abbreviate(text: object, limit: int = 60) -> str:
    """`text` cut to about `limit` characters with its full length said, so a rejected 1 MB value is
    echoed as a recognisable start rather than whole."""
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def quote(value: object, limit: int = 60) -> str:
    """A value echoed in a message: `'text'` for text, else its repr, abbreviated and on one line."""
    shown = f"'{value}'" if isinstance(value, str) else repr(value)
    return one_line(abbreviate(shown, limit))
