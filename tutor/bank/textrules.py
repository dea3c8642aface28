"""Rules for any text a learner reads (questions, misconceptions, labs): what it may not point at, and
which Korean words it uses. Each rule yields messages; the caller knows the FILE:LINE."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator

from tutor.bank.schema import Term

NOTES = re.compile(r"\bthe (course |lecture |source )?notes\b|\bseeds?/\d|노트(?!북)|강의 자료", re.IGNORECASE)
HANGUL = re.compile(r"[\uac00-\ud7a3]")
ID_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[a-z0-9]+(?:-[a-z0-9]+)+(?![A-Za-z0-9_-])")


def glossary_findings(korean: Iterable[str], glossary: list[Term]) -> Iterator[str]:
    """One warning per glossary `avoid` variant found in the Korean texts (each variant once)."""
    reported: set[str] = set()
    for value in korean:
        for term in glossary:
            rest = value.replace(term.ko, "")  # a variant inside the preferred word is not a variant
            for variant in term.avoid:
                if variant in rest and variant not in reported:
                    reported.add(variant)
                    yield f"Korean uses '{variant}': the glossary says '{term.ko}' ({term.en})"


def mistranslation_findings(pairs: Iterable[tuple[str, str]], glossary: list[Term]) -> Iterator[str]:
    """One warning per (English, Korean) text pair whose English names a term (its `en_stem`) while the Korean
    says a word the glossary lists as `mistaken` for it and never the term's own word: an avoid list cannot
    catch it, since the mistaken word is right for another term (정규화 is normalisation)."""
    reported: set[tuple[str, str]] = set()
    for en, ko in pairs:
        for term in glossary:
            if not term.en_stem or term.en_stem not in en.lower() or term.ko in ko:
                continue
            for word in term.mistaken:
                if word in ko and (term.ko, word) not in reported:
                    reported.add((term.ko, word))
                    yield f"Korean says '{word}' where the English says {term.en}: the glossary says '{term.ko}'"


def hidden_reference_findings(texts: list[str], ids: Collection[str]) -> Iterator[str]:
    """Text a learner reads that points at what they cannot see: the source notes, internal question ids."""
    refs = sorted({m.group(0) for value in texts for m in NOTES.finditer(value)})
    if refs:
        quoted = ", ".join(f"'{r}'" for r in refs)
        yield f"refers to {quoted}, which the learner cannot see: state the fact (and where it was measured)"
    shown = sorted({qid for value in texts for qid in shown_ids(value, ids)})
    if shown:
        yield f"shows the internal question id{'s' if len(shown) > 1 else ''} {', '.join(shown)}: say what the question asks instead"


def shown_ids(value: str, ids: Collection[str]) -> list[str]:
    """Question ids written in `value`: ids of three or more words anywhere, shorter ones ('momentum-update')
    only quoted or in backticks, since they can be ordinary hyphenated words ('over-augmentation')."""
    found = []
    for m in ID_TOKEN.finditer(value):
        token = m.group(0)
        if token in ids:
            quoted = m.start() > 0 and value[m.start() - 1] in "`'\"‘“" and value[m.end():m.end() + 1] in ("`", "'", '"', "’", "”")
            if token.count("-") >= 2 or quoted:
                found.append(token)
    return found
