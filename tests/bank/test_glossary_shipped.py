"""One Korean word for one idea: no shipped question, misconception or lab uses a variant the glossary says to avoid.

(The app's own strings get the same check from the gettext catalogues' tests.)"""

from __future__ import annotations

from tutor import paths
from tutor.bank import load_bank
from tutor.bank.labtext import lab_files, lab_texts
from tutor.bank.lint import learner_texts
from tutor.bank.textrules import glossary_findings


def _shipped():
    return load_bank([paths.questions_dir()], labs={})


def test_the_glossary_is_consistent():
    glossary = _shipped().glossary
    preferred = [t.ko for t in glossary]
    assert len({t.en for t in glossary}) == len(glossary), "an English term listed twice"
    for term in glossary:
        for variant in term.avoid:
            clash = [ko for ko in preferred if variant in ko.replace(term.ko, "")]
            assert not clash, f"'{variant}' (avoid, {term.en}) is inside a preferred word: {clash}"
    for en in ("step / step size", "task", "noise"):
        assert en in {t.en for t in glossary}


def test_no_shipped_question_or_lab_uses_an_avoided_variant():
    bank = _shipped()
    found = []
    for qid, q in bank.questions.items():
        found += [f"{bank.origin[qid]}: {m}" for m in glossary_findings(learner_texts(q, "ko"), bank.glossary)]
    for entry in bank.misconceptions:
        found += [f"{bank.misconceptions.origin[entry.id]}: {m}" for m in glossary_findings([entry.text.get("ko", "")], bank.glossary)]
    for path in lab_files([paths.labs_dir()]):
        for item in lab_texts(path):
            if item.lang == "ko":
                found += [f"{item.where}: {m}" for m in glossary_findings([item.value], bank.glossary)]
    assert not found, f"{len(found)} glossary variant(s):\n" + "\n".join(found)
