"""2-D Gaussian mixtures with known modes: the ring of 8 and the grid of 25 (tip T01).

These are the mode-collapse test beds of the VEEGAN (Srivastava et al. 2017) and PacGAN
(Lin et al. 2018) papers. Metrics need the modes in their own units (centres, std), so a
:class:`Mixture` keeps the raw geometry and carries a ``scale``: the trainer feeds
``scale * points``, which lies inside [-1, 1] (T01); :meth:`Mixture.from_unit` maps
generator outputs back before they are compared with the centres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ganhacks.data.dataset import Dataset
from ganhacks.errors import UserError, check_positive

# Gaussian tails: the scale leaves this many std of room beyond the farthest centre, so a
# sample lands outside [-1, 1] with probability about 1e-15 per coordinate.
TAIL_STDS = 8.0


@dataclass(frozen=True, eq=False)
class Mixture:
    """An equal-weight mixture of isotropic 2-D Gaussians (tip T01 via ``scale``).

    Example:
        >>> ring = ring8()
        >>> pts = ring.sample(1000, torch.Generator().manual_seed(0))  # raw units
        >>> net_input = ring.to_unit(pts)                                # inside [-1, 1]
    """

    name: str  # "ring8", "grid25", ...
    centers: torch.Tensor  # (K, 2) float32 mode centres, raw units
    std: float  # per-axis standard deviation of every mode, raw units
    scale: float  # raw -> network units: x_net = scale * x_raw, inside [-1, 1]

    @property
    def num_modes(self) -> int:
        """Number of mixture components K."""
        return len(self.centers)

    def sample_with_modes(self, n: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw ``n`` raw points and the index of the mode each came from.

        Returns:
            ``(points (n, 2) float32, modes (n,) int64)``.
        """
        n = int(check_positive("n", n))
        modes = torch.randint(self.num_modes, (n,), generator=generator)
        # x = mu_k + std * eps, eps ~ N(0, I_2), k ~ Uniform{0..K-1}
        noise = torch.randn(n, 2, generator=generator, dtype=torch.float32)
        return self.centers[modes] + self.std * noise, modes

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Draw ``n`` raw points, shape ``(n, 2)``."""
        return self.sample_with_modes(n, generator)[0]

    def to_unit(self, points: torch.Tensor) -> torch.Tensor:
        """Raw units -> network units (about [-1, 1]): ``scale * points`` (T01)."""
        return points * self.scale

    def from_unit(self, x: torch.Tensor) -> torch.Tensor:
        """Network units -> raw units: ``x / scale`` (use before comparing with the centres)."""
        return x / self.scale

    def assign_modes(self, points: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Nearest centre of each raw point.

        Returns:
            ``(mode index (n,) int64, distance to that centre (n,))``.
        """
        dist = torch.cdist(points.to(self.centers.dtype), self.centers)  # (n, K) Euclidean
        d, idx = dist.min(dim=1)
        return idx, d


def make_mixture(name: str, centers: torch.Tensor, std: float) -> Mixture:
    """A :class:`Mixture` whose ``scale`` fits every centre plus ``TAIL_STDS`` std into [-1, 1]."""
    check_positive("std", std)
    reach = float(centers.abs().max()) + TAIL_STDS * std
    # scale = 1 / (max |centre coordinate| + 8 std): the farthest mode's tail still maps inside 1
    return Mixture(name=name, centers=centers.to(torch.float32), std=float(std), scale=1.0 / reach)


def ring(num_modes: int = 8, radius: float = 1.0, std: float = 0.01) -> Mixture:
    """``num_modes`` Gaussians evenly spaced on a circle (VEEGAN's ring), tip T01 scaling.

    Args:
        num_modes: number of modes on the circle.
        radius: circle radius.
        std: per-axis std of each mode.
    """
    if num_modes < 1:
        raise UserError(f"a ring needs at least one mode, got {num_modes}")
    angle = torch.arange(num_modes, dtype=torch.float64) * (2 * math.pi / num_modes)
    # mu_k = r (cos 2 pi k / K, sin 2 pi k / K)
    centers = radius * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    return make_mixture(f"ring{num_modes}", centers, std)


def grid(side: int = 5, spacing: float = 2.0, std: float = 0.05) -> Mixture:
    """A ``side x side`` grid of Gaussians centred on the origin (PacGAN's grid), tip T01 scaling.

    Args:
        side: modes per axis.
        spacing: distance between neighbouring centres.
        std: per-axis std of each mode.
    """
    if side < 1:
        raise UserError(f"a grid needs at least one mode per side, got {side}")
    # coordinates spacing * (i - (side - 1) / 2): for 5 and 2 -> -4, -2, 0, 2, 4
    axis = spacing * (torch.arange(side, dtype=torch.float64) - (side - 1) / 2)
    gx, gy = torch.meshgrid(axis, axis, indexing="ij")
    centers = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)
    return make_mixture(f"grid{side * side}", centers, std)


def ring8() -> Mixture:
    """The ring of 8 Gaussians, radius 1, std 0.01 (tip T01 scaling)."""
    return ring(8, 1.0, 0.01)


def grid25() -> Mixture:
    """The 5x5 grid of 25 Gaussians, centres at -4, -2, 0, 2, 4 on each axis, std 0.05 (tip T01 scaling)."""
    return grid(5, 2.0, 0.05)


def mixture_dataset(mixture: Mixture, n: int, seed: int = 0) -> Dataset:
    """A fixed sample of ``n`` points in network units; labels are mode indices (tip T01).

    Args:
        mixture: the mixture to sample.
        n: number of points to draw.
        seed: seed of the draw.

    Returns:
        A ``Dataset`` with ``kind="points"``, ``x = scale * raw points``, ``y`` the mode of each
        point, ``num_classes = K`` and ``mixture`` set so metrics can reach the raw modes.
    """
    points, modes = mixture.sample_with_modes(n, torch.Generator().manual_seed(int(seed)))
    return Dataset(
        name=mixture.name,
        x=mixture.to_unit(points),
        y=modes,
        num_classes=mixture.num_modes,
        kind="points",
        mixture=mixture,
        notes=(f"{mixture.num_modes} modes, std {mixture.std:g}, fed as raw x {mixture.scale:.4g}",),
    )
