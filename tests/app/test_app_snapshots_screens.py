"""Layout snapshots of every screen (pytest-textual-snapshot) at 80x24 in English and Korean, and the lab
page running and finished also at 100x30 (issue 23: every screen in both languages; issue 24: the lab page
running and finished). The feedback, exam report and review feedback screens are in test_app_snapshots.py.

Deterministic: the tiny banks of tests/support, a seeded rng, a fresh TUTOR_HOME and store per test, the
default theme, the study layer's clock stopped at support.frozen.NOW with local time in UTC (fixture
`frozen_clock`). The lab page trains nothing: support.labfeed.ScriptedLab stands in for the child process
(the lab monitor builds `tutor.app.lab_process.LabProcess`, swapped here) and plays a fixed event stream,
setting a stopped `time.perf_counter` to each event's second, so the elapsed time is fixed; the time left
is pinned (`RunClock.left`), so these pictures test the page's layout and not the estimate, which
tests/study and benchmarks/bench_lab_estimate.py hold to the truth.

After a deliberate layout change: look at the report pytest writes, then
`pytest tests/app/test_app_snapshots_screens.py --snapshot-update`.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from support.app import build, keys_for, wrong_keys
from support.frozen import NOW, days_before
from support.labfeed import (
    ScriptedLab,
    StoppedClock,
    labs_of,
    result,
    run_events,
    write_lab,
)
from support.tutoring import key_of

from tutor.app.screens.help_screen import HelpScreen
from tutor.app.screens.labs_screen import LabsScreen
from tutor.app.screens.misconception_modal import MisconceptionModal
from tutor.app.screens.misconception_screen import MisconceptionPracticeScreen
from tutor.app.screens.practice_screen import PracticeScreen
from tutor.app.screens.review_screen import ReviewScreen

LANGS = ["en", "ko"]
SIZE = (80, 24)
LAB_SIZES = [(80, 24), (100, 30)]
LEFT_S = 83.0  # the time left the running page shows (pinned: the estimate is not what these pictures test)
HELD = "bigger-is-better"

pytestmark = pytest.mark.usefixtures("frozen_clock")


async def settled(pilot) -> None:
    """Every worker done (the home outlook is computed off the UI thread) and the screen redrawn."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def pressed(*keys: str, shows: type | None = None):
    """A `run_before`: the first screen settled, then `keys` pressed; the screen is then a `shows`."""

    async def run_before(pilot) -> None:
        await settled(pilot)
        await pilot.press(*keys)
        await settled(pilot)
        assert shows is None or isinstance(pilot.app.screen, shows), pilot.app.screen

    return run_before


async def until(pilot, condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await pilot.pause(0.02)


# -- home, its dialogs and help ------------------------------------------------------------------------


def holding(bank, store) -> None:
    """A learner who picks the bigger-is-better distractor wherever it is offered, with an exam in 30 days."""
    from tutor.study.plan import save_settings

    for n, qid in enumerate(("a1", "a2", "a3", "b1")):
        store.record_answer(qid, {key_of(bank, qid, HELD)}, False, mode="practice", now=days_before(2 - n * 0.1))
    store.record_answer("b2", {"B"}, True, mode="practice", now=days_before(1))
    save_settings(store, (NOW + timedelta(days=30)).date(), 30, 0.72)


@pytest.mark.parametrize("lang", LANGS)
def test_home_first_run(snap_compare, tiny_bank, store, lang):
    app = build(tiny_bank, store, lang=lang)
    assert snap_compare(app, run_before=settled, terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_home_with_outlook(snap_compare, misconception_bank, store, snap_labs, lang):
    holding(misconception_bank, store)
    app = build(misconception_bank, store, lang=lang, labs=snap_labs)
    assert snap_compare(app, run_before=settled, terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_misconception_modal(snap_compare, misconception_bank, store, snap_labs, lang):
    holding(misconception_bank, store)
    app = build(misconception_bank, store, lang=lang, labs=snap_labs)
    assert snap_compare(app, run_before=pressed("1", shows=MisconceptionModal), terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_misconception_practice(snap_compare, misconception_bank, store, snap_labs, lang):
    holding(misconception_bank, store)
    app = build(misconception_bank, store, lang=lang, labs=snap_labs)
    assert snap_compare(app, run_before=pressed("1", "p", shows=MisconceptionPracticeScreen), terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_exam_date_modal(snap_compare, misconception_bank, store, snap_labs, lang):
    from textual.widgets import Input

    from tutor.app.screens.exam_date_modal import ExamDateModal

    holding(misconception_bank, store)
    app = build(misconception_bank, store, lang=lang, labs=snap_labs)

    async def open_it(pilot):
        await settled(pilot)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ExamDateModal)
        for field in app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor would be on or off at random

    assert snap_compare(app, run_before=open_it, terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_help_over_home(snap_compare, tiny_bank, store, lang):
    app = build(tiny_bank, store, lang=lang)
    assert snap_compare(app, run_before=pressed("f1", shows=HelpScreen), terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_command_palette(snap_compare, misconception_bank, store, snap_labs, lang):
    from textual.command import CommandPalette
    from textual.widgets import Input

    app = build(misconception_bank, store, lang=lang, labs=snap_labs)

    async def search(pilot):
        await settled(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        app.screen.query_one(Input).cursor_blink = False
        await pilot.press(*"bigger")
        await until(pilot, lambda: app.screen.query_one("CommandList").option_count > 0)
        await settled(pilot)  # the search worker done: no busy indicator

    assert snap_compare(app, run_before=search, terminal_size=SIZE)


# -- practice, review, exam ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_practice_question(snap_compare, tiny_bank, store, lang):
    app = build(tiny_bank, store, lang=lang)
    practise = pressed("down", "p", shows=PracticeScreen)  # the alpha topic: its first question is in both languages

    async def first_question(pilot):
        await practise(pilot)
        assert app.screen.session.current.id == "alpha-single"

    assert snap_compare(app, run_before=first_question, terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_practice_stopped_early(snap_compare, tiny_bank, store, lang):
    app = build(tiny_bank, store, lang=lang)

    async def stop(pilot):
        await settled(pilot)
        await pilot.press("p")
        await pilot.pause()
        screen = app.screen
        for _ in range(2):  # two answers, both wrong: the summary lists them
            question = screen.session.current
            await pilot.press(*keys_for(question, wrong_keys(question), screen.session.shown), "enter")
            await pilot.pause()
            await pilot.press("n")
            await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert screen.state == "done"

    assert snap_compare(app, run_before=stop, terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_review_question(snap_compare, tiny_bank, store, lang):
    store.record_answer("alpha-single", {"A"}, False, mode="practice", now=days_before(3))
    store.record_answer("beta-tf", {"F"}, False, mode="practice", now=days_before(2))
    app = build(tiny_bank, store, lang=lang)
    assert snap_compare(app, run_before=pressed("r", shows=ReviewScreen), terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_review_nothing_due(snap_compare, tiny_bank, store, lang):
    """Missed two minutes ago: due again in 8 minutes, said with the (UTC) local time it falls due."""
    store.record_answer("alpha-single", {"A"}, False, mode="practice", now=NOW - timedelta(minutes=2))
    app = build(tiny_bank, store, lang=lang)
    review = pressed("r", shows=ReviewScreen)

    async def nothing_due(pilot):
        await review(pilot)
        assert app.screen.state == "done"

    assert snap_compare(app, run_before=nothing_due, terminal_size=SIZE)


async def exam_under_way(pilot) -> None:
    """A short exam: the first question answered, the second flagged and shown."""
    from tutor.app.screens.exam_screen import ExamScreen

    app = pilot.app
    await settled(pilot)
    await pilot.press("e")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ExamScreen)
    first = screen.question
    await pilot.press(*keys_for(first, first.answers, screen.session.orders[first.id]))
    await pilot.press("right", "x")
    await pilot.pause()


@pytest.mark.parametrize("lang", LANGS)
def test_exam_in_progress(snap_compare, tiny_bank, store, lang):
    app = build(tiny_bank, store, lang=lang)
    assert snap_compare(app, run_before=exam_under_way, terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_exam_confirm_finish(snap_compare, tiny_bank, store, lang):
    from tutor.app.screens.confirm_modal import ConfirmModal

    app = build(tiny_bank, store, lang=lang)

    async def finish(pilot):
        await exam_under_way(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)

    assert snap_compare(app, run_before=finish, terminal_size=SIZE)


# -- labs ------------------------------------------------------------------------------------------------


def stored_run(store, snap_labs) -> None:
    from tutor.study.labruns import run_record

    path = snap_labs["demo-lab"].path
    store.save(run_record(result(path), lab_path=path, duration_s=44.0, question_id="alpha-single",
                          predicted_arm="few", predicted_verdict="reproduced"))


@pytest.mark.parametrize("lang", LANGS)
def test_labs_list(snap_compare, tiny_bank, store, snap_labs, tmp_path, lang):
    from tutor.bank.labrefs import LabRef

    stored_run(store, snap_labs)
    labs = {**snap_labs, "a-lab-never-run": LabRef(id="a-lab-never-run", title={"en": "A lab never run here, with a title long "
                                                   "enough to be cut at eighty columns", "ko": "여기서 한 번도 돌리지 않은 실습, 80칸에서 "
                                                   "잘릴 만큼 긴 제목"}, summary={}, path=tmp_path / "none.yaml")}
    app = build(tiny_bank, store, lang=lang, labs=labs)
    assert snap_compare(app, run_before=pressed("l", shows=LabsScreen), terminal_size=SIZE)


async def open_demo_lab(pilot) -> None:
    from tutor.app.screens.lab_screen import LabScreen

    await settled(pilot)
    pilot.app.open_lab("demo-lab", question_id="alpha-single")
    await pilot.pause()
    assert isinstance(pilot.app.screen, LabScreen)


@pytest.mark.parametrize("lang", LANGS)
def test_lab_before_a_run(snap_compare, tiny_bank, store, snap_labs, lang):
    app = build(tiny_bank, store, lang=lang, labs=snap_labs)
    assert snap_compare(app, run_before=open_demo_lab, terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_lab_reopened_with_its_last_run(snap_compare, tiny_bank, store, snap_labs, lang):
    stored_run(store, snap_labs)
    app = build(tiny_bank, store, lang=lang, labs=snap_labs)
    assert snap_compare(app, run_before=open_demo_lab, terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_lab_file_with_problems(snap_compare, tiny_bank, store, tmp_path, monkeypatch, lang):
    monkeypatch.chdir(tmp_path)  # the problems name the file by the path the catalogue has: "labs/demo-lab.yaml"
    path = write_lab(Path("labs"))
    path.write_text(path.read_text(encoding="utf-8").replace("per_class: 8", "per_class: eight")
                    .replace("many.val_acc > few", "lots.val_acc > few"), encoding="utf-8")
    app = build(tiny_bank, store, lang=lang, labs=labs_of(Path("labs")))
    assert snap_compare(app, run_before=open_demo_lab, terminal_size=SIZE)


@pytest.fixture
def scripted_lab(monkeypatch):
    """Swap the lab page's child process and clocks for a ScriptedLab on a stopped clock; `play(events, hold)`
    returns the ScriptedLab the next run uses."""
    clock = StoppedClock()
    for module in ("tutor.app.widgets.lab_monitor", "tutor.app.screens.lab_screen"):
        monkeypatch.setattr(f"{module}.time", clock)
    monkeypatch.setattr("tutor.study.labtime.RunClock.left", lambda self, now: LEFT_S)

    def play(events, *, hold: bool = False) -> ScriptedLab:
        scripted = ScriptedLab(events, clock, hold=hold)
        monkeypatch.setattr("tutor.app.lab_process.LabProcess", scripted)
        return scripted

    return play


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", LAB_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_lab_running(snap_compare, tiny_bank, store, snap_labs, scripted_lab, size, lang):
    from tutor.app.widgets.lab_monitor import LabMonitor

    events = run_events(snap_labs["demo-lab"].path, until=("some", 5))
    scripted = scripted_lab(events, hold=True)
    app = build(tiny_bank, store, lang=lang, labs=snap_labs)

    async def running(pilot):
        await open_demo_lab(pilot)
        lab = app.screen
        await pilot.press("enter", "r")  # guess the first arm, run
        await until(pilot, lambda: scripted.played == len(events))
        await pilot.pause()
        assert lab.state == "running"
        lab.query_one(LabMonitor).redraw()  # the chart as its next tick would draw it
        await pilot.pause()

    assert snap_compare(app, run_before=running, terminal_size=size)


def write_plots(folder) -> list[str]:
    """The run's result.json and one plot (two rising lines), as the lab would write them."""
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "result.json").write_text("{}", encoding="utf-8")
    image = Image.new("RGB", (400, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(10, 190), (390, 20)], fill=(31, 119, 180), width=3)
    draw.line([(10, 190), (390, 90)], fill=(214, 39, 40), width=3)
    image.save(folder / "curves.png")
    return ["run/result.json", "run/curves.png"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", LAB_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_lab_finished(snap_compare, tiny_bank, store, snap_labs, scripted_lab, tmp_path, monkeypatch, size, lang):
    monkeypatch.chdir(tmp_path)  # the run's folder is "run": the page names it, the same on every machine
    files = write_plots(tmp_path / "run")
    scripted_lab(run_events(snap_labs["demo-lab"].path, files=files, out="run"))
    app = build(tiny_bank, store, lang=lang, labs=snap_labs)

    async def finished(pilot):
        await open_demo_lab(pilot)
        lab = app.screen
        await pilot.press("enter", "r")
        await until(pilot, lambda: lab.state == "done")
        await pilot.pause()
        assert lab.outcome == "finished"

    assert snap_compare(app, run_before=finished, terminal_size=size)


@pytest.mark.parametrize("lang", LANGS)
def test_lab_cancelled(snap_compare, tiny_bank, store, snap_labs, scripted_lab, lang):
    """Escape during a run: the child's `cancelled` event, its partial result, the page says so."""
    from tutor.lab.events import Cancelled

    path = snap_labs["demo-lab"].path
    events = run_events(path, until=("some", 5))
    done = result(path)  # cancelled in the second arm: only the first arm's seeds finished
    partial = done.model_copy(update={"status": "cancelled", "verdict": "cancelled", "claims": [], "arms": {"few": done.arms["few"]}})
    scripted_lab([*events, (events[-1][0] + 0.5, Cancelled(reason="interrupted", result=partial))])
    app = build(tiny_bank, store, lang=lang, labs=snap_labs)

    async def cancelled(pilot):
        await open_demo_lab(pilot)
        lab = app.screen
        await pilot.press("r")
        await until(pilot, lambda: lab.state == "done")
        await pilot.pause()
        assert lab.outcome == "cancelled"

    assert snap_compare(app, run_before=cancelled, terminal_size=SIZE)
