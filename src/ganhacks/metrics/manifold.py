"""k-NN manifold metrics: precision, recall, F1 (Kynkäänniemi et al. 2019), density and coverage (Naeem et al. 2020).

Each set's manifold is the union of balls around its samples, ball radius = distance to the k-th
nearest other sample of the same set. With ``r_i`` the radii of the real samples and ``s_j`` those
of the fake samples, and ``d(i, j)`` the distance between real ``i`` and fake ``j``:

    precision = mean_j [ exists i: d(i, j) < r_i ]         fakes inside the real manifold (quality)
    recall    = mean_i [ exists j: d(i, j) < s_j ]         reals inside the fake manifold (diversity)
    F1        = 2 P R / (P + R)
    density   = mean_j (1/k) #{ i: d(i, j) < r_i }         like precision, but counts overlapping balls
    coverage  = mean_i [ min_j d(i, j) < r_i ]             real balls holding at least one fake

Strict inequalities, as in the reference ``prdc`` package. Squared distances are compared with
squared radii (same order, one square root less), computed in float64 as |a|^2 + |b|^2 - 2 a.b by
one matrix product per row chunk, so memory stays bounded (no N x N matrix is ever held whole).
"""

from __future__ import annotations

import torch

from ganhacks.errors import UserError
from ganhacks.metrics.checks import check_features, check_same_dim, need_samples

CHUNK_ELEMENTS = 2**24  # distance-matrix entries per chunk (128 MiB in float64)


def _chunk_rows(n_cols: int) -> int:
    """Rows per chunk so that a (rows, n_cols) block has about CHUNK_ELEMENTS entries."""
    return max(1, CHUNK_ELEMENTS // max(1, n_cols))


def squared_distances(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Squared Euclidean distances (N_a, N_b): |a_i|^2 + |b_j|^2 - 2 a_i . b_j."""
    a2, b2 = a.square().sum(1), b.square().sum(1)
    return torch.addmm(b2[None, :], a, b.T, alpha=-2).add_(a2[:, None])


def knn_radii_squared(x: torch.Tensor, k: int) -> torch.Tensor:
    """Squared distance (N,) from each row of x (N, D) to its k-th nearest other row."""
    radii = torch.empty(len(x), dtype=x.dtype)
    step = _chunk_rows(len(x))
    for start in range(0, len(x), step):
        d2 = squared_distances(x[start : start + step], x)  # (B, N), includes the ~0 distance to itself
        radii[start : start + step] = d2.topk(k + 1, dim=1, largest=False).values[:, -1]
    return radii


def knn_radii(x: torch.Tensor, k: int) -> torch.Tensor:
    """Distance (N,) from each row of x (N, D) to its k-th nearest other row (the point itself excluded)."""
    return knn_radii_squared(x, k).clamp_min(0).sqrt()


def manifold_metrics(fake: torch.Tensor, real: torch.Tensor, k: int = 5) -> dict[str, float]:
    """Precision, recall, F1, density and coverage of fake features against real ones.

    Args:
        fake: features of generated samples (N_f, D).
        real: features of real samples (N_r, D).
        k: neighbour rank that sets each ball's radius (Kynkäänniemi et al. use 3, Naeem et al. 5).

    Returns:
        ``{"precision", "recall", "f1", "density", "coverage"}``.
    """
    fake, real = check_features("fake features", fake), check_features("real features", real)
    check_same_dim(fake, real)
    if k < 1:
        raise UserError(f"the k-NN metrics need k >= 1; got k={k}")
    for which, x in (("fake", fake), ("real", real)):
        need_samples(
            "precision/recall/density/coverage", len(x), k + 1, which, f"k={k} neighbours plus the point itself"
        )
    r_real, r_fake = knn_radii_squared(real, k), knn_radii_squared(fake, k)  # squared radii
    fake_hits = torch.zeros(len(fake), dtype=torch.int64)  # per fake: real balls containing it
    real_in_fake = torch.zeros(len(real), dtype=torch.bool)  # per real: inside some fake ball
    covered = torch.zeros(len(real), dtype=torch.bool)  # per real: its ball holds a fake
    step = _chunk_rows(len(fake))
    for start in range(0, len(real), step):
        stop = start + step
        d2 = squared_distances(real[start:stop], fake)  # (B, N_f)
        inside_real = d2 < r_real[start:stop, None]  # fake j inside real ball i
        fake_hits += inside_real.sum(0)
        covered[start:stop] = inside_real.any(1)  # same as min_j d(i, j) < r_i
        real_in_fake[start:stop] = (d2 < r_fake[None, :]).any(1)
    precision = (fake_hits > 0).double().mean().item()
    recall = real_in_fake.double().mean().item()
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "density": fake_hits.double().mean().item() / k,
        "coverage": covered.double().mean().item(),
    }
