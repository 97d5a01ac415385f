"""Map data into [-1, 1] and check that it is there (tip T01).

A generator that ends in ``tanh`` can only produce values in (-1, 1), so the real data must
live on the same range; otherwise D separates real from fake by range alone. Every data
source in :mod:`ganhacks.data` ends with :func:`to_signed_unit` and :func:`check_signed_unit`.
"""

from __future__ import annotations

import math
from typing import TypeVar

import numpy as np
import torch

from ganhacks.errors import UserError

ArrayLike = TypeVar("ArrayLike", torch.Tensor, np.ndarray)

# Known value ranges of stored images, tried in this order by infer_value_range.
KNOWN_RANGES: tuple[tuple[float, float], ...] = ((-1.0, 1.0), (0.0, 1.0), (0.0, 255.0))
CHECK_CHUNK = 1 << 24  # values checked at a time by check_signed_unit


def _check_bounds(low: float, high: float) -> tuple[float, float]:
    low, high = float(low), float(high)
    if not (math.isfinite(low) and math.isfinite(high) and high > low):
        raise UserError(f"value range must be two finite numbers low < high, got ({low}, {high})")
    return low, high


def to_signed_unit(x: ArrayLike, low: float, high: float) -> ArrayLike:
    """Map values known to lie in ``[low, high]`` onto ``[-1, 1]`` (tip T01).

    Integer inputs become float32; float inputs keep their dtype. Works on torch tensors and
    numpy arrays and returns the same kind.

    Args:
        x: values in ``[low, high]``.
        low: the value that maps to -1.
        high: the value that maps to +1.

    Returns:
        ``2 (x - low) / (high - low) - 1``.

    Example:
        >>> to_signed_unit(np.array([0, 8, 16]), 0, 16)
        array([-1.,  0.,  1.], dtype=float32)
    """
    low, high = _check_bounds(low, high)
    if isinstance(x, torch.Tensor):
        if not x.is_floating_point():
            x = x.to(torch.float32)
    else:
        x = np.asarray(x)
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype(np.float32)
    # y = 2 (x - low) / (high - low) - 1 : low -> -1, high -> +1, affine in between
    return (x - low) * (2.0 / (high - low)) - 1.0


def from_signed_unit(x: ArrayLike, low: float, high: float) -> ArrayLike:
    """Inverse of :func:`to_signed_unit`: map ``[-1, 1]`` back onto ``[low, high]`` (tip T01).

    Args:
        x: values in ``[-1, 1]`` (e.g. generator outputs).
        low: the value that -1 maps to.
        high: the value that +1 maps to.

    Returns:
        ``low + (x + 1) (high - low) / 2``.
    """
    low, high = _check_bounds(low, high)
    # x = low + (y + 1) (high - low) / 2 : the inverse of the affine map above
    return (x + 1.0) * ((high - low) / 2.0) + low


def check_signed_unit(x: ArrayLike, name: str = "data", tol: float = 1e-4) -> ArrayLike:
    """Return ``x`` unchanged after checking it is finite and inside ``[-1 - tol, 1 + tol]`` (tip T01).

    Args:
        x: a tensor or numpy array.
        name: what ``x`` is, for the error message.
        tol: slack allowed beyond +-1 for rounding.

    Returns:
        ``x`` itself.

    Raises:
        UserError: ``x`` holds NaN/Inf or values outside the range.
    """
    t = torch.as_tensor(np.asarray(x)) if not isinstance(x, torch.Tensor) else x.detach()
    if t.numel() == 0:
        return x
    chunks = t.reshape(-1).split(CHECK_CHUNK)  # bounded temporaries, even for a data set of several GB
    if t.is_floating_point():
        bad = sum(int((~torch.isfinite(c)).sum()) for c in chunks)
        if bad:
            raise UserError(f"{name} contains {bad} NaN/Inf values; remove or replace them before training (T01)")
    lo, hi = min(float(c.min()) for c in chunks), max(float(c.max()) for c in chunks)
    if lo < -1.0 - tol or hi > 1.0 + tol:
        raise UserError(
            f"{name} spans [{lo:.4g}, {hi:.4g}], outside [-1, 1]; map it with "
            f"ganhacks.data.scaling.to_signed_unit(x, low, high) or pass its value_range (T01)"
        )
    return x


def infer_value_range(x: np.ndarray | torch.Tensor, name: str = "data") -> tuple[float, float]:
    """Guess the stored value range of image data (tip T01).

    The rule, in order: uint8 -> [0, 255]; any other integer type whose values lie in [0, 255]
    -> [0, 255]; floats -> the first of [-1, 1] (only when some value is negative), [0, 1],
    [0, 255] that contains every value. Anything else is refused: pass ``value_range``.

    Args:
        x: the raw image values.
        name: what ``x`` is, for the error message.

    Returns:
        ``(low, high)`` to pass to :func:`to_signed_unit`.

    Raises:
        UserError: NaN/Inf, booleans, or values outside every known range.
    """
    if not isinstance(x, torch.Tensor) and np.asarray(x).dtype.kind not in "biufc":
        raise UserError(f"{name} has dtype {np.asarray(x).dtype}, not numbers; store images as uint8 or float values")
    t = torch.as_tensor(np.asarray(x)) if not isinstance(x, torch.Tensor) else x
    if t.dtype == torch.bool or t.is_complex():
        raise UserError(f"{name} has dtype {t.dtype}; store images as uint8 or float values")
    if t.numel() == 0:
        raise UserError(f"{name} is empty; give at least one image")
    if t.dtype == torch.uint8:
        return (0.0, 255.0)
    if t.is_floating_point():
        bad = int((~torch.isfinite(t)).sum())
        if bad:
            raise UserError(f"{name} contains {bad} NaN/Inf values; remove or replace them first (T01)")
    lo, hi = float(t.min()), float(t.max())
    tol = 1e-4  # rounding slack when matching a known range
    candidates = KNOWN_RANGES if t.is_floating_point() else KNOWN_RANGES[2:]
    for low, high in candidates:
        if low < 0 and lo >= 0:
            continue  # [-1, 1] is chosen only when the data is actually signed
        if lo >= low - tol and hi <= high + tol:
            return (low, high)
    known = ", ".join(f"[{a:g}, {b:g}]" for a, b in candidates)
    raise UserError(
        f"{name} spans [{lo:.4g}, {hi:.4g}], which matches no known image range ({known}); "
        f"rescale it or pass value_range=(low, high)"
    )
