"""The statistics of the evidence on synthetic data with known answers."""

import math

import numpy as np
import pytest

from ganhacks.bench.stats import (
    MIN_SEEDS,
    bootstrap_ci,
    combine,
    expanded_alpha,
    paired,
    summary,
    verdict,
    wilson_ci,
)


def test_constant_and_tiny_samples():
    assert bootstrap_ci([3.0] * 8) == (3.0, 3.0)
    assert bootstrap_ci([1.5]) == (1.5, 1.5)
    lo, hi = bootstrap_ci([])
    assert math.isnan(lo) and math.isnan(hi)


def test_large_sample_interval_matches_the_normal_theory():
    rng = np.random.default_rng(0)
    x = rng.normal(5.0, 2.0, size=400)
    lo, hi = bootstrap_ci(x)
    half = 1.96 * x.std(ddof=1) / math.sqrt(len(x))  # at n = 400 the expansion is negligible
    assert lo == pytest.approx(x.mean() - half, abs=0.08 * half)
    assert hi == pytest.approx(x.mean() + half, abs=0.08 * half)


def test_expanded_interval_matches_a_t_interval_width_at_small_n():
    # Hesterberg's expansion: at n = 10 the tails sit at alpha'/2 with alpha' = 2 Phi(-sqrt(10/9) t_.975,9)
    assert expanded_alpha(10) == pytest.approx(0.0171, abs=1e-4)
    assert expanded_alpha(1000) == pytest.approx(0.05, abs=2e-3)
    rng = np.random.default_rng(1)
    widths_t, widths_b = [], []
    for _ in range(40):
        x = rng.normal(0, 1, size=10)
        lo, hi = bootstrap_ci(x, n_boot=4000, seed=int(rng.integers(1e9)))
        widths_b.append(hi - lo)
        widths_t.append(2 * 2.262 * x.std(ddof=1) / math.sqrt(10))
    assert np.mean(widths_b) == pytest.approx(np.mean(widths_t), rel=0.12)


def test_coverage_of_the_true_mean_is_near_95_percent():
    rng = np.random.default_rng(2)
    hits = 0
    reps = 300
    for i in range(reps):
        x = rng.normal(1.0, 1.0, size=10)
        lo, hi = bootstrap_ci(x, n_boot=2000, seed=i)
        hits += lo <= 1.0 <= hi
    assert 0.91 <= hits / reps <= 0.99
    # the plain percentile interval is known to be too narrow at n = 10: it covers less often
    plain = sum(
        lo <= 1.0 <= hi
        for i in range(reps)
        for lo, hi in [bootstrap_ci(np.random.default_rng(100 + i).normal(1.0, 1.0, 10), n_boot=2000, expand=False)]
    )
    assert plain < hits


def test_verdict_rules():
    assert verdict(0.1, 0.5, 1, 10) == "helps"
    assert verdict(0.1, 0.5, -1, 10) == "hurts"  # lower is better: a positive difference hurts
    assert verdict(-0.5, -0.1, -1, 10) == "helps"
    assert verdict(-0.1, 0.5, 1, 10) == "no measurable effect"
    assert verdict(0.1, 0.5, 1, MIN_SEEDS - 1) == "too few seeds"
    assert verdict(0.1, 0.5, 0, 10) == "no better side"


def test_paired_difference_finds_a_known_shift():
    rng = np.random.default_rng(3)
    seed_effect = rng.normal(0, 5, size=10)  # large seed-to-seed spread, shared by both variants
    base = {s: 10 + seed_effect[s] + rng.normal(0, 0.1) for s in range(10)}
    better = {s: 10.5 + seed_effect[s] + rng.normal(0, 0.1) for s in range(10)}
    out = paired(better, base, sign=1)
    assert out["n"] == 10 and out["mean"] == pytest.approx(0.5, abs=0.1)
    assert out["lo"] > 0 and out["verdict"] == "helps"
    # unpaired, the same shift disappears in the seed spread
    lo, hi = bootstrap_ci(list(better.values()))
    blo, bhi = bootstrap_ci(list(base.values()))
    assert lo < bhi  # the two intervals overlap
    assert paired(better, base, sign=-1)["verdict"] == "hurts"


def test_paired_uses_only_common_finite_seeds():
    out = paired({0: 1.0, 1: 2.0, 2: math.nan, 3: 5.0}, {0: 0.0, 1: 1.0, 2: 1.0, 9: 1.0}, sign=1)
    assert out["n"] == 2 and out["mean"] == 1.0 and out["seeds"] == [0, 1, 2]
    assert out["verdict"] == "too few seeds"


def test_null_effect_is_rarely_called():
    rng = np.random.default_rng(4)
    calls = 0
    reps = 300
    for i in range(reps):
        a = {s: rng.normal() for s in range(10)}
        b = {s: rng.normal() for s in range(10)}
        calls += paired(a, b, sign=1, seed=i)["verdict"] in ("helps", "hurts")
    assert calls / reps <= 0.08  # nominal 5 %


def test_wilson_interval_known_values():
    lo, hi = wilson_ci(0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=1e-4)
    lo, hi = wilson_ci(5, 10)
    assert lo == pytest.approx(0.2366, abs=1e-4) and hi == pytest.approx(0.7634, abs=1e-4)
    assert all(math.isnan(v) for v in wilson_ci(0, 0))


def test_summary_and_combine():
    s = summary([1.0, 2.0, 3.0])
    assert s["n"] == 3 and s["mean"] == 2.0 and s["lo"] <= 2.0 <= s["hi"]
    assert combine(["helps", "no measurable effect"]) == "helps"
    assert combine(["hurts", "too few seeds"]) == "hurts"
    assert combine(["helps", "hurts"]) == "mixed"
    assert combine(["no measurable effect", "too few seeds"]) == "no measurable effect"
    assert combine(["too few seeds"]) == "too few seeds"
