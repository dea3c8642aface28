"""Showing a lab run in the terminal (Rich) and writing its result.json.

`ConsoleReport.handle(event)` turns the runner's events into progress bars (one per arm plus the
overall one), a line per finished arm, and at the end the table of arms, the claims with their numbers
and the verdict. `write_result` writes result.json atomically (temporary file + rename).
Text from the lab file (title, arm labels, claims in plain words, what to look at) passes `shown()`:
control characters escaped (tutor.safetext), Rich markup taken literally.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from tutor.atomic import atomic_open
from tutor.lab import events as ev
from tutor.lab.spec.claims import ClaimSyntaxError, parse_claim
from tutor.lab.report.units import column_name, fmt_metric as fmt, margin_text, why_not_shown
from tutor.lab.events import _clean
from tutor.bank.schema import text
from tutor.safetext import clean, one_line

STANDARD_COLUMNS = ("train_acc", "val_acc", "gap", "train_loss", "val_loss", "test_acc", "seconds")
VERDICT_STYLE = {"reproduced": "bold green", "contradicted": "bold red", "inconclusive": "bold yellow", "cancelled": "bold magenta"}
LOSS_COLUMNS = ("train_loss", "val_loss")
WIDE = 110  # narrower terminals get the table without the loss columns (they stay in result.json)


def shown(value: Any, lines: bool = False) -> str:
    """File text made safe to print as Rich markup: escapes for control characters, markup literal."""
    return escape(clean(value) if lines else one_line(value))


def write_result(out_dir: Path, result: dict[str, Any]) -> Path:
    """Write result.json into out_dir atomically; returns its path."""
    path = Path(out_dir) / "result.json"
    with atomic_open(path, "w", prefix=".result-") as f:
        json.dump(_clean(result), f, indent=2, ensure_ascii=False, allow_nan=False)
        f.write("\n")
    return path


def extra_metrics(result: dict[str, Any]) -> list[str]:
    """Metrics the claims mention beyond the standard columns (lab-specific columns of the table)."""
    extra: list[str] = [m for m in result.get("show", []) if m not in STANDARD_COLUMNS]
    for claim in result.get("claims", []):
        try:
            refs = parse_claim(claim["text"]).refs()
        except ClaimSyntaxError:
            continue
        for _, metric in refs:
            if metric not in STANDARD_COLUMNS and metric not in extra:
                extra.append(metric)
    return extra


def arms_tables(result: dict[str, Any], width: int | None = None) -> list[Table]:
    """The per-arm table. Below WIDE columns the losses are left out (they stay in result.json), and a lab
    with many columns of its own gets them in a second table, so that no number is ever cut or folded."""
    n = len(result.get("seeds", []))
    title = (f"{shown(result.get('title', result['lab']))} - mean ± sd over {n} seed{'s' if n != 1 else ''} "
             "(accuracy in %, ± = sd over seeds, gap = train - val in points)")
    narrow = width is not None and width < WIDE
    standard = [c for c in STANDARD_COLUMNS if not (narrow and c in LOSS_COLUMNS)]
    extra = extra_metrics(result)
    if narrow and len(extra) > 2:
        return [_table(result, standard, title), _table(result, extra, "the lab's own measurements (mean over seeds)")]
    return [_table(result, standard + extra, title)]


def _table(result: dict[str, Any], cols: list[str], title: str) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("arm", style="bold", no_wrap=True)
    for c in cols:
        table.add_column(column_name(c), justify="right")
    for arm, metrics in result.get("arms", {}).items():
        row = [shown(arm)]
        for c in cols:
            m = metrics.get(c)
            sd = m.get("sd") if m and c == "val_acc" else None  # the other spreads are in result.json
            row.append(fmt(c, m["mean"], sd) if m else "-")
        table.add_row(*row)
    return table


WHY = {
    "spread": "its mean margin beats {effect}, but {seeds} seeds spread too much to be sure: about {needed_seeds} "
              "seeds would show a margin like this one",
    "small": "its mean margin {mean} does not beat {effect}: here the effect is smaller than the claim needs, and "
             "more seeds would not change that",
}


def claim_lines(result: dict[str, Any], says: dict[str, str] | None = None) -> list[str]:
    """The claims with their numbers; `says` (claim text -> plain words) overrides result.json's English."""
    lines = []
    for c in result.get("claims", []):
        if c["holds"]:
            mark = "[green]holds[/]"
        elif c["opposite_holds"]:
            mark = "[red]opposite holds[/]"
        else:
            mark = "[yellow]not shown[/]"
        m = margin_text(c)
        lines.append(f"  {mark}  {shown(c['text'])}")
        plain = (says or {}).get(c["text"]) or c.get("says")
        if plain:
            lines.append(f"         [dim]{shown(plain)}[/]")
        lines.append(f"         margin {m['mean']}, 95% lower bound {m['lower']} over {m['seeds']} seeds, "
                     f"must beat {m['effect']}")
        lines.append(f"         left {m['left']} vs right {m['right']}; per seed {m['per_seed']}")
        why = why_not_shown(c)
        if why is not None:
            lines.append(f"         [yellow]why:[/] {WHY[why[0]].format(**why[1])}")
    for claim_text in result.get("claims_not_run", []):
        lines.append(f"  [dim]not run[/]  {shown(claim_text)} (its arms were not selected)")
    return lines


def _licenses(info: dict[str, Any]) -> list[str]:
    if "license" in info:
        return [info["license"]]
    return list(dict.fromkeys(v["license"] for v in info.values() if isinstance(v, dict) and v.get("license")))


class ConsoleReport:
    """Prints a lab run: progress per arm and overall, a line per finished arm, the final report."""

    def __init__(self, console: Console | None = None, look_at: str | None = None, lab: Any = None, lang: str = "en"):
        self.console = console or Console()
        self.look_at = look_at
        self.lab, self.lang = lab, lang  # with a lab: its title, arms and claims in `lang` (the run itself is language-free)
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TimeRemainingColumn(), console=self.console, transient=True,
        )
        self.overall: TaskID | None = None
        self.arm_tasks: dict[str, TaskID] = {}
        self.epochs_done: dict[str, int] = {}  # counted, not computed from the seed: seeds may train side by side
        self.epochs: dict[str, int] = {}
        self.seeds: list[int] = []
        self.started = False

    def stop(self) -> None:
        if self.started:
            self.progress.stop()
            self.started = False

    def handle(self, event: ev.Event) -> None:
        method = getattr(self, f"_on_{event.kind}", None)
        if method:
            method(event)

    def _on_lab_started(self, e: ev.LabStarted) -> None:
        self.seeds = e.seeds
        self.epochs = e.epochs
        title, arms = e.title, dict(e.arms)
        if self.lab is not None:
            title = self.lab.title(self.lang)
            configs = self.lab.arm_configs(e.profile)
            arms = {name: configs[name].describe(self.lang) if name in configs else desc for name, desc in arms.items()}
        threads = f" ({e.threads} thread{'s' if e.threads > 1 else ''})" if e.threads else ""
        if e.threads and e.workers > 1:
            threads = f" ({e.workers} processes x {e.threads} thread{'s' if e.threads > 1 else ''})"
        self.console.print(f"[bold]{shown(title)}[/] ({shown(e.lab)}) - profile {e.profile}, device {e.device}{threads}, "
                           f"seeds {', '.join(map(str, e.seeds))}")
        for name, desc in arms.items():
            self.console.print(f"  [cyan]{shown(name)}[/]: {shown(desc)}")
        self.progress.start()
        self.started = True
        total = sum(self.epochs.values()) * len(self.seeds)
        self.overall = self.progress.add_task("[bold]overall", total=total)

    def _on_stage(self, e: ev.Stage) -> None:
        self.console.print(f"[dim]· {shown(e.text)}[/]")

    def _on_arm_started(self, e: ev.ArmStarted) -> None:
        self.arm_tasks[e.arm] = self.progress.add_task(f"  {e.arm}", total=e.epochs * len(e.seeds))
        self.epochs_done[e.arm] = 0

    def _on_epoch_end(self, e: ev.EpochEnd) -> None:
        task = self.arm_tasks.get(e.arm)
        if task is not None:
            self.epochs_done[e.arm] += 1
            self.progress.update(task, completed=self.epochs_done[e.arm],
                                 description=f"  {e.arm} seed {e.seed} train {100 * e.train_acc:.0f}% val {100 * e.val_acc:.0f}%")
        if self.overall is not None:
            self.progress.advance(self.overall)

    def _on_arm_finished(self, e: ev.ArmFinished) -> None:
        task = self.arm_tasks.pop(e.arm, None)
        if task is not None:
            self.progress.remove_task(task)
        m = e.metrics

        def g(k: str) -> str:
            return fmt(k, m[k]["mean"], m[k]["sd"]) if k in m else "-"

        self.console.print(f"[green]✓[/] [cyan]{e.arm}[/]: train {g('train_acc')} %  val {g('val_acc')} %  "
                           f"gap {g('gap')}  ({e.seconds:.1f} s)")

    def _says(self) -> dict[str, str] | None:
        if self.lab is None:
            return None
        return {c.text: text(s, self.lang) for c, s in zip(self.lab.claims, self.lab.claim_says) if s}

    def _on_claim_result(self, e: ev.ClaimResult) -> None:
        pass  # shown with the final report

    def _final(self, result: dict[str, Any], out: str | None, files: list[str], cancelled: bool) -> None:
        self.stop()
        self.console.print()
        for table in arms_tables(result, self.console.width) if result.get("arms") else []:
            self.console.print(table)
        if result.get("claims") or result.get("claims_not_run"):
            self.console.print("[bold]Claims[/] (paired over seeds; holds = the 95% lower bound of the mean margin beats the minimum effect)")
            for line in claim_lines(result, self._says()):
                self.console.print(line, highlight=False)
        v = result["verdict"]
        self.console.print(f"[bold]Verdict:[/] [{VERDICT_STYLE.get(v, 'bold')}]{v}[/]"
                           + (" (stopped before the end; partial result only)" if cancelled else ""))
        if self.look_at and not cancelled:
            self.console.print(f"[bold]What to look at:[/] {shown(self.look_at, lines=True)}")
        for credit in _licenses(result.get("dataset", {})):
            self.console.print(f"[dim]Data: {shown(credit)}[/]")
        if out:
            names = ", ".join(Path(f).name for f in files)
            self.console.print(f"Results in [bold]{shown(out)}[/]" + (f" ({shown(names)})" if files else ""))

    def _on_lab_finished(self, e: ev.LabFinished) -> None:
        self._final(e.result, e.out, e.files, cancelled=False)

    def _on_cancelled(self, e: ev.Cancelled) -> None:
        self._final(e.result, e.out, e.files, cancelled=True)
