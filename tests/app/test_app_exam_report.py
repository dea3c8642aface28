"""The exam report: `l` acts on the focused answer only (and says so when none is), is offered only for an
answer with a lab; the pass mark is the learner's own."""

from __future__ import annotations

from support.app import SIZE, build, keys_for, screen_text

from tutor.app.screens.exam_report_screen import ExamReportScreen, minutes_seconds


async def finished_exam(app, pilot) -> ExamReportScreen:
    await pilot.press("e")
    await pilot.pause()
    session = app.screen.session
    first = session.questions[0]
    await pilot.press(*keys_for(first, first.answers, session.orders[first.id]), "s", "y")
    await pilot.pause()
    assert isinstance(app.screen, ExamReportScreen)
    return app.screen


def footer_offers_lab(screen) -> bool:
    return "l" in screen.active_bindings and screen.check_action("open_lab", ())


async def test_l_opens_the_focused_answers_lab_only(tiny_bank, store):
    app = build(tiny_bank, store)
    opened: list[tuple[str, str | None]] = []
    app.open_lab = lambda lab_id, question_id=None: opened.append((lab_id, question_id))
    async with app.run_test(size=SIZE) as pilot:
        screen = await finished_exam(app, pilot)
        items = {item.question.id: widget_id for widget_id, item in screen._items.items()}
        await pilot.press("l")  # nothing focused: no lab opens, the learner is told what l acts on
        await pilot.pause()
        assert not opened
        assert any("Tab to an answer" in str(n.message) for n in app._notifications)
        screen.query_one(f"#{items['beta-tf']}").focus()  # an answer without a lab
        await pilot.pause()
        assert not footer_offers_lab(screen) and "Open lab" not in screen_text(app)
        await pilot.press("l")
        await pilot.pause()
        assert not opened
        screen.query_one(f"#{items['alpha-single']}").focus()
        await pilot.pause()
        assert footer_offers_lab(screen) and "Open lab" in screen_text(app)
        await pilot.press("l")
        await pilot.pause()
        assert opened == [("demo-lab", "alpha-single")]


async def test_the_learners_pass_mark_decides(tiny_bank, store):
    from tutor.study.plan import save_settings

    save_settings(store, pass_mark=0.2)
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await finished_exam(app, pilot)
        assert "Pass mark 20%: passed" in screen_text(app)


async def test_korean_report_says_pass_mark_and_time(tiny_bank, store):
    app = build(tiny_bank, store, lang="ko")
    async with app.run_test(size=SIZE) as pilot:
        await finished_exam(app, pilot)
        shown = screen_text(app)
        assert "합격선 72%: 불합격" in shown and "걸린 시간 0:0" in shown


def test_time_format():
    assert minutes_seconds(0) == "0:00" and minutes_seconds(725.4) == "12:05" and minutes_seconds(3 * 3600 + 61) == "3:01:01"
