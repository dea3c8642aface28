"""Backbones: shapes, freezing by stages, the shipped checkpoint, weights=FILE, and offline errors."""

import urllib.error

import pytest
import torch

from tutor.lab.errors import BackboneUnavailable, LabError
from tutor.lab.models import backbones
from tutor.lab.models.backbones import load_backbone


@pytest.mark.parametrize("name,dim", [("tutornet", 128), ("resnet18", 512), ("mobilenet_v3_small", 1024)])
def test_forward_shapes_random_init(name, dim):
    torch.manual_seed(0)
    net, head = load_backbone(name, pretrained=False)
    assert head is None and net.feature_dim == dim and len(net.stages) == 5
    out = net(torch.rand(3, 1, 64, 64))
    assert out.shape == (3, dim) and torch.isfinite(out).all()
    assert name in backbones.BACKBONES


def test_tutornet_size_and_channels_last():
    net, _ = load_backbone("tutornet", pretrained=False)
    assert 250_000 < net.num_parameters() < 400_000
    assert net.stages[1].conv1.weight.is_contiguous(memory_format=torch.channels_last)


def test_freezing_by_stages():
    net, _ = load_backbone("tutornet", pretrained=False)
    total = net.num_parameters()
    assert net.freeze().num_parameters(trainable_only=True) == 0
    top = net.set_trainable(1).num_parameters(trainable_only=True)
    assert top == sum(p.numel() for p in net.stages[-1].parameters()) and 0 < top < total
    net.train()
    assert [s.training for s in net.stages] == [False, False, False, False, True]  # frozen BN statistics stay put
    assert net.unfreeze().num_parameters(trainable_only=True) == total
    assert all(s.training for s in net.stages)
    with pytest.raises(LabError):
        net.set_trainable(9)
    # gradients only reach the unfrozen stage
    net.set_trainable(1)
    net(torch.rand(4, 1, 64, 64)).sum().backward()
    assert net.stages[0][0].weight.grad is None and net.stages[-1].conv1.weight.grad is not None


def test_frozen_backbone_keeps_batchnorm_statistics():
    net, _ = load_backbone("tutornet", pretrained=False)
    net.freeze().train()
    before = net.stages[0][1].running_mean.clone()
    net(torch.rand(8, 1, 64, 64) * 5)
    assert torch.equal(before, net.stages[0][1].running_mean)


def test_shipped_checkpoint_loads():
    if not backbones.TUTORNET_CHECKPOINT.is_file():
        pytest.skip("tutornet.pt not built yet (tutor pretrain)")
    assert backbones.TUTORNET_CHECKPOINT.stat().st_size <= 10 * 1024 * 1024
    net, head = load_backbone("tutornet")
    ckpt = backbones.read_checkpoint(backbones.TUTORNET_CHECKPOINT)
    assert head is not None and head.out_features == len(ckpt["classes"]) == 100
    assert ckpt["source_accuracy"] >= 0.95
    assert net.mean == tuple(ckpt["mean"]) and net.training is False
    out = head(net(torch.rand(2, 1, 64, 64)))
    assert out.shape == (2, 100)
    random_net, no_head = load_backbone("tutornet", pretrained=False)
    assert no_head is None and random_net.mean == net.mean and random_net.std == net.std  # differs in weights only
    assert not torch.equal(random_net.stages[1].conv1.weight, net.stages[1].conv1.weight)
    card = backbones.WEIGHTS_DIR / "MODEL_CARD.md"
    import hashlib

    assert hashlib.sha256(backbones.TUTORNET_CHECKPOINT.read_bytes()).hexdigest() in card.read_text()


def test_missing_checkpoint_is_one_clear_line(monkeypatch, tmp_path):
    monkeypatch.setattr(backbones, "TUTORNET_CHECKPOINT", tmp_path / "tutornet.pt")
    with pytest.raises(BackboneUnavailable, match="tutor pretrain") as info:
        load_backbone("tutornet")
    assert "\n" not in str(info.value)
    net, head = load_backbone("tutornet", pretrained=False)  # random init needs no file
    assert head is None
    bad = tmp_path / "bad.pt"
    torch.save({"format": "something else"}, bad)
    with pytest.raises(BackboneUnavailable, match="not a tutornet checkpoint"):
        load_backbone("tutornet", weights=bad)


@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v3_small"])
def test_torchvision_weights_from_file(tmp_path, name):
    import torchvision

    torch.manual_seed(1)
    model = torchvision.models.get_model(name, weights=None)
    path = tmp_path / f"{name}.pth"
    torch.save(model.state_dict(), path)
    net, head = load_backbone(name, weights=path)
    first = next(iter(model.state_dict()))  # e.g. conv1.weight / features.0.0.weight
    got = net.stages[0][0].weight if name == "resnet18" else net.stages[0][0][0].weight
    assert torch.equal(got, model.state_dict()[first])
    assert head is not None and head.out_features == 1000
    if name == "resnet18":
        assert torch.equal(head.weight, model.fc.weight)
    # grayscale input is repeated to 3 channels
    assert net(torch.rand(2, 1, 64, 64)).shape == (2, net.feature_dim)
    wrapped = tmp_path / "wrapped.pth"
    torch.save({"state_dict": model.state_dict()}, wrapped)
    assert load_backbone(name, weights=wrapped)[1] is not None


def test_weights_file_errors(tmp_path):
    with pytest.raises(BackboneUnavailable, match="does not exist"):
        load_backbone("resnet18", weights=tmp_path / "nope.pth")
    wrong = tmp_path / "wrong.pth"
    torch.save({"fc.weight": torch.zeros(3, 3)}, wrong)
    with pytest.raises(BackboneUnavailable, match="do not fit"):
        load_backbone("resnet18", weights=wrong)
    with pytest.raises(LabError, match="unknown backbone"):
        load_backbone("vgg99")


@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v3_small"])
def test_imagenet_weights_offline_is_one_clear_line(monkeypatch, tmp_path, name):
    calls = []

    def offline(url, dst, *args, **kwargs):
        calls.append(url)
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))  # nothing cached
    monkeypatch.setattr(torch.hub, "download_url_to_file", offline)
    with pytest.raises(BackboneUnavailable) as info:
        load_backbone(name)
    message = str(info.value)
    assert calls and calls[0].startswith("https://download.pytorch.org/")
    assert "\n" not in message and "--weights FILE" in message and name in message
