"""Leeches go somewhere (issue 26): a question missed `LEECH_MISSES` times or more offers its lab ("see it
happen") and the misconceptions behind the wrong options the learner chose in it, most often chosen first."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tutor.study.profile import offered
from tutor.study.sessions import LEECH_MISSES

if TYPE_CHECKING:  # pragma: no cover
    from tutor.bank import Bank
    from tutor.study.store import Store


@dataclass(frozen=True)
class LeechAction:
    question_id: str
    misses: int
    lab: str | None  # the question's lab (`lab:`), else the lab of its leading misconception
    misconceptions: tuple[str, ...]  # misconception ids of the distractors chosen in it, most chosen first
    chosen: tuple[int, ...]  # how often each was chosen, in the same order

    @property
    def misconception(self) -> str | None:
        return self.misconceptions[0] if self.misconceptions else None

    def to_json(self) -> dict:
        return {"question": self.question_id, "misses": self.misses, "lab": self.lab,
                "misconceptions": [{"id": m, "chosen": n} for m, n in zip(self.misconceptions, self.chosen)]}


def leech_actions(bank: Bank, store: Store, threshold: int = LEECH_MISSES) -> list[LeechAction]:
    """Every leech of the bank with what to do about it, most missed first."""
    misses = {q: n for q, n in store.miss_counts().items() if n >= threshold and q in bank.questions}
    chosen: dict[str, Counter] = {q: Counter() for q in misses}
    for a in store.attempts():
        if a.question_id in chosen and not a.correct:
            for mid, keys in offered(bank.questions[a.question_id]).items():
                if keys & a.chosen:
                    chosen[a.question_id][mid] += 1
    out = []
    for qid in sorted(misses, key=lambda q: (-misses[q], q)):
        ranked = chosen[qid].most_common()
        question = bank.questions[qid]
        lab = question.lab.id if question.lab is not None else None
        if lab is None and ranked:
            entry = bank.misconceptions.entries.get(ranked[0][0])
            lab = entry.lab if entry is not None else None
        out.append(LeechAction(qid, misses[qid], lab, tuple(m for m, _ in ranked), tuple(n for _, n in ranked)))
    return out


def leech_action(bank: Bank, store: Store, question_id: str) -> LeechAction | None:
    """The action for one question, or None when it is not a leech."""
    return next((a for a in leech_actions(bank, store) if a.question_id == question_id), None)
