"""Moodle GIFT: a small grammar for reading, and a writer.

No maintained GIFT parser is on PyPI (pygiftparser's last release is from 2017), so this follows the
grammar Moodle's own importer implements: questions are separated by blank lines; `//` lines are
comments, which may carry `[id:...]` and `[tag:...]`; `::title::` names the question; `{...}` holds the
answers (`=right`, `~wrong`, `~%50%partly right`, `#feedback` per answer, `####general feedback`);
`{T}` or `{FALSE#wrong#right}` is true/false; `[html]`-style prefixes give a text's format; `\\`
escapes `= ~ # { } :` and writes `\\n` for a newline. Essay `{}`, numeric `{#...}`, matching
`{=a -> b}`, short answer `{=a =b}` and descriptions are listed, not imported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tutor.bank.interchange.build import credit_share
from tutor.bank.interchange.model import Choice, Imported, Parsed, Skipped
from tutor.bank.interchange.text import from_format
from tutor.bank.schema import Question, text
from tutor.yamlsrc import Problem

_ESCAPES = {"\\\\": "\ue000", "\\:": "\ue001", "\\#": "\ue002", "\\=": "\ue003", "\\{": "\ue004", "\\}": "\ue005", "\\~": "\ue006"}
_RESTORE = {"\ue000": "\\", "\ue001": ":", "\ue002": "#", "\ue003": "=", "\ue004": "{", "\ue005": "}", "\ue006": "~", "\ue007": "\n"}
_ESCAPE_RE = re.compile(r"\\[\\:#={}~n]")
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.I)
_WEIGHT = re.compile(r"^%(-?\d{1,3}(?:\.\d*)?)%")
_ID_TAG = re.compile(r"\[(id|tag):((?:\\\]|[^\]\x00-\x1f])+)\]")


def _protect(raw: str) -> str:
    return _ESCAPE_RE.sub(lambda m: "\ue007" if m.group() == "\\n" else _ESCAPES[m.group()], raw)


def _restore(value: str) -> str:
    return "".join(_RESTORE.get(ch, ch) for ch in value)


def _formatted(value: str, default: str) -> tuple[str, str]:
    """(plain text, its format) for a GIFT text with an optional [format] prefix."""
    m = _FORMAT.match(value)
    fmt = m.group(1).lower() if m else default
    body = value[m.end():] if m else value
    return from_format(_restore(body).strip(), fmt), fmt


def blocks(source: str) -> Iterable[tuple[int, list[str], list[str]]]:
    """(first line number, comment lines, text lines) per question, split at blank lines as Moodle does.

    A line starting with `//` is a comment wherever it is; comments directly above a question (no blank
    line between) belong to it and may carry `[id:...]` and `[tag:...]`.
    """
    start, comments, lines = 0, [], []
    for number, line in enumerate(source.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("//"):
            comments.append(stripped[2:])
        elif not stripped:
            if lines:
                yield start, comments, lines
            start, comments, lines = 0, [], []
        else:
            start = start or number
            lines.append(line)
    if lines:
        yield start, comments, lines


def parse(source: str, file: str) -> Parsed:
    out = Parsed()
    category = ""
    for line, comments, lines in blocks(source):
        raw = _protect("\n".join(lines).strip())
        if raw.startswith("$CATEGORY:"):
            first, _, raw = raw.partition("\n")
            category = _restore(first[len("$CATEGORY:"):]).strip()
            line, raw = line + 1, raw.strip()  # a question right under the category line still counts
            if not raw:
                continue
        item = _question(raw, comments, file, line, category)
        if isinstance(item, Imported):
            out.questions.append(item)
        elif isinstance(item, Skipped):
            out.skipped.append(item)
        else:
            out.problems.append(item)
    return out


def _question(raw: str, comments: list[str], file: str, line: int, category: str) -> Imported | Skipped | Problem:
    name = ""
    if raw.startswith("::"):
        end = raw.find("::", 2)
        if end < 0:
            return Problem(file, line, "the title has no closing '::'")
        name, raw = _restore(raw[2:end]).strip(), raw[end + 2:].strip()
    opened, closed = raw.find("{"), raw.find("}")
    if opened < 0 and closed < 0:
        return Skipped(file, line, "description (no answers)", name)
    if closed < 0:
        return Problem(file, line, "the answer block '{' is never closed with '}' (escape a literal brace as \\{)")
    if opened < 0 or closed < opened:
        return Problem(file, line, "unbalanced braces: '}' without '{' (escape a literal brace as \\})")
    before, answers, after = raw[:opened].strip(), raw[opened + 1:closed].strip(), raw[closed + 1:].strip()
    if "{" in after or "}" in after:
        return Skipped(file, line, "cloze-like (more than one answer block)", name)
    stem_raw = f"{before} _____ {after}" if after else before
    stem, fmt = _formatted(stem_raw, "moodle")
    general = ""
    if "####" in answers:
        answers, general = answers[: answers.rfind("####")].strip(), answers[answers.rfind("####") + 4:]
    explanation = _formatted(general, fmt)[0] if general.strip() else ""
    kind = _kind(answers)
    if kind not in ("multichoice", "truefalse"):
        return Skipped(file, line, kind, name)
    ids = [m.group(2).replace("\\]", "]").strip() for c in comments for m in _ID_TAG.finditer(c) if m.group(1) == "id"]
    tags = [m.group(2).replace("\\]", "]").strip() for c in comments for m in _ID_TAG.finditer(c) if m.group(1) == "tag"]
    q = Imported(file, line, "single", stem, [], explanation, name=name, idnumber=ids[0] if ids else "", category=category, concepts=tags)
    if after:
        q.notes.append("missing-word question: the blank is shown as _____")
    if kind == "truefalse":
        return _truefalse(q, answers, fmt)
    return _multichoice(q, answers, fmt)


def _kind(answers: str) -> str:
    if not answers:
        return "essay"
    if answers.startswith("#"):
        return "numerical"
    if "~" in answers:
        return "multichoice"
    if "=" in answers and "->" in answers:
        return "matching"
    if answers.split("#", 1)[0].strip() in ("T", "TRUE", "F", "FALSE"):
        return "truefalse"
    return "short answer"


def _truefalse(q: Imported, answers: str, fmt: str) -> Imported:
    bits = answers.split("#", 2) + ["", ""]
    right = bits[0].strip() in ("T", "TRUE")
    wrong_fb, right_fb = _formatted(bits[1], fmt)[0], _formatted(bits[2], fmt)[0]
    q.type = "true_false"
    q.choices = [Choice("True", right_fb if right else wrong_fb, right), Choice("False", wrong_fb if right else right_fb, not right)]
    return q


def _multichoice(q: Imported, answers: str, fmt: str) -> Imported | Problem:
    single = "=" in answers
    parts = [p.strip() for p in answers.replace("=", "~=").split("~")]
    if parts[0]:
        return Problem(q.file, q.line, f"text before the first answer in the braces: {_restore(parts[0])[:40]!r}")
    parts = parts[1:]
    partial = []
    for part in parts:
        weight = 0.0
        if part.startswith("="):
            weight, part = 1.0, part[1:]
        elif m := _WEIGHT.match(part):
            weight, part = float(m.group(1)) / 100, part[m.end():]
        body, _, feedback = part.partition("#")
        choice_text = _formatted(body, fmt)[0]
        correct = weight >= 0.999 if single else weight > 0
        if single and 0 < weight < 0.999:
            partial.append(choice_text)
        q.choices.append(Choice(choice_text, _formatted(feedback, fmt)[0], correct))
    q.type = "single" if single else "multiple"
    if partial:
        q.notes.append(f"partial credit dropped: {len(partial)} option(s) now count as wrong")
    return q


# --- writing -------------------------------------------------------------------------------------------

def escape(value: str) -> str:
    return (value.replace("\\", "\\\\").replace("\r", "").replace("\n", "\\n")
            .replace("#", "\\#").replace("=", "\\=").replace("~", "\\~")
            .replace("{", "\\{").replace("}", "\\}").replace(":", "\\:"))


def _answer_text(value: str) -> str:
    """An answer's escaped text; a text that would read as a [format] or a %weight% gets a [markdown] prefix."""
    body = escape(value)
    return f"[markdown]{body}" if _FORMAT.match(body) or _WEIGHT.match(body) else body


def dump(questions: list[Question], lang: str = "en") -> str:
    """GIFT for `questions`, grouped by topic under `$CATEGORY: $course$/top/tutor/<topic>`; texts are Markdown."""
    out = ["// Exported from tutor. One category per topic; question names and [id:] are tutor ids.", ""]
    topic = None
    for q in questions:
        if q.topic != topic:
            topic = q.topic
            out += [f"$CATEGORY: $course$/top/tutor/{topic}", ""]
        tags = "".join(f" [tag:{c.replace(']', '')}]" for c in q.concepts)
        out.append(f"// [id:{q.id}]{tags}")
        out.append(f"::{escape(q.id)}::[markdown]{escape(text(q.stem, lang))}{{")
        out += _answers(q, lang)
        out.append(f"\t####{_answer_text(text(q.explanation, lang))}")
        out += ["}", ""]
    return "\n".join(out)


def _answers(q: Question, lang: str) -> list[str]:
    if q.type == "true_false":
        right = q.answer == "T"
        right_why = text(q.option("T" if right else "F").why, lang)
        wrong_why = text(q.option("F" if right else "T").why, lang)
        return [f"\t{'TRUE' if right else 'FALSE'}#{_answer_text(wrong_why)}#{_answer_text(right_why)}"]
    lines = []
    share = credit_share(len(q.answers))
    for o in q.options:
        right = o.key in q.answers
        if q.type == "single":
            mark = "=" if right else "~"
        else:
            mark = f"~%{share}%" if right else "~%-100%"
        lines.append(f"\t{mark}{_answer_text(text(o.text, lang))}#{_answer_text(text(o.why, lang))}")
    return lines
