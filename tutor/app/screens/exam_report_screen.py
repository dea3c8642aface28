"""The exam's report: score against the pass mark, time taken, per-topic breakdown, then a walk through
every answer with its explanation and the why of each option. Tab walks the answers; `l` opens the lab
of the focused answer only (and is offered only when that answer has one)."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from tutor.app.messages import OpenLab
from tutor.app.screens.base import TutorScreen
from tutor.app.strings import shown
from tutor.app.widgets.feedback_view import feedback_renderable, verdict
from tutor.study.progress import mastery_bar
from tutor.study.sessions import ExamReport

DEFAULT_PASS_MARK = 0.72  # as tutor.study.plan's default; the app passes the learner's own


def minutes_seconds(seconds: float) -> str:
    """'12:05', or '3:01:01' from an hour on."""
    hours, rest = divmod(max(0, round(seconds)), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class ExamReportScreen(TutorScreen):
    AUTO_FOCUS = "#report-body"
    BINDINGS = [Binding("escape", "home", "key.home"), Binding("l", "open_lab", "key.lab")]

    def __init__(self, report: ExamReport, *, labs: dict[str, Any] | None = None, topics: dict[str, Any] | None = None,
                 lang: str = "en", pass_mark: float = DEFAULT_PASS_MARK) -> None:
        super().__init__(lang=lang)
        self.report = report
        self.pass_mark = pass_mark  # a fraction: 0.72 is 72 %
        self.topics = topics or {}  # topic id -> Topic, for the titles
        self.labs = labs or {}  # the labs an answer may open (id -> LabRef)
        self._items: dict[str, object] = {}

    def compose(self) -> ComposeResult:
        report = self.report
        yield Static(self.t("report.title"), id="report-bar", classes="bar", markup=False)
        with VerticalScroll(id="report-body"):
            score = self.t("report.score", score=report.score, total=report.total, percent=report.percent)
            passed = report.percent >= self.pass_mark * 100 - 1e-9
            yield Static(Text(score, style="bold green" if passed else "bold red"), id="report-score")
            yield Static(self._pass_and_time(passed), id="report-pass", markup=False)
            if report.timed_out:
                yield Static(self.t("report.timed_out"), id="report-timed-out", markup=False)
            yield Static(self._topic_table(), id="report-topics")
            yield Static(self.t("report.walk"), classes="report-heading", markup=False)
            for n, item in enumerate(report.items, start=1):
                heading = Text(f"{n}. ", style="bold")
                heading.append(verdict(item.correct, self.lang, answered=bool(item.chosen)))
                if item.flagged:  # its verdict already says answered or not; the flag is said beside it
                    heading.append(f"  {self.t('report.flagged')}", style="yellow")
                heading.append(f"  · {self._topic_title(item.question.topic)}", style="dim")
                item_view = Static(
                    feedback_renderable(
                        item.question,
                        item.chosen,
                        item.correct,
                        self.lang,
                        labs=self.labs,
                        heading=heading,
                        show_stem=True,
                        shown=item.shown,
                    ),
                    classes="report-item " + ("-correct" if item.correct else "-incorrect"),
                    id=f"report-item-{n}",
                )
                item_view.can_focus = True  # Tab walks the answers; `l` opens the focused answer's lab
                self._items[item_view.id] = item
                yield item_view
        yield Footer()

    def _pass_and_time(self, passed: bool) -> str:
        """'Pass mark 72%: passed · time taken 12:04 of 30:00'."""
        report = self.report
        mark = self.t("report.pass_mark", mark=round(self.pass_mark * 100))
        result = self.t("report.passed" if passed else "report.not_passed")
        taken = minutes_seconds((report.finished_at - report.started_at).total_seconds())
        if report.minutes:
            time = self.t("report.time_of", taken=taken, limit=minutes_seconds(report.minutes * 60))
        else:
            time = self.t("report.time", taken=taken)
        return f"{mark}: {result}  ·  {time}"

    def _topic_title(self, topic_id: str) -> str:
        topic = self.topics.get(topic_id)
        return shown(topic.title, self.lang) if topic is not None else topic_id

    def _topic_table(self) -> Table:
        table = Table(
            title=self.t("report.by_topic"),
            title_justify="left",
            title_style="bold",
            expand=True,
            box=box.SIMPLE_HEAD,
            pad_edge=False,
        )
        table.add_column(self.t("home.col.topic"), ratio=1, overflow="ellipsis", no_wrap=True)
        table.add_column("✓", justify="right", no_wrap=True)
        table.add_column("%", justify="right", no_wrap=True)  # over the percentage, not over the bar
        for topic, (right, total) in self.report.per_topic.items():
            table.add_row(self._topic_title(topic), f"{right}/{total}", mastery_bar(right / total if total else 0.0))
        return table

    def _focused_item(self):
        """The answer that has the focus (Tab or a click), or None."""
        focused = self.focused
        return self._items.get(focused.id) if focused is not None and focused.id else None

    def _has_lab(self, item) -> bool:
        return item.question.lab is not None and item.question.lab.id in self.labs

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_lab":
            item = self._focused_item()
            if item is None:  # offered while any answer has a lab: pressing it says to pick an answer
                return any(self._has_lab(i) for i in self.report.items)
            return self._has_lab(item)  # an answer without a lab: not offered
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def on_descendant_blur(self) -> None:
        self.refresh_bindings()

    def action_open_lab(self) -> None:
        item = self._focused_item()
        if item is None:
            self.notify(self.t("report.lab_pick"), markup=False)
        elif self._has_lab(item):
            self.post_message(OpenLab(item.question.lab.id, question_id=item.question.id))

    def action_home(self) -> None:
        self.dismiss()
