"""Named starting points for a run. Each preset is a list of ``section.field=value`` overrides on the
defaults, so a preset reads as "what differs from the plain dataclasses".

A preset may also hold defaults for one *data family* only (``"points"``: the 2-D mixtures;
``"images"``: everything else), each with the reason the evidence gives for it (docs/EVIDENCE.md).
They apply on top of the preset's own overrides, below anything the user sets, and
``ganhacks train --print-config`` says which were picked and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from ganhacks.data import data_family
from ganhacks.registry import Registry
from ganhacks.train.config import RunConfig, apply_overrides

FAMILIES = ("points", "images")


@dataclass(frozen=True)
class Preset:
    """A named set of overrides, plus defaults for one data family at a time, each with its reason."""

    summary: str  # one line for --help and the docs
    overrides: tuple[str, ...]  # section.field=value on the dataclass defaults
    # data family -> ((section.field=value, why), ...): applied after `overrides` for that family only
    by_family: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.by_family) - set(FAMILIES)
        if unknown:
            raise ValueError(f"unknown data families {sorted(unknown)}; use {', '.join(FAMILIES)}")


PRESETS: Registry[Preset] = Registry("preset")

PRESETS.register(
    "vanilla",
    Preset(
        "The original choices as a baseline: saturating minimax G loss, uniform z, ReLU G, hard labels, "
        "one mixed real+fake batch through D.",
        (
            "loss.name=minimax",
            "tricks.latent=uniform",
            "tricks.separate_batches=false",
            "model.g_activation=relu",
            "model.d_norm=batch",
            "model.minibatch_std=false",
        ),
    ),
)
PRESETS.register(
    "recommended",
    Preset(
        "The tips together: non-saturating loss (T02), Gaussian z (T03), separate real/fake batches (T04), "
        "LeakyReLU (T05), one-sided label smoothing (T06), Adam beta1=0.5 with TTUR (T09, S04), "
        "minibatch std (T15), spectral norm in D (S01), EMA of G (S07); each data family replaces some "
        "with measured defaults (--print-config says which and why).",
        (
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
        ),
        {
            # Each line is one paired, multi-seed comparison in docs/EVIDENCE.md ("Images": the image lead,
            # the four lines measured together against the defaults before them, 10 seeds, same machine).
            "images": (
                (
                    "optim.g_lr=0.0008",
                    "with the three below, vs G 2e-4 / D 4e-4, Adam (0.5, 0.999) and 2,000 steps: digits FID "
                    "1.38 -> 0.174, stacked digits reverse KL 0.204 -> 0.045 (10 seeds)",
                ),
                ("optim.d_lr=0.0008", "equal rates, as on the points: TTUR's faster D is not needed with the rest"),
                (
                    "optim.betas=0.0,0.99",
                    "Adam beta1 = 0, not T09's 0.5: on one seed it took the stacked digits' reverse KL 0.1315 -> 0.047",
                ),
                (
                    "train.steps=4000",
                    "the DCGAN pair still improves at 2,000 steps; a run stays under 5 CPU-min (197 CPU-s at most)",
                ),
            ),
            # Each line is one paired, multi-seed comparison in docs/EVIDENCE.md (leave-one-out on ring8).
            "points": (
                ("model.d_norm=none", "spectral norm caps a tiny MLP D's slope: samples stay between modes (hurts)"),
                ("model.minibatch_std=false", "no measurable effect on ring8; off is the cheaper step"),
                ("loss.smoothing=none", "no measurable effect on ring8; off is the simpler loss"),
                ("tricks.ema_decay=0", "no measurable effect with the LR decay below; off saves a copy of G"),
                (
                    "optim.g_lr=0.0008",
                    "4x DCGAN's 2e-4, both decayed to 0 from mid-run: grid25 +4.7 pts high quality, ring8 +1.4 pts "
                    "(10 seeds)",
                ),
                ("optim.d_lr=0.0008", "equal rates: TTUR's faster D had no measurable effect on ring8"),
                (
                    "optim.betas=0.0,0.99",
                    "Adam beta1 = 0, not T09's 0.5: grid25 +3.7 pts high quality, ring8 +3.1 pts (10 seeds)",
                ),
                ("optim.lr_schedule=linear", "decaying both rates to 0 in the second half sharpens the modes (helps)"),
                ("model.g_width=128", "the 64-unit MLP pair with a 3-layer G puts far fewer samples on the modes"),
                (
                    "model.d_width=256",
                    "with R1: all 25 grid modes on 10 seeds, +28.7 pts high quality (ring8 -5.7 pts: a trade)",
                ),
                ("loss.penalty=r1", "R1 on the reals (S03) keeps the wide D smooth (measured with it: the grid lead)"),
                (
                    "loss.penalty_weight=1",
                    "R1's gamma = 2 (weight gamma/2): at the rates of 8e-4, vs 4, grid25 +1.8 pts high quality, "
                    "ring8 +0.2 pts, no measurable effect (10 seeds)",
                ),
                ("model.g_depth=6", "a deeper G (with batch norm) folds one Gaussian into many sharp modes"),
                (
                    "model.g_activation=relu",
                    "ReLU in G, not leaky ReLU (T05): grid25 +14.8 pts high quality, KL 0.057 -> 0.017; ring8 +2.6 pts",
                ),
                ("model.z_dim=2", "z as small as the data: a 64-d z leaves more mass between the modes (hurts)"),
                ("train.batch_size=256", "batches of 64 give noisier updates near convergence (hurts)"),
                (
                    "train.steps=9000",
                    "vs 7,000 (with the hold below): grid25 +3.8 pts high quality, ring8 +3.0 pts (10 seeds); "
                    "a run stays under 5 CPU-min",
                ),
                (
                    "model.g_norm_freeze=0.5",
                    "G's batch norm on its running statistics from mid-run, as sampled: grid25 +3.0 pts high quality "
                    "(10 seeds at 7,000 steps); ring8 no measurable effect there, every seed 96-97 % at 9,000",
                ),
            ),
        },
    ),
)
PRESETS.register(
    "wgan-gp",
    Preset(
        "Wasserstein critic with gradient penalty (S02): 5 critic steps per G step (T14), no batch norm "
        "in the critic, Adam(0, 0.9) as in Gulrajani et al. 2017.",
        (
            "loss.name=wasserstein",
            "loss.penalty=wgan_gp",
            "loss.penalty_weight=10",
            "tricks.n_critic=5",
            "model.d_norm=layer",
            "model.g_activation=leaky_relu",
            "optim.betas=0.0,0.9",
            "optim.g_lr=0.0001",
            "optim.d_lr=0.0001",
        ),
    ),
)
PRESETS.register(
    "sngan-hinge",
    Preset(
        "Spectral-normalised discriminator with the hinge loss (S01, S10; Miyato et al. 2018).",
        (
            "loss.name=hinge",
            "model.d_norm=spectral",
            "model.g_activation=relu",
            "optim.betas=0.0,0.9",
            "optim.g_lr=0.0002",
            "optim.d_lr=0.0002",
        ),
    ),
)


def family_defaults(name: str, data: str | None = None) -> tuple[str, tuple[tuple[str, str], ...]]:
    """``(family, ((override, why), ...))``: what preset ``name`` sets for the family of ``data``
    (default: the config's default data set)."""
    family = data_family(data if data is not None else RunConfig().data.name)
    return family, tuple(PRESETS.get(name).by_family.get(family, ()))


def preset_config(name: str, data: str | None = None) -> RunConfig:
    """The :class:`RunConfig` of preset ``name`` for ``data`` (a built-in name or a path; default:
    the built-in digits), with its data-family defaults applied (unknown names get "did you mean")."""
    preset = PRESETS.get(name)
    _, chosen = family_defaults(name, data)
    config = apply_overrides(RunConfig(), [*preset.overrides, *(o for o, _ in chosen)])
    if data is not None:
        config = apply_overrides(config, [f"data.name={data}"])
    return replace(config, preset=name)
