"""The home screen's outlook (issue 26): the misconceptions the learner likely holds (the top few, with
their evidence and the way out), the exam date with the plan's reviews today and per day, and readiness
for a full mock (score with its interval, chance of passing). `gather` reads it all from the study layer;
the home screen runs it in a worker thread after the first frame (readiness needs numpy), then hands the
record to `HomeOutlook.show`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tutor.app.strings import shown, t
from tutor.safetext import one_line

TOP = 3  # misconceptions shown on home, each with a key (1..TOP)


@dataclass(frozen=True)
class OutlookData:
    held: tuple[Any, ...]  # tutor.study.profile.HeldMisconception, most likely first
    settings: Any  # tutor.study.plan.ExamSettings
    plan: Any | None  # tutor.study.plan.Plan, None without an exam date
    readiness: Any | None  # tutor.study.readiness.Readiness, None before the first answer or without a date


def gather(bank: Any, store: Any) -> OutlookData:
    """Everything the outlook shows, read from the store (slow: run it off the UI thread)."""
    from tutor.study.plan import load_settings, plan_for
    from tutor.study.profile import profile

    held = tuple(profile(bank, store).top(TOP))
    settings = load_settings(store)
    plan = plan_for(store)
    ready = None
    if settings.exam_date is not None and store.seen_ids():
        from tutor.study.readiness import readiness

        ready = readiness(bank, store, pass_mark=settings.pass_mark)
    return OutlookData(held, settings, plan, ready)


def misconception_lines(data: OutlookData, lang: str) -> list[Any]:
    """The title, then one grid row per held misconception: its key, the belief, the evidence under it
    (wrapped lines stay indented under the belief)."""
    if not data.held:
        return []
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for n, held in enumerate(data.held, 1):
        body = Text(one_line(shown(held.text, lang) or held.id), style="bold")
        body.append("\n" + held.evidence.text(lang), style="dim")
        grid.add_row(Text(f" {n} ", style="bold reverse"), body)
    return [Text(t(lang, "home.mis_title"), style="bold"), grid]


def plan_lines(data: OutlookData, lang: str) -> list[Text]:
    settings, plan, ready = data.settings, data.plan, data.readiness
    if settings.exam_date is None:
        return [Text(t(lang, "home.no_exam"), style="dim")]
    days = (settings.exam_date - date.today()).days
    line = Text(t(lang, "plan.exam", date=settings.exam_date.isoformat(), days=days), style="bold")
    if plan is not None:
        today = plan.days[0].due if plan.days else 0
        peak = max((d.due for d in plan.days), default=0)
        line.append("  ·  " + t(lang, "home.plan_today", today=today, peak=peak))
    lines = [line]
    if ready is not None:
        lines.append(Text(t(lang, "home.readiness", score=f"{ready.score:.0f}", low=f"{ready.low:.0f}",
                             high=f"{ready.high:.0f}", mark=f"{ready.pass_mark * 100:.0f}",
                             chance=f"{ready.pass_probability * 100:.0f}")))
    return lines


class HomeOutlook(Static):
    """Empty until `show()`; the home screen fills it from its worker."""

    DEFAULT_CSS = """
    HomeOutlook { height: auto; max-height: 9; padding: 0 1; }
    """

    def __init__(self, lang: str = "en", *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.lang = lang
        self.data: OutlookData | None = None

    def show(self, data: OutlookData) -> None:
        self.data = data
        lines = misconception_lines(data, self.lang) + plan_lines(data, self.lang)
        self.update(Group(*lines))
