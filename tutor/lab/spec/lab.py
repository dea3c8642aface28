"""The lab format instructors write (labs/*.yaml), as strict pydantic models. Torch-free.

A lab names a dataset and a backbone, a few *arms* (named training configurations, `arm.py`) and
*claims* (comparisons of arm metrics, see `claims.py`). Arm settings are layered, later layers winning:

    lab `defaults`  <  profile `defaults`  <  the arm itself  <  profile `arms.<name>`

Every fragment is validated where it is written, so each problem is reported as `FILE:LINE: message`.
No field can run code: augmentations come from a fixed list, claims from a tiny grammar.
See labs/README.md for the instructor's guide.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from tutor import paths, yamlsrc
from tutor.bank.schema import LocalText, text
from tutor.lab.errors import LabError
from tutor.lab.spec.arm import merged_arm, validate_settings
from tutor.lab.spec.claims import Claim, ClaimSyntaxError, check_refs, parse_claim
from tutor.lab.spec.metrics import metric_help
from tutor.lab.spec.registry import kinds
from tutor.lab.spec.settings import CoreSettings
from tutor.safetext import quote
from tutor.yamlsrc import Problem

SLUG = r"^[a-z0-9][a-z0-9-]*$"
ARM_NAME = r"^[a-z][a-z0-9_]*$"
PROFILES = ("quick", "full")
DEFAULT_DATASET = "default"
LAB_KEYS = ("id", "title", "summary", "dataset", "datasets", "arms", "claims")
# The `backs` rules (Checker.backs): "all" labs with linked questions; "complete" labs only, those whose claims
# all carry `backs`; "off" while the shipped labs are being given their `backs` (`backs_problems` still tells).
BACKS_RULES = "all"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Each dataset's options (tutor/lab/data/datasets.py) and what they may be: (type, lowest, highest) for numbers,
# a tuple of choices, or str. A value outside is an error at its line, before any data is made: a fractal
# set needs 2+ classes and 3+ images per class (one each for train, validation and test), and new classes
# are drawn distinct from every source class, a search that grows with the square of the count.
SEED = (int, 0, 2**32 - 1)
DATASET_OPTIONS: dict[str, dict[str, Any]] = {
    "elpv": {}, "digits": {},
    "fractal-source": {"classes": (int, 2, 1000), "per_class": (int, 3, 100_000), "seed": SEED},
    "fractals": {"classes": (int, 2, 1000), "per_class": (int, 3, 100_000), "seed": SEED,
                 "source_classes": (int, 1, 1000), "source_seed": SEED, "jitter": (float, 0.0, 0.5)},
    "folder": {"path": str},
    "oxford-pet": {"species": ("all", "cat", "dog")},
}


# The datasets whose images belong to domains (the `domain` arm setting, settings.DomainSplit), and each domain's
# images in the fixed splits (tutor/lab/data/datasets.py; tests/lab/test_labdata_datasets.py holds them to it):
# elpv's cell types, monocrystalline and polycrystalline, two "suppliers" of the same product.
DATASET_DOMAINS: dict[str, dict[str, dict[str, int]]] = {
    "elpv": {"mono": {"train": 737, "val": 132, "test": 205}, "poly": {"train": 1063, "val": 192, "test": 295}},
}


def domain_problem(cfg: CoreSettings, dataset: str) -> str | None:
    """What is wrong with an arm's `domain` on its dataset (None: nothing): a dataset without domains, an unknown
    domain, or more images than the training pool's part can give (the draw itself says so again at run time,
    tutor/lab/data/domains.py, for what only the drawn images tell)."""
    split = cfg.domain
    if split is None or split.problem():
        return split and split.problem()
    known = DATASET_DOMAINS.get(dataset)
    if known is None:
        with_domains = "; ".join(f"{k}: {', '.join(v)}" for k, v in DATASET_DOMAINS.items())
        return f"domain needs a dataset whose images have domains ({with_domains}); {quote(dataset)} has none"
    for name in (split.train, split.eval):
        if name is not None and name not in known:
            return f"domain: {quote(name)} is not a domain of {dataset} (domains: {', '.join(known)})"
    pool = {name: counts["train"] for name, counts in known.items()}
    have = pool[split.train] if split.train else sum(pool.values())
    if cfg.train_size is not None and cfg.train_size > have:
        return (f"domain: train_size {cfg.train_size:,} asks for more {split.train or dataset} training images than "
                f"{dataset}'s training pool has ({have:,})")
    if split.add and split.eval is not None:
        drawn = (cfg.train_size if cfg.train_size is not None else pool[split.eval]) if split.train == split.eval else 0
        left = pool[split.eval] - drawn
        if split.add > left:
            return (f"domain: add {split.add:,} asks for more labelled {split.eval} images than {dataset}'s training "
                    f"pool has left for it ({left:,})")
    return None


def dataset_option_problem(name: str, options: dict[str, Any]) -> str | None:
    """What is wrong with a dataset's options (None: nothing)."""
    if name not in DATASET_OPTIONS:
        return f"unknown dataset {quote(name)} (known: {', '.join(DATASET_OPTIONS)})"
    rules = DATASET_OPTIONS[name]
    for key, value in options.items():
        rule = rules.get(key)
        if rule is None:
            return f"dataset '{name}': unknown option {quote(key)} (allowed: {', '.join(rules) or 'none'})"
        if rule is str:
            ok, want = isinstance(value, str) and value.strip() != "", "a non-empty text"
        elif isinstance(rule, tuple) and isinstance(rule[0], type):
            kind, lo, hi = rule
            number = isinstance(value, (int, float)) and not isinstance(value, bool) and (kind is float or isinstance(value, int))
            ok = number and lo <= value <= hi  # NaN fails both comparisons
            want = f"a whole number from {lo:,} to {hi:,}" if kind is int else f"a number from {lo:g} to {hi:g}"
        else:
            ok, want = value in rule, f"one of {', '.join(rule)}"
        if not ok:
            return f"dataset '{name}': option '{key}' must be {want}, not {quote(value)}"
    return None


class DatasetSpec(_Strict):
    name: Annotated[str, Field(min_length=1)]
    size: Annotated[int, Field(ge=8, le=512)] = 64
    options: dict[str, Any] = Field(default_factory=dict)
    val: Annotated[int, Field(ge=2)] | None = None  # cap on validation images (a fixed subsample)
    test: Annotated[int, Field(ge=2)] | None = None  # cap on test images (a fixed subsample)

    @model_validator(mode="after")
    def _options(self) -> DatasetSpec:
        problem = dataset_option_problem(self.name, self.options)
        if problem:
            raise ValueError(problem)
        return self


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
    backs: list[Annotated[str, Field(min_length=1)]] | None = None  # ids of the lab's `questions` it is registered for


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
    checks: Annotated[list[ClaimSpec], BeforeValidator(_claims)] = Field(default_factory=list)  # reported, never judged into the verdict
    show: list[str] = Field(default_factory=list)  # extra metric columns in the end table

    @field_validator("show")
    @classmethod
    def _show(cls, value: list[str]) -> list[str]:
        known = metric_help()
        for metric in value:
            if metric not in known:
                raise ValueError(f"unknown metric '{metric}' (metrics: {', '.join(known)})")
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
    """A validated lab. `arm_configs(profile)` gives each arm's merged configuration. Its claims and checks
    carry their plain words (`says`) and the questions they back (`backs`)."""

    file: LabFile
    raw: dict[str, Any]
    path: str
    claims: list[Claim]
    checks: list[Claim] = field(default_factory=list)

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

    def dataset_key(self, cfg: CoreSettings) -> str:
        if self.file.dataset is not None:
            return DEFAULT_DATASET
        return cfg.dataset or next(iter(self.raw["datasets"]))

    def arm_configs(self, profile: str = "quick", arms: list[str] | None = None) -> dict[str, CoreSettings]:
        prof = self.profile(profile)
        names = self.arm_names if arms is None else arms
        if not names:
            raise LabError(f"lab '{self.id}': no arm to run (arms: {', '.join(self.arm_names)})")
        unknown = [a for a in names if a not in self.file.arms]
        if unknown:
            raise LabError(f"lab '{self.id}' has no arm '{unknown[0]}' (arms: {', '.join(self.arm_names)})")
        out = {}
        for name in names:
            merged = _merge(self.file.defaults, prof.defaults, self.file.arms[name] or {}, prof.arms.get(name, {}))
            try:
                out[name] = merged_arm(merged)
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
    if not any(key in data for key in LAB_KEYS):  # some other file: say so, never echo its lines as field names
        raise SpecError([doc.problem((), "not a lab file (none of id, title, summary, dataset, arms, claims)")])
    try:
        labfile = LabFile.model_validate(data)
    except ValidationError as exc:
        raise SpecError(yamlsrc.pydantic_problems(doc, exc)) from None
    check = _Checker(doc, labfile)
    check.arms()
    for pname, prof in labfile.profiles.items():
        check.profile(pname, prof)
    claims, checks = check.claims("claims"), check.claims("checks")
    check.backs()
    if not check.problems:  # merged configurations must also be valid for every profile
        check.merged(Lab(labfile, data, doc.file, claims, checks))
    if check.problems:
        raise SpecError(check.problems)
    return Lab(labfile, data, doc.file, claims, checks)


class _Checker:
    """The checks that need the whole file (fragments where they are written, references, merged layers);
    every problem found is kept with its line."""

    def __init__(self, doc: yamlsrc.Located, labfile: LabFile):
        self.doc, self.data, self.labfile = doc, doc.data, labfile
        self.problems: list[Problem] = []
        self.dataset_names = list(labfile.datasets or {})

    def add(self, loc: tuple, message: str) -> None:
        self.problems.append(self.doc.problem(loc, message))

    def fragment(self, loc: tuple, value: Any, what: str) -> None:
        if value is None:
            return
        if not isinstance(value, dict):
            self.add(loc, f"{what} must be a mapping of settings")
            return
        try:
            validate_settings(value)
        except ValidationError as exc:
            self.problems.extend(_problems(self.doc, exc, base=loc))

    def dataset_ref(self, loc: tuple, value: Any) -> None:
        ref = value.get("dataset") if isinstance(value, dict) else None
        if ref is None:
            return
        if self.labfile.datasets is None:
            self.add(loc + ("dataset",), "this lab has one `dataset`; arms can pick one only from named `datasets`")
        elif ref not in self.dataset_names:
            self.add(loc + ("dataset",), f"unknown dataset '{ref}' (datasets: {', '.join(self.dataset_names)})")

    def arms(self) -> None:
        self.fragment(("defaults",), self.data.get("defaults"), "defaults")
        self.dataset_ref(("defaults",), self.data.get("defaults"))
        for name, arm in self.labfile.arms.items():
            loc = ("arms", name)
            if not isinstance(name, str) or not re.match(ARM_NAME, name):
                self.add(loc, f"arm name '{name}' must be lower-case letters, digits and _ (it is used in claims)")
            self.fragment(loc, arm, f"arm '{name}'")
            self.dataset_ref(loc, arm)

    def profile(self, pname: str, prof: Profile) -> None:
        base = ("profiles", pname)
        self.fragment(base + ("defaults",), prof.defaults, "profile defaults")
        self.dataset_ref(base + ("defaults",), prof.defaults)
        if prof.dataset:
            if self.labfile.dataset is None:
                self.add(base + ("dataset",), "this lab has named `datasets`: override them under `datasets: {NAME: ...}`")
            else:
                self.dataset_override(base + ("dataset",), self.data["dataset"], prof.dataset)
        for dname, override in prof.datasets.items():
            if dname not in self.dataset_names:
                self.add(base + ("datasets", dname), f"unknown dataset '{dname}' (datasets: {', '.join(self.dataset_names) or 'none'})")
                continue
            self.dataset_override(base + ("datasets", dname), self.data["datasets"][dname], override)
        for aname, arm in prof.arms.items():
            if aname not in self.labfile.arms:
                self.add(base + ("arms", aname), f"profile '{pname}' overrides unknown arm '{aname}'")
            else:
                self.fragment(base + ("arms", aname), arm, f"profile arm '{aname}'")
                self.dataset_ref(base + ("arms", aname), arm)

    def dataset_override(self, loc: tuple, dataset: Any, override: dict[str, Any]) -> None:
        try:
            DatasetSpec.model_validate(_merge(dataset, override))
        except ValidationError as exc:
            self.problems.extend(_problems(self.doc, exc, base=loc))

    def claims(self, key: str) -> list[Claim]:
        """The claims (or checks) parsed, each with its plain words and the questions it backs."""
        out = []
        for i, spec in enumerate(getattr(self.labfile, key)):
            loc = (key, i) if isinstance(self.data[key][i], str) else (key, i, "claim")
            try:
                claim = parse_claim(spec.claim)
            except ClaimSyntaxError as exc:
                self.add(loc, f"claim {quote(spec.claim, 160)}: {exc}")
                continue
            for msg in check_refs(claim, list(self.labfile.arms), list(metric_help())):
                self.add(loc, msg)
            if not claim.refs():
                self.add(loc, f"claim {quote(spec.claim, 160)} compares no arm metric")
            for q in spec.backs or []:
                if q not in self.labfile.questions:
                    self.add((key, i, "backs"), f"`backs` names '{q}', which is not one of the lab's `questions` "
                             f"({', '.join(self.labfile.questions) or 'none'})")
            out.append(dataclasses.replace(claim, says=spec.says, backs=tuple(spec.backs or ())))
        return out

    def backs(self, rules: str | None = None) -> None:
        """A claim is registered for the questions it backs: every claim backs a linked question, and every
        linked question is backed by a claim (see BACKS_RULES); a lab that links no question has none to back."""
        rules = BACKS_RULES if rules is None else rules
        specs, questions = self.labfile.claims, self.labfile.questions
        complete = all(spec.backs is not None for spec in specs)
        if not questions or rules == "off" or (rules == "complete" and not complete):
            return
        for i, spec in enumerate(specs):
            if not spec.backs:
                loc = ("claims", i) if isinstance(self.data["claims"][i], str) else ("claims", i, "claim")
                self.add(loc, f"claim {quote(spec.claim, 160)} backs no question: give `backs: [QUESTION, ...]` "
                         f"(questions: {', '.join(questions)})")
        backed = {q for spec in specs for q in spec.backs or []}
        for j, q in enumerate(questions):
            if q not in backed:
                self.add(("questions", j), f"question '{q}' is backed by no claim: name it in a claim's `backs`, "
                         "or unlink it")

    def merged(self, lab: Lab) -> None:
        labfile = self.labfile
        broken: set[str] = set()  # an arm broken in every profile is said once, for the first
        for pname in lab.profile_names():
            for name in labfile.arms:
                if name in broken:
                    continue
                before = len(self.problems)
                merged = _merge(labfile.defaults, lab.profile(pname).defaults, labfile.arms[name] or {},
                                lab.profile(pname).arms.get(name, {}))
                try:
                    cfg = merged_arm(merged)
                    dataset = lab.datasets(pname)[lab.dataset_key(cfg)]
                    kinds().check_data(cfg, dataset.size)
                    problem = domain_problem(cfg, dataset.name)
                    if problem:
                        raise ValueError(problem)
                except ValidationError as exc:
                    msg = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
                    self.add(("arms", name), f"arm '{name}' in profile '{pname}': {msg}")
                except ValueError as exc:
                    self.add(("arms", name), f"arm '{name}' in profile '{pname}': {exc}")
                if len(self.problems) > before:
                    broken.add(name)


def backs_problems(path: Path | str) -> list[Problem]:
    """The `backs` rules' problems in a lab file that is otherwise valid, whatever BACKS_RULES says."""
    doc = yamlsrc.load(Path(path), _display(Path(path)))
    check = _Checker(doc, LabFile.model_validate(doc.data))
    check.backs("all")
    return check.problems


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
