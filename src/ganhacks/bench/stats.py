"""The statistics of the evidence: bootstrap intervals, paired differences over seeds, verdicts, and
failure rates. Pure functions of numbers; nothing here knows about GANs.

* :func:`bootstrap_ci` — a 95 % bootstrap interval of a mean. Plain percentile intervals are too
  narrow for few samples, so this is Hesterberg's *expanded* percentile interval (2015): the tail
  probability is shrunk so that the interval is as wide as a t interval would be at that n
  (alpha' / 2 = Phi(-sqrt(n / (n - 1)) t_{alpha/2, n-1})), then the bootstrap quantiles are read there.
* :func:`paired` — the mean difference variant - baseline over the seeds both ran, with its interval.
* :func:`verdict` — "helps" / "hurts" only when the interval excludes zero, "no measurable effect"
  when it does not, and "too few seeds" below :data:`MIN_SEEDS` pairs: with n pairs, a difference
  of no effect has all n signs alike with probability 2 / 2^n, and any bootstrap interval of such
  a sample excludes zero, so fewer than 6 pairs cannot hold a 5 % error rate.
* :func:`wilson_ci` — the Wilson score interval of a failure rate (a bootstrap of 0 failures in 10
  would claim [0, 0]).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
from scipy.special import stdtrit  # the t distribution's quantile (scipy.stats would cost a second to import)

LEVEL = 0.95  # confidence level of every interval
N_BOOT = 10_000  # bootstrap resamples
MIN_SEEDS = 6  # fewest pairs a verdict needs (2 / 2^6 = 3 % < 5 %)
VERDICTS = ("helps", "hurts", "no measurable effect", "too few seeds", "no better side")


def expanded_alpha(n: int, level: float = LEVEL) -> float:
    """The tail probability of Hesterberg's expanded percentile interval for ``n`` samples.

    Example:
        >>> round(expanded_alpha(10), 4)
        0.0171
    """
    alpha = 1.0 - level
    if n < 2:
        return alpha
    z = math.sqrt(n / (n - 1)) * float(stdtrit(n - 1, 1 - alpha / 2))
    return 2 * (1 - NormalDist().cdf(z))


def bootstrap_ci(
    values: Sequence[float], level: float = LEVEL, n_boot: int = N_BOOT, seed: int = 0, expand: bool = True
) -> tuple[float, float]:
    """A bootstrap interval of the mean of ``values`` (expanded percentile; plain percentile with ``expand=False``).

    Returns ``(nan, nan)`` for no values and ``(x, x)`` for one.

    Example:
        >>> bootstrap_ci([2.0, 2.0, 2.0])
        (2.0, 2.0)
    """
    x = np.asarray(values, dtype=np.float64)
    n = len(x)
    if n == 0:
        return (math.nan, math.nan)
    if n == 1 or np.all(x == x[0]):
        return (float(x[0]), float(x[0]))
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, n, size=(n_boot, n))].mean(axis=1)
    alpha = expanded_alpha(n, level) if expand else 1.0 - level
    lo, hi = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    return (float(lo), float(hi))


def summary(values: Sequence[float], seed: int = 0) -> dict[str, float]:
    """``{"n", "mean", "lo", "hi", "min", "max"}`` of ``values`` (the interval is :func:`bootstrap_ci`)."""
    x = [float(v) for v in values]
    lo, hi = bootstrap_ci(x, seed=seed)
    if not x:
        return {"n": 0, "mean": math.nan, "lo": lo, "hi": hi, "min": math.nan, "max": math.nan}
    return {"n": len(x), "mean": float(np.mean(x)), "lo": lo, "hi": hi, "min": min(x), "max": max(x)}


def verdict(lo: float, hi: float, sign: int, n: int, min_seeds: int = MIN_SEEDS) -> str:
    """What an interval of ``variant - baseline`` supports, for a metric where ``sign`` = +1 means higher is better.

    Example:
        >>> verdict(0.1, 0.3, sign=1, n=10), verdict(0.1, 0.3, sign=-1, n=10), verdict(-0.1, 0.3, 1, 10)
        ('helps', 'hurts', 'no measurable effect')
    """
    if n < min_seeds:
        return "too few seeds"
    if sign == 0:
        return "no better side"
    if lo > 0:
        return "helps" if sign > 0 else "hurts"
    if hi < 0:
        return "hurts" if sign > 0 else "helps"
    return "no measurable effect"


def paired(
    variant: dict[int, float], baseline: dict[int, float], sign: int, seed: int = 0, min_seeds: int = MIN_SEEDS
) -> dict[str, object]:
    """The paired difference ``variant - baseline`` over the seeds both have, with its interval and verdict.

    Args:
        variant: seed -> value of the variant.
        baseline: seed -> value of its baseline.
        sign: +1 when higher is better, -1 when lower is, 0 when neither.
        seed: seed of the bootstrap.
        min_seeds: fewest pairs a verdict needs.

    Returns:
        ``{"n", "mean", "lo", "hi", "verdict", "seeds"}``.
    """
    seeds = sorted(set(variant) & set(baseline))
    diffs = [variant[s] - baseline[s] for s in seeds if math.isfinite(variant[s]) and math.isfinite(baseline[s])]
    lo, hi = bootstrap_ci(diffs, seed=seed)
    return {
        "n": len(diffs),
        "mean": float(np.mean(diffs)) if diffs else math.nan,
        "lo": lo,
        "hi": hi,
        "verdict": verdict(lo, hi, sign, len(diffs), min_seeds) if diffs else "too few seeds",
        "seeds": seeds,
    }


def wilson_ci(failures: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``failures / n`` (``(nan, nan)`` when n = 0).

    Example:
        >>> [round(v, 4) for v in wilson_ci(0, 10)]
        [0.0, 0.2775]
    """
    if n == 0:
        return (math.nan, math.nan)
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    p = failures / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo = 0.0 if failures == 0 else max(0.0, centre - half)  # exact ends where rounding would leave 1e-17
    hi = 1.0 if failures == n else min(1.0, centre + half)
    return (lo, hi)


def combine(verdicts: Sequence[str]) -> str:
    """One verdict from several (e.g. the primary metric's and the failure rate's): "helps" when some
    help and none hurt, "hurts" the other way round, "mixed" when both, else the most telling of the rest.

    Example:
        >>> combine(["helps", "no measurable effect"]), combine(["helps", "hurts"])
        ('helps', 'mixed')
    """
    has = set(verdicts)
    if "helps" in has and "hurts" in has:
        return "mixed"
    for v in ("helps", "hurts", "no measurable effect", "too few seeds"):
        if v in has:
            return v
    return "no measurable effect"
