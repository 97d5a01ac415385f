"""The benchmarks of the evidence suites: which data, how a trained generator is scored, what counts
as a failed run, and the published numbers to compare with.

* ``ring8``, ``grid25`` — PacGAN's 2-D mixtures (ring: 8 modes, std 0.01 on the unit circle; grid:
  5x5 at {-4, ..., 4}, std 0.05), scored on 2,500 samples of G (its EMA when kept) with the
  anchors' own definitions: modes covered, share of high-quality samples (within 3 std), PacGAN's
  reverse KL of the high-quality histogram (``reverse_kl_hq``), the lenient ``mode_reverse_kl``,
  and precision/recall/density/coverage on the raw points against 2,500 real ones.
* ``stacked_digits`` — three 8x8 digits stacked as channels (1,000 modes; PacGAN's stacked MNIST
  made small), each channel labelled by the shipped digits classifier, on 26,000 samples as PacGAN
  counts them: modes covered and reverse KL.
* ``digits`` — the 8x8 digits; FID, KID, precision, recall, density, coverage on the digits
  classifier's features against all 1,797 real images, named with the extractor
  (``fid[digits-cnn]``) since FID values are comparable only with the same features.

Each benchmark names its *primary* metric: the one a verdict and the tuner use. On the mixtures it
is ``quality_coverage`` = high_quality x modes_covered / modes_total (1 when every sample is high
quality and every mode is covered), because either number alone rewards a failure (all samples on
one mode are high quality; a blurry G covers every mode).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from ganhacks.data import load_dataset
from ganhacks.errors import UserError
from ganhacks.metrics import EvalConfig, evaluate, stacked_digit_modes
from ganhacks.metrics.runs import SampleSource, generated, reference
from ganhacks.registry import Registry

Scorer = Callable[[SampleSource, int, int], dict[str, float]]  # (trained G, samples, seed) -> metrics

DIGITS_TAG = "[digits-cnn]"  # suffix of metrics computed on the digits classifier's features
# KID's mean over 20 subsets of 1,000 rather than 100: a fifth of the cost (docs/bench.md), and the
# subset noise stays far below the seed-to-seed spread the verdicts are about
DIGITS_EVAL = EvalConfig(kid_subsets=20)

# +1: higher is better, -1: lower is better, 0: no better side (density > 1 can mean dropped modes)
DIRECTIONS: dict[str, int] = {
    "quality_coverage": 1,
    "modes_covered": 1,
    "high_quality": 1,
    "reverse_kl_hq": -1,
    "mode_reverse_kl": -1,
    "precision": 1,
    "recall": 1,
    "f1": 1,
    "density": 0,
    "coverage": 1,
    "fid": -1,
    "kid": -1,
}


def direction(metric: str) -> int:
    """+1 when a higher ``metric`` is better, -1 when lower is, 0 when neither (``fid[digits-cnn]`` -> -1)."""
    return DIRECTIONS.get(metric.split("[")[0], 0)


@dataclass(frozen=True)
class Benchmark:
    """One benchmark: the data the trainer reads and how its generator is scored."""

    name: str  # the suite's name for it
    data: str  # the trainer's data.name
    kind: str  # "points" or "images": which toggles apply (see bench.toggles.Toggle.kinds)
    description: str  # one line for the report
    eval_n: int  # generated samples scored per run
    primary: str  # the metric of the verdicts and of tuning
    metrics: tuple[str, ...]  # the metrics the report tabulates, in order
    score: Scorer  # (trained generator, eval_n, seed) -> metrics
    collapse_rule: str  # what counts as a collapsed run, in words
    collapsed: Callable[[dict[str, float]], bool]  # ...and as code
    forbidden: tuple[str, ...] = ()  # config fields no variant may set here (see ``forbidden_why``)
    forbidden_why: str = ""  # ...and why


BENCHMARKS: Registry[Benchmark] = Registry("benchmark")


def _quality_coverage(m: dict[str, float]) -> float:
    return m["high_quality"] * m["modes_covered"] / m["modes_total"]


def score_mixture(source: SampleSource, n: int, seed: int) -> dict[str, float]:
    """Mode metrics and the k-NN four of ``n`` generated points against ``n`` real ones, in raw units."""
    fake = generated(source, n, seed)
    ref = reference(source.dataset, n, seed + 1)
    out = evaluate(fake, ref.real, "modes,pr,dc", "identity", mode_centers=ref.mode_centers, mode_std=ref.mode_std)[
        "metrics"
    ]
    out["quality_coverage"] = _quality_coverage(out)
    return out


def score_digits(source: SampleSource, n: int, seed: int) -> dict[str, float]:
    """FID, KID, precision/recall/F1, density/coverage on the digits CNN's features, named ``name[digits-cnn]``."""
    fake = generated(source, n, seed)
    ref = reference(source.dataset, n, seed + 1)
    out = evaluate(fake, ref.real, "fid,kid,pr,dc", "digits", config=DIGITS_EVAL)["metrics"]
    return {f"{k}{DIGITS_TAG}": v for k, v in out.items()}


def score_stacked(source: SampleSource, n: int, seed: int) -> dict[str, float]:
    """Modes covered (of 1,000) and reverse KL of ``n`` stacked-digit samples, each channel labelled by the CNN."""
    return stacked_digit_modes(generated(source, n, seed))


def _few_modes(m: dict[str, float]) -> bool:
    return m["modes_covered"] < m["modes_total"] / 2


BENCHMARKS.register(
    "ring8",
    Benchmark(
        name="ring8",
        data="ring8",
        kind="points",
        description="8 Gaussians (std 0.01) on the unit circle, PacGAN's 2D-ring",
        eval_n=2500,
        primary="quality_coverage",
        metrics=(
            "quality_coverage",
            "modes_covered",
            "high_quality",
            "reverse_kl_hq",
            "mode_reverse_kl",
            "precision",
            "recall",
            "density",
            "coverage",
        ),
        score=score_mixture,
        collapse_rule="fewer than half of the modes covered",
        collapsed=_few_modes,
        forbidden=("model.conditioning",),
        forbidden_why="its labels are the modes the metric counts: conditioning on them hands G the answer",
    ),
)
BENCHMARKS.register(
    "grid25",
    Benchmark(
        name="grid25",
        data="grid25",
        kind="points",
        description="5x5 Gaussians (std 0.05) at {-4, ..., 4}, PacGAN's 2D-grid",
        eval_n=2500,
        primary="quality_coverage",
        metrics=BENCHMARKS.get("ring8").metrics,
        score=score_mixture,
        collapse_rule="fewer than half of the modes covered",
        collapsed=_few_modes,
        forbidden=("model.conditioning",),
        forbidden_why="its labels are the modes the metric counts: conditioning on them hands G the answer",
    ),
)
BENCHMARKS.register(
    "stacked_digits",
    Benchmark(
        name="stacked_digits",
        data="stacked_digits",
        kind="images",
        description="three 8x8 digits as channels, 1,000 modes (PacGAN's stacked MNIST, small)",
        eval_n=26_000,
        primary="mode_reverse_kl",
        metrics=("mode_reverse_kl", "modes_covered"),
        score=score_stacked,
        collapse_rule="fewer than half of the 1,000 modes covered",
        collapsed=_few_modes,
        forbidden=("model.conditioning",),
        forbidden_why="its labels are the modes the metric counts: conditioning on them hands G the answer",
    ),
)
BENCHMARKS.register(
    "digits",
    Benchmark(
        name="digits",
        data="digits",
        kind="images",
        description="the 1,797 8x8 digits of scikit-learn",
        eval_n=1797,
        primary=f"fid{DIGITS_TAG}",
        metrics=tuple(f"{m}{DIGITS_TAG}" for m in ("fid", "kid", "precision", "recall", "density", "coverage")),
        score=score_digits,
        collapse_rule="recall below 0.05 (almost no real digit has a generated one nearby)",
        collapsed=lambda m: m[f"recall{DIGITS_TAG}"] < 0.05,
    ),
)


class RealSource:
    """Fresh real samples posing as a generator, so a benchmark can score its own data (the best a
    generator can do at this sample size: a floor for the reverse KLs, a ceiling for high quality)."""

    def __init__(self, bench: Benchmark) -> None:
        self.bench = bench
        self.dataset = load_dataset(bench.data)

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        gen = generator or torch.Generator().manual_seed(0)
        if self.dataset.mixture is not None:
            mix = self.dataset.mixture
            return mix.to_unit(mix.sample(n, gen))
        seed = int(torch.randint(2**31 - 1, (1,), generator=gen))
        return load_dataset(self.bench.data, n=n, seed=seed).x


def real_data_scores(name: str, seed: int = 0) -> dict[str, float] | None:
    """The benchmark's metrics on fresh real samples (None for ``digits``, whose real set is finite:
    scoring it against itself says nothing)."""
    bench = get_benchmark(name)
    if bench.data == "digits":
        return None
    return bench.score(RealSource(bench), bench.eval_n, seed)


def get_benchmark(name: str) -> Benchmark:
    """The benchmark called ``name`` (unknown names get "did you mean")."""
    return BENCHMARKS.get(name)


def check_finite_samples(x: torch.Tensor) -> None:
    """Raise a :class:`UserError` when generated samples hold NaN or Inf (a diverged generator)."""
    if not bool(torch.isfinite(x).all()):
        raise UserError("the generator's samples hold NaN or Inf")


@dataclass(frozen=True)
class Published:
    """A published result on one of our benchmarks (for the side-by-side table)."""

    benchmark: str
    method: str
    source: str
    modes: float | None  # modes covered (mean over their trials)
    high_quality: float | None  # share of high-quality samples in [0, 1]
    reverse_kl: float | None  # PacGAN's reverse KL (high-quality histogram on the mixtures)
    budget: str  # their training budget as the paper states it


PACGAN = "Lin et al. 2018 (PacGAN), Table 1, mean of 10 trials"
PACGAN_STACKED = "Lin et al. 2018 (PacGAN), stacked MNIST (28x28 digits)"
VEEGAN = "Srivastava et al. 2017 (VEEGAN), Table 1"
R3GAN = "Huang et al. 2024 (R3GAN), stacked MNIST (28x28 digits)"
NOT_STATED = "not stated beside the table"

PUBLISHED: tuple[Published, ...] = (
    Published("ring8", "GAN", PACGAN, 6.3, 0.982, 0.45, NOT_STATED),
    Published("ring8", "PacGAN2", PACGAN, 7.9, 0.956, 0.07, NOT_STATED),
    Published("ring8", "VEEGAN", VEEGAN, 8.0, 0.529, None, NOT_STATED),
    Published("grid25", "GAN", PACGAN, 17.3, 0.948, 0.70, NOT_STATED),
    Published("grid25", "PacGAN4", PACGAN, 24.8, 0.936, 0.04, NOT_STATED),
    Published("grid25", "VEEGAN", VEEGAN, 24.6, 0.40, None, NOT_STATED),
    Published("stacked_digits", "PacDCGAN2", PACGAN_STACKED, 1000.0, None, 0.06, NOT_STATED),
    Published("stacked_digits", "RpGAN + R1 + R2", R3GAN, 1000.0, None, 0.08, NOT_STATED),
)
