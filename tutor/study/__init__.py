"""Study logic behind the quiz (torch-free, Textual-free): the progress store, FSRS scheduling,
the practice / exam / review sessions, and the progress summary."""

from tutor.study.progress import Progress, TopicProgress, render_stats, summary
from tutor.study.sessions import (
    EXAM_PRESETS,
    LEECH_MISSES,
    ChoiceCountError,
    ExamItem,
    ExamReport,
    ExamSession,
    Feedback,
    PracticeSession,
    ReviewSession,
)
from tutor.study.store import Attempt, ExamSummary, Store, StoreError

__all__ = [
    "EXAM_PRESETS",
    "LEECH_MISSES",
    "Attempt",
    "ChoiceCountError",
    "ExamItem",
    "ExamReport",
    "ExamSession",
    "ExamSummary",
    "Feedback",
    "PracticeSession",
    "Progress",
    "ReviewSession",
    "Store",
    "StoreError",
    "TopicProgress",
    "render_stats",
    "summary",
]
