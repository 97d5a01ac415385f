"""Reference networks: MLPs for 2-D points, a DCGAN family for images (tip T07).

:func:`build_models` turns a :class:`~ganhacks.train.config.ModelConfig` and the shape of the
data into ``(G, D)``. Both networks share one calling convention:

* ``G(z, y=None) -> x`` with ``x`` in [-1, 1] (tanh output, T01);
* ``D(x, y=None) -> logits (N,)``; ``D(x, y, with_classes=True) -> (logits, class_logits)``
  for the auxiliary-classifier variant (T12). With ``model.pack = m > 1`` (S13, PacGAN) D is a
  :class:`~ganhacks.tricks.packing.Packed` network and returns one logit per pack, ``(N / m,)``.

:func:`build_encoder` adds the hybrid VAE-GAN's encoder ``E(x) -> (mu, logvar)`` (T07).
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn

from ganhacks.errors import UserError
from ganhacks.models.dcgan import DCGANDiscriminator, DCGANGenerator
from ganhacks.models.encoder import ConvEncoder, MLPEncoder
from ganhacks.models.mlp import MLPDiscriminator, MLPGenerator
from ganhacks.tricks.packing import Packed

__all__ = [
    "ConvEncoder",
    "DCGANDiscriminator",
    "DCGANGenerator",
    "MLPDiscriminator",
    "MLPEncoder",
    "MLPGenerator",
    "build_encoder",
    "build_models",
]


def _arch(config, sample_shape: tuple[int, ...]) -> str:
    """``config.arch`` with ``"auto"`` resolved: ``"mlp"`` for points, ``"dcgan"`` for images."""
    if config.arch == "auto":
        return "mlp" if len(sample_shape) == 1 else "dcgan"
    return config.arch


# ModelConfig fields that set the size of the weights (a typo there can ask for terabytes)
SIZE_FIELDS = ("z_dim", "g_width", "d_width", "depth", "g_depth", "minibatch_kernels", "embed_dim", "pack")


def build_models(config, sample_shape: tuple[int, ...], num_classes: int = 0, grow: bool = False):
    """``(G, D)`` for data of ``sample_shape`` (``(2,)`` points or ``(C, H, W)`` images).

    Args:
        config: a :class:`ganhacks.train.config.ModelConfig`.
        sample_shape: the shape of one real sample.
        num_classes: number of classes for conditional models (0 = unconditional).
        grow: give the DCGAN pair the fade-in of progressive growing (S05).

    Raises:
        UserError: a setting the data does not allow, or weights too large for memory.
    """
    try:
        return _build_models(config, sample_shape, num_classes, grow)
    except RuntimeError as exc:  # a GPU out of memory is one too; the CPU allocator says so in words
        if not isinstance(exc, torch.cuda.OutOfMemoryError) and "can't allocate memory" not in str(exc):
            raise
        raise UserError(_too_large(config)) from None


def _too_large(config) -> str:
    """Name the size setting furthest above its default: the likely typo."""
    defaults = {f.name: f.default for f in dataclasses.fields(config)}
    values = {name: getattr(config, name) for name in SIZE_FIELDS if name in defaults}
    name = max(values, key=lambda k: values[k] / max(defaults[k], 1))
    return f"the model does not fit in memory with model.{name}={values[name]}; lower model.{name}"


def _build_models(config, sample_shape: tuple[int, ...], num_classes: int, grow: bool):
    cond = config.conditioning
    if cond != "none" and not num_classes:
        raise UserError(f"model.conditioning='{cond}' needs labelled data; this data set has no labels")
    num_classes = num_classes if cond != "none" else 0  # labels are ignored by unconditional models
    arch = _arch(config, sample_shape)
    if arch == "mlp":
        if len(sample_shape) != 1:
            raise UserError(f"model.arch='mlp' needs point data (N, F); this data has samples of shape {sample_shape}")
        if config.msg:
            raise UserError(
                f"model.msg=true (S06, multi-scale gradients) needs image data and the DCGAN models; "
                f"this data has samples of shape {sample_shape}; set model.msg=false"
            )
        if grow:
            raise UserError(
                f"tricks.grow_steps (S05, progressive growing) needs image data and the DCGAN models; "
                f"this data has samples of shape {sample_shape}; set tricks.grow_steps=0"
            )
        g = MLPGenerator(
            config.z_dim,
            sample_shape[0],
            config.g_width,
            config.g_depth or config.depth,
            config.g_activation,
            config.g_norm,
            config.g_dropout,
            num_classes,
            config.embed_dim,
        )
        d = MLPDiscriminator(
            sample_shape[0] * config.pack,  # S13: a pack of samples side by side
            config.d_width,
            config.depth,
            config.d_activation,
            config.d_norm,
            config.minibatch_std,
            config.minibatch_kernels,
            num_classes,
            cond,
            config.embed_dim,
        )
        return g, _packed(d, config.pack)
    if arch == "dcgan":
        if len(sample_shape) != 3:
            raise UserError(
                f"model.arch='dcgan' needs images (N, C, H, W); this data has samples of shape {sample_shape}"
            )
        c, h, w = sample_shape
        if h != w:
            raise UserError(f"DCGAN models need square images, got {h}x{w}; set data.image_size")
        if config.msg and grow:
            raise UserError(
                "model.msg=true (S06) trains every scale at once instead of growing; "
                "set model.msg=false or tricks.grow_steps=0 (S05)"
            )
        msg = config.msg
        g = DCGANGenerator(
            config.z_dim,
            c,
            h,
            config.g_width,
            config.g_norm,
            config.g_activation,
            config.upsample,
            config.g_dropout,
            num_classes,
            config.embed_dim,
            msg=msg,
            grow=grow,
        )
        d = DCGANDiscriminator(
            c * config.pack,  # S13: a pack of images stacked along the channels
            h,
            config.d_width,
            config.d_norm,
            config.d_activation,
            config.downsample,
            config.minibatch_std,
            config.minibatch_kernels,
            num_classes,
            cond,
            config.embed_dim,
            msg=msg,
            grow=grow,
        )
        return g, _packed(d, config.pack)
    raise UserError(f"unknown model.arch '{arch}'. Valid choices: auto, mlp, dcgan")


def _packed(d: nn.Module, m: int) -> nn.Module:
    """``d`` reading packs of ``m`` samples (S13), or ``d`` itself when ``m`` is 1."""
    return Packed(d, m) if m > 1 else d


def build_encoder(config, sample_shape: tuple[int, ...]):
    """The hybrid VAE-GAN's encoder ``E(x) -> (mu, logvar)`` for data of ``sample_shape`` (T07).

    It mirrors D: a :class:`ConvEncoder` for images (DCGAN), an :class:`MLPEncoder` for points,
    with ``config.d_width``, ``config.d_activation`` (and ``config.downsample``, ``config.depth``).

    Args:
        config: a :class:`ganhacks.train.config.ModelConfig`.
        sample_shape: the shape of one real sample.
    """
    arch = _arch(config, sample_shape)
    if arch == "mlp" and len(sample_shape) == 1:
        return MLPEncoder(sample_shape[0], config.z_dim, config.d_width, config.depth, config.d_activation)
    if arch == "dcgan" and len(sample_shape) == 3 and sample_shape[1] == sample_shape[2]:
        c, h, _ = sample_shape
        return ConvEncoder(c, h, config.z_dim, config.d_width, config.d_activation, config.downsample)
    raise UserError(
        f"model.encoder (T07) has no encoder for model.arch='{arch}' and samples of shape {sample_shape}; "
        "use points with mlp or square images with dcgan"
    )
