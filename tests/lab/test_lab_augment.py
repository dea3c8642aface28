"""The augmentation names of a lab file: noise, cutout, random erasing (per image) and mixup / cutmix (per
batch, soft labels), built in tutor/lab/kinds/augmentation.py from torchvision.transforms.v2."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch.nn import functional as F  # noqa: E402

from tutor.lab.kinds import ArmConfig, augmentation  # noqa: E402
from tutor.lab.kinds.augmentation import AUGMENTATIONS  # noqa: E402


def _cfg(*augment) -> ArmConfig:
    return ArmConfig.model_validate({"augment": list(augment)})


def test_new_names_validate_with_defaults():
    for name in ("noise", "cutout", "erasing", "mixup", "cutmix"):
        assert name in AUGMENTATIONS
    cfg = _cfg("noise", "cutout", "erasing", "mixup", "cutmix")
    assert cfg.augment == [("noise", 0.05), ("cutout", 0.25), ("erasing", 0.5), ("mixup", 1.0), ("cutmix", 1.0)]
    assert _cfg({"noise": 0.2}, {"cutout": 0.5}).augment == [("noise", 0.2), ("cutout", 0.5)]
    for bad in ({"cutout": 1.5}, {"erasing": 2}, {"mixup": 0}, {"noise": -0.1}, "blur"):
        with pytest.raises(Exception):
            _cfg(bad)


def test_per_image_augment_skips_batch_mixers():
    assert augmentation.make_augment(_cfg("mixup", "cutmix"), 16) is None  # nothing per image to do
    aug = augmentation.make_augment(_cfg("noise", "mixup"), 16)
    assert aug is not None
    torch.manual_seed(0)
    x = torch.full((4, 1, 16, 16), 0.5)
    out = aug(x)
    assert out.shape == x.shape
    assert 0.03 < float((out - x).std()) < 0.07  # default sd 0.05
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0


def test_cutout_erases_one_fixed_square_at_the_mean():
    torch.manual_seed(1)
    img = torch.rand(1, 32, 32)
    for _ in range(20):
        out = augmentation.cutout(img, 0.25)
        changed = (out != img)[0]
        rows, cols = changed.any(1).nonzero(), changed.any(0).nonzero()
        assert len(rows) <= 8 and len(cols) <= 8  # side 0.25 x 32 = 8 px, clipped at the border
        assert torch.allclose(out[0][changed], img.mean().expand(int(changed.sum())))
    centred = None
    for _ in range(200):  # somewhere inside: exactly an 8 x 8 square
        out = augmentation.cutout(img, 0.25)
        if int((out != img).sum()) == 64:
            centred = out
            break
    assert centred is not None


def test_random_erasing_probability():
    aug = augmentation.make_augment(_cfg({"erasing": 1.0}), 16)
    torch.manual_seed(0)
    x = torch.full((8, 1, 16, 16), 0.5)
    out = aug(x)
    assert all(bool((out[i] != x[i]).any()) for i in range(8))  # p = 1: every image has an erased patch
    none = augmentation.make_augment(_cfg({"erasing": 0.0}), 16)
    assert torch.equal(none(x), x)


@pytest.mark.parametrize("name", ["mixup", "cutmix"])
def test_mix_gives_soft_labels_of_two_classes(name):
    torch.manual_seed(0)
    mix = augmentation.make_batch_mix(_cfg(name), num_classes=3)
    x = torch.cat([torch.zeros(4, 1, 16, 16), torch.ones(4, 1, 16, 16)])
    y = torch.tensor([0, 0, 0, 0, 2, 2, 2, 2])
    xm, ym = mix(x, y)
    assert xm.shape == x.shape and ym.shape == (8, 3)
    assert torch.allclose(ym.sum(1), torch.ones(8))  # each row is a probability distribution
    assert torch.all(ym[:, 1] == 0)  # only the two classes present can be mixed in
    # labels mix in the images' proportion: pixel mean of image i = share of class 2 in its label
    assert torch.allclose(xm.mean(dim=(1, 2, 3)), ym[:, 2], atol=1e-5)
    # the batch is paired with itself rolled by one, so some image really is a mix of the two classes
    assert bool(((ym[:, 0] > 0) & (ym[:, 2] > 0)).any())


def test_both_mixers_and_soft_target_loss():
    torch.manual_seed(0)
    mix = augmentation.make_batch_mix(_cfg("mixup", "cutmix"), num_classes=2)
    assert augmentation.make_batch_mix(_cfg("hflip"), num_classes=2) is None
    x, y = torch.rand(6, 1, 8, 8), torch.tensor([0, 1, 0, 1, 1, 0])
    xm, ym = mix(x, y)
    logits = torch.randn(6, 2, requires_grad=True)
    loss = F.cross_entropy(logits, ym)  # soft targets: what the training loop feeds the loss
    loss.backward()
    expected = -(ym * logits.detach().log_softmax(1)).sum(1).mean()
    assert torch.isclose(loss.detach(), expected)


def test_rotate180_erase_and_crop_keep():
    """The transforms the augmentation labs name one by one: 180-degree turns (a 6 becomes a 9), erasing
    exactly a share of the image, and crops that keep exactly a share of it."""
    assert _cfg("rotate180", "erase", "crop_keep").augment == [("rotate180", 0.5), ("erase", 0.5), ("crop_keep", 0.4)]
    for bad in ({"erase": 1.0}, {"erase": 0}, {"rotate180": 2}, {"crop_keep": 1.5}):
        with pytest.raises(Exception):
            _cfg(bad)
    img = torch.arange(16.0).reshape(1, 1, 4, 4)
    turned = augmentation.make_augment(_cfg({"rotate180": 1.0}), 4)(img)
    assert torch.equal(turned[0, 0], img[0, 0].flip(0).flip(1))
    torch.manual_seed(0)
    erased = augmentation.make_augment(_cfg({"erase": 0.5}), 32)(torch.zeros(16, 1, 32, 32))
    shares = [float((e != 0).float().mean()) for e in erased]
    assert sum(0.4 < s < 0.6 for s in shares) >= 12  # half the area (a few noise pixels may be 0; a rare miss)
    cropped = augmentation.make_augment(_cfg({"crop_keep": 0.25}), 8)(torch.arange(64.0).reshape(1, 1, 8, 8))
    assert cropped.shape == (1, 1, 8, 8)
