"""Small layers and helpers that put the tips into network code.

* activations and samplers that avoid sparse gradients (T05): :func:`activation`,
  :func:`downsample`, :class:`PixelShuffleUp`;
* normalisation choices (T04): :func:`norm_layer`;
* batch statistics for D (T15): :class:`MinibatchDiscrimination`, :class:`MinibatchStdDev`;
* discrete conditions as embedding channels (T16): :class:`ConditionChannels`;
* dropout that stays on at test time (T17): :class:`AlwaysDropout`;
* spectral normalisation of a whole network (S01): :func:`spectral_norm_all`;
* progressive growing's blend and its schedule (S05): :func:`fade_in`, :func:`grow_alpha`;
* MSG-GAN's pyramid of real images (S06): :func:`image_pyramid`, and :func:`pack_pyramid` /
  :func:`unpack_pyramid` to carry a pyramid as one tensor.

Everything is built from torch's own modules; shapes follow ``(N, C, H, W)`` for images and
``(N, F)`` for feature vectors.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import spectral_norm

from ganhacks.errors import UserError, check_positive, check_probability
from ganhacks.registry import Registry
from ganhacks.tricks.conditional import check_labels

# --------------------------------------------------------------------------- activations (T05)

ACTIVATIONS: Registry[Callable[[float], nn.Module]] = Registry("activation")
ACTIVATIONS.register("leaky_relu", lambda slope: nn.LeakyReLU(slope))
ACTIVATIONS.register("relu", lambda slope: nn.ReLU())
ACTIVATIONS.register("elu", lambda slope: nn.ELU())
ACTIVATIONS.register("gelu", lambda slope: nn.GELU())
ACTIVATIONS.register("silu", lambda slope: nn.SiLU())
ACTIVATIONS.register("tanh", lambda slope: nn.Tanh())
ACTIVATIONS.register("sigmoid", lambda slope: nn.Sigmoid())
ACTIVATIONS.register("identity", lambda slope: nn.Identity())


def activation(name: str = "leaky_relu", negative_slope: float = 0.2) -> nn.Module:
    """Build an activation by name; LeakyReLU(0.2) by default (T05: avoid sparse gradients).

    Args:
        name: one of ``ACTIVATIONS.names()``.
        negative_slope: slope for x < 0, used by ``"leaky_relu"`` only.

    Example:
        >>> activation()
        LeakyReLU(negative_slope=0.2)
    """
    factory = ACTIVATIONS.get(name)
    check_positive("negative_slope", negative_slope, allow_zero=True)
    return factory(negative_slope)


# --------------------------------------------------------------------------- normalisation (T04)


def _batch_norm(num_features: int, dim: int) -> nn.Module:
    return nn.BatchNorm1d(num_features) if dim == 1 else nn.BatchNorm2d(num_features)


def _instance_norm(num_features: int, dim: int) -> nn.Module:
    if dim == 1:
        raise UserError("instance norm needs spatial dimensions; for feature vectors (dim=1) use 'layer' norm")
    return nn.InstanceNorm2d(num_features, affine=True)


def _layer_norm(num_features: int, dim: int) -> nn.Module:
    # images: one group over (C, H, W) per sample; vectors: LayerNorm over F
    return nn.LayerNorm(num_features) if dim == 1 else nn.GroupNorm(1, num_features)


NORMS: Registry[Callable[[int, int], nn.Module]] = Registry("norm")
NORMS.register("batch", _batch_norm)
NORMS.register("instance", _instance_norm)
NORMS.register("layer", _layer_norm)
NORMS.register("none", lambda num_features, dim: nn.Identity())


def norm_layer(kind: str, num_features: int, dim: int = 2) -> nn.Module:
    """Build a normalisation layer by name (T04: instance norm where batch norm is not an option).

    Args:
        kind: ``"batch"``, ``"instance"`` (affine), ``"layer"`` (``GroupNorm(1, C)`` for images,
            ``LayerNorm(F)`` for vectors) or ``"none"``.
        num_features: channels C (images) or features F (vectors).
        dim: 2 for images ``(N, C, H, W)``, 1 for feature vectors ``(N, F)``.

    Example:
        >>> norm_layer("layer", 8).num_groups
        1
    """
    factory = NORMS.get(kind)
    if dim not in (1, 2):
        raise UserError(f"dim must be 1 (feature vectors) or 2 (images), got {dim}")
    if num_features < 1:
        raise UserError(f"num_features must be >= 1, got {num_features}")
    return factory(num_features, dim)


# --------------------------------------------------------------------------- resampling (T05)


def _check_channels(**channels: int) -> None:
    for name, value in channels.items():
        if not isinstance(value, int) or value < 1:
            raise UserError(f"{name} must be a positive integer, got {value!r}")


DOWNSAMPLERS: Registry[Callable[[int, int], nn.Module]] = Registry("downsample")
# strided conv: k4 s2 p1 maps H -> H/2 exactly (DCGAN's D)
DOWNSAMPLERS.register("stride", lambda c_in, c_out: nn.Conv2d(c_in, c_out, 4, stride=2, padding=1))
# conv3x3 keeps H, then 2x2 average pooling halves it
DOWNSAMPLERS.register(
    "avgpool", lambda c_in, c_out: nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.AvgPool2d(2))
)


def downsample(kind: str, in_ch: int, out_ch: int) -> nn.Module:
    """Build a 2x downsampler without max pooling (T05): ``(N, in_ch, H, W) -> (N, out_ch, H/2, W/2)``.

    Args:
        kind: ``"stride"`` (Conv2d k4 s2 p1) or ``"avgpool"`` (Conv2d k3 p1, then AvgPool2d(2)).
        in_ch: input channels.
        out_ch: output channels.
    """
    factory = DOWNSAMPLERS.get(kind)
    _check_channels(in_ch=in_ch, out_ch=out_ch)
    return factory(in_ch, out_ch)


class PixelShuffleUp(nn.Module):
    """Sub-pixel upsampling (T05, Shi et al. 2016): ``(N, in_ch, H, W) -> (N, out_ch, s*H, s*W)``.

    A 3x3 conv makes ``out_ch * s^2`` channels, then :class:`torch.nn.PixelShuffle` rearranges them
    into an ``s``-times larger image.

    Args:
        in_ch: input channels.
        out_ch: output channels.
        scale: upsampling factor ``s``.
    """

    def __init__(self, in_ch: int, out_ch: int, scale: int = 2) -> None:
        super().__init__()
        _check_channels(in_ch=in_ch, out_ch=out_ch, scale=scale)
        self.conv = nn.Conv2d(in_ch, out_ch * scale * scale, 3, padding=1)
        self.shuffle = nn.PixelShuffle(scale)

    def forward(self, x: Tensor) -> Tensor:
        """Upsample ``x`` of shape ``(N, in_ch, H, W)``."""
        return self.shuffle(self.conv(x))


# --------------------------------------------------------------------------- batch statistics (T15)


class MinibatchDiscrimination(nn.Module):
    """Minibatch discrimination (T15, Salimans et al. 2016): append closeness to the other samples.

    Features ``x`` (N, A) are projected by a learnt tensor to ``M`` (N, B, C). For kernel b,
    ``c_b(i, j) = exp(-||M_ib - M_jb||_1)`` and the new feature is ``o_b(i) = sum_{j != i} c_b(i, j)``.
    A collapsed G makes near-identical samples, so every ``o_b`` approaches N - 1, which D can see.
    Unlike the paper, the self-term ``c_b(i, i) = 1`` is left out.

    Args:
        in_features: A, the size of the input features.
        num_kernels: B, the number of appended features.
        kernel_dim: C, the size of each kernel's projection.

    Example:
        >>> mbd = MinibatchDiscrimination(16, 5, 3)
        >>> mbd(torch.randn(8, 16)).shape
        torch.Size([8, 21])
    """

    def __init__(self, in_features: int, num_kernels: int, kernel_dim: int) -> None:
        super().__init__()
        _check_channels(in_features=in_features, num_kernels=num_kernels, kernel_dim=kernel_dim)
        self.in_features = in_features
        self.num_kernels = num_kernels
        self.kernel_dim = kernel_dim
        self.T = nn.Parameter(torch.randn(in_features, num_kernels * kernel_dim) * 0.1)

    def forward(self, x: Tensor) -> Tensor:
        """Return ``(N, in_features + num_kernels)``: ``x`` with the B closeness features appended."""
        if x.dim() != 2 or x.shape[1] != self.in_features:
            raise UserError(f"MinibatchDiscrimination expects (N, {self.in_features}) features, got {tuple(x.shape)}")
        n = x.shape[0]
        m = (x @ self.T).view(n, self.num_kernels, self.kernel_dim)  # (N, B, C)
        l1 = (m.unsqueeze(1) - m.unsqueeze(0)).abs().sum(dim=3)  # (N, N, B): ||M_ib - M_jb||_1
        others = 1.0 - torch.eye(n, dtype=x.dtype, device=x.device)  # 0 on the diagonal: j != i
        o = (torch.exp(-l1) * others.unsqueeze(2)).sum(dim=1)  # (N, B): sum_{j != i} exp(-L1)
        return torch.cat([x, o], dim=1)


def _group_size(n: int, wanted: int) -> int:
    """Largest divisor of ``n`` that is at most ``wanted``; must be >= 2 to measure a spread."""
    g = max(d for d in range(1, min(n, wanted) + 1) if n % d == 0)
    if g < 2:
        raise UserError(
            f"MinibatchStdDev cannot group a batch of {n} into groups of 2..{wanted} samples; "
            f"use a batch size divisible by group_size={wanted}"
        )
    return g


class MinibatchStdDev(nn.Module):
    """Minibatch standard deviation (T15, Karras et al. 2018): append the spread of a group.

    The batch is split into groups of G samples (sample i joins group ``i mod (N/G)``). Within a
    group, the population std of every feature is taken, ``sqrt(mean_g (x - mean_g x)^2 + eps)``,
    then averaged over features (and pixels) into one number per channel group. That number is
    appended as ``num_channels`` constant channels (images) or features (vectors). A collapsed G
    gives a std near 0.

    If N is not divisible by ``group_size``, G is the largest divisor of N below ``group_size``
    (e.g. N=6, group_size=4 gives G=3); a batch with no such divisor >= 2 raises :class:`UserError`.

    Args:
        group_size: samples per group (at most N).
        num_channels: number of appended statistics; C must be divisible by it, each is
            the average over its own slice of C // num_channels channels.
        eps: added under the square root so the gradient is finite when the std is 0.

    Example:
        >>> MinibatchStdDev()(torch.randn(8, 3, 4, 4)).shape
        torch.Size([8, 4, 4, 4])
    """

    def __init__(self, group_size: int = 4, num_channels: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        _check_channels(group_size=group_size, num_channels=num_channels)
        self.group_size = group_size
        self.num_channels = num_channels
        self.eps = check_positive("eps", eps, allow_zero=True)

    def forward(self, x: Tensor) -> Tensor:
        """Append the std statistic to ``x`` of shape ``(N, C, H, W)`` or ``(N, F)``."""
        if x.dim() not in (2, 4):
            raise UserError(f"MinibatchStdDev expects (N, C, H, W) or (N, F), got {tuple(x.shape)}")
        vector = x.dim() == 2
        x4 = x[:, :, None, None] if vector else x  # (N, C, H, W)
        n, c, h, w = x4.shape
        f = self.num_channels
        if c % f:
            raise UserError(f"MinibatchStdDev: {c} channels cannot be split into num_channels={f} equal groups")
        g = _group_size(n, self.group_size)
        y = x4.reshape(g, n // g, f, c // f, h, w)  # (G, M, F, C/F, H, W)
        var = (y - y.mean(dim=0)).square().mean(dim=0)  # (M, F, C/F, H, W): population variance
        std = torch.sqrt(var + self.eps).mean(dim=(2, 3, 4))  # (M, F)
        stat = std.repeat(g, 1)[:, :, None, None].expand(n, f, h, w)  # (N, F, H, W), row i -> group i mod M
        out = torch.cat([x4, stat], dim=1)
        return out[:, :, 0, 0] if vector else out


# --------------------------------------------------------------------------- conditions (T16)


class ConditionChannels(nn.Module):
    """Append a learnt class embedding as constant image channels (T16).

    ``y -> Embedding(K, E) -> (N, E, 1, 1) -> upsampled to (N, E, size, size)``, concatenated to
    ``x`` along channels: ``(N, C, size, size) -> (N, C + E, size, size)``.

    Args:
        num_classes: K.
        embed_dim: E, the number of appended channels.
        size: spatial size of the images it is appended to.

    Example:
        >>> cond = ConditionChannels(10, 4, 8)
        >>> cond(torch.zeros(2, 3, 8, 8), torch.tensor([1, 7])).shape
        torch.Size([2, 7, 8, 8])
    """

    def __init__(self, num_classes: int, embed_dim: int, size: int) -> None:
        super().__init__()
        _check_channels(num_classes=num_classes, embed_dim=embed_dim, size=size)
        self.num_classes = num_classes
        self.size = size
        self.embed = nn.Embedding(num_classes, embed_dim)

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        """Concatenate the embedding of labels ``y`` (N,) to images ``x`` (N, C, size, size)."""
        if x.dim() != 4 or x.shape[2:] != (self.size, self.size):
            raise UserError(
                f"ConditionChannels(size={self.size}) expects images (N, C, {self.size}, {self.size}), got "
                f"{tuple(x.shape)}"
            )
        check_labels(y, self.num_classes, x.shape[0])
        e = self.embed(y)[:, :, None, None]  # (N, E, 1, 1)
        e = F.interpolate(e, size=(self.size, self.size), mode="nearest")  # (N, E, size, size), constant per sample
        return torch.cat([x, e.to(x.dtype)], dim=1)


# --------------------------------------------------------------------------- noise (T17)


class AlwaysDropout(nn.Module):
    """Dropout that stays active in eval mode, a noise source G cannot switch off (T17, pix2pix).

    Args:
        p: probability of zeroing an element; kept ones are scaled by ``1 / (1 - p)``.
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        self.p = check_probability("p", p)

    def forward(self, x: Tensor) -> Tensor:
        """Apply dropout regardless of ``self.training``."""
        return F.dropout(x, self.p, training=True)

    def extra_repr(self) -> str:
        return f"p={self.p}"


# --------------------------------------------------------------------------- spectral norm (S01)

_SN_DIM: dict[type[nn.Module], int] = {
    # dim of the weight that indexes output units: 0 for conv/linear, 1 for transposed conv
    nn.Linear: 0,
    nn.Conv1d: 0,
    nn.Conv2d: 0,
    nn.Conv3d: 0,
    nn.ConvTranspose1d: 1,
    nn.ConvTranspose2d: 1,
    nn.ConvTranspose3d: 1,
}


def _sn_dim(module: nn.Module) -> int | None:
    for cls, dim in _SN_DIM.items():
        if isinstance(module, cls):
            return dim
    return None


def spectral_norm_all(module: nn.Module, n_power_iterations: int = 1) -> nn.Module:
    """Spectrally normalise every conv, transposed conv and linear layer in ``module`` (S01).

    Uses :func:`torch.nn.utils.parametrizations.spectral_norm`, so ``layer.weight`` becomes
    ``W / sigma_max(W)`` (sigma estimated by power iteration, refined on every forward in train
    mode). Layers already parametrized are left alone, so calling it twice is harmless.

    Args:
        module: the network (changed in place).
        n_power_iterations: power-iteration steps per forward pass.

    Returns:
        ``module`` itself.
    """
    _check_channels(n_power_iterations=n_power_iterations)
    for name, layer in list(module.named_modules()):
        dim = _sn_dim(layer)
        if dim is None or parametrize.is_parametrized(layer, "weight"):
            continue
        if isinstance(layer.weight, nn.parameter.UninitializedParameter):
            raise UserError(
                f"layer '{name}' is lazy and not initialised; run one forward pass before spectral_norm_all"
            )
        spectral_norm(layer, n_power_iterations=n_power_iterations, dim=dim)
    return module


# --------------------------------------------------------------------------- growing and multi-scale (S05, S06)


def fade_in(low: Tensor, high: Tensor, alpha: float) -> Tensor:
    """Blend a new, higher-resolution output into the old one (S05, progressive growing).

    ``out = (1 - alpha) * upsample_nearest(low) + alpha * high``; ``alpha`` ramps from 0 (only
    the old path) to 1 (only the new layer).

    Args:
        low: old path's output ``(N, C, h, w)``.
        high: new layer's output ``(N, C, H, W)`` with ``H >= h``, ``W >= w``.
        alpha: blend weight in ``[0, 1]``.
    """
    alpha = check_probability("alpha", alpha)
    if low.dim() != 4 or high.dim() != 4 or low.shape[:2] != high.shape[:2]:
        raise UserError(
            f"fade_in needs (N, C, h, w) and (N, C, H, W) with the same N and C, got {tuple(low.shape)} and "
            f"{tuple(high.shape)}"
        )
    if low.shape[2] > high.shape[2] or low.shape[3] > high.shape[3]:
        raise UserError(
            f"fade_in: 'low' {tuple(low.shape[2:])} must not be larger than 'high' {tuple(high.shape[2:])}; swap them"
        )
    up = F.interpolate(low, size=high.shape[2:], mode="nearest")  # (N, C, H, W)
    return (1.0 - alpha) * up + alpha * high


def grow_alpha(step: int, grow_steps: int) -> float:
    """The fade-in weight of progressive growing's last stage at iteration ``step`` (S05).

    ``grow_steps`` iterations at half resolution (alpha 0), then ``grow_steps`` iterations with
    alpha rising linearly from 0 to 1, then the full network (alpha 1). ``grow_steps=0`` is 1 always.

    Example:
        >>> [grow_alpha(s, 2) for s in range(6)]
        [0.0, 0.0, 0.0, 0.5, 1.0, 1.0]
    """
    if grow_steps < 0 or step < 0:
        raise UserError(f"grow_alpha needs step >= 0 and grow_steps >= 0, got step={step}, grow_steps={grow_steps}")
    if grow_steps == 0:
        return 1.0
    return min(max(step - grow_steps, 0) / grow_steps, 1.0)  # 0 .. 0, then (step - T) / T, then 1


def image_pyramid(x: Tensor, num_scales: int) -> list[Tensor]:
    """Real images at ``num_scales`` resolutions for MSG-GAN's D, finest first (S06).

    Level k+1 is the 2x2 average pool of level k, so a ``(N, C, H, W)`` batch gives shapes
    ``(N, C, H / 2^k, W / 2^k)`` for k = 0 .. num_scales - 1.

    Args:
        x: images ``(N, C, H, W)``; H and W must be divisible by ``2^(num_scales - 1)``.
        num_scales: number of levels (>= 1), including ``x`` itself.
    """
    _check_channels(num_scales=num_scales)
    if x.dim() != 4:
        raise UserError(f"image_pyramid expects images (N, C, H, W), got {tuple(x.shape)}")
    factor = 2 ** (num_scales - 1)
    h, w = x.shape[2:]
    if h % factor or w % factor:
        raise UserError(
            f"a {h}x{w} image cannot give {num_scales} scales: H and W must be divisible by 2^{num_scales - 1} = "
            f"{factor}; "
            "use fewer scales or a larger image"
        )
    levels = [x]
    for _ in range(num_scales - 1):
        levels.append(F.avg_pool2d(levels[-1], 2))  # mean of each 2x2 block
    return levels


def pack_pyramid(levels: list[Tensor]) -> Tensor:
    """Flatten a pyramid (any list of ``(N, ...)`` tensors) into one ``(N, P)`` tensor (S06).

    ``P`` is the sum of the levels' per-sample sizes. Code written for one input tensor (replay,
    instance noise, interpolation, gradient penalties) then works on a whole pyramid unchanged;
    :func:`unpack_pyramid` gives the levels back, as views that stay in the autograd graph. A
    gradient penalty on the packed tensor uses the joint norm over all scales,
    ``||grad|| = sqrt(sum_k ||grad_{x_k} D||^2)``, so R1/R2 become the sum of the per-scale
    squared norms.

    Args:
        levels: tensors with the same batch size N (e.g. :func:`image_pyramid`'s output).

    Example:
        >>> pack_pyramid(image_pyramid(torch.zeros(2, 3, 8, 8), 2)).shape
        torch.Size([2, 240])
    """
    if not levels or any(t.dim() < 1 or t.shape[0] != levels[0].shape[0] for t in levels):
        raise UserError(
            f"pack_pyramid needs a non-empty list of (N, ...) tensors with one batch size N, "
            f"got shapes {[tuple(t.shape) for t in levels]}"
        )
    n = levels[0].shape[0]
    return torch.cat([t.reshape(n, -1) for t in levels], dim=1)  # (N, sum_k C*H_k*W_k)


def unpack_pyramid(packed: Tensor, shapes: list[tuple[int, ...]]) -> list[Tensor]:
    """Undo :func:`pack_pyramid`: ``(N, P)`` back to tensors of per-sample ``shapes`` (S06).

    Args:
        packed: ``(N, P)`` with ``P = sum(prod(shape) for shape in shapes)``.
        shapes: each level's shape without the batch dimension, e.g. ``[(3, 8, 8), (3, 4, 4)]``.
    """
    sizes = [math.prod(shape) for shape in shapes]
    if packed.dim() != 2 or packed.shape[1] != sum(sizes):
        raise UserError(f"unpack_pyramid: expected (N, {sum(sizes)}) for levels {shapes}, got {tuple(packed.shape)}")
    n = packed.shape[0]
    return [part.reshape(n, *shape) for part, shape in zip(packed.split(sizes, dim=1), shapes)]
