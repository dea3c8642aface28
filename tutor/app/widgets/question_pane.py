"""A vertically scrolling pane that leaves left/right to its screen (the exam's previous/next keys).

A plain `VerticalScroll` binds left/right to horizontal scrolling; those bindings sit between the
focused options and the screen, which hid the screen's own left/right from the footer. Making the
screen's bindings `priority` instead would let an arrow overtake a digit typed just before it.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll


class QuestionPane(VerticalScroll, inherit_bindings=False):
    BINDINGS = [
        Binding("up", "scroll_up", show=False),
        Binding("down", "scroll_down", show=False),
        Binding("home", "scroll_home", show=False),
        Binding("end", "scroll_end", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("pagedown", "page_down", show=False),
    ]
