"""Pieces shared by the model families: normalisation choice and conditioning heads."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganhacks.errors import UserError
from ganhacks.tricks.conditional import ACGANHead, ProjectionHead
from ganhacks.tricks.layers import MinibatchDiscrimination, norm_layer, spectral_norm_all

NORMS = ("batch", "instance", "layer", "none", "spectral")
CONDITIONINGS = ("none", "embedding", "projection", "acgan")


def make_norm(kind: str, features: int, dim: int) -> nn.Module:
    """A normalisation layer; ``"spectral"`` adds none here (it is applied to the weights instead, S01)."""
    if kind not in NORMS:
        raise UserError(f"unknown normalisation '{kind}'. Valid choices: {', '.join(NORMS)}")
    if kind == "layer" and dim == 1:
        return nn.LayerNorm(features)
    return nn.Identity() if kind in ("none", "spectral") else norm_layer(kind, features, dim=dim)


def finish_discriminator(module: nn.Module, norm: str) -> nn.Module:
    """Apply spectral normalisation to every conv/linear when ``norm == 'spectral'`` (S01)."""
    return spectral_norm_all(module) if norm == "spectral" else module


class Head(nn.Module):
    """D's last stage: optional minibatch discrimination (T15), the real/fake logit, and the
    conditioning head (projection or auxiliary classifier, T12)."""

    def __init__(self, features: int, minibatch_kernels: int, num_classes: int, conditioning: str) -> None:
        super().__init__()
        if conditioning not in CONDITIONINGS:
            raise UserError(f"unknown conditioning '{conditioning}'. Valid choices: {', '.join(CONDITIONINGS)}")
        self.mbd = MinibatchDiscrimination(features, minibatch_kernels, 8) if minibatch_kernels else None
        out_features = features + minibatch_kernels
        self.linear = nn.Linear(out_features, 1)
        self.conditioning = conditioning
        self.projection = ProjectionHead(out_features, num_classes) if conditioning == "projection" else None
        self.classifier = ACGANHead(out_features, num_classes) if conditioning == "acgan" else None

    def forward(self, h: Tensor, y: Tensor | None, with_classes: bool) -> Tensor | tuple[Tensor, Tensor]:
        if self.mbd is not None:
            h = self.mbd(h)
        logits = self.linear(h).squeeze(1)  # (N,)
        if self.projection is not None:
            if y is None:
                raise UserError("this discriminator is conditional (projection): pass the labels y")
            logits = logits + self.projection(h, y)
        if with_classes:
            if self.classifier is None:
                raise UserError("with_classes=True needs model.conditioning='acgan'")
            return logits, self.classifier(h)
        return logits


class LabelEmbedding(nn.Module):
    """G's conditioning: a learnt class embedding concatenated to z (T16)."""

    def __init__(self, num_classes: int, embed_dim: int) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.embed = nn.Embedding(num_classes, embed_dim) if num_classes else None

    @property
    def dim(self) -> int:
        return 0 if self.embed is None else self.embed.embedding_dim

    def forward(self, z: Tensor, y: Tensor | None) -> Tensor:
        if self.embed is None:
            return z
        if y is None:
            raise UserError("this generator is conditional: pass the labels y")
        return torch.cat([z, self.embed(y)], dim=1)
