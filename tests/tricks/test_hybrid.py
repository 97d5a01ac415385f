"""Tests for ganhacks.tricks.hybrid (T07, VAE-GAN pieces)."""

from __future__ import annotations

import pytest
import torch
from torch.distributions import Normal, kl_divergence
from torch.testing import assert_close

from ganhacks.errors import UserError
from ganhacks.tricks.hybrid import kl_to_standard_normal, reconstruction_loss, reparameterize


def test_reparameterize_has_the_right_mean_and_std() -> None:
    n = 200_000
    mu = torch.tensor([2.0, -1.0]).repeat(n, 1)
    logvar = torch.log(torch.tensor([9.0, 0.25])).repeat(n, 1)
    z = reparameterize(mu, logvar, generator=torch.Generator().manual_seed(0))
    # standard error of the mean: sigma / sqrt(n) ~ 0.007 for sigma = 3
    assert_close(z.mean(dim=0), torch.tensor([2.0, -1.0]), atol=0.03, rtol=0)
    assert_close(z.std(dim=0), torch.tensor([3.0, 0.5]), atol=0.02, rtol=0)


def test_reparameterize_is_reproducible_and_differentiable() -> None:
    mu = torch.zeros(4, 3, requires_grad=True)
    logvar = torch.zeros(4, 3, requires_grad=True)
    a = reparameterize(mu, logvar, generator=torch.Generator().manual_seed(1))
    b = reparameterize(mu, logvar, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b)
    eps = a.detach()  # with mu = 0, sigma = 1 the sample is eps itself
    a.sum().backward()
    assert_close(mu.grad, torch.ones(4, 3))  # dz/dmu = 1
    assert_close(logvar.grad, 0.5 * eps)  # dz/dlogvar = 0.5 * sigma * eps
    with pytest.raises(UserError, match="same shape"):
        reparameterize(torch.zeros(4, 3), torch.zeros(4, 2))


def test_kl_is_zero_at_the_prior() -> None:
    assert kl_to_standard_normal(torch.zeros(5, 4), torch.zeros(5, 4)).item() == 0.0


def test_kl_matches_closed_form_and_torch_distributions() -> None:
    torch.manual_seed(0)
    mu, logvar = torch.randn(6, 4), torch.randn(6, 4)
    kl = kl_to_standard_normal(mu, logvar)
    hand = 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(dim=1).mean()
    assert_close(kl, hand)
    reference = kl_divergence(Normal(mu, (0.5 * logvar).exp()), Normal(0.0, 1.0)).sum(dim=1).mean()
    assert_close(kl, reference)
    # one dimension, mu = 1, sigma = 1: KL = 1/2
    assert kl_to_standard_normal(torch.ones(1, 1), torch.zeros(1, 1)).item() == pytest.approx(0.5)
    assert kl.item() > 0


def test_kl_sums_over_dims_and_averages_over_batch() -> None:
    one = kl_to_standard_normal(torch.ones(1, 3), torch.zeros(1, 3))
    many = kl_to_standard_normal(torch.ones(7, 3), torch.zeros(7, 3))
    assert one.item() == pytest.approx(1.5)  # 3 dims * 1/2
    assert many.item() == pytest.approx(1.5)  # batch size does not change it


def test_reconstruction_loss_l2_and_l1() -> None:
    x = torch.zeros(2, 1, 2, 2)
    x_hat = torch.tensor([[1.0, -2.0, 0.0, 0.0], [3.0, 0.0, 0.0, 1.0]]).view(2, 1, 2, 2)
    # l2: sample sums (1 + 4) and (9 + 1) -> mean 7.5 ; l1: (1 + 2) and (3 + 1) -> mean 3.5
    assert reconstruction_loss(x, x_hat).item() == pytest.approx(7.5)
    assert reconstruction_loss(x, x_hat, "l1").item() == pytest.approx(3.5)
    torch.manual_seed(0)
    a, b = torch.randn(5, 3, 4, 4), torch.randn(5, 3, 4, 4)
    assert_close(reconstruction_loss(a, b, "l2"), ((a - b) ** 2).sum() / 5)
    assert_close(reconstruction_loss(a, b, "l1"), (a - b).abs().sum() / 5)
    assert reconstruction_loss(a, a).item() == 0.0


def test_reconstruction_loss_bad_input() -> None:
    with pytest.raises(UserError, match="Valid choices: l2, l1"):
        reconstruction_loss(torch.zeros(2, 3), torch.zeros(2, 3), "mse")
    with pytest.raises(UserError, match="same shape"):
        reconstruction_loss(torch.zeros(2, 3), torch.zeros(2, 4))
    with pytest.raises(UserError, match="at least one sample"):
        reconstruction_loss(torch.zeros(0, 3), torch.zeros(0, 3))
    # a batch of scalars (N,) is N one-element samples
    assert reconstruction_loss(torch.zeros(3), torch.tensor([1.0, 2.0, 3.0])).item() == pytest.approx(14 / 3)
