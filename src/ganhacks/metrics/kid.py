"""Kernel Inception Distance (KID; Bińkowski et al. 2018): unbiased MMD^2 with a cubic kernel.

    k(x, y) = (x . y / D + 1)^3
    MMD^2_u = sum_{i != j} k(x_i, x_j) / (m (m - 1)) + sum_{i != j} k(y_i, y_j) / (n (n - 1))
              - 2 sum_{i, j} k(x_i, y_j) / (m n)

Unlike FID the estimator is unbiased, so values at different sample sizes are comparable; it is
averaged over random subsets to bound the cost (each subset costs O(s^2 D)). It can be slightly
negative when the two sets match.
"""

from __future__ import annotations

import torch

from ganhacks.errors import UserError
from ganhacks.metrics.checks import check_features, check_same_dim, need_samples


def polynomial_kernel(x: torch.Tensor, y: torch.Tensor, degree: int = 3, coef: float = 1.0) -> torch.Tensor:
    """Kernel matrix (N_x, N_y) of k(x, y) = (x . y / D + coef)^degree."""
    bias = torch.full((1, 1), coef, dtype=x.dtype)
    return torch.addmm(bias, x, y.T, alpha=1 / x.shape[1]).pow_(degree)  # one fused pass for x.y/D + coef


def mmd2_unbiased(x: torch.Tensor, y: torch.Tensor, degree: int = 3, coef: float = 1.0) -> float:
    """Unbiased MMD^2 between samples x (m, D) and y (n, D) under the polynomial kernel."""
    m, n = len(x), len(y)
    k_xx = polynomial_kernel(x, x, degree, coef)
    k_yy = polynomial_kernel(y, y, degree, coef)
    k_xy = polynomial_kernel(x, y, degree, coef)
    xx = (k_xx.sum() - k_xx.diagonal().sum()) / (m * (m - 1))  # mean over i != j
    yy = (k_yy.sum() - k_yy.diagonal().sum()) / (n * (n - 1))
    return float(xx + yy - 2 * k_xy.mean())


def kid(
    fake: torch.Tensor,
    real: torch.Tensor,
    subsets: int = 100,
    subset_size: int = 1000,
    degree: int = 3,
    seed: int = 0,
) -> tuple[float, float]:
    """KID between fake and real features: mean and standard deviation of MMD^2_u over random subsets.

    Each subset draws ``subset_size`` rows without replacement from each set (independently);
    ``subset_size`` is lowered to the smaller set's size when that is smaller.

    Args:
        fake: features of generated samples (N_f, D).
        real: features of real samples (N_r, D).
        subsets: number of subsets averaged.
        subset_size: rows per subset and set.
        degree: degree of the polynomial kernel (3 in the paper).
        seed: seed of the subset draws.

    Returns:
        ``(mean, std)`` of the per-subset estimates (std with ddof=0; 0 for a single subset).
    """
    fake, real = check_features("fake features", fake), check_features("real features", real)
    check_same_dim(fake, real)
    for which, x in (("fake", fake), ("real", real)):
        need_samples("KID", len(x), 2, which, "the unbiased estimator needs pairs")
    if subsets < 1 or subset_size < 2:
        raise UserError(f"KID needs subsets >= 1 and subset_size >= 2; got {subsets} and {subset_size}")
    size = min(subset_size, len(fake), len(real))
    if size == len(fake) == len(real):
        subsets = 1  # every subset would be the whole of both sets: one exact value, std 0
    gen = torch.Generator().manual_seed(seed)
    values = []
    for _ in range(subsets):
        i = torch.randperm(len(fake), generator=gen)[:size]
        j = torch.randperm(len(real), generator=gen)[:size]
        values.append(mmd2_unbiased(fake[i], real[j], degree))
    v = torch.tensor(values, dtype=torch.float64)
    return float(v.mean()), float(v.std(correction=0))
