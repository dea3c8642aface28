"""Practice: every question of a topic (or of all), feedback after each answer; at the end (or on Escape
after some answers), the score, the missed questions and a key to practise just those again."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding

from tutor.app.screens.study_screen import DONE, StudyScreen
from tutor.bank import text
from tutor.app.strings import shown
from tutor.study.sessions import PracticeSession

MISSED_LISTED = 12  # the end of a round names at most this many missed questions


def first_line(value: str, cells: int) -> str:
    """The first line of `value` in at most `cells` terminal cells (Korean takes two): cut after the last whole
    word that fits, then " …", so no word is cut in half (a word longer than the line is cut, with "…")."""
    line = value.strip().splitlines()[0] if value.strip() else ""
    cells = max(10, cells)
    if cell_len(line) <= cells:
        return line
    kept = ""
    for word in line.split(" "):
        longer = f"{kept} {word}" if kept else word
        if cell_len(longer) + 2 > cells:
            break
        kept = longer
    if not kept:
        cut = Text(line)
        cut.truncate(cells, overflow="ellipsis")
        return cut.plain
    return kept.rstrip(",;:") + " …"


class PracticeScreen(StudyScreen):
    BINDINGS = [Binding("r", "retry_missed", "key.retry_missed")]

    session: PracticeSession
    stopped_early = False  # Escape before the end: the summary says where the learner stopped

    def bar_text(self) -> str:
        s = self.session
        topic = s.bank.topics.get(s.topic) if s.topic else None
        where = shown(topic.title, self.lang) if topic is not None else (s.topic or self.t("home.all_topics"))
        parts = [self.t("practice.title"), where]
        if s.round > 1:
            parts.append(self.t("practice.retry_round", round=s.round))
        if s.total:
            parts.append(self.t("practice.progress", pos=min(s.position + 1, s.total), total=s.total))
        if s.answered:
            parts.append(f"✓ {s.correct_count}/{s.answered}")
        return "  ·  ".join(parts)

    def done_text(self) -> str:
        s = self.session
        if not s.total:
            return self.t("practice.empty")
        if self.stopped_early:
            lines = [self.t("practice.stopped", right=s.correct_count, answered=s.answered, total=s.total)]
        else:
            lines = [self.t("practice.done", right=s.correct_count, answered=s.answered)]
        missed = list({q.id: q for q in s.missed}.values())
        if missed:
            lines += ["", self.t("practice.missed", count=len(missed))]
            # the body's and the message's padding (2 + 4), the scroll bar (2) and the bullet (4): one line each
            cells = (self.size.width or 80) - 12
            lines += [f"  • {first_line(text(q.stem, self.lang), cells)}" for q in missed[:MISSED_LISTED]]
            if len(missed) > MISSED_LISTED:
                lines.append("  " + self.t("home.problems_more", more=len(missed) - MISSED_LISTED))
            lines += ["", self.t("practice.retry_hint")]
        else:
            lines += ["", self.t("practice.done_hint")]
        return "\n".join(lines)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry_missed":
            return self.state == DONE and bool(self.session.missed)
        return super().check_action(action, parameters)

    async def action_retry_missed(self) -> None:
        if self.state == DONE and self.session.retry_missed():
            self.stopped_early = False
            await self.show_current()

    def action_back(self) -> None:
        """Escape after some answers shows the summary first (as at the end of the set); Escape there goes home."""
        if self.state != DONE and self.session.answered:
            self.stopped_early = True
            self.show_done()
        else:
            self.dismiss()
