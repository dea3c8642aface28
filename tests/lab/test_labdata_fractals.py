"""The fractal generator: deterministic per seed, and new classes distinct from the pretraining source."""

import numpy as np
import pytest

from tutor.lab.data import fractals


def test_classes_and_images_are_deterministic_for_a_seed():
    a = fractals.sample_classes(4, seed=5)
    b = fractals.sample_classes(4, seed=5)
    c = fractals.sample_classes(4, seed=6)
    assert all(np.array_equal(p.coefs, q.coefs) for p, q in zip(a, b))
    assert not np.array_equal(a[0].coefs, c[0].coefs)
    x1, y1 = fractals.render(a, 6, size=32, seed=1)
    x2, y2 = fractals.render(a, 6, size=32, seed=1)
    x3, _ = fractals.render(a, 6, size=32, seed=2)
    assert x1.shape == (24, 32, 32) and x1.dtype == np.uint8
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert not np.array_equal(x1, x3)
    assert list(np.bincount(y1)) == [6, 6, 6, 6]


def test_images_are_well_formed():
    x, _ = fractals.render(fractals.sample_classes(3, seed=9), 10, size=64, seed=0)
    fill = (x > 0).mean(axis=(1, 2))
    assert x.max() == 255 and 0.01 < fill.min() and fill.max() < 0.9


def test_new_classes_are_distinct_from_the_source():
    source = fractals.source_classes(100)
    new = fractals.new_classes(10)
    worst = fractals.check_distinct(new, source)
    assert worst < fractals.MAX_SIMILARITY
    # and the source itself has no near-duplicates
    protos = [fractals.prototype(c) for c in source]
    sim = fractals.similarity(protos, protos)
    np.fill_diagonal(sim, -1)
    assert sim.max() < fractals.MAX_SIMILARITY


def test_the_check_catches_a_copied_class():
    source = fractals.source_classes(5)
    jittered = fractals.IFSClass(coefs=source[2].coefs * 1.01, probs=source[2].probs)
    with pytest.raises(ValueError, match="near-copy"):
        fractals.check_distinct([jittered], source)
    with pytest.raises(ValueError):
        fractals.new_classes(3, seed=fractals.SOURCE_SEED)


def test_a_wider_jitter_spreads_a_class_more():
    """`jitter_sd` (the fractals dataset's `jitter` option) makes the images of one class differ more."""
    cls = fractals.sample_classes(1, seed=5)

    def spread(sd: float) -> float:
        x, _ = fractals.render(cls, 12, size=32, seed=3, jitter_sd=sd)
        flat = x.reshape(len(x), -1).astype(np.float64)
        return float(np.mean(np.abs(flat - flat.mean(axis=0))))

    assert spread(0.15) > spread(fractals.JITTER)
    default, _ = fractals.render(cls, 4, size=32, seed=3)
    same, _ = fractals.render(cls, 4, size=32, seed=3, jitter_sd=fractals.JITTER)
    assert np.array_equal(default, same)  # the default is the old generator, image for image
