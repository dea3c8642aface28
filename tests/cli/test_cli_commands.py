"""The `tutor` command line: a closed pipe ends quietly, and every sub-command explains itself in --help."""

from __future__ import annotations

import pytest

from tutor import cli


def test_a_closed_pipe_ends_quietly(monkeypatch, capfd):
    """`tutor labs | head`: the reader leaves early; no `[Errno 32] Broken pipe` line, no traceback."""
    def broken(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli, "_stats", broken)
    assert cli.main(["stats"]) == 141
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
