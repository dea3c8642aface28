"""The `tutor` command. Sub-commands import what they need when they run, so `tutor quiz` stays fast."""

from __future__ import annotations

import argparse
import sys

from tutor import __version__

LANGS = ("en", "ko")


def _bank_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--bank",
        action="append",
        metavar="DIR",
        help="an extra question bank directory (repeatable; also TUTOR_BANKS, separated by ':')",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tutor",
        description="Exam questions on transfer learning for image classification, and labs that really train.",
    )
    parser.add_argument("--version", action="version", version=f"tutor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    quiz = sub.add_parser(
        "quiz", help="study in the terminal app (practice, timed exam, spaced review)",
        description="Open the study app: practise by topic, take a timed mock exam, review what is due, open the labs.",
    )
    quiz.add_argument("--lang", choices=LANGS, default="en", help="language of the questions and the app (default: en)")
    quiz.add_argument("--mode", choices=("home", "practice", "exam", "review"), default="home", help="screen to start on")
    _bank_option(quiz)
    quiz.set_defaults(handler=_quiz)

    questions = sub.add_parser("questions", help="work with question banks")
    qsub = questions.add_subparsers(dest="questions_command", metavar="ACTION", required=True)
    validate = qsub.add_parser(
        "validate",
        help="check banks and print FILE:LINE: message for each problem",
        description="Check question banks. With no PATH: the shipped bank plus any configured extra banks.",
    )
    validate.add_argument("paths", nargs="*", metavar="PATH", help="bank directories or YAML files")
    _bank_option(validate)
    validate.set_defaults(handler=_validate)

    stats = sub.add_parser(
        "stats", help="print your progress per topic",
        description="Print your progress per topic: questions seen, answered right, and reviews due.",
    )
    stats.add_argument("--lang", choices=LANGS, default="en", help="language of the topic names and headings (default: en)")
    _bank_option(stats)
    stats.set_defaults(handler=_stats)

    from tutor.lab.cli import register

    register(sub)
    return parser


def _load(args: argparse.Namespace):
    from tutor.bank.loader import default_dirs, load_bank

    return load_bank(default_dirs(getattr(args, "bank", None)))


def _quiz(args: argparse.Namespace) -> int:
    from tutor.app import make_app
    from tutor.study.store import Store

    bank = _load(args)
    if not bank.questions:
        print("tutor: no valid questions found; run `tutor questions validate`", file=sys.stderr)
        return 1
    with Store() as store:
        make_app(bank=bank, store=store, lang=args.lang, problems=bank.problems, start=args.mode).run()
    return 0


def _validate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tutor import paths
    from tutor.bank.loader import bank_files, default_dirs, load_bank

    if args.paths:
        shipped = paths.questions_dir()
        given = [Path(p) for p in args.paths]
        # Instructor banks use the shipped topics and must not clash with shipped ids, so check them together.
        dirs = [shipped, *[p for p in given if p.resolve() != shipped.resolve()]]
    else:
        dirs = default_dirs(args.bank)
    bank = load_bank(dirs)
    for problem in bank.problems:
        print(problem)
    files = len(bank_files(dirs))
    if bank.problems:
        bad = len({p.file for p in bank.problems})
        print(f"{len(bank.problems)} problem(s) in {bad} of {files} file(s)", file=sys.stderr)
        return 1
    print(f"OK: {len(bank)} questions in {files} file(s)", file=sys.stderr)
    return 0


def _stats(args: argparse.Namespace) -> int:
    from rich.console import Console

    from tutor.study.progress import render_stats, summary
    from tutor.study.store import Store

    bank = _load(args)
    with Store() as store:
        Console().print(render_stats(summary(bank, store), bank, lang=args.lang))
    return 0


def _closed_pipe() -> int:
    """The reader went away (`tutor labs | head`): stop quietly, like other Unix tools.

    Python would report the broken pipe again when it flushes stdout at exit, so stdout is pointed at
    /dev/null first (the recipe in the `signal` module's documentation)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 141  # 128 + SIGPIPE, what a shell reports for a command killed by a closed pipe


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        return int(args.handler(args) or 0)
    except BrokenPipeError:
        return _closed_pipe()
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last line of defence: one clean line, never a traceback
        from tutor.errors import describe

        message = describe(exc)
        if message is None:
            raise
        print(f"tutor: {message}", file=sys.stderr)
        return 1
