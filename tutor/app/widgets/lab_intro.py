"""What a lab page says before a run: what the lab compares (its arms, no result), how long a run takes
on this machine, and the last stored result, naming the claims it did not show and why.

Nothing here gives the answer away: the lab's summary and its "what to look at" state findings, so they
come with the result (tutor.app.widgets.lab_result); the claims come with the prediction
(tutor.app.widgets.lab_prediction). A lab file that does not load shows its problems instead.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from tutor.app.strings import shown, t
from tutor.app.widgets.lab_problems import problem_lines
from tutor.app.widgets.lab_text import VERDICT_STYLE, arm_text, glued, indented
from tutor.lab.report.units import fmt_metric

LAST_CLAIMS = 4  # the last result names at most this many claims it did not show


class LabIntro(Static):
    def __init__(self, session: Any, *, problems: list[Any] | None = None, questions: dict[str, Any] | None = None,
                 question_id: str | None = None, lang: str = "en", **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.session = session  # tutor.study.labsession.LabSession (None: the lab file has problems)
        self.problems = problems or []
        self.questions = questions or {}
        self.question_id = question_id
        self.lang = lang
        self.last_out: str | None = None  # the last stored run's folder (o opens it before a run)

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def on_mount(self) -> None:
        self.refresh_text()

    def refresh_text(self) -> None:
        self.update(self.text())

    def text(self) -> Group:
        if self.session is None:
            return Group(Text(self.t("lab.bad"), style="bold red"), *problem_lines(self.problems, self.t))
        lab = self.session.lab
        try:
            configs = lab.arm_configs("quick")
        except Exception as exc:  # noqa: BLE001 - a cross-layer conflict: `tutor lab` reports it in full
            return Group(Text(self.t("lab.bad"), style="bold red"), Text(f"  {exc}"))
        parts: list[Any] = [Text(self.t("lab.predict_first"), style="italic"), Text(""),
                            Text(self.t("lab.arms", count=len(configs)), style="bold")]
        for name, cfg in configs.items():
            line = Text(f"  {name}", style="cyan")
            line.append(": " + self.arm_label(cfg.describe(self.lang)))
            parts.append(line)
        parts += [Text(""), Text(self.t("lab.time_here"), style="bold")]
        for profile in ("quick", "full"):
            parts.append(Text(f"  {self.t(f'lab.profile.{profile}')}: {self.expected(profile)}"))
        parts += [Text(""), Text(self.t("lab.last"), style="bold"), *self.last_lines()]
        return Group(*[indented(p) for p in parts])

    def arm_label(self, label: str) -> str:
        return arm_text(label, self.session.lab, self.question_id, self.t, self.questions, self.lang)

    def expected(self, profile: str) -> str:
        est = self.session.estimate(profile)
        if est is None:
            return self.t("lab.time_none")
        run = est.measured.run
        date = f"{run.finished_at.astimezone():%Y-%m-%d}"
        if est.scaled:
            return self.t("lab.time_scaled", seconds=f"{est.total_s:.0f}", profile=self.t(f"lab.profile.{run.profile}"),
                          date=date, seeds=self.session.seeds_of(profile))
        return self.t("lab.time_about", seconds=f"{est.total_s:.0f}", date=date, device=run.device)

    def last_lines(self) -> list[Text]:
        """The last finished run: verdict, when and how, versions, the best arm, and the claims it did not show."""
        run = self.session.last_run()
        self.last_out = run.out_dir if run is not None else None
        if run is None:
            return [Text("  " + self.t("lab.last_none"), style="dim")]
        line = Text("  ")
        line.append(self.t(f"lab.verdict.{run.verdict}"), style=VERDICT_STYLE.get(run.verdict, "bold"))
        line.append(" · " + self.t("lab.last_line_named", date=f"{run.finished_at.astimezone():%Y-%m-%d %H:%M}",
                                   profile=self.t(f"lab.profile.{run.profile}"), device=run.device,
                                   seeds=",".join(map(str, run.seeds))))
        versions = ", ".join(f"{k} {v}" for k, v in sorted(run.versions.items()))
        out = [line, Text("  " + self.t("lab.versions", versions=versions), style="dim")]
        if self.session.changed_since(run):
            out.append(Text("  " + self.t("lab.changed"), style="yellow"))
        best = run.best_arm
        if best is not None:
            val = run.metrics[best]["val_acc"]
            acc = fmt_metric("val_acc", val.get("mean"), val.get("sd"))
            out.append(Text("  " + glued(self.t("lab.best_val", arm=best, acc=acc)), style="dim"))
        missed = self.session.not_shown(run)
        for claim in missed[:LAST_CLAIMS]:
            out.append(Text("  " + self.not_shown_line(claim), style="yellow"))
        if len(missed) > LAST_CLAIMS:
            out.append(Text("  " + self.t("lab.last_more", n=len(missed) - LAST_CLAIMS), style="dim"))
        return out

    def not_shown_line(self, claim: Any) -> str:
        says = shown(claim.says, self.lang) if claim.says else claim.text
        if claim.opposite_holds:
            why = self.t("lab.last_why.opposite")
        elif claim.why_not_shown() == "spread":
            why = self.t("lab.last_why.spread", n=claim.numbers.seeds_to_show)
        elif claim.why_not_shown() == "small":
            why = self.t("lab.last_why.small")
        else:
            why = self.t("lab.not_run")
        return glued(self.t("lab.last_not_shown", claim=says, why=why))
