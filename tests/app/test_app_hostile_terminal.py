"""The bytes the app sends to the terminal never carry a bank's or a lab's escape sequences raw (issue 25).

A bank and a lab whose every text field holds an OSC title change, BEL, a C1 CSI (\\x9b), an RTL override and
ESC[5m (blink) are walked through every screen: home, practice and its feedback, review, exam, the exam
report, the labs list and the lab page (arms, claims, the last stored run). Textual's headless driver is
swapped for one that keeps what the app writes, so the check is on the real terminal output, not on text
read back from widgets."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import ClassVar

import pytest
import textual.drivers.headless_driver as headless

from tutor.bank import load_bank
from tutor.bank.labrefs import lab_catalog

FAKE = Path(__file__).resolve().parents[1] / "data" / "fake_lab.py"  # `tutor lab --json` without training
PAYLOAD = "\x1b]0;PWNED\x07\x9b31m\u202e\x1b[5mX"  # what each text field carries
RAW = ("\x1b]0;PWNED", "PWNED\x07", "\x9b31m", "\u202e", "\x1b[5mX")  # none of it may reach the terminal as is
SAFE = "\\x1b]0;PWNED\\x07"  # how it shows instead
# every field the walk shows somewhere (each followed by SAFE on the terminal)
WORDS = ("Topic", "Stem", "OptA", "WhyA", "Expl", "concept", "LabTitle", "ArmA", "ArmB", "Says", "cpu", "Summary", "LookAt")


def hostile(word: str) -> str:
    """The field in both languages, each a YAML double-quoted string holding the raw characters."""
    return f"{{en: {json.dumps(word + PAYLOAD)}, ko: {json.dumps('한 ' + word + PAYLOAD)}}}"


def write_bank(folder):
    folder.mkdir()
    h = hostile
    (folder / "topics.yaml").write_text(f"topics:\n  - id: evil\n    title: {h('Topic')}\n",
                                        encoding="utf-8")
    questions = [f"""  - id: evil-{i}
    topic: evil
    stem: {h('Stem')}
    options:
      - {{key: A, text: {h('OptA')}, why: {h('WhyA')}}}
      - {{key: B, text: {h('OptB')}, why: {h('WhyB')}}}
      - {{key: C, text: {h('OptC')}, why: {h('WhyC')}}}
    answer: A
    explanation: {h('Expl')}
    concepts: [{json.dumps('concept' + PAYLOAD)}]
    lab: evil-lab
""" for i in range(4)]
    (folder / "q.yaml").write_text("questions:\n" + "".join(questions), encoding="utf-8")
    return folder


def write_lab(folder):
    folder.mkdir()
    h = hostile
    (folder / "evil-lab.yaml").write_text(f"""id: evil-lab
title: {h('LabTitle')}
summary: {h('Summary')}
look_at: {h('LookAt')}
questions: [evil-0]
dataset: {{name: digits, size: 16}}
defaults: {{per_class: 5, epochs: 1}}
arms:
  a: {{label: {h('ArmA')}}}
  b: {{label: {h('(A) ArmB')}, lr: 0.01}}
claims:
  - claim: a.val_acc > b.val_acc
    says: {h('Says')}
    backs: [evil-0]
""", encoding="utf-8")
    return folder


class Recording(headless.HeadlessDriver):
    """Textual's headless driver, except that the app writes to it as to a terminal, and it keeps it all."""

    written: ClassVar[list[str]] = []

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        Recording.written.append(data)


@pytest.fixture
def terminal(monkeypatch):
    Recording.written = []
    monkeypatch.setattr(headless, "HeadlessDriver", Recording)
    return Recording.written


def store_a_hostile_run(store, lab_path):
    from tutor.study.labruns import record_run

    claim = {"text": f"a.val_acc > b.val_acc{PAYLOAD}", "says": f"Says{PAYLOAD}", "holds": False, "opposite_holds": False,
             "numbers": {}, "why": f"Why{PAYLOAD}"}
    result = {"lab": "evil-lab", "status": "finished", "verdict": "inconclusive", "profile": "quick", "seeds": [0, 1],
              "device": f"cpu{PAYLOAD}", "versions": {"torch": f"2{PAYLOAD}"},
              "arms": {"a": {"val_acc": {"mean": 0.5, "sd": 0.1, "per_seed": [0.4, 0.6]}},
                       "b": {"val_acc": {"mean": 0.4, "sd": 0.1, "per_seed": [0.3, 0.5]}}},
              "claims": [claim], "started_at": "2026-01-01T00:00:00+00:00", "finished_at": "2026-01-01T00:01:00+00:00"}
    record_run(store, result, lab_path=lab_path, duration_s=60, out_dir=f"/tmp/out{PAYLOAD}")


@pytest.mark.parametrize("lang", ["en", "ko"])
async def test_every_screen_sends_file_text_escaped(tmp_path, store, terminal, lang):
    from tutor.app import make_app

    labs = lab_catalog([write_lab(tmp_path / "labs")])
    bank = load_bank([write_bank(tmp_path / "bank")], labs=labs)
    assert not bank.problems, bank.problems
    for qid in bank.questions:  # wrong answers: review has due cards, stats have leeches
        store.record_answer(qid, ["B"], False, mode="practice")
    store_a_hostile_run(store, labs["evil-lab"].path)
    app = make_app(bank=bank, store=store, labs=labs, lang=lang)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        seen = ["home"]
        for key in ("down", "down", "up"):  # the highlighted topic's "p / Enter practises ..." line
            await pilot.press(key)
        app.start_practice("evil")
        await pilot.pause()
        await pilot.press("1", "enter")
        await pilot.pause()
        seen.append("practice")
        app.pop_screen()
        app.start_review()
        await pilot.pause()
        await pilot.press("2", "enter")
        await pilot.pause()
        seen.append("review")
        app.pop_screen()
        app.start_exam("short", topic="evil")
        await pilot.pause()
        seen.append("exam")
        app.pop_screen()
        app.open_labs()
        await pilot.pause()
        seen.append("labs")
        app.pop_screen()
        app.open_lab("evil-lab", question_id="evil-0")
        await pilot.pause()
        for key in ("pagedown", "pagedown", "end"):
            await pilot.press(key)
        await pilot.pause()
        app.lab_command = lambda path, profile, seeds=None: [sys.executable, str(FAKE), str(path), profile, "0"]
        await pilot.press("r")  # a run (the scripted stand-in): its progress, then the result with summary and look_at
        lab = app.screen
        deadline = time.monotonic() + 60
        while lab.state != "done" and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert lab.state == "done"
        for key in ("pagedown", "pagedown", "pagedown", "end"):
            await pilot.press(key)
        await pilot.pause()
        seen.append("lab")
    out = "".join(terminal)
    assert len(out) > 10_000, "the recording driver saw the screens"
    leaked = [raw for raw in RAW if raw in out]
    assert not leaked, (leaked, out[max(0, out.find(leaked[0]) - 200): out.find(leaked[0]) + 50])
    shown = [word for word in WORDS if f"{word}{SAFE}" not in out.replace("한 ", "")]
    assert not shown, f"these fields were never on screen: {shown}"


async def test_the_exam_report_sends_file_text_escaped(tmp_path, store, terminal):
    from tutor.app import make_app
    from tutor.study.sessions import ExamSession

    labs = lab_catalog([write_lab(tmp_path / "labs")])
    bank = load_bank([write_bank(tmp_path / "bank")], labs=labs)
    app = make_app(bank=bank, store=store, labs=labs)
    async with app.run_test(size=(100, 40)) as pilot:
        session = ExamSession(bank, store, 4, 10, topic="evil")
        for question in session.questions:
            session.choose(question.id, ["B"])
        app.show_report(session.finish())
        await pilot.pause()
    out = "".join(terminal)
    assert not [raw for raw in RAW if raw in out]
    for word in ("Topic", "Stem", "OptB", "WhyB"):
        assert f"{word}{SAFE}" in out, word
