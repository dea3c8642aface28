"""The exam's question navigator: one cell per question showing answered (•), flagged (⚑) and the
current one; clicking a cell jumps there."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.containers import Grid
from textual.message import Message
from textual.widgets import Static


class NavCell(Static):
    def __init__(self, index: int) -> None:
        super().__init__("", classes="nav-cell", markup=False)
        self.index = index

    def show(self, answered: bool, flagged: bool, current: bool) -> None:
        # both marks when both hold: a flagged question the learner answered is still answered
        self.update(f"{self.index + 1:>2}{'•' if answered else ' '}{'⚑' if flagged else ''}")
        self.set_class(answered, "-answered")
        self.set_class(flagged, "-flagged")
        self.set_class(current, "-current")

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(ExamNavigator.Jump(self.index))


class ExamNavigator(Grid):
    """A grid of `count` cells; the screen calls `show()` whenever answers, flags or position change."""

    @dataclass
    class Jump(Message):
        index: int

    def __init__(self, count: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.count = count

    def compose(self) -> ComposeResult:
        for index in range(self.count):
            yield NavCell(index)

    def show(self, answered: list[bool], flagged: list[bool], current: int) -> None:
        for cell in self.query(NavCell):
            cell.show(answered[cell.index], flagged[cell.index], cell.index == current)
            if cell.index == current:
                cell.scroll_visible(animate=False)
