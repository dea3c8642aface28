"""Practice on one misconception: the questions whose distractors stand for it (issue 26), with the
belief named in the bar. The practice screen's flow; no retry round (the session has none)."""

from __future__ import annotations

from tutor.app.screens.practice_screen import PracticeScreen
from tutor.app.strings import shown


class MisconceptionPracticeScreen(PracticeScreen):
    def bar_text(self) -> str:
        s = self.session
        entry = s.bank.misconceptions.entries.get(s.misconception)
        belief = shown(entry.text, self.lang) if entry is not None else s.misconception
        parts = [self.t("mis.practice_title"), belief]
        if s.total:
            parts.append(self.t("practice.progress", pos=min(s.position + 1, s.total), total=s.total))
        if s.answered:
            parts.append(f"✓ {s.correct_count}/{s.answered}")
        return "  ·  ".join(parts)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry_missed":
            return False
        return super().check_action(action, parameters)
