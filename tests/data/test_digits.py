import numpy as np
import pytest
import torch

from ganhacks.data.digits import digit_images, digits_dataset, stacked_digits_dataset
from ganhacks.errors import UserError


def test_digits_shape_range_and_labels():
    ds = digits_dataset()
    assert ds.x.shape == (1797, 1, 8, 8) and ds.x.dtype == torch.float32
    assert float(ds.x.min()) == -1.0 and float(ds.x.max()) == 1.0  # grey levels 0 and 16 both occur
    assert ds.y.dtype == torch.int64 and ds.num_classes == 10 and ds.conditional
    counts = torch.bincount(ds.y, minlength=10)
    assert counts.sum() == 1797 and int(counts.min()) >= 170 and int(counts.max()) <= 190
    # grey levels are k/16, so the signed values are on the grid (k/16) * 2 - 1
    k = (ds.x + 1) * 8
    torch.testing.assert_close(k, k.round(), atol=1e-5, rtol=0)


@pytest.mark.parametrize("size", [16, 32])
def test_digits_resize(size):
    small = digits_dataset().x
    big = digits_dataset(image_size=size).x
    assert big.shape == (1797, 1, size, size)
    assert float(big.min()) >= -1 and float(big.max()) <= 1
    # upsampling redistributes each pixel's mass: per-image means barely move
    torch.testing.assert_close(big.mean(dim=(1, 2, 3)), small.mean(dim=(1, 2, 3)), atol=0.05, rtol=0)


def test_digits_bad_size():
    with pytest.raises(UserError, match="image_size"):
        digits_dataset(image_size=0)


def _source_digit(channel: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Label of the source digit image each channel image equals exactly."""
    d = torch.cdist(channel.flatten(1), x.flatten(1))  # (n, 1797)
    dist, idx = d.min(dim=1)
    assert float(dist.max()) == 0.0
    return y[idx]


@pytest.mark.parametrize("size", [None, 16])
def test_stacked_digit_labels_match_their_channels(size):
    ds = stacked_digits_dataset(n=400, image_size=size, seed=5)
    side = size or 8
    assert ds.x.shape == (400, 3, side, side) and ds.num_classes == 1000
    x, y = digit_images(size)
    digits = torch.stack([_source_digit(ds.x[:, c], x, y) for c in range(3)], dim=1)
    # label = 100 a + 10 b + c with a, b, c the digits in channels 0, 1, 2
    torch.testing.assert_close(ds.y, digits[:, 0] * 100 + digits[:, 1] * 10 + digits[:, 2])


def test_stacked_digits_reach_all_1000_modes_and_are_seeded():
    ds = stacked_digits_dataset(n=20_000, seed=0)
    assert len(torch.unique(ds.y)) == 1000  # P(a mode is missed) ~ 1000 exp(-20)
    again = stacked_digits_dataset(n=50, seed=0)
    other = stacked_digits_dataset(n=50, seed=1)
    torch.testing.assert_close(again.x, stacked_digits_dataset(n=50, seed=0).x)
    assert not torch.equal(again.y, other.y)
    first = np.bincount(ds.y.numpy() // 100, minlength=10) / len(ds)
    assert np.abs(first - 0.1).max() < 0.02
