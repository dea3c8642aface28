"""Malformed banks: each must produce a FILE:LINE: message that points at the right line."""

from __future__ import annotations

import textwrap

import pytest
from support.bank import GOOD, TOPICS

from tutor.bank import load_bank
from tutor.bank.labrefs import LabRef
from tutor.cli import main

LABS = {"underfitting": LabRef("underfitting", {"en": "Underfitting"}, {}, frozenset({"baseline", "dropout"}))}

# (name, file text, expected line, expected fragment)
CASES = [
    ("syntax", "questions:\n  - id: x\n    stem: [unclosed\n", 3, "YAML syntax error"),
    ("tab-indent", "questions:\n\t- id: x\n", 2, "YAML syntax error"),
    ("not-a-mapping", "- just\n- a list\n", 1, "expected a mapping with a 'questions' list"),
    ("empty-list", "questions: []\n", 1, "questions"),
    ("missing-answer", GOOD.format(n=1).replace("    answer: A\n", ""), 2, "missing required field 'answer'"),
    ("missing-why", GOOD.format(n=1).replace(", why: That needs a gap.", ""), 7, "missing required field 'options.1.why'"),
    ("answer-not-option", GOOD.format(n=1).replace("answer: A", "answer: C"), 8, "answer 'C' is not among the options"),
    ("bad-id", GOOD.format(n=1).replace("good-1", "Good_One"), 2, "must be lowercase letters"),
    ("unknown-field", GOOD.format(n=1) + "    colour: red\n", 10, "unknown field 'colour'"),
    ("unknown-topic", GOOD.format(n=1).replace("topic: fitting", "topic: fiting"), 3, "unknown topic 'fiting'"),
    ("bad-type", GOOD.format(n=1).replace("    stem:", "    type: essay\n    stem:"), 4, "'essay' is not one of"),
    ("one-option", GOOD.format(n=1).replace("      - {key: B, text: Overfitting, why: That needs a gap.}\n", ""), 5, "at least 2"),
    ("duplicate-key", GOOD.format(n=1).replace("key: B", "key: A"), 7, "option key 'A' is used twice"),
    ("single-two-answers", GOOD.format(n=1).replace("answer: A", "answer: [A, B]"), 8, "exactly one answer"),
    ("bad-language", GOOD.format(n=1).replace("explanation: Low and close means high bias.", "explanation: {en: x, fr: y}"), 9, "unknown language 'fr'"),
    ("no-english", GOOD.format(n=1).replace("stem: Train 73%, validation 72%. What is it?", "stem: {ko: 훈련 73%}"), 4, "needs an 'en' entry"),
    ("ko-stem-missing-ko-why", GOOD.format(n=1).replace("stem: Train 73%, validation 72%. What is it?", "stem: {en: Train?, ko: 훈련?}"), 6, "the stem has ko text but this field does not"),
    ("unknown-lab", GOOD.format(n=1) + "    lab: nosuchlab\n", 10, "lab 'nosuchlab' is not defined"),
    ("unknown-lab-arm", GOOD.format(n=1) + "    lab: {id: underfitting, params: {arms: [bigger]}}\n", 10, "no arm 'bigger'"),
    ("unknown-lab-param", GOOD.format(n=1) + "    lab: {id: underfitting, params: {epochs: 3}}\n", 10, "unknown lab parameter 'epochs'"),
    ("true-false-keys", GOOD.format(n=1).replace("    stem:", "    type: true_false\n    stem:"), 6, "keys T and F"),
    ("duplicate-yaml-key", GOOD.format(n=1).replace("    answer: A\n", "    answer: A\n    answer: B\n"), 9, "duplicate key 'answer'"),
    ("python-tag", GOOD.format(n=1).replace("answer: A", "answer: !!python/object/apply:os.system [echo hi]"), 8, "is not allowed"),
    ("empty-text", GOOD.format(n=1).replace("explanation: Low and close means high bias.", "explanation: ''"), 9, "must not be empty"),
]


def _write(tmp_path, name, body):
    (tmp_path / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    if not body.startswith("questions:") and body.startswith("  - id"):
        body = "questions:\n" + body
    path = tmp_path / f"{name}.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_at_least_fifteen_malformed_cases():
    assert len(CASES) >= 15


@pytest.mark.parametrize(("name", "body", "line", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_malformed_file_reports_file_line_message(tmp_path, name, body, line, fragment):
    path = _write(tmp_path, name, body)
    bank = load_bank([tmp_path], labs=LABS)
    mine = [p for p in bank.problems if p.file.endswith(path.name)]
    assert mine, f"no problem reported; got {bank.problems}"
    assert any(p.line == line and fragment in p.message for p in mine), [str(p) for p in mine]


def test_bad_file_does_not_hide_good_ones(tmp_path):
    _write(tmp_path, "bad", "questions:\n  - id: x\n    stem: [unclosed\n")
    _write(tmp_path, "good", "questions:\n" + GOOD.format(n=1) + GOOD.format(n=2))
    bank = load_bank([tmp_path], labs={})
    assert set(bank.questions) == {"good-1", "good-2"}
    assert len(bank.problems) == 1


def test_duplicate_ids_across_files(tmp_path):
    _write(tmp_path, "a", "questions:\n" + GOOD.format(n=1))
    _write(tmp_path, "b", "questions:\n" + GOOD.format(n=1))
    bank = load_bank([tmp_path], labs={})
    assert len(bank.questions) == 1
    (problem,) = bank.problems
    assert problem.file.endswith("b.yaml") and problem.line == 2
    assert "duplicate id 'good-1'" in problem.message and "a.yaml:2" in problem.message


def test_true_false_accepts_yaml_booleans(tmp_path):
    body = textwrap.dedent(
        """\
        questions:
          - id: tf
            topic: fitting
            type: true_false
            stem: Dropout reduces bias.
            options:
              - {key: T, text: "True", why: "No: it reduces variance."}
              - {key: F, text: "False", why: Right.}
            answer: false
            explanation: Dropout is a variance remedy.
        """
    )
    _write(tmp_path, "tf", body)
    bank = load_bank([tmp_path], labs={})
    assert not bank.problems
    assert bank.questions["tf"].answers == {"F"}


def test_cli_validate_exit_codes_and_format(tmp_path, capsys):
    # An instructor bank without its own topics.yaml: it is checked against the shipped topics and ids.
    (tmp_path / "bad.yaml").write_text("questions:\n" + GOOD.format(n=7).replace("answer: A", "answer: Q"), encoding="utf-8")
    assert main(["questions", "validate", str(tmp_path)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].endswith("bad.yaml:8: answer 'Q' is not among the options (A, B)")
    good = tmp_path / "good"
    good.mkdir()
    (good / "q.yaml").write_text("questions:\n" + GOOD.format(n=99), encoding="utf-8")
    assert main(["questions", "validate", str(good)]) == 0


def test_shipped_bank_is_valid(capsys):
    assert main(["questions", "validate"]) == 0, capsys.readouterr().out
