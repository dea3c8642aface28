"""A progress database that passes quick_check but holds a damaged row (a card that is not JSON, an answer dated
"yesterday", a lab run dated "garbage"): that row is skipped and counted, the rest is read, one line says so,
and `tutor stats`, `tutor labs` and the app go on (issue 25)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest
from support.app import build

from tutor.cli import main
from tutor.study.labruns import last_runs, record_run
from tutor.study.progress import summary
from tutor.study.store import Store

RESULT = {"lab": "lab-a", "status": "finished", "verdict": "reproduced", "arms": {"a": {"val_acc": {"mean": 0.5}}},
          "seeds": [0], "started_at": "2026-01-01T00:00:00+00:00", "finished_at": "2026-01-01T00:01:00+00:00"}

DAMAGE = {
    "card not JSON": ("UPDATE cards SET card = 'not json{' WHERE question_id = 'q1'", "card"),
    "card of another shape": ("UPDATE cards SET card = '{\"x\": 1}' WHERE question_id = 'q1'", "card"),
    "card with text stability": ("UPDATE cards SET card = json_set(card, '$.stability', 'abc') WHERE question_id = 'q1'", "card"),
    "due not a date": ("UPDATE cards SET due = 'garbage' WHERE question_id = 'q1'", "card"),
    "answer dated yesterday": ("UPDATE attempts SET answered_at = 'yesterday' WHERE id = 1", "answer"),
    "answer chosen not JSON": ("UPDATE attempts SET chosen = '{' WHERE id = 1", "answer"),
    "answer seconds as text": ("UPDATE attempts SET seconds = 'abc' WHERE id = 1", "answer"),
    "answer id a blob": ("UPDATE attempts SET question_id = x'ff00' WHERE id = 1", "answer"),
    "lab run dated garbage": ("UPDATE lab_runs SET finished_at = 'garbage' WHERE id = 1", "lab run"),
    "lab run metrics a list": ("UPDATE lab_runs SET metrics = '[1, 2]' WHERE id = 1", "lab run"),
    "lab run mean as text": ("UPDATE lab_runs SET metrics = '{\"a\": {\"val_acc\": {\"mean\": \"x\"}}}' WHERE id = 1", "lab run"),
    "lab run duration as text": ("UPDATE lab_runs SET duration_s = 'abc' WHERE id = 1", "lab run"),
    "exam report not JSON": ("UPDATE exams SET report = 'nope' WHERE id = 1", "exam"),
}


def _damaged(tiny_bank, sql: str) -> Store:
    from tutor.study.records import ExamRecord
    from tutor.study.store import answer_record

    q1, q2 = sorted(tiny_bank.questions)[:2]
    with Store() as s:
        for qid, ok in ((q1, True), (q2, False), (q1, True), (q2, True)):
            s.record_answer(qid, ["A"], ok, mode="practice")
        record_run(s, RESULT, duration_s=3)
        record_run(s, RESULT, duration_s=4)
        answer = answer_record(q2, ["A"], True, mode="exam")
        s.add(ExamRecord(answers=(answer,), started_at=answer.answered_at, finished_at=answer.answered_at, count=1,
                         minutes=1, score=1, report={"timed_out": False}))
        path = s.path
    with sqlite3.connect(path) as conn:
        conn.execute(sql.replace("'q1'", f"'{q1}'"))
    return Store()


@pytest.mark.parametrize("name", DAMAGE)
def test_a_damaged_row_costs_that_row_only(tiny_bank, name):
    sql, what = DAMAGE[name]
    with _damaged(tiny_bank, sql) as store:
        progress = summary(tiny_bank, store)  # reads answers, cards and due times
        store.due_times()
        runs = store.lab_runs()
        exams = store.exams()
        last_runs(store)
        assert store.damaged == {what: store.damaged[what]} and len(store.damaged[what]) == 1
        assert progress.answered == (4 if what == "answer" else 5)  # four practice answers and one in the exam
        assert len(runs) == (1 if what == "lab run" else 2) and len(exams) == (0 if what == "exam" else 1)
        note = store.damage_note()
        assert note and f"skipped 1 damaged row of the progress database (1 {what})" in note
        assert store.damage_note() is None  # said once
        store.cards(), store.attempts(), store.lab_runs()
        assert store.damage_note() is None  # the same rows again are not news


def test_answering_a_question_whose_card_is_damaged_rebuilds_it_from_its_answers(tiny_bank):
    from tutor.study import scheduler

    q1 = min(tiny_bank.questions)
    with _damaged(tiny_bank, DAMAGE["card not JSON"][0]) as store:
        store.record_answer(q1, ["A"], False, mode="practice")
        expected = None
        for attempt in store.attempts(q1):  # two right answers, then this wrong one
            expected = scheduler.review(expected, attempt.correct, attempt.answered_at)
        card = store.card(q1)
        assert card is not None and store.damage_note()
        assert (card.stability, card.difficulty, card.due) == (expected.stability, expected.difficulty, expected.due)


@pytest.mark.parametrize("name, command, said", [
    ("card not JSON", "stats", "tutor stats: "), ("answer dated yesterday", "stats", "tutor stats: "),
    ("lab run dated garbage", "labs", "tutor labs: "),
    ("answer dated yesterday", "progress export --xapi OUT", "tutor: "),  # any command that reads the store
    ("card not JSON", "plan --exam-date SOON", "tutor: "),
])
def test_commands_print_one_line_for_damaged_rows(tiny_bank, tmp_path, capsys, name, command, said):
    _damaged(tiny_bank, DAMAGE[name][0]).close()
    capsys.readouterr()
    soon = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    assert main(command.replace("OUT", str(tmp_path / "out.jsonl")).replace("SOON", soon).split()) == 0
    err = [line for line in capsys.readouterr().err.strip().splitlines() if "damaged" in line]
    assert len(err) == 1 and "damaged row" in err[0] and err[0].startswith(said), err


async def test_the_app_goes_on_and_says_so_once(tiny_bank):
    with _damaged(tiny_bank, DAMAGE["answer dated yesterday"][0]) as store:
        app = build(tiny_bank, store)
        async with app.run_test(size=(80, 24)) as pilot:
            app.start_practice()
            await pilot.pause()
            app._retry_store()  # the store timer's tick
            app._retry_store()
            await pilot.pause()
            said = [n.message for n in app._notifications]
            assert sum("damaged" in m for m in said) == 1, said
