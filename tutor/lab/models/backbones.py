"""Backbones: `tutornet` (pretrained by the project on fractals, shipped) and torchvision ImageNet models.

Every backbone takes grayscale images N x 1 x S x S in [0, 1], normalises them itself
(`Backbone.normalize`, the statistics used in pretraining) and returns globally average-pooled
features N x feature_dim. `stages` are ordered low -> high (stem first) so a lab can freeze all of
them, unfreeze the top k (`set_trainable`), or fine-tune everything. Frozen stages also keep their
batch-norm statistics (they stay in eval mode when the backbone is put in train mode).

Offline first: tutornet's checkpoint ships in the repository (tutor/lab/weights/tutornet.pt, rebuilt by
`tutor pretrain`); ImageNet weights come from the torchvision weights API (torch hub cache, else a
download) or from `weights=FILE` (a state dict), and fail with one clear line (BackboneUnavailable).
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from tutor.lab.errors import BackboneUnavailable, LabError

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"  # tutor/lab/weights
TUTORNET_CHECKPOINT = WEIGHTS_DIR / "tutornet.pt"
CHECKPOINT_FORMAT = "tutornet-v1"

BACKBONES = {
    "tutornet": "small ResNet-style CNN (0.3 M parameters, 1-channel 64 px), pretrained by tutor on 100 fractal classes (default)",
    "resnet18": "torchvision ResNet-18 (11 M parameters), ImageNet weights; online once, or --weights FILE",
    "mobilenet_v3_small": "torchvision MobileNetV3-Small (1.5 M parameters), ImageNet weights; online once, or --weights FILE",
}

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class Backbone(nn.Module):
    """Feature extractor: normalize -> stages (low -> high) -> global average pool -> N x feature_dim."""

    def __init__(self, stages: list[nn.Module], feature_dim: int, mean: tuple[float, ...], std: tuple[float, ...],
                 in_channels: int = 1, name: str = "backbone"):
        super().__init__()
        self.stages = nn.ModuleList(stages)
        self.feature_dim = int(feature_dim)
        self.mean = tuple(float(m) for m in mean)
        self.std = tuple(float(s) for s in std)
        self.in_channels = int(in_channels)
        self.name = name
        self.register_buffer("_mean", torch.tensor(self.mean).view(1, -1, 1, 1), persistent=False)
        self.register_buffer("_std", torch.tensor(self.std).view(1, -1, 1, 1), persistent=False)
        self.trainable_top: int = len(self.stages)
        self.to(memory_format=torch.channels_last)

    def normalize(self, x: torch.Tensor) -> torch.Tensor:
        """[0, 1] grayscale -> the normalised input the stages were trained on (repeated to 3 channels if needed)."""
        if x.shape[1] != self.in_channels:
            x = x.expand(-1, self.in_channels, -1, -1)
        return (x - self._mean) / self._std

    def forward_stages(self, x: torch.Tensor) -> torch.Tensor:
        x = x.contiguous(memory_format=torch.channels_last)
        for stage in self.stages:
            x = stage(x)
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.forward_stages(self.normalize(x))
        if x.dim() == 4:
            x = x.mean(dim=(2, 3))
        return x

    # ------------------------------------------------------------------ freezing
    def set_trainable(self, top: int | str) -> "Backbone":
        """Train only the top `top` stages (0 = freeze all, "all" or len(stages) = fine-tune everything).

        Frozen stages get requires_grad=False and stay in eval mode (their batch-norm statistics are kept)."""
        n = len(self.stages)
        k = n if top == "all" else int(top)
        if not 0 <= k <= n:
            raise LabError(f"{self.name}: cannot unfreeze the top {top} stages (it has {n})")
        self.trainable_top = k
        for i, stage in enumerate(self.stages):
            on = i >= n - k
            for p in stage.parameters():
                p.requires_grad_(on)
        self.train(self.training)
        return self

    def freeze(self) -> "Backbone":
        return self.set_trainable(0)

    def unfreeze(self) -> "Backbone":
        return self.set_trainable("all")

    def train(self, mode: bool = True) -> "Backbone":
        super().train(mode)
        n = len(self.stages)
        for i, stage in enumerate(self.stages):
            if i < n - self.trainable_top:
                stage.eval()
        return self

    def num_parameters(self, trainable_only: bool = False) -> int:
        return sum(p.numel() for p in self.parameters() if p.requires_grad or not trainable_only)


# ---------------------------------------------------------------------------------------- tutornet

class BasicBlock(nn.Module):
    """ResNet basic block (two 3x3 convolutions, batch norm, identity or 1x1 projection shortcut)."""

    def __init__(self, cin: int, cout: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + (x if self.short is None else self.short(x)))


DEFAULT_ARCH = {"widths": [16, 32, 64, 128], "stem_stride": 2, "in_channels": 1}


def tutornet_stages(widths: list[int], stem_stride: int = 2, in_channels: int = 1) -> list[nn.Module]:
    """stem (3x3 conv, stride 2) then one basic block per width, downsampling from the second on."""
    stem = nn.Sequential(nn.Conv2d(in_channels, widths[0], 3, stem_stride, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU(inplace=True))
    stages: list[nn.Module] = [stem]
    cin = widths[0]
    for i, w in enumerate(widths):
        stages.append(BasicBlock(cin, w, stride=1 if i == 0 else 2))
        cin = w
    return stages


SOURCE_MEAN, SOURCE_STD = (0.0925,), (0.2265,)  # the fractal source's pixel statistics (used when no checkpoint is at hand)


def build_tutornet(arch: dict | None = None, mean: tuple[float, ...] = SOURCE_MEAN, std: tuple[float, ...] = SOURCE_STD) -> Backbone:
    arch = {**DEFAULT_ARCH, **(arch or {})}
    net = Backbone(tutornet_stages(list(arch["widths"]), int(arch["stem_stride"]), int(arch["in_channels"])),
                   feature_dim=int(arch["widths"][-1]), mean=mean, std=std, in_channels=int(arch["in_channels"]), name="tutornet")
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
    return net


def read_checkpoint(path: Path) -> dict:
    """A tutornet checkpoint (dict with format, arch, mean, std, classes, backbone, head, ...)."""
    path = Path(path)
    if not path.is_file():
        if path == TUTORNET_CHECKPOINT:
            raise BackboneUnavailable(f"tutornet checkpoint {path} is missing; rebuild it with `tutor pretrain` (about 3 minutes on 2 cores)")
        raise BackboneUnavailable(f"tutornet weights file {path} does not exist")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise BackboneUnavailable(f"cannot read tutornet checkpoint {path}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None
    if not isinstance(ckpt, dict) or ckpt.get("format") != CHECKPOINT_FORMAT:
        raise BackboneUnavailable(f"{path} is not a tutornet checkpoint (format {CHECKPOINT_FORMAT}); rebuild it with `tutor pretrain`")
    problem = checkpoint_problem(ckpt)
    if problem:  # the file says what to build: check it before a single weight is allocated
        raise BackboneUnavailable(f"{path}: not a usable tutornet checkpoint: {problem}")
    return ckpt


MAX_WIDTH, MAX_STAGES = 1024, 8  # the shipped net is 16-32-64-128 in 4 stages; beyond these a file is not a tutornet


def _whole(value, lo: int, hi: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi


def _stats(value, channels: int) -> bool:
    import math

    return (isinstance(value, (list, tuple)) and len(value) in (1, channels)
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value))


def checkpoint_problem(ckpt: dict) -> str | None:
    """What is wrong with a checkpoint's architecture and statistics (None: it can be built)."""
    arch = {**DEFAULT_ARCH, **(ckpt.get("arch") if isinstance(ckpt.get("arch"), dict) else {"widths": None})}
    widths = arch["widths"]
    if not isinstance(widths, (list, tuple)) or not 1 <= len(widths) <= MAX_STAGES or not all(_whole(w, 1, MAX_WIDTH) for w in widths):
        return f"arch widths must be 1 to {MAX_STAGES} whole numbers from 1 to {MAX_WIDTH}"
    if not _whole(arch["stem_stride"], 1, 4) or arch["in_channels"] not in (1, 3) or isinstance(arch["in_channels"], bool):
        return "arch stem_stride must be 1 to 4 and in_channels 1 or 3"
    if not _stats(ckpt.get("mean"), arch["in_channels"]) or not _stats(ckpt.get("std"), arch["in_channels"]) or min(ckpt["std"]) <= 0:
        return "mean and std must be finite numbers (one, or one per channel), std above 0"
    if not isinstance(ckpt.get("classes"), (list, tuple)) or not 1 <= len(ckpt["classes"]) <= 100_000:
        return "classes must be a list of 1 to 100,000 names"
    if not isinstance(ckpt.get("backbone"), dict) or not isinstance(ckpt.get("head"), dict):
        return "backbone and head must be state dicts"
    return None


def _load_state(module: nn.Module, state: dict, what: str) -> None:
    """Weights into a module; a file whose weights do not fit is one line, not PyTorch's list of keys."""
    try:
        module.load_state_dict(state)
    except (RuntimeError, KeyError, TypeError, ValueError) as exc:
        first = str(exc).strip().splitlines()
        raise BackboneUnavailable(f"{what}: the weights do not fit the architecture ({first[0] if first else type(exc).__name__})") from None


def _load_tutornet(pretrained: bool, weights: str | Path | None) -> tuple[Backbone, nn.Linear | None]:
    if not pretrained:
        # Same architecture and input normalisation as the pretrained net, random weights: a "random
        # backbone" arm then differs from the pretrained one in the weights only.
        try:
            ckpt = read_checkpoint(Path(weights) if weights else TUTORNET_CHECKPOINT)
        except BackboneUnavailable:
            return build_tutornet(), None
        return build_tutornet(ckpt["arch"], mean=tuple(ckpt["mean"]), std=tuple(ckpt["std"])), None
    path = Path(weights) if weights else TUTORNET_CHECKPOINT
    ckpt = read_checkpoint(path)
    net = build_tutornet(ckpt["arch"], mean=tuple(ckpt["mean"]), std=tuple(ckpt["std"]))
    _load_state(net, ckpt["backbone"], f"tutornet checkpoint {path}")
    head = nn.Linear(net.feature_dim, len(ckpt["classes"]))
    _load_state(head, ckpt["head"], f"tutornet checkpoint {path}")
    return net, head


# ---------------------------------------------------------------------------------------- torchvision

def _state_dict_from_file(name: str, weights: str | Path) -> dict:
    path = Path(weights).expanduser()
    if not path.is_file():
        raise BackboneUnavailable(f"{name}: weights file {path} does not exist")
    try:
        sd = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise BackboneUnavailable(f"{name}: cannot read weights file {path}: {type(exc).__name__}") from None
    if isinstance(sd, dict) and "state_dict" in sd and isinstance(sd["state_dict"], dict):
        sd = sd["state_dict"]
    if not isinstance(sd, dict):
        raise BackboneUnavailable(f"{name}: {path} does not hold a state dict")
    return sd


def _imagenet_state_dict(name: str) -> dict:
    import torchvision

    enum = torchvision.models.get_model_weights(name)
    w = enum.DEFAULT
    try:
        return w.get_state_dict(progress=False, check_hash=True)
    except Exception as exc:  # URLError / HTTPError / socket timeouts / hash mismatch
        raise BackboneUnavailable(
            f"{name} ImageNet weights ({w.url.rsplit('/', 1)[-1]}) are not in the torch hub cache "
            f"({torch.hub.get_dir()}/checkpoints) and could not be downloaded ({type(exc).__name__}); "
            f"go online once or pass --weights FILE"
        ) from None


def _torchvision_model(name: str, pretrained: bool, weights: str | Path | None) -> nn.Module:
    import torchvision

    model = torchvision.models.get_model(name, weights=None)
    if weights is not None:
        sd = _state_dict_from_file(name, weights)
    elif pretrained:
        sd = _imagenet_state_dict(name)
    else:
        return model
    try:
        model.load_state_dict(sd)
    except RuntimeError as exc:
        raise BackboneUnavailable(f"{name}: the weights do not fit the architecture ({str(exc).splitlines()[0]})") from None
    return model


def _load_resnet18(pretrained: bool, weights) -> tuple[Backbone, nn.Linear | None]:
    m = _torchvision_model("resnet18", pretrained, weights)
    stages = [nn.Sequential(m.conv1, m.bn1, m.relu, m.maxpool), m.layer1, m.layer2, m.layer3, m.layer4]
    net = Backbone(stages, feature_dim=512, mean=IMAGENET_MEAN, std=IMAGENET_STD, in_channels=3, name="resnet18")
    return net, (m.fc if (pretrained or weights is not None) else None)


class _PoolMLP(nn.Module):
    """MobileNetV3's last conv, pooling and pre-logits layer: (N, C, H, W) -> (N, 1024)."""

    def __init__(self, conv: nn.Module, linear: nn.Linear, act: nn.Module):
        super().__init__()
        self.conv, self.linear, self.act = conv, linear, act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.linear(self.conv(x).mean(dim=(2, 3))))


def _load_mobilenet(pretrained: bool, weights) -> tuple[Backbone, nn.Linear | None]:
    m = _torchvision_model("mobilenet_v3_small", pretrained, weights)
    f = m.features
    stages = [nn.Sequential(f[0], f[1]), nn.Sequential(f[2], f[3]), nn.Sequential(*f[4:9]), nn.Sequential(*f[9:12]),
              _PoolMLP(f[12], m.classifier[0], m.classifier[1])]
    net = Backbone(stages, feature_dim=m.classifier[0].out_features, mean=IMAGENET_MEAN, std=IMAGENET_STD, in_channels=3, name="mobilenet_v3_small")
    return net, (m.classifier[3] if (pretrained or weights is not None) else None)


_LOADERS = {"tutornet": _load_tutornet, "resnet18": _load_resnet18, "mobilenet_v3_small": _load_mobilenet}


def load_backbone(name: str = "tutornet", *, pretrained: bool = True, weights: str | Path | None = None) -> tuple[Backbone, nn.Linear | None]:
    """(backbone, the pretrained source output layer or None). See the module docstring."""
    if name not in _LOADERS:
        raise LabError(f"unknown backbone {name!r} (known: {', '.join(BACKBONES)})")
    net, head = _LOADERS[name](pretrained, weights)
    net.eval()
    return net, head
