"""One lab: predict, run, see the verdict. The page composes four widgets and a lab session:

- `LabIntro`: what the lab compares, the run time here, the last stored result (nothing of the answer);
- `LabPrediction`: the best-arm guess, then the claims in plain words and the verdict guess;
- `LabMonitor`: the run in a child process, its bars, chart and time left (Escape cancels);
- `LabResultView`: the verdict, the table, the picture, the claims by question, what the lab shows.

The session (tutor.study.labsession) prices the run, keeps the prediction and records the run, a
cancelled one as cancelled; the page only shows and forwards. After a run the result is at the top of
the page and the page has the focus, so PageDown and End scroll it at once; ← → scroll the table.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, VerticalScroll
from textual.widgets import Button, DataTable, Footer, Static

from tutor.app.messages import StoreTrouble
from tutor.app.screens.base import TutorScreen
from tutor.app.widgets.lab_intro import LabIntro
from tutor.app.widgets.lab_monitor import LabMonitor
from tutor.app.widgets.lab_picture import open_folder
from tutor.app.widgets.lab_prediction import LabPrediction
from tutor.app.widgets.lab_result import LabResultView
from tutor.app.widgets.lab_text import arm_text
from tutor.safetext import one_line

BEFORE, RUNNING, DONE = "before", "running", "done"
TABLE_STEP = 8  # cells a ← or → moves the result table


class LabBody(VerticalScroll):
    """The page: it holds the focus after a run; its footer entry says which keys scroll it (the screen
    translates it with the others)."""

    BINDINGS = [Binding("pagedown", "page_down", "key.scroll_page", key_display="PgDn/End")]


class LabScreen(TutorScreen):
    AUTO_FOCUS = None  # the first guess takes the focus without scrolling away from the top
    BINDINGS = [
        Binding("r", "run('quick')", "key.run_quick"),
        Binding("f", "run('full')", "key.run_full"),
        Binding("m", "more_seeds", "key.more_seeds"),
        Binding("escape", "cancel_run", "key.cancel_run"),
        Binding("escape", "back", "key.back_question"),
        Binding("o", "open_folder", "key.open_folder", show=False),  # the page names it; F1 lists it (a full footer)
        Binding("left", "scroll_table(-1)", show=False),
        Binding("right", "scroll_table(1)", show=False),
    ]

    def __init__(self, lab_id: str, lab_path: Path, store: Any, *, bank: Any = None, question_id: str | None = None,
                 lang: str = "en", command: Callable[..., list[str]] | None = None, processes: set | None = None) -> None:
        super().__init__(lang=lang)
        self.lab_id, self.lab_path, self.question_id = lab_id, Path(lab_path), question_id
        self.questions = dict(bank.questions) if bank is not None else {}
        self.command = command or _default_command
        self.processes = processes if processes is not None else set()
        self.state = BEFORE
        self.result: Any = None  # the last run's tutor.lab.result.LabResult
        self.outcome: str | None = None  # finished | cancelled | failed
        self.out_dir: str | None = None
        self.more: int | None = None  # seeds that would show the claims this run left unshown
        self.keys_seen = 0  # key presses handled during a run (the responsiveness test and benchmark read it)
        self.session, self.problems = _session(store, self.lab_path, question_id)
        if self.session is not None:
            self.lab_id = self.session.lab_id

    @property
    def lab(self) -> Any:
        return self.session.lab if self.session is not None else None

    def compose(self) -> ComposeResult:
        title = self.lab.title(self.lang) if self.lab is not None else self.lab_id
        yield Static(self.t("lab.title", title=one_line(title)), id="lab-bar", classes="bar", markup=False)
        with LabBody(id="lab-body"):
            if self.session is not None:  # the result first: a run's end shows it at the top, every time
                yield LabResultView(self.session, questions=self.questions, lang=self.lang, id="lab-result")
                yield LabMonitor(lang=self.lang, describe=self._describe, processes=self.processes, id="lab-run")
            yield LabIntro(self.session, problems=self.problems, questions=self.questions, question_id=self.question_id,
                           lang=self.lang, id="lab-intro")
            if self.session is not None:
                yield LabPrediction(self.lab, lang=self.lang, id="lab-predict")
        with HorizontalGroup(id="lab-actions", classes="actions"):
            yield Button(self.t("key.run_quick"), id="btn-run-quick", variant="primary", compact=True)
            yield Button(self.t("key.run_full"), id="btn-run-full", compact=True)
            yield Button(self.t("key.cancel_run"), id="btn-cancel", variant="error", compact=True)
            yield Button(self.t("key.back_question"), id="btn-back", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        for button in self.query(Button):
            button.can_focus = False
        for selector in ("#lab-run", "#lab-result"):
            for widget in self.query(selector):
                widget.display = False
        self._chrome()
        target = self.query("#predict-arm")
        (target.first() if target else self.query_one("#lab-body")).focus(scroll_visible=False)

    def _chrome(self) -> None:
        running = self.state == RUNNING
        for button_id, shown in (("btn-run-quick", self.lab is not None and not running), ("btn-run-full", self.lab is not None and not running),
                                 ("btn-cancel", running), ("btn-back", not running)):
            self.query_one(f"#{button_id}").display = shown
        self.refresh_bindings()

    def _describe(self, arm: str, default: str) -> str:
        """An arm's label in the learner's language (the engine's events are in English)."""
        try:
            label = self.lab.arm_configs(self.session.profile)[arm].describe(self.lang)
        except Exception:  # noqa: BLE001 - an arm the lab file no longer has
            label = default
        return arm_text(label, self.lab, self.question_id, self.t, self.questions, self.lang)

    # -- running --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        idle = self.lab is not None and self.state != RUNNING
        checks = {"run": idle, "more_seeds": idle and self.more is not None, "cancel_run": self.state == RUNNING,
                  "back": self.state != RUNNING, "open_folder": self.state != RUNNING and bool(self._folder()),
                  "scroll_table": self.state == DONE}
        return checks.get(action, True)

    def action_run(self, profile: str, seeds: int | None = None) -> None:
        if self.lab is None or self.state == RUNNING:
            return
        prediction = self.query_one(LabPrediction)
        prediction.reveal()
        self.session.predict(prediction.arm, prediction.verdict)
        self.state, self.result, self.outcome, self.out_dir = RUNNING, None, None, None
        for selector, shown in (("#lab-intro", False), ("#lab-predict", False), ("#lab-result", False), ("#lab-run", True)):
            self.query_one(selector).display = shown
        run_clock = self.session.begin(profile, time.perf_counter(), seeds)
        monitor = self.query_one(LabMonitor)
        monitor.start(self.command(self.lab_path, profile) if seeds is None else self.command(self.lab_path, profile, seeds),
                      run_clock, self.session.run_epochs(profile))
        self._chrome()
        self.query_one("#lab-body", LabBody).scroll_home(animate=False)

    def action_more_seeds(self) -> None:
        if self.more is not None:
            self.action_run(self.session.profile, self.more)

    def action_cancel_run(self) -> None:
        if self.state == RUNNING:
            self.query_one(LabMonitor).cancel()

    def on_lab_monitor_finished(self, message: LabMonitor.Finished) -> None:
        message.stop()
        final, proc = message.final, message.proc
        self.state = DONE
        if final is not None and final.kind == "lab_finished":
            self.outcome = "finished"
        elif final is not None or proc.cancelling or proc.returncode == 130:
            self.outcome = "cancelled"
        else:
            self.outcome = "failed"
        self.result = getattr(final, "result", None)
        self.out_dir = getattr(final, "out", None)
        view = self.query_one(LabResultView)
        if self.outcome == "failed":
            view.show_failed(proc)
            self.more = None
        else:
            stored = self.session.record(self.result, self.outcome == "finished", self.out_dir, time.perf_counter())
            if stored is None and self.result is not None:
                self.post_message(StoreTrouble())  # kept in memory, retried by the app
            self.more = self.session.more_seeds(self.result) if self.outcome == "finished" else None
            view.show_result(self.result, final, finished=self.outcome == "finished", stored=stored, more_seeds=self.more)
        for selector in ("#lab-result", "#lab-intro", "#lab-predict"):
            self.query_one(selector).display = True
        self.query_one(LabIntro).refresh_text()  # now with this run as the last result
        self._chrome()
        body = self.query_one("#lab-body", LabBody)
        body.focus(scroll_visible=False)  # PageDown, Down and End scroll the result at once
        body.scroll_home(animate=False)  # the result is the first thing on the page
        self.call_after_refresh(lambda: body.scroll_home(animate=False))

    # -- keys -----------------------------------------------------------------------------------

    def on_key(self, event: Any) -> None:
        if self.state == RUNNING:
            self.keys_seen += 1

    def action_scroll_table(self, direction: int) -> None:
        self.query_one("#lab-table", DataTable).scroll_relative(x=direction * TABLE_STEP, animate=False)

    def action_back(self) -> None:
        if self.state != RUNNING:
            self.dismiss()

    def _folder(self) -> str | None:
        intro = self.query(LabIntro)
        folder = self.out_dir or (intro.first().last_out if intro else None)
        return folder if folder and Path(folder).is_dir() else None

    def action_open_folder(self) -> None:
        """The run's folder in the file manager; on a machine without one, its path (never an error)."""
        folder = self._folder()
        if folder and not open_folder(Path(folder)):
            self.notify(self.t("lab.folder_path", out=folder), timeout=10)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {"btn-run-quick": lambda: self.action_run("quick"), "btn-run-full": lambda: self.action_run("full"),
                   "btn-cancel": self.action_cancel_run, "btn-back": self.action_back}
        if event.button.id in actions:
            actions[event.button.id]()


def _session(store: Any, lab_path: Path, question_id: str | None) -> tuple[Any, list[Any]]:
    """The lab session, or None and the lab file's problems (`tutor.problems.Problem`s; a one-line string
    for an error that names no line)."""
    from tutor.lab.errors import LabError
    from tutor.lab.spec.lab import SpecError, load_lab
    from tutor.study.labsession import LabSession

    try:
        return LabSession(store, load_lab(lab_path), lab_path, question_id=question_id), []
    except SpecError as exc:
        return None, list(exc.problems)
    except (LabError, OSError) as exc:
        return None, [one_line(exc)]


def _default_command(lab_path: Path, profile: str, seeds: int | None = None) -> list[str]:
    from tutor.app.lab_process import lab_command

    return lab_command(lab_path, profile, seeds)
