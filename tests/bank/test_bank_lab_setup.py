"""A question and the lab it links to describe the same set-up: the head sizes, dropout rates and image
counts a question's stem quotes are ones an arm of its lab really trains (issue 13: a question said "a
512-unit hidden layer" while its lab trained two). Only the numbers these patterns recognise are checked."""

from __future__ import annotations

import re

import pytest

from tutor import paths
from tutor.bank import load_bank
from tutor.lab.spec import lab_files, load_lab

WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4}
HIDDEN = re.compile(r"\b(a|an|one|two|three|four|\d+)\s+(\d[\d,]*)-unit hidden layers?\b", re.I)
DROPOUT = re.compile(r"\bdropout(?: of| rate)?\s+(0?\.\d+)\b", re.I)


def _labs():
    out = {}
    for path in lab_files([paths.labs_dir()]):
        lab = load_lab(path)
        out[lab.id] = lab
    return out


def _quoted(stem: str) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for count, units in HIDDEN.findall(stem):
        n = WORDS.get(count.lower()) or int(count)
        found.append(("hidden", [int(units.replace(",", ""))] * n))
    for rate in DROPOUT.findall(stem):
        found.append(("dropout", float(rate)))
    return found


def _cases():
    bank, labs = load_bank(), _labs()
    for q in bank.questions.values():
        if q.lab is None or q.lab.id not in labs:
            continue
        for field, value in _quoted(q.stem.get("en", "")):
            yield pytest.param(q.lab.id, field, value, labs[q.lab.id], id=f"{q.id}-{field}")


@pytest.mark.parametrize("lab_id,field,value,lab", list(_cases()))
def test_a_quoted_set_up_is_one_the_lab_trains(lab_id, field, value, lab):
    trained = [getattr(cfg, field) for profile in ("quick", "full") for cfg in lab.arm_configs(profile).values()]
    assert value in trained, f"{lab_id}: no arm with {field} = {value} (arms have {sorted(map(str, set(map(str, trained))))})"


def test_the_patterns_read_what_a_stem_says():
    assert _quoted("adds a head with a 512-unit hidden layer and dropout 0.5") == [("hidden", [512]), ("dropout", 0.5)]
    assert _quoted("a head of two 512-unit hidden layers") == [("hidden", [512, 512])]
    assert _quoted("a linear head on 300 images") == []
