"""A small bank whose distractors name misconceptions, for the misconception profile, leech, readiness and
`tutor stats --json` tests (the fixture `misconception_bank` in tests/conftest.py writes and loads it)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from support.app import TOPICS  # the same two topics as the app's tiny bank

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

MISCONCEPTIONS = """\
misconceptions:
  - id: bigger-is-better
    text: {en: "A bigger model always generalises better.", ko: "더 큰 모델이 언제나 더 잘 일반화한다."}
    lab: demo-lab
  - id: more-epochs-fix-all
    text: {en: "Training longer fixes any gap.", ko: "더 오래 훈련하면 어떤 격차든 메워진다."}
  - id: dropout-everywhere
    text: {en: "Dropout helps every model.", ko: "드롭아웃은 모든 모델에 도움이 된다."}
  - id: frozen-means-useless
    text: {en: "Frozen layers learn nothing useful for the new task.", ko: "동결한 층은 새 작업에 쓸모 있는 것을 배우지 못한다."}
"""


def _question(qid: str, topic: str, mids: tuple[str, str, str]) -> str:
    """A single-answer question: B is the key, A, C and D the distractors naming `mids`."""
    a, c, d = mids
    return f"""\
  - id: {qid}
    topic: {topic}
    stem: "Which holds for {qid}?"
    options:
      - {{key: A, text: "Option one of {qid}", why: "Wrong: belief A.", misconception: {a}}}
      - {{key: B, text: "Option two of {qid}", why: "Right."}}
      - {{key: C, text: "Option three of {qid}", why: "Wrong: belief C.", misconception: {c}}}
      - {{key: D, text: "Option four of {qid}", why: "Wrong: belief D.", misconception: {d}}}
    answer: B
    explanation: "Because B."
"""


QUESTIONS = [
    ("a1", "alpha", ("bigger-is-better", "more-epochs-fix-all", "dropout-everywhere")),
    ("a2", "alpha", ("bigger-is-better", "dropout-everywhere", "more-epochs-fix-all")),
    ("a3", "alpha", ("bigger-is-better", "more-epochs-fix-all", "dropout-everywhere")),
    ("b1", "beta", ("bigger-is-better", "dropout-everywhere", "more-epochs-fix-all")),
    ("b2", "beta", ("more-epochs-fix-all", "dropout-everywhere", "frozen-means-useless")),
    ("b3", "beta", ("dropout-everywhere", "more-epochs-fix-all", "frozen-means-useless")),
]


def write_misconception_bank(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    (folder / "misconceptions.yaml").write_text(MISCONCEPTIONS, encoding="utf-8")
    body = "questions:\n" + "".join(_question(*q) for q in QUESTIONS)
    (folder / "questions.yaml").write_text(body, encoding="utf-8")
    return folder


def key_of(bank, qid: str, mid: str) -> str:
    """The option key of `qid`'s distractor naming `mid`."""
    return next(o.key for o in bank.questions[qid].options if o.misconception == mid)
