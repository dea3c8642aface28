"""Small pieces of the lab page's text, shared by its widgets: times, verdict colours, numbers kept with
their unit, claim words without the measured values, a question named by its stem, an arm's label."""

from __future__ import annotations

import re
from typing import Any

from rich.padding import Padding
from rich.text import Text

VERDICTS = ("reproduced", "inconclusive", "contradicted")
VERDICT_STYLE = {"reproduced": "bold green", "contradicted": "bold red", "inconclusive": "bold yellow",
                 "cancelled": "bold magenta"}
OPTION_LABEL = re.compile(r"^\(([A-H])\)\s*")  # an arm labelled "(A) ..." stands for an exam item's option A
STEM_CELLS = 48  # a question named on the page: the start of its stem, this many cells at most

# "85 %" / "84 %에" / "+3.7 pts" / "2 points": the wrappers (Rich's and Textual's) break at any Unicode space,
# a no-break space included, so the space goes and the number keeps its unit: "85%", "84%에"
_NUMBER_UNIT = re.compile(r"(\d)[ \u00a0](%)")
# "(measured: level to 2 points better)", "; measured: ...", Korean "측정값: ...": the result, not the claim
_MEASURED = re.compile(r"\s*\((?:measured|측정값)\s*:[^)]*\)|\s*[;；,]\s*(?:measured|측정값)\s*:[^)]*(?=\))")


def clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


def glued(text: str) -> str:
    """Numbers kept on one line with their %."""
    return _NUMBER_UNIT.sub(r"\1\2", text)


def unmeasured(text: str) -> str:
    """A claim's plain words without the values an earlier run measured: the page asks for a prediction
    before it shows any result."""
    return _MEASURED.sub("", text)


def indented(line: Any) -> Any:
    """A line written with two leading spaces, indented as a block so its wrapped lines line up too."""
    if isinstance(line, Text) and line.plain.startswith("  "):
        return Padding(line[2:], (0, 0, 0, 2))
    return line


def stem_start(question: Any, lang: str) -> str:
    """A question as the learner knows it: the start of its stem, in quotes (never its id)."""
    from tutor.app.strings import shown

    line = Text(" ".join(shown(question.stem, lang).split()))
    if line.cell_len > STEM_CELLS:
        line.truncate(STEM_CELLS - 1)
        line = Text(line.plain.rstrip() + "…")
    return f"“{line.plain}”"


def arm_text(label: str, lab: Any, question_id: str | None, t: Any, questions: dict[str, Any], lang: str) -> str:
    """An arm's label; "(A) ..." becomes "option A of the question: ..." where the letters are the options
    of the lab's first linked question (named by its stem when the page was opened from elsewhere)."""
    match = OPTION_LABEL.match(label)
    linked = list(lab.file.questions) if lab is not None else []
    if match is None or not linked:
        return label
    rest = label[match.end():]
    if question_id == linked[0]:
        return t("lab.option_of_question", letter=match.group(1), label=rest)
    question = questions.get(linked[0])
    name = stem_start(question, lang) if question is not None else "?"
    return t("lab.option_of_named_question", letter=match.group(1), label=rest, question=name)
