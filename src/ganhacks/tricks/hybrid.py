"""VAE-GAN pieces: an encoder's sampling step, its KL term and a reconstruction loss (T07).

When no GAN set-up is stable, T07 suggests a hybrid: an encoder maps x to ``q(z|x) = N(mu, sigma^2)``,
G decodes ``z`` back, and G's loss gains ``KL(q(z|x) || N(0, I))`` and a reconstruction term next
to the adversarial one (Larsen et al. 2016).

Scale convention: both :func:`kl_to_standard_normal` and :func:`reconstruction_loss` **sum over
a sample's dimensions and average over the batch**, so they are per-sample quantities on the
same footing (as in the evidence lower bound) and do not change with the batch size.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from ganhacks.errors import UserError
from ganhacks.registry import Registry


def _check_same_shape(what: str, a: Tensor, b: Tensor) -> None:
    if a.shape != b.shape:
        raise UserError(f"{what} must have the same shape, got {tuple(a.shape)} and {tuple(b.shape)}")
    if a.dim() < 1 or a.shape[0] == 0:
        raise UserError(f"{what} need a batch dimension with at least one sample, got shape {tuple(a.shape)}")


def reparameterize(mu: Tensor, logvar: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Draw ``z ~ N(mu, exp(logvar))`` differentiably in ``mu`` and ``logvar`` (T07).

    ``z = mu + exp(logvar / 2) * eps`` with ``eps ~ N(0, I)``.

    Args:
        mu: means, shape ``(N, D)`` (any shape works; ``logvar`` must match).
        logvar: log-variances ``log sigma^2``, same shape.
        generator: optional :class:`torch.Generator` for reproducible draws; it may live on
            another device than ``mu`` (e.g. a CPU generator for CUDA tensors): ``eps`` is drawn
            where the generator is, then moved.
    """
    _check_same_shape("mu and logvar", mu, logvar)
    where = generator.device if generator is not None else mu.device
    eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype, device=where).to(mu.device)
    return mu + torch.exp(0.5 * logvar) * eps  # mu + sigma * eps


def kl_to_standard_normal(mu: Tensor, logvar: Tensor) -> Tensor:
    """``KL(N(mu, sigma^2) || N(0, I))``, summed over latent dims, averaged over the batch (T07).

    Per dimension, ``KL = 1/2 (mu^2 + sigma^2 - 1 - log sigma^2)``; it is 0 exactly when
    ``mu = 0`` and ``sigma = 1``.

    Args:
        mu: means, shape ``(N, ...)``.
        logvar: log-variances, same shape.

    Returns:
        Scalar tensor.
    """
    _check_same_shape("mu and logvar", mu, logvar)
    kl = 0.5 * (mu.square() + logvar.exp() - 1.0 - logvar)  # elementwise KL of N(mu, s^2) from N(0, 1)
    return kl.reshape(kl.shape[0], -1).sum(dim=1).mean()


RECONSTRUCTIONS: Registry[Callable[[Tensor], Tensor]] = Registry("reconstruction loss")
RECONSTRUCTIONS.register("l2", lambda diff: diff.square())  # (x - x_hat)^2
RECONSTRUCTIONS.register("l1", lambda diff: diff.abs())  # |x - x_hat|


def reconstruction_loss(x: Tensor, x_hat: Tensor, kind: str = "l2") -> Tensor:
    """Per-sample reconstruction error, summed over the sample's elements, averaged over the batch (T07).

    ``"l2"``: ``mean_i sum_j (x_ij - x_hat_ij)^2`` (twice the unit-variance Gaussian negative
    log-likelihood, up to a constant); ``"l1"``: ``mean_i sum_j |x_ij - x_hat_ij|``.

    Args:
        x: targets ``(N, ...)``.
        x_hat: reconstructions, same shape.
        kind: one of ``RECONSTRUCTIONS.names()``.

    Returns:
        Scalar tensor.
    """
    per_element = RECONSTRUCTIONS.get(kind)
    _check_same_shape("x and x_hat", x, x_hat)
    err = per_element(x - x_hat)
    return err.reshape(err.shape[0], -1).sum(dim=1).mean()
