"""MLP generator and discriminator for 2-D point data (the ring and grid mixtures)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganhacks.models.common import Head, LabelEmbedding, finish_discriminator, make_norm
from ganhacks.tricks.layers import AlwaysDropout, MinibatchStdDev, activation


class MLPGenerator(nn.Module):
    """``z (N, z_dim) -> x (N, out_dim)`` in [-1, 1] through ``depth`` hidden layers and a tanh (T01)."""

    def __init__(
        self,
        z_dim: int,
        out_dim: int,
        width: int = 128,
        depth: int = 3,
        act: str = "leaky_relu",
        norm: str = "none",
        dropout: float = 0.0,
        num_classes: int = 0,
        embed_dim: int = 8,
    ) -> None:
        super().__init__()
        self.z_dim, self.num_classes = z_dim, num_classes
        self.cond = LabelEmbedding(num_classes, embed_dim)
        layers: list[nn.Module] = []
        features = z_dim + self.cond.dim
        for _ in range(depth):
            layers += [nn.Linear(features, width), make_norm(norm, width, dim=1), activation(act)]
            if dropout:
                layers.append(AlwaysDropout(dropout))  # T17
            features = width
        layers += [nn.Linear(features, out_dim), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        return self.net(self.cond(z, y))


class MLPDiscriminator(nn.Module):
    """``x (N, in_dim) -> logits (N,)``; optional minibatch std/discrimination (T15) and conditioning (T12/T16)."""

    def __init__(
        self,
        in_dim: int,
        width: int = 128,
        depth: int = 3,
        act: str = "leaky_relu",
        norm: str = "none",
        minibatch_std: bool = False,
        minibatch_kernels: int = 0,
        num_classes: int = 0,
        conditioning: str = "none",
        embed_dim: int = 8,
    ) -> None:
        super().__init__()
        self.input_embed = nn.Embedding(num_classes, embed_dim) if conditioning == "embedding" else None
        features = in_dim + (embed_dim if self.input_embed is not None else 0)
        layers: list[nn.Module] = []
        for _i in range(depth):
            layers += [nn.Linear(features, width), make_norm(norm, width, dim=1), activation(act)]
            features = width
        self.body = nn.Sequential(*layers)
        self.mbstd = MinibatchStdDev() if minibatch_std else None
        self.head = Head(features + (1 if minibatch_std else 0), minibatch_kernels, num_classes, conditioning)
        finish_discriminator(self, norm)

    def forward(self, x: Tensor, y: Tensor | None = None, with_classes: bool = False):
        if self.input_embed is not None:
            x = torch.cat([x, self.input_embed(y)], dim=1)
        h = self.body(x)
        if self.mbstd is not None:
            h = self.mbstd(h)
        return self.head(h, y, with_classes)
