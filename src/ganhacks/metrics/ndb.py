"""NDB: number of statistically different bins (Richardson & Weiss 2018, "On GANs and GMMs").

The real features are clustered by k-means into K bins; every fake sample falls in the bin of its
nearest centre. For each bin a two-proportion z-test compares the share of real and fake samples:

    p = (c_r + c_f) / (N_r + N_f)                          pooled proportion
    z = (c_f / N_f - c_r / N_r) / sqrt(p (1 - p) (1/N_r + 1/N_f))
    bin differs when the two-sided p-value 2 (1 - Phi(|z|)) < alpha

A generator that drops modes leaves bins empty (or overfills others), so NDB/K rises towards 1;
a good one keeps NDB/K near alpha (the test's false-positive rate). We also report the
Jensen-Shannon divergence (nats) between the two bin histograms.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ganhacks.errors import UserError
from ganhacks.metrics.checks import check_features, check_same_dim, need_samples


def kmeans_bins(real: torch.Tensor, bins: int, seed: int = 0) -> torch.Tensor:
    """Centres (K, D) of a k-means (k-means++ init, Lloyd iterations, scikit-learn) fit to real features."""
    from sklearn.cluster import KMeans

    km = KMeans(n_clusters=bins, n_init=1, random_state=seed).fit(real.numpy())
    return torch.as_tensor(km.cluster_centers_, dtype=torch.float64)


def bin_counts(x: torch.Tensor, centres: torch.Tensor) -> torch.Tensor:
    """How many rows of x (N, D) fall nearest to each centre (K, D); shape (K,)."""
    nearest = torch.cat([torch.cdist(part, centres).argmin(1) for part in x.split(8192)])
    return torch.bincount(nearest, minlength=len(centres))


def two_proportion_pvalues(c_fake: torch.Tensor, n_fake: int, c_real: torch.Tensor, n_real: int) -> torch.Tensor:
    """Two-sided p-values of the pooled two-proportion z-test, per bin (1 where both bins are empty)."""
    c_fake, c_real = c_fake.double(), c_real.double()
    pooled = (c_fake + c_real) / (n_fake + n_real)
    se = torch.sqrt(pooled * (1 - pooled) * (1 / n_fake + 1 / n_real))
    z = (c_fake / n_fake - c_real / n_real) / se
    p = torch.special.erfc(z.abs() / math.sqrt(2))  # 2 (1 - Phi(|z|))
    return torch.where(se > 0, p, torch.ones_like(p))


def js_divergence(p: torch.Tensor, q: torch.Tensor) -> float:
    """Jensen-Shannon divergence (nats) between two histograms (normalised here)."""
    p, q = p.double() / p.sum(), q.double() / q.sum()
    m = (p + q) / 2

    def kl(a: torch.Tensor) -> torch.Tensor:  # KL(a || m), with 0 log 0 = 0
        return torch.where(a > 0, a * (a / m).log(), torch.zeros_like(a)).sum()

    return float((kl(p) + kl(q)) / 2)


def ndb(
    fake: torch.Tensor, real: torch.Tensor, bins: int = 100, alpha: float = 0.05, seed: int = 0
) -> dict[str, float]:
    """Number of statistically different bins between fake and real features.

    Args:
        fake: features of generated samples (N_f, D).
        real: features of real samples (N_r, D); k-means runs on these.
        bins: K, the number of k-means bins.
        alpha: significance level of each bin's test.
        seed: seed of the k-means initialisation.

    Returns:
        ``{"ndb": count, "ndb_fraction": count / K, "ndb_js": JS divergence of the bin histograms}``.
    """
    fake, real = check_features("fake features", fake), check_features("real features", real)
    check_same_dim(fake, real)
    if bins < 2 or not 0 < alpha < 1:
        raise UserError(f"NDB needs bins >= 2 and 0 < alpha < 1; got bins={bins}, alpha={alpha}")
    need_samples("NDB", len(real), bins, "real", f"k-means with {bins} bins needs one per bin; lower the bin count")
    need_samples("NDB", len(fake), 2, "fake", "a proportion test needs samples")
    distinct = len(np.unique(real.numpy(), axis=0))
    if distinct < bins:
        raise UserError(f"NDB with {bins} bins needs at least {bins} distinct real samples; got {distinct}")
    centres = kmeans_bins(real, bins, seed)
    c_real, c_fake = bin_counts(real, centres), bin_counts(fake, centres)
    pvalues = two_proportion_pvalues(c_fake, len(fake), c_real, len(real))
    count = int((pvalues < alpha).sum())
    return {"ndb": float(count), "ndb_fraction": count / bins, "ndb_js": js_divergence(c_fake, c_real)}
