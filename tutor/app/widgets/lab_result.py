"""A finished (or cancelled, or failed) lab run on its page: the verdict, then the claims of the question
the lab was opened from (in plain words, with their numbers and why one was not shown) and the learner's
guesses against the outcome, all within the first screen at 80x24; then the per-arm table, the main
picture, the other questions' claims, and only now what the lab shows and what to look at; then where
the files went and the keys that go on (more seeds, run again, the folder).

Built on the run's tutor.lab.result.LabResult; what to say comes from the lab session (tutor.study).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from tutor.app.strings import shown, t
from tutor.app.widgets.lab_picture import LabPicture, main_picture
from tutor.app.widgets.lab_text import VERDICT_STYLE, glued, indented, stem_start
from tutor.bank import text
from tutor.lab.report.units import column_name, fmt_metric, margin_text, why_not_shown
from tutor.safetext import clean, one_line

COLUMNS = ("train_acc", "val_acc", "gap", "test_acc", "seconds")
NEVER_METRICS = {"epochs_to_target", "epochs_to_train_target"}  # the engine writes the epoch limit + 1 for a seed that never got there
ARM_METRIC = re.compile(r"\b([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\b")  # `arm.metric` in a claim's side
MARKS = {"shown": ("✓", "green", "lab.holds"), "opposite": ("✗", "red", "lab.opposite"),
         "not shown": ("~", "yellow", "lab.unclear")}


class LabResultView(Vertical):
    def __init__(self, session: Any, *, questions: dict[str, Any] | None = None, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.questions = questions or {}
        self.lang = lang

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def compose(self) -> ComposeResult:
        yield Static("", id="lab-verdict")
        yield Static("", id="lab-claims")
        yield DataTable(id="lab-table", show_cursor=False, zebra_stripes=True)
        yield LabPicture(id="lab-picture")
        yield Static("", id="lab-after")

    def on_mount(self) -> None:
        self.query_one("#lab-table").can_focus = False  # keys scroll the page (← → the table), not the table

    # -- the three endings ----------------------------------------------------------------------

    def show_failed(self, proc: Any) -> None:
        lines = [Text(self.t("lab.failed", code=proc.returncode), style="bold red")]
        lines += [indented(Text("  " + one_line(line))) for line in proc.stderr_tail[-8:]]
        self.query_one("#lab-verdict", Static).update(Group(*lines))
        self.query_one("#lab-table").display = False
        self.query_one("#lab-picture", LabPicture).show(None, "")
        self.query_one("#lab-claims", Static).update("")
        self.query_one("#lab-after", Static).update(Text(self.t("lab.keys_after"), style="dim"))

    def show_result(self, result: Any, final: Any, *, finished: bool, stored: int | None, more_seeds: int | None) -> None:
        verdict = result.verdict if result is not None else "?"
        line = (Text(self.t("lab.cancelled"), style=VERDICT_STYLE["cancelled"]) if not finished else
                Text(self.t("lab.verdict", verdict=self.t(f"lab.verdict.{verdict}")), style=VERDICT_STYLE.get(verdict, "bold")))
        self.query_one("#lab-verdict", Static).update(line)
        table = self.query_one("#lab-table", DataTable)
        table.clear(columns=True)
        table.display = bool(result is not None and result.arms)
        if table.display:
            self.fill_table(table, result)
        look_at = text(self.session.lab.file.look_at, "en") if self.session.lab.file.look_at else ""
        path = main_picture(list(getattr(final, "files", None) or []), look_at)
        self.query_one("#lab-picture", LabPicture).show(path, self.t("lab.picture", name=path.name) if path else "")
        first, rest = self.claim_split(result)
        first += self.guess_lines(result) if finished else []
        self.query_one("#lab-claims", Static).update(Group(*[indented(p) for p in first]))
        parts = rest + self.after_lines(result, final, finished, stored, more_seeds)
        self.query_one("#lab-after", Static).update(Group(*[indented(p) for p in parts]))

    # -- the table ------------------------------------------------------------------------------

    def fill_table(self, table: DataTable, result: Any) -> None:
        cols = [*COLUMNS, *[m for m in result.show if m not in COLUMNS]]
        table.add_column(self.t("lab.col.arm"), key="arm")
        for c in cols:
            table.add_column(self.heading(c), key=c)
        for arm, metrics in result.arms.items():
            row = [arm]
            for c in cols:
                m = metrics.get(c)
                row.append(self.cell(arm, c, m) if m else "-")
            table.add_row(*row, key=arm)

    def cell(self, arm: str, metric: str, stats: Any) -> str:
        if metric in NEVER_METRICS:
            limit = self._epochs(arm)
            values = [v for v in stats.per_seed if v is not None]
            if limit is not None and values:
                never = sum(1 for v in values if v > limit)
                if never == len(values):
                    return self.t("lab.never_reached")
                if never:
                    reached = [v for v in values if v <= limit]
                    return self.t("lab.some_never", value=f"{sum(reached) / len(reached):.3g}", n=never, seeds=len(values))
        return fmt_metric(metric, stats.mean, stats.sd if metric != "seconds" else None)

    def _epochs(self, arm: str) -> int | None:
        try:
            return int(self.session.lab.arm_configs(self.session.profile)[arm].epochs)
        except Exception:  # noqa: BLE001 - an arm the lab file no longer has
            return None

    # -- the claims -----------------------------------------------------------------------------

    def claim_lines(self, result: Any) -> list[Any]:
        return [line for group in self.claim_groups(result) for line in group]

    def claim_split(self, result: Any) -> tuple[list[Any], list[Any]]:
        """(the lines that lead the page, those after the picture): the claims of the question the lab was
        opened from lead; opened from the labs list, every question's do."""
        groups = self.claim_groups(result)
        if self.session.question_id is None or not groups:
            return [line for group in groups for line in group], []
        return groups[0], [line for group in groups[1:] for line in group]

    def claim_groups(self, result: Any) -> list[list[Any]]:
        """Each question's lines (the question the lab was opened from first), a claim under its first question."""
        if result is None:
            return []
        out: list[list[Any]] = []
        seen: set[int] = set()
        for group in result.by_question(self.session.question_id):
            claims = [c for c in group.claims if id(c) not in seen]
            if not claims and not group.not_run:
                continue
            parts: list[Any] = [Text(""), self.question_heading(group)]
            for claim in claims:
                seen.add(id(claim))
                parts += self.claim(claim)
            for spec in group.not_run:
                parts.append(Text(f"  - {self.says(spec)}  {self.t('lab.not_run')}", style="dim"))
            out.append(parts)
        return out

    def question_heading(self, group: Any) -> Text:
        status = {"shown": "lab.q.shown", "opposite": "lab.q.opposite", "not run": "lab.q.not_run"}.get(group.status, "lab.q.not_shown")
        question = self.questions.get(group.id)
        if question is None:
            return Text(self.t("lab.claims"), style="bold")
        line = Text(self.t("lab.q.heading", question=stem_start(question, self.lang)), style="bold")
        line.append("  " + self.t(status), style="dim")
        return line

    def says(self, claim: Any) -> str:
        """The claim in plain words in the learner's language (the lab file's grammar only when it has none)."""
        return glued(shown(claim.says, self.lang)) if claim.says else clean(claim.text)

    def claim(self, claim: Any) -> list[Text]:
        mark, style, word = MARKS.get(claim.status, MARKS["not shown"])
        line = Text(f"{mark} ", style=f"bold {style}")
        line.append(self.says(claim))
        line.append(f"  {self.t(word)}", style=style)
        out = [line]
        if claim.numbers is not None and claim.numbers.margin.per_seed:
            m = margin_text(claim, self.lang)
            if claim.numbers.left.mean is not None and claim.numbers.right.mean is not None:
                out.append(Text("  " + glued(self.compare(m)), style="dim"))
            out.append(Text("  " + glued(self.t("lab.margin", **m)), style="dim"))
            why = why_not_shown(claim)
            if why is not None:
                out.append(Text("  " + glued(self.t(f"lab.why.{why[0]}", **why[1])), style="yellow"))
        return out

    def compare(self, m: dict[str, str]) -> str:
        """The arms' values as the table has them (the one claimed larger first), their difference, and the
        claim's own number as what it is: a threshold the difference must pass, or a tolerance it may fall to."""
        line = self.t("lab.compare", first=self.as_table(m["first_expr"]), first_value=m["first_value"],
                      second=self.as_table(m["second_expr"]), second_value=m["second_value"], difference=m["difference"])
        if m["has_threshold"]:
            key = "lab.compare.tolerates" if m["threshold"].startswith("-") else "lab.compare.needs"
            line += self.t(key, threshold=m["threshold"])
        return line

    def as_table(self, expr: str) -> str:
        """A side of a claim as the table names it: each `arm.metric` as the arm and its column's heading."""
        return clean(ARM_METRIC.sub(lambda ref: f"{ref[1]} {self.heading(ref[2]).removesuffix(' %')}", expr))

    def heading(self, metric: str) -> str:
        key = f"lab.col.{metric}"
        return column_name(metric) if self.t(key) == key else self.t(key)

    # -- after the claims -----------------------------------------------------------------------

    def guess_lines(self, result: Any) -> list[Any]:
        """The learner's guesses (best arm, verdict) against the finished run."""
        parts: list[Any] = []
        if result is not None:
            for what, guess, ok, actual in self.session.guesses(result):
                outcome = self.t("lab.right" if ok else "lab.wrong")
                if what == "arm":
                    line = self.t("lab.guess_arm", guess=guess, outcome=outcome, best=actual)
                else:
                    line = self.t("lab.guess_verdict", guess=self.t(f"lab.verdict.{guess}"), outcome=outcome,
                                  verdict=self.t(f"lab.verdict.{actual}"))
                parts.append(Text(line, style="bold green" if ok else "bold red"))
        return [Text(""), *parts] if parts else []

    def after_lines(self, result: Any, final: Any, finished: bool, stored: int | None, more_seeds: int | None) -> list[Any]:
        lab = self.session.lab
        parts: list[Any] = [Text(""), Text(self.t("lab.shows"), style="bold"), Text("  " + glued(clean(lab.summary(self.lang))))]
        if lab.file.look_at:
            parts += [Text(self.t("lab.look_at"), style="bold"), Text("  " + glued(shown(lab.file.look_at, self.lang).strip()))]
        out = getattr(final, "out", None)
        if out:
            parts += [Text(""), Text(self.t("lab.files_open", out=out))]
            parts += [Text(f"  {Path(f).name}", style="cyan") for f in getattr(final, "files", None) or []]
        if stored is not None:
            parts.append(Text(self.t("lab.stored", status=self.t(f"lab.outcome.{'finished' if finished else 'cancelled'}")), style="dim"))
        if more_seeds is not None:
            parts.append(Text(self.t("lab.more_seeds_hint", seeds=more_seeds), style="bold"))
        parts.append(Text(self.t("lab.keys_after"), style="dim"))
        return parts
