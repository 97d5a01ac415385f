"""A DCGAN family for square images of 8 to 256 pixels (Radford et al. 2015; tip T07).

Resolution, width, normalisation, activation and the up/down-sampling layers are parameters,
so the vanilla DCGAN and the tips' variants are the same code (T04, T05, T15-T17, S01), and so
are the multi-scale-gradient pair of MSG-GAN (S06, ``msg=True``) and progressive growing of the
last stage (S05, ``grow=True``).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganhacks.errors import UserError
from ganhacks.models.common import Head, LabelEmbedding, finish_discriminator, make_norm
from ganhacks.tricks.layers import (
    AlwaysDropout,
    ConditionChannels,
    MinibatchStdDev,
    PixelShuffleUp,
    activation,
    downsample,
    fade_in,
    image_pyramid,
)

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
    """``z (N, z_dim) -> x (N, C, R, R)`` in [-1, 1]: a linear layer to 4x4, then 2x upsampling stages.

    With ``msg=True`` (S06, MSG-GAN, Karnewar & Wang 2020) every coarser stage also gets a 1x1
    conv + tanh to an image, and ``G(z, y, pyramid=True)`` returns all ``num_scales`` images,
    finest first: ``[(N, C, R, R), (N, C, R/2, R/2), ..., (N, C, 4, 4)]``. ``G(z, y)`` always
    returns the finest image alone, so samplers and metrics need not know about MSG.

    With ``grow=True`` (S05, Karras et al. 2018) the last stage can be faded in: the buffer
    ``alpha`` (set by the trainer, see :func:`ganhacks.tricks.layers.grow_alpha`) blends a 1x1-conv image
    of the half-resolution features, upsampled, with the full output:
    ``fade_in(low, high, alpha)``; ``alpha = 1`` (the default) is the plain network.
    """

    def __init__(
        self,
        z_dim: int,
        channels: int,
        resolution: int,
        width: int = 64,
        norm: str = "batch",
        act: str = "relu",
        upsample: str = "transposed",
        dropout: float = 0.0,
        num_classes: int = 0,
        embed_dim: int = 8,
        msg: bool = False,
        grow: bool = False,
    ) -> None:
        super().__init__()
        n = _stages(resolution)
        if msg and grow:
            raise UserError("MSG-GAN (S06) trains every scale at once instead of growing (S05); choose one")
        self.z_dim, self.num_classes = z_dim, num_classes
        self.num_scales = n + 1 if msg else 1
        self.cond = LabelEmbedding(num_classes, embed_dim)
        top = _channels(width, n - 1)
        self.stem = nn.Sequential(
            nn.Linear(z_dim + self.cond.dim, top * BASE * BASE),
            nn.Unflatten(1, (top, BASE, BASE)),  # (N, top, 4, 4)
            make_norm(norm, top, dim=2),
            activation(act),
        )
        blocks: list[nn.Module] = []
        self._stage_ends: list[int] = []  # index into blocks after each stage (flat, so weight names do not move)
        stage_inputs = []  # channels entering each stage, coarsest first
        for stage in range(n - 1, -1, -1):  # channels shrink as resolution grows
            in_ch, out_ch = _channels(width, stage), _channels(width, max(stage - 1, 0))
            stage_inputs.append(in_ch)
            blocks += [_upsample(upsample, in_ch, out_ch), make_norm(norm, out_ch, dim=2), activation(act)]
            if dropout and stage > n // 2:  # T17: noise in the coarse stages
                blocks.append(AlwaysDropout(dropout))
            self._stage_ends.append(len(blocks))
        self.blocks = nn.Sequential(*blocks)
        self.to_image = nn.Sequential(nn.Conv2d(_channels(width, 0), channels, 3, padding=1), nn.Tanh())  # T01
        # S06: an image from what enters each stage (4x4, 8x8, ..., R/2), in [-1, 1] like the real pyramid
        self.to_rgb = (
            nn.ModuleList(nn.Sequential(nn.Conv2d(ch, channels, 1), nn.Tanh()) for ch in stage_inputs) if msg else None
        )
        # S05: the image of the last stage's input, used while that stage fades in
        self.to_image_low = nn.Sequential(nn.Conv2d(stage_inputs[-1], channels, 1), nn.Tanh()) if grow else None
        if grow:
            self.register_buffer("alpha", torch.ones(()))

    def forward(self, z: Tensor, y: Tensor | None = None, pyramid: bool = False) -> Tensor | list[Tensor]:
        h = self.stem(self.cond(z, y))  # (N, top, 4, 4)
        if self.to_image_low is not None and float(self.alpha) < 1:
            last = self._stage_ends[-2] if len(self._stage_ends) > 1 else 0
            for i in range(last):
                h = self.blocks[i](h)
            low = self.to_image_low(h)  # (N, C, R/2, R/2)
            for i in range(last, len(self.blocks)):
                h = self.blocks[i](h)
            return fade_in(low, self.to_image(h), float(self.alpha))  # (1 - a) * up(low) + a * high
        if not pyramid:
            return self.to_image(self.blocks(h))
        if self.to_rgb is None:
            raise UserError("pyramid=True needs a generator built with msg=True (set model.msg=true, S06)")
        images, start = [], 0
        for to_rgb, end in zip(self.to_rgb, self._stage_ends):
            images.append(to_rgb(h))  # (N, C, r, r) before the stage doubles r
            for i in range(start, end):
                h = self.blocks[i](h)
            start = end
        images.append(self.to_image(h))  # (N, C, R, R)
        return images[::-1]  # finest first, as image_pyramid orders real images


class DCGANDiscriminator(nn.Module):
    """``x (N, C, R, R) -> logits (N,)``: 2x downsampling stages to 4x4, then a linear head.

    With ``msg=True`` (S06) D takes a pyramid, finest first (a list as :func:`image_pyramid` or
    ``DCGANGenerator(..., msg=True)(z, pyramid=True)`` give it; a plain image batch is turned
    into one by :func:`image_pyramid`). Each coarser image is concatenated, as C extra channels,
    to the features at its resolution: before the stage that starts there, and the 4x4 image
    before the head (MSG-GAN's simple combine). D's gradient thus reaches every scale of G.

    With ``grow=True`` (S05) the first stage can be faded in: while the buffer ``alpha`` is below
    1, the features after that stage are blended with those of the 2x2-average-pooled input
    through a 1x1 conv, ``(1 - alpha) * old + alpha * new``; ``alpha = 0`` sees only the
    half-resolution image.
    """

    def __init__(
        self,
        channels: int,
        resolution: int,
        width: int = 64,
        norm: str = "batch",
        act: str = "leaky_relu",
        down: str = "stride",
        minibatch_std: bool = False,
        minibatch_kernels: int = 0,
        num_classes: int = 0,
        conditioning: str = "none",
        embed_dim: int = 8,
        msg: bool = False,
        grow: bool = False,
    ) -> None:
        super().__init__()
        n = _stages(resolution)
        if msg and grow:
            raise UserError("MSG-GAN (S06) trains every scale at once instead of growing (S05); choose one")
        self.channels, self.resolution = channels, resolution
        self.num_scales = n + 1 if msg else 1
        self.input_cond = ConditionChannels(num_classes, embed_dim, resolution) if conditioning == "embedding" else None
        in_ch = channels + (embed_dim if self.input_cond is not None else 0)
        layers: list[nn.Module] = [
            nn.Conv2d(in_ch, width, 3, padding=1),
            activation(act),
        ]  # DCGAN: no norm on the input layer
        self._joins: dict[int, int] = {}  # S06: body index -> pyramid level concatenated before it
        for stage in range(n):
            in_ch, out_ch = _channels(width, stage), _channels(width, stage + 1)
            if msg and stage > 0:
                self._joins[len(layers)] = stage  # level `stage` has resolution R / 2^stage, as here
                in_ch += channels
            layers += [downsample(down, in_ch, out_ch), make_norm(norm, out_ch, dim=2), activation(act)]
        self.body = nn.Sequential(*layers)
        # S05: the half-resolution input's way into the second stage, used while the first one fades in
        in_ch = channels + (embed_dim if self.input_cond is not None else 0)
        self.from_image_low = nn.Sequential(nn.Conv2d(in_ch, _channels(width, 1), 1), activation(act)) if grow else None
        if grow:
            self.register_buffer("alpha", torch.ones(()))
        self.mbstd = MinibatchStdDev() if minibatch_std else None
        last = _channels(width, n) + (channels if msg else 0)  # the 4x4 image joins before the head
        features = (last + (1 if minibatch_std else 0)) * BASE * BASE
        self.flatten = nn.Flatten()
        self.head = Head(features, minibatch_kernels, num_classes, conditioning)
        finish_discriminator(self, norm)

    def _levels(self, x: Tensor | list[Tensor]) -> list[Tensor]:
        """The input as a checked pyramid of ``num_scales`` levels, finest first."""
        levels = image_pyramid(x, self.num_scales) if isinstance(x, Tensor) else list(x)
        wanted = [(self.channels, self.resolution >> k, self.resolution >> k) for k in range(self.num_scales)]
        got = [tuple(t.shape[1:]) for t in levels]
        if got != wanted:
            raise UserError(
                f"this MSG discriminator (S06) takes a pyramid of per-sample shapes {wanted}, finest first; got {got}"
            )
        return levels

    def forward(self, x: Tensor | list[Tensor], y: Tensor | None = None, with_classes: bool = False):
        if self.num_scales > 1:
            levels = self._levels(x)
            x = levels[0]
        elif not isinstance(x, Tensor):
            raise UserError(
                "this discriminator takes one image batch; build it with msg=True (model.msg=true, S06) for a pyramid"
            )
        if self.input_cond is not None:
            if y is None:
                raise UserError("this discriminator is conditional (embedding channels): pass the labels y")
            x = self.input_cond(x, y)
        if self.from_image_low is not None and float(self.alpha) < 1:
            first = 5  # input conv, its activation, then the first stage's downsample, norm, activation
            new = self.body[:first](x)  # (N, C_1, R/2, R/2)
            old = self.from_image_low(F.avg_pool2d(x, 2))  # same shape, from the half-resolution image
            h = self.body[first:](fade_in(old, new, float(self.alpha)))
        elif self.num_scales == 1:
            h = self.body(x)
        else:
            h = x
            for i, layer in enumerate(self.body):
                if i in self._joins:
                    h = torch.cat([h, levels[self._joins[i]].to(h.dtype)], dim=1)  # (N, C_s + C, r, r)
                h = layer(h)
            h = torch.cat([h, levels[-1].to(h.dtype)], dim=1)  # (N, C_n + C, 4, 4)
        if self.mbstd is not None:
            h = self.mbstd(h)
        return self.head(self.flatten(h), y, with_classes)
