"""Hostile and unlucky bank files: each gives clean `FILE:LINE: message` lines, fast, and the rest is served."""

from __future__ import annotations

import os

import pytest
from support.bank import GOOD, TOPICS

from tutor import yamlsrc
from tutor.bank import load_bank
from tutor.bank.labrefs import LabRef
from tutor.bank.loader import INTERNAL
from tutor.cli import PROBLEMS_PER_FILE, capped, main
from tutor.yamlsrc import Problem

LABS = {"underfitting": LabRef("underfitting", {"en": "Underfitting"}, {}, frozenset({"baseline", "dropout"}))}

BOMB = "".join(
    f"{x}: &{x} [{', '.join(['*' + p] * 9) if p else ', '.join(['lol'] * 9)}]\n"
    for p, x in zip(["", "a", "b", "c", "d", "e", "f", "g", "h"], "abcdefghi", strict=True)
)


def _bank(tmp_path, files: dict[str, str], labs=LABS):
    (tmp_path / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    for name, body in files.items():
        (tmp_path / name).write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
    return load_bank([tmp_path], labs=labs)


def _one(bank, name):
    mine = [p for p in bank.problems if p.file.endswith(name)]
    assert len(mine) == 1, [str(p) for p in bank.problems]
    return mine[0]


def _good(n=1):
    return "questions:\n" + GOOD.format(n=n)


def test_billion_laughs_is_refused_fast_with_one_line(tmp_path):
    assert len(BOMB) < 400
    bank = _bank(tmp_path, {"bomb.yaml": BOMB, "good.yaml": _good()})
    problem = _one(bank, "bomb.yaml")
    assert "aliases expand to more than" in problem.message and "\n" not in str(problem)
    assert set(bank.questions) == {"good-1"}


def test_a_few_aliases_are_still_fine():
    doc = yamlsrc.loads("why: &w Because.\na: *w\nb: [*w, *w]\n")
    assert doc.data == {"why": "Because.", "a": "Because.", "b": ["Because.", "Because."]}


def test_self_referencing_alias_and_deep_nesting_are_refused():
    with pytest.raises(yamlsrc.YamlError, match="loop"):
        yamlsrc.loads("a: &a [1, *a]\n")
    deep = "a: " + "[" * (yamlsrc.MAX_DEPTH + 5) + "]" * (yamlsrc.MAX_DEPTH + 5) + "\n"
    with pytest.raises(yamlsrc.YamlError, match="nest"):
        yamlsrc.loads(deep)


def test_file_over_the_size_limit_is_refused_without_reading_it_all(tmp_path):
    big = _good() + "# " + "x" * yamlsrc.MAX_FILE_BYTES + "\n"
    problem = _one(_bank(tmp_path, {"big.yaml": big}), "big.yaml")
    assert problem.line == 1 and "larger than 1024 KiB" in problem.message


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b"])
def test_control_character_gives_one_line_with_its_line_number(tmp_path, char):
    body = _good().replace("What is it?", f"What{char} is it?")
    problem = _one(_bank(tmp_path, {"ctl.yaml": body}), "ctl.yaml")
    assert problem.line == 4 and "control character U+00" in problem.message
    assert "\n" not in str(problem)


def test_five_thousand_digit_answer_is_a_problem_not_a_crash(tmp_path):
    body = _good().replace("answer: A", "answer: " + "9" * 5000)
    bank = _bank(tmp_path, {"num.yaml": body, "good.yaml": _good(2)})
    problem = _one(bank, "num.yaml")
    assert problem.line == 8 and "characters)" in problem.message and len(str(problem)) < 300
    assert set(bank.questions) == {"good-2"}


def test_unhashable_lab_arms_is_a_problem_not_a_crash(tmp_path):
    body = _good() + "    lab: {id: underfitting, params: {arms: [[baseline]]}}\n"
    problem = _one(_bank(tmp_path, {"arms.yaml": body}), "arms.yaml")
    assert problem.line == 10 and "arm name" in problem.message


@pytest.mark.parametrize("name", ["str", "a[b]", "dict"])
def test_unknown_fields_are_reported_by_their_real_name(tmp_path, name):
    body = _good() + f"    '{name}': 1\n"
    problem = _one(_bank(tmp_path, {"f.yaml": body}), "f.yaml")
    assert problem.message == f"unknown field '{name}'" and problem.line == 10


def test_file_name_with_newline_and_escape_keeps_file_line_format(tmp_path):
    name = "bad\nname\x1b[5m.yaml"
    bank = _bank(tmp_path, {name: "questions: [\n"})
    (problem,) = bank.problems
    line = str(problem)
    assert "\n" not in line and "\x1b" not in line
    assert "bad\\nname\\x1b[5m.yaml:2: YAML syntax error" in line


def test_huge_rejected_value_is_echoed_abbreviated(tmp_path):
    body = _good().replace("answer: A", "answer: " + "Q" * 500_000)
    problem = _one(_bank(tmp_path, {"huge.yaml": body}), "huge.yaml")
    assert "500,002 characters" in problem.message or "500,000 characters" in problem.message
    assert len(str(problem)) < 300


def test_escape_sequences_in_field_names_and_values_are_escaped_in_messages(tmp_path):
    body = _good().replace("answer: A", 'answer: "\\e]0;pwned\\a"') + '    "\\e[5;31mblink": 1\n'
    bank = _bank(tmp_path, {"esc.yaml": body})
    lines = capped(bank.problems)
    assert lines and all("\x1b" not in line and "\x07" not in line for line in lines)
    assert any("\\x1b[5;31mblink" in line for line in lines)


def test_problems_per_file_are_capped(tmp_path, capsys):
    body = "questions:\n" + "".join(GOOD.format(n=i).replace("answer: A", "answer: Z") for i in range(PROBLEMS_PER_FILE + 15))
    (tmp_path / "many.yaml").write_text(body, encoding="utf-8")
    assert main(["questions", "validate", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == PROBLEMS_PER_FILE + 1
    assert out[-1].endswith("many.yaml: ... and 15 more problem(s) in this file")


def test_capped_keeps_small_files_whole():
    problems = [Problem("a.yaml", i, "x") for i in range(3)] + [Problem("b.yaml", 1, "y")]
    assert capped(problems, per_file=3) == [str(p) for p in problems]


def test_nonexistent_path_on_the_command_line_is_one_line(tmp_path, capsys):
    missing = tmp_path / "nonexistent"
    assert main(["questions", "validate", str(missing)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{missing}:0: no such file or directory"]
    assert main(["questions", "validate", "--bank", str(missing)]) == 1
    assert capsys.readouterr().out.splitlines() == [f"{missing}:0: no such file or directory"]


def test_quiz_bank_option_with_missing_folder_warns_and_serves_the_rest(tmp_path):
    from tutor.bank.loader import default_dirs

    bank = load_bank(default_dirs([str(tmp_path / "nope")]))
    assert len(bank) > 0
    assert [p.message for p in bank.problems] == ["no such file or directory"]


@pytest.mark.skipif(os.name != "posix", reason="symlinks and permissions")
def test_dangling_symlink_and_symlink_loop_are_reported_once_each(tmp_path):
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "gone.yaml")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "back").symlink_to(tmp_path)  # a folder loop
    (tmp_path / "self.yaml").symlink_to(tmp_path / "self.yaml")  # a link loop
    bank = _bank(tmp_path, {"good.yaml": _good()})
    assert set(bank.questions) == {"good-1"}
    messages = sorted((os.path.basename(p.file), p.message) for p in bank.problems)
    assert messages == [
        ("back", "skipped: symlink loop (this folder is already read)"),
        ("dangling.yaml", "skipped: dangling symlink (its target does not exist)"),
        ("self.yaml", "skipped: symlink loop"),
    ]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads every folder")
def test_unreadable_subfolder_is_reported(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "q.yaml").write_text(_good(5), encoding="utf-8")
    locked.chmod(0)
    try:
        bank = _bank(tmp_path, {"good.yaml": _good()})
    finally:
        locked.chmod(0o755)
    assert set(bank.questions) == {"good-1"}
    assert [p.message for p in bank.problems] == ["skipped: cannot read this folder (Permission denied)"]


def test_unreadable_subfolder_is_reported_even_as_root(tmp_path, monkeypatch):
    real = os.scandir
    locked = tmp_path / "locked"
    locked.mkdir()

    def scandir(path):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr("tutor.bank.loader.os.scandir", scandir)
    bank = _bank(tmp_path, {"good.yaml": _good()})
    assert set(bank.questions) == {"good-1"}
    (problem,) = bank.problems
    assert problem.file.endswith("locked") and "cannot read this folder (Permission denied)" in problem.message


def test_an_unexpected_error_on_one_file_does_not_stop_the_rest(tmp_path, monkeypatch):
    from tutor.bank import loader

    def boom(*args, **kwargs):
        raise TypeError("surprise")

    monkeypatch.setattr(loader, "check_question", boom)
    bank = _bank(tmp_path, {"good.yaml": _good()})
    assert not bank.questions
    assert INTERNAL in bank.problems[0].message and "TypeError: surprise" in bank.problems[0].message


def test_bomb_as_a_lab_file_does_not_hang_validate_or_the_quiz_bank(tmp_path, monkeypatch, capsys):
    labs = tmp_path / "labs"
    labs.mkdir()
    (labs / "bomb.yaml").write_text(BOMB, encoding="utf-8")
    monkeypatch.setenv("TUTOR_LABS", str(labs))
    assert main(["questions", "validate"]) == 0  # the lab catalogue skips it (tutor lab reports it)
    bank_dir = tmp_path / "bank"
    bank_dir.mkdir()
    (bank_dir / "bomb.yaml").write_text(BOMB, encoding="utf-8")
    assert main(["questions", "validate", "--bank", str(bank_dir)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and "aliases expand to more than" in out[0]


def test_expected_errors_print_one_escaped_line(monkeypatch, capsys):
    def fail(*args, **kwargs):
        raise OSError(2, "No such file", "evil\n\x1b]0;pwned\x07.sqlite3")

    monkeypatch.setattr("tutor.study.store.Store", fail)
    assert main(["stats"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err and "\\x1b]0;pwned\\x07" in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_never_blocks_the_loader(tmp_path):
    from pathlib import Path

    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    with pytest.raises(yamlsrc.YamlError, match="not a regular file"):
        yamlsrc.load(Path(pipe))
    bank = _bank(tmp_path, {"good.yaml": _good()})  # in a bank folder it is reported, not read
    assert set(bank.questions) == {"good-1"}
    assert [p.message for p in bank.problems] == ["skipped: not a regular file"]
