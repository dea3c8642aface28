"""Moodle XML: read multichoice (single and multiple answer), truefalse and categories; write them back.

Imports are untrusted input, so the XML goes through defusedxml: entity declarations (the "billion
laughs" bomb) and external entities are refused, as is nesting deeper than Moodle ever writes. The
parser records each <question>'s line so every message points at it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from tutor.bank.interchange.build import credit_share
from tutor.bank.interchange.model import (
    MAX_DEPTH,
    Choice,
    Imported,
    Parsed,
    Refused,
    Skipped,
)
from tutor.bank.interchange.text import from_format
from tutor.bank.schema import Question, text
from tutor.yamlsrc import Problem

_TYPE_NAMES = {
    "essay": "essay", "matching": "matching", "match": "matching", "numerical": "numerical", "shortanswer": "short answer",
    "cloze": "cloze (embedded answers)", "multianswer": "cloze (embedded answers)", "description": "description",
    "calculated": "calculated", "calculatedsimple": "calculated (simple)", "calculatedmulti": "calculated multichoice",
    "ddwtos": "drag and drop into text", "ddimageortext": "drag and drop onto image", "ddmarker": "drag and drop markers",
    "gapselect": "select missing words", "randomsamatch": "random short-answer matching", "random": "random question",
}


class _TooDeep(Exception):
    pass


class _LineParser(DefusedXMLParser):
    """defusedxml's parser, also remembering the line each element starts on and refusing deep nesting."""

    def __init__(self) -> None:
        super().__init__(target=ET.TreeBuilder(), forbid_dtd=False, forbid_entities=True, forbid_external=True)
        self.lines: dict[int, int] = {}
        self.depth = 0

    def _start(self, tag, attr_list):  # type: ignore[override]
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep(f"refused: XML nested deeper than {MAX_DEPTH} levels")
        elem = super()._start(tag, attr_list)
        self.lines[id(elem)] = self.parser.CurrentLineNumber
        return elem

    def _end(self, tag):  # type: ignore[override]
        self.depth -= 1
        return super()._end(tag)


def _tree(source: str, file: str) -> tuple[ET.Element, dict[int, int]]:
    parser = _LineParser()
    try:
        parser.feed(source)
        root = parser.close()
    except _TooDeep as exc:
        raise Refused(Problem(file, parser.parser.CurrentLineNumber, str(exc))) from None
    except DefusedXmlException as exc:
        what = type(exc).__name__.replace("Forbidden", "").lower() or "construct"
        line = parser.parser.CurrentLineNumber
        raise Refused(Problem(file, line, f"refused: the XML declares {what} (not allowed in an import: entity expansion can exhaust memory)")) from None
    except ET.ParseError as exc:
        raise Refused(Problem(file, exc.position[0], f"not well-formed XML ({str(exc).split(':')[0]})")) from None
    return root, parser.lines


def _text(elem: ET.Element | None, default_format: str = "moodle_auto_format") -> str:
    """The text of an element holding <text> (questiontext, feedback, answer...), as plain text."""
    if elem is None:
        return ""
    inner = elem.find("text")
    raw = (inner.text if inner is not None else elem.text) or ""
    return from_format(raw, elem.get("format", default_format))


def parse(source: str, file: str) -> Parsed:
    root, lines = _tree(source, file)
    out = Parsed()
    if root.tag != "quiz":
        out.problems.append(Problem(file, lines.get(id(root), 1), f"not a Moodle XML question file: the root is <{root.tag}>, not <quiz>"))
        return out
    category = ""
    for elem in root:
        if elem.tag != "question":
            continue
        line = lines.get(id(elem), 1)
        kind = elem.get("type", "")
        if kind == "category":
            category = _text(elem.find("category"))
            continue
        name = _text(elem.find("name"))
        if kind == "multichoice":
            out.questions.append(_multichoice(elem, file, line, name, category))
        elif kind == "truefalse":
            out.questions.append(_truefalse(elem, file, line, name, category))
        elif kind:
            out.skipped.append(Skipped(file, line, _TYPE_NAMES.get(kind, kind), name))
        else:
            out.problems.append(Problem(file, line, "a <question> without a type attribute"))
    return out


def _base(elem: ET.Element, file: str, line: int, name: str, category: str) -> Imported:
    qtext = elem.find("questiontext")
    fmt = qtext.get("format", "moodle_auto_format") if qtext is not None else "moodle_auto_format"
    tags = [_text(t) for t in elem.findall("tags/tag")]
    return Imported(
        file, line, "single", _text(qtext), [], _text(elem.find("generalfeedback"), fmt), name=name,
        idnumber=(elem.findtext("idnumber") or "").strip(), category=category, concepts=[t for t in tags if t],
    )


def _fraction(answer: ET.Element) -> float:
    try:
        return float(answer.get("fraction", "0"))
    except ValueError:
        return 0.0


def _multichoice(elem: ET.Element, file: str, line: int, name: str, category: str) -> Imported:
    q = _base(elem, file, line, name, category)
    single = (elem.findtext("single") or "true").strip().lower() in ("true", "1")
    q.type = "single" if single else "multiple"
    q.shuffle = (elem.findtext("shuffleanswers") or "true").strip().lower() in ("true", "1")
    partial = 0
    for answer in elem.findall("answer"):
        fraction = _fraction(answer)
        correct = fraction >= 99.99 if single else fraction > 0
        partial += single and 0 < fraction < 99.99
        q.choices.append(Choice(_text(answer), _text(answer.find("feedback")), correct))
    if partial:
        q.notes.append(f"partial credit dropped: {partial} option(s) now count as wrong")
    return q


def _truefalse(elem: ET.Element, file: str, line: int, name: str, category: str) -> Imported:
    q = _base(elem, file, line, name, category)
    q.type = "true_false"
    by_value = {}
    for answer in elem.findall("answer"):
        value = (answer.findtext("text") or "").strip().lower()
        by_value[value] = (_fraction(answer) > 0, _text(answer.find("feedback")))
    true, false = by_value.get("true", (False, "")), by_value.get("false", (False, ""))
    q.choices = [Choice("True", true[1], true[0]), Choice("False", false[1], false[0])]
    return q


# --- writing -------------------------------------------------------------------------------------------

def _sub_text(parent: ET.Element, tag: str, value: str, fmt: str | None = "markdown", **attrs: str) -> ET.Element:
    elem = ET.SubElement(parent, tag, {**({"format": fmt} if fmt else {}), **attrs})
    ET.SubElement(elem, "text").text = value
    return elem


# Characters XML 1.0 cannot hold, even as character references: a bank may carry them as YAML escapes ("\\e").
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def dump(questions: list[Question], lang: str = "en", titles: dict[str, str] | None = None) -> str:
    """Moodle XML for `questions` (see `dump_counted`)."""
    return dump_counted(questions, lang, titles)[0]


def dump_counted(questions: list[Question], lang: str = "en", titles: dict[str, str] | None = None) -> tuple[str, int]:
    """Moodle XML for `questions`: a category per topic, texts in Markdown, the tutor id as name and idnumber;
    and how many characters XML cannot hold were written as visible escapes (`\\x1b`), so the file is always
    well-formed."""
    quiz = ET.Element("quiz")
    topic = None
    for q in questions:
        if q.topic != topic:
            topic = q.topic
            cat = ET.SubElement(quiz, "question", {"type": "category"})
            _sub_text(cat, "category", f"$course$/top/tutor/{topic}", fmt=None)
            _sub_text(cat, "info", (titles or {}).get(topic, topic))
        _question(quiz, q, lang)
    ET.indent(quiz)
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"
    return _XML_INVALID.subn(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", body)


def _question(quiz: ET.Element, q: Question, lang: str) -> None:
    elem = ET.SubElement(quiz, "question", {"type": "truefalse" if q.type == "true_false" else "multichoice"})
    _sub_text(elem, "name", q.id, fmt=None)
    _sub_text(elem, "questiontext", text(q.stem, lang))
    _sub_text(elem, "generalfeedback", text(q.explanation, lang))
    ET.SubElement(elem, "defaultgrade").text = "1"
    ET.SubElement(elem, "penalty").text = "1" if q.type == "true_false" else "0.3333333"
    ET.SubElement(elem, "hidden").text = "0"
    ET.SubElement(elem, "idnumber").text = q.id
    if q.type == "true_false":
        for key, value in (("T", "true"), ("F", "false")):
            answer = ET.SubElement(elem, "answer", {"fraction": "100" if key in q.answers else "0", "format": "moodle_auto_format"})
            ET.SubElement(answer, "text").text = value
            _sub_text(answer, "feedback", text(q.option(key).why, lang))
    else:
        ET.SubElement(elem, "single").text = "true" if q.type == "single" else "false"
        ET.SubElement(elem, "shuffleanswers").text = "true" if q.shuffle else "false"
        ET.SubElement(elem, "answernumbering").text = "ABCD"
        share = credit_share(len(q.answers))
        for o in q.options:
            right = o.key in q.answers
            fraction = ("100" if q.type == "single" else share) if right else ("0" if q.type == "single" else "-100")
            answer = _sub_text(elem, "answer", text(o.text, lang), fraction=fraction)
            _sub_text(answer, "feedback", text(o.why, lang))
    if q.concepts:
        tags = ET.SubElement(elem, "tags")
        for concept in q.concepts:
            _sub_text(tags, "tag", concept, fmt=None)
