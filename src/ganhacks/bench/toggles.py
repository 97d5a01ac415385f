"""Every tip and stabiliser the trainer can switch, as data: which config fields it sets, how to turn it
on and off, and how to tell whether a config has it on.

From this table and the presets *as they are at run time* the suites derive their ablations:

* leave-one-out from a preset P (``recommended-T06``): P with one of the toggles it has on turned off;
* add-one-in to a preset P (``vanilla+T06``, ``recommended+T13``): P with one toggle it has off turned on.

Values are taken from the presets where they show them: a toggle turned on takes the values
``recommended`` gives its fields when ``recommended`` has it on (so ``vanilla+S07`` uses
recommended's EMA decay), and a toggle turned off takes ``vanilla``'s values when ``vanilla`` has it
off (so ``recommended-S01`` uses vanilla's batch norm in D). Only when neither preset shows how
does the table's own ``on``/``off`` apply. A change to the presets therefore changes the ablations
with it, with nothing to edit here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ganhacks.registry import Registry
from ganhacks.train.config import RunConfig

ON_SOURCE = "recommended"  # the preset whose values a toggle takes when turned on (when it has it on)
OFF_SOURCE = "vanilla"  # the preset whose values a toggle takes when turned off (when it has it off)


@dataclass(frozen=True)
class Toggle:
    """One switchable tip: turning it on or off is a list of ``section.field=value`` overrides."""

    id: str  # the variant suffix, a tip id with an optional ".part" (``T06.flip``)
    tips: tuple[str, ...]  # catalog ids it measures
    title: str  # what is switched, in a few words
    fields: tuple[str, ...]  # the config keys it sets
    on: tuple[str, ...]  # overrides that turn it on, when ON_SOURCE does not have it on
    off: tuple[str, ...]  # overrides that turn it off, when OFF_SOURCE does not have it off
    is_on: Callable[[RunConfig], bool]  # whether a config has it on
    kinds: tuple[str, ...] = ("points", "images")  # data kinds whose models it changes
    needs: tuple[str, ...] = ()  # overrides that must already hold where it is turned on


def field_value(config: RunConfig, key: str) -> str:
    """The value of ``section.field`` in ``config`` as ``--set`` text (``true``, ``0.5,0.9``)."""
    section, _, name = key.partition(".")
    value = getattr(getattr(config, section), name)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return ",".join(repr(float(v)) for v in value)
    return str(value)


def _t(
    id: str,
    tips: tuple[str, ...],
    title: str,
    on: tuple[str, ...],
    off: tuple[str, ...],
    is_on: Callable[[RunConfig], bool],
    kinds: tuple[str, ...] = ("points", "images"),
    needs: tuple[str, ...] = (),
) -> Toggle:
    fields = tuple(dict.fromkeys(o.partition("=")[0] for o in on + off))
    return Toggle(id, tips, title, fields, on, off, is_on, kinds, needs)


TOGGLES: tuple[Toggle, ...] = (
    _t(
        "T02",
        ("T02",),
        "non-saturating G loss",
        ("loss.name=nonsaturating",),
        ("loss.name=minimax",),
        lambda c: c.loss.name == "nonsaturating",
    ),
    _t(
        "T03",
        ("T03",),
        "Gaussian z",
        ("tricks.latent=gaussian",),
        ("tricks.latent=uniform",),
        lambda c: c.tricks.latent == "gaussian",
    ),
    _t(
        "T04",
        ("T04",),
        "separate real and fake batches through D",
        ("tricks.separate_batches=true",),
        ("tricks.separate_batches=false",),
        lambda c: c.tricks.separate_batches,
    ),
    _t(
        "T05",
        ("T05",),
        "LeakyReLU in G",
        ("model.g_activation=leaky_relu",),
        ("model.g_activation=relu",),
        lambda c: c.model.g_activation == "leaky_relu",
    ),
    _t(
        "T05.up",
        ("T05",),
        "pixel-shuffle upsampling in G (images)",
        ("model.upsample=pixelshuffle",),
        ("model.upsample=transposed",),
        lambda c: c.model.upsample == "pixelshuffle",
        ("images",),
    ),
    _t(
        "T05.down",
        ("T05",),
        "average-pool downsampling in D (images)",
        ("model.downsample=avgpool",),
        ("model.downsample=stride",),
        lambda c: c.model.downsample == "avgpool",
        ("images",),
    ),
    _t(
        "T06",
        ("T06",),
        "one-sided label smoothing",
        ("loss.smoothing=one_sided",),
        ("loss.smoothing=none",),
        lambda c: c.loss.smoothing != "none",
    ),
    _t(
        "T06.flip",
        ("T06",),
        "5 % flipped labels for D",
        ("loss.flip_p=0.05",),
        ("loss.flip_p=0.0",),
        lambda c: c.loss.flip_p > 0,
    ),
    _t(  # the encoder pulls q(z|x) towards N(0, I): only with a Gaussian z
        "T07",
        ("T07",),
        "hybrid VAE-GAN encoder",
        ("model.encoder=true",),
        ("model.encoder=false",),
        lambda c: c.model.encoder,
        needs=("tricks.latent=gaussian",),
    ),
    _t(
        "T08",
        ("T08",),
        "replay of past fakes to D",
        ("tricks.replay_p=0.5", "tricks.replay_capacity=2048"),
        ("tricks.replay_p=0.0",),
        lambda c: c.tricks.replay_p > 0,
    ),
    _t(
        "T08.snap",
        ("T08",),
        "old D snapshots swapped in",
        ("tricks.snapshot_every=200", "tricks.snapshot_swap_p=0.01", "tricks.snapshot_swap_steps=10"),
        ("tricks.snapshot_every=0", "tricks.snapshot_swap_p=0.0"),
        lambda c: c.tricks.snapshot_every > 0,
    ),
    _t(
        "T09",
        ("T09",),
        "Adam for D (off: SGD for D, the talk's alternative)",
        ("optim.d_optimizer=adam",),
        ("optim.d_optimizer=sgd",),
        lambda c: c.optim.d_optimizer == "adam",
    ),
    _t(  # the tip advises *against* balancing: it is on when the balancer is off
        "T11",
        ("T11",),
        "no balancing of G and D by loss thresholds (off: repeat D while loss_D > 1, G while loss_G > 2)",
        ("tricks.balance_d_threshold=0.0", "tricks.balance_g_threshold=0.0"),
        ("tricks.balance_d_threshold=1.0", "tricks.balance_g_threshold=2.0"),
        lambda c: c.tricks.balance_d_threshold == 0 and c.tricks.balance_g_threshold == 0,
    ),
    _t(
        "T12",
        ("T12",),
        "labels used through an AC-GAN class head (labelled data)",
        ("model.conditioning=acgan",),
        ("model.conditioning=none",),
        lambda c: c.model.conditioning in ("acgan", "projection"),
    ),
    _t(
        "T13",
        ("T13", "S09"),
        "instance noise on real and fake, 0.1 decayed to 0 over 1,000 steps",
        ("tricks.noise_start=0.1", "tricks.noise_end=0.0", "tricks.noise_steps=1000", "tricks.noise_kind=linear"),
        ("tricks.noise_start=0.0", "tricks.noise_end=0.0"),
        lambda c: c.tricks.noise_start > 0,
    ),
    _t(  # S11 advises the opposite (balanced updates): this toggle measures both
        "T14",
        ("T14", "S11"),
        "two D steps per G step",
        ("tricks.n_critic=2",),
        ("tricks.n_critic=1",),
        lambda c: c.tricks.n_critic > 1,
    ),
    _t(
        "T15",
        ("T15",),
        "minibatch std in D",
        ("model.minibatch_std=true",),
        ("model.minibatch_std=false",),
        lambda c: c.model.minibatch_std,
    ),
    _t(
        "T15.mbd",
        ("T15",),
        "minibatch discrimination in D (16 kernels)",
        ("model.minibatch_kernels=16",),
        ("model.minibatch_kernels=0",),
        lambda c: c.model.minibatch_kernels > 0,
    ),
    _t(
        "T16",
        ("T16",),
        "labels as embedding channels (labelled data)",
        ("model.conditioning=embedding",),
        ("model.conditioning=none",),
        lambda c: c.model.conditioning == "embedding",
    ),
    _t(
        "T17",
        ("T17",),
        "50 % dropout in G at train and test",
        ("model.g_dropout=0.5",),
        ("model.g_dropout=0.0",),
        lambda c: c.model.g_dropout > 0,
    ),
    _t(
        "S01",
        ("S01",),
        "spectral norm in D",
        ("model.d_norm=spectral",),
        ("model.d_norm=batch",),
        lambda c: c.model.d_norm == "spectral",
    ),
    _t(
        "S03",
        ("S03",),
        "R1 penalty on D at the reals",
        ("loss.penalty=r1", "loss.penalty_weight=1.0"),
        ("loss.penalty=none",),
        lambda c: c.loss.penalty in ("r1", "r2", "r1r2"),
    ),
    _t(
        "S04",
        ("S04",),
        "TTUR: D's learning rate 4x G's",
        ("optim.g_lr=0.0001", "optim.d_lr=0.0004"),
        ("optim.g_lr=0.0002", "optim.d_lr=0.0002"),
        lambda c: c.optim.d_lr > c.optim.g_lr,
    ),
    _t(
        "S05",
        ("S05",),
        "progressive growing (images)",
        ("tricks.grow_steps=200",),
        ("tricks.grow_steps=0",),
        lambda c: c.tricks.grow_steps > 0,
        ("images",),
    ),
    _t(
        "S06",
        ("S06",),
        "multi-scale gradients (images)",
        ("model.msg=true",),
        ("model.msg=false",),
        lambda c: c.model.msg,
        ("images",),
    ),
    _t(
        "S07",
        ("S07",),
        "EMA of G's weights",
        ("tricks.ema_decay=0.999",),
        ("tricks.ema_decay=0.0",),
        lambda c: c.tricks.ema_decay > 0,
    ),
    _t(
        "S08",
        ("S08",),
        "monitor rollback that lowers the learning rates",
        ("monitor.policy=rollback",),
        ("monitor.policy=warn",),
        lambda c: c.monitor.policy == "rollback",
    ),
    _t(
        "S12",
        ("S12",),
        "G learns from the best-rated half of its fakes (top-k)",
        ("tricks.topk_keep=0.5",),
        ("tricks.topk_keep=1.0",),
        lambda c: c.tricks.topk_keep < 1,
    ),
    _t(
        "S13",
        ("S13",),
        "D judges packs of two samples (PacGAN)",
        ("model.pack=2",),
        ("model.pack=1",),
        lambda c: c.model.pack > 1,
    ),
)


TOGGLE_REGISTRY: Registry[Toggle] = Registry("toggle")
for _toggle in TOGGLES:
    TOGGLE_REGISTRY.register(_toggle.id, _toggle)


def get_toggle(toggle_id: str) -> Toggle:
    """The toggle called ``toggle_id`` (``T06``, ``T06.flip``); unknown ids get "did you mean"."""
    return TOGGLE_REGISTRY.get(toggle_id)


def on_overrides(toggle: Toggle, on_source: RunConfig) -> tuple[str, ...]:
    """The overrides that turn ``toggle`` on: ``on_source``'s values when it has it on, else the table's."""
    if toggle.is_on(on_source):
        return tuple(f"{k}={field_value(on_source, k)}" for k in toggle.fields)
    return toggle.on


def off_overrides(toggle: Toggle, off_source: RunConfig) -> tuple[str, ...]:
    """The overrides that turn ``toggle`` off: ``off_source``'s values when it has it off, else the table's."""
    if not toggle.is_on(off_source):
        return tuple(f"{k}={field_value(off_source, k)}" for k in toggle.fields)
    return toggle.off
