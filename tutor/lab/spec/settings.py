"""Arm settings: the base every kind's `Settings` extends, and the core settings every arm has. Torch-free.

An arm's full configuration (`tutor.lab.kinds.ArmConfig`) is `CoreSettings` plus the `Settings` of every kind
of experiment (tutor/lab/kinds/), each of which extends `CoreSettings` with its own fields; the lab file sees
one flat mapping of settings, as before. This module never imports the kinds: they build on it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from tutor.bank.schema import LocalText


class ArmSettings(BaseModel):
    """Strict and frozen: an unknown or misspelt setting is an error at its line, and a merged arm never changes.
    Every number is finite (`.nan` and `.inf` are errors at their line): no rule below has to say so again."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _hidden(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return [value] if value > 0 else []
    return value


DomainName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=40)]


class DomainSplit(ArmSettings):
    """`domain:` an arm trained on one domain of its dataset and judged on another, the split a question about a new
    camera or supplier needs (elpv's domains are its cell types, `mono` and `poly`: lab.py `DATASET_DOMAINS`).
    `train`: the training images (`train_size` / `per_class`, or the whole pool) are drawn from that domain's part
    of the training pool (None: the whole pool); `eval`: validation and test hold only that domain's images (None:
    the whole splits); `add`: that many labelled images of the `eval` domain, drawn by the seed (stratified by
    class, on a stream of their own) from the training pool's images not already drawn, join the training set.
    Arms of one seed with the same `train` draw the same images, and with the same `eval` and `add` add the same
    ones (tutor/lab/data/domains.py)."""

    train: DomainName | None = None
    eval: DomainName | None = None
    add: Annotated[int, Field(ge=0, le=1_000_000)] = 0

    def problem(self) -> str | None:
        """What makes no sense once an arm's layers are merged (a fragment, `defaults: {domain: {add: 50}}`, may
        give one part): None when nothing."""
        if self.train is None and self.eval is None:
            return "domain needs `train` (the training images' domain) or `eval` (the judged one), or both"
        if self.add and self.eval is None:
            return "domain: `add` draws labelled images of the `eval` domain: give `eval`"
        return None

    def describe(self) -> str:
        train = f"{self.train} images" if self.train else "images of every domain"
        added = f" + {self.add:,} {self.eval}" if self.add else ""
        judged = f", judged on {self.eval}" if self.eval else ""
        return f"trained on {train}{added}{judged}"


class CoreSettings(ArmSettings):
    """What every arm has: data, backbone and head, optimiser and schedule. Every field has a default, so
    fragments validate on their own."""

    label: LocalText | None = None
    dataset: Annotated[str, Field(min_length=1)] | None = None  # a key of the lab's `datasets`
    backbone: Literal["pretrained", "random"] = "pretrained"
    output_layer: Literal["fresh", "pretrained"] = "fresh"
    unfreeze: Annotated[int, Field(ge=0, le=16)] | Literal["all"] = 0
    hidden: Annotated[list[Annotated[int, Field(ge=1, le=8192)]], BeforeValidator(_hidden)] = Field(default_factory=list)
    dropout: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.0
    head_norm: bool = False  # BatchNorm1d in the head: before each hidden activation (no hidden: on the features)
    pool: Literal["avg", "flatten"] = "avg"  # head input: global average pool, or the last feature map flattened
    weight_decay: Annotated[float, Field(ge=0.0, le=100.0)] = 0.0
    # explicit penalties in the loss (tutor/lab/kinds/penalties.py); core because a search may try them too
    l1: Annotated[float, Field(ge=0.0, le=100.0)] = 0.0  # + l1 * sum|w| over conv/linear weights
    l2: Annotated[float, Field(ge=0.0, le=100.0)] = 0.0  # + l2 * sum w^2 (in the loss: Adam rescales it)
    optimizer: Literal["adam", "adamw", "sgd"] = "adam"
    lr: Annotated[float, Field(gt=0.0, le=10.0)] = 1e-3
    backbone_lr: Annotated[float, Field(gt=0.0, le=10.0)] | None = None
    momentum: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.9
    batch_size: Annotated[int, Field(ge=1, le=4096)] = 64
    epochs: Annotated[int, Field(ge=1, le=1000)] = 10
    train_size: Annotated[int, Field(ge=2)] | None = None
    per_class: Annotated[int, Field(ge=1)] | None = None
    domain: DomainSplit | None = None  # train on one domain of the dataset, judge on another (DomainSplit)
    schedule: Literal["cosine", "constant"] = "cosine"  # learning rate over the steps: cosine decay to 0, or constant
    select: Literal["last", "best_val"] = "last"
    standardize: bool | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CoreSettings:
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
        """The arm in words: its `label` from the lab file (escape sequences shown, never sent: every screen and
        report that names an arm gets it safe), else a description built from its settings."""
        from tutor.bank.schema import text
        from tutor.safetext import clean

        if self.label:
            return clean(text(self.label, lang))
        return self.described()

    def described(self) -> str:
        """The arm in words from its settings: the core's parts here; the composed ArmConfig (tutor/lab/kinds/)
        adds each kind's."""
        return ", ".join(self.core_parts())

    def core_parts(self) -> list[str]:
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
        if self.domain is not None:
            parts.append(self.domain.describe())
        return parts
