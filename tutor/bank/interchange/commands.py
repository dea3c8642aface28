"""`tutor questions import` and `tutor questions export`: read or write other formats, report per question.

Import writes one YAML file per input file into --out (atomically), adds any new topics to
--out/topics.yaml, then validates what it wrote against the shipped topics. Every input problem is
reported as FILE:LINE: message, all at once; a question of a kind tutor does not serve is listed.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tutor import paths, yamlsrc
from tutor.atomic import atomic_open, check_target
from tutor.bank.interchange import aiken, gift, moodle_xml, yamlout
from tutor.bank.interchange.build import NO_FEEDBACK, Ids, Topics, record, shape_problem
from tutor.bank.interchange.model import Parsed, Refused, Skipped
from tutor.bank.interchange.text import read_text, slug
from tutor.bank.loader import Bank, display_path, load_bank
from tutor.bank.schema import Question
from tutor.safetext import one_line
from tutor.yamlsrc import Problem

READERS: dict[str, Callable[[str, str], Parsed]] = {"gift": gift.parse, "moodle-xml": moodle_xml.parse, "aiken": aiken.parse}
Say = Callable[[str], None]
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


def detect(path: Path, source: str) -> str:
    """The format from the file name, else from the content."""
    name = path.name.lower()
    if name.endswith(".xml") or source.lstrip().startswith(("<?xml", "<quiz")):
        return "moodle-xml"
    if name.endswith(".gift") or ".gift." in name:
        return "gift"
    if re.search(r"(?m)^\s*ANSWER\s*:\s*[A-Z]\s*$", source) and "{" not in source:
        return "aiken"
    return "gift"


def read(path: Path, fmt: str | None = None) -> tuple[Parsed, str]:
    """Parse one input file; a refused file comes back as a Parsed holding its one problem."""
    name = display_path(path)
    try:
        source = read_text(path, name)
        fmt = fmt or detect(path, source)
        return READERS[fmt](source, name), fmt
    except Refused as exc:
        return Parsed(problems=[exc.problem]), fmt or "?"


def _bank_dirs(out: Path) -> list[Path]:
    from tutor.bank.loader import default_dirs

    dirs, seen = [], set()
    for d in [*default_dirs(), out]:
        if d.exists() and d.resolve() not in seen:
            seen.add(d.resolve())
            dirs.append(d)
    return dirs


@dataclass
class _Report:
    """What one import run says: report lines in input order, and the counts for the summary."""

    lines: list[tuple[int, int, str]] = field(default_factory=list)  # (file index, line, text)
    problems: int = 0
    skipped: int = 0
    placeholders: int = 0
    formats: set[str] = field(default_factory=set)
    written: dict[Path, int] = field(default_factory=dict)

    def add(self, index: int, line: int, message: str) -> None:
        self.lines.append((index, line, message))

    def problem(self, index: int, problem: Problem) -> None:
        self.problems += 1
        self.add(index, problem.line, str(problem))


def import_files(files: list[Path], out: Path, topic: str | None = None, fmt: str | None = None, say: Say = print) -> int:
    """Import `files` into `out`; returns the exit status (1 when the input or the result has problems).

    Imports into one folder take turns (a lock file in it), so two at once cannot lose each other's topics."""
    with _folder_lock(out):
        return _import_locked(files, out, topic, fmt, say)


def _import_locked(files: list[Path], out: Path, topic: str | None, fmt: str | None, say: Say) -> int:
    topics = Topics(load_bank(_bank_dirs(out)).topics)
    ids, report = Ids(), _Report()
    targets = [_target(out, path, i, files) for i, path in enumerate(files)]
    ids.used |= _ids_elsewhere(out, targets)
    for index, path in enumerate(files):
        records = _convert(index, path, fmt, topic, topics, ids, report)
        if records:
            _write_parts(targets[index], records, path, report)
    for _, _, line in sorted(report.lines, key=lambda x: (x[0], x[1])):
        say(one_line(line))
    if topics.new:
        _write_topics(out, topics.new)
    bad = _check(out, report.written, say) if report.written else 0
    _summary(report, topics, out, bad)
    return 1 if report.problems or bad else 0


@contextmanager
def _folder_lock(out: Path) -> Iterator[None]:
    """An exclusive lock on out/.tutor-import.lock for the whole import (where the platform has flock)."""
    check_target(out / ".tutor-import.lock")
    out.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: imports into one folder at once are not guarded
        yield
        return
    with open(out / ".tutor-import.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _ids_elsewhere(out: Path, targets: list[Path]) -> set[str]:
    """Ids already defined in out's other YAML files (not the ones this import replaces): an imported question
    must not take one, or the folder would no longer validate."""
    mine = {t.resolve() for t in targets} | {p.resolve() for t in targets for p in _old_parts(t)}
    used: set[str] = set()
    for path in sorted(out.glob("*.yaml")):
        if path.resolve() in mine or path.name == "topics.yaml" or not path.is_file():
            continue
        try:
            data = yamlsrc.load(path).data
        except yamlsrc.YamlError:
            continue
        items = data.get("questions") if isinstance(data, dict) else None
        used |= {q["id"] for q in items or [] if isinstance(q, dict) and isinstance(q.get("id"), str)}
    return used


def _header(source: Path) -> str:
    return f"# Imported by `tutor questions import` from {one_line(source.name)}.\n"


def _write_parts(target: Path, records: list[dict], source: Path, report: _Report) -> None:
    """Write `records` to `target`, split into target-part2.yaml, ... where one file would pass the bank's
    file-size limit (so every imported question loads); parts an earlier, longer import of the same file left
    behind are removed (only files that say they were imported from that file)."""
    header, limit = _header(source), int(yamlsrc.MAX_FILE_BYTES * 0.9)
    parts: list[list[dict]] = [[]]
    size = 0
    for data in records:
        n = len(yamlout.dumps({"questions": [data]}).encode())
        if parts[-1] and size + n > limit:
            parts.append([])
            size = 0
        parts[-1].append(data)
        size += n
    for old in _old_parts(target)[len(parts) - 1:]:
        if old.read_text(encoding="utf-8", errors="replace").startswith(header):
            old.unlink()
    for i, chunk in enumerate(parts):
        path = target if i == 0 else _part(target, i + 1)
        yamlout.write(path, {"questions": chunk}, header=header)
        report.written[path] = len(chunk)
    if len(parts) > 1:
        report.add(-1, 0, f"{display_path(target)}: {len(records)} questions written as {len(parts)} files "
                          f"(a bank file holds at most {yamlsrc.MAX_FILE_BYTES // 1024} KiB)")


def _part(target: Path, n: int) -> Path:
    return target.with_name(f"{target.stem}-part{n}.yaml")


def _old_parts(target: Path) -> list[Path]:
    """target-part2.yaml, target-part3.yaml, ... as they exist now, in order."""
    found, n = [], 2
    while (p := _part(target, n)).is_file():
        found.append(p)
        n += 1
    return found


def _convert(index: int, path: Path, fmt: str | None, topic: str | None, topics: Topics, ids: Ids, report: _Report) -> list[dict]:
    """The YAML records for one input file; everything said about it goes into `report`."""
    parsed, used = read(path, fmt)
    report.formats.add(used)
    for p in parsed.problems:
        report.problem(index, p)
    records = []
    for q in parsed.questions:
        shape = shape_problem(q)
        if shape and shape[0]:
            report.problem(index, Problem(q.file, q.line, shape[1]))
            continue
        if shape:
            parsed.skipped.append(Skipped(q.file, q.line, shape[1], q.name))
            continue
        ident, note = ids.take(q)
        data, n = record(q, ident, topics.resolve(topic, q.category, _file_topic(path)))
        report.placeholders += n
        records.append(data)
        korean = ["Korean text stored as the en (fallback) text"] if _HANGUL.search(q.stem) else []
        notes = "".join(f"; {x}" for x in ([note] if note else []) + q.notes + korean)
        detail = f"{data.get('type', 'single')}, {len(q.choices)} options{notes}"
        report.add(index, q.line, f"{q.file}:{q.line}: imported '{ident}' into topic '{data['topic']}' ({detail})")
    report.skipped += len(parsed.skipped)
    for item in parsed.skipped:
        report.add(index, item.line, str(item))
    return records


def _file_topic(path: Path) -> str:
    return path.name.split(".")[0]


def _target(out: Path, path: Path, index: int, files: list[Path]) -> Path:
    """out/<file name>.yaml: quiz.gift -> quiz-gift.yaml, so a GIFT and an XML file of one name do not clash;
    a later input of the same name in one run gets -2, -3, ..."""
    def base(p: Path) -> str:
        return slug(p.name.removesuffix(".txt")) or "imported"

    mine = base(path)
    n = 1 + sum(base(p) == mine for p in files[:index]) + (mine == "topics")
    return out / (f"{mine}.yaml" if n == 1 else f"{mine}-{n}.yaml")


def _write_topics(out: Path, new: dict[str, str]) -> None:
    """Add the new topics to out/topics.yaml, keeping any topics an earlier import wrote there."""
    path = out / "topics.yaml"
    existing: list = []
    if path.exists():
        try:
            data = yamlsrc.load(path).data
            existing = list(data.get("topics") or []) if isinstance(data, dict) else []
        except yamlsrc.YamlError:
            existing = []
    have = {t.get("id") for t in existing if isinstance(t, dict)}
    existing += [{"id": ident, "title": title} for ident, title in new.items() if ident not in have]
    yamlout.write(path, {"topics": existing}, header="# Topics added by `tutor questions import` (from Moodle categories or file names).\n")


def _check(out: Path, written: dict[Path, int], say: Say) -> int:
    """Validate the written files with every loaded bank; an id also defined in another bank is a note."""
    bank = load_bank(_bank_dirs(out))
    mine = {display_path(p) for p in written} | {display_path(out / "topics.yaml")}
    bad = 0
    for p in bank.problems:
        if p.file not in mine:
            continue
        if p.message.startswith("duplicate id") and "first defined at" in p.message and not any(m + ":" in p.message for m in mine):
            say(f"{p.file}:{p.line}: note: {p.message}; this bank and that one cannot be loaded together")
            continue
        say(str(p))
        bad += 1
    return bad


def _summary(report: _Report, topics: Topics, out: Path, bad: int) -> None:
    total = sum(report.written.values())
    files = f"into {', '.join(one_line(display_path(p)) for p in report.written)}" if report.written else "(nothing written)"
    print(f"imported {total} question(s) {files}; {report.skipped} not imported; {report.problems} problem(s) in the input", file=sys.stderr)
    if topics.new:
        print(one_line(f"new topic(s) in {display_path(out / 'topics.yaml')}: {', '.join(topics.new)}"), file=sys.stderr)
    if report.placeholders:
        extra = "no feedback in Aiken: " if "aiken" in report.formats else ""
        print(f"{extra}{report.placeholders} why/explanation field(s) without feedback say '{NO_FEEDBACK}'", file=sys.stderr)
    if bad:
        print(f"{bad} problem(s) in the written files (see above)", file=sys.stderr)


# --- export --------------------------------------------------------------------------------------------

def load_for_export(given: list[Path], extra: list[str] | None = None) -> Bank:
    """The given banks (checked with the shipped topics, as `validate` does), or the shipped and configured banks."""
    from tutor.bank.loader import default_dirs

    if not given:
        return load_bank(default_dirs(extra))
    shipped = paths.questions_dir()
    if any(g.resolve() == shipped.resolve() for g in given):
        return load_bank(given)
    bank = load_bank([shipped, *given])
    roots = [g.resolve() for g in given]

    def mine(location: str) -> bool:
        path = Path(location.rsplit(":", 1)[0]).resolve()
        return any(path == r or path.is_relative_to(r) for r in roots)

    bank.problems = [p for p in bank.problems if mine(f"{p.file}:{p.line}")]
    for ident in [i for i, where in bank.origin.items() if not mine(where)]:
        del bank.questions[ident], bank.origin[ident]
    return bank


def ordered(bank: Bank) -> list[Question]:
    order = {t: i for i, t in enumerate(bank.topics)}
    return sorted(bank.questions.values(), key=lambda q: order.get(q.topic, len(order)))


def export(given: list[Path], fmt: str, out: Path, lang: str | None, say: Say = print, extra_banks: list[str] | None = None) -> int:
    """Write the bank in `fmt`; returns the exit status (1: the bank has problems, 2: bad options)."""
    if lang == "both" and fmt != "anki":
        print(f"tutor: {fmt} carries one language: use --lang en or --lang ko", file=sys.stderr)
        return 2
    check_target(out)  # before any work: a FIFO, a device or a symlink is never replaced
    bank = load_for_export(given, extra_banks)
    if bank.problems:
        for p in bank.problems:
            say(str(p))
        print(f"tutor: {len(bank.problems)} problem(s) in the bank; fix them (tutor questions validate) before exporting", file=sys.stderr)
        return 1
    questions = ordered(bank)
    lang = lang or ("both" if fmt == "anki" else "en")
    if fmt == "anki":
        from tutor.bank.interchange import anki

        anki.write(out, questions, bank.topics, lang)
    else:
        body, questions = _text_export(bank, questions, fmt, lang, say)
        with atomic_open(out, "w") as f:
            f.write(body)
    print(one_line(f"wrote {display_path(out)}: {len(questions)} question(s), {fmt}, {lang}"), file=sys.stderr)
    return 0


def _text_export(bank: Bank, questions: list[Question], fmt: str, lang: str, say: Say) -> tuple[str, list[Question]]:
    """The file's text, and the questions it holds."""
    if fmt == "gift":
        return gift.dump(questions, lang), questions
    if fmt == "moodle-xml":
        titles = {t.id: t.title.get(lang) or t.title["en"] for t in bank.topics.values()}
        body, escaped = moodle_xml.dump_counted(questions, lang, titles)
        if escaped:
            print(f"{escaped} control character(s) that XML cannot hold written as visible escapes (\\x1b)", file=sys.stderr)
        return body, questions
    body, left = aiken.dump(questions, lang)
    for q in left:
        say(f"{bank.origin[q.id]}: not exported: '{q.id}' is multiple-answer (Aiken has one right answer)")
    print("Aiken holds no feedback: whys and explanations are not in the file", file=sys.stderr)
    dropped = {q.id for q in left}
    return body, [q for q in questions if q.id not in dropped]
