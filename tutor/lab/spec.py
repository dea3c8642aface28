"""The lab format instructors write (labs/*.yaml), as strict pydantic models. Torch-free.

A lab names a dataset and a backbone, a few *arms* (named training configurations) and *claims*
(comparisons of arm metrics, see `claims.py`). Arm settings are layered, later layers winning:

    lab `defaults`  <  profile `defaults`  <  the arm itself  <  profile `arms.<name>`

Every fragment is validated where it is written, so each problem is reported as `FILE:LINE: message`.
No field can run code: augmentations come from a fixed list, claims from a tiny grammar.
See labs/README.md for the instructor's guide.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from tutor import paths, yamlsrc
from tutor.bank.schema import LocalText, text
from tutor.lab.claims import METRICS, Claim, ClaimSyntaxError, check_refs, parse_claim
from tutor.lab.errors import LabError
from tutor.yamlsrc import Problem

SLUG = r"^[a-z0-9][a-z0-9-]*$"
ARM_NAME = r"^[a-z][a-z0-9_]*$"
PROFILES = ("quick", "full")
DEFAULT_DATASET = "default"

# Augmentations a lab may ask for: name -> (what the value means, its type). Built from
# torchvision.transforms.v2 in train.py; nothing else can be named.
AUGMENTATIONS: dict[str, str] = {
    "hflip": "random horizontal flip (value: probability, default 0.5)",
    "vflip": "random vertical flip (value: probability, default 0.5)",
    "transpose": "random transpose, i.e. flip about the diagonal (value: probability, default 0.5)",
    "rotate90": "random multiple of 90-degree rotation (value: ignored, true)",
    "shift": "random shift by up to N pixels, reflect-padded (value: N, default 4)",
    "rotate": "random rotation by up to N degrees (value: N, default 10)",
    "brightness": "random brightness change by up to a factor (value: e.g. 0.2)",
    "contrast": "random contrast change by up to a factor (value: e.g. 0.2)",
    "crop": "random resized crop keeping at least this fraction of the area (value: e.g. 0.7)",
    "noise": "gaussian noise added to every pixel, result clipped to 0-1 (value: its sd on the 0-1 pixel scale, default 0.05)",
    "cutout": "cutout: one square of this fraction of the image side, anywhere (clipped at the border), set to the "
              "image's mean (value: side fraction, default 0.25)",
    "erasing": "random erasing (v2.RandomErasing): with this probability a rectangle of 2-33 % of the area and random "
               "aspect ratio is filled with random noise (value: probability, default 0.5)",
    "mixup": "mixup on the batch (v2.MixUp): pairs of images blended, labels mixed in the same proportion "
             "(value: alpha of the Beta(alpha, alpha) mixing weight, default 1.0)",
    "cutmix": "cutmix on the batch (v2.CutMix): a box of one image pasted into another, labels mixed by area "
              "(value: alpha, default 1.0; with mixup too, each batch uses one of the two at random)",
}
BATCH_AUGMENTATIONS = ("mixup", "cutmix")  # applied to whole batches, with the labels (soft targets)
_AUG_DEFAULTS: dict[str, float] = {
    "hflip": 0.5, "vflip": 0.5, "transpose": 0.5, "rotate90": 1.0, "shift": 4, "rotate": 10,
    "brightness": 0.2, "contrast": 0.2, "crop": 0.7,
    "noise": 0.05, "cutout": 0.25, "erasing": 0.5, "mixup": 1.0, "cutmix": 1.0,
}
SEARCHABLE = ("lr", "backbone_lr", "weight_decay", "dropout", "hidden", "batch_size", "optimizer")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _augment(value: Any) -> Any:
    """A list of `name` or `{name: value}` items -> list of (name, value) pairs."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError("must be a list of augmentations, e.g. [hflip, {shift: 4}]")
    out = []
    for item in value:
        if isinstance(item, str):
            name, arg = item, None
        elif isinstance(item, dict) and len(item) == 1:
            name, arg = next(iter(item.items()))
        elif isinstance(item, (list, tuple)) and len(item) == 2:  # already normalised
            name, arg = item
        else:
            raise ValueError(f"{item!r}: each augmentation is a name or a one-entry mapping {{name: value}}")
        if name not in AUGMENTATIONS:
            raise ValueError(f"unknown augmentation '{name}' (known: {', '.join(AUGMENTATIONS)})")
        if arg is None or arg is True:
            arg = _AUG_DEFAULTS[name]
        if isinstance(arg, bool) or not isinstance(arg, (int, float)) or arg < 0:
            raise ValueError(f"augmentation '{name}' takes a non-negative number, not {arg!r}")
        if name in {"hflip", "vflip", "transpose", "crop", "cutout", "erasing"} and arg > 1:
            raise ValueError(f"augmentation '{name}' takes a value between 0 and 1, not {arg!r}")
        if name in BATCH_AUGMENTATIONS and arg == 0:
            raise ValueError(f"augmentation '{name}' takes a positive alpha, not {arg!r}")
        out.append((name, float(arg)))
    return out


def _hidden(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return [value] if value > 0 else []
    return value


class Search(_Strict):
    """A hyperparameter search inside one arm: `trials` settings drawn from `space`, best on validation."""

    trials: Annotated[int, Field(ge=1, le=64)] = 8
    space: dict[str, list[Any]] = Field(default_factory=dict)  # checked non-empty once the layers are merged

    @field_validator("space")
    @classmethod
    def _space(cls, value: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for key, options in value.items():
            if key not in SEARCHABLE:
                raise ValueError(f"cannot search '{key}' (searchable: {', '.join(SEARCHABLE)})")
            if not isinstance(options, list) or not options:
                raise ValueError(f"'{key}' needs a non-empty list of values")
            for option in options:  # each candidate must itself be a valid arm setting
                try:
                    ArmConfig.model_validate({key: option})
                except ValidationError as exc:
                    msg = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
                    raise ValueError(f"'{key}' candidate {option!r}: {msg}") from None
        return value


class NormStats(_Strict):
    """Input normalisation statistics: one value, or one per input channel."""

    mean: Annotated[list[float], Field(min_length=1, max_length=3)]
    std: Annotated[list[Annotated[float, Field(gt=0.0)]], Field(min_length=1, max_length=3)]


class ArmConfig(_Strict):
    """One arm's training configuration. Every field has a default, so fragments validate on their own."""

    label: LocalText | None = None
    dataset: Annotated[str, Field(min_length=1)] | None = None  # a key of the lab's `datasets`
    backbone: Literal["pretrained", "random"] = "pretrained"
    output_layer: Literal["fresh", "pretrained"] = "fresh"
    unfreeze: Annotated[int, Field(ge=0, le=16)] | Literal["all"] = 0
    hidden: Annotated[list[Annotated[int, Field(ge=1, le=8192)]], BeforeValidator(_hidden)] = Field(default_factory=list)
    dropout: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.0
    head_norm: bool = False  # BatchNorm1d in the head: before each hidden activation (no hidden: on the features)
    pool: Literal["avg", "flatten"] = "avg"  # head input: global average pool, or the last feature map flattened
    # class imbalance (tutor/lab/imbalance.py): a class-weighted loss, class-balanced sampling
    class_weight: Literal["none", "balanced"] = "none"
    sampler: Literal["shuffle", "balanced"] = "shuffle"
    weight_decay: Annotated[float, Field(ge=0.0, le=10.0)] = 0.0
    augment: Annotated[list[tuple[str, float]], BeforeValidator(_augment)] = Field(default_factory=list)
    optimizer: Literal["adam", "adamw", "sgd"] = "adam"
    lr: Annotated[float, Field(gt=0.0, le=10.0)] = 1e-3
    backbone_lr: Annotated[float, Field(gt=0.0, le=10.0)] | None = None
    momentum: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.9
    batch_size: Annotated[int, Field(ge=1, le=4096)] = 64
    epochs: Annotated[int, Field(ge=1, le=1000)] = 10
    train_size: Annotated[int, Field(ge=2)] | None = None
    per_class: Annotated[int, Field(ge=1)] | None = None
    schedule: Literal["cosine", "constant"] = "cosine"  # learning rate over the steps: cosine decay to 0, or constant
    select: Literal["last", "best_val"] = "last"
    standardize: bool | None = None
    search: Search | None = None
    # a deep plain network trained from scratch instead of the backbone (tutor/lab/plainnet.py)
    model: Literal["backbone", "plain"] = "backbone"
    depth: Annotated[int, Field(ge=1, le=64)] = 8
    width: Annotated[int, Field(ge=1, le=4096)] = 64
    activation: Literal["relu", "tanh"] = "relu"
    init: Literal["default", "constant", "normal_tiny", "xavier", "kaiming", "orthogonal"] = "default"
    norm: Literal["none", "batch", "layer", "group"] = "none"
    clip_grad: Annotated[float, Field(gt=0.0)] | None = None  # clip_grad_norm_ threshold (None: no clipping)
    target_acc: Annotated[float, Field(gt=0.0, le=1.0)] | None = None  # for the epochs_to_target metric
    # gradual unfreezing, batch-norm mode, discriminative learning rates (tutor/lab/schedules.py)
    unfreeze_at: Annotated[int, Field(ge=1, le=1000)] | None = None  # head-only epochs before `unfreeze` applies
    bn_mode: Literal["train", "eval"] = "train"  # eval: batch-norm layers keep their running statistics
    lr_decay_per_stage: Annotated[float, Field(gt=0.0, le=1.0)] | None = None  # each lower stage: lr x this
    # input normalisation fed to the backbone (tutor/lab/inputnorm.py)
    normalize: Literal["pretrained", "none", "imagenet"] | NormStats = "pretrained"
    # few-shot classification by nearest class prototype, no training (tutor/lab/prototypes.py)
    method: Literal["train", "prototype"] = "train"
    metric: Literal["cosine", "euclidean"] = "cosine"
    shots: Annotated[int, Field(ge=1, le=1000)] = 1
    episodes: Annotated[int, Field(ge=1, le=10000)] = 100
    curve: Annotated[str, Field(min_length=1, max_length=40)] | None = None  # a line in the size plot (sizeplots.py)
    # explicit penalties added to the loss, and early stopping (tutor/lab/penalties.py)
    l1: Annotated[float, Field(ge=0.0, le=10.0)] = 0.0  # + l1 * sum|w| over conv/linear weights
    l2: Annotated[float, Field(ge=0.0, le=10.0)] = 0.0  # + l2 * sum w^2 (in the loss: Adam rescales it)
    early_stopping: Annotated[int, Field(ge=1, le=1000)] | None = None  # patience (epochs) on validation loss

    @model_validator(mode="after")
    def _consistent(self) -> ArmConfig:
        if self.train_size is not None and self.per_class is not None:
            raise ValueError("give either train_size or per_class, not both")
        if self.output_layer == "pretrained" and self.hidden:
            raise ValueError("output_layer: pretrained reuses the source's output layer, so the head cannot have hidden layers")
        return self

    @property
    def frozen(self) -> bool:
        """True when no backbone weight is trained (feature extraction)."""
        return self.unfreeze == 0

    def describe(self, lang: str = "en") -> str:
        if self.label:
            return text(self.label, lang)
        if self.model == "plain":
            return f"plain net {self.depth}x{self.width} {self.activation}, init {self.init}, norm {self.norm}"
        if self.method == "prototype":
            return f"{self.backbone} backbone, nearest class prototype ({self.metric}), {self.shots}-shot"
        parts = [f"{self.backbone} backbone"]
        parts.append("frozen" if self.frozen else ("fine-tune all" if self.unfreeze == "all" else f"unfreeze top {self.unfreeze}"))
        if self.hidden:
            parts.append(f"head {'-'.join(map(str, self.hidden))}")
        if self.dropout:
            parts.append(f"dropout {self.dropout:g}")
        if self.head_norm:
            parts.append("batch norm in the head")
        if self.pool == "flatten":
            parts.append("flattened feature map")
        if self.class_weight == "balanced":
            parts.append("class-weighted loss")
        if self.sampler == "balanced":
            parts.append("class-balanced sampling")
        if self.augment:
            parts.append("augment " + "+".join(n for n, _ in self.augment))
        if self.unfreeze_at is not None:
            parts.append(f"after {self.unfreeze_at} head-only epochs")
        if self.bn_mode == "eval":
            parts.append("batch norm in inference mode")
        if self.l1 or self.l2:
            parts.append(" + ".join(f"{k} {v:g}" for k, v in (("L1", self.l1), ("L2", self.l2)) if v) + " penalty")
        if self.early_stopping is not None:
            parts.append(f"early stopping (patience {self.early_stopping})")
        if self.search:
            parts.append(f"search {self.search.trials} trials")
        return ", ".join(parts)


class DatasetSpec(_Strict):
    name: Annotated[str, Field(min_length=1)]
    size: Annotated[int, Field(ge=8, le=512)] = 64
    options: dict[str, Any] = Field(default_factory=dict)
    val: Annotated[int, Field(ge=2)] | None = None  # cap on validation images (a fixed subsample)
    test: Annotated[int, Field(ge=2)] | None = None  # cap on test images (a fixed subsample)


def _backbone(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


class BackboneSpec(_Strict):
    name: Annotated[str, Field(min_length=1)] = "tutornet"
    weights: str | None = None


class Profile(_Strict):
    seeds: Annotated[int, Field(ge=1, le=50)] = 3
    dataset: dict[str, Any] = Field(default_factory=dict)  # overrides of the lab's `dataset`
    datasets: dict[str, dict[str, Any]] = Field(default_factory=dict)  # overrides of named `datasets`
    defaults: dict[str, Any] = Field(default_factory=dict)
    arms: dict[str, dict[str, Any]] = Field(default_factory=dict)


def _claims(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return [{"claim": v} if isinstance(v, str) else v for v in value]


class ClaimSpec(_Strict):
    claim: Annotated[str, Field(min_length=3)]
    says: LocalText | None = None  # the claim in plain words


class LabFile(_Strict):
    id: Annotated[str, Field(pattern=SLUG, max_length=80)]
    title: LocalText
    summary: LocalText
    questions: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    look_at: LocalText | None = None
    dataset: DatasetSpec | None = None
    datasets: dict[str, DatasetSpec] | None = None
    backbone: Annotated[BackboneSpec, BeforeValidator(_backbone)] = Field(default_factory=BackboneSpec)
    profiles: dict[str, Profile] = Field(default_factory=dict)
    defaults: dict[str, Any] = Field(default_factory=dict)
    arms: Annotated[dict[str, dict[str, Any] | None], Field(min_length=1)]
    claims: Annotated[list[ClaimSpec], BeforeValidator(_claims), Field(min_length=1)]
    show: list[str] = Field(default_factory=list)  # extra metric columns in the end table

    @field_validator("show")
    @classmethod
    def _show(cls, value: list[str]) -> list[str]:
        for metric in value:
            if metric not in METRICS:
                raise ValueError(f"unknown metric '{metric}' (metrics: {', '.join(METRICS)})")
        return value

    @model_validator(mode="after")
    def _one_dataset_field(self) -> LabFile:
        if (self.dataset is None) == (self.datasets is None):
            raise ValueError("give either `dataset` (one dataset) or `datasets` (named datasets that arms pick with `dataset: NAME`)")
        if self.datasets is not None and not self.datasets:
            raise ValueError("`datasets` needs at least one named dataset")
        return self


# ---------------------------------------------------------------- the validated lab


class _Prefixed:
    """A ValidationError whose locations are moved under `base`, so messages name the full path."""

    def __init__(self, exc: ValidationError, base: tuple):
        self.exc, self.base = exc, base

    def errors(self, include_url: bool = False) -> list[dict[str, Any]]:
        return [{**e, "loc": self.base + tuple(e["loc"])} for e in self.exc.errors(include_url=include_url)]


def _problems(doc: yamlsrc.Located, exc: ValidationError, base: tuple = ()) -> list[Problem]:
    return yamlsrc.pydantic_problems(doc, _Prefixed(exc, base))


class SpecError(LabError):
    """One or more problems in a lab file, each `FILE:LINE: message`."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Lab:
    """A validated lab. `arm_configs(profile)` gives each arm's merged configuration."""

    file: LabFile
    raw: dict[str, Any]
    path: str
    claims: list[Claim]
    claim_says: list[dict[str, str] | None] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.file.id

    def title(self, lang: str = "en") -> str:
        return text(self.file.title, lang)

    def summary(self, lang: str = "en") -> str:
        return text(self.file.summary, lang)

    @property
    def arm_names(self) -> list[str]:
        return list(self.file.arms)

    def profile(self, name: str) -> Profile:
        if name not in PROFILES and name not in self.file.profiles:
            raise LabError(f"lab '{self.id}' has no profile '{name}' (profiles: {', '.join(self.profile_names())})")
        return self.file.profiles.get(name) or Profile()

    def profile_names(self) -> list[str]:
        return list(dict.fromkeys([*PROFILES, *self.file.profiles]))

    def datasets(self, profile: str = "quick") -> dict[str, DatasetSpec]:
        """Dataset key -> spec for a profile (a lab with a single `dataset` has the key "default")."""
        prof = self.profile(profile)
        if self.file.dataset is not None:
            return {DEFAULT_DATASET: DatasetSpec.model_validate(_merge(self.raw["dataset"], prof.dataset))}
        return {k: DatasetSpec.model_validate(_merge(self.raw["datasets"][k], prof.datasets.get(k, {})))
                for k in self.raw["datasets"]}

    def dataset_key(self, cfg: ArmConfig) -> str:
        if self.file.dataset is not None:
            return DEFAULT_DATASET
        return cfg.dataset or next(iter(self.raw["datasets"]))

    def arm_configs(self, profile: str = "quick", arms: list[str] | None = None) -> dict[str, ArmConfig]:
        prof = self.profile(profile)
        names = self.arm_names if arms is None else arms
        unknown = [a for a in names if a not in self.file.arms]
        if unknown:
            raise LabError(f"lab '{self.id}' has no arm '{unknown[0]}' (arms: {', '.join(self.arm_names)})")
        out = {}
        for name in names:
            merged = _merge(self.file.defaults, prof.defaults, self.file.arms[name] or {}, prof.arms.get(name, {}))
            try:
                out[name] = _merged_arm(merged)
            except ValidationError as exc:  # only cross-layer conflicts can get here
                msg = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
                raise LabError(f"{self.path}: arm '{name}' (profile {profile}): {msg}") from None
            except ValueError as exc:
                raise LabError(f"{self.path}: arm '{name}' (profile {profile}): {exc}") from None
        return out

    def digest(self) -> str:
        """A short hash of the lab's content (stored with results to tell edited labs apart)."""
        blob = json.dumps(self.raw, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def _merged_arm(merged: dict[str, Any]) -> ArmConfig:
    """Validate an arm's merged settings, plus the rules that only make sense once layers are merged."""
    cfg = ArmConfig.model_validate(merged)
    if cfg.search is not None and not cfg.search.space:
        raise ValueError("search needs a space with at least one setting, e.g. {lr: [0.001, 0.01]}")
    if cfg.unfreeze_at is not None and (cfg.unfreeze == 0 or cfg.unfreeze_at >= cfg.epochs):
        raise ValueError("unfreeze_at needs unfreeze (N or all) and fewer head-only epochs than `epochs`")
    if cfg.method == "prototype" and (cfg.unfreeze != 0 or cfg.augment or cfg.search is not None):
        raise ValueError("method: prototype classifies frozen features: no unfreeze, augment or search")
    if cfg.early_stopping is not None and (cfg.select != "last" or cfg.search is not None or cfg.method != "train"):
        raise ValueError("early_stopping restores the best epoch on validation loss itself: no select: best_val, "
                         "search or method: prototype with it")
    if cfg.pool == "flatten" and (cfg.unfreeze != 0 or cfg.augment or cfg.model != "backbone" or cfg.method != "train"):
        raise ValueError("pool: flatten trains a head on cached frozen feature maps: a frozen backbone "
                         "(unfreeze: 0), no augment, model: backbone, method: train")
    return cfg


def _merge(*layers: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge mappings (later wins); lists and scalars are replaced."""
    out: dict[str, Any] = {}
    for layer in layers:
        for key, value in (layer or {}).items():
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = _merge(out[key], value)
            else:
                out[key] = copy.deepcopy(value)
    return out


def parse(doc: yamlsrc.Located) -> Lab:
    """Validate a parsed lab document; raises SpecError listing every problem with its line."""
    data = doc.data
    if not isinstance(data, dict):
        raise SpecError([doc.problem((), "a lab file is a mapping with id, title, summary, dataset, arms and claims")])
    try:
        labfile = LabFile.model_validate(data)
    except ValidationError as exc:
        raise SpecError(yamlsrc.pydantic_problems(doc, exc)) from None
    problems: list[Problem] = []

    def fragment(loc: tuple, value: Any, what: str) -> None:
        if value is None:
            return
        if not isinstance(value, dict):
            problems.append(doc.problem(loc, f"{what} must be a mapping of settings"))
            return
        try:
            ArmConfig.model_validate(value)
        except ValidationError as exc:
            problems.extend(_problems(doc, exc, base=loc))

    dataset_names = list(labfile.datasets or {})

    def dataset_ref(loc: tuple, value: Any) -> None:
        ref = value.get("dataset") if isinstance(value, dict) else None
        if ref is None:
            return
        if labfile.datasets is None:
            problems.append(doc.problem(loc + ("dataset",), "this lab has one `dataset`; arms can pick one only from named `datasets`"))
        elif ref not in dataset_names:
            problems.append(doc.problem(loc + ("dataset",), f"unknown dataset '{ref}' (datasets: {', '.join(dataset_names)})"))

    fragment(("defaults",), data.get("defaults"), "defaults")
    dataset_ref(("defaults",), data.get("defaults"))
    for name, arm in labfile.arms.items():
        loc = ("arms", name)
        if not isinstance(name, str) or not re.match(ARM_NAME, name):
            problems.append(doc.problem(loc, f"arm name '{name}' must be lower-case letters, digits and _ (it is used in claims)"))
        fragment(loc, arm, f"arm '{name}'")
        dataset_ref(loc, arm)
    for pname, prof in labfile.profiles.items():
        base = ("profiles", pname)
        fragment(base + ("defaults",), prof.defaults, "profile defaults")
        dataset_ref(base + ("defaults",), prof.defaults)
        if prof.dataset:
            if labfile.dataset is None:
                problems.append(doc.problem(base + ("dataset",), "this lab has named `datasets`: override them under `datasets: {NAME: ...}`"))
            else:
                try:
                    DatasetSpec.model_validate(_merge(data["dataset"], prof.dataset))
                except ValidationError as exc:
                    problems.extend(_problems(doc, exc, base=base + ("dataset",)))
        for dname, override in prof.datasets.items():
            if dname not in dataset_names:
                problems.append(doc.problem(base + ("datasets", dname), f"unknown dataset '{dname}' (datasets: {', '.join(dataset_names) or 'none'})"))
                continue
            try:
                DatasetSpec.model_validate(_merge(data["datasets"][dname], override))
            except ValidationError as exc:
                problems.extend(_problems(doc, exc, base=base + ("datasets", dname)))
        for aname, arm in prof.arms.items():
            if aname not in labfile.arms:
                problems.append(doc.problem(base + ("arms", aname), f"profile '{pname}' overrides unknown arm '{aname}'"))
            else:
                fragment(base + ("arms", aname), arm, f"profile arm '{aname}'")
                dataset_ref(base + ("arms", aname), arm)
    claims, says = [], []
    for i, spec in enumerate(labfile.claims):
        loc = ("claims", i) if isinstance(data["claims"][i], str) else ("claims", i, "claim")
        try:
            claim = parse_claim(spec.claim)
        except ClaimSyntaxError as exc:
            problems.append(doc.problem(loc, f"claim '{spec.claim}': {exc}"))
            continue
        for msg in check_refs(claim, list(labfile.arms), list(METRICS)):
            problems.append(doc.problem(loc, msg))
        if not claim.refs():
            problems.append(doc.problem(loc, f"claim '{spec.claim}' compares no arm metric"))
        claims.append(claim)
        says.append(spec.says)
    if not problems:  # merged configurations must also be valid for every profile
        lab = Lab(labfile, data, doc.file, claims, says)
        for pname in lab.profile_names():
            for name in labfile.arms:
                merged = _merge(labfile.defaults, lab.profile(pname).defaults, labfile.arms[name] or {},
                                lab.profile(pname).arms.get(name, {}))
                try:
                    _merged_arm(merged)
                except ValidationError as exc:
                    msg = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
                    problems.append(doc.problem(("arms", name), f"arm '{name}' in profile '{pname}': {msg}"))
                except ValueError as exc:
                    problems.append(doc.problem(("arms", name), f"arm '{name}' in profile '{pname}': {exc}"))
    if problems:
        raise SpecError(problems)
    return Lab(labfile, data, doc.file, claims, says)


def load_lab(path: Path | str, display: str | None = None) -> Lab:
    path = Path(path)
    try:
        doc = yamlsrc.load(path, display or _display(path))
    except yamlsrc.YamlError as exc:
        raise SpecError([exc.problem]) from None
    return parse(doc)


def loads_lab(text_: str, name: str = "<string>") -> Lab:
    try:
        doc = yamlsrc.loads(text_, name)
    except yamlsrc.YamlError as exc:
        raise SpecError([exc.problem]) from None
    return parse(doc)


def _display(path: Path) -> str:
    import os

    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover
        return str(path)
    return rel if not rel.startswith("..") else str(path)


def lab_files(dirs: list[Path] | None = None) -> list[Path]:
    dirs = paths.lab_dirs() if dirs is None else dirs
    out: list[Path] = []
    for d in dirs:
        if d.is_dir():
            out += sorted(p for p in d.glob("*.y*ml") if p.is_file())
    return out


def find_lab(name_or_path: str, dirs: list[Path] | None = None) -> Lab:
    """A lab by id (from labs/) or by YAML file path."""
    candidate = Path(name_or_path).expanduser()
    if candidate.suffix in {".yaml", ".yml"} or candidate.is_file() or "/" in name_or_path:
        if not candidate.is_file():
            raise LabError(f"{name_or_path}: no such lab file")
        return load_lab(candidate)
    for path in lab_files(dirs):
        if path.stem == name_or_path:
            return load_lab(path)
    for path in lab_files(dirs):  # a file whose id differs from its name
        try:
            doc = yamlsrc.load(path)
        except yamlsrc.YamlError:
            continue
        if isinstance(doc.data, dict) and doc.data.get("id") == name_or_path:
            return parse(doc)
    known = ", ".join(p.stem for p in lab_files(dirs)) or "none"
    raise LabError(f"no lab named '{name_or_path}' (labs: {known}; or give a path to a .yaml file)")
