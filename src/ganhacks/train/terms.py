"""The D and G steps as data: what D sees, and the terms each player's loss adds up.

The trainer picks these records once, when it is built, from the config (as StyleGAN2-ADA's
``phases`` do), so :meth:`~ganhacks.train.loop.Trainer.d_step` reads like the math::

    loss_D = adversarial(D(x), D(G(z))) + sum_k weight_k * term_k

and a new trick is one more record, not a new branch in the step.

* :class:`Seen` — one D step's inputs and D's outputs on them (what every term may read);
* :class:`Term` — ``weight * fn(seen)`` added to a player's loss, its value logged under ``log``;
* :func:`d_terms` / :func:`g_terms` — the terms a config asks for: gradient penalties (S02, S03),
  the AC-GAN class loss (T12), the hybrid VAE-GAN's reconstruction and KL (T07).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from torch import Tensor

from ganhacks.tricks.conditional import acgan_loss
from ganhacks.tricks.hybrid import kl_to_standard_normal, reconstruction_loss, reparameterize
from ganhacks.tricks.optim import LR_SCHEDULES
from ganhacks.tricks.penalties import PENALTIES, Penalty, interpolate

if TYPE_CHECKING:
    from ganhacks.train.loop import Trainer


@dataclass
class Seen:
    """What D saw in one step and what it said: inputs as D took them, logits, class logits, labels."""

    real: Tensor | None  # (N, ...) real batch as D took it (noise, pyramid and fade-in applied); None in a G step
    fake: Tensor  # (N, ...) fakes as D took them
    real_logits: Tensor | None  # (N,) or (N, 1), float32
    fake_logits: Tensor
    real_cls: Tensor | None = None  # AC-GAN class logits (T12)
    fake_cls: Tensor | None = None
    y_real: Tensor | None = None  # labels of a conditional run
    y_fake: Tensor | None = None
    logs: dict[str, Tensor] = field(default_factory=dict)  # extra values a term wants logged


@dataclass(frozen=True)
class Term:
    """``weight * fn(seen)`` added to a player's loss; the unweighted value is logged as ``log``."""

    log: str  # e.g. "loss/penalty"
    weight: float
    fn: Callable[[Seen], Tensor]
    every: int = 1  # added only in iterations whose index is a multiple of this, weighted by it (lazy)
    scale: Callable[[float], float] | None = None  # the weight's factor at a share of the run; None = 1

    def due(self, step: int) -> bool:
        """Whether the term is added in iteration ``step`` (a function of the step: resumes exactly)."""
        return step % self.every == 0

    def weight_at(self, progress: float) -> float:
        """The term's weight at ``progress`` (a share of the run), lazy terms' factor ``every`` included."""
        return self.weight * self.every * (self.scale(progress) if self.scale is not None else 1.0)


def annealed(end: float, start: float) -> Callable[[float], float] | None:
    """A weight's factor: 1 until ``start`` of the run, then linearly down to ``end`` at its end (None if 1).

    Example:
        >>> annealed(0.25, 0.5)(0.75)
        0.625
    """
    if end >= 1.0:
        return None
    return lambda progress: end + (1.0 - end) * LR_SCHEDULES.get("linear")(progress, start)


def penalty_term(
    trainer: Trainer,
    penalty: Penalty,
    weight: float,
    every: int = 1,
    scale: Callable[[float], float] | None = None,
) -> Term:
    """A gradient penalty on the inputs it names: R1 on reals, R2 on fakes, WGAN-GP between them;
    with ``every`` > 1 it is lazy (added every ``every``-th iteration at ``every`` times the weight);
    ``scale`` anneals its weight over the run (:func:`annealed`)."""
    if penalty.on == "real":
        return Term("loss/penalty", weight, lambda s: penalty.fn(s.real_logits, s.real), every, scale)
    if penalty.on == "fake":
        return Term("loss/penalty", weight, lambda s: penalty.fn(s.fake_logits, s.fake), every, scale)
    if penalty.on == "both":
        return Term(
            "loss/penalty",
            weight,
            lambda s: penalty.fn(s.real_logits, s.real) + penalty.fn(s.fake_logits, s.fake),
            every,
            scale,
        )

    def between(s: Seen) -> Tensor:
        x_hat = interpolate(s.real, s.fake, generator=trainer.gen)  # one point per pair, on its line
        out = trainer.discriminate_one(x_hat, s.y_real)[0]
        return penalty.fn(out.float(), x_hat)

    return Term("loss/penalty", weight, between, every, scale)


def d_terms(trainer: Trainer) -> list[Term]:
    """D's terms besides the adversarial loss, in the order they are added."""
    lc = trainer.config.loss
    terms = []
    if lc.penalty != "none":
        scale = annealed(lc.penalty_end, trainer.config.optim.lr_decay_start)
        terms.append(penalty_term(trainer, PENALTIES.get(lc.penalty), lc.penalty_weight, lc.penalty_every, scale))
    if trainer.acgan:  # T12: D also classifies the reals
        terms.append(Term("loss/d_class", lc.acgan_weight, lambda s: acgan_loss(s.real_cls.float(), s.y_real)))
    return terms


def g_terms(trainer: Trainer) -> list[Term]:
    """G's terms besides the adversarial loss, in the order they are added."""
    lc = trainer.config.loss
    terms = []
    if trainer.acgan:  # T12: G's fakes should be classified as the labels they were drawn for
        terms.append(Term("loss/g_class", lc.acgan_weight, lambda s: acgan_loss(s.fake_cls.float(), s.y_fake)))
    if trainer.E is not None:
        terms.append(Term("loss/vae", 1.0, lambda s: vae_term(trainer, s)))
    return terms


def vae_term(trainer: Trainer, seen: Seen) -> Tensor:
    """T07: ``(recon_weight * recon(x, G(z_e)) + kl_weight * KL(q(z|x) || N(0, I))) / d`` on the D
    step's real batch, ``z_e ~ q(z|x) = E(x)``; both parts are logged."""
    lc = trainer.config.loss
    real, y_real = trainer.carried_clean
    with trainer.autocast:
        mu, logvar = trainer.E_fwd(real)
    mu, logvar = mu.float(), logvar.float()
    z = reparameterize(mu, logvar, generator=trainer.gen_e)  # z = mu + sigma * eps
    with trainer.autocast:
        x_hat = trainer.G_fwd(z, y_real if trainer.conditional else None)  # the finest image, also with MSG
    recon = reconstruction_loss(real, x_hat.float(), lc.recon)  # mean_i sum_j err(x_ij - x_hat_ij)
    kl = kl_to_standard_normal(mu, logvar)  # mean_i KL(q(z|x_i) || N(0, I))
    d = real[0].numel()  # elements per sample: the terms enter G's loss per element
    seen.logs.update({"loss/recon": recon.detach(), "loss/kl": kl.detach()})
    return (lc.recon_weight * recon + lc.kl_weight * kl) / d
