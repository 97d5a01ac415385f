"""KID and Inception Score: hand-computed values and agreement with torchmetrics."""

import itertools

import numpy as np
import pytest
import scipy.stats
import torch

from ganhacks.errors import UserError
from ganhacks.metrics.inception_score import inception_score
from ganhacks.metrics.kid import kid, mmd2_unbiased

pytestmark = [
    pytest.mark.filterwarnings("ignore:Metric .* will save all extracted features:UserWarning"),
    pytest.mark.filterwarnings("ignore:std\\(\\):UserWarning"),
]


class Same(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.num_features = d

    def forward(self, x):
        return x


def test_mmd2_unbiased_matches_explicit_double_sums():
    g = np.random.default_rng(0)
    x, y = g.normal(size=(7, 3)), g.normal(size=(5, 3)) + 0.5

    def k(a, b):  # (a.b / D + 1)^3
        return (a @ b / 3 + 1) ** 3

    xx = sum(k(x[i], x[j]) for i, j in itertools.permutations(range(7), 2)) / (7 * 6)
    yy = sum(k(y[i], y[j]) for i, j in itertools.permutations(range(5), 2)) / (5 * 4)
    xy = sum(k(a, b) for a in x for b in y) / (7 * 5)
    got = mmd2_unbiased(torch.from_numpy(x), torch.from_numpy(y))
    assert got == pytest.approx(xx + yy - 2 * xy, rel=1e-12)


def test_kid_with_one_full_subset_equals_torchmetrics():
    from torchmetrics.image.kid import KernelInceptionDistance

    g = torch.Generator().manual_seed(0)
    real = torch.randn(300, 16, generator=g, dtype=torch.float64)
    fake = 0.3 + 1.2 * torch.randn(300, 16, generator=g, dtype=torch.float64)
    ref = KernelInceptionDistance(feature=Same(16), subsets=1, subset_size=300)
    ref.update(real, real=True)
    ref.update(fake, real=False)
    mean, std = kid(fake, real, subsets=1, subset_size=300)
    assert mean == pytest.approx(float(ref.compute()[0]), rel=1e-6)
    assert std == 0.0


def test_kid_subsets_are_torchmetrics_poly_mmd_on_the_same_rows():
    from torchmetrics.image.kid import poly_mmd

    g = torch.Generator().manual_seed(1)
    real = torch.randn(400, 8, generator=g, dtype=torch.float64)
    fake = torch.randn(500, 8, generator=g, dtype=torch.float64) * 0.8
    mean, std = kid(fake, real, subsets=5, subset_size=100, seed=3)
    gen = torch.Generator().manual_seed(3)  # replay the subset draws
    ref = []
    for _ in range(5):
        i = torch.randperm(500, generator=gen)[:100]
        j = torch.randperm(400, generator=gen)[:100]
        ref.append(float(poly_mmd(real[j], fake[i])))
    assert mean == pytest.approx(np.mean(ref), rel=1e-6)
    assert std == pytest.approx(np.std(ref), rel=1e-6)


def test_kid_is_near_zero_for_one_distribution_and_positive_for_two():
    g = torch.Generator().manual_seed(2)
    a, b = torch.randn(1000, 8, generator=g), torch.randn(1000, 8, generator=g)
    same, same_std = kid(a, b, subsets=10, subset_size=300)
    shifted, _ = kid(a + 0.5, b, subsets=10, subset_size=300)
    assert abs(same) < 3 * same_std + 1e-3
    assert shifted > 20 * max(same_std, 1e-4)


def test_is_extremes():
    confident_uniform = torch.eye(10).repeat(30, 1).double()
    assert inception_score(confident_uniform, splits=3)[0] == pytest.approx(10.0)
    one_class = torch.zeros(100, 10, dtype=torch.float64)
    one_class[:, 4] = 1
    assert inception_score(one_class, splits=2) == pytest.approx((1.0, 0.0))


def test_is_matches_scipy_entropy_per_split():
    g = torch.Generator().manual_seed(0)
    p = torch.softmax(3 * torch.randn(1000, 10, generator=g, dtype=torch.float64), 1)
    mean, std = inception_score(p, splits=4)
    scores = []
    for chunk in np.array_split(p.numpy(), 4):
        marginal = chunk.mean(0)
        scores.append(np.exp(np.mean([scipy.stats.entropy(row, marginal) for row in chunk])))
    assert mean == pytest.approx(np.mean(scores), rel=1e-9)
    assert std == pytest.approx(np.std(scores), rel=1e-9)


@pytest.mark.parametrize("splits", [1, 10])
def test_is_equals_torchmetrics_on_identical_probabilities(splits):
    from torchmetrics.image.inception import InceptionScore

    g = torch.Generator().manual_seed(splits)
    p = torch.softmax(2 * torch.randn(1000, 10, generator=g, dtype=torch.float64), 1)
    ref = InceptionScore(feature=Same(10), splits=splits)
    ref.update(p.log())  # torchmetrics applies softmax; softmax(log p) = p
    torch.manual_seed(7)
    ref_mean, ref_std = (float(v) for v in ref.compute())
    torch.manual_seed(7)
    order = torch.randperm(1000)  # torchmetrics shuffles before splitting: replay its order
    mean, std = inception_score(p[order], splits=splits)
    assert mean == pytest.approx(ref_mean, rel=1e-6)
    if splits > 1:  # torchmetrics reports the ddof=1 std, we the original ddof=0
        assert std * np.sqrt(splits / (splits - 1)) == pytest.approx(ref_std, rel=1e-6)


def test_is_rejects_logits_and_kid_needs_pairs():
    with pytest.raises(UserError, match="apply softmax"):
        inception_score(torch.randn(20, 10))
    with pytest.raises(UserError, match="KID needs at least 2 fake samples"):
        kid(torch.randn(1, 4), torch.randn(10, 4))
