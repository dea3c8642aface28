"""Labs from the quiz: open a lab from a question's feedback or the labs list, predict, run, cancel,
reopen and see the stored result; keys keep working while a lab runs.

Fast tests drive the screen with tests/data/fake_lab.py (the real event stream, no training); the slow
ones run the real `tutor lab` on tests/data/tiny-lab.yaml in a child process.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest
from support.app import SIZE, content_text, keys_for, screen_text

from tutor.app import make_app
from tutor.app.screens.help_screen import key_rows
from tutor.app.screens.lab_screen import LabScreen
from tutor.app.screens.labs_screen import LabsScreen
from tutor.app.widgets.lab_monitor import LabMonitor
from tutor.app.widgets.lab_prediction import LabPrediction
from tutor.app.widgets.lab_result import LabResultView
from tutor.bank.labrefs import LabRef
from tutor.study import labruns

DATA = Path(__file__).resolve().parents[1] / "data"
TINY = DATA / "tiny-lab.yaml"
FAKE = DATA / "fake_lab.py"


@pytest.fixture(name="demo_labs")
def demo_labs_fixture(tmp_path):
    """The tiny lab under the id the test bank's question links to (demo-lab)."""
    path = tmp_path / "labs" / "demo-lab.yaml"
    path.parent.mkdir()
    path.write_text(TINY.read_text(encoding="utf-8").replace("id: tiny-lab", "id: demo-lab"), encoding="utf-8")
    return {"demo-lab": LabRef(id="demo-lab", title={"en": "Demo lab title"}, summary={"en": "Shows the demo claim."},
                               arms=frozenset({"few", "many"}), path=path)}


def build(bank, store, labs, *, delay: float | None = 0.0, **kwargs):
    app = make_app(bank=bank, store=store, labs=labs, **kwargs)
    if delay is not None:  # the scripted stand-in; delay=None keeps the real `tutor lab`
        app.lab_command = lambda path, profile: [sys.executable, str(FAKE), str(path), profile, str(delay)]
    return app


def epochs_done(lab) -> int:
    return sum(lab.query_one(LabMonitor).done_epochs.values())


async def wait_for(pilot, condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await pilot.pause(0.05)


async def start_demo_run(app, pilot) -> LabScreen:
    """Open the demo lab, press r, and return its screen once the first epoch has streamed in."""
    app.open_lab("demo-lab")
    await pilot.pause()
    lab = app.screen
    await pilot.press("r")
    await wait_for(pilot, lambda: epochs_done(lab) >= 1)
    return lab


async def open_lab_from_feedback(app, pilot) -> LabScreen:
    app.start_practice("alpha")
    await pilot.pause()
    screen = app.screen
    while screen.session.current.id != "alpha-single":  # the question linked to the lab
        screen.session.advance()
        await screen.show_current()
    question = screen.session.current
    await pilot.press(*keys_for(question, question.answers, screen.session.shown), "enter")
    await pilot.pause()
    assert "press l to open the lab" in content_text(screen.query_one("#feedback"))
    await pilot.press("l")
    await pilot.pause()
    assert isinstance(app.screen, LabScreen)
    return app.screen


async def test_open_from_feedback_predict_run_and_store(tiny_bank, store, demo_labs):
    app = build(tiny_bank, store, demo_labs)
    async with app.run_test(size=SIZE) as pilot:
        lab = await open_lab_from_feedback(app, pilot)
        intro = content_text(lab.query_one("#lab-intro"))
        assert "2 images per class" in intro and "20 images per class" in intro  # the arms, one line each
        assert "no measurement yet on this machine" in intro and "never run" in intro
        # predict: arm "few" (first radio), claims "contradicted" (third)
        await pilot.press("enter")  # the focused arm radio set: press its first button
        lab.query_one("#predict-verdict").focus()
        await pilot.press("down", "down", "enter")
        prediction = lab.query_one(LabPrediction)
        assert prediction.arm == "few" and prediction.verdict == "contradicted"
        await pilot.press("r")
        await wait_for(pilot, lambda: lab.state == "done")
        assert lab.outcome == "finished"
        shown = content_text(lab.query_one("#lab-verdict")) + content_text(lab.query_one("#lab-claims"))
        assert "Verdict: reproduced" in shown
        assert "best arm few: ✗ wrong (best: many)" in shown and "claims contradicted: ✗ wrong" in shown
        assert lab.query_one("#lab-table").row_count == 2
        [run] = labruns.runs(store)
        assert (run.lab_id, run.status, run.verdict, run.question_id) == ("demo-lab", "finished", "reproduced", "alpha-single")
        assert (run.predicted_arm, run.arm_matched, run.predicted_verdict, run.verdict_matched) == ("few", False, "contradicted", False)
        assert run.spec_hash == labruns.spec_hash(demo_labs["demo-lab"].path)
        await pilot.press("escape")  # back to the question
        await pilot.pause()
        assert app.screen.__class__.__name__ == "PracticeScreen"


async def test_reopen_shows_the_stored_result_and_measured_time(tiny_bank, store, demo_labs):
    app = build(tiny_bank, store, demo_labs)
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("demo-lab")
        await pilot.pause()
        await pilot.press("r")
        await wait_for(pilot, lambda: app.screen.state == "done")
        await pilot.press("escape")
        await pilot.pause()
        app.open_lab("demo-lab")
        await pilot.pause()
        intro = content_text(app.screen.query_one("#lab-intro"))
        assert "reproduced ·" in intro and "quick profile · device cpu · seeds 0,1" in intro
        assert "torch fake" in intro  # the versions of the stored run
        assert re.search(r"quick: about \d+ s on this machine \(measured", intro), intro
        assert re.search(r"full: about \d+ s on this machine \(from the quick run of", intro)  # scaled to the full profile


async def test_cancel_midway_stores_nothing_finished(tiny_bank, store, demo_labs):
    app = build(tiny_bank, store, demo_labs, delay=1.0)
    async with app.run_test(size=SIZE) as pilot:
        lab = await start_demo_run(app, pilot)
        await pilot.press("escape")  # cancels the run (does not leave the screen)
        await wait_for(pilot, lambda: lab.state == "done")
        assert app.screen is lab and lab.outcome == "cancelled"
        assert "cancelled" in content_text(lab.query_one("#lab-verdict"))
        assert labruns.last_run(store, "demo-lab") is None
        assert [r.status for r in labruns.runs(store)] == ["cancelled"]
        assert not app.lab_processes


async def test_keys_are_handled_while_a_lab_runs(tiny_bank, store, demo_labs):
    app = build(tiny_bank, store, demo_labs, delay=1.0)
    async with app.run_test(size=SIZE) as pilot:
        lab = await start_demo_run(app, pilot)
        body = lab.query_one("#lab-body")
        before = lab.keys_seen
        await pilot.press("end")
        await pilot.press("home", "r", "f")  # run keys are refused while running, not queued
        assert lab.keys_seen == before + 4 and lab.state == "running"
        assert body.scroll_y == 0
        await pilot.press("escape")
        await wait_for(pilot, lambda: lab.state == "done")


async def test_labs_list_from_home_opens_a_lab(tiny_bank, store, demo_labs):
    app = build(tiny_bank, store, demo_labs)
    async with app.run_test(size=SIZE) as pilot:
        assert "Labs" in screen_text(app)  # the home screen shows the key
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LabsScreen)
        assert "never run" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LabScreen) and app.screen.question_id is None
        await pilot.press("r")
        await wait_for(pilot, lambda: app.screen.state == "done")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LabsScreen)
        assert "reproduced" in screen_text(app)


async def test_exam_report_opens_the_lab_of_an_answer(tiny_bank, store, demo_labs):
    from tutor.app.screens.exam_report_screen import ExamReportScreen
    from tutor.study.sessions import ExamSession

    app = build(tiny_bank, store, demo_labs)
    async with app.run_test(size=SIZE) as pilot:
        session = ExamSession(tiny_bank, store, 4, 10, seed=1)
        report = session.finish()
        app.show_report(report)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExamReportScreen)
        n = next(i for i, item in enumerate(report.items, start=1) if item.question.id == "alpha-single")
        screen.query_one(f"#report-item-{n}").focus()
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LabScreen) and app.screen.question_id == "alpha-single"


async def test_a_broken_lab_file_shows_its_problems(tiny_bank, store, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: bad\ntitle: Bad\nsummary: s\ndataset: {name: digits}\narms:\n  a: {lr: fast}\nclaims: [a.val_acc > 0]\n")
    labs = {"bad": LabRef(id="bad", title={"en": "Bad"}, summary={}, path=path)}
    app = build(tiny_bank, store, labs)
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("bad")
        await pilot.pause()
        assert "bad.yaml:6" in content_text(app.screen.query_one("#lab-intro"))
        await pilot.press("r")  # nothing to run
        await pilot.pause()
        assert app.screen.state == "before"


@pytest.mark.slow
async def test_real_tiny_lab_runs_to_its_verdict_then_cancel(tiny_bank, store, demo_labs):
    """The real `tutor lab --json` child (torch in the child only): a verdict, files, a stored run; then a
    second run cancelled with Escape leaves no finished run behind."""
    app = build(tiny_bank, store, demo_labs, delay=None)
    async with app.run_test(size=SIZE) as pilot:
        lab = await open_lab_from_feedback(app, pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: lab.state == "done", timeout=240)
        assert lab.outcome == "finished", content_text(lab.query_one("#lab-verdict"))
        after = content_text(lab.query_one("#lab-after"))  # where the files went, after the picture
        assert "result.json" in after and "curves.png" in after
        [run] = labruns.runs(store)
        assert run.status == "finished" and run.verdict == lab.result.verdict and run.seeds == [0, 1]
        assert run.versions["torch"] and Path(run.out_dir, "result.json").is_file()
        await pilot.press("r")
        await wait_for(pilot, lambda: epochs_done(lab) >= 1, timeout=240)
        await pilot.press("escape")
        await wait_for(pilot, lambda: lab.state == "done", timeout=60)
        assert lab.outcome == "cancelled"
        assert [r.status for r in labruns.runs(store)] == ["finished", "cancelled"]
        assert labruns.last_run(store, "demo-lab").id == run.id


async def test_a_lab_that_fails_shows_its_error_and_stores_nothing(tiny_bank, store, demo_labs):
    app = build(tiny_bank, store, demo_labs)
    app.lab_command = lambda path, profile: [sys.executable, "-c", "import sys; print('tutor lab: no such dataset', file=sys.stderr); sys.exit(1)"]
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("demo-lab")
        await pilot.pause()
        await pilot.press("r")
        await wait_for(pilot, lambda: app.screen.state == "done")
        assert app.screen.outcome == "failed"
        shown = content_text(app.screen.query_one("#lab-verdict"))
        assert "exit code 1" in shown and "no such dataset" in shown
        assert labruns.runs(store) == []


def test_the_lab_screen_never_imports_torch_in_the_app_process(tutor_home):
    """Opening a shipped lab and running it (scripted child) leaves torch, torchvision and matplotlib
    out of the app's interpreter: the real training happens in the child process only."""
    import subprocess
    import textwrap

    script = textwrap.dedent(f"""
        import asyncio, sys
        from tutor.bank import load_bank
        from tutor.study.store import Store
        from tutor.app import make_app

        async def main():
            with Store() as store:
                app = make_app(bank=load_bank(), store=store)
                app.lab_command = lambda path, profile: [sys.executable, {str(FAKE)!r}, {str(TINY)!r}, profile]
                async with app.run_test(size=(80, 24)) as pilot:
                    app.open_lab("output-layer")
                    await pilot.pause()
                    await pilot.press("r")
                    while app.screen.state != "done":
                        await pilot.pause(0.05)
        asyncio.run(main())
        print(",".join(m for m in ("torch", "torchvision", "matplotlib") if m in sys.modules))
        """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert (out.stdout.strip().splitlines() or [""])[-1] == ""


# -- the lab page a learner can read (issue 13) ------------------------------------------------------


def lab_file(tmp_path, extra_arms: str = "", questions: str = "[]", look_at: str | None = None) -> dict:
    """The tiny lab under the demo id, with more arms, linked questions or another look-at text."""
    text_ = TINY.read_text(encoding="utf-8").replace("id: tiny-lab", "id: demo-lab").replace("questions: []", f"questions: {questions}")
    if look_at is not None:
        text_ = "\n".join(f"look_at: {look_at}" if line.startswith("look_at:") else line for line in text_.splitlines()) + "\n"
    text_ = text_.replace("claims:\n", f"{extra_arms}claims:\n") if extra_arms else text_
    if questions != "[]":  # a claim backs the questions a lab links (issue 21)
        text_ = text_.replace('    says: "the second arm sees more images"\n',
                              f'    says: "the second arm sees more images"\n    backs: {questions}\n')
    path = tmp_path / "labs" / "demo-lab.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text_, encoding="utf-8")
    return {"demo-lab": LabRef(id="demo-lab", title={"en": "Demo lab title"}, summary={"en": "Shows the demo claim."},
                               arms=frozenset({"few", "many"}), path=path)}


def with_files(app, out, delay: float = 0.0):
    """The fake lab, writing result.json and two PNGs to `out`."""
    app.lab_command = lambda path, profile: [sys.executable, str(FAKE), str(path), profile, str(delay), str(out)]


async def run_to_the_end(app, pilot, key: str = "r") -> LabScreen:
    lab = app.screen
    await pilot.press(key)
    await wait_for(pilot, lambda: lab.state == "done")
    await pilot.pause()
    await pilot.pause()
    return lab


async def test_the_finished_result_scrolls_with_pagedown_at_once(tiny_bank, store, demo_labs, tmp_path):
    app = build(tiny_bank, store, demo_labs)
    with_files(app, tmp_path / "run")
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("demo-lab")
        await pilot.pause()
        lab = await run_to_the_end(app, pilot)
        body = lab.query_one("#lab-body")
        assert app.focused is body  # no Tab needed
        assert body.scroll_y == 0 and "Verdict: reproduced" in screen_text(app)  # the result first, every time
        assert "PgDn/End" in screen_text(app).splitlines()[-1]  # the footer says which keys scroll
        assert body.max_scroll_y > body.scroll_y  # the end of the result is below the screen
        before = body.scroll_y
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > before
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        assert "r runs the quick profile" in screen_text(app)  # the page's last line (the next prediction) is on screen


async def test_a_second_run_starts_with_an_empty_chart(tiny_bank, store, demo_labs):
    app = build(tiny_bank, store, demo_labs)
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("demo-lab")
        await pilot.pause()
        lab = await run_to_the_end(app, pilot)
        chart = lab.query_one("#lab-plot")
        assert set(chart.series()) == {"few", "many"}
        app.lab_command = lambda path, profile: [sys.executable, str(FAKE), str(path), profile, "0.5"]
        await pilot.press("r")
        await pilot.pause()
        assert lab.state == "running" and chart.series() == {}  # before the new run's first epoch
        await pilot.press("escape")
        await wait_for(pilot, lambda: lab.state == "done")


SEARCH_ARM = """  tuned:
    label: "a search over 3 learning rates"
    per_class: 5
    search: {trials: 3, space: {lr: [0.001, 0.01, 0.1]}}
"""


async def test_the_chart_axis_never_exceeds_the_longest_arms_epochs(tiny_bank, store, tmp_path):
    """A search's trials are not drawn end to end: its best trial shares the other arms' axis (2 epochs here)."""
    labs = lab_file(tmp_path, SEARCH_ARM)
    app = build(tiny_bank, store, labs, delay=0.1)
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("demo-lab")
        await pilot.pause()
        lab = app.screen
        await pilot.press("r")
        chart = lab.query_one("#lab-plot")
        seen = set()
        while lab.state != "done":
            assert chart.x_max() == 2
            assert all(len(points) <= 2 for points, _ in chart.series().values())
            seen |= set(chart.series())
            await pilot.pause(0.02)
        seen |= set(chart.series())  # a busy machine may finish the scripted run between two looks
        assert lab.outcome == "finished" and "tuned" in seen
        assert lab.query_one(LabMonitor).totals["tuned"] == 3 * 2 * 2  # its progress bar still counts every trial's epochs (2 seeds)
        points, best = chart.series()["tuned"]
        assert best and len(points) == 2


async def test_option_letters_are_named_as_the_questions_options(tiny_bank, store, tmp_path):
    labs = lab_file(tmp_path, '  lettered: {label: "(A) retrain everything", per_class: 3}\n', questions="[alpha-single]")
    app = build(tiny_bank, store, labs)
    async with app.run_test(size=SIZE) as pilot:
        lab = await open_lab_from_feedback(app, pilot)
        assert "lettered: option A of the question: retrain everything" in content_text(lab.query_one("#lab-intro"))
        await pilot.press("escape")
        await pilot.pause()
        app.open_lab("demo-lab")  # from the labs list: which question the letters belong to
        await pilot.pause()
        intro = content_text(app.screen.query_one("#lab-intro"))  # the question named by its stem, never its id
        assert "option A of the question “Which option is right in alpha?”: retrain everything" in intro, intro


async def test_the_main_picture_and_the_folder_key(tiny_bank, store, tmp_path, monkeypatch):
    """The PNG the look-at text names is drawn; o on a machine without a file manager shows the path."""
    labs = lab_file(tmp_path, look_at='"loss.png: the loss falls faster with momentum."')
    monkeypatch.setattr("tutor.app.widgets.lab_picture.shutil.which", lambda name: None)
    app = build(tiny_bank, store, labs)
    out = tmp_path / "run"
    with_files(app, out)
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("demo-lab")
        await pilot.pause()
        lab = await run_to_the_end(app, pilot)
        picture = lab.query_one("#lab-picture")
        assert picture.display and picture.path == out / "loss.png"
        assert "loss.png, scaled down" in content_text(picture)
        await pilot.press("o")
        await pilot.pause()
        assert any(str(out) in str(n.message) for n in app._notifications)
        app.clear_notifications()
        await pilot.press("escape")
        await pilot.pause()
        app.open_lab("demo-lab")  # before a run, o opens the last stored run's folder
        await pilot.pause()
        assert ("o", "Open folder") in key_rows(app.screen, "en")  # F1 lists it (the footer leaves it out: full)
        await pilot.press("o")
        await pilot.pause()
        assert any(str(out) in str(n.message) for n in app._notifications)


async def test_the_page_frame_in_korean(tiny_bank, store, demo_labs):
    app = build(tiny_bank, store, demo_labs, lang="ko")
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("demo-lab")
        await pilot.pause()
        intro = content_text(app.screen.query_one("#lab-intro"))
        assert "빠른 프로필: 이 기기에서 아직 측정하지 않음" in intro and "전체 프로필:" in intro
        assert "quick:" not in intro and "full:" not in intro
        lab = await run_to_the_end(app, pilot)
        shown = content_text(lab.query_one("#lab-verdict")) + content_text(lab.query_one("#lab-claims"))
        assert "판정: 재현됨" in shown and "성립" in shown and "Verdict" not in shown and "holds" not in shown
        headers = [str(c.label) for c in lab.query_one("#lab-table").columns.values()]
        assert headers[:3] == ["방법", "훈련 %", "검증 %"]
        assert "이 기기에서 약" in content_text(lab.query_one("#lab-intro"))


async def test_a_claim_not_shown_says_why_in_korean(tiny_bank, store, demo_labs):
    app = build(tiny_bank, store, demo_labs, lang="ko")
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("demo-lab")
        await pilot.pause()
        lab = app.screen
        margin = {"mean": 0.024, "sd": 0.043, "lower": -0.005, "per_seed": [0.01] * 8}
        claim = {"text": "many.val_acc > few.val_acc", "holds": False, "opposite_holds": False,
                 "numbers": {"margin": margin, "min_effect": 0.01, "needed": 0.01, "seeds": 8, "seeds_to_show": 27}}
        from tutor.lab.result import LabResult

        lines = lab.query_one(LabResultView).claim_lines(LabResult.model_validate({"lab": "demo-lab", "claims": [claim], "verdict": "inconclusive"}))
        shown = " ".join(str(part) for part in lines)
        assert "보이지 않은 이유" in shown and "시드 약 27개" in shown and "why" not in shown


# -- the lab page after issue 24: predict first, plain words, the result in view, more seeds -------------


async def test_the_page_asks_for_a_prediction_before_it_shows_any_finding(tiny_bank, store, demo_labs):
    app = build(tiny_bank, store, demo_labs)
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("demo-lab")
        await pilot.pause()
        lab = app.screen
        page = content_text(lab.query_one("#lab-intro")) + content_text(lab.query_one("#lab-claims-ahead"))
        assert "Two linear heads" not in page and "Compare the validation accuracy" not in page  # summary, look-at: later
        assert "the second arm sees more images" not in page and "train_images" not in page  # claims after the guess
        await pilot.press("enter")  # guess the first arm
        await pilot.pause()
        claims = content_text(lab.query_one("#lab-claims-ahead"))
        assert "the second arm sees more images" in claims and "many.train_images" not in claims  # plain words, no code
        lab = await run_to_the_end(app, pilot)
        shown = content_text(lab.query_one("#lab-claims")) + content_text(lab.query_one("#lab-after"))
        assert "What this lab shows" in shown and "Two linear heads" in shown and "Compare the validation accuracy" in shown
        assert "the second arm sees more images" in shown and "many.train_images" not in shown


async def test_more_seeds_reruns_with_the_count_that_would_show_the_claims(tiny_bank, store, demo_labs):
    calls = []
    app = build(tiny_bank, store, demo_labs)
    app.lab_command = lambda path, profile, seeds=None: calls.append(seeds) or [sys.executable, str(FAKE), str(path), profile, "0"]
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("demo-lab")
        await pilot.pause()
        lab = await run_to_the_end(app, pilot)
        assert "m More seeds" not in screen_text(app).splitlines()[-1]  # every claim shown: no such key
        lab.more = 12  # what LabSession.more_seeds finds when seeds spread (tests/study/test_study_labsession.py)
        lab.refresh_bindings()
        await pilot.pause()
        assert "m More seeds" in screen_text(app).splitlines()[-1]
        await run_to_the_end(app, pilot, key="m")
        assert calls == [None, 12]


async def test_an_arm_that_never_reached_the_target_says_never(tiny_bank, store, demo_labs):
    from tutor.app.widgets.lab_result import LabResultView
    from tutor.lab.result import Stats

    app = build(tiny_bank, store, demo_labs)
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("demo-lab")
        await pilot.pause()
        view = app.screen.query_one(LabResultView)  # the tiny lab trains 2 epochs: 3 means "not within 2"
        assert view.cell("few", "epochs_to_target", Stats(mean=3.0, sd=0.0, per_seed=[3.0, 3.0])) == "never"
        assert view.cell("few", "epochs_to_target", Stats(mean=2.5, sd=0.7, per_seed=[2.0, 3.0])) == "2 (1 of 2 seeds never)"
        assert view.cell("few", "epochs_to_target", Stats(mean=1.5, sd=0.7, per_seed=[1.0, 2.0])) == "1.5±0.7"


def test_arms_differ_by_colour_and_by_marker():
    from tutor.app.widgets.lab_chart import COLOURS, MARKERS, TRAIN_MARKER, LabChart

    chart = LabChart()
    chart.reset({f"arm{i}": 3 for i in range(len(COLOURS))})
    assert len({chart.colour(a) for a in chart.epochs}) == len(COLOURS) == len(set(COLOURS))
    assert len(set(MARKERS)) == len(MARKERS) and TRAIN_MARKER not in MARKERS
    assert all(len(m) == 1 for m in MARKERS)


def test_no_two_arms_of_a_shipped_lab_share_a_marker_or_a_look():
    """Labs with more than 8 arms (optimisation 11, regularisation 22) once gave arm i and arm i+8 the same
    colour and the same marker: their lines could not be told apart even in colour (issue 24)."""
    from tutor.app.widgets.lab_chart import LabChart
    from tutor.lab.spec import lab_files, load_lab

    files = lab_files([Path(__file__).parents[2] / "labs"])
    assert len(files) >= 15
    for lab in map(load_lab, files):
        chart = LabChart()
        chart.reset({arm: 3 for arm in lab.arm_names})
        arms = list(chart.epochs)
        assert len({chart.marker(a) for a in arms}) == len(arms), lab.id
    chart = LabChart()
    chart.reset({f"arm{i}": 3 for i in range(184)})
    assert len({(chart.colour(a), chart.marker(a)) for a in chart.epochs}) == 184


def test_numbers_keep_their_unit_and_claims_lose_measured_values():
    from tutor.app.widgets.lab_text import glued, unmeasured

    assert glued("reaches 85 % validation accuracy; 검증 정확도 84 %에") == "reaches 85% validation accuracy; 검증 정확도 84%에"
    says = "batch norm ends at least about as accurate (at most 3 points worse; measured: level to 2 points better)"
    assert unmeasured(says) == "batch norm ends at least about as accurate (at most 3 points worse)"
    assert unmeasured("비슷하다(낮아도 3포인트 이내; 측정값: 같거나 2포인트 높음)") == "비슷하다(낮아도 3포인트 이내)"
    assert unmeasured("x wins (measured: 2 points)") == "x wins"


async def test_a_step_within_an_arm_gives_way_to_the_arm_when_training_starts():
    """The "activations of the frozen lower stages" line stayed up ~40 s after that step ended (issue 24): the
    engine says a step ended only by training, so the next epoch puts the arm's line back."""
    from textual.app import App

    from tutor.lab.events import ArmFinished, ArmStarted, EpochEnd, LabStarted, Stage

    class Host(App):
        def compose(self):
            yield LabMonitor(id="monitor")

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        monitor = app.query_one(LabMonitor)
        monitor.show(LabStarted(lab="l", title="t", profile="quick", device="cpu", seeds=[0], arms={"top": "d"}, epochs={"top": 2}))
        monitor.show(ArmStarted(arm="top", description="top stage fine-tuned", seeds=[0], epochs=2))
        step = Stage.of("activations of the {frozen} frozen lower stages over {n} {name} images", frozen=4, n=2624, name="elpv")
        monitor.show(step)
        assert monitor.stage.startswith("activations of the 4 frozen")
        monitor.show(EpochEnd(arm="top", seed=0, epoch=1, epochs=2, train_acc=0.5, train_loss=1.0, val_acc=0.5, val_loss=1.0))
        assert monitor.stage == "top: top stage fine-tuned"
        monitor.show(ArmFinished(arm="top", metrics={}, seconds=1.0))
        monitor.show(Stage.of("writing result.json and plots"))
        monitor.show(EpochEnd(arm="top", seed=0, epoch=2, epochs=2, train_acc=0.5, train_loss=1.0, val_acc=0.5, val_loss=1.0))
        assert monitor.stage == "writing result.json and plots"  # no arm in training: a late epoch leaves it
        await pilot.pause()


def test_every_metric_a_kind_declares_has_a_korean_table_heading():
    """The result table's headings come from the catalogue (lab.col.<metric>), English as the fallback: 18 of
    them were English on the Korean page (issue 24)."""
    from tutor.app.strings import t
    from tutor.lab.spec.metrics import metric_help

    untranslated = [m for m in metric_help() if t("ko", f"lab.col.{m}") in (f"lab.col.{m}", t("en", f"lab.col.{m}"))]
    assert not untranslated


# -- the labs list and the finished page at 80x24 (the layout snapshots' reading) ----------------------


LONG_TITLE = {"en": "A lab with a title far too long to fit the title column of the labs list at eighty columns",
              "ko": "80칸의 실습 목록 제목 칸에는 다 들어가지 않을 만큼 아주 긴 제목을 가진 실습"}


@pytest.mark.parametrize("lang", ["en", "ko"])
async def test_the_labs_list_fills_the_width_and_shows_the_highlighted_title_whole(tiny_bank, store, demo_labs, lang):
    from rich.cells import cell_len

    labs = {**demo_labs, "a-long-one": LabRef(id="a-long-one", title=LONG_TITLE, summary={"en": "SUMMARY-EN", "ko": "요약-KO"},
                                              path=demo_labs["demo-lab"].path)}
    app = build(tiny_bank, store, labs, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#labs-table")
        widths = sum(column.get_render_width(table) for column in table.columns.values())
        assert widths == table.size.width == SIZE[0]  # no empty columns kept for a scrollbar that is not there
        detail = screen.query_one("#labs-detail")
        assert " ".join(LONG_TITLE[lang].split()) in " ".join(content_text(detail).split())  # the whole title, wrapped
        assert ("요약-KO" if lang == "ko" else "SUMMARY-EN") in content_text(detail)
        assert "…" in screen_text(app).splitlines()[2]  # while the table's cell is cut
        await pilot.press("down")
        await pilot.pause()
        assert "Demo lab title" in content_text(detail)  # the detail follows the cursor
        row = screen_text(app).splitlines()[2]
        await pilot.click("#labs-table", offset=(4, 1))  # the mouse: the first lab's row (under the header)
        await pilot.pause()
        assert cell_len(row) <= SIZE[0] and LONG_TITLE[lang][:8] in content_text(detail)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LabScreen) and app.screen.lab_id == "demo-lab"


@pytest.mark.parametrize("lang", ["en", "ko"])
async def test_a_finished_run_shows_the_claims_first_and_lands_on_the_result(tiny_bank, store, tmp_path, lang):
    """The verdict, then the claims of the question the lab came from, within 80x24 without scrolling; the
    table and the picture after them; the page at the result's top even when it was scrolled during the run."""
    labs = lab_file(tmp_path, questions="[alpha-single]")
    app = build(tiny_bank, store, labs, lang=lang)
    with_files(app, tmp_path / "run", delay=0.05)
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("demo-lab", question_id="alpha-single")  # as the question's feedback opens it
        await pilot.pause()
        lab = app.screen
        await pilot.press("r")
        await wait_for(pilot, lambda: epochs_done(lab) >= 1)
        body = lab.query_one("#lab-body")
        body.scroll_end(animate=False)  # the learner scrolled down to the chart during the run
        await wait_for(pilot, lambda: lab.state == "done")
        await pilot.pause()
        await pilot.pause()
        shown = screen_text(app)
        assert body.scroll_y == 0
        assert ("판정: 재현됨" if lang == "ko" else "Verdict: reproduced") in shown
        assert ("성립" if lang == "ko" else "holds") in shown  # a claim's outcome, without PageDown
        order = [lab.query_one(selector).region.y for selector in ("#lab-verdict", "#lab-claims", "#lab-table", "#lab-picture")]
        assert order == sorted(order) and lab.query_one("#lab-picture").display


@pytest.mark.parametrize("lang", ["en", "ko"])
async def test_the_finished_pages_footer_leaves_room(tiny_bank, store, demo_labs, tmp_path, lang):
    """The footer of a finished run with more seeds to offer stays well within 80 columns; the folder
    key, left out of it, still works and F1 lists it."""
    from rich.cells import cell_len

    from tutor.i18n import t

    app = build(tiny_bank, store, demo_labs, lang=lang)
    with_files(app, tmp_path / "run")
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("demo-lab")
        await pilot.pause()
        lab = await run_to_the_end(app, pilot)
        lab.more = 9  # as after a claim its seeds left unshown: the footer offers m
        lab.refresh_bindings()
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1].rstrip()
        assert t(lang, "key.more_seeds") in footer and t(lang, "key.open_folder") not in footer
        assert cell_len(footer) <= SIZE[0] - 12, footer  # room for one more key
        assert ("o", t(lang, "key.open_folder")) in key_rows(lab, lang)


async def test_a_broken_lab_file_says_what_is_wrong_in_korean(tiny_bank, store, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: bad\ntitle: Bad\nsummary: s\ndataset: {name: digits}\narms:\n  a: {per_class: many}\n"
                    "claims: [a.val_acc > b.val_acc]\n")
    labs = {"bad": LabRef(id="bad", title={"en": "Bad"}, summary={}, path=path)}
    app = build(tiny_bank, store, labs, lang="ko")
    async with app.run_test(size=SIZE) as pilot:
        app.open_lab("bad")
        await pilot.pause()
        intro = content_text(app.screen.query_one("#lab-intro"))
        assert "6행: arms.a.per_class 값은 정수여야 합니다" in intro, intro
        assert "7행: 주장이 실습에 없는 방법을 가리킵니다: b" in intro, intro
        assert "bad.yaml:6" in intro  # the detail stays, for whoever fixes the file
        lines = intro.splitlines()
        assert lines.index(next(x for x in lines if "6행" in x)) < lines.index(next(x for x in lines if "bad.yaml:6" in x))


def test_every_kind_of_lab_problem_reads_in_words():
    from tutor.app.widgets.lab_problems import summary
    from tutor.i18n import t

    def ko(key, **values):
        return t("ko", key, **values)

    cases = {"YAML syntax error: mapping values are not allowed here": "YAML 문법",
             "missing required field 'dataset'": "필수 항목이 없습니다: dataset",
             "unknown field 'armz'": "없는 항목입니다: armz",
             "unknown metric 'val_ac' in claim (metrics: val_acc)": "지표를 씁니다: val_ac",
             "defaults.lr: Input should be a valid number, unable to parse string as a number": "defaults.lr 값은 숫자여야",
             "profiles.quick.seeds: 'x' is not one of ('a',)": "허용된 값",
             "something new the validator says": "이 줄에 문제가 있습니다"}
    for message, words in cases.items():
        assert words in summary(message, ko), (message, summary(message, ko))


async def test_left_and_right_scroll_a_result_table_wider_than_the_screen(tiny_bank, store, demo_labs):
    # issue 24: the table was cut at the screen's edge with no way to see its last column
    app = build(tiny_bank, store, demo_labs)
    async with app.run_test(size=(48, 24)) as pilot:
        app.open_lab("demo-lab")
        await pilot.pause()
        lab = await run_to_the_end(app, pilot)
        table = lab.query_one("#lab-table")
        assert table.virtual_size.width > table.size.width  # wider than the page: its last column is off screen
        await pilot.press("right")
        await pilot.pause()
        assert table.scroll_x > 0
        await pilot.press("left")
        await pilot.pause()
        assert table.scroll_x == 0
