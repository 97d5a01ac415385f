import pytest
import torch

from ganhacks.errors import UserError
from ganhacks.tricks import noise


@pytest.mark.parametrize("kind", ["linear", "cosine"])
def test_schedules_reach_their_end_values(kind):
    assert noise.decay(0, 100, 0.2, 0.0, kind) == pytest.approx(0.2)
    assert noise.decay(100, 100, 0.2, 0.0, kind) == pytest.approx(0.0, abs=1e-12)
    assert noise.decay(500, 100, 0.2, 0.0, kind) == pytest.approx(0.0, abs=1e-12)
    values = [noise.decay(s, 100, 0.2, 0.0, kind) for s in range(0, 101, 10)]
    assert all(a >= b for a, b in zip(values, values[1:]))  # monotone decay


def test_exponential_is_geometric():
    assert noise.decay(0, 100, 0.1, 0.001, "exponential") == pytest.approx(0.1)
    assert noise.decay(50, 100, 0.1, 0.001, "exponential") == pytest.approx(0.01)
    assert noise.decay(100, 100, 0.1, 0.001, "exponential") == pytest.approx(0.001)
    assert noise.decay(50, 100, 0.2, 0.0, "linear") == pytest.approx(0.1)
    assert noise.decay(50, 100, 0.2, 0.0, "cosine") == pytest.approx(0.1)
    assert noise.decay(25, 100, 0.2, 0.0, "cosine") > noise.decay(25, 100, 0.2, 0.0, "linear")


def test_instance_noise_has_scheduled_std_on_both_sides():
    inst = noise.InstanceNoise(start=0.5, end=0.0, steps=10)
    real, fake = torch.zeros(20000, 2), torch.ones(20000, 2)
    g = torch.Generator().manual_seed(0)
    nr, nf = inst(real, fake, step=4, generator=g)
    assert nr.std().item() == pytest.approx(0.3, rel=0.03)
    assert (nf - 1).std().item() == pytest.approx(0.3, rel=0.03)
    nr, nf = inst(real, fake, step=10, generator=g)
    assert torch.equal(nr, real) and torch.equal(nf, fake)


def test_bad_input():
    with pytest.raises(UserError, match="use linear or cosine"):
        noise.InstanceNoise(start=0.1, end=0.0, kind="exponential")
    with pytest.raises(UserError, match="Valid choices"):
        noise.InstanceNoise(kind="step")
    with pytest.raises(UserError, match=">= 0"):
        noise.InstanceNoise(start=-1.0)
