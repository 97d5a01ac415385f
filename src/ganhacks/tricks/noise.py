"""Instance noise on D's inputs with a decaying scale (tips T13 and S09).

Gaussian noise of standard deviation ``sigma(step)`` is added to real and fake inputs alike;
``sigma`` decays from ``start`` to ``end`` over ``steps`` steps and stays at ``end`` afterwards
(Arjovsky & Bottou 2017; Sønderby et al. 2017). The schedule is a pure function of the step, so
it needs no checkpointed state and a resumed run sees the same sigma.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from ganhacks.errors import UserError, check_positive

KINDS = ("linear", "exponential", "cosine", "constant")


def decay(step: int, steps: int, start: float, end: float, kind: str = "linear") -> float:
    """Value of a schedule decaying from ``start`` (step 0) to ``end`` (step ``steps`` and later).

    With progress ``u = min(step / steps, 1)``:
        linear:      start + (end - start) * u
        exponential: start * (end / start) ** u       (geometric; needs start, end > 0)
        cosine:      end + (start - end) * (1 + cos(pi u)) / 2
        constant:    start
    """
    if kind not in KINDS:
        raise UserError(f"unknown decay '{kind}'. Valid choices: {', '.join(KINDS)}")
    if steps <= 0:
        raise UserError(f"decay steps must be > 0, got {steps}")
    u = min(max(step, 0) / steps, 1.0)
    if kind == "linear":
        return start + (end - start) * u
    if kind == "exponential":
        if start <= 0 or end <= 0:
            raise UserError("exponential decay needs start > 0 and end > 0; use linear or cosine to decay to 0")
        return start * (end / start) ** u
    if kind == "cosine":
        return end + (start - end) * (1 + math.cos(math.pi * u)) / 2
    return start


@dataclass(frozen=True)
class InstanceNoise:
    """Adds N(0, sigma(step)^2) noise to real and fake D inputs (T13, S09).

    Example:
        >>> noise = InstanceNoise(start=0.1, end=0.0, steps=1000)
        >>> real_in, fake_in = noise(real, fake, step=10)
    """

    start: float = 0.1  # sigma at step 0, in data units (data lie in [-1, 1])
    end: float = 0.0  # sigma reached at `steps` and kept afterwards (0 = noise off by then)
    steps: int = 10_000  # length of the decay
    kind: str = "linear"  # "linear", "exponential" (needs end > 0), "cosine", "constant"

    def __post_init__(self) -> None:
        check_positive("noise start", self.start, allow_zero=True)
        check_positive("noise end", self.end, allow_zero=True)
        decay(0, self.steps, self.start, self.end, self.kind)  # validates kind, steps and exponential bounds

    def sigma(self, step: int) -> float:
        """The noise standard deviation at ``step``."""
        return decay(step, self.steps, self.start, self.end, self.kind)

    def add(self, x: Tensor, step: int, generator: torch.Generator | None = None) -> Tensor:
        """``x`` plus noise of scale ``sigma(step)`` (``x`` itself when sigma is 0)."""
        s = self.sigma(step)
        if s == 0:
            return x
        return x + s * torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)

    def __call__(
        self, real: Tensor, fake: Tensor, step: int, generator: torch.Generator | None = None
    ) -> tuple[Tensor, Tensor]:
        """Noisy ``(real, fake)``: the same sigma on both sides, so noise is no cue for D (S09)."""
        return self.add(real, step, generator), self.add(fake, step, generator)
