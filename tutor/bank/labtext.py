"""The lint for lab files: the text a learner reads on a lab's page, held to the questions' rules.

A lab's title, summary, arm labels, claims and "look at" notes are read by the same learners as the
questions, so the same cues apply: Korean uses the glossary's words, no text refers to notes the learner
cannot see, and no text shows an internal question id. Lab files are read as plain YAML (no lab engine,
no torch); a file that does not parse is `tutor lab`'s to report, so it is skipped here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor import yamlsrc
from tutor.bank.lint import Finding
from tutor.bank.loader import display_path
from tutor.bank.schema import LANGUAGES, Term
from tutor.bank.textrules import glossary_findings, hidden_reference_findings, mistranslation_findings

TEXT_KEYS = frozenset({"title", "summary", "look_at", "label", "says"})  # plain text (English) when not {en, ko}
INTERNAL_KEYS = frozenset({"questions"})  # the question ids a lab backs: never shown


@dataclass(frozen=True)
class LabText:
    where: str  # "file:line"
    lang: str
    value: str


def lab_files(dirs: list[Path]) -> list[Path]:
    return [path for d in dirs if d.is_dir() for path in sorted(d.glob("*.y*ml"))]


def lab_texts(path: Path) -> list[LabText]:
    """Every learner-visible text in one lab file, with its line; [] when the file does not parse."""
    try:
        doc = yamlsrc.load(path, display_path(path))
    except yamlsrc.YamlError:
        return []
    return list(_walk(doc, doc.data, ()))


def _walk(doc: yamlsrc.Located, node: Any, loc: tuple) -> Iterator[LabText]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in INTERNAL_KEYS:
                continue
            here = loc + (key,)
            if isinstance(value, str) and (key in LANGUAGES or key in TEXT_KEYS):
                yield LabText(f"{doc.file}:{doc.line_of(here)}", key if key in LANGUAGES else "en", value)
            else:
                yield from _walk(doc, value, here)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(doc, item, loc + (i,))


def lab_pairs(path: Path) -> list[tuple[str, str, str]]:
    """(file:line of the Korean, English, Korean) of every text a lab file gives in both languages."""
    try:
        doc = yamlsrc.load(path, display_path(path))
    except yamlsrc.YamlError:
        return []
    return list(_pairs(doc, doc.data, ()))


def _pairs(doc: yamlsrc.Located, node: Any, loc: tuple) -> Iterator[tuple[str, str, str]]:
    if isinstance(node, dict):
        if isinstance(node.get("en"), str) and isinstance(node.get("ko"), str):
            yield f"{doc.file}:{doc.line_of(loc + ('ko',))}", node["en"], node["ko"]
        for key, value in node.items():
            if key not in INTERNAL_KEYS:
                yield from _pairs(doc, value, loc + (key,))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _pairs(doc, item, loc + (i,))


def lint_labs(dirs: list[Path], glossary: list[Term], ids: Collection[str]) -> list[Finding]:
    """The findings for every lab file in `dirs`, in file and line order."""
    findings: list[Finding] = []
    for path in lab_files(dirs):
        for item in lab_texts(path):
            messages = list(hidden_reference_findings([item.value], ids))
            if item.lang == "ko":
                messages += glossary_findings([item.value], glossary)
            findings += [Finding(item.where, message) for message in messages]
        findings += [Finding(where, message) for where, en, ko in lab_pairs(path)
                     for message in mistranslation_findings([(en, ko)], glossary)]
    return findings


def render_labs(dirs: list[Path], findings: list[Finding]) -> str:
    """The labs' summary, after the banks' (warnings only: no threshold)."""
    rows = [("lab files", str(len(lab_files(dirs)))), ("findings (warnings)", str(len(findings)))]
    width = max(len(name) for name, _ in rows)
    return "\n".join(["labs " + ", ".join(display_path(d) for d in dirs if d.is_dir())] + [f"  {name:<{width}}  {value}" for name, value in rows])
