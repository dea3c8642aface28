"""`tutor questions lint`: a deliberately biased bank is flagged (per question and per bank, exit 1), a
balanced one passes (exit 0); findings are FILE:LINE: message lines, then a summary per bank."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tutor.bank import load_bank
from tutor.bank.lint import bank_checks, key_is_longest, lint
from tutor.cli import main

ROOT = Path(__file__).resolve().parents[2]
DATA = Path("tests/data/lint")


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # findings name files relative to the working directory


def run_lint(capsys, *paths: str) -> tuple[int, list[str], str]:
    code = main(["questions", "lint", *paths])
    out = capsys.readouterr().out
    summary_at = out.index("bank ")
    return code, out[:summary_at].splitlines(), out[summary_at:]


def test_a_biased_bank_is_flagged_per_question_and_per_bank(capsys):
    code, findings, summary = run_lint(capsys, str(DATA / "biased"))
    assert code == 1
    assert findings and all(re.match(r"^tests/data/lint/biased/questions\.yaml:\d+: \S", line) for line in findings)
    text = "\n".join(findings)
    for cue in (
        "the key is much the longest option",
        "absolutes only in distractors (always, never, only, 절대, 항상)",
        "hedges only in the key (usually, 대개)",
        "'all/none of the above'",
        "refers to 'the notes'",
        "Korean uses '사전 훈련': the glossary says '사전 학습'",
        "Korean uses '과적합'",
        "option D is marked Korean but is not translated",
        "a false statement carrying an absolute (always, 항상)",
        "options B, C, D name no misconception: add `misconception: ID`",
    ):
        assert cue in text, cue
    assert "bank tests/data/lint/biased" in summary
    for check in ("key strictly the longest option", "key position, 4 options", "true/false keys that are true", "multiple-answer key counts",
                  "distractors without a misconception"):
        line = next(row for row in summary.splitlines() if check in row)
        assert line.endswith("FAIL"), line
    assert re.search(r"questions with Korean\s+21 of 21 \(100 %\)", summary)


def test_a_balanced_bank_passes(capsys):
    code, findings, summary = run_lint(capsys, str(DATA / "balanced"))
    assert (code, findings) == (0, [])
    assert "FAIL" not in summary and summary.count(" ok") == 7


def test_each_path_is_its_own_bank(capsys):
    code, _, summary = run_lint(capsys, str(DATA / "balanced"), str(DATA / "biased"))
    assert code == 1  # one bank missed a threshold
    assert "bank tests/data/lint/balanced" in summary and "bank tests/data/lint/biased" in summary


def test_thresholds_need_enough_questions_to_judge():
    bank = load_bank([ROOT / DATA / "biased"], labs={})
    questions = [bank.questions["lint-biased-tf-0"], bank.questions["lint-biased-multi-0"]]
    checks = {c.name: c for c in bank_checks(questions)}
    assert checks["true/false keys that are true"].ok is None  # 1 true/false question: reported only
    assert checks["multiple-answer key counts"].ok is None
    assert key_is_longest(bank.questions["lint-biased-single-0"])
    report = lint(bank, ["lint-biased-single-0"])
    assert report.questions == 1 and report.findings[0].where.endswith("questions.yaml:5")
