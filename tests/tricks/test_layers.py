"""Tests for ganhacks.tricks.layers (T04, T05, T15, T16, T17, S01, S05, S06)."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from ganhacks.errors import UserError
from ganhacks.tricks.layers import (
    AlwaysDropout,
    ConditionChannels,
    MinibatchDiscrimination,
    MinibatchStdDev,
    PixelShuffleUp,
    activation,
    downsample,
    fade_in,
    grow_alpha,
    image_pyramid,
    norm_layer,
    pack_pyramid,
    spectral_norm_all,
    unpack_pyramid,
)


@pytest.fixture(autouse=True)
def _seed() -> None:
    torch.manual_seed(0)


# ------------------------------------------------------------------ activation / norm / resampling


def test_activation_default_is_leaky_relu_with_slope_0_2() -> None:
    out = activation()(torch.tensor([-1.0, 0.0, 2.0]))
    assert_close(out, torch.tensor([-0.2, 0.0, 2.0]))
    assert_close(activation("leaky_relu", 0.1)(torch.tensor([-1.0])), torch.tensor([-0.1]))
    assert_close(activation("relu")(torch.tensor([-1.0, 3.0])), torch.tensor([0.0, 3.0]))
    assert_close(activation("tanh")(torch.tensor([0.5])), torch.tanh(torch.tensor([0.5])))


def test_unknown_activation_names_choices() -> None:
    with pytest.raises(
        UserError, match=r"Did you mean 'leaky_relu'.*Valid choices: leaky_relu, relu, elu, gelu, silu, tanh"
    ):
        activation("leaky_rel")


def test_norm_layer_batch_normalises_over_the_batch() -> None:
    x = torch.randn(16, 3, 4, 4) * 5 + 2
    y = norm_layer("batch", 3).train()(x)
    assert_close(y.mean(dim=(0, 2, 3)), torch.zeros(3), atol=1e-5, rtol=0)
    y1 = norm_layer("batch", 5, dim=1).train()(torch.randn(16, 5) * 3 + 1)
    assert_close(y1.mean(dim=0), torch.zeros(5), atol=1e-5, rtol=0)


def test_norm_layer_instance_normalises_each_sample_and_channel_and_is_affine() -> None:
    layer = norm_layer("instance", 3)
    assert layer.affine and layer.weight.shape == (3,)
    y = layer(torch.randn(2, 3, 8, 8) * 4 + 7)
    assert_close(y.mean(dim=(2, 3)), torch.zeros(2, 3), atol=1e-5, rtol=0)
    assert_close(y.var(dim=(2, 3), unbiased=False), torch.ones(2, 3), atol=1e-3, rtol=0)


def test_norm_layer_layer_normalises_each_sample() -> None:
    x = torch.randn(4, 3, 5, 5) * 3 + torch.arange(4.0).view(4, 1, 1, 1)
    y = norm_layer("layer", 3)(x)
    assert isinstance(norm_layer("layer", 3), nn.GroupNorm)
    assert_close(y.mean(dim=(1, 2, 3)), torch.zeros(4), atol=1e-5, rtol=0)
    # per channel the mean is NOT zero: statistics are shared across channels
    assert y.mean(dim=(2, 3)).abs().max() > 1e-2
    v = norm_layer("layer", 6, dim=1)(torch.randn(4, 6) * 2 + 5)
    assert_close(v.mean(dim=1), torch.zeros(4), atol=1e-5, rtol=0)


def test_norm_layer_none_is_identity_and_bad_inputs_raise() -> None:
    x = torch.randn(2, 3, 4, 4)
    assert_close(norm_layer("none", 3)(x), x)
    with pytest.raises(UserError, match="batch, instance, layer, none"):
        norm_layer("group", 3)
    with pytest.raises(UserError, match="use 'layer'"):
        norm_layer("instance", 3, dim=1)
    with pytest.raises(UserError, match="dim must be 1"):
        norm_layer("batch", 3, dim=3)


@pytest.mark.parametrize("kind", ["stride", "avgpool"])
def test_downsample_halves_height_and_width(kind: str) -> None:
    out = downsample(kind, 3, 8)(torch.randn(2, 3, 16, 12))
    assert out.shape == (2, 8, 8, 6)


def test_avgpool_downsample_averages_blocks() -> None:
    layer = downsample("avgpool", 1, 1)
    x = torch.randn(1, 1, 4, 4)
    conv_out = layer[0](x)
    expected = conv_out.reshape(1, 1, 2, 2, 2, 2).mean(dim=(3, 5))
    assert_close(layer(x), expected)


def test_unknown_downsample_names_choices() -> None:
    with pytest.raises(UserError, match="Valid choices: stride, avgpool"):
        downsample("maxpool", 3, 8)


@pytest.mark.parametrize("scale", [2, 3])
def test_pixel_shuffle_up_shape(scale: int) -> None:
    out = PixelShuffleUp(4, 6, scale)(torch.randn(2, 4, 5, 7))
    assert out.shape == (2, 6, 5 * scale, 7 * scale)


def test_pixel_shuffle_up_rearranges_conv_channels() -> None:
    up = PixelShuffleUp(2, 1, 2)
    x = torch.randn(1, 2, 3, 3)
    conv = up.conv(x)  # (1, 4, 3, 3): channel 2*r + c fills sub-pixel (r, c)
    out = up(x)
    for r in range(2):
        for c in range(2):
            assert_close(out[0, 0, r::2, c::2], conv[0, 2 * r + c])


# ------------------------------------------------------------------ minibatch discrimination / stddev


def test_minibatch_discrimination_identical_samples_give_n_minus_1() -> None:
    n, a, b = 6, 10, 4
    mbd = MinibatchDiscrimination(a, b, 3)
    x = torch.randn(1, a).repeat(n, 1)
    out = mbd(x)
    assert out.shape == (n, a + b)
    assert_close(out[:, :a], x)
    assert_close(out[:, a:], torch.full((n, b), float(n - 1)))


def test_minibatch_discrimination_matches_hand_computation() -> None:
    n, a, b, c = 5, 7, 3, 2
    mbd = MinibatchDiscrimination(a, b, c)
    x = torch.randn(n, a)
    m = (x @ mbd.T).view(n, b, c)
    expected = torch.zeros(n, b)
    for i in range(n):
        for j in range(n):
            if i != j:
                expected[i] += torch.exp(-(m[i] - m[j]).abs().sum(dim=1))
    assert_close(mbd(x)[:, a:], expected)


def test_minibatch_discrimination_rejects_wrong_features() -> None:
    with pytest.raises(UserError, match=r"\(N, 10\)"):
        MinibatchDiscrimination(10, 4, 3)(torch.randn(4, 9))


def test_minibatch_stddev_identical_samples_give_zero() -> None:
    x = torch.randn(1, 3, 4, 4).repeat(8, 1, 1, 1)
    out = MinibatchStdDev(group_size=4, eps=0.0)(x)
    assert out.shape == (8, 4, 4, 4)
    assert_close(out[:, :3], x)
    assert_close(out[:, 3], torch.zeros(8, 4, 4))
    # with the default eps the value is sqrt(eps), the floor that keeps gradients finite
    assert_close(MinibatchStdDev(4)(x)[:, 3], torch.full((8, 4, 4), math.sqrt(1e-8)))
    x.requires_grad_(True)
    MinibatchStdDev(4)(x)[:, 3].sum().backward()
    assert torch.isfinite(x.grad).all()  # eps keeps the gradient of sqrt at 0 finite


def test_minibatch_stddev_hand_computed_value() -> None:
    # channel 0: 1, 3, 5, 7 -> mean 4, population var (9+1+1+9)/4 = 5
    # channel 1: 0, 0, 2, 2 -> mean 1, population var 1
    x = torch.tensor([[1.0, 0.0], [3.0, 0.0], [5.0, 2.0], [7.0, 2.0]]).view(4, 2, 1, 1)
    out = MinibatchStdDev(group_size=4, eps=0.0)(x)
    assert_close(out[:, 2].flatten(), torch.full((4,), (math.sqrt(5.0) + 1.0) / 2))
    # two statistics: one per half of the channels
    out2 = MinibatchStdDev(group_size=4, num_channels=2, eps=0.0)(x)
    assert_close(out2[:, 2:].flatten(1), torch.tensor([[math.sqrt(5.0), 1.0]]).repeat(4, 1))


def test_minibatch_stddev_groups_and_vectors() -> None:
    # N=8, group 4 -> 2 groups; sample i is in group i % 2
    x = torch.zeros(8, 3)
    x[1::2, :] = torch.tensor([0.0, 2.0, 4.0, 6.0]).view(4, 1)  # odd rows spread, even rows identical
    out = MinibatchStdDev(group_size=4, eps=0.0)(x)
    assert out.shape == (8, 4)
    expected = torch.tensor([0.0, math.sqrt(5.0)]).repeat(4)  # values 0,2,4,6: population var 5
    assert_close(out[:, 3], expected)


def test_minibatch_stddev_batch_not_divisible_by_group() -> None:
    # N=6, group_size=4 -> largest divisor <= 4 is 3: groups {0,2,4} and {1,3,5}
    x = torch.tensor([0.0, 0.0, 3.0, 0.0, 6.0, 0.0]).view(6, 1)
    out = MinibatchStdDev(group_size=4, eps=0.0)(x)
    std_even = math.sqrt(((0 - 3) ** 2 + 0 + (6 - 3) ** 2) / 3)
    assert_close(out[:, 1], torch.tensor([std_even, 0.0] * 3))
    with pytest.raises(UserError, match="divisible by group_size=4"):
        MinibatchStdDev(group_size=4)(torch.randn(7, 3))


# ------------------------------------------------------------------ condition channels / dropout


def test_condition_channels_appends_constant_embedding() -> None:
    cond = ConditionChannels(num_classes=5, embed_dim=3, size=6)
    x = torch.randn(4, 2, 6, 6)
    y = torch.tensor([0, 4, 2, 4])
    out = cond(x, y)
    assert out.shape == (4, 2 + 3, 6, 6)
    assert_close(out[:, :2], x)
    expected = cond.embed.weight[y][:, :, None, None].expand(4, 3, 6, 6)
    assert_close(out[:, 2:], expected)
    assert_close(out[1, 2:], out[3, 2:])  # same label, same channels
    assert not torch.allclose(out[0, 2:], out[1, 2:])


def test_condition_channels_rejects_bad_input() -> None:
    cond = ConditionChannels(5, 3, 6)
    x = torch.randn(2, 2, 6, 6)
    with pytest.raises(UserError, match=r"\[0, 5\)"):
        cond(x, torch.tensor([0, 5]))
    with pytest.raises(UserError, match=r"\[0, 5\)"):
        cond(x, torch.tensor([-1, 0]))
    with pytest.raises(UserError, match="integer"):
        cond(x, torch.tensor([0.0, 1.0]))
    with pytest.raises(UserError, match="one label per sample"):
        cond(x, torch.tensor([0, 1, 2]))
    with pytest.raises(UserError, match=r"\(N, C, 6, 6\)"):
        cond(torch.randn(2, 2, 8, 8), torch.tensor([0, 1]))


def test_always_dropout_is_random_in_eval_mode() -> None:
    x = torch.ones(10_000)
    drop = AlwaysDropout(0.3).eval()
    a, b = drop(x), drop(x)
    assert not torch.equal(a, b)
    assert (a == 0).float().mean().item() == pytest.approx(0.3, abs=0.02)
    assert_close(a[a != 0], torch.full_like(a[a != 0], 1 / 0.7))
    standard = nn.Dropout(0.3).eval()
    assert torch.equal(standard(x), standard(x))
    assert torch.equal(standard(x), x)


def test_always_dropout_rejects_bad_probability() -> None:
    with pytest.raises(UserError, match=r"\[0, 1\]"):
        AlwaysDropout(1.5)


# ------------------------------------------------------------------ spectral norm


class _Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.c1 = nn.Conv1d(2, 4, 3)
        self.c2 = nn.Conv2d(3, 5, 3)
        self.c3 = nn.Conv3d(2, 3, 2)
        self.t2 = nn.ConvTranspose2d(4, 6, 4, stride=2)  # weight (in=4, out=6, 4, 4)
        self.t1 = nn.ConvTranspose1d(3, 2, 3)
        self.block = nn.Sequential(nn.Linear(7, 9), nn.LeakyReLU(0.2), nn.Linear(9, 3))
        self.bn = nn.BatchNorm2d(5)


def _matrix(layer: nn.Module) -> torch.Tensor:
    """Effective weight as (out units, rest)."""
    w = layer.weight
    if isinstance(layer, (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)):
        w = w.transpose(0, 1)
    return w.reshape(w.shape[0], -1)


def _weighted_layers(net: nn.Module) -> list[nn.Module]:
    return [
        m
        for m in net.modules()
        if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d))
    ]


def test_spectral_norm_all_brings_top_singular_values_to_one() -> None:
    net = _Net()
    with torch.no_grad():
        for m in _weighted_layers(net):
            m.weight.mul_(5.0)
    layers = _weighted_layers(net)
    assert len(layers) == 7
    before = [torch.linalg.matrix_norm(_matrix(m), 2).item() for m in layers]
    assert min(abs(s - 1.0) for s in before) > 0.2  # far from 1 to begin with
    assert spectral_norm_all(net, n_power_iterations=1) is net
    net.train()
    with torch.no_grad():
        for _ in range(30):  # each access in train mode runs one power iteration
            for m in layers:
                _ = m.weight
    net.eval()
    for m in layers:
        sigma = torch.linalg.matrix_norm(_matrix(m).detach(), 2).item()
        assert sigma == pytest.approx(1.0, abs=1e-2), type(m).__name__


def test_spectral_norm_all_is_idempotent_and_skips_other_layers() -> None:
    net = _Net()
    spectral_norm_all(spectral_norm_all(net))
    for m in _weighted_layers(net):
        assert len(m.parametrizations.weight) == 1
    assert not hasattr(net.bn, "parametrizations")


# ------------------------------------------------------------------ fade-in / pyramid


def test_fade_in_ends_and_middle() -> None:
    low = torch.randn(2, 3, 4, 4)
    high = torch.randn(2, 3, 8, 8)
    up = low.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)  # nearest 2x upsampling
    assert_close(fade_in(low, high, 0.0), up)
    assert_close(fade_in(low, high, 1.0), high)
    assert_close(fade_in(low, high, 0.25), 0.75 * up + 0.25 * high)


def test_fade_in_rejects_bad_input() -> None:
    low, high = torch.randn(2, 3, 4, 4), torch.randn(2, 3, 8, 8)
    with pytest.raises(UserError, match="alpha"):
        fade_in(low, high, 1.5)
    with pytest.raises(UserError, match="swap"):
        fade_in(high, low, 0.5)
    with pytest.raises(UserError, match="same N and C"):
        fade_in(torch.randn(2, 1, 4, 4), high, 0.5)


def test_image_pyramid_levels_are_average_pools() -> None:
    x = torch.randn(2, 3, 16, 8)
    levels = image_pyramid(x, 4)
    assert [tuple(t.shape) for t in levels] == [(2, 3, 16, 8), (2, 3, 8, 4), (2, 3, 4, 2), (2, 3, 2, 1)]
    assert levels[0] is x
    for fine, coarse in zip(levels, levels[1:]):
        n, c, h, w = fine.shape
        blocks = fine.reshape(n, c, h // 2, 2, w // 2, 2).mean(dim=(3, 5))
        assert_close(coarse, blocks)
    assert image_pyramid(x, 1) == [x]


def test_image_pyramid_too_small() -> None:
    with pytest.raises(UserError, match="divisible by 2\\^4 = 16"):
        image_pyramid(torch.randn(1, 1, 8, 8), 5)


def test_pack_pyramid_round_trips_and_keeps_gradients() -> None:
    levels = image_pyramid(torch.randn(3, 2, 8, 8), 3)
    packed = pack_pyramid(levels)
    assert packed.shape == (3, 2 * (64 + 16 + 4))
    assert_close(packed[1], torch.cat([t[1].flatten() for t in levels]))  # sample i's levels, one after another
    leaf = packed.clone().requires_grad_(True)
    back = unpack_pyramid(leaf, [(2, 8, 8), (2, 4, 4), (2, 2, 2)])
    for a, b in zip(back, levels):
        assert_close(a, b)
    sum(2 * t.sum() for t in back).backward()  # views of the packed tensor: d/dpacked = 2 everywhere
    assert_close(leaf.grad, torch.full_like(leaf, 2.0))


def test_pack_pyramid_rejects_bad_input() -> None:
    with pytest.raises(UserError, match="one batch size"):
        pack_pyramid([torch.zeros(2, 3), torch.zeros(3, 3)])
    with pytest.raises(UserError, match="non-empty"):
        pack_pyramid([])
    with pytest.raises(UserError, match=r"expected \(N, 20\)"):
        unpack_pyramid(torch.zeros(2, 21), [(1, 4, 4), (1, 2, 2)])


def test_grow_alpha_holds_then_ramps_then_stays_at_one() -> None:
    assert [grow_alpha(s, 4) for s in range(10)] == [0, 0, 0, 0, 0, 0.25, 0.5, 0.75, 1, 1]
    assert grow_alpha(0, 0) == 1.0  # off: the full network from the start
    with pytest.raises(UserError, match="grow_steps >= 0"):
        grow_alpha(3, -1)
