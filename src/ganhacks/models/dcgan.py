"""A DCGAN family for square images of 8 to 256 pixels (Radford et al. 2015; tip T07).

Resolution, width, normalisation, activation and the up/down-sampling layers are parameters,
so the vanilla DCGAN and the tips' variants are the same code (T04, T05, T15-T17, S01).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from ganhacks.errors import UserError
from ganhacks.layers import AlwaysDropout, ConditionChannels, MinibatchStdDev, PixelShuffleUp, activation, downsample
from ganhacks.models.common import Head, LabelEmbedding, finish_discriminator, make_norm

BASE = 4  # both networks work at 4x4 at their narrow end
UPSAMPLERS = ("transposed", "pixelshuffle")


def _stages(resolution: int) -> int:
    n = math.log2(resolution / BASE) if resolution >= BASE else -1
    if n < 1 or n != int(n):
        raise UserError(f"DCGAN needs a power-of-two image size of at least 8, got {resolution}; set data.image_size")
    return int(n)


def _channels(width: int, stage: int, max_channels: int = 512) -> int:
    return min(width * 2**stage, max_channels)


def _upsample(kind: str, in_ch: int, out_ch: int) -> nn.Module:
    if kind == "transposed":
        return nn.ConvTranspose2d(in_ch, out_ch, 4, stride=2, padding=1)
    if kind == "pixelshuffle":
        return PixelShuffleUp(in_ch, out_ch)  # T05
    raise UserError(f"unknown upsample '{kind}'. Valid choices: {', '.join(UPSAMPLERS)}")


class DCGANGenerator(nn.Module):
    """``z (N, z_dim) -> x (N, C, R, R)`` in [-1, 1]: a linear layer to 4x4, then 2x upsampling stages."""

    def __init__(self, z_dim: int, channels: int, resolution: int, width: int = 64, norm: str = "batch",
                 act: str = "relu", upsample: str = "transposed", dropout: float = 0.0, num_classes: int = 0,
                 embed_dim: int = 8) -> None:
        super().__init__()
        n = _stages(resolution)
        self.z_dim, self.num_classes = z_dim, num_classes
        self.cond = LabelEmbedding(num_classes, embed_dim)
        top = _channels(width, n - 1)
        self.stem = nn.Sequential(
            nn.Linear(z_dim + self.cond.dim, top * BASE * BASE),
            nn.Unflatten(1, (top, BASE, BASE)),  # (N, top, 4, 4)
            make_norm(norm, top, dim=2),
            activation(act),
        )
        blocks: list[nn.Module] = []
        for stage in range(n - 1, -1, -1):  # channels shrink as resolution grows
            in_ch, out_ch = _channels(width, stage), _channels(width, max(stage - 1, 0))
            blocks += [_upsample(upsample, in_ch, out_ch), make_norm(norm, out_ch, dim=2), activation(act)]
            if dropout and stage > n // 2:  # T17: noise in the coarse stages
                blocks.append(AlwaysDropout(dropout))
        self.blocks = nn.Sequential(*blocks)
        self.to_image = nn.Sequential(nn.Conv2d(_channels(width, 0), channels, 3, padding=1), nn.Tanh())  # T01

    def forward(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        return self.to_image(self.blocks(self.stem(self.cond(z, y))))


class DCGANDiscriminator(nn.Module):
    """``x (N, C, R, R) -> logits (N,)``: 2x downsampling stages to 4x4, then a linear head."""

    def __init__(self, channels: int, resolution: int, width: int = 64, norm: str = "batch",
                 act: str = "leaky_relu", down: str = "stride", minibatch_std: bool = False,
                 minibatch_kernels: int = 0, num_classes: int = 0, conditioning: str = "none",
                 embed_dim: int = 8) -> None:
        super().__init__()
        n = _stages(resolution)
        self.input_cond = ConditionChannels(num_classes, embed_dim, resolution) if conditioning == "embedding" else None
        in_ch = channels + (embed_dim if self.input_cond is not None else 0)
        layers: list[nn.Module] = [nn.Conv2d(in_ch, width, 3, padding=1), activation(act)]  # DCGAN: no norm on the input layer
        for stage in range(n):
            in_ch, out_ch = _channels(width, stage), _channels(width, stage + 1)
            layers += [downsample(down, in_ch, out_ch), make_norm(norm, out_ch, dim=2), activation(act)]
        self.body = nn.Sequential(*layers)
        self.mbstd = MinibatchStdDev() if minibatch_std else None
        features = (_channels(width, n) + (1 if minibatch_std else 0)) * BASE * BASE
        self.flatten = nn.Flatten()
        self.head = Head(features, minibatch_kernels, num_classes, conditioning)
        finish_discriminator(self, norm)

    def forward(self, x: Tensor, y: Tensor | None = None, with_classes: bool = False):
        if self.input_cond is not None:
            if y is None:
                raise UserError("this discriminator is conditional (embedding channels): pass the labels y")
            x = self.input_cond(x, y)
        h = self.body(x)
        if self.mbstd is not None:
            h = self.mbstd(h)
        return self.head(self.flatten(h), y, with_classes)
