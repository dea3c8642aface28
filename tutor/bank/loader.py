"""Load question banks from directories of YAML files, collecting every problem instead of stopping.

A bad file or question never takes the rest down: it is reported and skipped, so the quiz serves
whatever is valid and `tutor questions validate` lists everything that is not.

Light at import (no pydantic): the schema loads when a bank is validated. `load_bank(cached=True)`
(the quiz) may answer from the index the last validation left in the cache (tutor.bank.cache): the
home screen is drawn from it, and the questions are validated from the files on first use or when
`warm()` is called after the first screen.
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor import paths
from tutor.problems import Problem

if TYPE_CHECKING:  # pragma: no cover
    from tutor import yamlsrc
    from tutor.bank.cache import Index, Key
    from tutor.bank.labrefs import LabRef
    from tutor.bank.misconceptions import Catalogue
    from tutor.bank.schema import Question, Term, Topic


def _catalogue() -> Catalogue:
    from tutor.bank.misconceptions import Catalogue

    return Catalogue()


@dataclass
class Bank:
    questions: dict[str, Question] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    origin: dict[str, str] = field(default_factory=dict)  # question id -> "file:line"
    glossary: list[Term] = field(default_factory=list)  # Korean terms (`terms:` files), for the lint
    misconceptions: Catalogue = field(default_factory=_catalogue)  # what distractors stand for (`misconceptions:` files)

    def by_topic(self, topic: str | None = None) -> list[Question]:
        return [q for q in self.questions.values() if topic is None or q.topic == topic]

    def topic_counts(self) -> dict[str, int]:
        counts = {t: 0 for t in self.topics}
        for q in self.questions.values():
            counts[q.topic] = counts.get(q.topic, 0) + 1
        return counts

    # What the home screen reads: answered from the cached index without validating the bank.
    def topic_of(self, question_id: str) -> str | None:
        q = self.questions.get(question_id)
        return q.topic if q is not None else None

    def question_ids(self, topic: str | None = None) -> list[str]:
        return [q.id for q in self.by_topic(topic)]

    def topic_title(self, topic_id: str) -> dict[str, str] | None:
        found = self.topics.get(topic_id)
        return found.title if found is not None else None

    def warm(self) -> None:
        """Validate whatever is still pending, in the background (nothing is, for a bank read from files)."""

    def __len__(self) -> int:
        return len(self.questions)


class _Pending(Mapping):
    """The questions or topics of a cached bank: keys from the index, values validated on first use."""

    def __init__(self, keys: list[str], whole: Callable[[], Bank], attr: str, done: Callable[[], bool]) -> None:
        self._keys, self._set, self._whole, self._attr, self._done = keys, set(keys), whole, attr, done

    def _data(self) -> dict:
        return getattr(self._whole(), self._attr)

    def __getitem__(self, key: str) -> Any:
        return self._data()[key]

    def __contains__(self, key: object) -> bool:
        return key in (self._data() if self._done() else self._set)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data() if self._done() else self._keys)

    def __len__(self) -> int:
        return len(self._data()) if self._done() else len(self._keys)

    def values(self):  # type: ignore[override] - the validated values, never the index's keys looked up
        return self._data().values()

    def items(self):  # type: ignore[override]
        return self._data().items()


class CachedBank(Bank):
    """A bank whose home-screen facts come from the cache and whose questions are validated from the
    files on first use (or in the background after `warm()`); if those files then disagree with the
    cache, the cache is dropped, so a damaged or forged one costs at most one start's home screen."""

    def __init__(self, index: Index, key: Key, reload: Callable[[], Bank]) -> None:
        self.problems = list(index.problems)
        self._key, self._reload, self._full = key, reload, None
        self._lock = threading.Lock()
        self._topic_of = dict(index.questions)
        self._titles = dict(index.topics)
        self._order = [qid for qid, _ in index.questions]
        self.questions = _Pending(self._order, self._whole, "questions", self._loaded)  # type: ignore[assignment]
        self.topics = _Pending([tid for tid, _ in index.topics], self._whole, "topics", self._loaded)  # type: ignore[assignment]

    def _loaded(self) -> bool:
        return self._full is not None

    def _whole(self) -> Bank:
        with self._lock:
            if self._full is None:
                from tutor.bank import cache

                full = self._reload()
                index = _index_of(full)
                if (index.questions, index.topics) != (list(self._topic_of.items()), list(self._titles.items())):
                    cache.forget(self._key)
                self._full = full
            return self._full

    def __getattr__(self, name: str) -> Any:  # origin, glossary, misconceptions: from the validated bank
        if name in ("origin", "glossary", "misconceptions"):
            return getattr(self._whole(), name)
        raise AttributeError(name)

    def warm(self) -> None:
        if self._full is None:
            threading.Thread(target=self._whole, name="tutor-bank", daemon=True).start()

    def topic_of(self, question_id: str) -> str | None:
        return super().topic_of(question_id) if self._loaded() else self._topic_of.get(question_id)

    def question_ids(self, topic: str | None = None) -> list[str]:
        if self._loaded():
            return super().question_ids(topic)
        return [q for q in self._order if topic is None or self._topic_of[q] == topic]

    def topic_title(self, topic_id: str) -> dict[str, str] | None:
        return super().topic_title(topic_id) if self._loaded() else self._titles.get(topic_id)

    def topic_counts(self) -> dict[str, int]:
        if self._loaded():
            return super().topic_counts()
        counts = {t: 0 for t in self._titles}
        for topic in self._topic_of.values():
            counts[topic] = counts.get(topic, 0) + 1
        return counts


def _index_of(bank: Bank) -> Index:
    from tutor.bank.cache import Index

    return Index(topics=[(t.id, dict(t.title)) for t in bank.topics.values()],
                 questions=[(q.id, q.topic) for q in bank.questions.values()], problems=list(bank.problems))


def display_path(path: Path) -> str:
    """Relative to the working directory when below it: short, and clickable in most terminals."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)
    return rel if not rel.startswith("..") else str(path)


def bank_files(dirs: list[Path]) -> list[Path]:
    return scan(dirs)[0]


def scan(dirs: list[Path]) -> tuple[list[Path], list[Problem]]:
    """The YAML files under `dirs`, and one problem for each path that could not be looked at: a
    missing path, an unreadable folder, a dangling symlink, a symlink loop. Symlinked folders are
    followed once each, so a loop ends instead of hanging."""
    files: list[Path] = []
    problems: list[Problem] = []
    visited: set[tuple[int, int]] = set()
    for d in dirs:
        if d.is_file():
            files.append(d)
        elif d.is_dir():
            _walk(d, files, problems, visited)
        else:
            problems.append(_path_problem(d))
    return files, problems


def _path_problem(path: Path) -> Problem:
    if path.is_symlink():
        try:
            path.stat()
        except OSError as exc:
            why = "symlink loop" if exc.errno == errno.ELOOP else "dangling symlink (its target does not exist)"
            return Problem(display_path(path), 0, f"skipped: {why}")
    if not path.exists():
        return Problem(display_path(path), 0, "no such file or directory")
    return Problem(display_path(path), 0, "skipped: not a regular file or folder")


def _walk(folder: Path, files: list[Path], problems: list[Problem], visited: set[tuple[int, int]]) -> None:
    try:
        st = folder.stat()
        if (st.st_dev, st.st_ino) in visited:
            if folder.is_symlink():
                problems.append(Problem(display_path(folder), 0, "skipped: symlink loop (this folder is already read)"))
            return
        visited.add((st.st_dev, st.st_ino))
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        problems.append(Problem(display_path(folder), 0, f"skipped: cannot read this folder ({exc.strerror or exc})"))
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            is_dir, is_file = entry.is_dir(), entry.is_file()
        except OSError:
            is_dir = is_file = False
        if is_dir:
            _walk(path, files, problems, visited)
        elif is_file:
            if path.suffix in {".yaml", ".yml"}:
                files.append(path)
        elif entry.is_symlink():
            problems.append(_path_problem(path))
        elif path.suffix in {".yaml", ".yml"}:  # a pipe or device: reading it could block forever
            problems.append(Problem(display_path(path), 0, "skipped: not a regular file"))


def default_dirs(extra: list[str] | None = None) -> list[Path]:
    return [paths.questions_dir(), *paths.extra_bank_dirs(extra)]


def load_bank(dirs: list[Path] | None = None, labs: dict[str, LabRef] | None = None, *, cached: bool = False) -> Bank:
    """Load every bank file under `dirs` (default: shipped bank plus configured extra banks).

    `cached` (the quiz's start): answer from the cached index when the bank and lab files and the code
    are as they were at the last validation (a `CachedBank`), and leave an index for next time. The
    validating commands never pass it: they always read and check every file."""
    dirs = default_dirs() if dirs is None else dirs
    if not cached or labs is not None:
        return _load(dirs, labs)
    from tutor.bank import cache

    files, _ = scan(dirs)
    k = cache.key(dirs, files, _lab_files(paths.lab_dirs()))
    index = cache.read(k) if k is not None else None
    if index is not None:
        return CachedBank(index, k, lambda: _load(dirs, None))
    bank = _load(dirs, None)
    if k is not None:
        cache.write(k, _index_of(bank))
    return bank


def _lab_files(dirs: list[Path]) -> list[Path]:
    """The lab files questions may link to, as `lab_catalog` finds them."""
    return [p for d in dirs if d.is_dir() for p in sorted(d.glob("*.y*ml"))]


def check_question(*args: Any, **kwargs: Any) -> list:
    """The checks that relate a question's fields (tutor.bank.checks), imported with the schema on first use."""
    from tutor.bank.checks import check_question as check

    return check(*args, **kwargs)


def _load(dirs: list[Path], labs: dict[str, LabRef] | None) -> Bank:
    from tutor import yamlsrc
    from tutor.bank.labrefs import lab_catalog

    labs = lab_catalog(paths.lab_dirs()) if labs is None else labs
    bank = Bank()
    pending: list[tuple[yamlsrc.Located, int, Question]] = []
    files, bank.problems = scan(dirs)
    for path in files:
        try:
            doc = yamlsrc.load(path, display_path(path))
        except yamlsrc.YamlError as exc:
            bank.problems.append(exc.problem)
            continue
        try:
            _load_document(doc, bank, pending)
        except Exception as exc:  # noqa: BLE001 - a bad file never stops the rest; the message says it is our bug
            bank.problems.append(_internal(doc.file, exc))
    bank.problems += bank.misconceptions.check_labs(labs)
    for doc, index, question in pending:
        loc = ("questions", index)
        try:
            findings = check_question(question, bank.topics, labs, bank.misconceptions)
        except Exception as exc:  # noqa: BLE001 - as above
            bank.problems.append(_internal(doc.file, exc, doc.line_of(loc)))
            continue
        problems = [doc.problem(loc + sub, msg) for sub, msg in findings]
        if question.id in bank.questions:
            problems.append(doc.problem(loc + ("id",), f"duplicate id '{question.id}' (first defined at {bank.origin[question.id]})"))
        if problems:
            bank.problems += problems
            continue
        bank.questions[question.id] = question
        bank.origin[question.id] = f"{doc.file}:{doc.line_of(loc)}"
    bank.problems.sort(key=lambda p: (p.file, p.line))
    return bank


INTERNAL = "tutor could not check this"


def _internal(file: str, exc: Exception, line: int = 1) -> Problem:
    """A bug of ours met on this file: reported on it (and the rest still served) instead of a traceback."""
    return Problem(file, line, f"{INTERNAL} ({exc.__class__.__name__}: {exc}); please report it")


def _load_document(doc: yamlsrc.Located, bank: Bank, pending: list) -> None:
    from pydantic import ValidationError

    from tutor import yamlsrc
    from tutor.bank.schema import GlossaryFile, Question, QuestionFile, Topic, TopicFile

    data = doc.data
    if not isinstance(data, dict) or not ({"questions", "topics", "terms", "misconceptions"} & set(data)):
        bank.problems.append(doc.problem((), "expected a mapping with a 'questions' list (or a 'topics', 'terms' or 'misconceptions' list)"))
        return
    if "misconceptions" in data:
        extra = sorted(set(data) - {"misconceptions"})
        if extra:
            bank.problems.append(doc.problem((extra[0],), f"unknown field '{extra[0]}' (a misconceptions file holds only 'misconceptions')"))
        bank.problems += bank.misconceptions.read(doc)
        return
    if "terms" in data:
        try:
            bank.glossary += GlossaryFile.model_validate(data).terms
        except ValidationError as exc:
            bank.problems += yamlsrc.pydantic_problems(doc, exc)
        return
    kind, model = ("topics", TopicFile) if "topics" in data else ("questions", QuestionFile)
    try:
        model.model_validate(data)
    except ValidationError as exc:
        bank.problems += yamlsrc.pydantic_problems(doc, exc)
        return
    for index, item in enumerate(data[kind]):
        loc = (kind, index)
        try:
            if kind == "topics":
                topic = Topic.model_validate(item)
                if topic.id in bank.topics:
                    bank.problems.append(doc.problem(loc + ("id",), f"duplicate topic '{topic.id}'"))
                bank.topics[topic.id] = topic
            else:
                pending.append((doc, index, Question.model_validate(item)))
        except ValidationError as exc:
            bank.problems += yamlsrc.pydantic_problems(doc, exc, base=loc)
