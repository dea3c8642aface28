"""Issue 26 in the app: the home outlook (held misconceptions, exam date, plan, readiness), the exam date
dialog, practice on one misconception, focused review, leeches' way out, the command palette, F1 help
and the remembered theme."""

from __future__ import annotations

from support.app import SIZE, build, content_text, days_ago, screen_text
from support.tutoring import key_of

HELD = "bigger-is-better"


def choose_held(bank, store) -> None:
    """A learner who picks the bigger-is-better distractor in every question that offers it."""
    for n, qid in enumerate(("a1", "a2", "a3", "b1")):
        store.record_answer(qid, {key_of(bank, qid, HELD)}, False, mode="practice", now=days_ago(2 - n * 0.1))


async def outlook_ready(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_home_shows_the_held_misconception_with_its_evidence_and_way_out(misconception_bank, store):
    from tutor.app.screens.misconception_modal import MisconceptionModal
    from tutor.app.screens.misconception_screen import MisconceptionPracticeScreen

    choose_held(misconception_bank, store)
    app = build(misconception_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await outlook_ready(app, pilot)
        outlook = content_text(app.screen.query_one("#home-outlook"))
        assert "A bigger model always generalises better." in outlook
        assert "chose it in 4 of 4 questions that offered it, last on" in outlook
        assert "No exam date: d sets one" in outlook
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, MisconceptionModal)
        assert "The lab whose claim refutes it: Demo lab" in screen_text(app) or "demo" in screen_text(app).lower()
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, MisconceptionPracticeScreen)
        assert app.screen.session.misconception == HELD
        assert {q.id for q in app.screen.session.order} == {"a1", "a2", "a3", "b1"}
        assert "A bigger model" in screen_text(app)


async def test_misconception_modal_opens_its_lab(misconception_bank, store):
    choose_held(misconception_bank, store)
    app = build(misconception_bank, store)
    opened = []
    app.open_lab = lambda lab_id, question_id=None: opened.append(lab_id)
    async with app.run_test(size=SIZE) as pilot:
        await outlook_ready(app, pilot)
        await pilot.press("1", "l")
        await pilot.pause()
        assert opened == ["demo-lab"]


async def test_exam_date_dialog_refuses_bad_input_in_one_line_then_saves(misconception_bank, store):
    from datetime import date, timedelta

    from tutor.app.screens.exam_date_modal import ExamDateModal
    from tutor.study.plan import load_settings

    choose_held(misconception_bank, store)
    app = build(misconception_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await outlook_ready(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, ExamDateModal)
        await pilot.press(*"2020-01-01", "enter")
        await pilot.pause()
        error = content_text(modal.query_one("#plan-error"))
        assert error.startswith("Not saved:") and "not after today" in error and "\n" not in error.strip()
        assert app.screen is modal and load_settings(store).exam_date is None
        day = (date.today() + timedelta(days=30)).isoformat()
        modal.query_one("#plan-date").value = day
        modal.query_one("#plan-minutes").value = "20"
        modal.query_one("#plan-mark").value = "abc"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is modal and "Not saved:" in content_text(modal.query_one("#plan-error"))
        modal.query_one("#plan-mark").value = "80"
        await pilot.press("enter")
        await outlook_ready(app, pilot)
        assert app.screen is not modal
        settings = load_settings(store)
        assert (settings.exam_date.isoformat(), settings.minutes_per_day, settings.pass_mark) == (day, 20, 0.8)
        outlook = content_text(app.screen.query_one("#home-outlook"))
        assert f"Exam on {day}: 30 days left" in outlook or f"Exam on {day}: 29 days left" in outlook
        assert "reviews today" in outlook
        assert "Readiness" in outlook and "chance of passing 80%" in outlook


async def test_review_is_focused_on_held_misconceptions(misconception_bank, store):
    from tutor.study.focus import FocusedReview

    choose_held(misconception_bank, store)
    store.record_answer("b3", {"A"}, False, mode="practice", now=days_ago(3))
    app = build(misconception_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await outlook_ready(app, pilot)
        await pilot.press("r")
        await pilot.pause()
        session = app.screen.session
        assert isinstance(session, FocusedReview)
        assert session.order[-1].id == "b3"  # the one that targets no held misconception comes last


async def test_a_leech_offers_its_lab_and_its_misconception(misconception_bank, store):
    from tutor.app.screens.misconception_screen import MisconceptionPracticeScreen

    for n in range(2):
        store.record_answer("a1", {key_of(misconception_bank, "a1", HELD)}, False, mode="practice", now=days_ago(3 - n))
    app = build(misconception_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await outlook_ready(app, pilot)
        app.start_question("a1")
        await pilot.pause()
        screen = app.screen
        assert screen.session.current.id == "a1"
        letter = str(screen.session.shown.index(key_of(misconception_bank, "a1", HELD)) + 1)
        await pilot.press(letter, "enter")
        await pilot.pause()
        leech = content_text(screen.query_one("#leech"))
        assert "Missed 3 times" in leech and "see it happen in lab" in leech
        assert "the belief behind your choice: A bigger model always generalises better. (x practises it)" in leech
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, MisconceptionPracticeScreen)


async def test_no_leech_line_on_a_first_miss(misconception_bank, store):
    app = build(misconception_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await outlook_ready(app, pilot)
        app.start_question("b2")
        await pilot.pause()
        await pilot.press(str(app.screen.session.shown.index("A") + 1), "enter")
        await pilot.pause()
        assert not app.screen.query_one("#leech").display


async def test_command_palette_finds_a_question_by_id_and_by_korean_text(misconception_bank, store):
    from textual.command import CommandPalette

    app = build(misconception_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await outlook_ready(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"b2")
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        assert "b2: Which holds for b2?" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert app.screen.session.current.id == "b2"
        await pilot.press("escape")
        await pilot.pause()


async def test_palette_lists_topics_labs_and_misconceptions_in_korean(misconception_bank, store, tmp_path):
    from tutor.app.commands import LabCommands, MisconceptionCommands, TopicCommands

    from tutor.bank.labrefs import LabRef

    labs = {"demo-lab": LabRef(id="demo-lab", title={"en": "Demo lab", "ko": "데모 실습"}, summary={}, path=tmp_path)}
    app = build(misconception_bank, store, lang="ko", labs=labs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        found = {}
        for kind in (TopicCommands, LabCommands, MisconceptionCommands):
            provider = kind(app.screen)
            await provider.startup()
            found[kind.__name__] = [label for _s, label, _m, _h in provider._entries]
        assert "주제 연습: 알파 주제" in found["TopicCommands"]
        assert found["LabCommands"] == ["실험 열기: 데모 실습"]
        assert "실험에서 반박 보기: 더 큰 모델이 언제나 더 잘 일반화한다." in found["MisconceptionCommands"]
        assert "오개념 연습: 더 큰 모델이 언제나 더 잘 일반화한다." in found["MisconceptionCommands"]
        # searching in English finds the Korean label (both languages are searched)
        provider = MisconceptionCommands(app.screen)
        await provider.startup()
        hits = [hit async for hit in provider.search("bigger model")]
        assert hits and "더 큰 모델" in hits[0].text


async def test_f1_lists_the_keys_of_the_screen_translated(tiny_bank, store):
    from tutor.app.screens.help_screen import HelpScreen

    app = build(tiny_bank, store, lang="ko")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        assert "이 화면의 키" in shown and "연습" in shown and "시험 날짜" in shown and "명령" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_the_theme_is_remembered_across_runs(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "tutor-high-contrast" in app.available_themes
        app.theme = "tutor-high-contrast"
        await pilot.pause()
    again = build(tiny_bank, store)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "tutor-high-contrast"


async def test_ctrl_z_takes_the_last_answer_back(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        screen = app.screen
        first = screen.session.current
        await pilot.press("1", "enter")
        await pilot.pause()
        assert len(store.attempts()) == 1 and store.card(first.id) is not None
        await pilot.press("f1")
        await pilot.pause()
        assert "Undo answer" in screen_text(app)  # F1 lists it while there is an answer to take back
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert store.attempts() == [] and store.card(first.id) is None
        assert screen.session.current is first and screen.state == "answering"
        await pilot.press("ctrl+z")  # nothing left to undo: no change
        await pilot.pause()
        assert screen.session.current is first


async def test_confidence_is_off_by_default_and_asked_once_turned_on(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("1", "enter")  # off by default: Enter grades straight away
        await pilot.pause()
        assert store.attempts()[-1].confidence is None
        await pilot.press("escape")
        await pilot.pause()
        while len(app.screen_stack) > 2:  # back home (practice may show its summary first)
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("c")  # turned on, and remembered in the store
        await pilot.pause()
        assert store.setting("app.confidence") == "on"
        await pilot.press("p")
        await pilot.pause()
        screen = app.screen
        await pilot.press("1", "enter")
        await pilot.pause()
        assert screen.state == "answering" and len(store.attempts()) == 1
        assert "How sure are you?" in screen_text(app) and "s Sure" in screen_text(app)
        await pilot.press("escape")  # back to the options, nothing graded
        await pilot.pause()
        assert screen.state == "answering" and len(store.attempts()) == 1
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        assert screen.state == "feedback"
        assert store.attempts()[-1].confidence == "guessing"


async def test_exam_date_dialog_refuses_in_korean(tiny_bank, store):
    app = build(tiny_bank, store, lang="ko")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        modal = app.screen
        await pilot.press(*"2026-13-40", "enter")
        await pilot.pause()
        assert content_text(modal.query_one("#plan-error")).strip() == "저장하지 않음: 시험 날짜가 날짜 형식이 아닙니다: YYYY-MM-DD로 쓰세요"
        modal.query_one("#plan-date").value = "2099-01-01"
        await pilot.press("enter")
        await pilot.pause()
        assert "730일보다 멉니다" in content_text(modal.query_one("#plan-error"))
        modal.query_one("#plan-date").value = "2020-01-01"
        modal.query_one("#plan-minutes").value = "lots"
        await pilot.press("enter")
        await pilot.pause()
        assert "숫자여야 합니다" in content_text(modal.query_one("#plan-error"))
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not modal
