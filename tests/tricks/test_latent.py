import math

import pytest
import torch
from torch.testing import assert_close

from ganhacks.errors import UserError
from ganhacks.tricks import latent


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_samplers_have_their_distributions():
    z = latent.sample_gaussian(20000, 8, generator=gen())
    assert z.mean().item() == pytest.approx(0.0, abs=0.01)
    assert z.std().item() == pytest.approx(1.0, abs=0.01)
    u = latent.sample_uniform(20000, 8, generator=gen())
    assert u.min() >= -1 and u.max() <= 1
    assert u.std().item() == pytest.approx(2 / math.sqrt(12), abs=0.01)
    t = latent.truncated_gaussian(5000, 8, generator=gen(), threshold=0.5)
    assert t.abs().max() <= 0.5
    assert latent.SAMPLERS.get("gaussian") is latent.sample_gaussian


def test_slerp_stays_on_the_sphere():
    g = gen(1)
    z0, z1 = torch.randn(16, 64, generator=g), torch.randn(16, 64, generator=g)
    z1 = z1 / z1.norm(dim=1, keepdim=True) * z0.norm(dim=1, keepdim=True)  # equal norms
    for t in (0.0, 0.25, 0.5, 0.9, 1.0):
        zt = latent.slerp(z0, z1, t)
        assert_close(zt.norm(dim=1), z0.norm(dim=1), rtol=1e-5, atol=1e-5)
    assert_close(latent.slerp(z0, z1, 0.0), z0, rtol=1e-5, atol=1e-5)
    assert_close(latent.slerp(z0, z1, 1.0), z1, rtol=1e-5, atol=1e-5)
    # linear interpolation cuts inside the sphere at the midpoint
    lerp_mid = (0.5 * (z0 + z1)).norm(dim=1)
    assert (lerp_mid < z0.norm(dim=1) - 1e-3).all()


def test_slerp_follows_the_great_circle_angle():
    z0, z1 = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    mid = latent.slerp(z0, z1, 0.5)
    assert_close(mid, torch.tensor([math.sqrt(0.5), math.sqrt(0.5)]))
    # parallel codes fall back to lerp without NaN
    assert_close(latent.slerp(z0, 2 * z0, 0.5), torch.tensor([1.5, 0.0]))


def test_interpolate_path():
    z0, z1 = torch.tensor([3.0, 0.0]), torch.tensor([0.0, 3.0])
    path = latent.interpolate(z0, z1, 5)
    assert path.shape == (5, 2)
    assert_close(path.norm(dim=1), torch.full((5,), 3.0))
    with pytest.raises(UserError, match="slerp, lerp"):
        latent.interpolate(z0, z1, 5, method="cubic")


def test_truncate_pulls_towards_center():
    z = torch.randn(10, 4, generator=gen(2))
    assert_close(latent.truncate(z, 0.5), 0.5 * z)
    with pytest.raises(UserError):
        latent.truncate(z, 1.5)
