"""Formula-driven fractal image classes (FractalDB-style iterated function systems), vectorised numpy.

A *class* is an iterated function system (IFS): 2-4 random contractive affine maps
`p -> A p + b` (A = R(theta) diag(s1, ±s2) R(phi), singular values in [0.25, 0.85], b in [-1, 1]^2),
each chosen with probability proportional to |det A|. An *image* of the class is its attractor, drawn
by the chaos game, after a per-image jitter: every coefficient perturbed by a few percent, a random
horizontal flip, a random scale and shift in the canvas. Pixel value = log-density of the visited points.

Classes are drawn from a seeded generator and kept only when they are
- well-formed: the prototype (un-jittered attractor at 32 px) covers 4-60 % of the canvas, and
- distinct: the prototype's similarity (`similarity`: cosine of the blurred 32 px images, best over a
  horizontal flip, since images are flipped at random) to every class already kept, and to every class
  in `exclude`, is below `MAX_SIMILARITY`.
The pretraining source is `SOURCE_SEED`; new target classes ("fractals" dataset) come from
`NEW_CLASS_SEED` and are drawn with the whole source as `exclude`, so no new class coincides with (or
is a near-copy of) a class the backbone was pretrained on. `check_distinct` re-verifies this.
Everything is a pure function of the seeds: the same seed gives the same classes and images.
Speed without new images: each prototype is drawn once per process and blurred once as it is kept (the
search used to redo both for every candidate: quadratic in the classes), and the chaos game gathers each
coefficient from its own column and keeps x and y apart; v1's arithmetic, order and random draws are kept,
so every class and image is v1's bit for bit (tests/lab/test_labdata_fractals_identical.py;
benchmarks/bench_lab_data.py --against REV hashes every shipped lab's dataset both ways).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

SOURCE_SEED = 20240
NEW_CLASS_SEED = 77031
PROTO_SIZE = 32
MAX_SIMILARITY = 0.80
MIN_FILL, MAX_FILL = 0.04, 0.60
VERSION = 1  # bump when the generator changes (it is part of every cache key)


@dataclass(frozen=True)
class IFSClass:
    coefs: np.ndarray  # (M, 6): a, b, c, d, e, f for x' = a x + b y + e, y' = c x + d y + f
    probs: np.ndarray  # (M,) map probabilities, sum 1


def _rot(t: float) -> np.ndarray:
    return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])


def _random_ifs(rng: np.random.Generator) -> IFSClass:
    m = int(rng.integers(2, 5))
    coefs = np.empty((m, 6))
    dets = np.empty(m)
    for i in range(m):
        s1, s2 = rng.uniform(0.25, 0.85, size=2)
        sign = rng.choice([-1.0, 1.0])
        a = _rot(rng.uniform(0, 2 * np.pi)) @ np.diag([s1, sign * s2]) @ _rot(rng.uniform(0, 2 * np.pi))
        coefs[i, :4] = a.ravel()
        coefs[i, 4:] = rng.uniform(-1, 1, size=2)
        dets[i] = abs(np.linalg.det(a))
    probs = (dets + 0.02) / (dets + 0.02).sum()
    return IFSClass(coefs=coefs, probs=probs)


def _chaos_game(coefs: np.ndarray, cum: np.ndarray, rng: np.random.Generator, points: int, iters: int,
                burn: int) -> tuple[np.ndarray, np.ndarray]:
    """coefs (B, M, 6), cum (B, M) cumulative probabilities -> the visited points' x and y, each
    (B, (iters-burn)*points), iteration-major.

    Each coefficient is gathered from its own contiguous column (not a (B, P, 6) block sliced six ways) and
    x and y are kept apart, so every step reads and writes contiguous memory; the arithmetic, its order and
    the random draws are the same as ever (the images are the same bit for bit:
    tests/lab/test_labdata_fractals_identical.py)."""
    bsz, m, _ = coefs.shape
    flat = coefs.reshape(bsz * m, 6).astype(np.float32)
    cols = [np.ascontiguousarray(flat[:, i]) for i in range(6)]
    base = (np.arange(bsz, dtype=np.int64) * m)[:, None]
    x = rng.uniform(-0.5, 0.5, size=(bsz, points)).astype(np.float32)
    y = rng.uniform(-0.5, 0.5, size=(bsz, points)).astype(np.float32)
    xs = np.empty((bsz, iters - burn, points), dtype=np.float32)
    ys = np.empty((bsz, iters - burn, points), dtype=np.float32)
    cum32 = cum.astype(np.float32)
    for t in range(iters):
        u = rng.random((bsz, points), dtype=np.float32)
        k = base + (u > cum32[:, 0:1]) if m > 1 else np.broadcast_to(base, (bsz, points))
        for j in range(1, m - 1):
            k += u > cum32[:, j : j + 1]
        a, b, c, d, e, f = (np.take(col, k) for col in cols)
        x, y = a * x + b * y + e, c * x + d * y + f
        if t >= burn:
            xs[:, t - burn] = x
            ys[:, t - burn] = y
    return xs.reshape(bsz, -1), ys.reshape(bsz, -1)


def _rasterise(pts: tuple[np.ndarray, np.ndarray], size: int, scale: np.ndarray, shift: np.ndarray, flip: np.ndarray,
               tail: int) -> np.ndarray:
    """pts (x, y), each (B, K) -> float32 images (B, size, size) in [0, 1] (log-density, each image max 1).

    The bounding box comes from the last `tail` points (well converged onto the attractor)."""
    xs, ys = pts
    bsz = xs.shape[0]
    lo = np.stack([xs[:, -tail:].min(axis=1), ys[:, -tail:].min(axis=1)], axis=1)  # (B, 2)
    hi = np.stack([xs[:, -tail:].max(axis=1), ys[:, -tail:].max(axis=1)], axis=1)
    centre = (lo + hi) / 2
    extent = np.maximum((hi - lo).max(axis=1), 1e-6)  # keep the aspect ratio
    mult = (scale / extent * size).astype(np.float32)  # (B,)
    sign = np.where(flip, -1.0, 1.0).astype(np.float32)
    off_x = ((shift[:, 0] + 0.5) * size).astype(np.float32)
    off_y = ((shift[:, 1] + 0.5) * size).astype(np.float32)
    px = np.floor((xs - centre[:, 0:1].astype(np.float32)) * (mult * sign)[:, None] + off_x[:, None]).astype(np.int64)
    py = np.floor((ys - centre[:, 1:2].astype(np.float32)) * mult[:, None] + off_y[:, None]).astype(np.int64)
    ok = (px >= 0) & (px < size) & (py >= 0) & (py < size)
    flat = (np.arange(bsz, dtype=np.int64)[:, None] * (size * size) + py * size + px)[ok]
    counts = np.bincount(flat, minlength=bsz * size * size).reshape(bsz, size, size).astype(np.float32)
    img = np.log1p(counts)
    peak = img.reshape(bsz, -1).max(axis=1)
    return img / np.maximum(peak, 1e-6)[:, None, None]


def prototype(cls: IFSClass, size: int = PROTO_SIZE, seed: int = 0) -> np.ndarray:
    """The un-jittered attractor of a class (size x size, float32 in [0, 1]; read-only: it may be shared)."""
    coefs, probs = np.ascontiguousarray(cls.coefs), np.ascontiguousarray(cls.probs)
    return _prototype((coefs.tobytes(), coefs.dtype.str, coefs.shape), (probs.tobytes(), probs.dtype.str), size, seed)


@functools.lru_cache(maxsize=1024)  # at most 4 MB at 32 px: a fractals dataset checks the 100 source classes twice
def _prototype(coefs: tuple[bytes, str, tuple[int, ...]], probs: tuple[bytes, str], size: int, seed: int) -> np.ndarray:
    """`prototype` of a class given by its arrays' bytes, computed once per process."""
    rng = np.random.default_rng(seed)
    c = np.frombuffer(coefs[0], dtype=coefs[1]).reshape(coefs[2])
    p = np.frombuffer(probs[0], dtype=probs[1])
    pts = _chaos_game(c[None], np.cumsum(p)[None], rng, points=400, iters=30, burn=6)
    out = _rasterise(pts, size, np.array([0.9]), np.zeros((1, 2)), np.array([False]), tail=400 * 4)[0]
    out.flags.writeable = False
    return out


def _blur_flat(img: np.ndarray) -> np.ndarray:
    """3x3 box blur, flattened, mean-centred and L2-normalised (a dot product is a correlation)."""
    p = np.pad(img, 1)
    s = sum(p[i : i + img.shape[0], j : j + img.shape[1]] for i in range(3) for j in range(3))
    v = s.ravel().astype(np.float64)
    v = v - v.mean()
    return v / max(np.linalg.norm(v), 1e-12)


def similarity(protos_a: list[np.ndarray], protos_b: list[np.ndarray]) -> np.ndarray:
    """Correlation of blurred prototypes, best over a horizontal flip: (len(a), len(b)) in [-1, 1]."""
    if not protos_a or not protos_b:
        return np.zeros((len(protos_a), len(protos_b)))
    a = np.stack([_blur_flat(p) for p in protos_a])
    b = np.stack([_blur_flat(p) for p in protos_b])
    bf = np.stack([_blur_flat(p[:, ::-1]) for p in protos_b])
    return np.maximum(a @ b.T, a @ bf.T)


class _Blurred:
    """The blurred prototypes a candidate class is compared with (`similarity`'s right-hand side), each blurred
    once as it is kept, not again for every candidate: rows of a growing matrix, in the order they came."""

    def __init__(self, protos: list[np.ndarray]):
        n, dim = len(protos), PROTO_SIZE * PROTO_SIZE
        self.n = 0
        self.b = np.empty((max(n, 16), dim))
        self.bf = np.empty((max(n, 16), dim))
        for p in protos:
            self.add(p)

    def add(self, proto: np.ndarray) -> None:
        if self.n == len(self.b):
            self.b = np.concatenate([self.b, np.empty_like(self.b)])
            self.bf = np.concatenate([self.bf, np.empty_like(self.bf)])
        self.b[self.n] = _blur_flat(proto)
        self.bf[self.n] = _blur_flat(proto[:, ::-1])
        self.n += 1

    def best(self, proto: np.ndarray) -> float:
        """`similarity([proto], protos).max()`: the same products on the same (C-contiguous) rows."""
        a = _blur_flat(proto)[None]
        b, bf = self.b[: self.n], self.bf[: self.n]
        return float(np.maximum(a @ b.T, a @ bf.T).max())


def sample_classes(n: int, seed: int, *, exclude: list[IFSClass] | None = None, max_similarity: float = MAX_SIMILARITY) -> list[IFSClass]:
    """`n` well-formed IFS classes from `seed`, distinct from each other and from `exclude`."""
    rng = np.random.default_rng(seed)
    others = _Blurred([prototype(c) for c in (exclude or [])])
    kept: list[IFSClass] = []
    tries = 0
    while len(kept) < n:
        tries += 1
        if tries > 200 * n + 1000:
            raise RuntimeError(f"could not find {n} distinct fractal classes (seed {seed}); lower the count")
        cls = _random_ifs(rng)
        proto = prototype(cls)
        fill = float((proto > 0).mean())
        if not MIN_FILL <= fill <= MAX_FILL:
            continue
        if others.n and others.best(proto) >= max_similarity:
            continue
        kept.append(cls)
        others.add(proto)
    return kept


JITTER = 0.04  # default sd of the per-image relative perturbation of every IFS coefficient


def render(classes: list[IFSClass], per_class: int, *, size: int = 64, seed: int = 0, jitter: bool = True,
           points: int = 600, iters: int = 24, burn: int = 6, jitter_sd: float = JITTER) -> tuple[np.ndarray, np.ndarray]:
    """`per_class` jittered images of every class: (uint8 images (N, size, size), int64 labels (N,)).

    `jitter_sd` sets how far an image's maps stray from its class's (relative sd of every coefficient, and
    the sd of the offsets): 0.04 keeps a class tight; 0.1-0.2 makes classes overlap, so that a near-domain
    target is no longer separable at a glance (labs that need one off the accuracy ceiling)."""
    rng = np.random.default_rng(seed)
    # more points for bigger images so the density stays comparable
    points = int(points * max(1.0, (size / 64) ** 2))
    xs, ys = [], []
    for label, cls in enumerate(classes):
        coefs = np.repeat(cls.coefs[None], per_class, axis=0)
        if jitter:
            coefs = coefs * (1 + rng.normal(0, jitter_sd, size=coefs.shape))
            coefs[..., 4:] += rng.normal(0, jitter_sd, size=coefs[..., 4:].shape)
            scale = rng.uniform(0.7, 0.95, size=per_class)
            shift = rng.uniform(-1, 1, size=(per_class, 2)) * ((1 - scale) / 2)[:, None]
            flip = rng.random(per_class) < 0.5
        else:
            scale, shift, flip = np.full(per_class, 0.9), np.zeros((per_class, 2)), np.zeros(per_class, bool)
        cum = np.repeat(np.cumsum(cls.probs)[None], per_class, axis=0)
        pts = _chaos_game(coefs, cum, rng, points=points, iters=iters, burn=burn)
        img = _rasterise(pts, size, scale, shift, flip, tail=points * 3)
        xs.append(np.round(img * 255).astype(np.uint8))
        ys.append(np.full(per_class, label, dtype=np.int64))
    return np.concatenate(xs), np.concatenate(ys)


def source_classes(n_classes: int = 100, seed: int = SOURCE_SEED) -> list[IFSClass]:
    """The pretraining source's classes."""
    return sample_classes(n_classes, seed)


def new_classes(n_classes: int = 10, seed: int = NEW_CLASS_SEED, *, source_n: int = 100, source_seed: int = SOURCE_SEED) -> list[IFSClass]:
    """Classes never seen in pretraining: another seed, and checked against every source class."""
    if seed == source_seed:
        raise ValueError("new fractal classes need a generator seed different from the source's")
    return sample_classes(n_classes, seed, exclude=source_classes(source_n, source_seed))


def check_distinct(new: list[IFSClass], source: list[IFSClass], max_similarity: float = MAX_SIMILARITY) -> float:
    """The highest new-vs-source prototype similarity; raises ValueError when it reaches `max_similarity`."""
    worst = float(similarity([prototype(c) for c in new], [prototype(c) for c in source]).max())
    if worst >= max_similarity:
        raise ValueError(f"a new fractal class is a near-copy of a source class (similarity {worst:.2f} >= {max_similarity})")
    return worst
