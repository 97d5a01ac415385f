"""Fréchet distance between Gaussian fits of two feature sets (FID; Heusel et al. 2017, TTUR).

    FID = ||mu_f - mu_r||^2 + Tr(S_f) + Tr(S_r) - 2 Tr((S_f S_r)^(1/2))

The trace of the matrix square root is the costly part. ``S_f S_r`` is not symmetric, but it is
similar to the symmetric positive semi-definite ``A S_r A`` with ``A = S_f^(1/2)``:
``A^-1 (A S_r A) A = S_f S_r``, so both have the same eigenvalues and
``Tr((S_f S_r)^(1/2)) = sum_i sqrt(eig_i(A S_r A))``. Two symmetric eigendecompositions in float64
replace the Schur-based ``scipy.linalg.sqrtm`` and its complex arithmetic (benchmarks/metrics_speed.py
measures the gain), and tiny negative eigenvalues from round-off are clipped to 0 instead of
producing imaginary parts.
"""

from __future__ import annotations

import torch

from ganhacks.metrics.checks import check_features, check_same_dim, need_samples


def gaussian_moments(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean (D,) and unbiased covariance (D, D) of features (N, D), in float64."""
    x = x.to(torch.float64)
    mu = x.mean(0)
    centred = x - mu
    return mu, centred.T @ centred / (len(x) - 1)  # S = (X - mu)^T (X - mu) / (N - 1)


def psd_sqrt(s: torch.Tensor) -> torch.Tensor:
    """Symmetric square root of a symmetric positive semi-definite matrix (negative round-off clipped)."""
    evals, evecs = torch.linalg.eigh(s)  # S = U diag(l) U^T
    return (evecs * evals.clamp_min(0).sqrt()) @ evecs.T  # U diag(sqrt l) U^T


def trace_sqrt_product(s1: torch.Tensor, s2: torch.Tensor) -> torch.Tensor:
    """Tr((S1 S2)^(1/2)) for symmetric PSD S1, S2, via eigenvalues of the symmetric S1^(1/2) S2 S1^(1/2)."""
    a = psd_sqrt(s1.to(torch.float64))
    m = a @ s2.to(torch.float64) @ a
    m = (m + m.T) / 2  # remove asymmetric round-off before eigvalsh
    return torch.linalg.eigvalsh(m).clamp_min(0).sqrt().sum()


def fid_from_moments(mu1: torch.Tensor, s1: torch.Tensor, mu2: torch.Tensor, s2: torch.Tensor) -> float:
    """Fréchet distance between N(mu1, s1) and N(mu2, s2).

    Example:
        >>> import torch
        >>> fid_from_moments(torch.zeros(2), torch.eye(2), torch.ones(2), 4 * torch.eye(2))
        4.0
    """
    mu1, mu2 = mu1.to(torch.float64), mu2.to(torch.float64)
    mean_term = (mu1 - mu2).square().sum()  # ||mu1 - mu2||^2
    trace_term = s1.trace() + s2.trace() - 2 * trace_sqrt_product(s1, s2)  # Tr(S1 + S2 - 2 (S1 S2)^(1/2))
    return float(mean_term + trace_term)


def fid(fake: torch.Tensor, real: torch.Tensor) -> float:
    """FID between fake and real features (N, D); needs N > D in each set for a full-rank covariance.

    Only compare FIDs computed with the same extractor and the same sample sizes: the estimate is
    biased upwards, more so for small N.

    Args:
        fake: features of generated samples (N_f, D).
        real: features of real samples (N_r, D).

    Returns:
        The Fréchet distance (>= 0 up to round-off).
    """
    fake, real = check_features("fake features", fake), check_features("real features", real)
    check_same_dim(fake, real)
    d = fake.shape[1]
    for which, x in (("fake", fake), ("real", real)):
        need_samples("FID", len(x), d + 1, which, f"a full-rank covariance of {d}-dim features needs D + 1")
    return fid_from_moments(*gaussian_moments(fake), *gaussian_moments(real))
