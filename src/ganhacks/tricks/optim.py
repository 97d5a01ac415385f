"""Optimiser set-ups for G and D (tips T09, S04, S08).

Adam with a low beta1 for both players is the default (Radford et al. 2015); SGD for D is the
alternative named in the talk; separate learning rates give the two time-scale update rule
(Heusel et al. 2017); :func:`scale_lr` lowers the rates in place, e.g. against mode collapse, and
:func:`schedule_lr` lowers them on a schedule towards the end of a run, so the players settle
instead of circling the equilibrium at a constant step size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch
from torch import nn

from ganhacks.errors import UserError, check_positive
from ganhacks.registry import Registry

OPTIMIZERS: Registry[Callable[..., torch.optim.Optimizer]] = Registry("optimizer")
# progress in [0, 1] of the run and the schedule's start -> factor on the base learning rate (S08)
LR_SCHEDULES: Registry[Callable[[float, float], float]] = Registry("learning-rate schedule")


@LR_SCHEDULES.register("constant")
def _constant(progress: float, start: float) -> float:
    return 1.0


@LR_SCHEDULES.register("linear")
def _linear(progress: float, start: float) -> float:
    # 1 until `start`, then linearly down to 0 at the end of the run
    if progress <= start:
        return 1.0
    return max(0.0, (1.0 - progress) / (1.0 - start))


@LR_SCHEDULES.register("cosine")
def _cosine(progress: float, start: float) -> float:
    # 1 until `start`, then half a cosine down to 0 at the end of the run
    if progress <= start:
        return 1.0
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, (progress - start) / (1.0 - start))))


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
    lr_schedule: str = "constant"  # "constant", or lower both rates to 0 by the end: "linear", "cosine" (S08)
    lr_decay_start: float = 0.5  # share of the run after which a non-constant schedule starts lowering

    def __post_init__(self) -> None:
        OPTIMIZERS.get(self.g_optimizer)
        OPTIMIZERS.get(self.d_optimizer)
        check_positive("g_lr", self.g_lr)
        check_positive("d_lr", self.d_lr)
        LR_SCHEDULES.get(self.lr_schedule)
        if not 0.0 <= self.lr_decay_start < 1.0:
            raise UserError(f"lr_decay_start must be in [0, 1) (a share of the run), got {self.lr_decay_start}")
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
    """Multiply every parameter group's learning rate (and its scheduled base rate) by ``factor`` in
    place (S08); returns the new rates."""
    check_positive("lr factor", factor)
    for group in optimizer.param_groups:
        group["lr"] *= factor
        if "base_lr" in group:
            group["base_lr"] *= factor
    return [g["lr"] for g in optimizer.param_groups]


def schedule_lr(optimizer: torch.optim.Optimizer, schedule: str, progress: float, start: float) -> float:
    """Set every group's rate to its base rate times the schedule's factor at ``progress`` of the run (S08).

    The base rate is the group's rate when the schedule first touched it (kept in the group as
    ``base_lr``, so it is saved with the optimiser's state and a resumed run continues exactly).

    Example:
        >>> opt = torch.optim.Adam(nn.Linear(2, 2).parameters(), lr=1e-3)
        >>> schedule_lr(opt, "linear", progress=0.75, start=0.5), opt.param_groups[0]["lr"]
        (0.5, 0.0005)
    """
    factor = LR_SCHEDULES.get(schedule)(progress, start)
    for group in optimizer.param_groups:
        group.setdefault("base_lr", group["lr"])
        group["lr"] = group["base_lr"] * factor
    return factor
