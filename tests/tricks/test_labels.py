import pytest
import torch

from ganhacks.errors import UserError
from ganhacks.tricks import labels


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_two_sided_ranges_hold():
    real, fake = labels.two_sided(20000, 20000, generator=gen())
    assert real.min() >= 0.7 and real.max() <= 1.2
    assert fake.min() >= 0.0 and fake.max() <= 0.3
    # uniform: mean at the centre, spread covering the range
    assert real.mean().item() == pytest.approx(0.95, abs=0.01)
    assert fake.mean().item() == pytest.approx(0.15, abs=0.01)
    assert real.max() > 1.19 and real.min() < 0.71


def test_one_sided_only_softens_real():
    real, fake = labels.LabelMaker(smoothing="one_sided", real_value=0.9)(8, 8)
    assert torch.equal(real, torch.full((8,), 0.9))
    assert torch.equal(fake, torch.zeros(8))


def test_flip_rate_holds_statistically():
    t = torch.ones(50000)
    flipped = labels.flip(t, 0.1, generator=gen(1))
    rate = (flipped == 0).float().mean().item()
    assert rate == pytest.approx(0.1, abs=0.006)  # ~4.5 sigma
    assert torch.equal(labels.flip(t, 0.0, generator=gen()), t)
    assert torch.equal(labels.flip(t, 1.0, generator=gen()), 1 - t)


def test_flip_of_soft_labels_mirrors_them():
    t = torch.tensor([0.9, 0.2])
    assert torch.allclose(labels.flip(t, 1.0), torch.tensor([0.1, 0.8]))


def test_label_maker_with_flips():
    maker = labels.LabelMaker(smoothing="none", flip_p=0.25)
    real, fake = maker(40000, 40000, generator=gen(2))
    assert (real == 0).float().mean().item() == pytest.approx(0.25, abs=0.01)
    assert (fake == 1).float().mean().item() == pytest.approx(0.25, abs=0.01)


def test_bad_input():
    with pytest.raises(UserError, match=r"\[0, 1\]"):
        labels.LabelMaker(flip_p=1.5)
    with pytest.raises(UserError, match="Valid choices"):
        labels.LabelMaker(smoothing="both")
    with pytest.raises(UserError, match="low <= high"):
        labels.two_sided(2, 2, real_range=(1.2, 0.7))
    with pytest.raises(UserError):
        labels.flip(torch.ones(3), -0.1)
