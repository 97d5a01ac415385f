"""Top-k generator updates: G learns only from the fakes D finds most realistic (S12).

Sinha et al. 2020 ("Top-k Training of GANs", NeurIPS 2020, arXiv:2002.06224) observe on Gaussian
mixtures that the gradient through a fake D rates as hopeless can push that sample *away* from its
nearest mode; dropping the worst-rated part of the batch from G's loss removes that pull and costs
nothing. The share kept starts at the whole batch (early on every sample is poor and all carry
signal) and shrinks to a floor. The paper shrinks it geometrically per epoch; here it is a
function of the run's progress, so a resumed run follows it exactly.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ganhacks.errors import UserError


def top_k_share(progress: float, keep: float, ramp: float = 0.5) -> float:
    """Share of the fakes G learns from at ``progress`` (0 = first step, 1 = last) of the run.

    ``share = 1 - (1 - keep) * min(1, progress / ramp)``: the whole batch at the start, ``keep``
    from ``ramp`` onwards (linear in between); ``ramp = 0`` keeps ``keep`` from the first step.

    Args:
        progress: share of the run done, in [0, 1].
        keep: the floor, in (0, 1]; 1 switches top-k off.
        ramp: share of the run over which the share falls from 1 to ``keep``, in [0, 1].
    """
    if not 0.0 < keep <= 1.0:
        raise UserError(f"top-k keep must be a share in (0, 1], got {keep}")
    if not 0.0 <= ramp <= 1.0:
        raise UserError(f"top-k ramp must be a share of the run in [0, 1], got {ramp}")
    reached = 1.0 if ramp == 0 else min(1.0, max(0.0, progress) / ramp)
    return 1.0 - (1.0 - keep) * reached


def top_k(fake_logits: Tensor, share: float) -> Tensor:
    """The ``ceil(share * N)`` highest of D's ``(N,)`` or ``(N, 1)`` logits on the fakes (at least one).

    Only these enter G's adversarial loss; the rest get no gradient.
    """
    flat = fake_logits.reshape(fake_logits.shape[0], -1)[:, 0] if fake_logits.dim() > 1 else fake_logits
    n = flat.shape[0]
    k = max(1, min(n, math.ceil(share * n - 1e-9)))  # tolerance: 0.5 * 64 must stay 32, not 33
    if k == n:
        return fake_logits
    index = torch.topk(flat.detach(), k, sorted=False).indices
    return fake_logits[index]
