"""Metrics of a trained generator: samples and the matching real reference.

Used by ``ganhacks eval RUN`` (a run folder or one checkpoint) and by the trainer's periodic
evaluation (``ganhacks.train.callbacks.EvalCallback``). Both need the same three things:
fresh samples of G (its EMA when the run keeps one), real data in the same units, and, for the 2-D
mixtures, the known mode centres so ``modes`` can count covered modes as VEEGAN/PacGAN do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import torch

from ganhacks.data.dataset import Dataset
from ganhacks.metrics.sources import subsample

# Metrics chosen when the user asks for "auto": the cheap, always-meaningful ones for each data kind.
AUTO_POINTS = ("modes", "pr", "dc")  # known mixtures: modes covered / high quality, and the k-NN pair
AUTO_IMAGES = ("fid", "kid", "pr", "dc")  # any extractor


class SampleSource(Protocol):
    """Anything that draws samples of a generator trained on ``dataset`` (e.g. the trainer)."""

    dataset: Dataset

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` fresh samples in the data set's units ([-1, 1]), on the CPU."""
        ...


@dataclass(frozen=True)
class Reference:
    """Real data in the units generated samples are compared in, plus known modes when there are any."""

    real: torch.Tensor  # (N, C, H, W) in [-1, 1], or (N, 2) raw mixture units
    mode_centers: torch.Tensor | None  # (M, 2) raw units, for "modes" on mixtures
    mode_std: float | None  # the mixture's per-axis std, raw units

    @property
    def points(self) -> bool:
        """True for 2-D point data (the mixtures)."""
        return self.real.dim() == 2


def reference(dataset: Dataset, n: int | None = None, seed: int = 0) -> Reference:
    """At most ``n`` real rows of ``dataset`` (a seeded subset), in metric units.

    Mixture points go back to raw units (``Mixture.from_unit``), where the published mode
    definitions (3 std of a centre) apply; images stay in [-1, 1].
    """
    real = subsample(dataset.x, n, seed)
    mix = dataset.mixture
    if mix is None:
        return Reference(real, None, None)
    return Reference(mix.from_unit(real).double(), mix.centers.double(), float(mix.std))


def generated(source: SampleSource, n: int, seed: int = 0) -> torch.Tensor:
    """``n`` samples of ``source`` (the trainer's G, or its EMA when kept) at a fixed seed, in the
    units of :func:`reference`."""
    x = source.sample(n, torch.Generator().manual_seed(seed))
    mix = source.dataset.mixture
    return mix.from_unit(x).double() if mix is not None else x


def resolve_metrics(names: str, ref: Reference) -> str:
    """``names`` as given, or the default set for the data kind when it is "auto"."""
    if names.strip() != "auto":
        return names
    if ref.points:
        return ",".join(AUTO_POINTS if ref.mode_centers is not None else AUTO_POINTS[1:])
    return ",".join(AUTO_IMAGES)
