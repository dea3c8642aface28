"""Text helpers shared by the readers: HTML to plain text, slugs, reading an untrusted file.

Moodle stores most text as HTML; tutor shows plain text (and Markdown), so tags never reach the YAML:
paragraphs and line breaks become newlines, list items get a dash, images their alt text.
"""

from __future__ import annotations

import html
import re
import stat
import unicodedata
from pathlib import Path

from tutor.bank.interchange.model import MAX_BYTES, Refused
from tutor.yamlsrc import Problem

_BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote"}
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")


_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_RAW = ("script", "style")


def _tag(tag: str, closing: bool, attrs: str) -> str:
    """What a tag leaves in the text: a newline for a block, a dash for a list item, an image's alt text."""
    if tag == "li":
        return "" if closing else "\n- "
    if tag in _BLOCK:
        return "\n"
    if tag == "img" and not closing:
        m = _ALT.search(attrs)
        alt = html.unescape(next((g for g in m.groups() if g is not None), "")) if m else ""
        return f"[image: {alt}]" if alt else "[image]"
    return ""


def _html_parts(value: str):
    """Text and tag results of `value`, in one pass: every character is looked at a bounded number of times, so
    hostile HTML (thousands of unclosed `<a`, `<![` sections, unterminated comments) costs linear time and
    never raises. A `<` that starts no tag is text."""
    i, n = 0, len(value)
    last_gt, lower = value.rfind(">"), value.lower()
    while i < n:
        j = value.find("<", i)
        if j < 0 or j > last_gt:  # no tag can close after here: the rest is text
            yield html.unescape(value[i:])
            return
        yield html.unescape(value[i:j])
        if value.startswith("<!--", j):
            end = value.find("-->", j + 4)
            i = n if end < 0 else end + 3
            continue
        if value.startswith("<![CDATA[", j):
            end = value.find("]]>", j + 9)
            yield value[j + 9: n if end < 0 else end]
            i = n if end < 0 else end + 3
            continue
        m = _TAG_NAME.match(value, j)
        if not m and not value.startswith(("<!", "<?"), j):
            yield "<"
            i = j + 1
            continue
        end = value.find(">", j)  # exists: j < last_gt
        tag, closing = (m.group(1).lower(), value[j + 1] == "/") if m else ("", False)
        i = end + 1
        if tag in _RAW and not closing:  # skip the script or style body up to its end tag
            close = lower.find(f"</{tag}", i)
            i = n if close < 0 else close
            continue
        yield _tag(tag, closing, value[m.end():end] if m else "")


def html_to_text(value: str) -> str:
    """Plain text from HTML: no tags, entities decoded, one blank line at most between paragraphs."""
    out = "".join(_html_parts(value)).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in out.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def looks_like_html(value: str) -> bool:
    return bool(_TAG.search(value)) or bool(re.search(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);", value))


def from_format(value: str, fmt: str) -> str:
    """Text in a Moodle text format as tutor text: HTML is converted; Markdown and plain text are kept."""
    fmt = fmt.lower()
    if fmt == "html" or (fmt in ("moodle", "moodle_auto_format", "") and looks_like_html(value)):
        return html_to_text(value)
    if fmt in ("moodle", "moodle_auto_format") and value:
        return html.unescape(value).strip()
    return value.strip()


def slug(value: str, limit: int = 60) -> str:
    """A tutor id from a name: lowercase ASCII letters, digits and dashes (Korean and other scripts drop out)."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return out[:limit].rstrip("-")


def read_text(path: Path, name: str) -> str:
    """The file's text, or Refused with one line: missing, not a regular file, too large, or not UTF-8 text.

    Only a regular file is opened (a FIFO would block, a device like /dev/zero never ends), and at most the
    limit plus one byte is read, whatever size the file system claims."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (a FIFO, a device or a socket)"
            raise Refused(Problem(name, 1, f"refused: {kind}"))
        if info.st_size > MAX_BYTES:
            raise Refused(Problem(name, 1, f"refused: {info.st_size / 1e6:.1f} MB is over the {MAX_BYTES / 1e6:g} MB limit for an import"))
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise Refused(Problem(name, 1, f"cannot read: {exc.strerror or exc}")) from None
    if len(data) > MAX_BYTES:
        raise Refused(Problem(name, 1, f"refused: over the {MAX_BYTES / 1e6:g} MB limit for an import"))
    if b"\x00" in data:
        raise Refused(Problem(name, 1, "refused: a binary file, not text"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise Refused(Problem(name, line, f"not UTF-8 text ({exc.reason})")) from None
