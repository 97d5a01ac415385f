"""Named starting points for a run. Each preset is a list of ``section.field=value`` overrides
on the defaults, so a preset reads as "what differs from the plain dataclasses"."""

from __future__ import annotations

from dataclasses import replace

from ganhacks.registry import Registry
from ganhacks.train.config import RunConfig, apply_overrides

PRESETS: Registry[tuple[str, list[str]]] = Registry("preset")

PRESETS.register(
    "vanilla",
    (
        "The original choices as a baseline: saturating minimax G loss, uniform z, ReLU G, hard labels, "
        "one mixed real+fake batch through D.",
        [
            "loss.name=minimax",
            "tricks.latent=uniform",
            "tricks.separate_batches=false",
            "model.g_activation=relu",
            "model.d_norm=batch",
            "model.minibatch_std=false",
        ],
    ),
)
PRESETS.register(
    "recommended",
    (
        "The tips together: non-saturating loss (T02), Gaussian z (T03), separate real/fake batches (T04), "
        "LeakyReLU (T05), one-sided label smoothing (T06), Adam beta1=0.5 with TTUR (T09, S04), "
        "minibatch std (T15), spectral norm in D (S01), EMA of G (S07).",
        [
            "loss.name=nonsaturating",
            "loss.smoothing=one_sided",
            "tricks.latent=gaussian",
            "tricks.separate_batches=true",
            "model.g_activation=leaky_relu",
            "model.d_norm=spectral",
            "model.minibatch_std=true",
            "optim.g_lr=0.0002",
            "optim.d_lr=0.0004",
            "tricks.ema_decay=0.99",
        ],
    ),
)
PRESETS.register(
    "wgan-gp",
    (
        "Wasserstein critic with gradient penalty (S02): 5 critic steps per G step (T14), no batch norm "
        "in the critic, Adam(0, 0.9) as in Gulrajani et al. 2017.",
        [
            "loss.name=wasserstein",
            "loss.penalty=wgan_gp",
            "loss.penalty_weight=10",
            "tricks.n_critic=5",
            "model.d_norm=layer",
            "model.g_activation=leaky_relu",
            "optim.betas=0.0,0.9",
            "optim.g_lr=0.0001",
            "optim.d_lr=0.0001",
        ],
    ),
)
PRESETS.register(
    "sngan-hinge",
    (
        "Spectral-normalised discriminator with the hinge loss (S01, S10; Miyato et al. 2018).",
        [
            "loss.name=hinge",
            "model.d_norm=spectral",
            "model.g_activation=relu",
            "optim.betas=0.0,0.9",
            "optim.g_lr=0.0002",
            "optim.d_lr=0.0002",
        ],
    ),
)


def preset_config(name: str) -> RunConfig:
    """The :class:`RunConfig` of preset ``name`` (unknown names get "did you mean")."""
    _, overrides = PRESETS.get(name)
    return replace(apply_overrides(RunConfig(), overrides), preset=name)
