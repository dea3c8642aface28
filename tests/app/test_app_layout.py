"""What a learner saw go wrong on small terminals and in the tables: the home footer and the set `p`
starts at 60x20, headers over their numbers, the first exam question opening on its stem, the report's
% over the percentages, the Labs list's ellipsis, and concept tags in Korean."""

from __future__ import annotations

import random

from support.app import LABS, SIZE, TOPICS, build, content_text, screen_text

from tutor.app.screens.exam_screen import ExamScreen
from tutor.app.strings import concept
from tutor.bank import load_bank
from tutor.bank.labrefs import LabRef
from tutor.study.sessions import ExamSession

SMALL = (60, 20)

LONG = """\
questions:
  - id: long-stem
    topic: alpha
    stem: "{stem}"
    options:
      - {{key: A, text: "{option} one.", why: "No."}}
      - {{key: B, text: "{option} two.", why: "Yes."}}
      - {{key: C, text: "{option} three.", why: "No."}}
      - {{key: D, text: "{option} four.", why: "No."}}
    answer: B
    explanation: "B."
"""


async def test_home_at_60x20_keeps_its_footer_and_names_the_set_p_starts(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert "q Quit" in lines[-1]  # the last key is not cut off
        assert "p / Enter practises All topics (4)" in screen_text(app)
        await pilot.press("down")
        await pilot.pause()
        assert "p / Enter practises Alpha topic (2)" in screen_text(app)
        await pilot.press("p")
        await pilot.pause()
        assert app.screen.session.topic == "alpha"


async def test_home_number_headers_sit_over_their_numbers(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = screen_text(app).splitlines()
        header = next(line for line in lines if "Qs" in line)
        row = next(line for line in lines if "All topics" in line)
        assert header.index("Qs") + 2 == row.index(" 4 ") + 2  # both end in the same column
        assert header.index("Seen") + 4 == row.index(" 0 ", header.index("Qs") + 2) + 2


async def test_first_exam_question_opens_on_its_stem_at_60x20(tmp_path, store):
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    stem = "START OF STEM. " + "A long scenario with a constraint and numbers to reason with. " * 6
    option = "A plausible action that takes a whole line or two to describe in full detail"
    (folder / "long.yaml").write_text(LONG.format(stem=stem.strip(), option=option), encoding="utf-8")
    bank = load_bank([folder], labs=LABS)
    app = build(bank, store)
    async with app.run_test(size=SMALL) as pilot:
        app.push_screen(ExamScreen(ExamSession(bank, store, 1, 15, rng=random.Random(0))))
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#exam-main").scroll_y == 0
        assert "START OF STEM" in screen_text(app)


async def test_report_percent_header_sits_over_the_percentages(tiny_bank, store):
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "s", "y")
        await pilot.pause()
        table = content_text(app.screen.query_one("#report-topics"), width=76).splitlines()
        header = next(line for line in table if "Topic" in line)
        row = next(line for line in table if "Alpha topic" in line)
        assert header.rstrip().endswith("%") and len(header.rstrip()) == len(row.rstrip())


async def test_labs_list_cuts_long_titles_with_an_ellipsis(tiny_bank, store):
    from tutor.app import make_app

    labs = {"demo-lab": LabRef(id="demo-lab", title={"en": "A lab title far too long to fit on one line of a small terminal window"}, summary={})}
    app = make_app(bank=tiny_bank, store=store, labs=labs, rng=random.Random(0))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("l")
        await pilot.pause()
        row = next(line for line in screen_text(app).splitlines() if "demo-lab" in line)
        assert row.rstrip().endswith("…") and "A lab title" in row


def test_concept_tags_read_in_korean():
    assert concept("ko", "overfitting") == "과대적합" and concept("ko", "fine-tuning") == "미세 조정"
    assert concept("en", "overfitting") == "overfitting"
    assert concept("ko", "a-tag-nobody-translated") == "a-tag-nobody-translated"
