"""Input checks shared by the metrics: each failure is a :class:`UserError` with one clear line.

A metric never returns a number computed from malformed input: NaN features, images outside
[-1, 1], channels-last arrays, too few samples for a covariance or a k-NN radius and feature
sizes that differ between the two sets all stop with a message that says what to do.
"""

from __future__ import annotations

import torch

from ganhacks.errors import UserError

RANGE_TOLERANCE = 1e-3  # images may overshoot [-1, 1] by this much (float rounding of tanh outputs)


def check_finite(name: str, x: torch.Tensor) -> torch.Tensor:
    """Raise when ``x`` holds NaN or infinite values; return ``x`` unchanged otherwise."""
    bad = ~torch.isfinite(x)
    if bad.any():
        rows = int(bad.reshape(len(x), -1).any(1).sum()) if x.ndim > 0 and len(x) else int(bad.sum())
        raise UserError(
            f"{name} contain NaN or infinite values ({rows} of {len(x)} rows); fix the source before measuring"
        )
    return x


def check_features(name: str, x: torch.Tensor) -> torch.Tensor:
    """Check a feature matrix (N, D): two dimensions, finite; returned as float64."""
    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(x)
    if x.ndim != 2:
        raise UserError(f"{name} must be a matrix (N, D); got shape {tuple(x.shape)}")
    if not (x.is_floating_point() or x.dtype in (torch.int32, torch.int64, torch.uint8)):
        raise UserError(f"{name} must be numeric; got dtype {x.dtype}")
    return check_finite(name, x.to(torch.float64))


def check_same_dim(fake: torch.Tensor, real: torch.Tensor, what: str = "features") -> None:
    """Raise when fake and real feature matrices have different widths."""
    if fake.shape[1] != real.shape[1]:
        raise UserError(
            f"fake {what} have {fake.shape[1]} dimensions but real {what} have {real.shape[1]}; "
            "extract both with the same extractor"
        )


def need_samples(metric: str, n: int, needed: int, which: str, why: str) -> None:
    """Raise when a set has fewer than ``needed`` samples, naming the metric and the reason."""
    if n < needed:
        raise UserError(f"{metric} needs at least {needed} {which} samples ({why}); got {n}")


def check_images(name: str, x: torch.Tensor) -> torch.Tensor:
    """Check an image batch: layout (N, C, H, W) channels-first, finite, values in [-1, 1].

    Args:
        name: how the message names the batch, e.g. "fake images".
        x: the batch.

    Returns:
        ``x`` as float32.
    """
    if x.ndim != 4:
        hint = " add a channel axis, e.g. x[:, None]" if x.ndim == 3 else ""
        raise UserError(f"{name} must have shape (N, C, H, W); got {tuple(x.shape)}.{hint}")
    n, c, h, w = x.shape
    if c not in (1, 3) and w in (1, 3):
        raise UserError(f"{name} look channels-last {tuple(x.shape)}; pass (N, C, H, W), e.g. x.permute(0, 3, 1, 2)")
    x = check_finite(name, x.to(torch.float32))
    lo, hi = (x.min().item(), x.max().item()) if x.numel() else (0.0, 0.0)
    if lo < -1 - RANGE_TOLERANCE or hi > 1 + RANGE_TOLERANCE:
        hint = " (looks like 0..255: use x / 127.5 - 1)" if hi > 2 else ""
        raise UserError(f"{name} must lie in [-1, 1]; found values in [{lo:.3g}, {hi:.3g}]{hint}")
    return x
