"""A broken lab file's problems in the learner's language: for each, one line with its line number and
what is wrong in words (through the catalogue), above the validator's own English detail, which stays
for whoever fixes the file. The validators (tutor.yamlsrc, tutor.lab.spec) write English `Problem`s; the
kinds below are read from their wording, and anything else gets a plain "this line has a problem"."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rich.padding import Padding
from rich.text import Text

from tutor.safetext import one_line

NAME = r"(?P<name>[\w.\[\]-]+)"
KINDS: tuple[tuple[str, str], ...] = (  # (pattern on the message, message key), first match wins
    (r"^YAML (syntax )?error", "lab.problem.syntax"),
    (r"^(not UTF-8|control character|cannot read|not a regular file|file is larger|text is longer)", "lab.problem.unreadable"),
    (r"^(a lab file is a mapping|not a lab file)", "lab.problem.not_lab"),
    (rf"^missing required field '{NAME}'", "lab.problem.missing"),
    (rf"^unknown field '{NAME}'", "lab.problem.unknown_field"),
    (rf"^unknown arm '{NAME}'", "lab.problem.unknown_arm"),
    (rf"^unknown metric '{NAME}'", "lab.problem.unknown_metric"),
    (rf"^unknown dataset '{NAME}'", "lab.problem.unknown_dataset"),
    (rf"^{NAME}: Input should be a valid integer", "lab.problem.integer"),
    (rf"^{NAME}: Input should be a valid number", "lab.problem.number"),
    (rf"^{NAME}: Input should be a valid boolean", "lab.problem.boolean"),
    (rf"^{NAME}: Input should be a valid", "lab.problem.kind"),
    (rf"^{NAME}: .* is not one of", "lab.problem.choice"),
    (r"^claim ", "lab.problem.claim"),
    (rf"^{NAME}: ", "lab.problem.value"),
)


def summary(message: str, t: Callable[..., str]) -> str:
    """What is wrong, in words, in t's language."""
    for pattern, key in KINDS:
        found = re.match(pattern, message)
        if found:
            return t(key, **{k: one_line(v) for k, v in found.groupdict().items() if v is not None})
    return t("lab.problem.other")


def problem_lines(problems: list[Any], t: Callable[..., str]) -> list[Padding]:
    """Per problem: `line N: what is wrong` (a `tutor.problems.Problem`), then its detail, dimmed and
    indented; a problem without a line (a plain string) is shown as it is. Wrapped lines stay indented."""
    out: list[Padding] = []
    for problem in problems:
        if hasattr(problem, "line") and hasattr(problem, "message"):
            what = t("lab.problem.line", line=problem.line, what=summary(problem.message, t))
            out.append(Padding(Text(what, style="yellow"), (0, 0, 0, 2)))
            out.append(Padding(Text(str(problem), style="dim"), (0, 0, 0, 4)))
        else:
            out.append(Padding(Text(one_line(problem)), (0, 0, 0, 2)))
    return out
