"""The exam's report: score, per-topic breakdown, then a walk through every answer with its
explanation and the why of each option."""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from tutor.app.screens.base import TutorScreen
from tutor.app.widgets.feedback_view import feedback_renderable, verdict
from tutor.bank import text
from tutor.study.progress import mastery_bar
from tutor.study.sessions import ExamReport


class ExamReportScreen(TutorScreen):
    AUTO_FOCUS = "#report-body"
    BINDINGS = [Binding("escape", "home", "key.home")]

    def __init__(self, report: ExamReport, *, lang: str = "en") -> None:
        super().__init__(lang=lang)
        self.report = report

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
                yield Static(
                    feedback_renderable(
                        item.question,
                        item.chosen,
                        item.correct,
                        self.lang,
                        labs=self.tutor.labs,
                        heading=heading,
                        show_stem=True,
                    ),
                    classes="report-item " + ("-correct" if item.correct else "-incorrect"),
                )
        yield Footer()

    def _topic_title(self, topic_id: str) -> str:
        topic = self.tutor.bank.topics.get(topic_id)
        return text(topic.title, self.lang) if topic is not None else topic_id

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
        table.add_column("%", no_wrap=True)
        for topic, (right, total) in self.report.per_topic.items():
            table.add_row(self._topic_title(topic), f"{right}/{total}", mastery_bar(right / total if total else 0.0))
        return table

    def action_home(self) -> None:
        self.dismiss()
