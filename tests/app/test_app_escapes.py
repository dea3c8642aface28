"""Escape sequences written in question files reach the screen shown, never sent: in the app, in
`tutor stats` and in validate's messages (the sanitiser itself: tests/test_safetext.py)."""

from __future__ import annotations

import io

from rich.console import Console
from support.app import SIZE, content_text, screen_text

from tutor.bank import load_bank
from tutor.bank.labrefs import LabRef
from tutor.study.progress import render_stats, summary

BLINK, TITLE = "\\e[5;31m", "\\e]0;pwned\\a"  # YAML escapes: the loaded text holds ESC and BEL
TOPICS = f'topics:\n  - id: evil\n    title: "Topic{BLINK}T [bold]x[/]"\n'
QUESTIONS = f"""\
questions:
  - id: evil-q
    topic: evil
    stem: "Stem{BLINK}S{TITLE}"
    options:
      - {{key: A, text: "Opt{BLINK}A", why: "Why{TITLE}A"}}
      - {{key: B, text: "OptB", why: "WhyB"}}
    answer: A
    explanation: "Expl{BLINK}E"
    concepts: ["con{BLINK}cept"]
    lab: evil-lab
"""
LABS = {"evil-lab": LabRef("evil-lab", {"en": "Lab\x1b]0;pwned\x07L"}, {"en": "Sum\x1b[5mS"})}


def _bank(tmp_path):
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    (folder / "q.yaml").write_text(QUESTIONS, encoding="utf-8")
    bank = load_bank([folder], labs=LABS)
    assert not bank.problems, bank.problems
    assert "\x1b" in bank.questions["evil-q"].stem["en"]  # the hostile text really is there
    return bank


def build(bank, store, labs=LABS):
    from tutor.app import make_app

    return make_app(bank=bank, store=store, labs=labs)


def _safe(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text, repr(text)


async def test_app_shows_escape_sequences_escaped(tmp_path, store):
    app = build(_bank(tmp_path), store)
    async with app.run_test(size=(120, 40)) as pilot:
        home = screen_text(app)
        _safe(home)
        assert "Topic\\x1b[5;31mT [bold]x[/]" in home  # shown as written, not markup either
        app.start_practice("evil")
        await pilot.pause()
        question = screen_text(app)
        _safe(question)
        assert "Stem\\x1b[5;31mS\\x1b]0;pwned\\x07" in question and "Opt\\x1b[5;31mA" in question
        await pilot.press("1", "enter")
        await pilot.pause()
        feedback = content_text(app.screen.query_one("#feedback"))
        _safe(feedback)
        for shown in ("Why\\x1b]0;pwned\\x07A", "Expl\\x1b[5;31mE", "con\\x1b[5;31mcept", "Lab\\x1b]0;pwned\\x07L", "Sum\\x1b[5mS"):
            assert shown in feedback, shown
        _safe(screen_text(app))


async def test_labs_list_in_the_app_shows_titles_escaped(tmp_path, store):
    app = build(_bank(tmp_path), store)
    async with app.run_test(size=SIZE) as pilot:
        app.open_labs()
        await pilot.pause()
        text = screen_text(app)
        _safe(text)
        assert "Lab\\x1b]0;pwned\\x07L" in text


async def test_home_problems_are_shown_escaped(tmp_path, store):
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "bad\x1b[5m.yaml").write_text('questions:\n  - {id: x, "k\\e[5m": 1}\n', encoding="utf-8")
    bank = load_bank([folder], labs={})
    app = build(bank, store, labs={})
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        _safe(text)
        assert "bad\\x1b[5m.yaml" in text


def test_stats_shows_escape_sequences_escaped(tmp_path, store):
    bank = _bank(tmp_path)
    for _ in range(3):  # a leech: its stem is listed too
        store.record_answer("evil-q", ["B"], False, mode="practice")
    console = Console(file=io.StringIO(), width=200, force_terminal=True, color_system=None)
    console.print(render_stats(summary(bank, store), bank))
    out = console.file.getvalue()
    _safe(out)
    assert "Topic\\x1b[5;31mT [bold]x[/]" in out and "Stem\\x1b[5;31mS" in out
