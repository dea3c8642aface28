"""The lab page's session without the page: the prediction checked against the outcome, a cancelled run
stored as cancelled, the claims a stored run did not show, and how many seeds would show them."""

from __future__ import annotations

from support.labresult import LAB, result

from tutor.lab.result import LabResult
from tutor.lab.spec.lab import load_lab
from tutor.study import labruns
from tutor.study.labsession import MAX_SEEDS, LabSession
from tutor.study.store import Store

SPREAD = {"text": "many.val_acc > few.val_acc", "says": {"en": "more images win", "ko": "이미지가 많을수록 이긴다"},
          "holds": False, "opposite_holds": False,
          "numbers": {"margin": {"mean": 0.02, "sd": 0.04, "lower": -0.01, "per_seed": [0.01, 0.03]},
                      "min_effect": 0.01, "seeds": 2, "seeds_to_show": 12}}


def session(store) -> LabSession:
    return LabSession(store, load_lab(LAB), LAB, question_id="q1")


def test_the_prediction_is_stored_and_checked_against_the_outcome(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        s = session(store)
        s.predict("few", "reproduced")
        s.begin("quick", now=0.0)
        outcome = LabResult.from_json(result())
        assert s.record(outcome, True, "/tmp/out", now=5.0) is not None
        [run] = labruns.runs(store)
        assert (run.predicted_arm, run.arm_matched, run.predicted_verdict, run.verdict_matched) == ("few", False, "reproduced", True)
        assert run.question_id == "q1" and run.duration_s == 5.0
        assert s.guesses(outcome) == [("arm", "few", False, "many"), ("verdict", "reproduced", True, "reproduced")]


def test_a_run_that_did_not_finish_is_stored_as_cancelled(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        s = session(store)
        s.begin("quick", now=0.0)
        s.record(LabResult.from_json(result()), False, None, now=1.0)
        assert [r.status for r in labruns.runs(store)] == ["cancelled"] and s.last_run() is None


def test_the_last_run_names_the_claims_it_did_not_show(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        labruns.record_run(store, result(claims=[SPREAD, {**SPREAD, "holds": True, "text": "many.val_acc > 0"}]))
        s = session(store)
        [missed] = s.not_shown(s.last_run())
        assert missed.says_in("ko") == "이미지가 많을수록 이긴다" and missed.why_not_shown() == "spread"


def test_more_seeds_when_the_seeds_spread_capped(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        s = session(store)
        assert s.more_seeds(LabResult.from_json(result(claims=[SPREAD]))) == 12
        many = {**SPREAD, "numbers": {**SPREAD["numbers"], "seeds_to_show": 500}}
        assert s.more_seeds(LabResult.from_json(result(claims=[many]))) == MAX_SEEDS
        small = {**SPREAD, "numbers": {**SPREAD["numbers"], "seeds_to_show": None}}  # too small an effect: seeds won't help
        assert s.more_seeds(LabResult.from_json(result(claims=[small]))) is None
        assert s.more_seeds(LabResult.from_json(result())) is None
