"""The misconception catalogue: the wrong beliefs that distractors stand for.

Every distractor names one (`misconception: ID` on the option), and several distractors across the
bank may share one: that sharing is what lets the tutor see a learner's pattern and an instructor a
class's (as concept inventories key each distractor to a misconception). A catalogue file holds a
`misconceptions:` list of `{id, text: {en, ko}, lab}`; entries from every loaded bank form one catalogue.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import ValidationError

from tutor import yamlsrc
from tutor.bank.schema import LANGUAGES, Misconception
from tutor.yamlsrc import Problem


@dataclass
class Catalogue:
    entries: dict[str, Misconception] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # id -> "file:line"
    lab_links: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, lab id), checked once labs are known

    def __contains__(self, mid: object) -> bool:
        return mid in self.entries

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Misconception]:
        return iter(self.entries.values())

    def read(self, doc: yamlsrc.Located) -> list[Problem]:
        """Add the entries of one `misconceptions:` file; one problem per bad entry, the good ones kept."""
        problems: list[Problem] = []
        items = doc.data.get("misconceptions")
        if not isinstance(items, list) or not items:
            return [doc.problem(("misconceptions",), "'misconceptions' must be a non-empty list of {id, text, lab} entries")]
        for index, item in enumerate(items):
            loc = ("misconceptions", index)
            try:
                entry = Misconception.model_validate(item)
            except ValidationError as exc:
                problems += yamlsrc.pydantic_problems(doc, exc, base=loc)
                continue
            missing = [lang for lang in LANGUAGES if lang not in entry.text]
            if missing:
                problems.append(doc.problem(loc + ("text",), f"a misconception is written in English and Korean: add its {'/'.join(missing)} text"))
                continue
            if entry.id in self.entries:
                problems.append(doc.problem(loc + ("id",), f"duplicate misconception '{entry.id}' (first defined at {self.origin[entry.id]})"))
                continue
            self.entries[entry.id] = entry
            self.origin[entry.id] = f"{doc.file}:{doc.line_of(loc)}"
            if entry.lab is not None:
                self.lab_links.append((doc.file, doc.line_of(loc + ("lab",)), entry.lab))
        return problems

    def check_labs(self, labs: dict) -> list[Problem]:
        """Every `lab:` names a known lab (checked after loading, when the lab catalogue is at hand)."""
        known = ", ".join(sorted(labs)) or "none yet"
        return [Problem(file, line, f"lab '{lab}' is not defined in labs/ (known: {known})") for file, line, lab in self.lab_links if lab not in labs]

    def unknown(self, mid: str) -> str:
        """The message for an option naming an id that is not catalogued."""
        hint = "add it to questions/misconceptions.yaml" if self.entries else "no misconceptions.yaml is loaded"
        return f"unknown misconception '{mid}' ({hint})"
