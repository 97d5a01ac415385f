"""Optimiser set-ups for G and D (tips T09, S04, S08).

Adam with a low beta1 for both players is the default (Radford et al. 2015); SGD for D is the
alternative named in the talk; separate learning rates give the two time-scale update rule
(Heusel et al. 2017); :func:`scale_lr` lowers the rates in place, e.g. against mode collapse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch
from torch import nn

from ganhacks.errors import UserError, check_positive
from ganhacks.registry import Registry

OPTIMIZERS: Registry[Callable[..., torch.optim.Optimizer]] = Registry("optimizer")


@OPTIMIZERS.register("adam")
def _adam(params: Iterable, lr: float, betas: tuple[float, float], momentum: float, weight_decay: float):
    return torch.optim.Adam(params, lr=lr, betas=betas, weight_decay=weight_decay)


@OPTIMIZERS.register("adamw")
def _adamw(params: Iterable, lr: float, betas: tuple[float, float], momentum: float, weight_decay: float):
    return torch.optim.AdamW(params, lr=lr, betas=betas, weight_decay=weight_decay)


@OPTIMIZERS.register("sgd")
def _sgd(params: Iterable, lr: float, betas: tuple[float, float], momentum: float, weight_decay: float):
    return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)


@OPTIMIZERS.register("rmsprop")
def _rmsprop(params: Iterable, lr: float, betas: tuple[float, float], momentum: float, weight_decay: float):
    return torch.optim.RMSprop(params, lr=lr, momentum=momentum, weight_decay=weight_decay)


@dataclass(frozen=True)
class OptimConfig:
    """Optimisers of both players. Defaults are DCGAN's (T09); set d_lr > g_lr for TTUR (S04)."""

    g_optimizer: str = "adam"  # T09: Adam for G
    d_optimizer: str = "adam"  # T09: Adam (or "sgd", the talk's alternative) for D
    g_lr: float = 2e-4  # DCGAN's learning rate (Radford et al. 2015)
    d_lr: float = 2e-4  # equal to g_lr by default; TTUR uses e.g. g_lr=1e-4, d_lr=4e-4 (S04)
    betas: tuple[float, float] = (0.5, 0.999)  # DCGAN's beta1=0.5 reacts faster to the opponent
    momentum: float = 0.0  # for SGD/RMSprop only
    weight_decay: float = 0.0  # no weight decay by default

    def __post_init__(self) -> None:
        OPTIMIZERS.get(self.g_optimizer)
        OPTIMIZERS.get(self.d_optimizer)
        check_positive("g_lr", self.g_lr)
        check_positive("d_lr", self.d_lr)
        if not all(0.0 <= b < 1.0 for b in self.betas) or len(self.betas) != 2:
            raise UserError(f"betas must be two numbers in [0, 1), got {self.betas}")


def make_optimizers(
    generator: nn.Module, discriminator: nn.Module, config: OptimConfig = OptimConfig()
) -> tuple[torch.optim.Optimizer, torch.optim.Optimizer]:
    """``(opt_g, opt_d)`` for the two networks as ``config`` says (T09, S04)."""

    def build(name: str, module: nn.Module, lr: float) -> torch.optim.Optimizer:
        params = [p for p in module.parameters() if p.requires_grad]
        if not params:
            raise UserError(f"{type(module).__name__} has no trainable parameters to optimise")
        return OPTIMIZERS.get(name)(params, lr, tuple(config.betas), config.momentum, config.weight_decay)

    return build(config.g_optimizer, generator, config.g_lr), build(config.d_optimizer, discriminator, config.d_lr)


def scale_lr(optimizer: torch.optim.Optimizer, factor: float) -> list[float]:
    """Multiply every parameter group's learning rate by ``factor`` in place (S08); returns the new rates."""
    check_positive("lr factor", factor)
    for group in optimizer.param_groups:
        group["lr"] *= factor
    return [g["lr"] for g in optimizer.param_groups]
