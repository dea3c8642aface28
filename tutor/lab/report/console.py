"""Showing a lab run in the terminal (Rich) and writing its result.json.

`ConsoleReport.handle(event)` turns the runner's events into progress bars (one per arm plus the
overall one), a line per finished arm, and at the end the table of arms, the claims grouped by the
question they back (the question's own assertion, each claim with its numbers, shown / not shown /
opposite and why), the checks, the verdict's picture in text (tutor.lab.report.forest) and the verdict.
result.json is written by the result itself (tutor.lab.result).
Text from the lab file (title, arm labels, claims in plain words, what to look at) passes `shown()`:
control characters escaped (tutor.safetext), Rich markup taken literally.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from tutor.bank.schema import text
from tutor.lab import events as ev
from tutor.lab.report.forest import forest_lines
from tutor.lab.report.units import column_name, fmt_metric as fmt, margin_text, why_not_shown
from tutor.lab.result import NOT_SHOWN, OPPOSITE, SHOWN, ClaimOutcome, LabResult, Question
from tutor.lab.spec.claims import ClaimSyntaxError, parse_claim
from tutor.safetext import clean, one_line

STANDARD_COLUMNS = ("train_acc", "val_acc", "gap", "train_loss", "val_loss", "test_acc", "seconds")
VERDICT_STYLE = {"reproduced": "bold green", "contradicted": "bold red", "inconclusive": "bold yellow", "cancelled": "bold magenta"}
LOSS_COLUMNS = ("train_loss", "val_loss")
WIDE = 110  # narrower terminals get the table without the loss columns (they stay in result.json)


def shown(value: Any, lines: bool = False) -> str:
    """File text made safe to print as Rich markup: escapes for control characters, markup literal."""
    return escape(clean(value) if lines else one_line(value))


def extra_metrics(result: LabResult) -> list[str]:
    """Metrics the claims mention beyond the standard columns (lab-specific columns of the table)."""
    extra: list[str] = [m for m in result.show if m not in STANDARD_COLUMNS]
    for claim in result.claims:
        try:
            refs = parse_claim(claim.text).refs()
        except ClaimSyntaxError:
            continue
        for _, metric in refs:
            if metric not in STANDARD_COLUMNS and metric not in extra:
                extra.append(metric)
    return extra


def arms_tables(result: LabResult, width: int | None = None) -> list[Table]:
    """The per-arm table. Below WIDE columns the losses are left out (they stay in result.json), and a lab
    with many columns of its own gets them in a second table, so that no number is ever cut or folded."""
    n = len(result.seeds)
    title = (f"{shown(result.title or result.lab)} - mean ± sd over {n} seed{'s' if n != 1 else ''} "
             "(accuracy in %, ± = sd over seeds, gap = train - val in points)")
    narrow = width is not None and width < WIDE
    standard = [c for c in STANDARD_COLUMNS if not (narrow and c in LOSS_COLUMNS)]
    extra = extra_metrics(result)
    if narrow and len(extra) > 2:
        return [_table(result, standard, title), _table(result, extra, "the lab's own measurements (mean over seeds)")]
    return [_table(result, standard + extra, title)]


def _table(result: LabResult, cols: list[str], title: str) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("arm", style="bold", no_wrap=True)
    for c in cols:
        table.add_column(column_name(c), justify="right")
    for arm, metrics in result.arms.items():
        row = [shown(arm)]
        for c in cols:
            m = metrics.get(c)
            sd = m.sd if m and c == "val_acc" else None  # the other spreads are in result.json
            row.append(fmt(c, m.mean, sd) if m else "-")
        table.add_row(*row)
    return table


WHY = {
    "spread": "its mean margin beats {effect}, but {seeds} seeds spread too much to be sure: about {needed_seeds} "
              "seeds would show a margin like this one",
    "small": "its mean margin {mean} does not beat {effect}: here the effect is smaller than the claim needs, and "
             "more seeds would not change that",
}
MARK = {SHOWN: "[green]holds[/]", OPPOSITE: "[red]opposite holds[/]", NOT_SHOWN: "[yellow]not shown[/]"}
QUESTION_MARK = {SHOWN: "[green]shown[/]", OPPOSITE: "[red]opposite shown[/]", NOT_SHOWN: "[yellow]not shown[/]",
                 "not run": "[dim]not run[/]"}
_SENTENCE_END = re.compile(r"(?<=[.?!。])\s")


def question_assertion(question: Any, lang: str = "en") -> str:
    """What a question asserts, in one line: its `asserts:` field, else its stem's first sentence."""
    asserts = getattr(question, "asserts", None)
    if asserts:
        return one_line(text(asserts, lang))
    stem = one_line(text(getattr(question, "stem", None), lang))
    return _SENTENCE_END.split(stem, maxsplit=1)[0]


def numbers_lines(c: ClaimOutcome) -> list[str]:
    """A judged claim's numbers: the arms' values as the table has them (the one claimed larger first), their
    difference, the claim's own threshold where it states one (a tolerance is shown as what it is), the
    margin's bound, and why not shown."""
    m = margin_text(c)
    compare = (f"{shown(m['first_expr'])} {m['first_value']} vs {shown(m['second_expr'])} {m['second_value']}: "
               f"difference {m['difference']}")
    bound = f"95% lower bound {m['lower']} over {m['seeds']} seeds, must beat {m['effect']}"
    if not m["has_threshold"]:
        lines = [compare + " (the margin)", bound]
    elif m["threshold"].startswith("-"):
        lines = [f"{compare}; the claim tolerates down to {m['threshold']}",
                 f"margin over that tolerance {m['mean']}, {bound}"]
    else:
        lines = [f"{compare}; the claim needs more than {m['threshold']}", f"margin over that {m['mean']}, {bound}"]
    lines.append(f"margin per seed {m['per_seed']}")
    why = why_not_shown(c)
    if why is not None:
        lines.append(f"[yellow]why:[/] {WHY[why[0]].format(**why[1])}")
    return lines


def _claim(c: ClaimOutcome, lang: str, indent: str, label: str = "") -> list[str]:
    lines = [f"{indent}{label}{MARK[c.status]}  {shown(c.text)}"]
    pad = indent + "    "
    if c.says_in(lang):
        lines.append(f"{pad}[dim]{shown(c.says_in(lang))}[/]")
    if c.numbers is not None and c.numbers.margin.per_seed:
        lines += [pad + line for line in numbers_lines(c)]
    return lines


def _question_lines(q: Question, lang: str, assertions: dict[str, str], labels: dict[int, str]) -> list[str]:
    if not q.id:
        lines = ["  [bold]Claims that back no linked question[/]"]
    else:
        lines = [f"  [bold]Question {shown(q.id)}[/]: {QUESTION_MARK[q.status]}"]
        if assertions.get(q.id):
            lines.append(f"    [italic]{shown(assertions[q.id])}[/]")
    for c in q.claims:
        lines += _claim(c, lang, "    ", labels.get(id(c), ""))
    for c in q.not_run:
        lines.append(f"    [dim]not run[/]  {shown(c.text)} (its arms were not selected)")
    return lines


def claim_lines(result: LabResult, lang: str = "en", *, first: str | None = None,
                assertions: dict[str, str] | None = None) -> list[str]:
    """The claims with their numbers, grouped by the question they back (`first`, the question the lab was
    opened from, leading; `assertions`: question id -> what it asserts), then the checks."""
    groups = result.by_question(first)
    labels = {id(c): f"C{i + 1} " for i, c in enumerate(result.claims)}  # as the verdict's picture names them
    lines: list[str] = []
    if len(groups) == 1 and not groups[0].id:  # a lab whose claims name no question: one plain list
        for c in groups[0].claims:
            lines += _claim(c, lang, "  ", labels[id(c)])
        lines += [f"  [dim]not run[/]  {shown(c.text)} (its arms were not selected)" for c in groups[0].not_run]
    else:
        for q in groups:
            lines += _question_lines(q, lang, assertions or {}, labels)
    if result.checks:
        lines.append("[bold]Checks[/] (the set-up is what it says; never part of the verdict)")
        for c in result.checks:
            lines += _claim(c, lang, "  ")
    return lines


def _licenses(info: dict[str, Any]) -> list[str]:
    if "license" in info:
        return [info["license"]]
    return list(dict.fromkeys(v["license"] for v in info.values() if isinstance(v, dict) and v.get("license")))


class ConsoleReport:
    """Prints a lab run: progress per arm and overall, a line per finished arm, the final report."""

    def __init__(self, console: Console | None = None, look_at: str | None = None, lab: Any = None, lang: str = "en",
                 question: str | None = None, assertions: dict[str, str] | None = None):
        self.console = console or Console()
        self.look_at = look_at
        self.lab, self.lang = lab, lang  # with a lab: its title, arms and claims in `lang` (the run itself is language-free)
        self.question = question  # the question the lab was opened from: its claims come first
        self.assertions = assertions or {}  # question id -> what it asserts (`question_assertion`)
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
        self.console.print(f"[dim]· {shown(e.shown(self.lang))}[/]")

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
            return fmt(k, m[k].mean, m[k].sd) if k in m else "-"

        self.console.print(f"[green]✓[/] [cyan]{e.arm}[/]: train {g('train_acc')} %  val {g('val_acc')} %  "
                           f"gap {g('gap')}  ({e.seconds:.1f} s)")

    def _on_claim_result(self, e: ev.ClaimResult) -> None:
        pass  # shown with the final report

    def _final(self, result: LabResult, out: str | None, files: list[str], cancelled: bool) -> None:
        self.stop()
        self.console.print()
        for table in arms_tables(result, self.console.width) if result.arms else []:
            self.console.print(table)
        if result.claims or result.claims_not_run:
            self.console.print("[bold]Claims[/] (paired over seeds; holds = the 95% lower bound of the mean margin beats the minimum effect)")
            for line in claim_lines(result, self.lang, first=self.question, assertions=self.assertions):
                self.console.print(line, highlight=False)
            for line in forest_lines(result, self.console.width, first=self.question):
                self.console.print(line, highlight=False)
        v = result.verdict
        self.console.print(f"[bold]Verdict:[/] [{VERDICT_STYLE.get(v, 'bold')}]{v}[/]"
                           + (" (stopped before the end; partial result only)" if cancelled else ""))
        if self.look_at and not cancelled:
            self.console.print(f"[bold]What to look at:[/] {shown(self.look_at, lines=True)}")
        for credit in _licenses(result.dataset):
            self.console.print(f"[dim]Data: {shown(credit)}[/]")
        if out:
            names = ", ".join(Path(f).name for f in files)
            self.console.print(f"Results in [bold]{shown(out)}[/]" + (f" ({shown(names)})" if files else ""))

    def _on_lab_finished(self, e: ev.LabFinished) -> None:
        self._final(e.result, e.out, e.files, cancelled=False)

    def _on_cancelled(self, e: ev.Cancelled) -> None:
        self._final(e.result, e.out, e.files, cancelled=True)
