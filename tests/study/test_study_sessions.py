"""Practice, exam and review sessions, and the progress summary, on a tiny bank built here."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from rich.console import Console

from tutor.bank import load_bank
from tutor.study import (
    EXAM_PRESETS,
    ExamSession,
    PracticeSession,
    ReviewSession,
    Store,
    render_stats,
    summary,
)
from tutor.study.sessions import ChoiceCountError, allocate, display_order

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)

TOPICS = """\
topics:
  - id: alpha
    title: {en: "Alpha things", ko: "알파"}
  - id: beta
    title: {en: "Beta things", ko: "베타"}
  - id: gamma
    title: {en: "Gamma things", ko: "감마"}
"""


def single(qid: str, topic: str) -> str:
    return f"""\
  - id: {qid}
    topic: {topic}
    stem: "Which option is right in {qid}?"
    options:
      - {{key: A, text: "First", why: "Not this one."}}
      - {{key: B, text: "Second", why: "This one."}}
      - {{key: C, text: "Third", why: "Not this one."}}
    answer: B
    explanation: "B is right."
"""


MULTIPLE = """\
  - id: b-multi
    topic: beta
    type: multiple
    stem: "Pick both right ones."
    options:
      - {key: A, text: "One", why: "Right."}
      - {key: B, text: "Two", why: "Wrong."}
      - {key: C, text: "Three", why: "Right."}
    answer: [A, C]
    explanation: "A and C."
"""

TRUE_FALSE = """\
  - id: {qid}
    topic: gamma
    type: true_false
    stem: "Statement {qid} holds."
    options:
      - {{key: T, text: "True", why: "It does."}}
      - {{key: F, text: "False", why: "It does hold."}}
    answer: true
    explanation: "True."
"""

RIGHT = {"a1": "B", "a2": "B", "a3": "B", "a4": "B", "b1": "B", "b2": "B", "b-multi": "AC", "g1": "T", "g2": "T"}
WRONG = {qid: ("A" if "T" not in keys else "F") for qid, keys in RIGHT.items()}


@pytest.fixture
def bank(tmp_path):
    root = tmp_path / "bank"
    root.mkdir()
    (root / "topics.yaml").write_text(TOPICS)
    (root / "alpha.yaml").write_text("questions:\n" + "".join(single(f"a{i}", "alpha") for i in range(1, 5)))
    (root / "beta.yaml").write_text("questions:\n" + single("b1", "beta") + single("b2", "beta") + MULTIPLE)
    (root / "gamma.yaml").write_text("questions:\n" + TRUE_FALSE.format(qid="g1") + TRUE_FALSE.format(qid="g2"))
    loaded = load_bank([root], labs={})
    assert loaded.problems == []
    assert loaded.topic_counts() == {"alpha": 4, "beta": 3, "gamma": 2}
    return loaded


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "progress.sqlite3") as s:
        yield s


# -- practice -----------------------------------------------------------------------------------------


def test_practice_records_right_and_wrong_answers(bank, store):
    session = PracticeSession(bank, store, topic="alpha", seed=1)
    assert session.total == 4 and session.position == 0 and not session.done
    first = session.current
    assert first.topic == "alpha"
    feedback = session.submit(["B"])
    assert feedback.correct and feedback.chosen == frozenset("B") and feedback.question is first
    assert session.submit(["A"]) is feedback  # a second submit changes nothing
    session.advance()
    second = session.current
    assert second is not first and session.position == 1
    assert not session.submit({"A"}).correct
    while session.advance() is not None:
        pass
    assert session.done and session.current is None and session.position == 4
    attempts = store.attempts()
    assert [(a.question_id, a.correct, a.mode) for a in attempts] == [(first.id, True, "practice"), (second.id, False, "practice")]
    assert all(a.seconds is not None and a.seconds >= 0 for a in attempts)
    assert store.card(first.id) is not None and store.card(second.id) is not None
    with pytest.raises(RuntimeError):
        session.submit(["B"])


def test_options_are_shown_in_a_fresh_order_and_stored_as_seen(bank, store):
    import random

    rng = random.Random(5)
    a1 = bank.questions["a1"]
    orders = {display_order(a1, rng) for _ in range(20)}
    assert len(orders) > 1 and all(sorted(o) == ["A", "B", "C"] for o in orders)
    assert {display_order(bank.questions["g1"], rng) for _ in range(10)} == {("T", "F")}  # True, False always
    fixed = bank.questions["a2"].model_copy(update={"shuffle": False})
    assert {display_order(fixed, rng) for _ in range(10)} == {("A", "B", "C")}  # the order carries meaning

    session = PracticeSession(bank, store, topic="alpha", rng=random.Random(1))
    shown = session.shown
    assert sorted(shown) == ["A", "B", "C"]
    feedback = session.submit(["B"])  # by identity, wherever B was shown
    assert feedback.correct and feedback.shown == shown
    assert store.attempts()[0].shown == shown


def test_retry_the_missed_ones_starts_a_round_with_only_those(bank, store):
    session = PracticeSession(bank, store, topic="alpha", seed=2)
    missed = []
    while not session.done:
        if session.position % 2 == 0:
            missed.append(session.current.id)
            session.submit(["A"])
        else:
            session.submit(["B"])
        session.advance()
    assert [q.id for q in session.missed] == missed
    assert session.retry_missed() == 2
    assert session.round == 2 and session.total == 2 and session.answered == 0 and not session.missed
    assert sorted(q.id for q in session.order) == sorted(missed)
    while not session.done:
        session.submit(["B"])
        session.advance()
    assert session.retry_missed() == 0 and session.done  # nothing missed: nothing to retry


def test_practice_multiple_answer_needs_every_right_option(bank, store):
    session = PracticeSession(bank, store, topic="beta", seed=3)
    while session.current.id != "b-multi":
        session.advance()
    with pytest.raises(ChoiceCountError) as refused:  # "choose 2" answered with one: not graded, N named
        session.submit(["A"])
    assert (refused.value.needed, refused.value.got) == (2, 1) and not store.attempts()
    assert not session.submit(["A", "B"]).correct
    session.advance()
    with pytest.raises(ValueError, match="no option 'Z'"):
        PracticeSession(bank, store, topic="beta").submit(["Z"])


def test_practice_serves_unseen_questions_first_in_a_reproducible_order(bank, store):
    for qid in ("a1", "a3"):
        store.record_answer(qid, ["B"], True, mode="practice", now=T0)
    session = PracticeSession(bank, store, topic="alpha", seed=7)
    order = [q.id for q in session.order]
    assert set(order[:2]) == {"a2", "a4"} and set(order[2:]) == {"a1", "a3"}
    assert [q.id for q in PracticeSession(bank, store, topic="alpha", seed=7).order] == order
    everything = PracticeSession(bank, store, seed=7)
    assert everything.total == 9
    with pytest.raises(ValueError, match="unknown topic"):
        PracticeSession(bank, store, topic="delta")


# -- exam ---------------------------------------------------------------------------------------------


def test_allocation_is_proportional_with_one_per_topic():
    assert allocate({"a": 4, "b": 3, "c": 2}, 9) == {"a": 4, "b": 3, "c": 2}
    assert allocate({"a": 4, "b": 3, "c": 2}, 20) == {"a": 4, "b": 3, "c": 2}
    assert allocate({"a": 4, "b": 3, "c": 2}, 3) == {"a": 1, "b": 1, "c": 1}
    assert allocate({"a": 40, "b": 10, "c": 1}, 10) == {"a": 7, "b": 2, "c": 1}
    big = allocate({"a": 30, "b": 20, "c": 10, "d": 5}, 13)
    assert sum(big.values()) == 13 and big == {"a": 6, "b": 4, "c": 2, "d": 1}


def test_exam_presets():
    assert EXAM_PRESETS == {"short": (10, 15), "full": (65, 180)}


def test_exam_spreads_questions_across_topics(bank, store):
    exam = ExamSession(bank, store, count=5, minutes=10, seed=2, now=T0)
    topics = [q.topic for q in exam.questions]
    assert len(exam.questions) == 5 == len(set(q.id for q in exam.questions))
    assert {t: topics.count(t) for t in set(topics)} == {"alpha": 2, "beta": 2, "gamma": 1}
    assert len(ExamSession(bank, store, count=2, minutes=5, seed=2).questions) == 2
    everything = ExamSession(bank, store, count=65, minutes=180, seed=2)  # fewer questions than asked: all
    assert sorted(q.id for q in everything.questions) == sorted(bank.questions)
    assert {q.topic for q in ExamSession(bank, store, count=3, minutes=5, topic="beta").questions} == {"beta"}


def test_exam_to_its_report(bank, store):
    exam = ExamSession(bank, store, count=9, minutes=15, seed=5, now=T0)
    assert exam.remaining(T0 + timedelta(minutes=5)) == timedelta(minutes=10)
    assert not exam.expired(T0 + timedelta(minutes=14))
    right, wrong, unanswered = ["a1", "b-multi", "g1", "g2"], ["a2", "b1"], ["a3", "a4", "b2"]
    for qid in right:
        exam.choose(qid, RIGHT[qid])
    for qid in wrong:
        exam.choose(qid, WRONG[qid])
    exam.choose("a3", ["B"])
    exam.choose("a3", [])  # cleared again: unanswered
    assert exam.toggle_flag("a2") is True
    assert exam.toggle_flag("a4") is True
    assert exam.toggle_flag("a4") is False
    assert exam.flags == {"a2"}
    assert sorted(exam.unanswered()) == unanswered
    assert store.attempts() == []  # nothing is recorded (or shown) before the end

    report = exam.finish(T0 + timedelta(minutes=12))
    assert (report.score, report.total, report.percent, report.timed_out) == (4, 9, 44.4, False)
    assert report.per_topic == {"alpha": (1, 4), "beta": (1, 3), "gamma": (2, 2)}
    assert list(report.per_topic) == ["alpha", "beta", "gamma"]
    assert [item.question.id for item in report.items] == [q.id for q in exam.questions]
    items = {item.question.id: item for item in report.items}
    assert items["a2"].flagged and not items["a2"].correct and items["a2"].chosen == frozenset("A")
    assert items["a3"].chosen == frozenset() and not items["a3"].correct
    assert report.answered == 6 and [i.question.id for i in report.flagged] == ["a2"]

    # answered questions are recorded as exam attempts at the finish time; unanswered ones are not
    attempts = store.attempts()
    assert sorted(a.question_id for a in attempts) == sorted(right + wrong)
    assert {a.mode for a in attempts} == {"exam"}
    assert {a.answered_at for a in attempts} == {T0 + timedelta(minutes=12)}
    assert store.card("a3") is None and store.card("a1") is not None

    # the report is stored, and JSON round-trips
    (summary_row,) = store.exams()
    assert summary_row.id == report.exam_id
    assert (summary_row.score, summary_row.count, summary_row.minutes) == (4, 9, 15.0)
    assert summary_row.started_at == T0 and summary_row.finished_at == T0 + timedelta(minutes=12)
    assert summary_row.percent == pytest.approx(44.44, abs=0.01) and not summary_row.timed_out
    data = json.loads(json.dumps(report.to_dict()))
    assert data == summary_row.report
    assert data["per_topic"]["alpha"] == [1, 4]
    assert next(i for i in data["items"] if i["question_id"] == "b-multi")["chosen"] == ["A", "C"]
    # what the learner saw: each question's option order, drawn once for the exam, in the report and history
    assert all(item["shown"] == list(exam.orders[item["question_id"]]) for item in data["items"])
    assert all(a.shown == exam.orders[a.question_id] for a in attempts)

    assert exam.finish() is report and len(store.exams()) == 1  # finishing twice records once
    with pytest.raises(RuntimeError):
        exam.choose("a3", ["B"])


def test_exam_timeout(bank, store):
    exam = ExamSession(bank, store, count=3, minutes=1, seed=1, now=T0)
    exam.choose(exam.questions[0].id, ["A"] if exam.questions[0].type != "true_false" else ["T"])
    late = T0 + timedelta(minutes=1, seconds=5)
    assert exam.expired(late) and exam.remaining(late) == timedelta(0)
    report = exam.finish(late)
    assert report.timed_out and report.total == 3 and report.answered == 1
    assert store.exams()[0].timed_out
    with pytest.raises(KeyError):
        exam.toggle_flag("not-in-exam")


# -- review -------------------------------------------------------------------------------------------


def test_review_serves_due_questions_most_overdue_first(bank, store):
    store.record_answer("a1", ["A"], False, mode="practice", now=T0)  # due T0+10m
    store.record_answer("b1", ["A"], False, mode="practice", now=T0 + timedelta(minutes=3))  # due T0+13m
    store.record_answer("g1", ["T"], True, mode="practice", now=T0)  # due in days
    store.record_answer("not-in-bank", ["A"], False, mode="practice", now=T0)  # from an old bank: ignored

    now = T0 + timedelta(minutes=20)
    review = ReviewSession(bank, store, now=now)
    assert [q.id for q in review.order] == ["a1", "b1"]
    assert review.current.id == "a1"
    feedback = review.submit(["B"], now=now)
    assert feedback.correct
    review.advance()
    assert not review.submit(["A"], now=now).correct
    review.advance()
    assert review.done and review.current is None
    assert [(a.question_id, a.mode) for a in store.attempts()[-2:]] == [("a1", "review"), ("b1", "review")]
    assert store.card("a1").due >= now + timedelta(days=1)  # right: spaced out (a day after a recent miss)
    assert store.card("b1").due == now + timedelta(minutes=10)  # wrong: back soon
    assert review.next_due == now + timedelta(minutes=10)
    assert review.refresh(now + timedelta(minutes=11)) == 1 and review.current.id == "b1"


def test_review_with_nothing_due(bank, store):
    fresh = ReviewSession(bank, store, now=T0)
    assert fresh.current is None and fresh.total == 0 and fresh.next_due is None  # never seen anything
    store.record_answer("a1", ["B"], True, mode="practice", now=T0)
    review = ReviewSession(bank, store, now=T0 + timedelta(hours=1))
    assert review.current is None and review.done
    assert review.next_due == store.card("a1").due > T0 + timedelta(days=1)
    with pytest.raises(RuntimeError):
        review.submit(["B"])


def test_leech_detection(bank, store):
    for i in range(2):
        store.record_answer("a2", ["A"], False, mode="practice", now=T0 + timedelta(hours=i))
    store.record_answer("a2", ["B"], True, mode="practice", now=T0 + timedelta(hours=2))
    review = ReviewSession(bank, store, now=T0)
    assert not review.is_leech("a2") and review.misses("a2") == 2
    store.record_answer("a2", ["C"], False, mode="exam", now=T0 + timedelta(hours=3))
    assert review.is_leech("a2") and review.misses("a2") == 3
    assert not review.is_leech("a1")


# -- progress -----------------------------------------------------------------------------------------


def test_progress_summary_numbers(bank, store):
    empty = summary(bank, store, now=T0)
    assert (empty.total, empty.seen, empty.answered, empty.mastery, empty.due, empty.leeches) == (9, 0, 0, 0.0, 0, [])
    assert [t.topic for t in empty.topics] == ["alpha", "beta", "gamma"]

    store.record_answer("a1", ["B"], True, mode="practice", now=T0)
    store.record_answer("a2", ["A"], False, mode="practice", now=T0)
    for i in range(3):  # a3: missed three times, then right
        store.record_answer("a3", ["A"], False, mode="practice", now=T0 + timedelta(minutes=i))
    store.record_answer("a3", ["B"], True, mode="review", now=T0 + timedelta(minutes=5))
    store.record_answer("g1", ["T"], True, mode="exam", now=T0)

    p = summary(bank, store, now=T0 + timedelta(hours=1))
    alpha, beta, gamma = p.topics
    assert (alpha.total, alpha.seen, alpha.answered) == (4, 3, 6)
    assert alpha.correct_recent == pytest.approx(2 / 6)
    # latest answers: a1 right, a2 wrong, a3 right, a4 unseen; both right ones recalled (R = 1 today)
    assert alpha.mastery == pytest.approx(2 / 4)
    assert alpha.due == 1  # a2, missed 10 minutes after T0
    assert alpha.leeches == ["a3"]
    assert (beta.seen, beta.answered, beta.mastery, beta.correct_recent) == (0, 0, 0.0, 0.0)
    assert (gamma.seen, gamma.mastery) == (1, pytest.approx(0.5))
    assert (p.total, p.seen, p.answered, p.due) == (9, 4, 7, 1)
    assert p.mastery == pytest.approx(3 / 9)
    assert p.leeches == ["a3"] and p.misses == {"a2": 1, "a3": 3}
    assert p.topic("gamma") is gamma and p.topic("nope") is None

    # mastery fades with FSRS retrievability when a topic is left alone for months
    later = summary(bank, store, now=T0 + timedelta(days=120))
    assert 0 < later.topic("alpha").mastery < alpha.mastery


def render(renderable, width: int = 80) -> str:
    console = Console(width=width, record=True, color_system=None, force_terminal=False)
    console.print(renderable)
    return console.export_text()


def test_render_stats(bank, store):
    assert "No answers yet" in render(render_stats(summary(bank, store, now=T0), bank))
    for i in range(3):
        store.record_answer("b1", ["A"], False, mode="practice", now=T0 + timedelta(minutes=i))
    store.record_answer("a1", ["B"], True, mode="practice", now=T0)
    out = render(render_stats(summary(bank, store, now=T0 + timedelta(hours=1)), bank))
    assert all(len(line) <= 80 for line in out.splitlines())
    for expected in ("Alpha things", "Beta things", "Gamma things", "Mastery", "All topics", "25%", "Reviews due now: 1", "b1"):
        assert expected in out, expected
    korean = render(render_stats(summary(bank, store, now=T0), bank, lang="ko"))
    assert "알파" in korean and "숙련도" in korean
