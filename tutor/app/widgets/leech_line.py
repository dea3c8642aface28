"""Leeches go somewhere (issue 26): under the feedback on a question missed LEECH_MISSES times or more, one
short block naming the way out: the lab that shows the claim happen (`l`) and the belief behind the wrong
options the learner keeps choosing (`x` practises the questions on it). Hidden for any other answer."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from tutor.app.strings import shown, t


class LeechLine(Static):
    DEFAULT_CSS = """
    LeechLine { height: auto; padding: 0 1; margin-top: 1; border-left: thick $warning; color: $text-warning; }
    """

    def __init__(self, lang: str = "en", *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.lang = lang
        self.action: Any = None  # tutor.study.leeches.LeechAction for the answer shown, or None
        self.display = False

    @property
    def lab_id(self) -> str | None:
        return self.action.lab if self.action is not None else None

    @property
    def misconception(self) -> str | None:
        return self.action.misconception if self.action is not None else None

    def show_for(self, bank: Any, store: Any, question_id: str, labs: dict[str, Any]) -> None:
        """Look the question up (tutor.study.leeches) and show its way out, or hide when it is no leech."""
        from tutor.study.leeches import leech_action

        action = leech_action(bank, store, question_id)
        if action is not None and action.lab not in labs:
            action = type(action)(action.question_id, action.misses, None, action.misconceptions, action.chosen)
        self.action = action if action is not None and (action.lab or action.misconception) else None
        self.display = self.action is not None
        if self.action is None:
            self.update("")
            return
        lang = self.lang
        line = Text(t(lang, "leech.missed", n=self.action.misses), style="bold")
        if self.action.lab:
            lab = labs[self.action.lab]
            line.append(": " + t(lang, "leech.see_lab", lab=shown(getattr(lab, "title", {}), lang) or self.action.lab))
        if self.action.misconception:
            entry = bank.misconceptions.entries.get(self.action.misconception)
            belief = (shown(entry.text, lang) if entry is not None else "") or self.action.misconception
            line.append("\n" + t(lang, "leech.belief", belief=belief))
        self.update(line)

    def clear(self) -> None:
        self.action = None
        self.display = False
        self.update("")
