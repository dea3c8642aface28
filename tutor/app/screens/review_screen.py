"""Review: FSRS spaced repetition over seen questions, most overdue first, with the practice feedback."""

from __future__ import annotations

import math
from datetime import datetime

from textual.binding import Binding

from tutor.app.screens.study_screen import DONE, FEEDBACK, StudyScreen
from tutor.app.strings import duration
from tutor.study.scheduler import utc
from tutor.study.sessions import ReviewSession


class ReviewScreen(StudyScreen):
    BINDINGS = [Binding("r", "refresh_due", "key.check_again")]

    session: ReviewSession

    def is_leech(self, question_id: str) -> bool:
        return self.session.is_leech(question_id)

    def bar_text(self) -> str:
        s = self.session
        parts = [self.t("review.title")]
        left = s.total - s.position - (1 if self.state == FEEDBACK else 0)  # the one just answered is done
        if left > 0:
            parts.append(self.t("review.due", due=left))
        if s.answered:
            parts.append(f"✓ {s.correct_count}/{s.answered}")
        if s.current is not None and self.is_leech(s.current.id):
            parts.append(self.t("fb.leech"))
        return "  ·  ".join(parts)

    def done_text(self) -> str:
        s = self.session
        lines = []
        if s.answered:
            lines.append(self.t("review.done", right=s.correct_count, answered=s.answered))
        else:
            lines.append(self.t("review.nothing_due"))
        next_due = s.next_due
        if next_due is None:
            lines = [self.t("review.never")]
        else:
            lines.append(self.next_review(next_due, utc()))
        return "\n\n".join(lines)

    def next_review(self, due: datetime, now: datetime) -> str:
        """When the next card falls due, said exactly enough to act on: 'in 40 s', 'in 2 min, at 14:05'
        (the learner's local clock), 'in 3 days'; r checks again once it is due."""
        wait = max(0.0, (due - now).total_seconds())
        if wait < 60:
            return self.t("review.next_seconds", seconds=max(1, math.ceil(wait)))
        if wait < 36 * 3600:
            at = due.astimezone().strftime("%H:%M")
            return self.t("review.next_at", delta=duration(self.lang, wait), at=at)
        return self.t("review.next_in", delta=duration(self.lang, wait))

    async def show_current(self) -> None:
        # The queue was drawn when the session began; before saying "all done", take in what fell due
        # meanwhile (a card missed ten minutes ago), by the rule that drew the queue and that home counts.
        if self.session.current is None and self.state != DONE and self.session.answered:
            self.session.refresh()
        await super().show_current()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "refresh_due":
            return self.state == DONE
        return super().check_action(action, parameters)

    async def action_refresh_due(self) -> None:
        """Pick up whatever fell due meanwhile (e.g. the questions missed ten minutes ago)."""
        if self.state == DONE and self.session.refresh():
            await self.show_current()
