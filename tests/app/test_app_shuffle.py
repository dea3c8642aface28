"""Options in a fresh order at each presentation, checked by identity; the exam keeps its order while
navigating; the flag key leaves T/F alone; "choose N"; retry the missed ones; and a guesser who always
takes the first option(s) shown scores at chance even on a bank whose keys are all first in the file."""

from __future__ import annotations

import random

from support.app import LABS, SIZE, build, content_text, keys_for, screen_text

from tutor.app.screens.exam_screen import ExamScreen
from tutor.app.screens.practice_screen import PracticeScreen
from tutor.app.widgets.choices import ChoiceRow, Choices
from tutor.app.widgets.feedback_view import FeedbackView
from tutor.bank import load_bank
from tutor.study.sessions import ExamSession


def rows_shown(screen) -> list[str]:
    """The options as displayed, e.g. ['A Apple', 'B Date', ...] (letter + text)."""
    return [f"{row.letter} {row.label}" for row in screen.query(ChoiceRow)]


async def practise(app, pilot, question_id: str) -> PracticeScreen:
    app.start_practice(question_id.split("-")[0])
    await pilot.pause()
    screen = app.screen
    while screen.session.current.id != question_id:
        screen.session.advance()
        await screen.show_current()
    await pilot.pause()
    return screen


async def test_same_question_twice_gets_another_order_and_is_graded_by_identity(tiny_bank, store):
    app = build(tiny_bank, store, rng=random.Random(3))
    async with app.run_test(size=SIZE) as pilot:
        screen = await practise(app, pilot, "alpha-single")
        first = rows_shown(screen)
        assert [r.split()[0] for r in first] == ["A", "B", "C", "D"]  # letters by position, whatever the keys
        banana = next(i for i, r in enumerate(first) if r.endswith("Banana"))  # the key, B in the file
        await pilot.press(str(banana + 1), "enter")
        await pilot.pause()
        feedback = content_text(screen.query_one(FeedbackView))
        assert "✓ Correct" in feedback
        assert store.attempts()[-1].chosen == {"B"} and store.attempts()[-1].shown == screen.session.shown
        order_seen = feedback.index("Apple"), feedback.index("Banana"), feedback.index("Cherry"), feedback.index("Date")
        assert sorted(order_seen) == [feedback.index(r.split(" ", 1)[1]) for r in first]  # feedback in the order seen
        await pilot.press("escape")

        screen = await practise(app, pilot, "alpha-single")  # presented again
        second = rows_shown(screen)
        assert sorted(r.split(" ", 1)[1] for r in second) == sorted(r.split(" ", 1)[1] for r in first)
        assert [r.split(" ", 1)[1] for r in second] != [r.split(" ", 1)[1] for r in first]
        await pilot.press(str(banana + 1), "enter")  # the same position now holds another option
        await pilot.pause()
        right = second[banana].endswith("Banana")
        assert store.attempts()[-1].correct is right and not right


async def test_exam_keeps_each_questions_order_while_navigating(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        first = rows_shown(screen)
        await pilot.press("2")  # the second option shown
        await pilot.press("right")
        await pilot.pause()
        second = rows_shown(screen)
        await pilot.press("left")
        await pilot.pause()
        assert rows_shown(screen) == first
        await pilot.press("right")
        await pilot.pause()
        assert rows_shown(screen) == second
        q1 = screen.session.questions[0]
        assert screen.session.answers[q1.id] == {screen.session.orders[q1.id][1]}
        await pilot.press("s", "y")
        await pilot.pause()
        report = app.screen.report
        assert report.items[0].shown == screen.session.orders[q1.id]
        assert store.attempts()[0].shown == screen.session.orders[q1.id]


async def test_exam_flag_key_does_not_take_false(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        tf = next(i for i, q in enumerate(screen.session.questions) if q.type == "true_false")
        await screen.show_question(tf)
        await pilot.pause()
        assert rows_shown(screen) == ["T True", "F False"]  # true/false is never shuffled
        await pilot.press("f")
        await pilot.pause()
        question = screen.session.questions[tf]
        assert screen.session.answers[question.id] == {"F"} and not screen.session.flags
        await pilot.press("x")
        await pilot.pause()
        assert screen.session.flags == {question.id}
        assert "x Flag" in screen_text(app)  # the footer names the key


async def test_choose_n_says_how_many_instead_of_grading(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await practise(app, pilot, "alpha-multi")
        assert "Choose 2 answers" in screen_text(app)
        await pilot.press("1", "enter")
        await pilot.pause()
        assert not store.attempts() and screen.state == "answering"
        assert "Choose 2 answers: you chose 1" in screen_text(app)
        shown = list(screen.session.shown)
        await pilot.press("1")  # off again, then the two right ones
        await pilot.press(*keys_for(screen.session.current, {"A", "C"}, shown), "enter")
        await pilot.pause()
        assert store.attempts()[-1].correct and screen.state == "feedback"


async def test_end_of_round_lists_the_missed_and_retries_them(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        app.start_practice("beta")
        await pilot.pause()
        screen = app.screen
        stems = []
        for _ in range(2):  # both wrong
            question = screen.session.current
            stems.append(question.stem["en"])
            wrong = next(o.key for o in question.options if o.key not in question.answers)
            await pilot.press(*keys_for(question, {wrong}, screen.session.shown), "enter")
            await pilot.pause()
            await pilot.press("n")
            await pilot.pause()
        message = content_text(screen.query_one("#study-message"))
        assert "Done: 0 of 2 right." in message and "Missed (2):" in message
        assert all(stem in message for stem in stems)
        assert "r Retry missed" in screen_text(app)
        await pilot.press("r")
        await pilot.pause()
        assert screen.state == "answering" and screen.session.total == 2 and screen.session.round == 2
        assert "retry 2" in screen_text(app)
        assert {q.id for q in screen.session.order} == {"beta-tf", "beta-single"}


def first_keyed_bank(folder):
    """40 four-option questions whose keys are all first in the file (the worst case for a guesser):
    34 single-answer, 6 'choose 2' with the first two keyed."""
    folder.mkdir()
    (folder / "topics.yaml").write_text("topics:\n  - {id: alpha, title: Alpha}\n", encoding="utf-8")
    items = []
    for n in range(40):
        multiple = n % 7 == 6
        options = "".join(f"      - {{key: {k}, text: 'Option {k}{n}', why: 'Why {k}.'}}\n" for k in "ABCD")
        items.append(
            f"  - id: q{n}\n    topic: alpha\n    type: {'multiple' if multiple else 'single'}\n"
            f"    stem: 'Question {n}?'\n    options:\n{options}"
            f"    answer: {'[A, B]' if multiple else 'A'}\n    explanation: 'A.'\n"
        )
    (folder / "questions.yaml").write_text("questions:\n" + "".join(items), encoding="utf-8")
    bank = load_bank([folder], labs=LABS)
    assert not bank.problems and len(bank) == 40
    return bank


async def test_a_guesser_taking_the_first_options_shown_scores_at_chance(tmp_path, store):
    bank = first_keyed_bank(tmp_path / "bank")
    app = build(bank, store)
    async with app.run_test(size=SIZE) as pilot:
        session = ExamSession(bank, store, 40, 60, rng=random.Random(11))
        app.push_screen(ExamScreen(session))
        await pilot.pause()
        screen = app.screen
        for question in session.questions:  # the first option shown (the first two for "choose 2"), then on
            choices = screen.query_one(Choices)
            assert choices.question is question
            for index in range(len(question.answers)):
                choices.choose(index)  # what the digit keys do, without a redraw per key
            await screen.action_move(1)
        await pilot.pause()
        assert len(session.answers) == 40
        report = session.finish()
        assert 0.10 <= report.score / 40 <= 0.45, f"the guesser scored {report.score}/40"
