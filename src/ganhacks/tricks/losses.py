"""GAN losses as small pure functions of D's raw outputs (logits), with a registry by name.

Every function takes logits (any shape, one value per sample, e.g. ``(N,)`` or ``(N, 1)``) and
returns a scalar. Sigmoids never appear explicitly: the log-sigmoid forms below use
``softplus``, which stays finite for any logit. Labels are not built here: the BCE and least
squares D losses accept targets made by :mod:`ganhacks.tricks.labels` (tip T06). Tips served: T02
(non-saturating G loss), S02 (Wasserstein critic), S10 (start with a simple loss; variants differ little).

Identities used (s = sigmoid):
    -log s(x)     = softplus(-x)
    -log(1-s(x))  = softplus(x)
    BCE(x, t)     = -t log s(x) - (1-t) log(1-s(x)) = softplus(x) - t*x
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from ganhacks.errors import UserError
from ganhacks.registry import Registry

Target = float | Tensor


def _check_logits(name: str, logits: Tensor) -> Tensor:
    if not isinstance(logits, Tensor) or not logits.is_floating_point():
        raise UserError(f"{name} must be a floating-point tensor of D outputs, got {type(logits).__name__}")
    if logits.dim() > 1 and logits.shape[1:].numel() != 1:
        raise UserError(
            f"{name} must hold one logit per sample, shape (N,) or (N, 1), got {tuple(logits.shape)}; "
            "reduce D's output to one value per sample"
        )
    return logits.reshape(-1)


def _targets(name: str, target: Target, logits: Tensor) -> Tensor:
    if isinstance(target, Tensor):
        if target.numel() not in (1, logits.numel()):
            raise UserError(
                f"{name} has {target.numel()} values but there are {logits.numel()} logits; "
                "make one target per sample (see ganhacks.tricks.labels)"
            )
        return target.to(logits).reshape(-1).expand_as(logits)
    return torch.full_like(logits, float(target))


def _bce(logits: Tensor, target: Tensor) -> Tensor:
    # softplus(x) - t*x, computed stably by torch
    return F.binary_cross_entropy_with_logits(logits, target)


# --- original / non-saturating GAN (Goodfellow et al. 2014), tip T02 -----------------------------


def d_bce(real_logits: Tensor, fake_logits: Tensor, real_target: Target = 1.0, fake_target: Target = 0.0) -> Tensor:
    """D loss of the original GAN: BCE against real/fake targets (soft targets allowed, T06).

    With hard targets: ``mean softplus(-real) + mean softplus(fake)`` = -log D(x) - log(1 - D(G(z))).
    """
    real = _check_logits("real_logits", real_logits)
    fake = _check_logits("fake_logits", fake_logits)
    return _bce(real, _targets("real_target", real_target, real)) + _bce(
        fake, _targets("fake_target", fake_target, fake)
    )


def g_minimax(fake_logits: Tensor, real_logits: Tensor | None = None) -> Tensor:
    """The saturating G loss of the paper's minimax game (T02: avoid it in practice).

    ``mean log(1 - D(G(z))) = -mean softplus(fake)``. Its gradient, ``-sigmoid(fake)``, vanishes
    when D confidently rejects fakes (fake logit -> -inf), which is exactly early training.
    """
    return -F.softplus(_check_logits("fake_logits", fake_logits)).mean()


def g_nonsaturating(fake_logits: Tensor, real_logits: Tensor | None = None) -> Tensor:
    """The non-saturating G loss (T02): ``-mean log D(G(z)) = mean softplus(-fake)``.

    Equivalent to BCE with the fakes labelled real ("flip labels when training G"). Its gradient
    ``-(1 - sigmoid(fake))`` tends to -1, not 0, when D confidently rejects fakes.
    """
    return F.softplus(-_check_logits("fake_logits", fake_logits)).mean()


# --- least squares GAN (Mao et al. 2017), S10 ---------------------------------------------------


def d_least_squares(
    real_logits: Tensor, fake_logits: Tensor, real_target: Target = 1.0, fake_target: Target = 0.0
) -> Tensor:
    """LSGAN D loss: ``0.5 mean (D(x) - b)^2 + 0.5 mean (D(G(z)) - a)^2`` with a=0, b=1 by default."""
    real = _check_logits("real_logits", real_logits)
    fake = _check_logits("fake_logits", fake_logits)
    b = _targets("real_target", real_target, real)
    a = _targets("fake_target", fake_target, fake)
    return 0.5 * ((real - b) ** 2).mean() + 0.5 * ((fake - a) ** 2).mean()


def g_least_squares(fake_logits: Tensor, real_logits: Tensor | None = None) -> Tensor:
    """LSGAN G loss: ``0.5 mean (D(G(z)) - 1)^2``."""
    return 0.5 * ((_check_logits("fake_logits", fake_logits) - 1.0) ** 2).mean()


# --- hinge (Lim & Ye 2017; SNGAN), S10 ------------------------------------------------------------


def d_hinge(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """Hinge D loss: ``mean relu(1 - D(x)) + mean relu(1 + D(G(z)))``."""
    real = _check_logits("real_logits", real_logits)
    fake = _check_logits("fake_logits", fake_logits)
    return F.relu(1.0 - real).mean() + F.relu(1.0 + fake).mean()


def g_hinge(fake_logits: Tensor, real_logits: Tensor | None = None) -> Tensor:
    """Hinge G loss: ``-mean D(G(z))``."""
    return -_check_logits("fake_logits", fake_logits).mean()


# --- Wasserstein (Arjovsky et al. 2017), S02 ------------------------------------------------------


def d_wasserstein(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """WGAN critic loss (S02): ``mean D(G(z)) - mean D(x)``; pair it with a Lipschitz constraint (S01/S02)."""
    return _check_logits("fake_logits", fake_logits).mean() - _check_logits("real_logits", real_logits).mean()


def g_wasserstein(fake_logits: Tensor, real_logits: Tensor | None = None) -> Tensor:
    """WGAN G loss (S02): ``-mean D(G(z))``."""
    return -_check_logits("fake_logits", fake_logits).mean()


# --- relativistic average GAN (Jolicoeur-Martineau 2018), S10 -------------------------------------


def d_relativistic_average(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """RaGAN D loss: ``BCE(r - mean f, 1) + BCE(f - mean r, 0)``: real should look *more* real than fakes on average."""
    real = _check_logits("real_logits", real_logits)
    fake = _check_logits("fake_logits", fake_logits)
    return _bce(real - fake.mean(), torch.ones_like(real)) + _bce(fake - real.mean(), torch.zeros_like(fake))


def g_relativistic_average(fake_logits: Tensor, real_logits: Tensor | None = None) -> Tensor:
    """RaGAN G loss: ``BCE(f - mean r, 1) + BCE(r - mean f, 0)``; needs the real logits."""
    if real_logits is None:
        raise UserError("the relativistic G loss needs real_logits too: pass D(real) as real_logits")
    fake = _check_logits("fake_logits", fake_logits)
    real = _check_logits("real_logits", real_logits)
    return _bce(fake - real.mean(), torch.ones_like(fake)) + _bce(real - fake.mean(), torch.zeros_like(real))


# --- relativistic pairing GAN (Jolicoeur-Martineau 2018; RpGAN of R3GAN, Huang et al. 2024), S10 ---


def d_relativistic_pairing(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """RpGAN D loss: ``mean softplus(-(D(x_i) - D(G(z_i))))``: each real should look more real than its paired fake.

    Pair it with R1 and R2 (``loss.penalty=r1r2``), as R3GAN does, for local convergence.
    """
    real = _check_logits("real_logits", real_logits)
    fake = _check_logits("fake_logits", fake_logits)
    if real.shape != fake.shape:
        raise UserError(f"the pairing loss pairs reals with fakes: got {real.numel()} reals and {fake.numel()} fakes")
    return F.softplus(fake - real).mean()  # -log sigmoid(r - f) = softplus(f - r)


def g_relativistic_pairing(fake_logits: Tensor, real_logits: Tensor | None = None) -> Tensor:
    """RpGAN G loss: ``mean softplus(-(D(G(z_i)) - D(x_i)))``; needs the real logits."""
    if real_logits is None:
        raise UserError("the relativistic G loss needs real_logits too: pass D(real) as real_logits")
    return d_relativistic_pairing(fake_logits, real_logits)  # the same game with the roles swapped


@dataclass(frozen=True)
class GANLoss:
    """A D loss and its G loss, as chosen by name."""

    name: str
    d: Callable[..., Tensor]  # d(real_logits, fake_logits[, real_target, fake_target]) -> scalar
    g: Callable[..., Tensor]  # g(fake_logits, real_logits=None) -> scalar
    accepts_targets: bool  # whether d() takes soft/noisy targets (T06)
    g_needs_real: bool = False  # whether g() needs real_logits


LOSSES: Registry[GANLoss] = Registry("loss")
for _loss in (
    GANLoss("minimax", d_bce, g_minimax, accepts_targets=True),
    GANLoss("nonsaturating", d_bce, g_nonsaturating, accepts_targets=True),
    GANLoss("least_squares", d_least_squares, g_least_squares, accepts_targets=True),
    GANLoss("hinge", d_hinge, g_hinge, accepts_targets=False),
    GANLoss("wasserstein", d_wasserstein, g_wasserstein, accepts_targets=False),
    GANLoss(
        "relativistic_average", d_relativistic_average, g_relativistic_average, accepts_targets=False, g_needs_real=True
    ),
    GANLoss(
        "relativistic_pairing", d_relativistic_pairing, g_relativistic_pairing, accepts_targets=False, g_needs_real=True
    ),
):
    LOSSES.register(_loss.name, _loss)


def get_loss(name: str) -> GANLoss:
    """Return the :class:`GANLoss` registered as ``name`` (see ``LOSSES.names()``)."""
    return LOSSES.get(name)
