"""Home screen: topics, counts, mastery, reviews due, bank problems, language, 80x24 layout, start-up."""

from __future__ import annotations

from support.app import SIZE, build, content_text, days_ago, screen_text
from textual.widgets import Button, Footer

from tutor.app.widgets.topic_table import ALL, TopicTable


async def test_home_lists_topics_with_counts_and_mastery(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one(TopicTable)
        assert list(r.value for r in table.rows) == [ALL, "alpha", "beta"]
        shown = screen_text(app)
        assert "Alpha topic" in shown and "Beta topic" in shown
        assert "All topics" in shown
        assert "0%" in shown  # the mastery bars
        assert "No reviews due" in shown
        assert app.startup_ms is not None and app.startup_ms > 0


async def test_home_counts_due_reviews_and_mastery_after_answers(tiny_bank, store):
    store.record_answer("alpha-single", {"A"}, False, mode="practice", now=days_ago(2))
    store.record_answer("beta-tf", {"T"}, True, mode="practice")
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        status = content_text(app.screen.query_one("#home-status"))
        assert "Reviews due now: 1" in status
        beta = app.screen.query_one(TopicTable).get_row("beta")
        assert beta[1].plain.strip() == "2" and beta[2].plain.strip() == "1"
        assert "50%" in beta[3].plain  # one of two beta questions held


async def test_bank_problems_are_reported_on_home(broken_bank, store):
    app = build(broken_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        notice = content_text(app.screen.query_one("#home-problems"))
        assert "1 file had problems: run `tutor questions validate`" in notice
        assert "broken.yaml:" in notice
        assert "broken.yaml:" in screen_text(app)
        # the rest of the bank is still served
        assert "Alpha topic" in screen_text(app)


async def test_korean_chrome(tiny_bank, store):
    app = build(tiny_bank, store, lang="ko")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        assert "전체 주제" in shown  # All topics
        assert "알파 주제" in shown  # topic title from the bank
        assert "연습" in shown and "복습" in shown and "종료" in shown  # buttons and footer keys
        assert "Practice" not in shown and "Quit" not in shown
        await pilot.press("p")
        await pilot.pause()
        shown = screen_text(app)
        assert "연습" in shown and "제출" in shown  # bar and submit key


async def test_layout_fits_80x24(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen.region
        for widget in [app.screen.query_one(TopicTable), app.screen.query_one(Footer), *app.screen.query(Button)]:
            assert widget.region.area > 0, widget
            assert screen.contains_region(widget.region), widget
        shown = screen_text(app).splitlines()
        assert len(shown) == 24
        assert "p Practice" in shown[-1] and "q Quit" in shown[-1]


async def test_enter_on_a_topic_practises_it_and_buttons_work_with_the_mouse(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter")  # the row after "All topics": alpha
        await pilot.pause()
        assert app.screen.__class__.__name__ == "PracticeScreen"
        assert app.screen.session.topic == "alpha"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#btn-exam-short")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ExamScreen"
        await pilot.press("escape", "y")
        await pilot.pause()
        await pilot.click("#btn-review")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ReviewScreen"


async def test_q_quits_from_home(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_smoke_with_the_shipped_bank(store):
    from tutor.app import make_app

    app = make_app(store=store)
    assert app.bank.questions, "the shipped bank should load"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one(TopicTable).row_count == len(app.bank.topics) + 1
        await pilot.press("p")
        await pilot.pause()
        question = app.screen.session.current
        shown = list(app.screen.session.shown)  # options are shuffled: find the right ones where they are shown
        for key in sorted(question.answers):
            await pilot.press(str(shown.index(key) + 1))
        await pilot.press("enter")
        await pilot.pause()
        assert "Correct" in screen_text(app)
        await pilot.press("escape")  # the summary of what was answered first, then home
        await pilot.pause()
        assert "Stopped after 1 of" in screen_text(app)
        await pilot.press("escape", "e")
        await pilot.pause()
        assert "⏱" in screen_text(app)


def test_start_up_path_stays_light(tmp_path):
    """`import tutor.app` loads no Textual, and drawing the first screen loads no torch or matplotlib."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    script = (
        "import sys, json\n"
        "import tutor.app\n"
        "lazy = 'textual' not in sys.modules\n"
        "app = tutor.app.make_app(exit_when_ready=True)\n"
        "ms = app.run(headless=True, size=(80, 24))\n"
        "heavy = [m for m in ('torch', 'torchvision', 'matplotlib') if m in sys.modules]\n"
        "print(json.dumps({'lazy': lazy, 'ms': ms, 'heavy': heavy}))\n"
    )
    pythonpath = os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "TUTOR_HOME": str(tmp_path), "PYTHONPATH": pythonpath}
    out = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["lazy"], "importing tutor.app must not import Textual"
    assert result["heavy"] == []
    assert result["ms"] > 0
