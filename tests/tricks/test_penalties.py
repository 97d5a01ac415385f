import pytest
import torch
from torch import nn

from ganhacks.errors import UserError
from ganhacks.tricks import penalties


def linear_critic(in_features, scale=1.0):
    d = nn.Linear(in_features, 1)
    with torch.no_grad():
        w = torch.randn(1, in_features, generator=torch.Generator().manual_seed(0))
        d.weight.copy_(scale * w / w.norm())
    return d


def test_gp_is_zero_for_unit_norm_linear_critic():
    d = linear_critic(5)
    g = torch.Generator().manual_seed(1)
    real, fake = torch.randn(16, 5, generator=g), torch.randn(16, 5, generator=g)
    x = penalties.interpolate(real, fake, generator=g)
    assert penalties.wgan_gp(d(x), x).item() == pytest.approx(0.0, abs=1e-10)


def test_gp_closed_form_and_one_sided():
    g = torch.Generator().manual_seed(2)
    # gradient norm of a linear critic is |w| everywhere
    steep, flat = linear_critic(4, 3.0), linear_critic(4, 0.5)
    x = torch.randn(8, 4, generator=g).requires_grad_(True)
    assert penalties.wgan_gp(steep(x), x).item() == pytest.approx(4.0, rel=1e-5)  # (3-1)^2
    assert penalties.wgan_gp(flat(x), x).item() == pytest.approx(0.25, rel=1e-5)  # (0.5-1)^2
    assert penalties.wgan_gp(steep(x), x, one_sided=True).item() == pytest.approx(4.0, rel=1e-5)
    assert penalties.wgan_gp(flat(x), x, one_sided=True).item() == pytest.approx(0.0, abs=1e-10)


def test_penalties_work_on_images_of_any_rank():
    g = torch.Generator().manual_seed(3)
    for shape in [(6, 3), (6, 2, 4, 4), (6, 1, 2, 3, 3)]:
        x = torch.randn(*shape, generator=g).requires_grad_(True)
        # D(x) = 0.5 * sum(x^2): grad = x, so R1 = mean ||x||^2
        out = 0.5 * (x**2).reshape(shape[0], -1).sum(1)
        expected = (x.detach().reshape(shape[0], -1) ** 2).sum(1).mean()
        assert penalties.r1(out, x).item() == pytest.approx(expected.item(), rel=1e-5)
        assert penalties.r2(out, x).item() == pytest.approx(expected.item(), rel=1e-5)


def test_penalty_backpropagates_into_critic_weights():
    d = linear_critic(3, 2.0)
    x = torch.randn(4, 3).requires_grad_(True)
    penalties.wgan_gp(d(x), x).backward()
    assert d.weight.grad is not None and d.weight.grad.abs().sum() > 0


def test_interpolate_lies_between_real_and_fake():
    g = torch.Generator().manual_seed(4)
    real, fake = torch.zeros(100, 1, 2, 2), torch.ones(100, 1, 2, 2)
    x = penalties.interpolate(real, fake, generator=g)
    assert x.requires_grad
    assert (x >= 0).all() and (x <= 1).all()
    assert (x.amax(dim=(1, 2, 3)) == x.amin(dim=(1, 2, 3))).all()  # one alpha per sample


def test_bad_input():
    x = torch.randn(4, 3)
    with pytest.raises(UserError, match="requires_grad"):
        penalties.r1(x.sum(1), x)
    with pytest.raises(UserError, match="same shape"):
        penalties.interpolate(torch.zeros(2, 3), torch.zeros(3, 3))
    with pytest.raises(UserError, match="Valid choices"):
        penalties.PENALTIES.get("gp")
