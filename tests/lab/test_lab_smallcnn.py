"""`model: cnn`: a small CNN from scratch whose max pools sit right after the first convolution or after the last
(tutor/lab/models/smallcnn.py, tutor/lab/kinds/plain.py): same weights, settings refused at their line."""

from __future__ import annotations

import textwrap

import pytest

from tutor.lab.kinds import ArmConfig
from tutor.lab.spec import SpecError, loads_lab

LAB = textwrap.dedent(
    """\
    id: tiny-cnn
    title: Tiny CNN lab
    summary: early vs late max pooling on digits at 16 px
    dataset: {name: digits, size: 16, val: 60, test: 60}
    profiles: {quick: {seeds: 2}}
    defaults: {model: cnn, channels: [4, 4, 8], epochs: 2, lr: 0.01, batch_size: 32, per_class: 5}
    arms:
      early: {downsample: early}
      late: {downsample: late, norm: batch}
    claims:
      - late.val_acc > early.val_acc - 1
    """
)


def errors(text: str) -> list[str]:
    with pytest.raises(SpecError) as info:
        loads_lab(text, "lab.yaml")
    return [str(p) for p in info.value.problems]


def test_cnn_settings_layer_and_describe_where_the_pools_are():
    arms = loads_lab(LAB, "lab.yaml").arm_configs("quick")
    assert arms["early"].downsample == "early" and arms["late"].channels == [4, 4, 8] and arms["late"].max_pools == 4
    assert "right after the first convolution" in arms["early"].described()
    text = arms["late"].described()
    assert "after the last convolution" in text and "4-8 channels" in text and "16-fold" in text and "batch norm" in text
    assert ArmConfig().model == "backbone"  # backbone arms unchanged


@pytest.mark.parametrize(("old", "new", "line", "words"), [
    ("early: {downsample: early}", "early: {downsample: early, depth: 3}", 8, "depth: settings of a plain net"),
    ("early: {downsample: early}", "early: {downsample: early, hidden: [64]}", 8, "hidden: settings of the backbone"),
    ("early: {downsample: early}", "early: {downsample: early, norm: layer}", 8, "a CNN takes norm: none or batch"),
    ("early: {downsample: early}", "early: {downsample: early, max_pools: 5}", 8, "max_pools: 5 halves a 16 px image"),
    ("early: {downsample: early}", "early: {model: plain, downsample: early}", 8, "downsample: settings of a small CNN"),
    ("early: {downsample: early}", "early: {downsample: first}", 8, "downsample"),
    ("channels: [4, 4, 8]", "channels: [4]", 6, "channels"),
])
def test_bad_cnn_settings_are_refused_at_their_line(old, new, line, words):
    (msg,) = errors(LAB.replace(old, new))
    assert msg.startswith(f"lab.yaml:{line}:") and words in msg


def test_early_and_late_have_the_same_weights_and_shapes():
    torch = pytest.importorskip("torch")
    from tutor.lab.models import smallcnn

    cfg = {"model": "cnn", "channels": [4, 6, 8]}
    early = smallcnn.build(ArmConfig.model_validate({**cfg, "downsample": "early"}), 10)
    late = smallcnn.build(ArmConfig.model_validate({**cfg, "downsample": "late"}), 10)
    count = lambda net: sum(p.numel() for p in net.parameters())  # noqa: E731
    assert count(early) == count(late) == (9 * 4 + 4) + (4 * 9 * 6 + 6) + (6 * 9 * 8 + 8) + (8 * 10 + 10)
    x = torch.rand(3, 1, 16, 16)
    assert early(x).shape == late(x).shape == (3, 10)
    pools = [i for i, m in enumerate(early.features) if isinstance(m, torch.nn.MaxPool2d)]
    assert pools == [2, 3, 4, 5]  # right after conv1 and its activation
    assert [type(m).__name__ for m in late.features][-4:] == ["MaxPool2d"] * 4
    trace = []
    late.features[1].register_forward_hook(lambda _m, _i, out: trace.append(out.shape[-1]))
    early.features[-1].register_forward_hook(lambda _m, _i, out: trace.append(out.shape[-1]))
    late(x), early(x)
    assert trace == [16, 1]  # late: the first convolution at full size; early: the last at 16 / 16


def test_a_cnn_lab_runs_end_to_end(tmp_path):
    pytest.importorskip("torch")
    from tutor.lab.runner import run_lab

    final = list(run_lab(loads_lab(LAB, "tiny-cnn.yaml"), out=tmp_path))[-1]
    assert final.kind == "lab_finished"
    arms = final.result.to_json()["arms"]
    assert arms["early"]["params"]["mean"] == arms["late"]["params"]["mean"] - (4 + 4 + 8)  # BN: scale + shift, no conv bias
    assert 0.0 <= arms["late"]["val_acc"]["mean"] <= 1.0 and "diverged" in arms["early"]
