"""A question as read from another format, before it becomes tutor YAML.

Readers fill these plain records and never decide ids, option keys or topics: `build` does that once
for every format, so GIFT, Moodle XML and Aiken imports follow the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tutor.yamlsrc import Problem

MAX_BYTES = 20_000_000  # an import larger than this is refused (Moodle XML with embedded images stays well below)
MAX_DEPTH = 64  # XML nesting deeper than this is refused (Moodle files nest about 6 deep)


class Refused(Exception):
    """A whole input file is refused (too big, not text, entity declarations...): one clean line."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class Choice:
    text: str
    why: str  # '' when the source gives no feedback for this option
    correct: bool


@dataclass
class Imported:
    """One question tutor can serve: single, multiple or true_false."""

    file: str
    line: int
    type: str
    stem: str
    choices: list[Choice]
    explanation: str = ""
    name: str = ""  # the question's name or title in the source, if any
    idnumber: str = ""  # an explicit id (GIFT `[id:...]`, Moodle XML <idnumber>)
    category: str = ""
    concepts: list[str] = field(default_factory=list)
    shuffle: bool = True
    notes: list[str] = field(default_factory=list)  # lossy conversions the instructor should know about


@dataclass
class Skipped:
    """A question of a kind tutor does not serve (essay, matching...): listed, never silently dropped."""

    file: str
    line: int
    kind: str
    name: str = ""

    def __str__(self) -> str:
        label = f" '{self.name}'" if self.name else ""
        return f"{self.file}:{self.line}: not imported: {self.kind}{label}"


@dataclass
class Parsed:
    questions: list[Imported] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
