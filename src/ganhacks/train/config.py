"""The trainer's configuration: frozen dataclasses with a comment on every default.

A :class:`RunConfig` has one section per concern. Every trick is a field, so a preset is just a
set of overrides and any tip can be switched from the command line with
``--set section.field=value``. :func:`apply_overrides` validates names (with "did you mean")
and converts values to the field's type; :func:`to_dict` / :func:`from_dict` give the JSON form
saved as ``config.json`` in every run folder.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ganhacks.errors import UserError, check_positive, check_probability
from ganhacks.metrics.evaluate import parse_metrics
from ganhacks.models.common import CONDITIONINGS, NORMS
from ganhacks.monitor.config import MonitorConfig
from ganhacks.overrides import apply_to, split_assignment
from ganhacks.registry import did_you_mean
from ganhacks.tricks.hybrid import RECONSTRUCTIONS
from ganhacks.tricks.labels import SMOOTHING
from ganhacks.tricks.latent import SAMPLERS
from ganhacks.tricks.losses import LOSSES
from ganhacks.tricks.noise import KINDS as NOISE_KINDS
from ganhacks.tricks.optim import OptimConfig
from ganhacks.tricks.penalties import PENALTIES


def _choice(section: str, name: str, value: str, choices) -> None:
    choices = list(choices)
    if value not in choices:
        raise UserError(
            f"unknown {section}.{name} '{value}'.{did_you_mean(str(value), choices)} "
            f"Valid choices: {', '.join(choices)}"
        )


@dataclass(frozen=True)
class DataConfig:
    """What to train on."""

    name: str = "digits"  # built-in ("ring8", "grid25", "digits", "stacked_digits") or a local path
    image_size: int = 0  # resize images to this many pixels per side; 0 keeps the native size
    points: int = 20_000  # samples drawn from a 2-D mixture (ignored for images)
    stream: str = "auto"  # image folders: "on" decodes batches from disk in DataLoader workers, "off" loads
    # every image into memory, "auto" streams when the decoded images exceed min(2 GiB, RAM / 8)
    workers: int = 4  # DataLoader worker processes that decode streamed images (0: the training process)

    def __post_init__(self) -> None:
        _choice("data", "stream", self.stream, ("auto", "on", "off"))
        check_positive("data.points", self.points)  # here, not in the loader, whose message says only "n"
        if isinstance(self.workers, bool) or self.workers < 0:
            raise UserError(f"data.workers must be a whole number >= 0, got {self.workers}")


@dataclass(frozen=True)
class ModelConfig:
    """The networks (tips T04, T05, T07, T12, T15-T17, S01, S06)."""

    arch: str = "auto"  # "mlp" for points, "dcgan" for images, "auto" picks by data
    z_dim: int = 64  # latent size
    g_width: int = 64  # DCGAN: channels of the widest... narrowest stage (doubles per stage); MLP: hidden units
    d_width: int = 64  # same for D
    depth: int = 3  # MLP hidden layers of D (and of G unless g_depth is set); DCGAN's depth follows the resolution
    g_depth: int = 0  # MLP hidden layers of G; 0 = the same as depth
    g_norm: str = "batch"  # DCGAN's batch norm in G (T04)
    # share of the run after which G's batch norm uses its running statistics, as when G is sampled, and
    # stops updating them, so G finishes training as it will be sampled (tricks.norm_freeze); 1 = never
    g_norm_freeze: float = 1.0
    d_norm: str = "batch"  # "batch", "instance", "layer", "none" or "spectral" (S01)
    g_activation: str = "relu"  # DCGAN uses ReLU in G; T05 recommends LeakyReLU
    d_activation: str = "leaky_relu"  # T05
    upsample: str = "transposed"  # "transposed" (strided ConvTranspose2d) or "pixelshuffle" (T05)
    downsample: str = "stride"  # "stride" (strided conv) or "avgpool" (T05)
    g_dropout: float = 0.0  # always-on dropout in G's coarse stages (T17); 0 = off
    minibatch_std: bool = False  # append the minibatch std to D's features (T15)
    minibatch_kernels: int = 0  # minibatch-discrimination kernels in D's head (T15); 0 = off
    conditioning: str = "none"  # with labelled data: "embedding" (T16), "projection" or "acgan" (T12)
    embed_dim: int = 8  # size of label embeddings (T16: keep it low)
    encoder: bool = (
        False  # T07 hybrid VAE-GAN: an encoder E (D's width/activation) trained with G; see loss.recon_weight
    )
    msg: bool = False  # S06 MSG-GAN: G also emits every coarser scale (4x4 up), D reads the pyramid (DCGAN only)
    pack: int = 1  # S13 PacGAN: D judges this many samples at once (concatenated features/channels); 1 = off

    def __post_init__(self) -> None:
        _choice("model", "arch", self.arch, ("auto", "mlp", "dcgan"))
        _choice("model", "g_norm", self.g_norm, NORMS)
        _choice("model", "d_norm", self.d_norm, NORMS)
        _choice("model", "upsample", self.upsample, ("transposed", "pixelshuffle"))
        _choice("model", "downsample", self.downsample, ("stride", "avgpool"))
        _choice("model", "conditioning", self.conditioning, CONDITIONINGS)
        check_probability("model.g_dropout", self.g_dropout)
        if not 0.0 <= self.g_norm_freeze <= 1.0:  # also rejects NaN
            raise UserError(
                f"model.g_norm_freeze must be in [0, 1] (a share of the run; 1 = never), got {self.g_norm_freeze}"
            )
        for name in ("z_dim", "g_width", "d_width", "depth", "embed_dim"):
            check_positive(f"model.{name}", getattr(self, name))
        check_positive("model.g_depth", self.g_depth, allow_zero=True)
        check_positive("model.pack", self.pack)
        if self.pack > 1 and (self.conditioning != "none" or self.msg):
            what = f"model.conditioning={self.conditioning}" if self.conditioning != "none" else "model.msg=true"
            raise UserError(
                f"model.pack={self.pack} (S13) gives D packs of unlabelled samples at one scale; "
                f"it does not combine with {what}: set model.pack=1 or turn that off"
            )


@dataclass(frozen=True)
class LossConfig:
    """The objective (tips T02, T06, S02, S03, S10)."""

    name: str = "nonsaturating"  # T02; see ganhacks.tricks.losses.LOSSES for the others
    penalty: str = "none"  # "none", "wgan_gp", "wgan_lp", "r1", "r2", "r1r2" (S02, S03)
    penalty_weight: float = 10.0  # lambda for WGAN-GP (Gulrajani et al.); use gamma/2 for R1
    # lazy regularisation (Karras et al. 2020, StyleGAN2): the penalty only in iterations whose index is a
    # multiple of penalty_every, weighted by penalty_every so its mean pull is unchanged; 1 = every iteration
    penalty_every: int = 1
    # the penalty's weight at the end of the run, as a share of penalty_weight: below 1 it falls linearly from
    # optim.lr_decay_start of the run (the learning rate's decay window) to this share; 1 = constant
    penalty_end: float = 1.0
    smoothing: str = "none"  # D's targets: "none", "one_sided" (real=0.9) or "two_sided" (T06)
    flip_p: float = 0.0  # probability of flipping each of D's targets (T06)
    acgan_weight: float = 1.0  # weight of the auxiliary classification loss (T12)
    # T07 (model.encoder=true): G's loss gains
    #   (recon_weight * recon(x, G(E(x))) + kl_weight * KL(q(z|x) || N(0, I))) / d,
    # both terms per-sample sums, d = elements per sample; with l2, 0.5 and 1 give the negative ELBO per element
    recon: str = "l2"  # reconstruction error per element: "l2" (squared) or "l1" (absolute)
    recon_weight: float = 1.0  # weight of the reconstruction term (1: the mean squared error per element); 0 = off
    kl_weight: float = 1.0  # weight of the KL term (kl_weight / recon_weight is a beta-VAE's beta); 0 = off

    def __post_init__(self) -> None:
        _choice("loss", "name", self.name, LOSSES.names())
        _choice("loss", "penalty", self.penalty, ["none", *PENALTIES.names()])
        _choice("loss", "smoothing", self.smoothing, SMOOTHING)
        _choice("loss", "recon", self.recon, RECONSTRUCTIONS.names())
        check_probability("loss.flip_p", self.flip_p)
        check_positive("loss.penalty_weight", self.penalty_weight, allow_zero=True)
        check_probability("loss.penalty_end", self.penalty_end)
        if self.penalty_every < 1:
            raise UserError(f"loss.penalty_every must be >= 1 (1 = every iteration); got {self.penalty_every}")
        check_positive("loss.recon_weight", self.recon_weight, allow_zero=True)
        check_positive("loss.kl_weight", self.kl_weight, allow_zero=True)
        if (self.smoothing != "none" or self.flip_p) and not LOSSES.get(self.name).accepts_targets:
            raise UserError(
                f"loss '{self.name}' takes no targets, so label smoothing/flips (T06) cannot apply; "
                "set loss.smoothing=none and loss.flip_p=0 or use nonsaturating/least_squares"
            )


@dataclass(frozen=True)
class TricksConfig:
    """Stateful and schedule-based tricks (tips T03, T04, T08, T11, T13, T14, S05, S07, S12)."""

    latent: str = "gaussian"  # z prior (T03): "gaussian", "uniform" or "truncated"
    separate_batches: bool = True  # real and fake through D in separate batches (T04)
    n_critic: int = 1  # D steps per G step (T14; 1 keeps the players balanced, S11)
    g_every: int = 1  # G steps only on every g_every-th iteration (T14's other knob; 1 = every iteration)
    noise_start: float = 0.0  # instance-noise sigma at step 0 (T13); 0 = off
    noise_end: float = 0.0  # sigma reached at noise_steps
    noise_steps: int = 1000  # iterations over which sigma decays (absolute, so extending a run keeps the schedule)
    noise_kind: str = "linear"  # "linear", "exponential", "cosine", "constant"
    replay_p: float = 0.0  # per-sample probability of showing D a past fake (T08); 0 = off
    replay_capacity: int = 2048  # past fakes kept (uniform reservoir)
    snapshot_every: int = 0  # store past G/D weights every N steps (T08); 0 = off
    snapshot_swap_p: float = 0.0  # per-step probability of swapping an old D in
    snapshot_swap_steps: int = 10  # how long an old D stays in
    ema_decay: float = 0.0  # EMA of G's weights (S07), e.g. 0.999; 0 = off
    balance_d_threshold: float = (
        0.0  # T11's counter-example (opt-in, warns): repeat D steps while loss_D > this; 0 = off
    )
    balance_g_threshold: float = 0.0  # idem for G: repeat G steps while loss_G > this; 0 = off
    balance_max_repeats: int = 5  # cap on the steps of one player in a row under the balancer
    topk_keep: float = 1.0  # S12: share of fakes G learns from (D's most realistic) once ramped; 1 = off
    topk_ramp: float = 0.5  # S12: share of the run over which that share falls from the whole batch to topk_keep
    grow_steps: int = 0  # S05: iterations at half resolution, then as many fading the last stage in (DCGAN); 0 = off

    def __post_init__(self) -> None:
        _choice("tricks", "latent", self.latent, SAMPLERS.names())
        _choice("tricks", "noise_kind", self.noise_kind, NOISE_KINDS)
        check_probability("tricks.replay_p", self.replay_p)
        check_probability("tricks.snapshot_swap_p", self.snapshot_swap_p)
        check_probability("tricks.ema_decay", self.ema_decay)
        for name in ("n_critic", "g_every", "balance_max_repeats"):
            if getattr(self, name) < 1:
                raise UserError(f"tricks.{name} must be >= 1, got {getattr(self, name)}")
        check_positive("tricks.grow_steps", self.grow_steps, allow_zero=True)
        if not 0.0 < self.topk_keep <= 1.0:
            raise UserError(f"tricks.topk_keep must be a share in (0, 1] (1 = off), got {self.topk_keep}")
        check_probability("tricks.topk_ramp", self.topk_ramp)


@dataclass(frozen=True)
class TrainConfig:
    """The run itself."""

    steps: int = 2000  # training iterations (each: n_critic D steps and one G step)
    batch_size: int = 64  # samples per D/G step
    seed: int = 0  # seeds weights, data order, z and every trick's randomness
    device: str = "auto"  # "auto" (CUDA when available), "cpu", "cuda", "cuda:1", ...
    amp: bool = True  # bf16 autocast on CUDA (ignored on CPU)
    compile: bool = False  # torch.compile G and D
    log_every: int = 10  # write metrics.jsonl every N steps
    sample_every: int = 250  # write a sample grid PNG at fixed z every N steps; 0 = only at the end
    checkpoint_every: int = 500  # write a checkpoint every N steps; 0 = only at the end
    keep_checkpoints: int = 3  # newest checkpoints kept on disk
    tensorboard: bool = False  # also log to TensorBoard (needs the tensorboard package)
    eval_every: int = 0  # compute metrics every N steps and at the end (logged as eval/<name>); 0 = off
    eval_metrics: str = "auto"  # comma-separated metric names; "auto": modes,pr,dc on mixtures, fid,kid,pr,dc on images
    eval_n: int = 1000  # generated and real samples per evaluation (compare FID only at equal n)

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "log_every", "keep_checkpoints"):
            check_positive(f"train.{name}", getattr(self, name))
        if self.eval_n < 2:
            raise UserError(f"train.eval_n must be >= 2 samples; got {self.eval_n}")
        check_positive("train.eval_every", self.eval_every, allow_zero=True)
        if self.eval_metrics.strip() != "auto":
            parse_metrics(self.eval_metrics)  # unknown names fail now, not after hours of training
        if self.batch_size < 2:
            raise UserError("train.batch_size must be >= 2")


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a run; saved as config.json and accepted back by ``--config``."""

    preset: str = "recommended"  # the preset these values started from (informational)
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    tricks: TricksConfig = field(default_factory=TricksConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    monitor: MonitorConfig = field(default_factory=MonitorConfig)  # symptoms and policy (T10); docs/monitor.md


SECTIONS = tuple(f.name for f in fields(RunConfig) if f.name != "preset")


def to_dict(config: RunConfig) -> dict[str, Any]:
    """The JSON-ready form of ``config`` (tuples become lists)."""
    return json.loads(json.dumps(dataclasses.asdict(config)))


def from_dict(data: dict[str, Any], base: RunConfig | None = None) -> RunConfig:
    """A :class:`RunConfig` from a (possibly partial) dict, on top of ``base`` (default values)."""
    config = base or RunConfig()
    unknown = set(data) - set(SECTIONS) - {"preset"}
    if unknown:
        name = sorted(unknown)[0]
        raise UserError(
            f"unknown config section '{name}'.{did_you_mean(name, SECTIONS)} Valid sections: {', '.join(SECTIONS)}"
        )
    values = {f"{s}.{k}": v for s in SECTIONS for k, v in _section_fields(data, s).items()}
    overrides = [f"{key}={v}" for key, v in values.items()]
    config = apply_overrides(config, overrides, raw_values=values)
    if "preset" in data:
        config = replace(config, preset=str(data["preset"]))
    return config


def _section_fields(data: dict[str, Any], section: str) -> dict[str, Any]:
    """The fields of ``section`` in ``data`` (none when absent or null); a hand-edited config may hold
    a string or a list there, which is named rather than failing deep inside."""
    fields_ = data.get(section)
    if fields_ is None:
        return {}
    if not isinstance(fields_, dict):
        raise UserError(
            f"config section '{section}' must be an object of fields ({{\"field\": value, ...}}), "
            f"got {json.dumps(fields_)[:40]}; fix it in the config file"
        )
    return fields_


def apply_overrides(config: RunConfig, overrides: list[str], raw_values: dict[str, Any] | None = None) -> RunConfig:
    """Apply ``section.field=value`` strings, validating names and types (with "did you mean").

    ``raw_values`` maps ``section.field`` to a JSON value that replaces the text after ``=``
    (so :func:`from_dict` keeps lists and numbers as they were written).
    """
    grouped: dict[str, dict[str, Any]] = {}
    for item in overrides:
        key, value = split_assignment(item, example="--set loss.name=hinge")
        section, dot, name = key.partition(".")
        if not dot:
            raise UserError(f"--set takes section.field=value, got '{item}' (e.g. --set loss.name=hinge)")
        if section not in SECTIONS:
            raise UserError(
                f"unknown config section '{section}'.{did_you_mean(section, SECTIONS)} "
                f"Valid sections: {', '.join(SECTIONS)}"
            )
        grouped.setdefault(section, {})[name] = value if raw_values is None else raw_values.get(key, value)
    changes = {s: apply_to(getattr(config, s), kv, prefix=f"{s}.") for s, kv in grouped.items()}
    return replace(config, **changes)


def load_config_file(path: str | Path) -> RunConfig:
    """Read a ``config.json`` written by a run (or by hand)."""
    p = Path(path)
    try:
        data = json.loads(p.read_text())
    except FileNotFoundError:
        raise UserError(f"config file {p} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"cannot read config file {p}: {exc}") from None
    if not isinstance(data, dict):
        raise UserError(f"config file {p} must hold a JSON object with sections {', '.join(SECTIONS)}")
    return from_dict(data)
