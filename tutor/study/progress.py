"""The learner's progress per topic: what the home screen shows and `tutor stats` prints.

Mastery (0..1) of a topic is the mean, over ALL the topic's questions, of

    1 if the question's latest answer was right else 0,  times  FSRS retrievability now

i.e. the share of the topic the learner can be expected to answer right today. Why this definition:
an unseen question counts 0, so mastery measures coverage as well as accuracy (answering 2 of 40
questions right is not mastering the topic); a question whose latest answer was wrong counts 0 until
it is answered right again; and a right answer fades as FSRS predicts the memory fades (retrievability
is 1 just after the answer and about 0.9 when the card falls due), so a topic not practised for
months drifts down instead of staying green forever.

`correct_recent` is the share right among the topic's last `RECENT_ANSWERS` answers (any mode): how
the learner is doing lately, as opposed to how much of the topic is covered. It is 0.0 when there are
no answers yet (check `answered`).

A leech is a question answered wrong `LEECH_MISSES` (3) times or more: one the learner misses again
and again, worth reading the explanation (and running the lab) for rather than drilling.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from tutor.bank import Bank, text
from tutor.safetext import one_line
from tutor.study.scheduler import retrievability, utc
from tutor.study.sessions import LEECH_MISSES, _topic_order
from tutor.study.store import Store

RECENT_ANSWERS = 10
LEECHES_LISTED = 10  # `tutor stats` names at most this many leeches


@dataclass(frozen=True)
class TopicProgress:
    topic: str  # topic id
    total: int  # questions in the bank
    seen: int  # questions answered at least once
    answered: int  # answers given, all modes
    correct_recent: float  # share right among the last RECENT_ANSWERS answers (0.0 if none)
    mastery: float  # 0..1, see the module docstring
    due: int  # seen questions due for review now
    leeches: list[str] = field(default_factory=list)  # question ids missed LEECH_MISSES+ times, most missed first


@dataclass(frozen=True)
class Progress:
    topics: list[TopicProgress]  # in the bank's topic order
    total: int
    seen: int
    answered: int
    correct_recent: float
    mastery: float
    due: int
    leeches: list[str]  # most missed first
    misses: dict[str, int]  # question id -> wrong answers, for every question missed at least once
    now: datetime

    def topic(self, topic_id: str) -> TopicProgress | None:
        return next((t for t in self.topics if t.topic == topic_id), None)


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def summary(bank: Bank, store: Store, now: datetime | None = None) -> Progress:
    now = utc(now)
    attempts = [a for a in store.attempts() if a.question_id in bank.questions]  # oldest first
    cards = store.cards()
    # the rule review draws its queue by (the exam plan's reviews for today once a date is set), so home,
    # `tutor stats` and the review screen agree on what is due now
    from tutor.study.plan import due_ids

    due = {qid for qid in due_ids(store, now) if qid in bank.questions}
    misses = {qid: n for qid, n in store.miss_counts().items() if qid in bank.questions}
    leeches = sorted((qid for qid, n in misses.items() if n >= LEECH_MISSES), key=lambda q: (-misses[q], q))

    latest: dict[str, bool] = {}
    by_topic: dict[str, list[bool]] = defaultdict(list)
    for a in attempts:
        latest[a.question_id] = a.correct
        by_topic[bank.topic_of(a.question_id)].append(a.correct)

    def held(qid: str) -> float:
        return retrievability(cards.get(qid), now) if latest.get(qid) else 0.0

    topics: list[TopicProgress] = []
    # topic_of / question_ids: the home screen draws this before the bank is validated (a CachedBank)
    for topic in _topic_order(bank, [*bank.topics, *(bank.topic_of(q) for q in bank.questions)]):
        ids = bank.question_ids(topic)
        answers = by_topic.get(topic, [])
        topics.append(
            TopicProgress(
                topic=topic,
                total=len(ids),
                seen=sum(1 for q in ids if q in latest),
                answered=len(answers),
                correct_recent=_share(answers[-RECENT_ANSWERS:]),
                mastery=sum(held(q) for q in ids) / len(ids) if ids else 0.0,
                due=sum(1 for q in ids if q in due),
                leeches=[q for q in leeches if bank.topic_of(q) == topic],
            )
        )
    return Progress(
        topics=topics,
        total=len(bank.questions),
        seen=len(latest),
        answered=len(attempts),
        correct_recent=_share([a.correct for a in attempts[-RECENT_ANSWERS:]]),
        mastery=sum(held(q) for q in bank.questions) / len(bank.questions) if bank.questions else 0.0,
        due=len(due),
        leeches=leeches,
        misses=misses,
        now=now,
    )


def mastery_bar(value: float, width: int = 10):
    """A coloured bar with a percentage, e.g. `██████░░░░  60%`."""
    from rich.text import Text

    value = min(1.0, max(0.0, value))
    full = round(value * width)
    style = "green" if value >= 0.8 else "yellow" if value >= 0.5 else "red" if value > 0 else "dim"
    bar = Text("█" * full, style=style)
    bar.append("░" * (width - full), style="dim")
    bar.append(f" {value * 100:3.0f}%")
    return bar


def render_stats(progress: Progress, bank: Bank, lang: str = "en"):
    """A rich renderable for `tutor stats`: one row per topic, totals, reviews due, and the leeches."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from rich import box

    from tutor import i18n

    def label(key: str) -> str:
        return i18n.t(lang, f"stats.{key}")

    table = Table(title=label("title"), box=box.SIMPLE_HEAD, expand=False, pad_edge=False, title_justify="left")
    table.add_column(label("topic"), ratio=1, overflow="fold")
    table.add_column(label("seen"), justify="right", no_wrap=True)
    table.add_column(label("answers"), justify="right", no_wrap=True)
    table.add_column(label("recent"), justify="right", no_wrap=True)
    table.add_column(label("mastery"), no_wrap=True)
    table.add_column(label("due"), justify="right", no_wrap=True)
    table.add_column(label("leeches"), justify="right", no_wrap=True)

    def recent(value: float, answered: int) -> str:
        return f"{value * 100:.0f}%" if answered else "–"

    for t in progress.topics:
        title = text(bank.topics[t.topic].title, lang) if t.topic in bank.topics else t.topic
        table.add_row(
            Text(one_line(title)),  # file text: never markup, never raw control characters
            f"{t.seen}/{t.total}",
            str(t.answered),
            recent(t.correct_recent, t.answered),
            mastery_bar(t.mastery, 8),
            Text(str(t.due), style="bold cyan" if t.due else "dim"),
            Text(str(len(t.leeches)), style="bold red" if t.leeches else "dim"),
        )
    table.add_section()
    table.add_row(
        Text(label("all"), style="bold"),
        f"{progress.seen}/{progress.total}",
        str(progress.answered),
        recent(progress.correct_recent, progress.answered),
        mastery_bar(progress.mastery, 8),
        Text(str(progress.due), style="bold cyan" if progress.due else "dim"),
        Text(str(len(progress.leeches)), style="bold red" if progress.leeches else "dim"),
    )
    parts: list = [table, Text(label("legend").format(recent=RECENT_ANSWERS, n=LEECH_MISSES), style="dim")]
    if not progress.answered:
        parts.append(Text(label("nothing")))
    else:
        parts.append(Text(label("due_line").format(n=progress.due) if progress.due else label("none_due")))
    if progress.leeches:
        parts.append(Text(label("leech_line").format(n=LEECH_MISSES), style="bold"))
        for qid in progress.leeches[:LEECHES_LISTED]:
            stem = one_line(" ".join(text(bank.questions[qid].stem, lang).split()))
            line = Text(f"  ✗{progress.misses[qid]} ", style="red")
            line.append(f"{one_line(qid)}: ", style="bold")
            line.append(stem if len(stem) <= 60 else stem[:59] + "…")
            line.no_wrap = True
            line.overflow = "ellipsis"
            parts.append(line)
        if len(progress.leeches) > LEECHES_LISTED:
            parts.append(Text(label("more").format(n=len(progress.leeches) - LEECHES_LISTED), style="dim"))
    return Group(*parts)
