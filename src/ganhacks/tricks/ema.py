"""Exponential moving average of a model's weights (S07).

Keep an averaged copy of G and sample from it: averaging damps the oscillation of the weights
around the equilibrium (Yazici et al. 2019; Karras et al. 2018).
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn

from ganhacks.errors import UserError, check_probability


class EMA:
    """An exponential-moving-average copy of a model (S07).

    After each optimiser step call :meth:`update`; sample from :attr:`module`. For every floating
    point parameter ``p_ema <- d * p_ema + (1 - d) * p``. Buffers (e.g. BatchNorm running
    statistics) and integer parameters are copied as they are, since averaging them has no
    meaning (a running mean is already an average, a step counter must stay an integer).

    Warm-up: with ``warmup=True`` the n-th update (n = 0, 1, ...) uses
    ``d_n = min(decay, (1 + n) / (10 + n))``, so early updates (d_0 = 0.1) follow the fast-moving
    model instead of averaging in its random initialisation for thousands of steps.

    Args:
        model: the model to track; deep-copied, the original is never changed.
        decay: the weight ``d`` of the old average, in ``[0, 1]`` (1 freezes the copy, 0 mirrors the model).
        warmup: use the warm-up schedule above.

    Example:
        >>> g = nn.Linear(2, 2)
        >>> ema = EMA(g, decay=0.99)
        >>> ema.update(g)
        >>> ema.num_updates
        1
    """

    def __init__(self, model: nn.Module, decay: float = 0.999, warmup: bool = False) -> None:
        self.decay = check_probability("decay", decay)
        self.warmup = bool(warmup)
        self.num_updates = 0
        self.module = copy.deepcopy(model).eval()
        self.module.requires_grad_(False)

    def current_decay(self) -> float:
        """The decay the next :meth:`update` will use."""
        if not self.warmup:
            return self.decay
        n = self.num_updates
        return min(self.decay, (1.0 + n) / (10.0 + n))  # warm-up: 0.1, 0.18, 0.25, ... -> decay

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        """Move the average one step towards ``model`` (same architecture as the tracked model)."""
        d = self.current_decay()
        ema_params = dict(self.module.named_parameters())
        new_params = dict(model.named_parameters())
        ema_buffers = dict(self.module.named_buffers())
        new_buffers = dict(model.named_buffers())
        if ema_params.keys() != new_params.keys() or ema_buffers.keys() != new_buffers.keys():
            missing = sorted((ema_params.keys() ^ new_params.keys()) | (ema_buffers.keys() ^ new_buffers.keys()))
            raise UserError(
                f"EMA.update got a model with different parameters/buffers than the tracked one: {missing[:5]}"
            )
        for name, p_ema in ema_params.items():
            p = new_params[name].detach().to(p_ema.device)
            if p_ema.dtype.is_floating_point:
                p_ema.mul_(d).add_(p.to(p_ema.dtype), alpha=1.0 - d)  # d * p_ema + (1 - d) * p
            else:
                p_ema.copy_(p)
        for name, b_ema in ema_buffers.items():
            b_ema.copy_(new_buffers[name].detach())
        self.num_updates += 1

    def state_dict(self) -> dict[str, Any]:
        """The averaged weights plus decay, warm-up flag and update count."""
        return {
            "decay": self.decay,
            "warmup": self.warmup,
            "num_updates": self.num_updates,
            "module": self.module.state_dict(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned, so training resumes exactly."""
        missing = {"decay", "num_updates", "module"} - state.keys()
        if missing:
            raise UserError(f"EMA state is missing {sorted(missing)}; pass a dict made by EMA.state_dict()")
        self.module.load_state_dict(state["module"])
        self.decay = check_probability("decay", state["decay"])
        self.warmup = bool(state.get("warmup", self.warmup))
        self.num_updates = int(state["num_updates"])
