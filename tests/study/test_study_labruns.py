"""Lab runs in the progress store: the schema step that adds them, recording a result.json, the last
finished run per lab (cancelled runs never count), the learner's prediction, and `tutor labs`."""

from __future__ import annotations

import sqlite3

import pytest
from support.labresult import LAB, result

from tutor.study import labruns
from tutor.study.store import MIGRATIONS, SCHEMA_VERSION, Store, migrate


def test_a_version_2_store_is_upgraded_and_keeps_its_data(tmp_path):
    path = tmp_path / "v2.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[:2])  # what the release before lab runs wrote
    conn.execute("INSERT INTO attempts (question_id, chosen, correct, mode, seconds, answered_at) VALUES ('q', '[\"A\"]', 1, 'practice', 1.0, '2026-01-01T00:00:00.000000+00:00')")
    conn.close()
    with Store(path) as store:
        assert store.found_version == 2 and store.version == SCHEMA_VERSION >= 3
        assert [a.question_id for a in store.attempts()] == ["q"]
        assert labruns.runs(store) == []
        labruns.record_run(store, result())
        assert len(labruns.runs(store)) == 1


def test_record_and_query_a_finished_run(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        run_id = labruns.record_run(store, result(), duration_s=12.5, out_dir="/tmp/out", question_id="q1",
                                    predicted_arm="many", predicted_verdict="inconclusive")
        run = labruns.last_run(store, "tiny-lab")
        assert run is not None and run.id == run_id
        assert (run.profile, run.status, run.verdict, run.seeds, run.device) == ("quick", "finished", "reproduced", [0, 1], "cpu")
        assert run.spec_hash == labruns.spec_hash(LAB) and len(run.spec_hash) == 64
        assert run.versions["torch"] == "2.14.1" and run.metrics["many"]["val_acc"]["mean"] == 0.75
        assert run.claims[0]["holds"] is True and run.duration_s == 12.5 and run.out_dir == "/tmp/out"
        assert (run.question_id, run.predicted_arm, run.arm_matched) == ("q1", "many", True)
        assert (run.predicted_verdict, run.verdict_matched) == ("inconclusive", False)
        assert run.best_arm == "many" and run.host == labruns.host()
        assert run.finished_at.isoformat() == "2026-11-23T23:19:49+00:00"


def test_cancelled_runs_are_kept_but_never_the_last_finished_one(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        first = labruns.record_run(store, result())
        labruns.record_run(store, result(status="cancelled", verdict="cancelled", finished_at="2026-11-24T10:00:00+00:00"),
                           predicted_arm="few")
        # a partial result that still says "finished" somewhere else is stored by its status only
        assert labruns.last_run(store, "tiny-lab").id == first
        assert labruns.last_runs(store)["tiny-lab"].id == first
        cancelled = labruns.runs(store)[-1]
        assert (cancelled.status, cancelled.verdict, cancelled.arm_matched) == ("cancelled", "cancelled", None)
        assert labruns.timed_run(store, "tiny-lab", "quick").id == first
        assert labruns.timed_run(store, "tiny-lab", "full") is None


def test_only_cancelled_runs_means_no_last_result(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        labruns.record_run(store, result(status="cancelled"))  # verdict says reproduced: still cancelled
        assert labruns.last_run(store, "tiny-lab") is None and labruns.last_runs(store) == {}
        assert labruns.runs(store)[0].verdict == "cancelled"


def test_last_run_per_lab_and_profile(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        labruns.record_run(store, result())
        later = labruns.record_run(store, result(profile="full", verdict="inconclusive", finished_at="2026-11-25T00:00:00+00:00"))
        other = labruns.record_run(store, result(lab="other-lab"))
        assert labruns.last_run(store, "tiny-lab").id == later
        assert labruns.last_run(store, "tiny-lab", profile="quick").verdict == "reproduced"
        assert {k: r.id for k, r in labruns.last_runs(store).items()} == {"tiny-lab": later, "other-lab": other}
        assert labruns.last_run(store, "tiny-lab", host_name="another-machine") is None


def test_prediction_outcome_needs_a_finished_run():
    assert labruns.prediction_outcome(result(), "many", "reproduced") == (True, True)
    assert labruns.prediction_outcome(result(), None, "contradicted") == (None, False)
    assert labruns.prediction_outcome(result(status="cancelled"), "many", "reproduced") == (None, None)


def test_a_missing_lab_file_falls_back_to_the_result_digest(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        labruns.record_run(store, result(lab_file=str(tmp_path / "gone.yaml")))
        assert labruns.runs(store)[0].spec_hash == "abc"


def test_cli_labs_shows_last_verdict_or_never_run(tutor_home, capsys):
    from tutor.cli import main

    with Store() as store:
        labruns.record_run(store, result(lab="output-layer", verdict="inconclusive"))
        labruns.record_run(store, result(lab="underfitting", status="cancelled"))
    assert main(["labs"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert "inconclusive 2026-11-2" in lines["output-layer"]
    assert "never run" in lines["underfitting"]


@pytest.mark.slow
def test_cli_lab_records_a_finished_run(tutor_home, tmp_path, capsys):
    from tutor.cli import main

    assert main(["lab", str(LAB), "--out", str(tmp_path / "run")]) == 0
    with Store() as store:
        [run] = labruns.runs(store)
    assert (run.lab_id, run.status, run.out_dir) == ("tiny-lab", "finished", str(tmp_path / "run"))
    assert run.spec_hash == labruns.spec_hash(LAB) and run.duration_s > 0
    assert main(["lab", str(LAB), "--no-record", "--out", str(tmp_path / "run2")]) == 0
    with Store() as store:
        assert len(labruns.runs(store)) == 1


def test_a_typed_result_is_recorded_and_a_cancelled_run_never_counts_as_finished(tmp_path):
    from tutor.lab.result import LabResult, ResultError

    typed = LabResult.from_json(result())
    record = labruns.run_record(typed, duration_s=3.0)
    assert record.metrics == typed.to_json()["arms"] and record.claims[0]["text"] == typed.claims[0].text
    assert record.status == "finished" and record.verdict == "reproduced"
    stopped = labruns.run_record(typed, cancelled=True, predicted_verdict="reproduced")
    assert (stopped.status, stopped.verdict, stopped.verdict_matched) == ("cancelled", "cancelled", None)
    with pytest.raises(ResultError):
        labruns.run_record({"no": "lab"})


def test_a_run_with_a_metric_an_arm_lacks_is_read_back_not_skipped_as_damaged(tmp_path):
    # a prototype arm has no loss: its mean is NaN in result.json (few-shot); such runs once read as damaged rows
    nan = float("nan")
    arms = {"few": {"val_acc": {"mean": 0.35, "sd": 0.1, "per_seed": [0.28, 0.43]},
                    "val_loss": {"mean": nan, "sd": nan, "per_seed": [nan, nan]}},
            "many": {"val_acc": {"mean": 0.75, "sd": 0.0, "per_seed": [0.75, 0.75]}}}
    with Store(tmp_path / "s.sqlite3") as store:
        labruns.record_run(store, result(arms=arms))
        run = labruns.last_run(store, "tiny-lab")
        assert run is not None and not store.damaged
        assert run.metrics["few"]["val_loss"]["mean"] is None and run.best_arm == "many"
