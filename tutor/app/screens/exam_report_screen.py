"""The exam's report: score, per-topic breakdown, then a walk through every answer with its
explanation and the why of each option."""

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


class ExamReportScreen(TutorScreen):
    AUTO_FOCUS = "#report-body"
    BINDINGS = [Binding("escape", "home", "key.home"), Binding("l", "open_lab", "key.lab")]

    def __init__(self, report: ExamReport, *, labs: dict[str, Any] | None = None, topics: dict[str, Any] | None = None,
                 lang: str = "en") -> None:
        super().__init__(lang=lang)
        self.report = report
        self.topics = topics or {}  # topic id -> Topic, for the titles
        self.labs = labs or {}  # the labs an answer may open (id -> LabRef)
        self._items: dict[str, object] = {}

    def compose(self) -> ComposeResult:
        report = self.report
        yield Static(self.t("report.title"), id="report-bar", classes="bar", markup=False)
        with VerticalScroll(id="report-body"):
            score = self.t("report.score", score=report.score, total=report.total, percent=report.percent)
            passed = report.percent >= 75
            yield Static(Text(score, style="bold green" if passed else "bold red"), id="report-score")
            if report.timed_out:
                yield Static(self.t("report.timed_out"), id="report-timed-out", markup=False)
            yield Static(self._topic_table(), id="report-topics")
            yield Static(self.t("report.walk"), classes="report-heading", markup=False)
            for n, item in enumerate(report.items, start=1):
                heading = Text(f"{n}. ", style="bold")
                heading.append(verdict(item.correct, self.lang, answered=bool(item.chosen)))
                if item.flagged:
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

    def _lab_item(self):
        """The answer whose lab `l` opens: the focused one, else the first one with a lab in view."""
        def has_lab(item) -> bool:
            return item.question.lab is not None and item.question.lab.id in self.labs

        focused = self.focused
        if focused is not None and focused.id in self._items:
            item = self._items[focused.id]
            return item if has_lab(item) else None
        body = self.query_one("#report-body")
        view = body.scrollable_content_region
        for widget_id, item in self._items.items():
            if has_lab(item):
                region = self.query_one(f"#{widget_id}").region
                if region.overlaps(view):
                    return item
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_lab":
            return any(i.question.lab is not None and i.question.lab.id in self.labs for i in self.report.items)
        return True

    def action_open_lab(self) -> None:
        item = self._lab_item()
        if item is not None:
            self.post_message(OpenLab(item.question.lab.id, question_id=item.question.id))

    def action_home(self) -> None:
        self.dismiss()
