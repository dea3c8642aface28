"""`tutor stats` (text and --json) and `tutor plan`: the misconception profile, the exam date and its plan,
readiness, leeches and calibration, in English and Korean; bad input is one line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.tutoring import T0, key_of

from tutor.study.confidence import calibration
from tutor.study.outlook import outlook, render_outlook
from tutor.study.plan import save_settings
from tutor.study.store import Attempt

HELD = "bigger-is-better"


@pytest.fixture
def bank_dirs(misconception_bank, monkeypatch):
    """Point `tutor` at the misconception bank only."""
    folder = Path(next(iter(misconception_bank.origin.values())).rsplit(":", 1)[0]).parent
    monkeypatch.setattr("tutor.bank.loader.default_dirs", lambda extra=None: [folder])
    return folder


def history(bank, store, now):
    for day in range(6):
        qid = ("a1", "a2", "a3", "b1")[day % 4]
        store.record_answer(qid, [key_of(bank, qid, HELD)], False, mode="practice", now=now - timedelta(days=6 - day),
                            confidence="sure" if day % 2 else None)
    store.record_answer("b2", ["B"], True, mode="practice", now=now - timedelta(days=1), confidence="fairly_sure")


def test_stats_json_has_the_issue_fields(misconception_bank, store, bank_dirs, capsys):
    from tutor.cli import main

    now = datetime.now(UTC)
    history(misconception_bank, store, now)
    save_settings(store, now.date() + timedelta(days=30), 20)
    assert main(["stats", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["misconceptions"][0]["id"] == HELD
    assert set(data["misconceptions"][0]) >= {"id", "evidence", "last_seen", "lab"}
    assert data["misconceptions"][0]["lab"] == "demo-lab"
    assert data["exam_date"] == (now.date() + timedelta(days=30)).isoformat()
    assert len(data["plan"]) == 30 and all({"date", "due"} <= set(day) for day in data["plan"])
    assert data["plan_summary"]["left_due"] == 0
    assert set(data["readiness"]) >= {"score", "low", "high", "pass_probability"}
    assert data["readiness"]["low"] <= data["readiness"]["score"] <= data["readiness"]["high"]
    assert [leech["question"] for leech in data["leeches"]] == []
    assert data["calibration"]["answers"] == 4 and data["calibration"]["brier"] is not None
    assert data["readiness_history"] == []


@pytest.mark.parametrize("lang, words", [("en", ["Misconceptions you likely hold", "chose it in 4 of 4", "Readiness", "Exam on"]),
                                         ("ko", ["가지고 있을 가능성이 큰 오개념", "문항 4개 중 4개", "준비도", "시험일"])])
def test_stats_text_in_both_languages(misconception_bank, store, bank_dirs, capsys, lang, words):
    from tutor.cli import main

    now = datetime.now(UTC)
    history(misconception_bank, store, now)
    save_settings(store, now.date() + timedelta(days=10))
    assert main(["stats", "--lang", lang]) == 0
    out = capsys.readouterr().out
    for word in words:
        assert word in out


def test_plan_command_stores_the_date_and_prints_each_day(store, capsys):
    from tutor.cli import main

    exam = datetime.now(UTC).date() + timedelta(days=30)
    assert main(["plan", "--exam-date", exam.isoformat(), "--minutes-per-day", "15", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["exam_date"] == exam.isoformat() and data["minutes_per_day"] == 15 and len(data["plan"]) == 30
    assert main(["plan", "--lang", "ko"]) == 0  # the stored date
    assert "시험까지 하루 복습 수" in capsys.readouterr().out


@pytest.mark.parametrize("argv, needle", [(["plan", "--exam-date", "2020-01-01"], "not after today"),
                                          (["plan", "--exam-date", "next week"], "YYYY-MM-DD"),
                                          (["plan", "--minutes-per-day", "0"], "minutes per day")])
def test_bad_plan_input_is_one_line(argv, needle, capsys):
    from tutor.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1


def test_no_exam_date_says_how_to_set_one(capsys):
    from tutor.cli import main

    assert main(["plan"]) == 1
    assert "tutor plan --exam-date" in capsys.readouterr().err


def test_outlook_without_answers(misconception_bank, store):
    view = outlook(misconception_bank, store, T0)
    data = view.to_json()
    assert data["misconceptions"] == [] and data["exam_date"] is None and data["plan"] == []
    assert 0 <= data["readiness"]["score"] <= 100
    render_outlook(view, misconception_bank, "ko")


def test_calibration_brier_score():
    def attempt(i, confidence, correct):
        return Attempt(i, "q", frozenset({"A"}), correct, "practice", None, T0, confidence=confidence)

    well = calibration([attempt(i, "sure", i % 10 != 0) for i in range(20)])
    over = calibration([attempt(i, "sure", i % 2 == 0) for i in range(20)])
    assert well.brier < over.brier and well.answers == 20
    assert over.levels[2].observed == 0.5 and over.cbm_mean == pytest.approx((3 - 6) / 2)
    assert calibration([attempt(0, None, True)]).brier is None
