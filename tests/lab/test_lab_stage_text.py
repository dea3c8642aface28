"""The lab's progress lines reach the learner in their language: a stage carries its msgid and values
through the child process's JSON lines, and is translated where it is shown."""

from __future__ import annotations

from tutor.i18n.messages import MESSAGES
from tutor.lab.events import Stage, from_json
from tutor.lab.report.units import margin_text


def test_a_stage_line_is_translated_after_its_json_round_trip():
    sent = Stage.of("activations of the {frozen} frozen lower stages over {n} {name} images", frozen=4, n=2624, name="elpv")
    got = from_json(sent.to_json())
    assert got.text == "activations of the 4 frozen lower stages over 2624 elpv images"  # --json readers keep English
    assert got.shown("en") == got.text
    korean = got.shown("ko")
    assert "2624" in korean and "elpv" in korean and "activations" not in korean


def test_a_plain_stage_shows_its_text():
    assert Stage(text="custom line").shown("ko") == "custom line"


def test_points_read_as_percentage_points_in_korean():
    from tutor.lab.result import ClaimOutcome, Margin, Numbers, Side

    claim = ClaimOutcome(text="a.val_acc > b.val_acc", numbers=Numbers(
        left=Side(mean=0.80), right=Side(mean=0.75), margin=Margin(mean=0.05, lower=0.01, per_seed=[0.04, 0.06]), seeds=2))
    assert margin_text(claim)["mean"] == "+5.0 pts"
    assert margin_text(claim, "ko")["mean"] == "+5.0%p"


def test_every_result_column_has_a_heading_message():
    from tutor.lab.report.units import COLUMN_NAMES, column_name

    for metric in COLUMN_NAMES:
        assert f"lab.col.{metric}" in MESSAGES, metric
        assert MESSAGES[f"lab.col.{metric}"].singular == column_name(metric)
    assert MESSAGES["lab.col.images_seen"].singular == column_name("images_seen")
