"""Reference networks: MLPs for 2-D points, a DCGAN family for images (tip T07).

:func:`build_models` turns a :class:`~ganhacks.train.config.ModelConfig` and the shape of the
data into ``(G, D)``. Both networks share one calling convention:

* ``G(z, y=None) -> x`` with ``x`` in [-1, 1] (tanh output, T01);
* ``D(x, y=None) -> logits (N,)``; ``D(x, y, with_classes=True) -> (logits, class_logits)``
  for the auxiliary-classifier variant (T12).
"""

from __future__ import annotations

from ganhacks.models.dcgan import DCGANDiscriminator, DCGANGenerator
from ganhacks.models.mlp import MLPDiscriminator, MLPGenerator

__all__ = ["DCGANDiscriminator", "DCGANGenerator", "MLPDiscriminator", "MLPGenerator", "build_models"]


def build_models(config, sample_shape: tuple[int, ...], num_classes: int = 0):
    """``(G, D)`` for data of ``sample_shape`` (``(2,)`` points or ``(C, H, W)`` images).

    Args:
        config: a :class:`ganhacks.train.config.ModelConfig`.
        sample_shape: the shape of one real sample.
        num_classes: number of classes for conditional models (0 = unconditional).
    """
    from ganhacks.errors import UserError

    cond = config.conditioning
    if cond != "none" and not num_classes:
        raise UserError(f"model.conditioning='{cond}' needs labelled data; this data set has no labels")
    num_classes = num_classes if cond != "none" else 0  # labels are ignored by unconditional models
    arch = config.arch
    if arch == "auto":
        arch = "mlp" if len(sample_shape) == 1 else "dcgan"
    if arch == "mlp":
        if len(sample_shape) != 1:
            raise UserError(f"model.arch='mlp' needs point data (N, F); this data has samples of shape {sample_shape}")
        g = MLPGenerator(config.z_dim, sample_shape[0], config.g_width, config.depth, config.g_activation,
                         config.g_norm, config.g_dropout, num_classes, config.embed_dim)
        d = MLPDiscriminator(sample_shape[0], config.d_width, config.depth, config.d_activation, config.d_norm,
                             config.minibatch_std, config.minibatch_kernels, num_classes, cond, config.embed_dim)
        return g, d
    if arch == "dcgan":
        if len(sample_shape) != 3:
            raise UserError(f"model.arch='dcgan' needs images (N, C, H, W); this data has samples of shape {sample_shape}")
        c, h, w = sample_shape
        if h != w:
            raise UserError(f"DCGAN models need square images, got {h}x{w}; set data.image_size")
        g = DCGANGenerator(config.z_dim, c, h, config.g_width, config.g_norm, config.g_activation, config.upsample,
                           config.g_dropout, num_classes, config.embed_dim)
        d = DCGANDiscriminator(c, h, config.d_width, config.d_norm, config.d_activation, config.downsample,
                               config.minibatch_std, config.minibatch_kernels, num_classes, cond, config.embed_dim)
        return g, d
    raise UserError(f"unknown model.arch '{arch}'. Valid choices: auto, mlp, dcgan")
