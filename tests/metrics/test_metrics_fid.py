"""FID: closed forms, agreement with torchmetrics, bad input."""

import numpy as np
import pytest
import scipy.linalg
import torch

from ganhacks.errors import UserError
from ganhacks.metrics.fid import fid, fid_from_moments, gaussian_moments, psd_sqrt, trace_sqrt_product


def _random_cov(d: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(d, d, generator=g, dtype=torch.float64)
    return a @ a.T / d + 0.1 * torch.eye(d, dtype=torch.float64)


def test_fid_of_commuting_gaussians_has_closed_form():
    # diagonal covariances: FID = ||mu1 - mu2||^2 + sum_i (sqrt(a_i) - sqrt(b_i))^2
    a, b = torch.tensor([1.0, 4.0, 9.0]), torch.tensor([4.0, 1.0, 0.25])
    mu1, mu2 = torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, 1.0, -1.0])
    expected = (mu1 - mu2).square().sum() + (a.sqrt() - b.sqrt()).square().sum()
    got = fid_from_moments(mu1, torch.diag(a).double(), mu2, torch.diag(b).double())
    assert got == pytest.approx(float(expected), rel=1e-12)


def test_trace_sqrt_product_matches_scipy_sqrtm_on_non_commuting_covariances():
    s1, s2 = _random_cov(30, 1), _random_cov(30, 2)
    expected = np.trace(scipy.linalg.sqrtm(s1.numpy() @ s2.numpy())).real
    assert float(trace_sqrt_product(s1, s2)) == pytest.approx(expected, rel=1e-10)


def test_psd_sqrt_squares_back():
    s = _random_cov(20, 3)
    r = psd_sqrt(s)
    torch.testing.assert_close(r @ r, s)
    torch.testing.assert_close(r, r.T)


def test_fid_of_a_set_with_itself_is_zero():
    x = torch.randn(500, 16, generator=torch.Generator().manual_seed(0))
    assert fid(x, x) == pytest.approx(0.0, abs=1e-9)


def test_fid_of_samples_approaches_the_population_value():
    # N(0, I) vs N(1, 4 I) in 4-D: FID = 4 * 1 + 4 * (1 - 2)^2 = 8
    g = torch.Generator().manual_seed(0)
    x = torch.randn(100_000, 4, generator=g, dtype=torch.float64)
    y = 1 + 2 * torch.randn(100_000, 4, generator=g, dtype=torch.float64)
    assert fid(x, y) == pytest.approx(8.0, rel=0.01)


@pytest.mark.parametrize("seed", [0, 1])
def test_fid_equals_torchmetrics_on_identical_features(seed):
    from torchmetrics.image.fid import FrechetInceptionDistance

    class Same(torch.nn.Module):
        num_features = 32

        def forward(self, x):
            return x

    g = torch.Generator().manual_seed(seed)
    real = torch.randn(800, 32, generator=g, dtype=torch.float64) @ torch.randn(
        32, 32, generator=g, dtype=torch.float64
    )
    fake = 0.5 + torch.randn(600, 32, generator=g, dtype=torch.float64) * 1.5
    ref = FrechetInceptionDistance(feature=Same())
    ref.update(real, real=True)
    ref.update(fake, real=False)
    assert fid(fake, real) == pytest.approx(float(ref.compute()), rel=1e-6)


def test_moments_are_mean_and_unbiased_covariance():
    x = torch.randn(50, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    mu, s = gaussian_moments(x)
    torch.testing.assert_close(mu, x.mean(0))
    torch.testing.assert_close(s, torch.from_numpy(np.cov(x.numpy(), rowvar=False)))


def test_fid_says_how_many_samples_a_covariance_needs():
    with pytest.raises(UserError, match=r"at least 65 fake samples.*got 10"):
        fid(torch.randn(10, 64), torch.randn(100, 64))


def test_fid_rejects_mismatched_sizes_and_nan():
    with pytest.raises(UserError, match="8 dimensions but real features have 4"):
        fid(torch.randn(50, 8), torch.randn(50, 4))
    x = torch.randn(50, 4)
    x[3, 1] = float("nan")
    with pytest.raises(UserError, match=r"NaN.*1 of 50 rows"):
        fid(x, torch.randn(50, 4))
