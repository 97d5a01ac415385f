"""Packing (PacGAN, S13): D judges m samples at once, so a collapsed G is easy to spot.

Lin et al. 2018 ("PacGAN: The power of two samples in generative adversarial networks", NeurIPS 2018,
arXiv:1712.04086) give D a *pack* of m samples, all real or all fake, concatenated along the
feature (points) or channel (images) axis, and ask it for one verdict per pack. A G that puts too
much mass on a few modes makes packs whose members look alike, which a single-sample D cannot see;
the paper shows the penalty on such a G grows with m, and m = 2 already recovers most missed modes
on the 2-D mixtures and stacked MNIST. Only D's first layer changes (m times its inputs); the rest of
the loop is untouched: losses, label smoothing and top-k read one logit per pack, and a gradient
penalty takes the norm over each pack, D's own input (:func:`ganhacks.tricks.penalties.input_grad_norms`).
"""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from ganhacks.errors import UserError


def pack(x: Tensor, m: int) -> Tensor:
    """``(N, F, ...) -> (N / m, m * F, ...)``: each run of ``m`` consecutive samples becomes one input.

    Member ``j`` of pack ``i`` is sample ``i * m + j`` and fills features ``j * F .. (j + 1) * F - 1``.

    Raises:
        UserError: when ``N`` is not a multiple of ``m``.
    """
    if m < 1:
        raise UserError(f"pack size must be >= 1, got {m}")
    n = x.shape[0]
    if n % m:
        raise UserError(f"a batch of {n} samples cannot be cut into packs of {m}: use a batch size divisible by {m}")
    return x.reshape(n // m, m * x.shape[1], *x.shape[2:])


class Packed(nn.Module):
    """A discriminator that reads packs of ``m`` samples: ``D(pack(x))``, one logit per pack.

    ``inner`` must take ``m`` times the features (or channels) of one sample. The trainer's batches
    are multiples of ``m`` (it checks the batch size up front); a probe's batch that is not (e.g. the
    monitor's look at held-out reals) is judged on its first ``N - N mod m`` samples.
    """

    def __init__(self, inner: nn.Module, m: int) -> None:
        super().__init__()
        if m < 2:
            raise UserError(f"Packed needs a pack size >= 2 (1 is the plain D), got {m}")
        self.inner, self.m = inner, m

    def forward(self, x: Tensor, *args: Any, **kwargs: Any) -> Any:
        return self.inner(pack(x[: len(x) - len(x) % self.m], self.m), *args, **kwargs)
