"""The faster fractal generator makes the same classes and images, bit for bit, as the first one (v1).

`Reference` below is v1's code for what was rewritten for speed (the chaos game, the rasteriser, the
prototype, the distinctness search): the definition the fast code must match. Both run in this process, so
they share the CPU's BLAS and SIMD kernels (which decide the last bits, differently on another CPU): an
exact comparison that holds on any machine. Every shipped lab's dataset, at its real size, is hashed old
against new by `benchmarks/bench_lab_data.py --against REV`.
"""

import numpy as np
import pytest

from tutor.lab.data import fractals


class Reference:
    """fractals.py v1 (commit 9d1f987): interleaved (B, K, 2) points, a (B, P, 6) gather, every prototype
    blurred again for every candidate class."""

    @staticmethod
    def chaos_game(coefs, cum, rng, points, iters, burn):
        bsz, m, _ = coefs.shape
        flat = coefs.reshape(bsz * m, 6).astype(np.float32)
        base = (np.arange(bsz, dtype=np.int64) * m)[:, None]
        x = rng.uniform(-0.5, 0.5, size=(bsz, points)).astype(np.float32)
        y = rng.uniform(-0.5, 0.5, size=(bsz, points)).astype(np.float32)
        out = np.empty((bsz, iters - burn, points, 2), dtype=np.float32)
        cum32 = cum.astype(np.float32)
        for t in range(iters):
            u = rng.random((bsz, points), dtype=np.float32)
            k = np.zeros((bsz, points), dtype=np.int64)
            for j in range(m - 1):
                k += u > cum32[:, j : j + 1]
            c = flat[base + k]
            x, y = c[..., 0] * x + c[..., 1] * y + c[..., 4], c[..., 2] * x + c[..., 3] * y + c[..., 5]
            if t >= burn:
                out[:, t - burn, :, 0] = x
                out[:, t - burn, :, 1] = y
        return out.reshape(bsz, -1, 2)

    @staticmethod
    def rasterise(pts, size, scale, shift, flip, tail):
        bsz = pts.shape[0]
        late = pts[:, -tail:, :]
        lo, hi = late.min(axis=1), late.max(axis=1)
        centre = (lo + hi) / 2
        extent = np.maximum((hi - lo).max(axis=1), 1e-6)
        mult = (scale / extent * size).astype(np.float32)
        sign = np.where(flip, -1.0, 1.0).astype(np.float32)
        off_x = ((shift[:, 0] + 0.5) * size).astype(np.float32)
        off_y = ((shift[:, 1] + 0.5) * size).astype(np.float32)
        px = np.floor((pts[..., 0] - centre[:, 0:1].astype(np.float32)) * (mult * sign)[:, None] + off_x[:, None]).astype(np.int64)
        py = np.floor((pts[..., 1] - centre[:, 1:2].astype(np.float32)) * mult[:, None] + off_y[:, None]).astype(np.int64)
        ok = (px >= 0) & (px < size) & (py >= 0) & (py < size)
        flat = (np.arange(bsz, dtype=np.int64)[:, None] * (size * size) + py * size + px)[ok]
        counts = np.bincount(flat, minlength=bsz * size * size).reshape(bsz, size, size).astype(np.float32)
        img = np.log1p(counts)
        peak = img.reshape(bsz, -1).max(axis=1)
        return img / np.maximum(peak, 1e-6)[:, None, None]

    @staticmethod
    def prototype(cls, size=fractals.PROTO_SIZE, seed=0):
        rng = np.random.default_rng(seed)
        pts = Reference.chaos_game(cls.coefs[None], np.cumsum(cls.probs)[None], rng, points=400, iters=30, burn=6)
        return Reference.rasterise(pts, size, np.array([0.9]), np.zeros((1, 2)), np.array([False]), tail=400 * 4)[0]

    @staticmethod
    def sample_classes(n, seed, *, exclude=None, max_similarity=fractals.MAX_SIMILARITY):
        rng = np.random.default_rng(seed)
        blocked = [Reference.prototype(c) for c in (exclude or [])]
        kept, kept_protos, tries = [], [], 0
        while len(kept) < n:
            tries += 1
            if tries > 200 * n + 1000:
                raise RuntimeError(f"could not find {n} distinct fractal classes (seed {seed}); lower the count")
            cls = fractals._random_ifs(rng)
            proto = Reference.prototype(cls)
            fill = float((proto > 0).mean())
            if not fractals.MIN_FILL <= fill <= fractals.MAX_FILL:
                continue
            others = blocked + kept_protos
            if others and fractals.similarity([proto], others).max() >= max_similarity:
                continue
            kept.append(cls)
            kept_protos.append(proto)
        return kept


@pytest.fixture
def v1(monkeypatch):
    """Switch the module to v1's pieces (render, source_classes and check_distinct then run v1's code)."""

    def use():
        monkeypatch.setattr(fractals, "_chaos_game", Reference.chaos_game)
        monkeypatch.setattr(fractals, "_rasterise", Reference.rasterise)
        monkeypatch.setattr(fractals, "prototype", Reference.prototype)
        monkeypatch.setattr(fractals, "sample_classes", Reference.sample_classes)

    return use


def _draw(source_n: int, new_n: int) -> dict[str, np.ndarray]:
    """What a fractals dataset is made of: source and new classes, their prototypes, the check, images."""
    fractals._prototype.cache_clear()
    source = fractals.source_classes(source_n)
    new = fractals.sample_classes(new_n, fractals.NEW_CLASS_SEED, exclude=source)
    out = {"coefs": np.concatenate([c.coefs.ravel() for c in source + new]),
           "probs": np.concatenate([c.probs for c in source + new]),
           "protos": np.stack([fractals.prototype(c) for c in new]),
           "worst": np.float64(fractals.check_distinct(new, source))}
    for name, kw in {"32-jitter": {"size": 32, "jitter_sd": 0.1}, "64": {"size": 64},
                     "96-plain": {"size": 96, "jitter": False}}.items():
        out[f"x-{name}"], out[f"y-{name}"] = fractals.render(new, 3, seed=2, **kw)
    return out


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].dtype == b[name].dtype and a[name].shape == b[name].shape, name
        assert a[name].tobytes() == b[name].tobytes(), f"{name} differs from v1's"


def test_classes_prototypes_and_images_are_v1s_bit_for_bit(v1):
    new = _draw(20, 6)
    v1()
    _same(new, _draw(20, 6))


def test_a_prototype_is_shared_read_only_and_equal_to_v1s():
    cls = fractals.sample_classes(2, seed=3)
    p = fractals.prototype(cls[1])
    assert fractals.prototype(cls[1]) is p and not p.flags.writeable
    assert p.tobytes() == Reference.prototype(cls[1]).tobytes()
    assert fractals.prototype(cls[1], size=48, seed=1).tobytes() == Reference.prototype(cls[1], size=48, seed=1).tobytes()


@pytest.mark.slow
def test_the_shipped_near_domain_is_v1s_bit_for_bit(v1):
    """domain-similarity's, few-shot's and output-layer's near domain: 20 new classes against the 100 source
    classes, 150 images each at 32 px with jitter 0.1 (about 3 s here, 6 s with v1)."""
    from tutor.lab.data import datasets

    def build():
        fractals._prototype.cache_clear()
        return datasets._spec("fractals", 32, {"classes": 20, "jitter": 0.1})[1]()

    new = build()
    v1()
    _same(new, build())
