"""Review mode: due questions first with the practice feedback; nothing due; leeches flagged."""

from __future__ import annotations

from support.app import SIZE, build, content_text, days_ago, keys_for, screen_text

from tutor.app.screens.review_screen import ReviewScreen
from tutor.app.widgets.feedback_view import FeedbackView


async def start_review(app, pilot) -> ReviewScreen:
    await pilot.press("r")
    await pilot.pause()
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


async def test_a_due_question_is_reviewed(tiny_bank, store):
    store.record_answer("beta-single", {"A"}, False, mode="practice", now=days_ago(3))  # missed: due long ago
    store.record_answer("alpha-multi", {"A", "C"}, True, mode="practice")  # just answered right: not due
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_review(app, pilot)
        assert screen.session.current.id == "beta-single"
        shown = screen_text(app)
        assert "Review" in shown and "1 due" in shown and "Pick C in beta." in shown
        question = screen.session.current
        await pilot.press(*keys_for(question, question.answers, screen.session.shown), "enter")
        await pilot.pause()
        feedback = content_text(screen.query_one(FeedbackView))
        assert "✓ Correct" in feedback and "EXPLAIN-BETA" in feedback and "WHY-BA" in feedback
        last = store.attempts()[-1]
        assert (last.question_id, last.correct, last.mode) == ("beta-single", True, "review")
        assert "beta-single" not in store.due_ids()
        assert "1 due" not in screen_text(app)  # the one answered no longer counts as due
        await pilot.press("n")
        await pilot.pause()
        message = content_text(screen.query_one("#study-message"))
        assert "All due reviews done: 1 of 1 right." in message and "Next review in" in message


async def test_a_wrong_review_answer_is_recorded_and_comes_back(tiny_bank, store):
    store.record_answer("alpha-single", {"A"}, False, mode="practice", now=days_ago(1))
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_review(app, pilot)
        question = screen.session.current
        await pilot.press(*keys_for(question, {"C"}, screen.session.shown), "enter")  # C (Cherry) is wrong
        await pilot.pause()
        assert "✗ Incorrect" in content_text(screen.query_one(FeedbackView))
        last = store.attempts()[-1]
        assert (last.question_id, last.correct, last.mode) == ("alpha-single", False, "review")
        await pilot.press("enter")
        await pilot.pause()
        assert "Next review in 10 min, at " in content_text(screen.query_one("#study-message"))


async def test_nothing_due_says_when_the_next_review_is(tiny_bank, store):
    store.record_answer("beta-tf", {"T"}, True, mode="practice")
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_review(app, pilot)
        assert screen.session.current is None
        message = content_text(screen.query_one("#study-message"))
        assert "Nothing due." in message and "Next review in" in message
        assert "Nothing due." in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HomeScreen"


async def test_nothing_seen_yet(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_review(app, pilot)
        assert "practise some questions first" in content_text(screen.query_one("#study-message"))


async def test_leeches_are_flagged(tiny_bank, store):
    for n in (5, 4, 3):
        store.record_answer("beta-single", {"A"}, False, mode="practice", now=days_ago(n))
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        assert "missed again and again: 1" in screen_text(app)  # on home
        screen = await start_review(app, pilot)
        assert "⚠ missed again and again" in screen_text(app)  # in the review bar
        await pilot.press("3", "enter")
        await pilot.pause()
        assert "⚠ missed again and again" in content_text(screen.query_one(FeedbackView))


async def test_korean_review_chrome(tiny_bank, store):
    store.record_answer("alpha-single", {"A"}, False, mode="practice", now=days_ago(1))
    app = build(tiny_bank, store, lang="ko")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_review(app, pilot)
        shown = screen_text(app)
        assert "복습" in shown and "알파에서 맞는 것은?" in shown and "사과" in shown
        await pilot.press("2", "enter")
        await pilot.pause()
        feedback = content_text(screen.query_one(FeedbackView))
        assert "✓ 정답" in feedback and "해설" in feedback and "바나나가 맞음" in feedback
        assert "데모 실습" in feedback


def test_the_next_review_is_said_exactly():
    """Not "in a moment" for a card 90 s away: seconds under a minute, else minutes and the local clock."""
    from datetime import datetime, timedelta, timezone

    now = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    screen = ReviewScreen(session=None)
    soon = now + timedelta(seconds=90)
    assert screen.next_review(soon, now) == f"Next review in 2 min, at {soon.astimezone().strftime('%H:%M')}: press r then."
    assert screen.next_review(now + timedelta(seconds=30.2), now) == "Next review in 31 seconds: press r then."
    assert screen.next_review(now + timedelta(days=3), now) == "Next review in 3 days."
    assert "초" in ReviewScreen(session=None, lang="ko").next_review(now + timedelta(seconds=5), now)


async def test_what_fell_due_during_review_is_reviewed_before_all_done(tiny_bank, store):
    """"All due reviews done" then "Reviews due now: 1" on home: the review takes in what fell due meanwhile,
    by the rule home counts with, so the two agree."""
    store.record_answer("alpha-single", {"A"}, False, mode="practice", now=days_ago(1))
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_review(app, pilot)
        assert screen.session.total == 1
        store.record_answer("beta-single", {"A"}, False, mode="practice", now=days_ago(1))  # falls due meanwhile
        await pilot.press(*keys_for(screen.session.current, {"B"}, screen.session.shown), "enter", "n")
        await pilot.pause()
        assert screen.session.current is not None and screen.session.current.id == "beta-single"
        await pilot.press(*keys_for(screen.session.current, {"C"}, screen.session.shown), "enter", "n")
        await pilot.pause()
        assert "All due reviews done: 2 of 2 right." in content_text(screen.query_one("#study-message"))
        await pilot.press("escape")
        await pilot.pause()
        assert "No reviews due" in screen_text(app)


def test_home_counts_due_cards_by_the_rule_review_draws_them_by(tiny_bank, store):
    """With an exam date the plan postpones some due cards; home (and `tutor stats`) count what review will
    ask, not plain FSRS's due cards, so "Reviews due now: N" and the review screen agree."""
    from datetime import date, timedelta

    from tutor.study.focus import FocusedReview
    from tutor.study.plan import save_settings
    from tutor.study.progress import summary

    store.record_answer("alpha-single", {"A"}, False, mode="practice", now=days_ago(40))  # due, recall low
    store.record_answer("beta-tf", {"T"}, True, mode="practice", now=days_ago(3))  # due, recall still high
    counts = []
    for exam in (None, date.today() + timedelta(days=10)):
        if exam is not None:
            save_settings(store, exam_date=exam)
        counts.append(summary(tiny_bank, store).due)
        assert counts[-1] == len(FocusedReview(tiny_bank, store).order)
    assert counts == [2, 1]  # the plan postpones beta-tf's review: home says so too
