"""Load question banks from directories of YAML files, collecting every problem instead of stopping.

A bad file or question never takes the rest down: it is reported and skipped, so the quiz serves
whatever is valid and `tutor questions validate` lists everything that is not.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from tutor import paths, yamlsrc
from tutor.bank.checks import check_question
from tutor.bank.labrefs import LabRef, lab_catalog
from tutor.bank.misconceptions import Catalogue
from tutor.bank.schema import GlossaryFile, Question, QuestionFile, Term, Topic, TopicFile
from tutor.yamlsrc import Problem


@dataclass
class Bank:
    questions: dict[str, Question] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    origin: dict[str, str] = field(default_factory=dict)  # question id -> "file:line"
    glossary: list[Term] = field(default_factory=list)  # Korean terms (`terms:` files), for the lint
    misconceptions: Catalogue = field(default_factory=Catalogue)  # what distractors stand for (`misconceptions:` files)

    def by_topic(self, topic: str | None = None) -> list[Question]:
        return [q for q in self.questions.values() if topic is None or q.topic == topic]

    def topic_counts(self) -> dict[str, int]:
        counts = {t: 0 for t in self.topics}
        for q in self.questions.values():
            counts[q.topic] = counts.get(q.topic, 0) + 1
        return counts

    def __len__(self) -> int:
        return len(self.questions)


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


def load_bank(dirs: list[Path] | None = None, labs: dict[str, LabRef] | None = None) -> Bank:
    """Load every bank file under `dirs` (default: shipped bank plus configured extra banks)."""
    dirs = default_dirs() if dirs is None else dirs
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
