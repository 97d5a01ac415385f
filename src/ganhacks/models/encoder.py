"""Encoders for the hybrid VAE-GAN (tip T07): ``x -> (mu, logvar)`` of ``q(z|x) = N(mu, sigma^2)``.

T07 says: if no GAN set-up is stable, add an encoder E and train G also as E's decoder, with a
reconstruction term and a KL term next to the adversarial one (Larsen et al. 2016). The encoders
mirror D's body (same width, activation and downsampling) but have no normalisation, so an
encoded sample never depends on the rest of its batch; the trainer draws ``z`` with
:func:`ganhacks.tricks.hybrid.reparameterize`.
"""

from __future__ import annotations

from torch import Tensor, nn

from ganhacks.models.dcgan import BASE, _channels, _stages
from ganhacks.tricks.layers import activation, downsample


class ConvEncoder(nn.Module):
    """``x (N, C, R, R) -> (mu, logvar)``, each ``(N, z_dim)``: 2x downsampling stages to 4x4, then a
    linear layer (T07).

    Args:
        channels: image channels C.
        resolution: R, a power of two >= 8.
        z_dim: latent size.
        width: channels of the first stage (doubling per stage, at most 512), as in D.
        act: activation name (see :func:`ganhacks.tricks.layers.activation`).
        down: ``"stride"`` or ``"avgpool"`` (see :func:`ganhacks.tricks.layers.downsample`).

    Example:
        >>> import torch
        >>> mu, logvar = ConvEncoder(1, 8, z_dim=4, width=8)(torch.zeros(2, 1, 8, 8))
        >>> mu.shape
        torch.Size([2, 4])
    """

    def __init__(
        self, channels: int, resolution: int, z_dim: int, width: int = 64, act: str = "leaky_relu", down: str = "stride"
    ) -> None:
        super().__init__()
        n = _stages(resolution)
        layers: list[nn.Module] = [nn.Conv2d(channels, width, 3, padding=1), activation(act)]
        for stage in range(n):
            layers += [downsample(down, _channels(width, stage), _channels(width, stage + 1)), activation(act)]
        self.body = nn.Sequential(*layers, nn.Flatten())  # (N, C_n * 4 * 4)
        self.head = nn.Linear(_channels(width, n) * BASE * BASE, 2 * z_dim)  # [mu, logvar]

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """``(mu, logvar)`` of ``q(z|x)`` for images ``x``."""
        mu, logvar = self.head(self.body(x)).chunk(2, dim=1)
        return mu, logvar


class MLPEncoder(nn.Module):
    """``x (N, F) -> (mu, logvar)``, each ``(N, z_dim)``: ``depth`` hidden layers, then a linear layer (T07).

    Args:
        in_dim: features F of a sample.
        z_dim: latent size.
        width: hidden units.
        depth: hidden layers.
        act: activation name.
    """

    def __init__(self, in_dim: int, z_dim: int, width: int = 128, depth: int = 3, act: str = "leaky_relu") -> None:
        super().__init__()
        layers: list[nn.Module] = []
        features = in_dim
        for _ in range(depth):
            layers += [nn.Linear(features, width), activation(act)]
            features = width
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(features, 2 * z_dim)  # [mu, logvar]

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """``(mu, logvar)`` of ``q(z|x)`` for points ``x``."""
        mu, logvar = self.head(self.body(x)).chunk(2, dim=1)
        return mu, logvar
