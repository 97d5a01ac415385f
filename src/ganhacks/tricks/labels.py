"""Target makers for D: soft labels and label flips (tip T06).

Losses never build their own labels; the trainer asks a :class:`LabelMaker` for the real and
fake targets of each D step and passes them to a loss that accepts targets
(``GANLoss.accepts_targets``). Ranges follow the talk and Salimans et al. 2016: real in
[0.7, 1.2], fake in [0.0, 0.3], or one-sided smoothing of the real targets only (0.9).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from ganhacks.errors import UserError, check_probability

REAL_RANGE = (0.7, 1.2)  # two-sided smoothing range for real targets (talk, tip 6)
FAKE_RANGE = (0.0, 0.3)  # two-sided smoothing range for fake targets (talk, tip 6)


def _check_range(name: str, bounds: tuple[float, float]) -> tuple[float, float]:
    low, high = (float(b) for b in bounds)
    if not low <= high:
        raise UserError(f"{name} must be (low, high) with low <= high, got {bounds}")
    return low, high


def uniform_targets(
    n: int, low: float, high: float, generator: torch.Generator | None = None, device: torch.device | str | None = None
) -> Tensor:
    """``n`` targets drawn uniformly from [low, high]."""
    low, high = _check_range("target range", (low, high))
    return low + (high - low) * torch.rand(n, generator=generator, device=device)


def one_sided(n: int, value: float = 0.9, device: torch.device | str | None = None) -> Tensor:
    """One-sided smoothing (T06; Salimans et al. 2016): real targets set to ``value``, fakes keep 0."""
    return torch.full((n,), float(value), device=device)


def two_sided(
    n_real: int,
    n_fake: int,
    real_range: tuple[float, float] = REAL_RANGE,
    fake_range: tuple[float, float] = FAKE_RANGE,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
) -> tuple[Tensor, Tensor]:
    """Two-sided soft labels (T06): real targets ~ U(real_range), fake targets ~ U(fake_range)."""
    real = uniform_targets(n_real, *_check_range("real_range", real_range), generator=generator, device=device)
    fake = uniform_targets(n_fake, *_check_range("fake_range", fake_range), generator=generator, device=device)
    return real, fake


def flip(targets: Tensor, p: float, generator: torch.Generator | None = None) -> Tensor:
    """Noisy labels (T06): each target ``t`` becomes ``1 - t`` with probability ``p``.

    A hard 1 becomes 0 and a soft 0.9 becomes 0.1, so flipping works on smoothed targets too.
    """
    p = check_probability("flip probability", p)
    mask = torch.rand(targets.shape, generator=generator, device=targets.device) < p
    return torch.where(mask, 1.0 - targets, targets)


SMOOTHING = ("none", "one_sided", "two_sided")


@dataclass(frozen=True)
class LabelMaker:
    """Makes D's real and fake targets for one step (T06).

    Example:
        >>> maker = LabelMaker(smoothing="two_sided", flip_p=0.05)
        >>> real_t, fake_t = maker(64, 64, generator=torch.Generator().manual_seed(0))
    """

    smoothing: str = "one_sided"  # "none" (hard 1/0), "one_sided" (real=real_value), "two_sided" (random ranges)
    real_value: float = 0.9  # one-sided target for real samples (Salimans et al. 2016)
    real_range: tuple[float, float] = REAL_RANGE  # two-sided range for real targets
    fake_range: tuple[float, float] = FAKE_RANGE  # two-sided range for fake targets
    flip_p: float = 0.0  # probability of flipping each of D's targets (0 = off)

    def __post_init__(self) -> None:
        if self.smoothing not in SMOOTHING:
            raise UserError(f"unknown label smoothing '{self.smoothing}'. Valid choices: {', '.join(SMOOTHING)}")
        check_probability("flip_p", self.flip_p)
        _check_range("real_range", self.real_range)
        _check_range("fake_range", self.fake_range)

    def __call__(
        self,
        n_real: int,
        n_fake: int,
        generator: torch.Generator | None = None,
        device: torch.device | str | None = None,
    ) -> tuple[Tensor, Tensor]:
        """Targets for ``n_real`` real and ``n_fake`` fake samples: ``(real_targets, fake_targets)``."""
        if self.smoothing == "two_sided":
            real, fake = two_sided(n_real, n_fake, self.real_range, self.fake_range, generator=generator, device=device)
        elif self.smoothing == "one_sided":
            real, fake = one_sided(n_real, self.real_value, device=device), torch.zeros(n_fake, device=device)
        else:
            real, fake = torch.ones(n_real, device=device), torch.zeros(n_fake, device=device)
        if self.flip_p > 0:
            real, fake = flip(real, self.flip_p, generator), flip(fake, self.flip_p, generator)
        return real, fake
