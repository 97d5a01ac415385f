"""Latent codes: samplers, spherical interpolation and truncation (tip T03).

High-dimensional Gaussian codes concentrate near a sphere of radius about sqrt(dim), so paths
between codes should follow great circles (slerp) rather than chords through the unlikely
centre (White 2016, arXiv:1609.04468).
"""

from __future__ import annotations

import torch
from torch import Tensor

from ganhacks.errors import UserError, check_positive
from ganhacks.registry import Registry

Device = torch.device | str | None


def sample_gaussian(n: int, dim: int, generator: torch.Generator | None = None, device: Device = None) -> Tensor:
    """``(n, dim)`` codes from N(0, I) — the recommended prior (T03)."""
    return torch.randn(n, dim, generator=generator, device=device)


def sample_uniform(
    n: int,
    dim: int,
    generator: torch.Generator | None = None,
    device: Device = None,
    low: float = -1.0,
    high: float = 1.0,
) -> Tensor:
    """``(n, dim)`` codes from U(low, high)^dim — the box prior the tip advises against (kept for ablations)."""
    return low + (high - low) * torch.rand(n, dim, generator=generator, device=device)


def truncated_gaussian(
    n: int, dim: int, generator: torch.Generator | None = None, device: Device = None, threshold: float = 1.0
) -> Tensor:
    """``(n, dim)`` Gaussian codes with every entry resampled until ``|z_i| <= threshold``.

    The truncation trick (Brock et al. 2019): smaller thresholds trade diversity for quality.
    """
    check_positive("truncation threshold", threshold)
    z = torch.randn(n, dim, generator=generator, device=device)
    outside = z.abs() > threshold
    while outside.any():  # rejection sampling; P(stay outside) shrinks geometrically
        z[outside] = torch.randn(int(outside.sum()), generator=generator, device=device)
        outside = z.abs() > threshold
    return z


def truncate(z: Tensor, psi: float, center: Tensor | None = None) -> Tensor:
    """Pull codes towards ``center`` (default 0): ``center + psi * (z - center)``, psi in [0, 1]."""
    if not 0.0 <= psi <= 1.0:
        raise UserError(f"truncation psi must lie in [0, 1], got {psi}")
    c = torch.zeros_like(z) if center is None else center
    return c + psi * (z - c)


def slerp(z0: Tensor, z1: Tensor, t: float | Tensor) -> Tensor:
    """Spherical interpolation between codes ``z0`` and ``z1`` (T03), batched over leading dims.

    ``slerp = sin((1-t) w)/sin w * z0 + sin(t w)/sin w * z1`` with ``w`` the angle between them;
    codes of equal norm stay at that norm for every ``t``. Norms are interpolated linearly when
    they differ. Falls back to linear interpolation for (nearly) parallel codes.
    """
    if z0.shape != z1.shape:
        raise UserError(f"z0 {tuple(z0.shape)} and z1 {tuple(z1.shape)} must have the same shape")
    t = torch.as_tensor(t, dtype=z0.dtype, device=z0.device)
    if t.dim() == 1 and z0.dim() == 2:
        t = t.unsqueeze(1)  # one t per row
    n0 = z0.norm(dim=-1, keepdim=True)
    n1 = z1.norm(dim=-1, keepdim=True)
    u0, u1 = z0 / n0.clamp_min(1e-12), z1 / n1.clamp_min(1e-12)
    cos = (u0 * u1).sum(-1, keepdim=True).clamp(-1.0, 1.0)
    omega = torch.arccos(cos)
    sin = torch.sin(omega)
    parallel = sin.abs() < 1e-6
    safe_sin = torch.where(parallel, torch.ones_like(sin), sin)
    w0 = torch.where(parallel, 1 - t, torch.sin((1 - t) * omega) / safe_sin)
    w1 = torch.where(parallel, t, torch.sin(t * omega) / safe_sin)
    direction = w0 * u0 + w1 * u1
    return direction * ((1 - t) * n0 + t * n1)


def interpolate(z0: Tensor, z1: Tensor, steps: int, method: str = "slerp") -> Tensor:
    """``steps`` codes from ``z0`` to ``z1`` (1-D codes), inclusive: shape ``(steps, dim)``."""
    if steps < 2:
        raise UserError(f"interpolation needs at least 2 steps, got {steps}")
    t = torch.linspace(0, 1, steps, dtype=z0.dtype, device=z0.device).unsqueeze(1)
    a, b = z0.expand(steps, -1), z1.expand(steps, -1)
    if method == "slerp":
        return slerp(a, b, t.squeeze(1))
    if method == "lerp":
        return (1 - t) * a + t * b
    raise UserError(f"unknown interpolation '{method}'. Valid choices: slerp, lerp")


SAMPLERS: Registry = Registry("latent sampler")
SAMPLERS.register("gaussian", sample_gaussian)
SAMPLERS.register("uniform", sample_uniform)
SAMPLERS.register("truncated", truncated_gaussian)
