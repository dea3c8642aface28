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
    quiz.add_argument("--mode", choices=("home", "practice", "exam", "mock", "review"), default="home",
                      help="screen to start on: exam is the short exam (10 questions in 15 minutes), mock the full "
                      "mock (65 in 180 minutes), practice all topics (default: home)")
    _bank_option(quiz)
    quiz.set_defaults(handler=_quiz)

    questions = sub.add_parser(
        "questions", help="work with question banks",
        description="Work with question banks: validate them, lint them for cues that give answers away, import "
        "questions from Moodle GIFT, Moodle XML or Aiken, export them to those formats or an Anki deck. Each action has its own --help.",
    )
    qsub = questions.add_subparsers(dest="questions_command", metavar="ACTION", required=True)
    validate = qsub.add_parser(
        "validate",
        help="check banks and print FILE:LINE: message for each problem",
        description="Check question banks. With no PATH: the shipped bank plus any configured extra banks.",
    )
    validate.add_argument("paths", nargs="*", metavar="PATH", help="bank directories or YAML files")
    _bank_option(validate)
    validate.set_defaults(handler=_validate)
    lint = qsub.add_parser(
        "lint",
        help="report cues that give answers away (FILE:LINE: message), then a summary per bank",
        description="Report the cues that let a learner answer without knowing the subject: per question "
        "(warnings) and per bank (thresholds: exit 1 when one is missed). With no PATH: the shipped bank "
        "plus any configured extra banks, each summarised on its own, and the labs' text (glossary, notes, question ids).",
    )
    lint.add_argument("paths", nargs="*", metavar="PATH", help="bank directories or YAML files, each linted as one bank")
    _bank_option(lint)
    lint.set_defaults(handler=_lint)
    _interchange(qsub)

    stats = sub.add_parser(
        "stats", help="print your progress per topic",
        description="Print your progress per topic: questions seen, answered right, and reviews due.",
    )
    stats.add_argument("--lang", choices=LANGS, default="en", help="language of the topic names and headings (default: en)")
    stats.add_argument("--json", action="store_true", help="print one JSON object: misconceptions, exam_date, plan, readiness, ...")
    _bank_option(stats)
    stats.set_defaults(handler=_stats)

    plan = sub.add_parser(
        "plan", help="set your exam date and see reviews per day until it",
        description="Store your exam date (and minutes a day, pass mark): review then aims at recall on that day. "
        "Prints the reviews per day until the exam.",
    )
    plan.add_argument("--exam-date", metavar="YYYY-MM-DD", help="the day of the exam (stored)")
    plan.add_argument("--minutes-per-day", type=int, metavar="N", help="minutes a day you have for reviews (stored)")
    plan.add_argument("--pass-mark", type=float, metavar="PERCENT", help="the exam's pass mark in percent (stored; default 72)")
    plan.add_argument("--lang", choices=LANGS, default="en", help="language of the headings (default: en)")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    plan.set_defaults(handler=_plan)

    from tutor.xapi.cli import register as register_records

    register_records(sub)  # progress export/import, sync, class report: learning records (tutor.xapi, tutor.classreport)

    from tutor.lab.cli import register

    register(sub)
    sub.choices["lab"].set_defaults(handler=_lab)  # the engine's commands, with the progress store they never import
    sub.choices["labs"].set_defaults(handler=_labs)
    return parser


def _lab(args: argparse.Namespace) -> int:
    from tutor.lab.cli import cmd_lab

    return cmd_lab(args, on_result=_record_run if args.record else None)


def _record_run(result, lab_path: str, duration_s: float, out: str | None) -> None:
    """Keep a `tutor lab` run in the progress store (finished or cancelled, see tutor.study.labruns); a store
    problem is one warning line, never a failed run."""
    from tutor.safetext import one_line
    from tutor.study.labruns import record_run
    from tutor.study.store import Store, StoreError

    try:
        with Store() as store:
            record_run(store, result.to_json(), lab_path=lab_path, duration_s=duration_s, out_dir=out)
    except (StoreError, OSError, KeyError, ValueError) as exc:
        print(one_line(f"tutor lab: the run was not recorded in the progress store ({exc})"), file=sys.stderr)


def _labs(args: argparse.Namespace) -> int:
    from tutor.lab.cli import cmd_labs

    return cmd_labs(args, last_runs=_last_runs)


def _last_runs() -> dict:
    from tutor.safetext import one_line
    from tutor.study.labruns import last_runs
    from tutor.study.store import Store, StoreError

    try:
        with Store() as store:
            found = last_runs(store)
            _damage(store, "tutor labs")
            return found
    except StoreError as exc:
        print(one_line(f"tutor labs: cannot read the last results ({exc})"), file=sys.stderr)
        return {}


def _interchange(qsub) -> None:
    from tutor.bank.interchange import EXPORT_FORMATS, IMPORT_FORMATS

    imp = qsub.add_parser(
        "import",
        help="convert Moodle GIFT, Moodle XML or Aiken files into tutor YAML",
        description="Convert question files into tutor YAML files in --out, validate them, and report per question "
        "what was imported and what was not: questions of a type tutor cannot ask (essay, matching, numeric...) "
        "are listed, not imported.",
    )
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--out", required=True, metavar="DIR", help="directory for the YAML files (created if needed)")
    imp.add_argument("--topic", help="topic for every question (default: the Moodle category, else the file name)")
    imp.add_argument("--format", choices=IMPORT_FORMATS, help="input format (default: from the extension or content)")
    imp.set_defaults(handler=_import)
    exp = qsub.add_parser(
        "export",
        help="write the bank as Moodle GIFT, Moodle XML, Aiken or an Anki deck",
        description="Export question banks (default: the shipped bank plus configured extra banks).",
    )
    exp.add_argument("paths", nargs="*", metavar="PATH", help="bank directories or YAML files")
    exp.add_argument("--format", required=True, choices=EXPORT_FORMATS)
    exp.add_argument("--out", required=True, metavar="FILE")
    exp.add_argument("--lang", choices=(*LANGS, "both"), help="language of the texts (default: en; anki: both)")
    _bank_option(exp)
    exp.set_defaults(handler=_export)


def _import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tutor.bank.interchange.commands import import_files

    return import_files([Path(f) for f in args.files], Path(args.out), args.topic, args.format)


def _export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tutor.bank.interchange.commands import export

    return export([Path(p) for p in args.paths], args.format, Path(args.out), args.lang, extra_banks=args.bank)


def _load(args: argparse.Namespace, cached: bool = False):
    from tutor.bank.loader import default_dirs, load_bank

    return load_bank(default_dirs(getattr(args, "bank", None)), cached=cached)


def _quiz(args: argparse.Namespace) -> int:
    from tutor.app import make_app
    from tutor.study.store import Store

    bank = _load(args, cached=True)  # the last validation's index when no file changed: the home screen without pydantic
    if not bank.questions:
        print("tutor: no valid questions found; run `tutor questions validate`", file=sys.stderr)
        return 1
    with Store(interactive=True) as store:  # opening checks the file: a damaged or newer one stops here, one line
        app = make_app(bank=bank, store=store, lang=args.lang, problems=bank.problems, start=args.mode)
        app.run()
        _damage(store, "tutor quiz")  # rows found damaged after the app's last notice
        return _unsaved(store) or int(app.return_code or 0)


def _unsaved(store) -> int:
    """Last try for answers the store refused during the session; say so (exit 1) if some are lost."""
    if store.pending and store.retry_pending():
        print(f"tutor: {len(store.pending)} answer(s) could not be saved: {store.last_error}", file=sys.stderr)
        return 1
    return 0


def _validate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tutor import paths
    from tutor.bank.loader import default_dirs, load_bank, scan

    if args.paths:
        shipped = paths.questions_dir()
        given = [Path(p) for p in args.paths]
        # Instructor banks use the shipped topics and must not clash with shipped ids, so check them together.
        dirs = [shipped, *[p for p in given if p.resolve() != shipped.resolve()]]
    else:
        dirs = default_dirs(args.bank)
    bank = load_bank(dirs)
    for line in capped(bank.problems):
        print(line)
    files = len(scan(dirs)[0])
    if bank.problems:
        bad = len({p.file for p in bank.problems})
        print(f"{len(bank.problems)} problem(s) in {bad} of {files} file(s)", file=sys.stderr)
        return 1
    print(f"OK: {len(bank)} questions in {files} file(s)", file=sys.stderr)
    return 0


PROBLEMS_PER_FILE = 20


def capped(problems: list, per_file: int = PROBLEMS_PER_FILE) -> list[str]:
    """The problems as lines, at most `per_file` for each file, then '... and N more' for the rest:
    a broken generated file lists its first problems, not half a million."""
    from tutor.safetext import one_line

    by_file: dict[str, list] = {}
    for problem in problems:
        by_file.setdefault(problem.file, []).append(problem)
    lines: list[str] = []
    for file, found in by_file.items():
        lines += [str(p) for p in found[:per_file]]
        if len(found) > per_file:
            lines.append(f"{one_line(file)}: ... and {len(found) - per_file} more problem(s) in this file")
    return lines


def _lint(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tutor import paths
    from tutor.bank.lint import lint, render
    from tutor.bank.loader import default_dirs, display_path, load_bank

    shipped = paths.questions_dir()
    targets = [Path(p) for p in args.paths] or default_dirs(args.bank)
    # Load each bank with the shipped one (its topics and glossary), then lint only that bank's questions.
    bank = load_bank([shipped, *[t for t in targets if t.resolve() != shipped.resolve()]])
    if bank.problems:
        print(f"{len(bank.problems)} problem(s) left out of the lint: run `tutor questions validate`", file=sys.stderr)
    missing = [t for t in targets if not t.exists()]
    for target in missing:
        print(f"{display_path(target)}:0: no such file or directory", file=sys.stderr)
    failed = bool(missing)
    summaries = []
    for target in [t for t in targets if t.exists()]:
        root = target.resolve()
        ids = [qid for qid, where in bank.origin.items() if _under(Path(where.rsplit(":", 1)[0]).resolve(), root)]
        entries = [m for m, where in bank.misconceptions.origin.items() if _under(Path(where.rsplit(":", 1)[0]).resolve(), root)]
        report = lint(bank, ids, entries)
        for finding in report.findings:
            print(finding)
        summaries.append(render(report, display_path(target)))
        failed = failed or report.failed
    if not args.paths:  # the default run also lints the labs' text (questions' rules: glossary, notes, ids)
        from tutor.bank.labtext import lint_labs, render_labs

        lab_findings = lint_labs(paths.lab_dirs(), bank.glossary, bank.questions.keys())
        for finding in lab_findings:
            print(finding)
        summaries.append(render_labs(paths.lab_dirs(), lab_findings))
    if summaries:
        print("\n\n".join(summaries))
    return 1 if failed else 0


def _under(path, root) -> bool:
    return path == root or root in path.parents


def _stats(args: argparse.Namespace) -> int:
    from rich.console import Console

    from tutor.study.progress import render_stats, summary
    from tutor.study.store import Store

    bank = _load(args)
    with Store() as store:
        from tutor.study.outlook import outlook, render_outlook

        view = outlook(bank, store)
        if args.json:
            import json

            print(json.dumps(view.to_json(args.lang), ensure_ascii=False))
        else:
            Console().print(render_stats(summary(bank, store), bank, lang=args.lang))
            Console().print(render_outlook(view, bank, lang=args.lang))
        _damage(store, "tutor stats")
    return 0


def _plan(args: argparse.Namespace) -> int:
    """`tutor plan`: store what is given, then print the plan (see tutor.study.plan)."""
    from rich.console import Console

    from tutor import i18n
    from tutor.study.outlook import render_plan
    from tutor.study.plan import PlanError, make_plan, parse_date, save_settings, seconds_per_review
    from tutor.study.store import Store

    try:
        with Store() as store:
            mark = None if args.pass_mark is None else args.pass_mark / 100
            exam = None if args.exam_date is None else parse_date(args.exam_date)
            settings = save_settings(store, exam, args.minutes_per_day, mark)
            if settings.exam_date is None:
                print(i18n.t(args.lang, "plan.none"), file=sys.stderr)
                return 1
            plan = make_plan(store.cards(), settings.exam_date, minutes_per_day=settings.minutes_per_day,
                             seconds=seconds_per_review(store))
            if args.json:
                import json

                print(json.dumps({"exam_date": settings.exam_date.isoformat(), "minutes_per_day": settings.minutes_per_day,
                                  "plan": plan.to_json(), "unplanned": plan.unplanned, "left_due": plan.left_due}))
            else:
                if exam is not None:
                    print(i18n.t(args.lang, "plan.saved", date=exam.isoformat()))
                Console().print(render_plan(plan, args.lang))
    except PlanError as exc:
        from tutor.safetext import one_line

        print(f"tutor plan: {one_line(exc)}", file=sys.stderr)
        return 2
    return 0


def _damage(store, command: str) -> None:
    """One line on stderr when rows of the progress database were skipped as damaged (each costs its row only)."""
    from tutor.safetext import one_line

    note = store.damage_note()
    if note:
        print(one_line(f"{command}: {note}"), file=sys.stderr)


def _untold_damage() -> None:
    """Damaged rows of the progress database that a command's store skipped and nobody reported: one line each."""
    store = sys.modules.get("tutor.study.store")  # loaded only by commands that read progress
    if store is None:
        return
    from tutor.safetext import one_line

    while store.UNTOLD:
        print(one_line(f"tutor: {store.UNTOLD.pop(0)}"), file=sys.stderr)


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
        from tutor.safetext import one_line

        print(f"tutor: {one_line(message)}", file=sys.stderr)  # may name a file: one line, nothing raw
        return 1
    finally:
        _untold_damage()
