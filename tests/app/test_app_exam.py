"""Exam mode: countdown, navigator, flags, no feedback until the end, confirmation, the report,
and time running out."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from support.app import SIZE, build, content_text, keys_for, screen_text, wrong_keys

from tutor.app.screens.confirm_modal import ConfirmModal
from tutor.app.screens.exam_report_screen import ExamReportScreen
from tutor.app.screens.exam_screen import ExamScreen, clock
from tutor.app.widgets.exam_navigator import NavCell
from tutor.app.widgets.feedback_view import FeedbackView
from tutor.study.sessions import ExamSession


async def test_exam_to_its_report(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        session = screen.session
        assert session.total == 4  # the short preset asks for 10; the tiny bank has 4
        shown = screen_text(app)
        assert "Question 1 / 4" in shown and "⏱ 14:5" in shown

        first, second, third = session.questions[:3]
        orders = session.orders
        await pilot.press(*keys_for(first, first.answers, orders[first.id]))  # right
        await pilot.press("right", *keys_for(second, wrong_keys(second), orders[second.id]))  # wrong
        await pilot.press("x")  # flag the second
        await pilot.press("right", *keys_for(third, third.answers, orders[third.id]))  # right; the fourth stays unanswered
        await pilot.pause()
        assert session.answers == {first.id: first.answers, second.id: frozenset(wrong_keys(second)), third.id: third.answers}
        assert session.flags == {second.id}
        assert not screen.query(FeedbackView)  # no feedback during the exam
        assert "answered 3/4" in screen_text(app) and "flagged 1" in screen_text(app)
        cells = list(screen.query(NavCell))
        assert cells[1].has_class("-flagged") and cells[0].has_class("-answered") and not cells[3].has_class("-answered")
        assert cells[1].has_class("-answered") and "•⚑" in str(cells[1].content)  # flagged and answered: both shown
        assert not store.attempts()  # nothing recorded before the end

        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "1 question unanswered" in screen_text(app)
        assert "1 question still flagged" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()

        report_screen = app.screen
        assert isinstance(report_screen, ExamReportScreen)
        report = report_screen.report
        assert (report.score, report.total) == (2, 4)
        shown = screen_text(app)
        assert "Score 2 / 4 (50%)" in shown
        assert "Pass mark 72%: not passed" in shown and "time taken 0:0" in shown and " of 15:00" in shown
        topics = content_text(report_screen.query_one("#report-topics"))
        assert "By topic" in topics and "Alpha topic" in topics and "Beta topic" in topics
        for right, total in report.per_topic.values():
            assert f"{right}/{total}" in topics
        items = [content_text(item) for item in report_screen.query(".report-item")]
        assert len(items) == 4
        assert "⚑ flagged" in items[1] and "✗ Incorrect" in items[1]
        assert "no answer" in items[3]
        for item, question in zip(items, session.questions, strict=True):
            assert question.explanation["en"] in item
            assert all(o.why["en"] in item for o in question.options)
        assert len(store.exams()) == 1
        assert sorted(a.question_id for a in store.attempts()) == sorted([first.id, second.id, third.id])

        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HomeScreen"


async def test_navigator_click_and_no_to_confirmation(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        await pilot.click(list(screen.query(NavCell))[2])
        await pilot.pause()
        assert screen.index == 2 and "Question 3 / 4" in screen_text(app)
        await pilot.press("left")
        await pilot.pause()
        assert screen.index == 1
        await pilot.press("s", "n")
        await pilot.pause()
        assert app.screen is screen and not store.exams()
        await pilot.press("escape", "y")  # leave without scoring
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HomeScreen"
        assert not store.exams()


async def test_time_running_out_ends_the_exam(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        now = datetime.now(timezone.utc)
        low = ExamSession(tiny_bank, store, 4, 15, now=now - timedelta(minutes=12))
        app.push_screen(ExamScreen(low))
        await pilot.pause()
        assert "-low-time" in app.screen.query_one("#exam-bar").classes  # 3 minutes left: the bar turns red
        app.pop_screen()
        over = ExamSession(tiny_bank, store, 4, 15, now=now - timedelta(minutes=15, seconds=1))
        app.push_screen(ExamScreen(over))
        for _ in range(150):  # the countdown ticks each second (slack for a busy machine)
            if isinstance(app.screen, ExamReportScreen):
                break
            await pilot.pause(0.1)
        await pilot.pause()  # let the report screen paint before reading the terminal
        screen = app.screen
        assert isinstance(screen, ExamReportScreen)
        assert screen.report.timed_out and screen.report.answered == 0
        assert "Time ran out" in screen_text(app)
        assert len(store.exams()) == 1


def test_clock_format():
    assert clock(timedelta(minutes=14, seconds=5)) == "14:05"
    assert clock(timedelta(hours=2, minutes=59, seconds=59)) == "2:59:59"
    assert clock(timedelta(seconds=-3)) == "00:00"


async def test_full_mock_is_65_questions_in_180_minutes(store):
    from tutor.app import make_app
    from tutor.bank import load_bank

    bank = load_bank()  # the shipped bank: a mock exam takes what it has, up to 65
    app = make_app(bank=bank, store=store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await pilot.pause()
        session = app.screen.session
        assert session.count == 65 and session.minutes == 180
        assert session.total == min(65, len(bank))
        assert "⏱ 2:59:5" in screen_text(app) or "⏱ 3:00:00" in screen_text(app)


async def test_fast_typing_lands_on_the_question_shown(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        session = app.screen.session
        await pilot.press("1", "right", "2", "right", "x")  # no pauses: as fast as keys can come
        await pilot.pause()
        first, second, third = session.questions[:3]
        assert session.answers[first.id] == {session.orders[first.id][0]}  # the first and second options shown
        assert session.answers[second.id] == {session.orders[second.id][1]}
        assert session.flags == {third.id}
