import numpy as np
import pytest
import torch

from ganhacks.data.images import channel_axis, resize_images, to_nchw
from ganhacks.errors import UserError


@pytest.mark.parametrize(
    "shape,axis", [((2, 3, 8, 8), 1), ((2, 8, 8, 3), 3), ((2, 1, 5, 7), 1), ((2, 5, 7, 1), 3), ((2, 3, 4, 3), 1)]
)
def test_channel_axis_rule(shape, axis):
    assert channel_axis(shape) == axis


def test_to_nchw_moves_channels_last_to_first():
    a = np.arange(2 * 4 * 5 * 3).reshape(2, 4, 5, 3)
    out = to_nchw(a)
    assert out.shape == (2, 3, 4, 5) and out[1, 2, 3, 4] == a[1, 3, 4, 2]


@pytest.mark.parametrize("size", [3, 8, 20])
def test_resize_keeps_range_and_constants(size):
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 2, (4, 3, 8, 8), generator=g).float() * 2 - 1  # extreme +-1 pixels
    out = resize_images(x, size)
    assert out.shape == (4, 3, size, size)
    assert float(out.abs().max()) <= 1.0
    flat = torch.full((1, 1, 8, 8), 0.3)
    torch.testing.assert_close(resize_images(flat, size), torch.full((1, 1, size, size), 0.3))


def test_resize_centre_crops_non_square():
    x = -torch.ones(1, 1, 4, 8)
    x[..., 2:6] = 1.0  # the central 4x4 square is all +1
    torch.testing.assert_close(resize_images(x, 4), torch.ones(1, 1, 4, 4))


def test_bad_image_size():
    with pytest.raises(UserError, match="whole number of pixels"):
        resize_images(torch.zeros(1, 1, 4, 4), 1)
    with pytest.raises(UserError, match="whole number of pixels"):
        resize_images(torch.zeros(1, 1, 4, 4), 2.5)
