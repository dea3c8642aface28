"""The command palette's providers (Ctrl+P): questions (by text or id, in English and Korean), labs,
topics and misconceptions. Each hit posts a message to the app, as a screen would (messages up); the
providers read the bank and the lab catalogue from the app's attributes (`bank`, `labs`, `lang`).

Textual builds a provider per palette opening; `startup` gathers its entries once for that opening."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from tutor.app.messages import OpenLab, StartMisconception, StartPractice, StartQuestion
from tutor.app.strings import shown, t

LABEL_CELLS = 72
Entry = tuple[str, str, Any, str]  # searched text (both languages), shown text, message to post, help line


class _Entries(Provider):
    """A provider over a fixed list of entries: subclasses say what the entries are."""

    DISCOVER = 0  # how many entries to show before anything is typed

    def entries(self) -> Iterator[Entry]:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def lang(self) -> str:
        return getattr(self.app, "lang", "en")

    async def startup(self) -> None:
        self._entries = list(self.entries())

    def _post(self, message: Any):
        return lambda: self.app.post_message(message)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for searched, label, message, help_text in self._entries:
            score = max(matcher.match(searched), matcher.match(label))
            if score > 0:
                yield Hit(score, matcher.highlight(label), self._post(message), text=label, help=help_text)

    async def discover(self) -> Hits:
        for _searched, label, message, help_text in self._entries[: self.DISCOVER]:
            yield DiscoveryHit(label, self._post(message), text=label, help=help_text)


def _both(value: dict[str, str] | None) -> str:
    return " ".join(shown(value, lang) for lang in ("en", "ko") if value and lang in value)


class QuestionCommands(_Entries):
    def entries(self) -> Iterator[Entry]:
        lang = self.lang
        for q in self.app.bank.questions.values():
            stem = shown(q.stem, lang).strip().splitlines()
            label = Text(f"{q.id}: {stem[0] if stem else ''}")
            label.truncate(LABEL_CELLS, overflow="ellipsis")  # one line in the palette at 80 columns (Korean: 2 cells a letter)
            label = label.plain
            yield f"{q.id} {_both(q.stem)}", label, StartQuestion(q.id), t(lang, "cmd.question")


class TopicCommands(_Entries):
    DISCOVER = 20

    def entries(self) -> Iterator[Entry]:
        lang = self.lang
        for tid, topic in self.app.bank.topics.items():
            title = shown(topic.title, lang) or tid
            yield f"{tid} {_both(topic.title)}", t(lang, "cmd.topic", topic=title), StartPractice(tid), tid


class LabCommands(_Entries):
    def entries(self) -> Iterator[Entry]:
        lang = self.lang
        for lab_id, ref in self.app.labs.items():
            if ref.path is None:
                continue
            title = shown(ref.title, lang) or lab_id
            yield f"{lab_id} {_both(ref.title)}", t(lang, "cmd.lab", lab=title), OpenLab(lab_id), lab_id


class MisconceptionCommands(_Entries):
    def entries(self) -> Iterator[Entry]:
        lang = self.lang
        for entry in self.app.bank.misconceptions:
            belief = shown(entry.text, lang) or entry.id
            yield (f"{entry.id} {_both(entry.text)}", t(lang, "cmd.misconception", belief=belief),
                   StartMisconception(entry.id), entry.id)
            if entry.lab and entry.lab in self.app.labs:
                yield (f"{entry.id} {entry.lab} {_both(entry.text)}", t(lang, "cmd.misconception_lab", belief=belief),
                       OpenLab(entry.lab), entry.lab)


PROVIDERS = (QuestionCommands, TopicCommands, LabCommands, MisconceptionCommands)  # what the app lists
