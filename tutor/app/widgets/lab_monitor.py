"""A running lab, watched: the child process and the worker that reads it, a progress bar per arm, the
live chart, the elapsed time and the time left.

The monitor owns the run: `start()` launches `tutor lab --json` in a child process (tutor.app.lab_process)
read by an async worker, so the UI never waits on training; every event goes to the run's clock
(tutor.study.labtime.RunClock) and the chart, and up to the page as `LabMonitor.Progress`; the end goes up
as `LabMonitor.Finished` with the last event and the process. `cancel()` stops the child (Ctrl-C first,
so it writes its partial result); unmounting kills one still running.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.containers import HorizontalGroup, Vertical
from textual.message import Message
from textual.widgets import Label, ProgressBar, Static

from tutor.app.strings import t
from tutor.app.widgets.lab_text import clock

REDRAW_S = 0.5


class LabMonitor(Vertical):
    class Progress(Message):
        """One event of the run (tutor.lab.events), after the monitor has shown it."""

        def __init__(self, event: Any) -> None:
            super().__init__()
            self.event = event

    class Finished(Message):
        """The run ended: `final` is its lab_finished or cancelled event (None when it failed), `proc` the child."""

        def __init__(self, final: Any, proc: Any) -> None:
            super().__init__()
            self.final = final
            self.proc = proc

    def __init__(self, *, lang: str = "en", describe: Callable[[str, str], str] | None = None,
                 processes: set | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lang = lang
        self.describe = describe or (lambda arm, text: text)  # an arm's label in the learner's language
        self.processes = processes if processes is not None else set()  # the app's runs in flight
        self.proc: Any = None
        self.clock: Any = None  # tutor.study.labtime.RunClock of the run in progress
        self.started = 0.0
        self.totals: dict[str, int] = {}
        self.done_epochs: dict[str, int] = {}
        self.stage = ""
        self.arm_line = ""  # the arm in training: what the status line goes back to once a step within it ends
        self.dirty = False

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def compose(self) -> ComposeResult:
        from tutor.app.widgets.lab_chart import LabChart  # plotext loads when a lab page opens, never before

        yield Static("", id="lab-status", markup=False)
        yield Vertical(id="lab-bars")
        yield Static(self.t("lab.curves"), classes="lab-hint", markup=False)
        yield Static("", id="lab-legend")
        chart = LabChart(id="lab-plot")
        chart.labels = {"best": self.t("lab.best_trial"), "epoch": self.t("lab.chart.epoch"), "how": self.t("lab.chart.how")}
        yield chart

    def on_mount(self) -> None:
        self.set_interval(REDRAW_S, self._tick)

    @property
    def running(self) -> bool:
        return self.proc is not None

    @property
    def cancelling(self) -> bool:
        return self.proc is not None and self.proc.cancelling

    # -- a run ----------------------------------------------------------------------------------

    def start(self, command: list[str], run_clock: Any, epochs: dict[str, int]) -> None:
        """Run `command` (the child's command line); `epochs` is each arm's epochs per training run (the chart's axis)."""
        from tutor.app.lab_process import LabProcess

        self.clock, self.started = run_clock, time.perf_counter()
        self.totals, self.done_epochs, self.arm_line = {}, {}, ""
        self.query_one("#lab-bars").remove_children()
        self.query_one("#lab-plot").reset(epochs)  # the last run's curves go now, not at the first epoch
        self.redraw()
        self.stage = self.t("lab.starting")
        self.proc = LabProcess(command)
        self.show_status()
        self._read(self.proc)

    @work(exclusive=True, group="lab", exit_on_error=False)
    async def _read(self, proc: Any) -> None:
        self.processes.add(proc)
        final = None
        try:
            await proc.start()
            async for event in proc.events():
                if event.kind in ("lab_finished", "cancelled"):
                    final = event
                self.show(event)
                self.post_message(self.Progress(event))
        except Exception as exc:  # noqa: BLE001 - shown as a failed run, never a frozen "running" page
            proc.stderr_tail = [*proc.stderr_tail, f"{type(exc).__name__}: {exc}"]
            if proc.running:
                await proc.cancel()
            proc.cancelling, final = False, None
            proc.returncode = proc.returncode if proc.returncode is not None else -1
        finally:
            self.processes.discard(proc)
            self.proc = None
            if self.is_attached:  # not when the page is going away (the app quits)
                self.dirty = False
                self.redraw()
                self.query_one("#lab-status", Static).update(self.t("lab.elapsed", elapsed=clock(time.perf_counter() - self.started)))
                self.post_message(self.Finished(final, proc))

    def cancel(self) -> None:
        if self.proc is not None and not self.proc.cancelling:
            self.proc.cancelling = True
            self.show_status()
            self.run_worker(self.proc.cancel(), group="cancel", exit_on_error=False)

    def on_unmount(self) -> None:
        if self.proc is not None and self.proc.running:
            self.proc.proc.kill()  # the page is going away (the app quits): never leave training behind

    # -- what the run reports -------------------------------------------------------------------

    def show(self, event: Any) -> None:
        kind, now = event.kind, time.perf_counter()
        if self.clock is not None:
            self.clock.feed(event, now)
        if kind == "lab_started":
            bars = self.query_one("#lab-bars")
            for arm in event.arms:
                self.totals[arm] = max(1, int(event.epochs.get(arm, 1)) * len(event.seeds))
                self.done_epochs[arm] = 0
                bars.mount(HorizontalGroup(Label(arm, classes="lab-arm"),
                                           ProgressBar(total=self.totals[arm], show_eta=False, id=f"bar-{arm}"),
                                           classes="lab-bar-row"))
            profile = self.t(f"lab.profile.{event.profile}")
            self.stage = f"{profile} · {event.device} · {self.t('lab.seeds', seeds=','.join(map(str, event.seeds)))}"
        elif kind == "stage":
            self.stage = event.shown(self.lang) if hasattr(event, "shown") else event.text
        elif kind == "arm_started":
            self.stage = self.arm_line = f"{event.arm}: {self.describe(event.arm, event.description)}"
        elif kind == "epoch_end":
            # a step within the arm (loading its data, the frozen stages' activations) ended: the engine says
            # so only by training, so its line gives way to the arm's at the next epoch
            self.stage = self.arm_line or self.stage
            self.done_epochs[event.arm] = self.done_epochs.get(event.arm, 0) + 1
            self._advance(event.arm)
            self.query_one("#lab-plot").add(event.arm, event.seed, event.trial, event.train_acc, event.val_acc)
            self.dirty = True
        elif kind == "arm_finished":
            self.arm_line = ""
            self.done_epochs[event.arm] = self.totals.get(event.arm, 0)
            self._advance(event.arm)
        self.show_status()

    def _advance(self, arm: str) -> None:
        bars = self.query(f"#bar-{arm}")
        if bars:
            bars.first(ProgressBar).update(progress=self.done_epochs.get(arm, 0))

    def left_text(self) -> str:
        """The time left: "estimating" until it can be priced, "finishing" once every epoch ran."""
        run_clock = self.clock
        if run_clock is None:
            return self.t("lab.remaining_unknown")
        if run_clock.finishing or (run_clock.all_epochs_done and not run_clock.training):
            return self.t("lab.finishing")
        left = run_clock.left(time.perf_counter())
        if left is None:
            return self.t("lab.remaining_unknown")
        return self.t("lab.remaining", remaining=clock(max(1.0, left)))

    def show_status(self) -> None:
        if self.proc is None:
            return
        parts = [self.t("lab.elapsed", elapsed=clock(time.perf_counter() - self.started))]
        if self.proc.cancelling:
            parts.append(self.t("lab.cancelling"))
        else:
            parts += [self.left_text(), self.stage]
        self.query_one("#lab-status", Static).update("  ·  ".join(parts))

    def _tick(self) -> None:
        self.show_status()
        if self.dirty:
            self.dirty = False
            self.redraw()

    def redraw(self) -> None:
        chart = self.query_one("#lab-plot")
        chart.redraw()
        self.query_one("#lab-legend", Static).update(chart.legend())
