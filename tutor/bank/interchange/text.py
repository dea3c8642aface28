"""Text helpers shared by the readers: HTML to plain text, slugs, reading an untrusted file.

Moodle stores most text as HTML; tutor shows plain text (and Markdown), so tags never reach the YAML:
paragraphs and line breaks become newlines, list items get a dash, images their alt text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

from tutor.bank.interchange.model import MAX_BYTES, Refused
from tutor.yamlsrc import Problem

_BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote"}
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCK:
            self.parts.append("\n")
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            self.parts.append(f"[image: {alt}]" if alt else "[image]")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK and tag != "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(value: str) -> str:
    """Plain text from HTML: no tags, entities decoded, one blank line at most between paragraphs."""
    parser = _Text()
    parser.feed(value)
    parser.close()
    out = "".join(parser.parts).replace("\xa0", " ")
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
    """The file's text, or Refused with one line: missing, too large, or not UTF-8 text."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise Refused(Problem(name, 1, f"cannot read: {exc.strerror}")) from None
    if size > MAX_BYTES:
        raise Refused(Problem(name, 1, f"refused: {size / 1e6:.1f} MB is over the {MAX_BYTES / 1e6:g} MB limit for an import"))
    data = path.read_bytes()
    if b"\x00" in data:
        raise Refused(Problem(name, 1, "refused: a binary file, not text"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise Refused(Problem(name, line, f"not UTF-8 text ({exc.reason})")) from None
