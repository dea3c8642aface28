"""A problem found in a file, as `FILE:LINE: message`: what every validator reports (YAML, bank, labs).

Its own module, without YAML, so that a bank read from the quiz's cache needs no parser."""

from __future__ import annotations

from dataclasses import dataclass

from tutor.safetext import abbreviate, one_line


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        # File names and messages may hold text from the file: one line, no raw control characters.
        return f"{one_line(self.file)}:{self.line}: {one_line(abbreviate(self.message, 400))}"
