"""Shared helpers for the app's Pilot tests (tests/app/): a tiny bank written to a temporary folder, so the
tests never depend on the shipped content, and a way to read what the screen shows. The fixtures built on
them (tiny_bank, broken_bank, store) live in tests/conftest.py."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

from rich.console import Console

from tutor.bank.labrefs import LabRef

SIZE = (80, 24)

TOPICS = """\
topics:
  - id: alpha
    title: {en: "Alpha topic", ko: "알파 주제"}
  - id: beta
    title: {en: "Beta topic", ko: "베타 주제"}
"""

QUESTIONS = """\
questions:
  - id: alpha-single
    topic: alpha
    stem: {en: "Which option is right in alpha?", ko: "알파에서 맞는 것은?"}
    options:
      - {key: A, text: {en: "Apple", ko: "사과"}, why: {en: "Apple is wrong because of WHY-A.", ko: "사과는 틀림 WHY-A."}}
      - {key: B, text: {en: "Banana", ko: "바나나"}, why: {en: "Banana is right because of WHY-B.", ko: "바나나가 맞음 WHY-B."}}
      - {key: C, text: {en: "Cherry", ko: "체리"}, why: {en: "Cherry is wrong because of WHY-C.", ko: "체리는 틀림 WHY-C."}}
      - {key: D, text: {en: "Date", ko: "대추"}, why: {en: "Date is wrong because of WHY-D.", ko: "대추는 틀림 WHY-D."}}
    answer: B
    explanation: {en: "EXPLAIN-SINGLE: bananas.", ko: "해설-SINGLE: 바나나."}
    concepts: [fruit, choice]
    lab: demo-lab
  - id: alpha-multi
    topic: alpha
    type: multiple
    stem: "Which two options are right?"
    options:
      - {key: A, text: "One", why: "WHY-1 right."}
      - {key: B, text: "Two", why: "WHY-2 wrong."}
      - {key: C, text: "Three", why: "WHY-3 right."}
      - {key: D, text: "Four", why: "WHY-4 wrong."}
    answer: [A, C]
    explanation: "EXPLAIN-MULTI."
  - id: beta-tf
    topic: beta
    type: true_false
    stem: "Beta is true."
    options:
      - {key: T, text: "True", why: "WHY-T."}
      - {key: F, text: "False", why: "WHY-F."}
    answer: true
    explanation: "EXPLAIN-TF."
  - id: beta-single
    topic: beta
    stem: "Pick C in beta."
    options:
      - {key: A, text: "a", why: "WHY-BA."}
      - {key: B, text: "b", why: "WHY-BB."}
      - {key: C, text: "c", why: "WHY-BC."}
    answer: C
    explanation: "EXPLAIN-BETA."
"""

BROKEN = "questions:\n  - id: broken\n    topic: [unclosed\n"

LABS = {
    "demo-lab": LabRef(
        id="demo-lab",
        title={"en": "Demo lab title", "ko": "데모 실습"},
        summary={"en": "Shows the demo claim with real training."},
    )
}


def write_bank(folder: Path, *, broken: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    (folder / "questions.yaml").write_text(QUESTIONS, encoding="utf-8")
    if broken:
        (folder / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    return folder


def build(bank, store, **kwargs):
    """The app on `bank`, with a seeded rng unless the test passes its own: orders are reproducible."""
    import random

    from tutor.app import make_app

    kwargs.setdefault("rng", random.Random(0))
    kwargs.setdefault("labs", LABS)
    return make_app(bank=bank, store=store, **kwargs)


async def retried(app, pilot, tries: int = 5) -> None:
    """Run the app's store retry (its timer's job) until nothing waits; a timer-started retry may be
    running already, so wait for it and try again."""
    for _ in range(tries):
        app._retry_store()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not app.store.pending:
            return


def screen_text(app) -> str:
    """The characters on the terminal right now (what a learner would see), one line per row."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def content_text(widget, width: int = 200) -> str:
    """Everything a Static holds (including what is scrolled out of view), as plain text."""
    content = widget.content
    if isinstance(content, str):
        return content
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(content)
    return console.export_text()


def keys_for(question, chosen, order=None) -> list[str]:
    """The digit keys that choose `chosen` (option keys) of `question` shown in `order` (option keys as
    displayed; default file order)."""
    keys = list(order or [o.key for o in question.options])
    return [str(keys.index(k) + 1) for k in sorted(chosen, key=keys.index)]


def wrong_keys(question) -> set[str]:
    wrong = next(o.key for o in question.options if o.key not in question.answers)
    return {wrong}


def days_ago(n: float) -> datetime:
    return datetime.now(timezone.utc) - timedelta(days=n)
