"""Practice mode: right and wrong answers (feedback shown, answer recorded), keys, mouse, next."""

from __future__ import annotations

from support.app import SIZE, build, content_text, keys_for, retried, screen_text

from tutor.app.screens.practice_screen import PracticeScreen
from tutor.app.widgets.choices import ChoiceRow, Choices
from tutor.app.widgets.feedback_view import FeedbackView


async def start_practice(app, pilot, topic: str | None = None) -> PracticeScreen:
    if topic is None:
        await pilot.press("p")  # the highlighted first row: all topics
    else:
        app.start_practice(topic)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, PracticeScreen)
    return screen


async def test_right_answer_shows_feedback_and_is_recorded(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_practice(app, pilot)
        assert "1 / 4" in screen_text(app)
        question = screen.session.current
        await pilot.press(*keys_for(question, question.answers, screen.session.shown), "enter")
        await pilot.pause()
        feedback = content_text(screen.query_one(FeedbackView))
        assert "✓ Correct" in feedback
        assert "Correct" in screen_text(app)
        assert question.explanation["en"] in feedback
        for option in question.options:  # the why of every option
            assert option.why["en"] in feedback
        attempts = store.attempts()
        assert [(a.question_id, a.correct, a.mode) for a in attempts] == [(question.id, True, "practice")]
        assert attempts[0].chosen == question.answers


async def test_wrong_answer_shows_why_explanation_concepts_and_lab(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_practice(app, pilot, "alpha")
        while screen.session.current.id != "alpha-single":  # the question with concepts and a lab
            screen.session.advance()
            await screen.show_current()
        question = screen.session.current
        await pilot.press(*keys_for(question, {"A"}, screen.session.shown), "enter")  # A (Apple) is wrong
        await pilot.pause()
        feedback = content_text(screen.query_one(FeedbackView))
        assert "✗ Incorrect" in feedback
        assert "(your choice)" in feedback and "(right answer)" in feedback
        for marker in ("WHY-A", "WHY-B", "WHY-C", "WHY-D", "EXPLAIN-SINGLE", "fruit · choice"):
            assert marker in feedback
        assert "Demo lab title" in feedback and "Shows the demo claim" in feedback
        [attempt] = store.attempts()
        assert (attempt.question_id, attempt.chosen, attempt.correct) == (question.id, frozenset({"A"}), False)
        assert "Incorrect" in screen_text(app)


async def test_next_question_on_n_and_enter_and_end_of_session(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_practice(app, pilot, "beta")
        first = screen.session.current
        await pilot.press("1", "enter")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert screen.session.current is not first
        assert "2 / 2" in screen_text(app)
        await pilot.press("1", "enter", "enter")  # submit, then Enter for next
        await pilot.pause()
        assert screen.session.done
        assert "Done:" in content_text(screen.query_one("#study-message"))
        assert len(store.attempts()) == 2
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HomeScreen"


async def test_multiple_answer_with_arrows_space_and_mouse(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_practice(app, pilot, "alpha")
        while screen.session.current.id != "alpha-multi":
            screen.session.advance()
            await screen.show_current()
        await pilot.pause()
        choices = screen.query_one(Choices)
        assert "Choose 2 answers" in screen_text(app)
        shown = list(screen.session.shown)  # option keys in displayed order
        await pilot.press("space")  # toggles the first shown (highlighted first)
        await pilot.press("down", "down", "space")  # toggles the third shown
        await pilot.press("down", "space", "space")  # the fourth on and off again
        assert choices.chosen == {shown[0], shown[2]}
        choices.chosen = frozenset()
        for key in ("A", "C"):
            await pilot.press(str(shown.index(key) + 1))
        assert choices.chosen == {"A", "C"}
        rows = list(screen.query(ChoiceRow))
        await pilot.click(rows[shown.index("B")])  # B with the mouse
        assert choices.chosen == {"A", "B", "C"}
        await pilot.click(rows[shown.index("B")])
        assert choices.chosen == {"A", "C"}
        await pilot.press("enter")
        await pilot.pause()
        assert "✓ Correct" in content_text(screen.query_one(FeedbackView))
        assert store.attempts()[0].chosen == {"A", "C"}


async def test_enter_with_nothing_chosen_picks_the_highlighted_option(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_practice(app, pilot, "beta")
        await pilot.press("enter")
        assert not store.attempts()
        assert screen.query_one(Choices).chosen
        await pilot.press("enter")
        await pilot.pause()
        assert len(store.attempts()) == 1


async def test_submit_and_next_buttons_work_with_the_mouse(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_practice(app, pilot, "beta")
        question = screen.session.current
        await pilot.click(list(screen.query(ChoiceRow))[0])
        await pilot.click("#btn-submit")
        await pilot.pause()
        assert store.attempts()[0].question_id == question.id
        await pilot.click("#btn-next")
        await pilot.pause()
        assert screen.session.position == 1


async def test_a_store_that_cannot_write_does_not_crash_the_app(tiny_bank, store, monkeypatch):
    from tutor.study.store import StoreError

    def locked(*args, **kwargs):
        raise StoreError("tutor.sqlite3: the progress database stayed locked by another tutor process")

    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_practice(app, pilot, "beta")
        with monkeypatch.context() as patch:
            patch.setattr(store, "_write_answer", locked)
            await pilot.press("1", "enter")
            await pilot.pause()
            # the learner sees the feedback and is told the answer waits in memory
            assert screen.state == "feedback" and len(store.pending) == 1
            assert any("Not saved yet" in str(n.message) and "locked" in str(n.message) for n in app._notifications)
        await retried(app, pilot)  # what the app's timer does every few seconds, off the UI thread
        assert not store.pending and len(store.attempts()) == 1
        assert any("Saved 1 answer that was waiting" in str(n.message) for n in app._notifications)


async def test_escape_after_some_answers_shows_the_summary_then_home(tiny_bank, store):
    """Leaving early shows what the end of the set shows (score, the missed list, r to retry); a second
    Escape goes home. Escape before any answer goes straight home."""
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_practice(app, pilot)
        first = screen.session.current
        wrong = next(o.key for o in first.options if o.key not in first.answers)
        await pilot.press(*keys_for(first, {wrong}, screen.session.shown), "enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        message = content_text(screen.query_one("#study-message"))
        assert "Stopped after 1 of 4: 0 right." in message and "Missed (1):" in message
        assert first.stem["en"][:20] in message and "Press r to retry" in message
        assert app.screen is screen
        await pilot.press("r")  # retry the one missed
        await pilot.pause()
        assert screen.session.current.id == first.id and screen.session.total == 1
        await pilot.press("escape")  # nothing answered in this round: home at once
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HomeScreen"


def test_a_missed_stem_is_cut_between_words_and_fits_its_line():
    """The end of a round lists each missed stem on one line: cut after a whole word, so at 80 columns no
    word is halved (it was "노출 부" / "Bat…", and the ellipsis wrapped onto a line of its own)."""
    from rich.cells import cell_len

    from tutor.app.screens.practice_screen import first_line

    stem = "기기에서 미세 조정까지 하는 추론 가속기로 ResNet 블록을 옮기면서, BatchNorm 층을 무엇으로 바꿀까?"
    cut = first_line(stem, 68)
    assert cell_len(cut) <= 68 and cut.endswith(" …")
    assert stem.startswith(cut[:-2]) and stem[len(cut) - 2] in " ,;:"  # ends where a word ends
    assert first_line("A short stem.\nSecond line.", 68) == "A short stem."
