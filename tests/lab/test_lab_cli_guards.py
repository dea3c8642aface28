"""`tutor lab` refuses bad arguments before loading anything heavy, and `--out` never mixes two runs."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import pytest

from tutor.lab.errors import LabError
from tutor.lab.report import outdir

TINY = str(Path(__file__).parents[1] / "data" / "tiny-lab.yaml")


def _cli(argv: list[str]) -> int:
    from tutor.lab.cli import register

    parser = argparse.ArgumentParser(prog="tutor")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.handler(args)


def _no_runs_recorded() -> bool:
    from tutor.study.labruns import last_runs
    from tutor.study.store import Store

    with Store() as store:
        return not last_runs(store)


def test_negative_seed_is_one_clean_line(capsys):
    assert _cli(["lab", TINY, "--seed", "-1"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["tutor lab: --seed -1: seeds must be 0 or more"]


def test_resolve_seeds_refuses_negative_seeds():
    pytest.importorskip("torch")
    from tutor.lab.runner.run import resolve_seeds

    with pytest.raises(LabError, match="0 or more"):
        resolve_seeds([3, -2], 2)


@pytest.mark.parametrize("arms", [",", " , ,", ""])
def test_empty_arm_list_trains_and_records_nothing(arms, capsys, tmp_path):
    assert _cli(["lab", TINY, "--arms", arms, "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "names no arm" in err[0]
    assert not (tmp_path / "o").exists() and _no_runs_recorded()


def test_lab_refuses_an_empty_arm_list():
    from tutor.lab.spec.lab import load_lab

    with pytest.raises(LabError, match="no arm to run"):
        load_lab(TINY).arm_configs("quick", [])


def test_unwritable_out_is_found_before_training(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert _cli(["lab", TINY, "--out", str(blocker / "sub")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"tutor lab: --out {blocker / 'sub'}: cannot write there")
    assert _no_runs_recorded()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="permissions")
def test_read_only_out_is_refused(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(LabError, match="cannot write there"):
            outdir.prepare(ro)
    finally:
        ro.chmod(0o700)


def _writer(status: str, pngs: list[str]):
    def write(folder: Path) -> list[Path]:
        files = [folder / "result.json"]
        files[0].write_text(json.dumps({"status": status}))
        for name in pngs:
            (folder / name).write_bytes(b"png")
            files.append(folder / name)
        return files
    return write


def test_new_finished_run_replaces_the_previous_outputs_whole(tmp_path):
    out = tmp_path / "out"
    outdir.publish(out, _writer("finished", ["curves.png", "confusion-a.png"]))
    (out / "notes.txt").write_text("mine")
    files = outdir.publish(out, _writer("finished", ["curves.png"]))
    assert _names(out) == ["curves.png", "notes.txt", "result.json"]  # no stale PNG
    assert [p.name for p in files] == ["result.json", "curves.png"]


def test_cancelled_run_keeps_a_finished_result(tmp_path):
    out = tmp_path / "out"
    outdir.publish(out, _writer("finished", ["curves.png"]))
    files = outdir.publish(out, _writer("cancelled", []), cancelled=True)
    assert json.loads((out / "result.json").read_text())["status"] == "finished"
    assert (out / "curves.png").exists()
    assert files == [out / "result.cancelled.json"]
    outdir.publish(out, _writer("finished", []))  # the next finished run clears the cancelled one too
    assert _names(out) == ["result.json"]


def _names(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if not p.name.startswith("."))


def test_a_folder_without_a_result_keeps_its_pngs(tmp_path):
    (tmp_path / "photo.png").write_bytes(b"mine")
    outdir.publish(tmp_path, _writer("finished", ["curves.png"]))
    assert (tmp_path / "photo.png").read_bytes() == b"mine"
    outdir.publish(tmp_path, _writer("finished", ["accuracy.png"]))  # only what a run published is ever removed
    assert _names(tmp_path) == ["accuracy.png", "photo.png", "result.json"]


def test_someone_elses_result_and_photos_are_refused_and_kept(tmp_path):
    (tmp_path / "result.json").write_text('{"mine": true}')
    (tmp_path / "photo.png").write_bytes(b"mine")
    with pytest.raises(LabError, match="not a tutor run"):
        outdir.prepare(tmp_path)
    with pytest.raises(LabError):
        outdir.publish(tmp_path, _writer("finished", ["curves.png"]))
    assert _names(tmp_path) == ["photo.png", "result.json"]
    assert (tmp_path / "result.json").read_text() == '{"mine": true}'


def test_interrupted_writing_leaves_the_previous_run_whole(tmp_path):
    outdir.publish(tmp_path, _writer("finished", ["curves.png"]))

    def broken(folder: Path) -> list[Path]:
        (folder / "result.json").write_text("{}")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        outdir.publish(tmp_path, broken)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tutor-run", "curves.png", "result.json"]  # no staging left


def test_closing_a_run_into_a_finished_folder_keeps_its_result(tmp_path):
    pytest.importorskip("torch")
    from tutor.lab.runner import run_lab
    from tutor.lab.spec.lab import load_lab

    outdir.publish(tmp_path, _writer("finished", ["curves.png"]))
    gen = run_lab(load_lab(TINY), out=tmp_path)
    assert next(gen).kind == "lab_started"
    assert next(gen).kind == "stage"  # loading the backbone
    gen.close()  # cancelled before any training
    assert json.loads((tmp_path / "result.json").read_text())["status"] == "finished"
    assert json.loads((tmp_path / "result.cancelled.json").read_text())["status"] == "cancelled"


def test_help_texts_promise_no_fixed_time(capsys):
    with pytest.raises(SystemExit):
        _cli(["lab", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "minute" not in out and "fewer seeds" in out and "more seeds and epochs" in out


# ---------------------------------------------------------------- file text on the terminal (issue 12, 13)

HOSTILE = "Evil \\e[5;31mblink\\e]0;pwned\\a [bold]x[/bold]"


def _hostile_lab(folder: Path) -> Path:
    text = (Path(TINY).read_text(encoding="utf-8")
            .replace('title: {en: "Tiny lab: more images help"', f'title: {{en: "{HOSTILE}"')
            .replace('label: "2 images per class"', f'label: "{HOSTILE}"')
            .replace('says: "the second arm sees more images"', f'says: "{HOSTILE}"'))
    path = folder / "tiny-lab.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_labs_listing_escapes_file_text(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TUTOR_LABS", str(tmp_path / "none"))
    _hostile_lab(tmp_path)
    assert _cli(["labs", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\\x1b" in out


def test_labs_listing_in_korean(capsys):
    assert _cli(["labs", "--lang", "ko"]) == 0
    out = capsys.readouterr().out
    for word in ("실습", "비교 방법", "검증 내용", "마지막 결과", "실행한 적 없음", "실행: tutor lab"):
        assert word in out
    assert "never run" not in out and "what it tests" not in out


def test_report_escapes_lab_text(tmp_path):
    import io

    from rich.console import Console

    from tutor.lab import events
    from tutor.lab.report.console import ConsoleReport, claim_lines
    from tutor.lab.spec.lab import load_lab

    lab = load_lab(_hostile_lab(tmp_path))
    buf = io.StringIO()
    report = ConsoleReport(Console(file=buf, width=120), look_at=HOSTILE.replace("\\e", "\x1b"), lab=lab)
    report.handle(events.LabStarted(lab=lab.id, title=lab.title(), profile="quick", device="cpu", seeds=[0, 1],
                                    arms={n: "" for n in lab.arm_names}, epochs={n: 1 for n in lab.arm_names}, out=None))
    report.stop()
    from tutor.lab.result import ClaimOutcome, LabResult

    claim = lab.claims[0]
    lines = claim_lines(LabResult(lab=lab.id, claims=[ClaimOutcome(text=claim.text, says=claim.says, holds=True)]))
    Console(file=buf, width=120).print("\n".join(lines[:2]))
    out = buf.getvalue()
    assert "\x1b" not in out and "\x07" not in out
    assert out.count("\\x1b[5;31mblink") == 3 and "[bold]x[/bold]" in out  # title, arm label, claim's words


def test_a_non_lab_file_is_not_echoed(tmp_path, capsys):
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$secrethash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n")
    assert _cli(["lab", str(secret)]) == 1
    err = capsys.readouterr().err
    assert "secrethash" not in err and "daemon" not in err
    assert err.strip().splitlines() == [f"{secret}:1: not a lab file (none of id, title, summary, dataset, arms, claims)"]
