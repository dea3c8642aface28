"""Domain splits: an arm trained on one domain of a dataset and judged on another (the `domain` arm setting,
tutor/lab/spec/settings.py `DomainSplit`).

A question about a new camera or a second supplier asks what a model trained on one kind of image does on
another, and what closes the gap. elpv's images have such domains: its cell types, monocrystalline (`mono`)
and polycrystalline (`poly`), which look different under electroluminescence (grain boundaries, cell shape).
The fixed splits (tutor/lab/data/datasets.py) stay as they are, stratified by label x cell type; a domain split
only takes parts of them:

- `train: D`: the arm's training images are drawn (stratified, by the seed, as always) from domain D's part of
  the training pool;
- `eval: E`: validation and test hold only domain E's images;
- `add: N`: N labelled images of domain E, drawn from the training pool's images not already drawn, stratified
  by class on a random stream of their own (`ADD_SALT`), join the training set.

So arms of one seed with the same `train` train on the same D images, and arms that also share `eval` and `add`
add the same E images: "D only" and "D + N of E" differ by exactly the added images. Frozen features and
cached activations are computed for every image of the dataset and indexed by these indices, so their cache
(tutor/lab/data/features.py, keyed by the whole dataset) serves every domain split unchanged.
"""

from __future__ import annotations

import numpy as np

from tutor.lab.errors import LabError

ADD_SALT = 0xD0A1  # the added images' own random stream, apart from the core draw's


def domains_of(ds) -> np.ndarray:
    """Every image's domain name (`ds` an ImageSet); one clean line when the dataset has none."""
    if ds.domains is None:
        raise LabError(f"domain: dataset '{ds.name}' has no domains (elpv has: its cell types mono and poly)")
    return ds.domains


def part(indices: np.ndarray, ds, name: str) -> np.ndarray:
    """The indices among `indices` whose image belongs to domain `name` (sorted as given)."""
    names = domains_of(ds)
    if name not in set(names.tolist()):
        raise LabError(f"domain: '{name}' is not a domain of {ds.name} (domains: {', '.join(sorted(set(names.tolist())))})")
    indices = np.asarray(indices, dtype=np.int64)
    return indices[names[indices] == name]


def held_out(indices: np.ndarray, ds, name: str | None, split: str) -> np.ndarray:
    """A validation or test split restricted to the `eval` domain (None: unchanged); never empty."""
    if name is None:
        return indices
    got = part(indices, ds, name)
    if len(got) == 0:
        raise LabError(f"domain: the {split} split of {ds.name} has no '{name}' images")
    return got


def add_seed(seed: int) -> int:
    """The added images' seed: its own stream, fixed by the arm's seed."""
    return int(np.random.SeedSequence([int(seed), ADD_SALT]).generate_state(1)[0])


def with_added(drawn: np.ndarray, pool: np.ndarray, ds, name: str, n: int, seed: int) -> np.ndarray:
    """`drawn` plus `n` labelled images of domain `name` from the training `pool` (not already drawn), stratified
    by class and fixed by the seed; sorted. One clean line when the pool cannot give them."""
    from tutor.lab.data.datasets import sample

    drawn = np.asarray(drawn, dtype=np.int64)
    left = np.setdiff1d(part(pool, ds, name), drawn)
    if n > len(left):
        raise LabError(f"domain: add {n:,} asks for more labelled '{name}' images than {ds.name}'s training pool has "
                       f"left for it ({len(left):,})")
    if n == 0:
        return drawn
    return np.sort(np.concatenate([drawn, sample(left, ds.y, n=n, seed=add_seed(seed))]))
