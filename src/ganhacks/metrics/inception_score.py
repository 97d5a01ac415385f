"""Inception Score (Salimans et al. 2016) from class probabilities of generated samples.

    IS = exp( E_x KL( p(y|x) || p(y) ) ),   p(y) = E_x p(y|x)

computed on each of ``splits`` contiguous chunks and reported as mean and standard deviation
(ddof=0, as in the original code). Ranges from 1 (every sample gives the same prediction) to the
number of classes (confident predictions spread evenly over all classes). It ignores the real
data entirely, so it only makes sense with a classifier trained on the kind of data generated.
"""

from __future__ import annotations

import torch

from ganhacks.errors import UserError
from ganhacks.metrics.checks import check_features, need_samples


def inception_score(probs: torch.Tensor, splits: int = 10) -> tuple[float, float]:
    """Inception Score of class probabilities (N, K) (rows sum to 1), over ``splits`` chunks.

    Args:
        probs: p(y|x) for each generated sample, e.g. a classifier's softmax.
        splits: number of contiguous chunks (as split by ``torch.chunk``) scored separately.

    Returns:
        ``(mean, std)`` over the chunks.

    Example:
        >>> import torch
        >>> inception_score(torch.eye(4).repeat(5, 1), splits=1)[0]  # confident and uniform over 4 classes
        4.0
    """
    p = check_features("class probabilities", probs)
    if (p < 0).any() or not torch.allclose(p.sum(1), torch.ones(len(p), dtype=p.dtype), atol=1e-4):
        raise UserError("class probabilities must be non-negative rows that sum to 1 (apply softmax to logits)")
    if splits < 1:
        raise UserError(f"Inception Score needs splits >= 1; got {splits}")
    need_samples("Inception Score", len(p), splits, "fake", f"one per split with splits={splits}")
    scores = []
    for chunk in p.chunk(splits):
        marginal = chunk.mean(0, keepdim=True)  # p(y) on this chunk
        log_ratio = torch.log(chunk) - torch.log(marginal)
        kl = torch.where(chunk > 0, chunk * log_ratio, torch.zeros_like(chunk)).sum(
            1
        )  # KL(p(y|x) || p(y)), 0 log 0 = 0
        scores.append(kl.mean().exp())
    s = torch.stack(scores)
    return float(s.mean()), float(s.std(correction=0))
