"""How the D and G steps of one training iteration are arranged (tips T04, T11, T14, S11).

The trainer's loop asks a :class:`StepSchedule` which phases to run at each iteration — steps as
data, so the loop itself stays a plain ``for`` over them. :func:`discriminate` runs D on real and
fake samples in separate batches (T04). :class:`ThresholdBalancer` is the loss-threshold
schedule the talk advises against (T11); it exists only as an explicit opt-in, and warns.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from ganhacks.errors import UserError


@dataclass(frozen=True)
class Phase:
    """One kind of step: which network it trains, how often, and how many times in a row."""

    name: str  # "D" or "G"
    repeats: int = 1  # consecutive steps of this phase per iteration (n_critic for D)
    every: int = 1  # run this phase on iterations divisible by `every`


@dataclass(frozen=True)
class StepSchedule:
    """D/G update schedule: ``n_critic`` D steps, then one G step every ``g_every`` iterations.

    The default 1:1 keeps the players balanced (S11); raise ``n_critic`` for Wasserstein critics
    or strong instance noise (T14, marked "not sure" in the talk).

    Example:
        >>> StepSchedule(n_critic=5).plan(0)
        ('D', 'D', 'D', 'D', 'D', 'G')
    """

    n_critic: int = 1  # D steps per iteration (T14); 1 = balanced (S11), 5 is usual for WGAN-GP
    g_every: int = 1  # G steps on every g_every-th iteration

    def __post_init__(self) -> None:
        if self.n_critic < 1 or self.g_every < 1:
            raise UserError(f"n_critic and g_every must be >= 1, got n_critic={self.n_critic}, g_every={self.g_every}")

    @property
    def phases(self) -> tuple[Phase, ...]:
        """The phases of one iteration, in order."""
        return (Phase("D", repeats=self.n_critic), Phase("G", every=self.g_every))

    def plan(self, iteration: int) -> tuple[str, ...]:
        """Names of the steps to run at ``iteration``, in order."""
        return tuple(p.name for p in self.phases if iteration % p.every == 0 for _ in range(p.repeats))


def _split(out: Any, n: int, first: bool) -> Any:
    if isinstance(out, tuple):
        return tuple(_split(o, n, first) for o in out)
    return out[:n] if first else out[n:]


def discriminate(
    discriminator: Callable[..., Any],
    real: Tensor,
    fake: Tensor,
    separate: bool = True,
    real_labels: Tensor | None = None,
    fake_labels: Tensor | None = None,
    **kwargs: Any,
) -> tuple[Any, Any]:
    """D's outputs on ``real`` and ``fake``: ``(real_out, fake_out)``.

    With ``separate=True`` (T04) each batch goes through D on its own, so batch-norm statistics
    are computed over all-real or all-fake batches. ``separate=False`` concatenates them into one
    batch: fewer calls, but batch statistics then mix real and fake (kept for ablations).
    Labels, when given, are passed to D as its second argument; ``kwargs`` are passed through.
    D may return a tensor or a tuple of tensors (e.g. logits and class logits); either is split
    back into its real and fake parts.
    """
    if real.shape[1:] != fake.shape[1:]:
        raise UserError(f"real {tuple(real.shape)} and fake {tuple(fake.shape)} samples must have the same shape")
    if (real_labels is None) != (fake_labels is None):
        raise UserError("pass labels for both real and fake samples, or for neither")
    labelled = real_labels is not None

    def call(x: Tensor, y: Tensor | None) -> Any:
        return discriminator(x, y, **kwargs) if labelled else discriminator(x, **kwargs)

    if separate:
        return call(real, real_labels), call(fake, fake_labels)
    y = torch.cat([real_labels, fake_labels]) if labelled else None
    out = call(torch.cat([real, fake], dim=0), y)
    rows = len(out[0] if isinstance(out, tuple) else out)  # fewer than the samples when D reads packs (S13)
    n = real.shape[0] * rows // (real.shape[0] + fake.shape[0])
    return _split(out, n, True), _split(out, n, False)


@dataclass(frozen=True)
class ThresholdBalancer:
    """Repeat a phase while its loss stays above a threshold — the schedule tip T11 warns against.

    "Train D while loss_D > A; train G while loss_G > B." The talk's authors report it is hard to
    make work; it is here, off by default, so the evidence suite can measure it. Creating one
    emits a :class:`UserWarning`.
    """

    d_threshold: float | None  # repeat D steps while loss_D is above this (None: never repeat D)
    g_threshold: float | None  # repeat G steps while loss_G is above this (None: never repeat G)
    max_repeats: int = 5  # hard cap on consecutive steps of one phase, the first one included

    def __post_init__(self) -> None:
        if self.max_repeats < 1:
            raise UserError(f"max_repeats must be >= 1, got {self.max_repeats}")
        warnings.warn(
            "ThresholdBalancer balances G and D by loss thresholds, which tip T11 advises against; "
            "use it only with a principled reason",
            UserWarning,
            stacklevel=3,
        )

    def repeat(self, phase: str, loss: float, done: int) -> bool:
        """Whether to run ``phase`` once more after ``done`` consecutive steps of it, the last ending at ``loss``.

        Example:
            >>> b = ThresholdBalancer(d_threshold=0.5, g_threshold=None, max_repeats=3)  # doctest: +SKIP
            >>> [b.repeat("D", 0.9, done) for done in (1, 2, 3)], b.repeat("G", 9.0, 1)  # doctest: +SKIP
            ([True, True, False], False)
        """
        if phase not in ("D", "G"):
            raise UserError(f"unknown phase '{phase}'. Valid choices: D, G")
        threshold = self.d_threshold if phase == "D" else self.g_threshold
        return threshold is not None and done < self.max_repeats and loss > threshold
