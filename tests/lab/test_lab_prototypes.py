"""The nearest-prototype classifier (few-shot lab) on toy embeddings where the answer is known."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tutor.lab.kinds import prototype as prototypes  # noqa: E402


def test_prototypes_are_class_means():
    x = torch.tensor([[0.0, 2.0], [2.0, 0.0], [4.0, 4.0], [6.0, 4.0]])
    y = torch.tensor([0, 0, 1, 1])
    assert torch.allclose(prototypes.class_prototypes(x, y, 3), torch.tensor([[1.0, 1.0], [5.0, 4.0], [0.0, 0.0]]))


def test_cosine_and_euclidean_disagree_where_they_should():
    # prototype 0 points the same way as the query but is far; prototype 1 is near but points elsewhere
    protos = torch.tensor([[10.0, 0.0], [1.0, 1.0]])
    query = torch.tensor([[2.0, 0.0]])
    assert prototypes.classify(query, protos, "cosine").item() == 0
    assert prototypes.classify(query, protos, "euclidean").item() == 1
    s = prototypes.scores(query, protos, "cosine")
    assert s[0, 0].item() == pytest.approx(1.0) and s[0, 1].item() == pytest.approx(2 ** -0.5)
    assert prototypes.scores(query, protos, "euclidean")[0, 1].item() == pytest.approx(-(2 ** 0.5))
    with pytest.raises(ValueError):
        prototypes.scores(query, protos, "manhattan")


def test_episodes_on_separable_clusters():
    g = torch.Generator().manual_seed(0)
    centres = torch.tensor([[5.0, 0.0, 0.0], [0.0, 5.0, 0.0], [0.0, 0.0, 5.0]])
    y = torch.arange(3).repeat_interleave(20)
    x = centres[y] + 0.3 * torch.randn(60, 3, generator=g)
    accs = prototypes.episodes(x, y, {"val": (x, y)}, shots=1, metric="cosine", n_episodes=5, num_classes=3, seed=1)
    assert accs["support"] == [1.0] * 5 and min(accs["val"]) == 1.0
    again = prototypes.episodes(x, y, {"val": (x, y)}, shots=1, metric="euclidean", n_episodes=5, num_classes=3, seed=1)
    assert again["val"] == accs["val"]  # a seed fixes the support sets


def test_support_indices_draw_shots_per_class():
    labels = np.array([0] * 10 + [1] * 10 + [2] * 10)
    idx = prototypes.support_indices(labels, 5, np.random.default_rng(0))
    assert sorted(np.bincount(labels[idx]).tolist()) == [5, 5, 5]
    assert len(set(idx.tolist())) == 15
