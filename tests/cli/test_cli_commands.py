"""The `tutor` command line: a closed pipe ends quietly, and every sub-command explains itself in --help."""

from __future__ import annotations

import os
import sys

import pytest

from tutor import cli


def test_a_closed_pipe_ends_quietly(monkeypatch, capfd):
    """`tutor labs | head`: the reader leaves early; no `[Errno 32] Broken pipe` line, no traceback."""
    def broken(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli, "_stats", broken)
    # main points stdout's descriptor at /dev/null; under fd capture that descriptor is pytest's (pytest 8
    # hands out its capture file's), so it is put back, or every later test's capture reads a closed file
    fd = sys.stdout.fileno()
    saved = os.dup(fd)
    try:
        assert cli.main(["stats"]) == 141
    finally:
        os.dup2(saved, fd)
        os.close(saved)
    assert "Broken pipe" not in capfd.readouterr().err


@pytest.mark.parametrize("command", ["quiz", "stats"])
def test_sub_commands_have_a_description_and_option_help(command, capsys):
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    out = capsys.readouterr().out
    usage, _, rest = out.partition("\n\n")
    assert rest.split("\n", 1)[0].strip() and not rest.startswith("options")  # a description line before the options
    lang = out[out.index("  --lang {en,ko}"):].split("\n", 1)[0]
    assert "language of" in lang
