"""``evaluate``: the metric set on two sample sets, chosen by name from a registry.

This is the single entry point of the CLI (``ganhacks eval``) and of anything that has samples as
tensors (a training run folder, a notebook). It extracts features once and runs each requested
metric on them; the result names the extractor and both sample sizes, because FID (and to a
lesser degree the k-NN metrics) is only comparable between runs at equal n with the same extractor.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from ganhacks.errors import UserError
from ganhacks.metrics.checks import check_features, check_same_dim
from ganhacks.metrics.extractors import Extractor, extract, is_image_batch, resolve_extractor
from ganhacks.metrics.fid import fid
from ganhacks.metrics.inception_score import inception_score
from ganhacks.metrics.kid import kid
from ganhacks.metrics.manifold import manifold_metrics
from ganhacks.metrics.modes import histogram_metrics, mixture_modes
from ganhacks.metrics.ndb import ndb
from ganhacks.registry import Registry


@dataclass(frozen=True)
class EvalConfig:
    """Settings of the metric set (defaults follow each metric's paper)."""

    k: int = 5  # neighbour rank of the k-NN balls for precision/recall/density/coverage (Naeem et al.)
    kid_subsets: int = 100  # random subsets averaged by KID (Bińkowski et al.)
    kid_subset_size: int = 1000  # rows per KID subset; lowered to the smaller set's size if needed
    kid_degree: int = 3  # degree of KID's polynomial kernel
    is_splits: int = 10  # chunks the Inception Score is averaged over (Salimans et al.)
    ndb_bins: int = 100  # k-means bins of NDB (Richardson & Weiss)
    ndb_alpha: float = 0.05  # significance level of each NDB bin test
    mode_threshold: float = 3.0  # high-quality radius around a mode, in standard deviations (VEEGAN)
    mode_min_count: int = 1  # high-quality samples a mode needs to count as covered
    batch_size: int = 1000  # samples per feature-extraction batch
    seed: int = 0  # seeds KID's subsets and NDB's k-means

    def __post_init__(self) -> None:
        # the other settings are checked by the metric that reads them; this one by no metric, and
        # torch's split would fail with its own words after the samples were generated
        if self.batch_size < 1:
            raise UserError(f"batch_size must be >= 1 (samples per feature-extraction batch); got {self.batch_size}")


@dataclass
class MetricInputs:
    """What a metric may read: features of both sets, fake class probabilities, raw fake samples, modes."""

    fake: torch.Tensor  # (N_f, D) float64 features of generated samples
    real: torch.Tensor  # (N_r, D) float64 features of real samples
    fake_probs: torch.Tensor | None  # (N_f, K) class probabilities, when the extractor has a classifier
    fake_samples: torch.Tensor  # the generated samples as given (points for mixture modes)
    mode_centers: torch.Tensor | None  # (M, D) known mixture centres, for "modes" on points
    mode_std: float | torch.Tensor | None  # their standard deviation
    cache: dict = field(default_factory=dict)  # shared intermediate results (PR and DC share k-NN work)


MetricFn = Callable[[MetricInputs, EvalConfig], dict[str, float]]
METRICS: Registry[MetricFn] = Registry("metric")


@METRICS.register("fid")
def _fid(m: MetricInputs, cfg: EvalConfig) -> dict[str, float]:
    return {"fid": fid(m.fake, m.real)}


@METRICS.register("kid")
def _kid(m: MetricInputs, cfg: EvalConfig) -> dict[str, float]:
    mean, std = kid(m.fake, m.real, cfg.kid_subsets, cfg.kid_subset_size, cfg.kid_degree, cfg.seed)
    return {"kid": mean, "kid_std": std}


def _probs(m: MetricInputs, metric: str) -> torch.Tensor:
    if m.fake_probs is None:
        raise UserError(
            f"metric '{metric}' needs class probabilities, which this extractor does not give; "
            "use the digits or inception extractor, or a module returning (features, logits)"
        )
    return m.fake_probs


@METRICS.register("is")
def _is(m: MetricInputs, cfg: EvalConfig) -> dict[str, float]:
    mean, std = inception_score(_probs(m, "is"), cfg.is_splits)
    return {"is": mean, "is_std": std}


def _manifold(m: MetricInputs, cfg: EvalConfig) -> dict[str, float]:
    if "manifold" not in m.cache:
        m.cache["manifold"] = manifold_metrics(m.fake, m.real, cfg.k)
    return m.cache["manifold"]


@METRICS.register("pr")
def _pr(m: MetricInputs, cfg: EvalConfig) -> dict[str, float]:
    out = _manifold(m, cfg)
    return {key: out[key] for key in ("precision", "recall", "f1")}


@METRICS.register("dc")
def _dc(m: MetricInputs, cfg: EvalConfig) -> dict[str, float]:
    out = _manifold(m, cfg)
    return {key: out[key] for key in ("density", "coverage")}


@METRICS.register("ndb")
def _ndb(m: MetricInputs, cfg: EvalConfig) -> dict[str, float]:
    return ndb(m.fake, m.real, cfg.ndb_bins, cfg.ndb_alpha, cfg.seed)


@METRICS.register("modes")
def _modes(m: MetricInputs, cfg: EvalConfig) -> dict[str, float]:
    if is_image_batch(m.fake_samples):  # classes of the extractor (10^C digit tuples for stacked digits)
        probs = _probs(m, "modes")
        return histogram_metrics(probs.argmax(1), probs.shape[1], cfg.mode_min_count)
    if m.mode_centers is None or m.mode_std is None:
        raise UserError("metric 'modes' on points needs the mixture's mode centres and std (mode_centers=, mode_std=)")
    return mixture_modes(m.fake_samples, m.mode_centers, m.mode_std, cfg.mode_threshold, cfg.mode_min_count)


DEFAULT_METRICS = ("fid", "kid", "pr", "dc")  # meaningful for any extractor


def parse_metrics(metrics: str | Sequence[str]) -> list[str]:
    """Validate metric names (a list or a comma-separated string) against the registry; order kept, repeats dropped."""
    names = [s.strip() for s in metrics.split(",")] if isinstance(metrics, str) else list(metrics)
    names = [n for n in names if n]
    if not names:
        raise UserError(f"no metrics requested; choose from {', '.join(METRICS.names())}")
    for n in names:
        METRICS.get(n)  # raises with did-you-mean
    return list(dict.fromkeys(names))


def evaluate_features(
    fake: torch.Tensor,
    real: torch.Tensor,
    metrics: str | Sequence[str] = DEFAULT_METRICS,
    *,
    fake_probs: torch.Tensor | None = None,
    fake_samples: torch.Tensor | None = None,
    mode_centers: torch.Tensor | None = None,
    mode_std: float | torch.Tensor | None = None,
    config: EvalConfig = EvalConfig(),
) -> dict[str, float]:
    """Run the named metrics on precomputed features; returns one flat dict of metric values.

    Args:
        fake: features of generated samples (N_f, D).
        real: features of real samples (N_r, D).
        metrics: names from :data:`METRICS` (``fid, kid, is, pr, dc, ndb, modes``).
        fake_probs: class probabilities (N_f, K) for ``is`` and image ``modes``.
        fake_samples: the raw generated samples (``modes`` on points); defaults to ``fake``.
        mode_centers: known mixture centres (M, D) for ``modes`` on points.
        mode_std: their standard deviation (one number or (M,)).
        config: metric settings.
    """
    names = parse_metrics(metrics)
    fake, real = check_features("fake features", fake), check_features("real features", real)
    check_same_dim(fake, real)
    centres = None if mode_centers is None else torch.as_tensor(mode_centers, dtype=torch.float64)
    inputs = MetricInputs(fake, real, fake_probs, fake if fake_samples is None else fake_samples, centres, mode_std)
    values: dict[str, float] = {}
    for name in names:
        values.update(METRICS.get(name)(inputs, config))
    return values


def evaluate(
    fake: torch.Tensor,
    real: torch.Tensor,
    metrics: str | Sequence[str] = DEFAULT_METRICS,
    extractor: str | nn.Module | Extractor = "auto",
    *,
    mode_centers: torch.Tensor | None = None,
    mode_std: float | torch.Tensor | None = None,
    config: EvalConfig = EvalConfig(),
    device: str = "cpu",
    extractor_weights: str | None = None,
) -> dict:
    """Measure generated samples against real ones (quality, diversity, mode coverage; tip T10's
    "is it collapsing?" made into numbers).

    Args:
        fake: generated samples: images (N, C, H, W) in [-1, 1] or points / feature rows (N, D).
        real: real samples of the same kind.
        metrics: names from :data:`METRICS` (``fid, kid, is, pr, dc, ndb, modes``), list or "a,b,c".
        extractor: "auto" (identity for points, digits CNN for small images, Inception otherwise),
            "digits", "inception", "identity", any ``nn.Module``, or an :class:`Extractor`.
        mode_centers: known mixture centres (M, D), for ``modes`` on points.
        mode_std: the mixture's standard deviation (one number or (M,)).
        config: metric settings.
        device: where feature extraction runs ("cpu", "cuda").
        extractor_weights: weights file for a named extractor (digits or inception).

    Returns:
        ``{"metrics": {name: value}, "n_fake", "n_real", "extractor", "feature_dim", "config", "seconds"}``.

    Example:
        >>> import torch
        >>> out = evaluate(torch.randn(200, 2), torch.randn(200, 2), ["fid", "pr"])
        >>> sorted(out["metrics"])
        ['f1', 'fid', 'precision', 'recall']
    """
    start = time.perf_counter()
    names = parse_metrics(metrics)
    fake, real = torch.as_tensor(fake), torch.as_tensor(real)
    for which, x in (("fake", fake), ("real", real)):
        if len(x) == 0:
            raise UserError(f"no {which} samples given")
    if fake.ndim != real.ndim:
        raise UserError(
            f"fake samples have shape {tuple(fake.shape)} but real have {tuple(real.shape)}; "
            "give both as images or both as points"
        )
    if fake.ndim == 4 and fake.shape[1] != real.shape[1]:
        raise UserError(
            f"fake images have {fake.shape[1]} channels but real images have {real.shape[1]}; they must match"
        )
    kwargs = {"weights": extractor_weights} if extractor_weights else {}
    ext = resolve_extractor(extractor, fake, **kwargs)
    f_fake, p_fake = extract(ext, fake, "fake", config.batch_size, device)
    f_real, _ = extract(ext, real, "real", config.batch_size, device)
    values = evaluate_features(
        f_fake,
        f_real,
        names,
        fake_probs=p_fake,
        fake_samples=fake,
        mode_centers=mode_centers,
        mode_std=mode_std,
        config=config,
    )
    return {
        "metrics": values,
        "n_fake": len(fake),
        "n_real": len(real),
        "extractor": ext.name,
        "feature_dim": f_fake.shape[1],
        "config": asdict(config),
        "seconds": round(time.perf_counter() - start, 3),
    }
