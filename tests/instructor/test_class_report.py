"""`tutor class report` on a simulated class with known item parameters (2PL IRT, fixed seeds): facility and
discrimination track the truth with honest intervals, dead distractors are flagged, each flagged question
is named at its file and line, and hostile statements give one line each and change nothing."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.stats import spearmanr

from tutor.bank.loader import load_bank
from tutor.classreport.report import build
from tutor.classreport.responses import from_files
from tutor.cli import main


@pytest.fixture(scope="module")
def report(simulated_class):
    path, bank_dir, truth, _ = simulated_class
    bank = load_bank([bank_dir])
    assert not bank.problems
    gathered = from_files([path], bank)
    assert not gathered.problems and len(gathered.answers) == 300 * 65
    return build(gathered.answers, bank), truth


def test_facility_and_discrimination_track_the_truth(report):
    rep, truth = report
    fac = np.array([i.facility for i in rep.items])
    disc = np.array([i.discrimination for i in rep.items])
    assert np.abs(fac - truth.facility).mean() < 0.04
    assert np.abs(disc - truth.item_rest).mean() < 0.08
    covered_f = np.mean([i.facility_ci[0] <= t <= i.facility_ci[1] for i, t in zip(rep.items, truth.facility)])
    covered_d = np.mean([i.discrimination_ci[0] <= t <= i.discrimination_ci[1] for i, t in zip(rep.items, truth.item_rest)])
    assert covered_f >= 0.85 and covered_d >= 0.85  # 95 % intervals: about 62 of 65 by design
    assert spearmanr(disc, truth.a).statistic > 0.75  # item-rest follows the IRT discrimination
    assert 0.85 < rep.alpha["value"] < 0.95 and rep.alpha["method"] == "complete"
    assert rep.alpha["ci"][0] < rep.alpha["value"] < rep.alpha["ci"][1]


def test_dead_distractors_are_flagged_and_low_discrimination_items_are_dubious(report):
    rep, truth = report
    by_id = {i.question: i for i in rep.items}
    for q, key in truth.dead.items():
        option = next(o for o in by_id[q].options if o.key == key)
        assert option.share == 0 and "non-functioning" in option.flags
    weak = [q for q, a in zip(truth.questions, truth.a) if a < 0.4 and 0.25 < truth.facility[truth.questions.index(q)] < 0.85]
    assert weak and sum("low discrimination" in by_id[q].flags for q in weak) >= 0.7 * len(weak)
    assert all(not o.flags for i in rep.items for o in i.options if o.correct)


def test_cli_json_png_and_where_to_fix(simulated_class, tmp_path, capsys):
    path, bank_dir, truth, _ = simulated_class
    out = tmp_path / "out"
    assert main(["class", "report", str(path), "--bank", str(bank_dir), "--json", "--out", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"items", "misconceptions", "alpha"} <= data.keys() and len(data["items"]) == 65
    item = data["items"][0]
    assert {"question", "n", "facility", "discrimination", "facility_ci", "discrimination_ci", "options", "flags"} <= item.keys()
    assert {"key", "share", "flags"} <= item["options"][0].keys()
    assert data["misconceptions"] and {"id", "share", "share_ci", "holders"} <= data["misconceptions"][0].keys()
    assert (out / "items.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and json.loads((out / "report.json").read_text())["items"]
    assert main(["class", "report", str(path), "--bank", str(bank_dir)]) == 0
    text = capsys.readouterr().out
    flagged = [i for i in data["items"] if any(f not in ("few answers", "discrimination unknown") for f in i["flags"])]
    assert flagged
    for i in flagged:
        assert f"{i['origin']}: {i['question']}:" in text
        assert i["origin"].startswith(str(bank_dir / "questions.yaml") + ":")
    assert "Cronbach's alpha" in text


def test_first_attempts_by_default_all_attempts_on_request(simulated_class, tmp_path, capsys):
    path, bank_dir, _, statements = simulated_class
    again = [dict(s, id=s["id"][:-4] + "ffff", timestamp="2026-12-01T00:00:00.000000Z") for s in statements[:65]]
    extra = tmp_path / "again.jsonl"
    extra.write_text("".join(json.dumps(s) + "\n" for s in again))
    main(["class", "report", str(path), str(extra), "--bank", str(bank_dir), "--json"])
    first = json.loads(capsys.readouterr().out)
    main(["class", "report", str(path), str(extra), "--bank", str(bank_dir), "--json", "--all-attempts"])
    every = json.loads(capsys.readouterr().out)
    assert first["answers"] == 300 * 65 and every["answers"] == 300 * 65 + 65
    assert first["first_attempts_only"] and not every["first_attempts_only"]


def test_hostile_statements_in_a_class_file_give_one_line_each(simulated_class, tmp_path, capsys):
    path, bank_dir, _, statements = simulated_class
    good = statements[0]
    lines = [
        "{not json",
        json.dumps({**good, "id": "00000000-0000-4000-8000-000000000001", "verb": {"id": "http://example.com/verbs/liked"}}),
        json.dumps({**good, "id": "00000000-0000-4000-8000-000000000002", "object": {**good["object"], "id": "urn:tutor:question:not-in-bank"}}),
        json.dumps({**good, "id": "00000000-0000-4000-8000-000000000003",
                    "actor": {"objectType": "Agent", "account": {"homePage": "urn:tutor", "name": "\x1b[2J\x1b]0;x\x07"}}}),
        *[json.dumps(s) for s in statements[:130]],
    ]
    bad = tmp_path / "mixed.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    assert main(["class", "report", str(bad), "--bank", str(bank_dir), "--json"]) == 0
    captured = capsys.readouterr()
    problems = [line for line in captured.err.splitlines() if line.startswith(str(bad))]
    assert len(problems) == 4 and "\x1b" not in captured.err + captured.out
    assert json.loads(captured.out)["answers"] == 130
    huge = tmp_path / "huge.jsonl"
    with open(huge, "wb") as f:
        f.write(b"x" * (2 << 20))
        f.truncate(100 * 10**6)
    assert main(["class", "report", str(huge), "--bank", str(bank_dir)]) == 1
    err = capsys.readouterr().err
    assert len([line for line in err.splitlines() if line.startswith(str(huge))]) <= 2


def test_a_timestamp_without_a_zone_is_utc_and_mixes_with_the_others(simulated_class, tmp_path, capsys):
    path, bank_dir, _, statements = simulated_class
    naive = [dict(s, id=s["id"][:-4] + "eeee", timestamp=s["timestamp"].rstrip("Z")) for s in statements[:65]]
    mixed = tmp_path / "mixed.jsonl"  # the same learner's answers again, zone-less: compared with the originals
    mixed.write_text("".join(json.dumps(s) + "\n" for s in naive + statements[:200]))
    assert main(["class", "report", str(mixed), "--bank", str(bank_dir), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["answers"] == 200
