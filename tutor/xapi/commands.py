"""The learner's commands: `tutor progress export|import --xapi`, `tutor progress pseudonym`, `tutor sync`.
Each returns an exit status and prints one line per problem (`FILE:LINE: message`) and one summary line."""

from __future__ import annotations

import sys
from pathlib import Path

from tutor.safetext import one_line, quote

PROBLEMS_SHOWN = 20


def _err(line: str) -> None:
    print(one_line(line), file=sys.stderr)


def print_problems(problems: list, what: str = "statement") -> None:
    for p in problems[:PROBLEMS_SHOWN]:
        print(p, file=sys.stderr)
    if len(problems) > PROBLEMS_SHOWN:
        _err(f"... and {len(problems) - PROBLEMS_SHOWN} more {what}(s) skipped")


def export_xapi(store, bank, out: Path) -> int:
    from tutor.xapi.export import export

    count = export(store, bank, out)
    _err(f"wrote {count} statement(s) to {out}")
    return 0


def import_xapi(store, bank, files: list[Path], learner: str | None) -> int:
    from tutor.xapi.importer import WhichLearner, collect, import_answers
    from tutor.xapi.learner import BadPseudonym

    outcome = collect(files, bank)
    print_problems(outcome.problems)
    try:
        added, known, who = import_answers(store, outcome, learner)
    except (WhichLearner, BadPseudonym) as exc:
        _err(f"tutor progress import: {exc}; nothing imported")
        return 1
    if who is None:
        _err("no answers to import")
    else:
        _err(f"imported {added} answer(s) of {quote(who)}; {known} already here; {len(outcome.problems)} skipped")
    return 1 if outcome.problems or who is None else 0


def pseudonym(store, name: str | None) -> int:
    from tutor.xapi.learner import BadPseudonym, pseudonym, set_pseudonym

    try:
        shown = set_pseudonym(store, name) if name is not None else pseudonym(store)
    except BadPseudonym as exc:
        _err(f"tutor progress pseudonym: {exc}")
        return 1
    print(one_line(shown))
    return 0


def sync(store, bank, url: str | None, batch: int) -> int:
    from tutor.xapi.client import Client
    from tutor.xapi.config import ConfigError, load
    from tutor.xapi.sync import sync as run

    try:
        config = load(url)
    except ConfigError as exc:
        _err(f"tutor sync: {exc}")
        return 1
    for warning in config.warnings:
        _err(f"tutor sync: warning: {warning}")
    result = run(store, bank, Client(config), batch=max(1, batch))
    if result.error:
        _err(f"tutor sync: {result.error}; sent {result.sent}, {result.left} answer(s) still queued for the next sync")
        return 1
    _err(f"tutor sync: sent {result.sent} answer(s) to {config.endpoint}" if result.sent else
         f"tutor sync: nothing new to send to {config.endpoint}")
    return 0
