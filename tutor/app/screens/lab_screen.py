"""One lab: what it tests, a prediction, a live run, and the verdict.

Three states. Before a run: the lab's summary, its arms, the expected run time on this machine (the
one place that states it, from the per-arm costs of the last finished run stored for this lab, see
tutor.study.labtime), the last stored result, and two optional guesses. Running: `tutor lab --json`
in a child process (`LabProcess`), read by an async worker, so the UI never waits on training; a
progress bar per arm, the accuracy curves (LabChart), elapsed time and a time left that only counts
down; Escape cancels. After: the verdict, the per-arm table, the run's main picture, each claim with
its numbers, whether the guesses were right, where the files went; the page has the focus, so PageDown
and End scroll it at once. The run is recorded in the store with the guesses (a cancelled one with
status `cancelled`, never as finished).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.padding import Padding
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Footer, Label, ProgressBar, RadioButton, RadioSet, Static

from tutor.app.screens.base import TutorScreen
from tutor.app.strings import localize_bindings, shown
from tutor.app.widgets.lab_picture import LabPicture, main_picture, open_folder
from tutor.bank import text
from tutor.lab.report.units import column_name, fmt_metric, margin_text, why_not_shown
from tutor.safetext import clean, one_line

BEFORE, RUNNING, DONE = "before", "running", "done"
VERDICTS = ("reproduced", "inconclusive", "contradicted")
VERDICT_STYLE = {"reproduced": "bold green", "contradicted": "bold red", "inconclusive": "bold yellow", "cancelled": "bold magenta"}
COLUMNS = ("train_acc", "val_acc", "gap", "test_acc", "seconds")
REDRAW_S = 0.5
OPTION_LABEL = re.compile(r"^\(([A-H])\)\s*")  # an arm labelled "(A) ..." stands for an exam item's option A


def clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


def indented(line: Any) -> Any:
    """A line written with two leading spaces, indented as a block so its wrapped lines line up too."""
    if isinstance(line, Text) and line.plain.startswith("  "):
        return Padding(line[2:], (0, 0, 0, 2))
    return line


class LabBody(VerticalScroll):
    """The page: it holds the focus after a run, and its footer entry says which keys scroll it (a focused
    scroll view's own bindings would otherwise hide the screen's)."""

    BINDINGS = [Binding("pagedown", "page_down", "key.scroll_page", key_display="PgDn/End")]

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        localize_bindings(self, lang)


class LabScreen(TutorScreen):
    AUTO_FOCUS = None  # focus goes to the first guess without scrolling away from what the lab tests
    BINDINGS = [
        Binding("r", "run('quick')", "key.run_quick"),
        Binding("f", "run('full')", "key.run_full"),
        Binding("escape", "cancel_run", "key.cancel_run"),
        Binding("escape", "back", "key.back_question"),
        Binding("o", "open_folder", "key.open_folder"),
    ]

    def __init__(self, lab_id: str, lab_path: Path, *, question_id: str | None = None, lang: str = "en") -> None:
        super().__init__(lang=lang)
        self.lab_id = lab_id
        self.lab_path = Path(lab_path)
        self.question_id = question_id
        self.state = BEFORE
        self.lab: Any = None
        self.problems: list[str] = []
        self.proc: Any = None
        self.profile = "quick"
        self.started = 0.0
        self.estimate: Any = None  # labtime.Estimate of the running profile (None: not measured here)
        self.time_left: Any = None  # labtime.TimeLeft while a run goes
        self.totals: dict[str, int] = {}
        self.done_epochs: dict[str, int] = {}
        self.out_dir: str | None = None  # this run's folder
        self.last_out: str | None = None  # the last stored run's folder (o opens it before a run)
        self.stage = ""
        self.plot_dirty = False
        self.result: Any = None  # the run's tutor.lab.result.LabResult
        self.outcome: str | None = None  # finished | cancelled | failed
        self.stored_id: int | None = None
        self.predicted_arm: str | None = None
        self.predicted_verdict: str | None = None
        self.keys_seen = 0  # key presses handled during a run (the responsiveness test and benchmark read it)
        self._load()

    # -- the lab file ---------------------------------------------------------------------------------


    def _says(self, claim: Any) -> str:
        """The claim in plain words, in the learner's language where the lab file has it (the result keeps every language)."""
        return shown(claim.says, self.lang) if claim.says else ""
    def _load(self) -> None:
        from tutor.lab.errors import LabError
        from tutor.lab.spec.lab import SpecError, load_lab

        try:
            self.lab = load_lab(self.lab_path)
            self.lab_id = self.lab.id  # runs are stored under the lab file's own id
        except SpecError as exc:
            self.problems = [str(p) for p in exc.problems]
        except (LabError, OSError) as exc:
            self.problems = [one_line(exc)]

    # -- layout -------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        title = self.lab.title(self.lang) if self.lab is not None else self.lab_id
        yield Static(self.t("lab.title", title=one_line(title)), id="lab-bar", classes="bar", markup=False)
        with LabBody(id="lab-body", lang=self.lang):
            yield Static(self._intro(), id="lab-intro")
            if self.lab is not None:
                with Vertical(id="lab-predict"):
                    yield Static(self.t("lab.predict"), classes="lab-heading", markup=False)
                    with HorizontalGroup(id="lab-guesses"):
                        with Vertical(classes="lab-guess"):
                            yield Label(self.t("lab.predict_arm"))
                            with RadioSet(id="predict-arm", compact=True):
                                for name in self.lab.arm_names:
                                    yield RadioButton(name, name=name)
                                yield RadioButton(self.t("lab.no_guess"), value=True, name="")
                        with Vertical(classes="lab-guess"):
                            yield Label(self.t("lab.predict_verdict"))
                            with RadioSet(id="predict-verdict", compact=True):
                                for verdict in VERDICTS:
                                    yield RadioButton(self.t(f"lab.verdict.{verdict}"), name=verdict)
                                yield RadioButton(self.t("lab.no_guess"), value=True, name="")
                    yield Static(self._guess_text(), id="lab-guess-line", markup=False)
                    yield Static(self.t("lab.start_hint"), classes="lab-hint", markup=False)
            with Vertical(id="lab-run"):
                yield Static("", id="lab-status", markup=False)
                yield Vertical(id="lab-bars")
                yield Static(self.t("lab.curves"), classes="lab-hint", markup=False)
                yield Static("", id="lab-legend")
                yield _chart(self.t)
            with Vertical(id="lab-result"):
                yield Static("", id="lab-verdict")
                yield DataTable(id="lab-table", show_cursor=False, zebra_stripes=True)
                yield LabPicture(id="lab-picture")
                yield Static("", id="lab-claims")
        with HorizontalGroup(id="lab-actions", classes="actions"):
            yield Button(self.t("key.run_quick"), id="btn-run-quick", variant="primary", compact=True)
            yield Button(self.t("key.run_full"), id="btn-run-full", compact=True)
            yield Button(self.t("key.cancel_run"), id="btn-cancel", variant="error", compact=True)
            yield Button(self.t("key.back_question"), id="btn-back", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        for button in self.query(Button):
            button.can_focus = False
        self.query_one("#lab-table").can_focus = False  # keys scroll the page, not the table
        self.query_one("#lab-run").display = False
        self.query_one("#lab-result").display = False
        self.set_interval(REDRAW_S, self._tick)
        self._chrome()
        target = self.query("#predict-arm")
        (target.first() if target else self.query_one("#lab-body")).focus(scroll_visible=False)

    def _chrome(self) -> None:
        running = self.state == RUNNING
        can_run = self.lab is not None and not running
        self.query_one("#btn-run-quick").display = can_run
        self.query_one("#btn-run-full").display = can_run
        self.query_one("#btn-cancel").display = running
        self.query_one("#btn-back").display = not running
        self.refresh_bindings()

    # -- before a run ---------------------------------------------------------------------------------

    def _intro(self) -> Group:
        parts: list[Any] = []
        if self.lab is None:
            parts.append(Text(self.t("lab.bad"), style="bold red"))
            parts += [Text("  " + p) for p in self.problems]
            return Group(*[indented(p) for p in parts])
        lab, lang = self.lab, self.lang
        parts.append(Text(clean(lab.summary(lang))))
        look_at = shown(lab.file.look_at, lang) if lab.file.look_at else ""
        if look_at:
            parts += [Text(""), Text(self.t("lab.look_at"), style="bold"), Text("  " + look_at.strip())]
        try:
            configs = lab.arm_configs("quick")
        except Exception as exc:  # noqa: BLE001 - a cross-layer conflict: `tutor lab` reports it in full
            return Group(Text(self.t("lab.bad"), style="bold red"), Text(f"  {exc}"))
        parts += [Text(""), Text(self.t("lab.arms", count=len(configs)), style="bold")]
        for name, cfg in configs.items():
            line = Text(f"  {name}", style="cyan")
            line.append(f": {self._arm_text(cfg.describe(lang))}")
            parts.append(line)
        parts += [Text(""), Text(self.t("lab.claims"), style="bold")]
        for claim in lab.claims:
            line = Text(f"  {clean(claim.text)}", style="cyan")
            if claim.says:
                line.append(f"  ({shown(claim.says, lang)})", style="italic")
            parts.append(line)
        parts += [Text(""), Text(self.t("lab.time_here"), style="bold")]
        for profile in ("quick", "full"):
            parts.append(Text(f"  {self._profile_name(profile)}: {self._expected(profile)}"))
        parts += [Text(""), Text(self.t("lab.last"), style="bold")]
        parts += self._last_lines()
        return Group(*[indented(p) for p in parts])

    def _arm_text(self, label: str) -> str:
        """An arm's label; "(A) ..." becomes "option A of the question: ..." where the letters are the
        options of the lab's first linked question (the page names that question when it came from another)."""
        match = OPTION_LABEL.match(label)
        questions = list(self.lab.file.questions) if self.lab is not None else []
        if match is None or not questions:
            return label
        rest = label[match.end():]
        if self.question_id == questions[0]:
            return self.t("lab.option_of_question", letter=match.group(1), label=rest)
        return self.t("lab.option_of_named_question", letter=match.group(1), label=rest, question=questions[0])

    def _estimate(self, profile: str) -> Any:
        """This machine's expected cost of a run of `profile`, from the last finished run of this lab here."""
        from tutor.study import labtime
        from tutor.study.labruns import host, last_run

        try:
            measured = labtime.measure(last_run(self.tutor.store, self.lab_id, profile=profile, host_name=host())
                                       or last_run(self.tutor.store, self.lab_id, host_name=host()))
            if measured is None:
                return None
            now = {n: labtime.epochs_per_seed(c) for n, c in self.lab.arm_configs(profile).items()}
            then = {n: labtime.epochs_per_seed(c) for n, c in self.lab.arm_configs(measured.profile).items()}
            return labtime.estimate(measured, self.lab.profile(profile).seeds, now, then, profile=profile)
        except Exception:  # noqa: BLE001 - an estimate is never worth a broken page (edited lab, odd store row)
            return None

    def _profile_name(self, profile: str) -> str:
        key = f"lab.profile.{profile}"
        name = self.t(key)
        return profile if name == key else name

    def _expected(self, profile: str) -> str:
        est = self._estimate(profile)
        if est is None:
            return self.t("lab.time_none")
        run = est.measured.run
        date = f"{run.finished_at.astimezone():%Y-%m-%d}"
        if est.scaled:
            return self.t("lab.time_scaled", seconds=f"{est.total_s:.0f}", profile=self._profile_name(run.profile), date=date,
                          seeds=self.lab.profile(profile).seeds)
        return self.t("lab.time_about", seconds=f"{est.total_s:.0f}", date=date, device=run.device)

    def _last_lines(self) -> list[Text]:
        from tutor.study.labruns import last_run, spec_hash

        run = last_run(self.tutor.store, self.lab_id)
        self.last_out = run.out_dir if run is not None else None
        if run is None:
            return [Text("  " + self.t("lab.last_none"), style="dim")]
        line = Text("  ")
        line.append(self.t(f"lab.verdict.{run.verdict}"), style=VERDICT_STYLE.get(run.verdict, "bold"))
        line.append(" · " + self.t("lab.last_line_named", date=f"{run.finished_at.astimezone():%Y-%m-%d %H:%M}",
                                   profile=self._profile_name(run.profile), device=run.device, seeds=",".join(map(str, run.seeds))))
        versions = ", ".join(f"{k} {v}" for k, v in sorted(run.versions.items()))
        out = [line, Text("  " + self.t("lab.versions", versions=versions), style="dim")]
        try:
            if run.spec_hash != spec_hash(self.lab_path):
                out.append(Text("  " + self.t("lab.changed"), style="yellow"))
        except OSError:
            pass
        best = run.best_arm
        if best is not None:
            val = run.metrics[best]["val_acc"]
            out.append(Text("  " + self.t("lab.best_val", arm=best, acc=fmt_metric("val_acc", val.get("mean"), val.get("sd"))),
                            style="dim"))
        return out

    def _guess(self, radio_id: str) -> str | None:
        try:
            pressed = self.query_one(f"#{radio_id}", RadioSet).pressed_button
        except Exception:  # noqa: BLE001 - no prediction widgets (broken lab)
            return None
        return (pressed.name or None) if pressed is not None else None

    def _guess_text(self) -> str:
        arm, verdict = self._guess("predict-arm"), self._guess("predict-verdict")
        if arm is None and verdict is None:
            return self.t("lab.guess_none")
        return self.t("lab.guess_line", arm=arm or "-", verdict=self.t(f"lab.verdict.{verdict}") if verdict else "-")

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self.query_one("#lab-guess-line", Static).update(self._guess_text())

    # -- running ------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run":
            return self.lab is not None and self.state != RUNNING
        if action == "cancel_run":
            return self.state == RUNNING
        if action == "back":
            return self.state != RUNNING
        if action == "open_folder":
            return self.state != RUNNING and bool(self._folder())
        return True

    def action_run(self, profile: str) -> None:
        if self.state == RUNNING or self.lab is None:
            return
        self.profile = profile
        self.state = RUNNING
        self.result = None
        self.outcome = None
        self.stored_id = None
        self.predicted_arm = self._guess("predict-arm")
        self.predicted_verdict = self._guess("predict-verdict")
        self.query_one("#lab-intro").display = False  # the live run takes the whole page
        self.query_one("#lab-predict").display = False
        self.query_one("#lab-result").display = False
        self.query_one("#lab-run").display = True
        self.query_one("#lab-bars").remove_children()
        self.totals, self.done_epochs, self.out_dir = {}, {}, None
        self.query_one("#lab-plot").reset(self._run_epochs(profile))  # the last run's curves go now, not at the first epoch
        self._draw_plot()
        self.stage = self.t("lab.starting")
        self.estimate = self._estimate(profile)
        self.time_left = None
        self.started = time.perf_counter()
        self._chrome()
        self._status()
        self._show_top("#lab-run")
        self.run_lab(profile)

    @work(exclusive=True, group="lab", exit_on_error=False)
    async def run_lab(self, profile: str) -> None:
        from tutor.app.lab_process import LabProcess

        command = self.tutor.lab_command(self.lab_path, profile)
        self.proc = proc = LabProcess(command)
        self.tutor.lab_processes.add(proc)
        final = None
        try:
            await proc.start()
            async for event in proc.events():
                if event.kind in ("lab_finished", "cancelled"):
                    final = event
                self.on_lab_event(event)
        except Exception as exc:  # noqa: BLE001 - shown as a failed run, never a frozen "running" screen
            proc.stderr_tail = [*proc.stderr_tail, f"{type(exc).__name__}: {exc}"]
            if proc.running:
                await proc.cancel()
            proc.cancelling, final = False, None
            proc.returncode = proc.returncode if proc.returncode is not None else -1
        finally:
            self.tutor.lab_processes.discard(proc)
            if self.is_attached:  # not when the screen is going away (the app quits)
                self.finish(final, proc)

    def _show_top(self, selector: str) -> None:
        """Scroll the body so `selector` starts at the top, once the layout has settled."""
        widget = self.query_one(selector)
        self.call_after_refresh(lambda: widget.scroll_visible(animate=False, top=True))

    def _describe(self, arm: str, default: str) -> str:
        """An arm's label in the learner's language (the engine's events are in English)."""
        try:
            return self.lab.arm_configs(self.profile)[arm].describe(self.lang)
        except Exception:  # noqa: BLE001 - an arm the lab file no longer has
            return default

    def _run_epochs(self, profile: str) -> dict[str, int]:
        """Arm -> epochs of one training run (one trial of a search): the live chart's x-axis."""
        try:
            return {name: int(cfg.epochs) for name, cfg in self.lab.arm_configs(profile).items()}
        except Exception:  # noqa: BLE001 - the chart then sizes itself from the curves
            return {}

    def _start_clock(self, event: Any) -> None:
        """The time left of this run: measured costs per epoch where this machine has them."""
        from tutor.study.labtime import TimeLeft

        per_seed = self.estimate.per_seed_s if self.estimate is not None else {}
        costs = {arm: (per_seed[arm] / max(1, int(n)) if arm in per_seed else None) for arm, n in event.epochs.items()}
        startup = self.estimate.overhead_s if self.estimate is not None else None
        self.time_left = TimeLeft(dict(event.epochs), len(event.seeds), costs, startup, now=self.started)

    def on_lab_event(self, event: Any) -> None:
        kind, now = event.kind, time.perf_counter()
        if kind == "lab_started":
            bars = self.query_one("#lab-bars")
            for arm in event.arms:
                self.totals[arm] = max(1, int(event.epochs.get(arm, 1)) * len(event.seeds))
                self.done_epochs[arm] = 0
                row = HorizontalGroup(Label(arm, classes="lab-arm"), ProgressBar(total=self.totals[arm], show_eta=False, id=f"bar-{arm}"),
                                      classes="lab-bar-row")
                bars.mount(row)
            self.stage = f"{self._profile_name(event.profile)} · {event.device} · {self.t('lab.seeds', seeds=','.join(map(str, event.seeds)))}"
            self._start_clock(event)
        elif kind == "stage":
            self.stage = event.shown(self.lang)
        elif kind == "arm_started":
            self.stage = f"{event.arm}: {self._arm_text(self._describe(event.arm, event.description))}"
        elif kind == "epoch_end":
            self.done_epochs[event.arm] = self.done_epochs.get(event.arm, 0) + 1
            self._advance(event.arm)
            self.query_one("#lab-plot").add(event.arm, event.seed, event.trial, event.train_acc, event.val_acc)
            self.plot_dirty = True
            if self.time_left is not None:
                self.time_left.epoch_done(event.arm, now)
        elif kind == "seed_finished":
            if self.time_left is not None:
                self.time_left.seed_done(event.arm, now)
        elif kind == "arm_finished":
            self.done_epochs[event.arm] = self.totals.get(event.arm, 0)
            self._advance(event.arm)
            if self.time_left is not None:
                self.time_left.arm_done(event.arm, now)
        self._status()

    def _advance(self, arm: str) -> None:
        try:
            bar = self.query_one(f"#bar-{arm}", ProgressBar)
        except Exception:  # noqa: BLE001 - not mounted yet
            return
        bar.update(progress=self.done_epochs.get(arm, 0))

    def _left_text(self) -> str:
        """The time left: measured on this machine, counted down, never up; "finishing" once every epoch ran."""
        now = time.perf_counter()
        if self.time_left is None:
            return self.t("lab.remaining_unknown" if self.estimate is None else "lab.remaining",
                          remaining=clock(max(0.0, self.estimate.total_s - (now - self.started))) if self.estimate else "")
        left = self.time_left.left(now)
        if left is None:
            return self.t("lab.remaining_unknown")
        if left < 1 and sum(self.done_epochs.values()) >= sum(self.totals.values()):
            return self.t("lab.finishing")
        return self.t("lab.remaining", remaining=clock(max(1.0, left)))

    def _status(self) -> None:
        if self.state != RUNNING:
            return
        elapsed = time.perf_counter() - self.started
        parts = [self.t("lab.elapsed", elapsed=clock(elapsed))]
        if self.proc is not None and self.proc.cancelling:
            parts.append(self.t("lab.cancelling"))
        else:
            parts += [self._left_text(), self.stage]
        self.query_one("#lab-status", Static).update("  ·  ".join(parts))

    def _tick(self) -> None:
        if self.state == RUNNING:
            self._status()
        if self.plot_dirty:
            self.plot_dirty = False
            self._draw_plot()

    def _draw_plot(self) -> None:
        chart = self.query_one("#lab-plot")
        chart.redraw()
        self.query_one("#lab-legend", Static).update(chart.legend())

    def action_cancel_run(self) -> None:
        if self.state == RUNNING and self.proc is not None and not self.proc.cancelling:
            self.proc.cancelling = True
            self._status()
            self.run_worker(self.proc.cancel(), group="cancel", exit_on_error=False)

    # -- after a run --------------------------------------------------------------------------------

    def finish(self, final: Any, proc: Any) -> None:
        self.state = DONE
        self.proc = None
        self.time_left = None
        self.plot_dirty = False
        self._draw_plot()
        self.out_dir = getattr(final, "out", None)
        verdict_w = self.query_one("#lab-verdict", Static)
        claims_w = self.query_one("#lab-claims", Static)
        table = self.query_one("#lab-table", DataTable)
        table.clear(columns=True)
        result = getattr(final, "result", None)
        if final is not None and final.kind == "lab_finished":
            self.outcome = "finished"
        elif final is not None or proc.cancelling or proc.returncode == 130:
            self.outcome = "cancelled"
        else:
            self.outcome = "failed"
        self.result = result
        if self.outcome == "failed":
            lines = [Text(self.t("lab.failed", code=proc.returncode), style="bold red")]
            lines += [Text("  " + one_line(line)) for line in proc.stderr_tail[-8:]]
            verdict_w.update(Group(*lines))
            table.display = False
            claims_w.update("")
        else:
            table.display = bool(result and result.arms)
            if result:
                self._fill_table(table, result)
            verdict_w.update(self._verdict_text(result))
            self.stored_id = self._store(result.to_json() if result else None, final)
            claims_w.update(self._claims_text(result, final))
        self._show_picture(final)
        self.query_one("#lab-result").display = True
        self.query_one("#lab-intro").update(self._intro())  # now with this run as the last result
        self.query_one("#lab-intro").display = True
        self.query_one("#lab-predict").display = self.lab is not None
        self._chrome()
        self.query_one("#lab-status", Static).update(self.t("lab.elapsed", elapsed=clock(time.perf_counter() - self.started)))
        self.query_one("#lab-body").focus(scroll_visible=False)  # PageDown, Down and End scroll the result at once
        self._show_top("#lab-result")

    def _show_picture(self, final: Any) -> None:
        look_at = text(self.lab.file.look_at, "en") if self.lab is not None and self.lab.file.look_at else ""
        path = main_picture(list(getattr(final, "files", None) or []), look_at)
        caption = self.t("lab.picture", name=path.name) if path is not None else ""
        self.query_one("#lab-picture", LabPicture).show(path, caption)

    def _verdict_text(self, result: Any) -> Text:
        if self.outcome == "cancelled":
            return Text(self.t("lab.cancelled"), style=VERDICT_STYLE["cancelled"])
        verdict = result.verdict if result is not None else "?"
        return Text(self.t("lab.verdict", verdict=self.t(f"lab.verdict.{verdict}")), style=VERDICT_STYLE.get(verdict, "bold"))

    def _fill_table(self, table: DataTable, result: Any) -> None:
        extra = [m for m in result.show if m not in COLUMNS]
        cols = [*COLUMNS, *extra]
        table.add_column(self.t("lab.col.arm"), key="arm")
        for c in cols:
            key = f"lab.col.{c}"
            table.add_column(column_name(c) if self.t(key) == key else self.t(key), key=c)
        for arm, metrics in result.arms.items():
            row = [arm]
            for c in cols:
                m = metrics.get(c)
                row.append(fmt_metric(c, m.mean, m.sd if c != "seconds" else None) if m else "-")
            table.add_row(*row, key=arm)

    def _claims_text(self, result: Any, final: Any) -> Group:
        parts: list[Any] = []
        # the opened question's claims first; a claim that backs two questions once
        groups = result.by_question(self.question_id) if result is not None else []
        claims = list({id(c): c for q in groups for c in q.claims}.values())
        if claims:
            parts.append(Text(self.t("lab.claims"), style="bold"))
        for claim in claims:
            if claim.holds:
                mark, style, word = "✓", "green", self.t("lab.holds")
            elif claim.opposite_holds:
                mark, style, word = "✗", "red", self.t("lab.opposite")
            else:
                mark, style, word = "~", "yellow", self.t("lab.unclear")
            line = Text(f"{mark} ", style=f"bold {style}")
            line.append(claim.text, style="bold")
            line.append(f"  {word}", style=style)
            parts.append(line)
            says = self._says(claim)
            if says:
                parts.append(Text(f"  {says}", style="italic"))
            if claim.numbers is not None and claim.numbers.margin.per_seed:
                m = margin_text(claim, self.lang)
                parts.append(Text("  " + self.t("lab.margin", **m), style="dim"))
                why = why_not_shown(claim)
                if why is not None:
                    parts.append(Text("  " + self.t(f"lab.why.{why[0]}", **why[1]), style="yellow"))
        for spec in result.claims_not_run if result is not None else []:
            parts.append(Text(f"- {spec.text}  {self.t('lab.not_run')}", style="dim"))
        if self.outcome == "finished" and result is not None:
            best = result.best_arm()
            if self.predicted_arm:
                ok = self.predicted_arm == best
                parts.append(Text(self.t("lab.guess_arm", guess=self.predicted_arm, outcome=self.t("lab.right" if ok else "lab.wrong"), best=best),
                                  style="bold green" if ok else "bold red"))
            if self.predicted_verdict:
                ok = self.predicted_verdict == result.verdict
                parts.append(Text(self.t("lab.guess_verdict", guess=self.t(f"lab.verdict.{self.predicted_verdict}"),
                                         outcome=self.t("lab.right" if ok else "lab.wrong"),
                                         verdict=self.t(f"lab.verdict.{result.verdict}")),
                                  style="bold green" if ok else "bold red"))
        out = getattr(final, "out", None)
        if out:
            parts.append(Text(self.t("lab.files_open", out=out)))
            for f in getattr(final, "files", []) or []:
                parts.append(Text(f"  {Path(f).name}", style="cyan"))
        if self.stored_id is not None:
            parts.append(Text(self.t("lab.stored", status=self.t(f"lab.outcome.{self.outcome}")), style="dim"))
        parts.append(Text(self.t("lab.keys_after"), style="dim"))
        return Group(*[indented(p) for p in parts])

    def _store(self, result: dict[str, Any] | None, final: Any) -> int | None:
        """Record the run with the guesses; a partial result is stored as cancelled (never as finished)."""
        from tutor.study.labruns import run_record

        if not result or "lab" not in result:
            return None
        if self.outcome != "finished":
            result = {**result, "status": "cancelled"}
        try:
            record = run_record(result, lab_path=self.lab_path, duration_s=time.perf_counter() - self.started,
                                out_dir=getattr(final, "out", None), question_id=self.question_id,
                                predicted_arm=self.predicted_arm, predicted_verdict=self.predicted_verdict)
        except (OSError, KeyError, ValueError) as exc:
            self.notify(f"{self.t('store.failed')}\n{exc}", severity="error", timeout=8, markup=False)
            return None
        run_id = self.tutor.store.save(record)
        if run_id is None:  # locked or full: kept in memory, retried by the app
            self.tutor.store_trouble()
        return run_id

    # -- keys -----------------------------------------------------------------------------------------

    def on_key(self, event: Any) -> None:
        if self.state == RUNNING:
            self.keys_seen += 1

    def action_back(self) -> None:
        if self.state != RUNNING:
            self.dismiss()

    def _folder(self) -> str | None:
        folder = self.out_dir or self.last_out
        return folder if folder and Path(folder).is_dir() else None

    def action_open_folder(self) -> None:
        """The run's folder in the file manager; on a machine without one, its path (never an error)."""
        folder = self._folder()
        if folder and not open_folder(Path(folder)):
            self.notify(self.t("lab.folder_path", out=folder), timeout=10)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {
            "btn-run-quick": lambda: self.action_run("quick"),
            "btn-run-full": lambda: self.action_run("full"),
            "btn-cancel": self.action_cancel_run,
            "btn-back": self.action_back,
        }
        if event.button.id in actions:
            actions[event.button.id]()

    def on_unmount(self) -> None:
        if self.proc is not None and self.proc.running:
            self.proc.proc.kill()  # the screen is going away (the app quits): never leave training behind


def _chart(t: Any):
    """The live chart (imported here: plotext loads only when a lab page opens, never on the way to a question)."""
    from tutor.app.widgets.lab_chart import LabChart

    chart = LabChart(id="lab-plot")
    chart.labels = {"val": "val", "tr": "tr", "best": t("lab.best_trial"), "epoch": t("lab.chart.epoch")}
    return chart

