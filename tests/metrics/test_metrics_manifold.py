"""Precision, recall, F1, density, coverage: agreement with the reference prdc package and hand-made cases."""

import contextlib
import io

import pytest
import torch

from ganhacks.errors import UserError
from ganhacks.metrics import manifold
from ganhacks.metrics.manifold import knn_radii, manifold_metrics


def _prdc(real, fake, k):
    from prdc import compute_prdc

    with contextlib.redirect_stdout(io.StringIO()):  # prdc prints the sample sizes
        return compute_prdc(real.numpy(), fake.numpy(), k)


@pytest.mark.parametrize(("seed", "k", "shift"), [(0, 5, 0.0), (1, 3, 0.7), (2, 10, 1.5)])
def test_equals_prdc_on_identical_features(seed, k, shift):
    g = torch.Generator().manual_seed(seed)
    real = torch.randn(700, 12, generator=g, dtype=torch.float64)
    fake = shift + 1.3 * torch.randn(500, 12, generator=g, dtype=torch.float64)
    ours, ref = manifold_metrics(fake, real, k), _prdc(real, fake, k)
    for key in ("precision", "recall", "density", "coverage"):
        assert ours[key] == pytest.approx(float(ref[key]), abs=1e-12), key
    p, r = ours["precision"], ours["recall"]
    assert ours["f1"] == pytest.approx(2 * p * r / (p + r))


def test_chunking_does_not_change_results(monkeypatch):
    g = torch.Generator().manual_seed(3)
    real, fake = torch.randn(300, 5, generator=g), torch.randn(200, 5, generator=g) + 0.4
    whole = manifold_metrics(fake, real, 4)
    monkeypatch.setattr(manifold, "CHUNK_ELEMENTS", 1000)  # a few rows per chunk
    assert manifold_metrics(fake, real, 4) == whole


def test_knn_radii_on_a_line():
    x = torch.tensor([[0.0], [1.0], [3.0], [7.0]])
    torch.testing.assert_close(knn_radii(x, 1), torch.tensor([1.0, 1.0, 2.0, 4.0]))
    torch.testing.assert_close(knn_radii(x, 2), torch.tensor([3.0, 2.0, 3.0, 6.0]))


def test_far_apart_sets_score_zero_and_a_fake_inside_scores_its_balls():
    real = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    far = real + 100
    out = manifold_metrics(far, real, k=1)
    assert out == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "density": 0.0, "coverage": 0.0}
    # radius of every real point (k=1) is 1; a fake at the centre (0.5, 0.5) lies in all 4 balls
    fake = torch.tensor([[0.5, 0.5], [50.0, 50.0]])
    out = manifold_metrics(fake, real, k=1)
    assert out["precision"] == 0.5  # one of two fakes is inside the real manifold
    assert out["density"] == 2.0  # (4 balls + 0 balls) / (k * 2 fakes)
    assert out["coverage"] == 1.0  # every real ball holds the centre fake


def test_too_few_samples_for_k_says_how_many():
    with pytest.raises(UserError, match=r"at least 6 fake samples \(k=5"):
        manifold_metrics(torch.randn(5, 3), torch.randn(50, 3), k=5)
