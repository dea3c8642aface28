"""One lab: what it tests, a prediction, a live run, and the verdict.

Three states. Before a run: the lab's summary, its arms, the expected run time on this device (from
the last finished runs stored for this lab), the last stored result, and two optional guesses. Running:
`tutor lab --json` in a child process (`LabProcess`), read by an async worker, so the UI never waits
on training; a progress bar per arm, the accuracy curves, elapsed and remaining time; Escape cancels.
After: the per-arm table, each claim with its numbers, the verdict, whether the guesses were right,
where the files went. The run is recorded in the store with the guesses (a cancelled one with status
`cancelled`, never as finished).
"""

from __future__ import annotations

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
from tutor.bank import text
from tutor.lab.report.units import column_name, fmt_metric, margin_text

BEFORE, RUNNING, DONE = "before", "running", "done"
VERDICTS = ("reproduced", "inconclusive", "contradicted")
VERDICT_STYLE = {"reproduced": "bold green", "contradicted": "bold red", "inconclusive": "bold yellow", "cancelled": "bold magenta"}
COLUMNS = ("train_acc", "val_acc", "gap", "test_acc", "seconds")
REDRAW_S = 0.5


def clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


def indented(line: Any) -> Any:
    """A line written with two leading spaces, indented as a block so its wrapped lines line up too."""
    if isinstance(line, Text) and line.plain.startswith("  "):
        return Padding(line[2:], (0, 0, 0, 2))
    return line


class LabScreen(TutorScreen):
    AUTO_FOCUS = None  # focus goes to the first guess without scrolling away from what the lab tests
    BINDINGS = [
        Binding("r", "run('quick')", "key.run_quick"),
        Binding("f", "run('full')", "key.run_full"),
        Binding("escape", "cancel_run", "key.cancel_run"),
        Binding("escape", "back", "key.back_question"),
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
        self.estimate: float | None = None
        self.totals: dict[str, int] = {}
        self.done_epochs: dict[str, int] = {}
        self.curves: dict[str, dict[int, list[tuple[float, float]]]] = {}
        self.current_arm: str | None = None
        self.stage = ""
        self.plot_dirty = False
        self.result: dict[str, Any] | None = None
        self.outcome: str | None = None  # finished | cancelled | failed
        self.stored_id: int | None = None
        self.predicted_arm: str | None = None
        self.predicted_verdict: str | None = None
        self.keys_seen = 0  # key presses handled during a run (the responsiveness test and benchmark read it)
        self._load()

    # -- the lab file ---------------------------------------------------------------------------------


    def _says(self, claim: dict[str, Any]) -> str:
        """The claim in plain words, in the learner's language when the lab file has it (result.json keeps English)."""
        if self.lab is not None:
            for spec_claim, says in zip(self.lab.claims, self.lab.claim_says):
                if spec_claim.text == claim.get("text") and says:
                    return text(says, self.lang)
        return claim.get("says") or ""
    def _load(self) -> None:
        from tutor.lab.errors import LabError
        from tutor.lab.spec.lab import SpecError, load_lab

        try:
            self.lab = load_lab(self.lab_path)
            self.lab_id = self.lab.id  # runs are stored under the lab file's own id
        except SpecError as exc:
            self.problems = [str(p) for p in exc.problems]
        except (LabError, OSError) as exc:
            self.problems = [str(exc)]

    # -- layout -------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        title = self.lab.title(self.lang) if self.lab is not None else self.lab_id
        yield Static(self.t("lab.title", title=title), id="lab-bar", classes="bar", markup=False)
        with VerticalScroll(id="lab-body"):
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
                yield _plot()
            with Vertical(id="lab-result"):
                yield Static("", id="lab-verdict")
                yield DataTable(id="lab-table", show_cursor=False, zebra_stripes=True)
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
        parts.append(Text(lab.summary(lang)))
        look_at = text(lab.file.look_at, lang) if lab.file.look_at else ""
        if look_at:
            parts += [Text(""), Text(self.t("lab.look_at"), style="bold"), Text("  " + look_at.strip())]
        try:
            configs = lab.arm_configs("quick")
        except Exception as exc:  # noqa: BLE001 - a cross-layer conflict: `tutor lab` reports it in full
            return Group(Text(self.t("lab.bad"), style="bold red"), Text(f"  {exc}"))
        parts += [Text(""), Text(self.t("lab.arms", count=len(configs)), style="bold")]
        for name, cfg in configs.items():
            line = Text(f"  {name}", style="cyan")
            line.append(f": {cfg.describe(lang)}")
            parts.append(line)
        parts += [Text(""), Text(self.t("lab.claims"), style="bold")]
        for claim, says in zip(lab.claims, lab.claim_says):
            line = Text(f"  {claim.text}", style="cyan")
            if says:
                line.append(f"  ({text(says, lang)})", style="italic")
            parts.append(line)
        parts += [Text(""), Text(self.t("lab.time"), style="bold")]
        for profile in ("quick", "full"):
            parts.append(Text(f"  {profile}: {self._expected(profile)}"))
        parts += [Text(""), Text(self.t("lab.last"), style="bold")]
        parts += self._last_lines()
        return Group(*[indented(p) for p in parts])

    def _expected(self, profile: str) -> str:
        from tutor.app.strings import duration
        from tutor.study.labruns import timed_run

        run = timed_run(self.tutor.store, self.lab_id, profile)
        if run is None:
            return self.t("lab.time_unknown_quick" if profile == "quick" else "lab.time_unknown")
        secs = run.duration_s
        when = f"{secs:.0f} s" if secs < 90 else duration(self.lang, secs)
        return self.t("lab.time_measured", duration=when, date=f"{run.finished_at.astimezone():%Y-%m-%d}", device=run.device)

    def _last_lines(self) -> list[Text]:
        from tutor.study.labruns import last_run, spec_hash

        run = last_run(self.tutor.store, self.lab_id)
        if run is None:
            return [Text("  " + self.t("lab.last_none"), style="dim")]
        line = Text("  ")
        line.append(self.t(f"lab.verdict.{run.verdict}"), style=VERDICT_STYLE.get(run.verdict, "bold"))
        line.append(" · " + self.t("lab.last_line", date=f"{run.finished_at.astimezone():%Y-%m-%d %H:%M}",
                                   profile=run.profile, device=run.device, seeds=",".join(map(str, run.seeds))))
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
        self.curves, self.totals, self.done_epochs = {}, {}, {}
        self.stage = self.t("lab.starting")
        from tutor.study.labruns import timed_run

        timed = timed_run(self.tutor.store, self.lab_id, profile)
        self.estimate = timed.duration_s if timed is not None else None
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

    def on_lab_event(self, event: Any) -> None:
        kind = event.kind
        if kind == "lab_started":
            bars = self.query_one("#lab-bars")
            for arm in event.arms:
                self.totals[arm] = max(1, int(event.epochs.get(arm, 1)) * len(event.seeds))
                self.done_epochs[arm] = 0
                row = HorizontalGroup(Label(arm, classes="lab-arm"), ProgressBar(total=self.totals[arm], show_eta=False, id=f"bar-{arm}"),
                                      classes="lab-bar-row")
                bars.mount(row)
            self.stage = f"{event.profile} · {event.device} · seeds {','.join(map(str, event.seeds))}"
        elif kind == "stage":
            self.stage = event.text
        elif kind == "arm_started":
            self.current_arm = event.arm
            self.stage = f"{event.arm}: {event.description}"
        elif kind == "epoch_end":
            self.done_epochs[event.arm] = self.done_epochs.get(event.arm, 0) + 1
            self._advance(event.arm)
            self.curves.setdefault(event.arm, {}).setdefault(event.seed, []).append((event.train_acc, event.val_acc))
            self.plot_dirty = True
        elif kind == "arm_finished":
            self.done_epochs[event.arm] = self.totals.get(event.arm, 0)
            self._advance(event.arm)
        self._status()

    def _advance(self, arm: str) -> None:
        try:
            bar = self.query_one(f"#bar-{arm}", ProgressBar)
        except Exception:  # noqa: BLE001 - not mounted yet
            return
        bar.update(progress=self.done_epochs.get(arm, 0))

    def _fraction(self) -> float:
        total = sum(self.totals.values())
        return sum(self.done_epochs.values()) / total if total else 0.0

    def _status(self) -> None:
        if self.state != RUNNING:
            return
        elapsed = time.perf_counter() - self.started
        parts = [self.t("lab.elapsed", elapsed=clock(elapsed))]
        f = self._fraction()
        if self.proc is not None and self.proc.cancelling:
            parts.append(self.t("lab.cancelling"))
        else:
            if f >= 0.1:
                parts.append(self.t("lab.remaining", remaining=clock(elapsed * (1 - f) / f)))
            elif self.estimate is not None:
                parts.append(self.t("lab.remaining", remaining=clock(max(0.0, self.estimate - elapsed))))
            else:
                parts.append(self.t("lab.remaining_unknown"))
            parts.append(self.stage)
        self.query_one("#lab-status", Static).update("  ·  ".join(parts))

    def _tick(self) -> None:
        if self.state == RUNNING:
            self._status()
        if self.plot_dirty:
            self.plot_dirty = False
            self._draw_plot()

    def _draw_plot(self) -> None:
        plot = self.query_one("#lab-plot")
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.ylim(0, 1)
        plt.xlabel("epoch")
        for arm, seeds in self.curves.items():
            if not seeds:
                continue
            points = seeds[max(seeds)]
            xs = list(range(1, len(points) + 1))
            plt.plot(xs, [v for _, v in points], label=f"{arm} val", marker="braille")
            if arm == self.current_arm:
                plt.plot(xs, [tr for tr, _ in points], label=f"{arm} tr", marker="dot")
        plot.refresh()

    def action_cancel_run(self) -> None:
        if self.state == RUNNING and self.proc is not None and not self.proc.cancelling:
            self.proc.cancelling = True
            self._status()
            self.run_worker(self.proc.cancel(), group="cancel", exit_on_error=False)

    # -- after a run --------------------------------------------------------------------------------

    def finish(self, final: Any, proc: Any) -> None:
        self.state = DONE
        self.proc = None
        self.plot_dirty = False
        self._draw_plot()
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
            lines += [Text("  " + line) for line in proc.stderr_tail[-8:]]
            verdict_w.update(Group(*lines))
            table.display = False
            claims_w.update("")
        else:
            table.display = bool(result and result.get("arms"))
            if result:
                self._fill_table(table, result)
            verdict_w.update(self._verdict_text(result))
            self.stored_id = self._store(result, final)
            claims_w.update(self._claims_text(result, final))
        self.query_one("#lab-result").display = True
        self.query_one("#lab-intro").update(self._intro())  # now with this run as the last result
        self.query_one("#lab-intro").display = True
        self.query_one("#lab-predict").display = self.lab is not None
        self._chrome()
        self.query_one("#lab-status", Static).update(self.t("lab.elapsed", elapsed=clock(time.perf_counter() - self.started)))
        self._show_top("#lab-result")

    def _verdict_text(self, result: dict[str, Any] | None) -> Text:
        if self.outcome == "cancelled":
            return Text(self.t("lab.cancelled"), style=VERDICT_STYLE["cancelled"])
        verdict = (result or {}).get("verdict", "?")
        return Text(self.t("lab.verdict", verdict=self.t(f"lab.verdict.{verdict}")), style=VERDICT_STYLE.get(verdict, "bold"))

    def _fill_table(self, table: DataTable, result: dict[str, Any]) -> None:
        extra = [m for m in result.get("show", []) if m not in COLUMNS]
        cols = [*COLUMNS, *extra]
        table.add_column(self.t("lab.col.arm"), key="arm")
        for c in cols:
            table.add_column(column_name(c), key=c)
        for arm, metrics in result.get("arms", {}).items():
            row = [arm]
            for c in cols:
                m = metrics.get(c) or {}
                row.append(fmt_metric(c, m.get("mean"), m.get("sd") if c != "seconds" else None))
            table.add_row(*row, key=arm)

    def _claims_text(self, result: dict[str, Any] | None, final: Any) -> Group:
        from tutor.study.labruns import best_arm

        parts: list[Any] = []
        result = result or {}
        if result.get("claims"):
            parts.append(Text(self.t("lab.claims"), style="bold"))
        for claim in result.get("claims", []):
            if claim.get("holds"):
                mark, style, word = "✓", "green", self.t("lab.holds")
            elif claim.get("opposite_holds"):
                mark, style, word = "✗", "red", self.t("lab.opposite")
            else:
                mark, style, word = "~", "yellow", self.t("lab.unclear")
            line = Text(f"{mark} ", style=f"bold {style}")
            line.append(claim["text"], style="bold")
            line.append(f"  {word}", style=style)
            parts.append(line)
            says = self._says(claim)
            if says:
                parts.append(Text(f"  {says}", style="italic"))
            if (claim.get("numbers") or {}).get("margin"):
                m = margin_text(claim)
                parts.append(Text("  " + self.t("lab.margin", mean=m["mean"], sd=m["sd"], needed=m["needed"], seeds=m["seeds"],
                                                  per_seed=m["per_seed"]), style="dim"))
        for text_ in result.get("claims_not_run", []):
            parts.append(Text(f"- {text_}  {self.t('lab.not_run')}", style="dim"))
        if self.outcome == "finished":
            best = best_arm(result.get("arms", {}))
            if self.predicted_arm:
                ok = self.predicted_arm == best
                parts.append(Text(self.t("lab.guess_arm", guess=self.predicted_arm, outcome=self.t("lab.right" if ok else "lab.wrong"), best=best),
                                  style="bold green" if ok else "bold red"))
            if self.predicted_verdict:
                ok = self.predicted_verdict == result.get("verdict")
                parts.append(Text(self.t("lab.guess_verdict", guess=self.t(f"lab.verdict.{self.predicted_verdict}"),
                                         outcome=self.t("lab.right" if ok else "lab.wrong"),
                                         verdict=self.t(f"lab.verdict.{result.get('verdict')}")),
                                  style="bold green" if ok else "bold red"))
        out = getattr(final, "out", None)
        if out:
            parts.append(Text(self.t("lab.files", out=out)))
            for f in getattr(final, "files", []) or []:
                parts.append(Text(f"  {Path(f).name}", style="cyan"))
        if self.stored_id is not None:
            parts.append(Text(self.t("lab.stored", status=self.t("lab.verdict.cancelled") if self.outcome == "cancelled" else self.outcome), style="dim"))
        parts.append(Text(self.t("lab.again" if self.question_id else "lab.again_list"), style="dim"))
        return Group(*[indented(p) for p in parts])

    def _store(self, result: dict[str, Any] | None, final: Any) -> int | None:
        """Record the run with the guesses; a partial result is stored as cancelled (never as finished)."""
        from tutor.study.labruns import record_run
        from tutor.study.store import StoreError

        if not result or "lab" not in result:
            return None
        if self.outcome != "finished":
            result = {**result, "status": "cancelled"}
        try:
            return record_run(self.tutor.store, result, lab_path=self.lab_path, duration_s=time.perf_counter() - self.started,
                              out_dir=getattr(final, "out", None), question_id=self.question_id,
                              predicted_arm=self.predicted_arm, predicted_verdict=self.predicted_verdict)
        except (StoreError, OSError, KeyError, ValueError) as exc:
            self.notify(f"{self.t('store.failed')}\n{exc}", severity="error", timeout=8)
            return None

    # -- keys -----------------------------------------------------------------------------------------

    def on_key(self, event: Any) -> None:
        if self.state == RUNNING:
            self.keys_seen += 1

    def action_back(self) -> None:
        if self.state != RUNNING:
            self.dismiss()

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


def _plot():
    from textual_plotext import PlotextPlot

    return PlotextPlot(id="lab-plot")

