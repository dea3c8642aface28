"""Practice: every question of a topic (or of all), feedback after each answer."""

from __future__ import annotations

from tutor.app.screens.study_screen import StudyScreen
from tutor.app.strings import shown
from tutor.study.sessions import PracticeSession


class PracticeScreen(StudyScreen):
    session: PracticeSession

    def bar_text(self) -> str:
        s = self.session
        topic = s.bank.topics.get(s.topic) if s.topic else None
        where = shown(topic.title, self.lang) if topic is not None else (s.topic or self.t("home.all_topics"))
        parts = [self.t("practice.title"), where]
        if s.total:
            parts.append(self.t("practice.progress", pos=min(s.position + 1, s.total), total=s.total))
        if s.answered:
            parts.append(f"✓ {s.correct_count}/{s.answered}")
        return "  ·  ".join(parts)

    def done_text(self) -> str:
        s = self.session
        if not s.total:
            return self.t("practice.empty")
        return f"{self.t('practice.done', right=s.correct_count, answered=s.answered)}\n\n{self.t('practice.done_hint')}"
