"""Help texts say what the learner needs (issue 24): every option of the commands below is in README's
command table, `tutor questions` describes itself, `--mode` says short or full, import says what it skips,
`tutor pretrain` leaves the shipped backbone alone unless asked, `tutor labs` into a file cuts no title."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from tutor import cli

README = Path(__file__).resolve().parents[2] / "README.md"


def subparser(*names: str) -> argparse.ArgumentParser:
    parser = cli.build_parser()
    for name in names:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[name]
    return parser


def options(parser: argparse.ArgumentParser) -> set[str]:
    return {s for a in parser._actions if a.help != argparse.SUPPRESS for s in a.option_strings
            if s.startswith("--") and s != "--help"}


def readme_row(command: str) -> str:
    rows = [line for line in README.read_text(encoding="utf-8").splitlines() if line.startswith(f"| `tutor {command} ")]
    assert rows, f"no README row for tutor {command}"
    return rows[0]


def pretrain_parser() -> argparse.ArgumentParser:
    from tutor.lab.models import pretrain

    parser = argparse.ArgumentParser(prog="tutor pretrain", description=pretrain.DESCRIPTION)
    pretrain.add_arguments(parser)
    return parser


@pytest.mark.parametrize("command", ["quiz", "stats", "labs", "lab", "pretrain"])
def test_every_option_is_in_the_readme_table(command):
    parser = pretrain_parser() if command == "pretrain" else subparser(command)
    row = readme_row(command)
    missing = sorted(o for o in options(parser) if not re.search(re.escape(o) + r"\b", row))
    assert not missing, f"tutor {command}: {missing} not in README's command table"


def test_questions_describes_itself_and_import_says_what_it_skips():
    assert "validate" in subparser("questions").description
    text = subparser("questions", "import").description
    assert "not imported" in text and "never dropped" not in text


def test_mode_says_short_or_full():
    mode = next(a for a in subparser("quiz")._actions if "--mode" in a.option_strings)
    assert "mock" in mode.choices and "short exam" in mode.help and "full" in mode.help


def test_pretrain_writes_to_the_data_folder_unless_asked(tmp_path, monkeypatch):
    from tutor.lab.models import pretrain

    monkeypatch.setenv("TUTOR_HOME", str(tmp_path))
    shipped = Path("/shipped/tutornet.pt")
    parser = pretrain_parser()
    assert pretrain.output_path(parser.parse_args([]), shipped) == tmp_path / "weights" / "tutornet.pt"
    assert pretrain.output_path(parser.parse_args(["--replace-shipped"]), shipped) == shipped
    assert pretrain.output_path(parser.parse_args(["--out", str(tmp_path / "x.pt")]), shipped) == tmp_path / "x.pt"
    with pytest.raises(SystemExit):
        parser.parse_args(["--out", "x.pt", "--replace-shipped"])


def test_labs_into_a_file_cuts_no_title(capsys, monkeypatch):
    from tutor import paths
    from tutor.lab.cli import cmd_labs
    from tutor.lab.spec.lab import lab_files, load_lab

    monkeypatch.setenv("COLUMNS", "60")  # a narrow terminal's width must not reach a file
    cmd_labs(argparse.Namespace(dirs=[], lang="en"), last_runs=dict)
    out = capsys.readouterr().out
    assert "…" not in out
    for path in lab_files(paths.lab_dirs()):
        lab = load_lab(path)
        assert any(lab.id in line and lab.title("en") in line for line in out.splitlines()), lab.id
