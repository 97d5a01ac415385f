import math

import pytest
import torch

from ganhacks.data.mixtures import grid, grid25, mixture_dataset, ring, ring8
from ganhacks.errors import UserError


def test_ring8_geometry():
    m = ring8()
    assert m.num_modes == 8 and m.std == 0.01
    torch.testing.assert_close(m.centers.norm(dim=1), torch.ones(8))
    angles = torch.atan2(m.centers[:, 1], m.centers[:, 0]).remainder(2 * math.pi)
    torch.testing.assert_close(angles.sort().values, torch.arange(8) * (math.pi / 4), atol=1e-6, rtol=0)


def test_grid25_geometry():
    m = grid25()
    assert m.num_modes == 25 and m.std == 0.05
    coords = {(round(float(a)), round(float(b))) for a, b in m.centers}
    assert coords == {(a, b) for a in (-4, -2, 0, 2, 4) for b in (-4, -2, 0, 2, 4)}


@pytest.mark.parametrize("mixture", [ring8(), grid25(), ring(5, 2.0, 0.1), grid(3, 1.0, 0.02)], ids=lambda m: m.name)
def test_samples_lie_at_their_centres_with_the_stated_std(mixture):
    n = 40_000
    points, modes = mixture.sample_with_modes(n, torch.Generator().manual_seed(0))
    assert points.shape == (n, 2) and points.dtype == torch.float32
    nearest, _ = mixture.assign_modes(points)
    assert torch.equal(nearest, modes)  # modes are many std apart
    resid = points - mixture.centers[modes]
    # per-axis sample std of 2n values: relative standard error ~ 1/sqrt(2 * 2n) < 0.3 %
    assert resid.std(dim=0).tolist() == pytest.approx([mixture.std] * 2, rel=0.02)
    assert resid.mean(dim=0).abs().max() < 4 * mixture.std / math.sqrt(n)
    counts = torch.bincount(modes, minlength=mixture.num_modes).double()
    p = 1 / mixture.num_modes
    assert (counts - n * p).abs().max() < 5 * math.sqrt(n * p * (1 - p))  # equal weights


def test_sampling_is_seeded():
    a = ring8().sample(100, torch.Generator().manual_seed(3))
    b = ring8().sample(100, torch.Generator().manual_seed(3))
    c = ring8().sample(100, torch.Generator().manual_seed(4))
    torch.testing.assert_close(a, b)
    assert not torch.allclose(a, c)


@pytest.mark.parametrize("mixture", [ring8(), grid25()], ids=lambda m: m.name)
def test_dataset_is_scaled_into_unit_box_and_maps_back(mixture):
    ds = mixture_dataset(mixture, 20_000, seed=1)
    assert ds.kind == "points" and ds.x.shape == (20_000, 2) and ds.num_classes == mixture.num_modes
    assert ds.mixture is mixture
    assert float(ds.x.abs().max()) <= 1.0
    assert float(ds.x.abs().max()) > 0.8  # uses most of the box, not a tiny corner of it
    nearest, dist = mixture.assign_modes(mixture.from_unit(ds.x))
    assert torch.equal(nearest, ds.y)
    assert float(dist.max()) < 6 * mixture.std
    torch.testing.assert_close(mixture.from_unit(mixture.to_unit(ds.x)), ds.x)


def test_bad_mixture_arguments():
    with pytest.raises(UserError):
        ring(0)
    with pytest.raises(UserError):
        grid(3, 1.0, std=0.0)
    with pytest.raises(UserError):
        ring8().sample(0)
