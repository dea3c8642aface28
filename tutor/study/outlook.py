"""What `tutor stats` adds to the progress table (issue 26): the misconceptions the learner likely holds,
the exam date and its plan, readiness for a full mock, leeches with their way out, and confidence
calibration; as one typed record (`Outlook`), its JSON (`tutor stats --json`) and its text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from tutor.study.confidence import Calibration, calibration
from tutor.study.leeches import LeechAction, leech_actions
from tutor.study.plan import ExamSettings, Plan, load_settings, plan_for
from tutor.study.profile import Profile, build, misconception_text
from tutor.study.readiness import ExamCheck, Readiness, history, readiness
from tutor.study.scheduler import utc

if TYPE_CHECKING:  # pragma: no cover
    from tutor.bank import Bank
    from tutor.study.store import Store

TOP_MISCONCEPTIONS = 5  # `tutor stats` lists at most this many


@dataclass(frozen=True)
class Outlook:
    profile: Profile
    settings: ExamSettings
    plan: Plan | None
    readiness: Readiness
    leeches: tuple[LeechAction, ...]
    calibration: Calibration
    now: datetime
    exams: tuple[ExamCheck, ...] = ()  # the learner's own exams against what readiness said before each

    def to_json(self, lang: str = "en") -> dict:
        held = self.profile.held
        return {
            "misconceptions": [m.to_json(lang) for m in held],
            "exam_date": self.settings.exam_date.isoformat() if self.settings.exam_date else None,
            "minutes_per_day": self.settings.minutes_per_day,
            "plan": self.plan.to_json() if self.plan else [],
            "plan_summary": None if self.plan is None else {
                "reviews": self.plan.total, "unplanned": self.plan.unplanned, "left_due": self.plan.left_due,
                "recall_at_exam": round(self.plan.recall_at_exam, 4), "seconds_per_review": self.plan.seconds_per_review},
            "readiness": self.readiness.to_json(),
            "readiness_history": [{"exam": c.exam_id, "started_at": c.started_at.isoformat(), "count": c.count,
                                   "predicted": round(c.predicted, 1), "low": round(c.low, 1), "high": round(c.high, 1),
                                   "actual": round(c.actual, 1), "covered": c.covered} for c in self.exams],
            "leeches": [a.to_json() for a in self.leeches],
            "calibration": self.calibration.to_json(),
            "now": self.now.isoformat(),
        }


def outlook(bank: Bank, store: Store, now: datetime | None = None) -> Outlook:
    """Everything above, read once from the store. Readiness is for a mock taken now (what the learner
    would score today; the plan's `recall_at_exam` says where following it leads)."""
    now = utc(now)
    settings = load_settings(store)
    plan = plan_for(store, now)
    attempts = store.attempts()
    return Outlook(
        profile=build(bank, attempts, now), settings=settings, plan=plan,
        readiness=readiness(bank, store, now, pass_mark=settings.pass_mark),
        leeches=tuple(leech_actions(bank, store)), calibration=calibration(attempts), now=now,
        exams=tuple(history(bank, store)),
    )


def render_outlook(view: Outlook, bank: Bank, lang: str = "en"):
    """The rich renderable `tutor stats` prints under the progress table."""
    from rich.console import Group
    from rich.text import Text

    from tutor import i18n
    from tutor.safetext import one_line

    def t(key: str, **values) -> str:
        return i18n.t(lang, key, **values)

    parts: list = [Text("")]
    held = view.profile.held[:TOP_MISCONCEPTIONS]
    if held:
        parts.append(Text(t("stats.misconceptions"), style="bold"))
        for m in held:
            line = Text(f"  {m.likelihood * 100:3.0f}% ", style="magenta")
            line.append(one_line(misconception_text(m, lang)))
            parts.append(line)
            detail = m.evidence.text(lang)
            if m.lab:
                detail += " · " + t("stats.misconception_lab", lab=m.lab)
            parts.append(Text("       " + one_line(detail), style="dim"))
    elif view.profile.entries:
        parts.append(Text(t("stats.misconception_none")))
    r = view.readiness
    if r.seen:  # with no answer yet there is nothing to predict from (the table already says how to start)
        parts += _readiness_lines(r, bank, lang)
    if view.plan is not None:
        p = view.plan
        days = len(p.days)
        parts.append(Text(t("plan.exam", date=p.exam_date.isoformat(), days=days), style="bold"))
        parts.append(Text("  " + t("plan.summary", total=p.total, peak=max((d.due for d in p.days), default=0),
                                   recall=f"{p.recall_at_exam * 100:.0f}")))
        if p.unplanned:
            parts.append(Text("  " + t("plan.unplanned", n=p.unplanned, minutes=p.minutes_per_day), style="yellow"))
    elif view.settings.exam_date is None:
        parts.append(Text(t("plan.none"), style="dim"))
    if view.calibration.brier is not None:
        parts.append(Text(t("conf.line", brier=f"{view.calibration.brier:.3f}", n=view.calibration.answers)))
    for action in view.leeches[:3]:
        if action.lab:
            parts.append(Text(f"  {one_line(action.question_id)}: " + t("leech.lab", lab=action.lab), style="dim"))
    return Group(*parts)


def _readiness_lines(r: Readiness, bank: Bank, lang: str) -> list:
    """The readiness line and the weakest topics."""
    from rich.text import Text

    from tutor import i18n
    from tutor.safetext import one_line

    lines = [Text(i18n.t(lang, "ready.line", count=r.count, score=f"{r.score:.0f}", level=f"{r.level * 100:.0f}",
                         low=f"{r.low:.0f}", high=f"{r.high:.0f}", mark=f"{r.pass_mark * 100:.0f}",
                         chance=f"{r.pass_probability * 100:.0f}"), style="bold")]
    weakest = sorted(r.topics, key=lambda x: x.score)[:3]
    if weakest:
        names = ", ".join(f"{one_line(i18n_title(bank, x.topic, lang))} {x.score:.0f}%" for x in weakest)
        lines.append(Text("  " + i18n.t(lang, "ready.weakest", topics=names), style="dim"))
    return lines


def i18n_title(bank: Bank, topic: str, lang: str) -> str:
    from tutor.bank import text

    return text(bank.topics[topic].title, lang) if topic in bank.topics else topic


def render_plan(plan: Plan, lang: str = "en"):
    """`tutor plan`: reviews per day until the exam (a table), then the summary lines."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from tutor import i18n

    def t(key: str, **values) -> str:
        return i18n.t(lang, key, **values)

    table = Table(title=t("plan.title"), box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    for key in ("plan.col.date", "plan.col.due", "plan.col.minutes", "plan.col.final"):
        table.add_column(t(key), justify="left" if key == "plan.col.date" else "right", no_wrap=True)
    table.add_column("", no_wrap=True, style="cyan")
    peak = max((d.due for d in plan.days), default=0)
    for d in plan.days:
        bar = "█" * (round(d.due / peak * 20) if peak else 0)
        table.add_row(d.day.isoformat(), str(d.due), f"{d.minutes:.0f}", str(d.final) if d.final else "", bar)
    lines = [table, Text(t("plan.exam", date=plan.exam_date.isoformat(), days=len(plan.days)), style="bold"),
             Text(t("plan.summary", total=plan.total, peak=peak, recall=f"{plan.recall_at_exam * 100:.0f}"))]
    if plan.unplanned:
        lines.append(Text(t("plan.unplanned", n=plan.unplanned, minutes=plan.minutes_per_day), style="yellow"))
    return Group(*lines)
