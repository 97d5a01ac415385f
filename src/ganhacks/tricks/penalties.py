"""Gradient penalties as pure functions of the tensors they differentiate (S02, S03).

Each takes D's outputs and the inputs they were computed from (``inputs.requires_grad`` must be
True), works for inputs of any rank (points, images, volumes), and returns a scalar that the
caller weights (e.g. ``10 * wgan_gp(...)`` or ``gamma / 2 * r1(...)``). The graph is kept
(``create_graph=True``) so the penalty can be back-propagated into D's weights.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from ganhacks.errors import UserError
from ganhacks.registry import Registry


def input_grad_norms(outputs: Tensor, inputs: Tensor) -> Tensor:
    """L2 norm of d(sum outputs)/d inputs per output, flattened over all non-batch dims: shape (M,).

    Usually one output per sample (M = N). A D that reads packs of k consecutive samples (S13,
    PacGAN) gives M = N / k outputs; each norm is then over its whole pack, as for D's own input.
    """
    if not inputs.requires_grad:
        raise UserError(
            "inputs must require grad for a gradient penalty: call inputs.requires_grad_(True) before D(inputs)"
        )
    m, n = outputs.shape[0], inputs.shape[0]
    if m == 0 or n % m:
        raise UserError(f"outputs ({m}) and inputs ({n}) must have the same batch size (or one output per pack)")
    (grad,) = torch.autograd.grad(outputs.sum(), inputs, create_graph=True)
    return grad.reshape(m, -1).norm(2, dim=1)


def interpolate(real: Tensor, fake: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Random points on the lines between real and fake samples, ready for :func:`wgan_gp` (S02).

    ``x_hat = a * real + (1 - a) * fake`` with one ``a ~ U(0, 1)`` per sample, for any input rank.
    The result requires grad.
    """
    if real.shape != fake.shape:
        raise UserError(
            f"real {tuple(real.shape)} and fake {tuple(fake.shape)} must have the same shape to interpolate"
        )
    a = torch.rand(
        (real.shape[0],) + (1,) * (real.dim() - 1), generator=generator, device=real.device, dtype=real.dtype
    )
    return (a * real.detach() + (1 - a) * fake.detach()).requires_grad_(True)


def wgan_gp(outputs: Tensor, inputs: Tensor, one_sided: bool = False, target: float = 1.0) -> Tensor:
    """WGAN-GP (Gulrajani et al. 2017), S02: ``mean (||grad D(x_hat)|| - 1)^2``.

    One-sided (Petzka et al. 2018): ``mean relu(||grad|| - 1)^2``, which only punishes norms above 1.
    ``inputs`` are usually :func:`interpolate` (real, fake) and ``outputs = D(inputs)``.
    """
    gap = input_grad_norms(outputs, inputs) - target
    if one_sided:
        gap = gap.clamp(min=0)
    return (gap**2).mean()


def r1(real_logits: Tensor, real_inputs: Tensor) -> Tensor:
    """R1 (Mescheder et al. 2018), S03: ``mean ||grad_x D(x)||^2`` on real data; weight it by gamma/2."""
    return (input_grad_norms(real_logits, real_inputs) ** 2).mean()


def r2(fake_logits: Tensor, fake_inputs: Tensor) -> Tensor:
    """R2 (Mescheder et al. 2018), S03: the same squared gradient norm on fake data."""
    return (input_grad_norms(fake_logits, fake_inputs) ** 2).mean()


def wgan_lp(outputs: Tensor, inputs: Tensor) -> Tensor:
    """The one-sided WGAN-GP, also called WGAN-LP (Petzka et al. 2018)."""
    return wgan_gp(outputs, inputs, one_sided=True)


@dataclass(frozen=True)
class Penalty:
    """A gradient penalty and the inputs it differentiates, as a trainer needs to know them."""

    name: str
    fn: Callable[[Tensor, Tensor], Tensor]  # fn(D's outputs, the inputs they came from) -> scalar
    # "real" (R1), "fake" (R2), "both" (R1 + R2, as R3GAN) or "between" (WGAN-GP/LP: points between real and fake)
    on: str


PENALTIES: Registry[Penalty] = Registry("penalty")
for _penalty in (
    Penalty("wgan_gp", wgan_gp, on="between"),
    Penalty("wgan_lp", wgan_lp, on="between"),
    Penalty("r1", r1, on="real"),
    Penalty("r2", r2, on="fake"),
    Penalty("r1r2", r1, on="both"),  # R1 on reals + R2 on fakes (the same squared norm), one weight
):
    PENALTIES.register(_penalty.name, _penalty)
