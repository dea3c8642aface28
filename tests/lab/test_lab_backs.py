"""A claim is registered for the questions it backs (issue 21): `backs:` names some of the lab's `questions:`,
every claim backs one, every linked question is backed; `checks:` use the claims' grammar and never count."""

from __future__ import annotations

import pytest

from tutor.lab.spec import lab as spec_lab
from tutor.lab.spec.lab import SpecError, backs_problems, lab_files, load_lab, loads_lab

LAB = """\
id: t
title: T
summary: s
questions: [q1, q2]
dataset: {name: digits}
arms: {a: {}, b: {}}
claims:
%s
"""


def _lab(claims: str, rules: str | None = None, monkeypatch=None):
    if rules is not None:
        monkeypatch.setattr(spec_lab, "BACKS_RULES", rules)
    return loads_lab(LAB % claims, "t.yaml")


def test_backs_and_checks_are_read():
    lab = _lab("  - {claim: a.val_acc > b.val_acc, backs: [q1, q2], says: {en: a wins, ko: a가 이긴다}}\n"
               "checks:\n  - a.train_images > 0\n")
    assert lab.claims[0].backs == ("q1", "q2") and lab.claims[0].says["ko"] == "a가 이긴다"
    assert [c.text for c in lab.checks] == ["a.train_images > 0"]


def test_backs_must_name_the_labs_questions():
    with pytest.raises(SpecError) as info:
        _lab("  - {claim: a.val_acc > b.val_acc, backs: [q9]}\n")
    assert "t.yaml:8:" in str(info.value) and "'q9', which is not one of the lab's `questions`" in str(info.value)


@pytest.mark.parametrize("rules", ["all", "complete"])
def test_every_claim_backs_a_question_and_every_question_is_backed(monkeypatch, rules):
    with pytest.raises(SpecError) as info:
        _lab("  - {claim: a.val_acc > b.val_acc, backs: [q1]}\n  - {claim: a.gap < b.gap, backs: []}\n", rules, monkeypatch)
    problems = [str(p) for p in info.value.problems]
    assert any("a.gap < b.gap" in p and "backs no question" in p for p in problems)
    assert any(p.startswith("t.yaml:4:") and "question 'q2' is backed by no claim" in p for p in problems)
    _lab("  - {claim: a.val_acc > b.val_acc, backs: [q1]}\n  - {claim: a.gap < b.gap, backs: [q2]}\n", rules, monkeypatch)


def test_a_lab_not_yet_given_backs_passes_until_every_lab_must(monkeypatch):
    _lab("  - a.val_acc > b.val_acc\n", "complete", monkeypatch)
    with pytest.raises(SpecError):
        _lab("  - a.val_acc > b.val_acc\n", "all", monkeypatch)
    loads_lab((LAB % "  - a.val_acc > b.val_acc\n").replace("questions: [q1, q2]", "questions: []"), "t.yaml")


@pytest.mark.parametrize("path", lab_files(), ids=lambda p: p.stem)
def test_shipped_labs_follow_the_backs_rules(path):
    """CI: every shipped claim backs a linked question and every linked question is backed. While the labs
    are being given their `backs` (BACKS_RULES not yet "all"), a lab none of whose claims carry it waits."""
    lab = load_lab(path)
    if spec_lab.BACKS_RULES != "all" and any(spec.backs is None for spec in lab.file.claims):
        pytest.skip(f"{path.name}: some claims have no `backs` yet")
    assert [str(p) for p in backs_problems(path)] == []
