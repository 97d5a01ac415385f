"""Speed of the ganhacks metric set, and agreement/speed against reference implementations.

Measures, on the same inputs:
  1. Tr((S1 S2)^(1/2)) for FID at 2048 dims: symmetric eigendecomposition (ours) vs scipy.linalg.sqrtm;
  2. the full metric set (fid, kid, is, pr, dc, ndb, modes) on N digit images (digits-CNN features,
     extraction included) and on N points of a 2-D 8-Gaussian ring (identity features);
  3. the references on the same features: torchmetrics FID / KID / IS and the ``prdc`` package.

Reproduce (2 CPU cores):
    taskset -c 0,1 python benchmarks/metrics_speed.py --threads 2 --n 10000
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import time

import numpy as np
import torch

from ganhacks.metrics import EvalConfig, evaluate, evaluate_features, load_digits_images
from ganhacks.metrics.extractors import extract, resolve_extractor
from ganhacks.metrics.fid import gaussian_moments, trace_sqrt_product

REPEATS = 3  # each timing is the best of this many runs (the machine may be shared)


def timed(fn, *args, repeats: int = 1, **kwargs):
    """(result, seconds) of a call: the fastest of ``repeats`` runs."""
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return out, best


def ring(n: int, modes: int, radius: float, std: float, gen: torch.Generator, keep: int | None = None) -> torch.Tensor:
    """n points of a ring of Gaussians; with ``keep`` only the first ``keep`` modes are sampled (mode dropping)."""
    angles = 2 * math.pi * torch.arange(modes) / modes
    centres = radius * torch.stack([angles.cos(), angles.sin()], 1)
    which = torch.randint(0, keep or modes, (n,), generator=gen)
    return centres[which] + std * torch.randn(n, 2, generator=gen), centres


def jittered_digits(n: int, noise: float, gen: torch.Generator) -> torch.Tensor:
    """n digit images drawn with replacement from the 1797 sklearn digits, plus clamped pixel noise."""
    x, _ = load_digits_images()
    idx = torch.randint(0, len(x), (n,), generator=gen)
    return (x[idx] + noise * torch.randn(n, 1, 8, 8, generator=gen)).clamp(-1, 1)


def bench_sqrtm(dim: int, gen: torch.Generator) -> dict:
    import scipy.linalg

    a = torch.randn(2 * dim, dim, generator=gen, dtype=torch.float64)
    b = torch.randn(2 * dim, dim, generator=gen, dtype=torch.float64) * 1.3 + 0.1 * a
    s1, s2 = gaussian_moments(a)[1], gaussian_moments(b)[1]
    ours, t_ours = timed(trace_sqrt_product, s1, s2, repeats=REPEATS)
    ref, t_ref = timed(lambda: np.trace(scipy.linalg.sqrtm(s1.numpy() @ s2.numpy())).real, repeats=REPEATS)
    return {
        "dim": dim,
        "eigh_s": t_ours,
        "scipy_sqrtm_s": t_ref,
        "speedup": t_ref / t_ours,
        "rel_diff": abs(float(ours) - ref) / abs(ref),
    }


def run_set(fake, real, metrics, cfg, **kwargs) -> dict:
    """End-to-end evaluate() time, feature-extraction time, and each metric's time on the features."""
    out, total = timed(evaluate, fake, real, metrics, config=cfg, repeats=REPEATS, **kwargs)
    ext = resolve_extractor("auto", fake)
    (f_fake, p_fake), t_fake = timed(extract, ext, fake, "fake", cfg.batch_size, repeats=REPEATS)
    (f_real, _), t_real = timed(extract, ext, real, "real", cfg.batch_size, repeats=REPEATS)
    per = {}
    for name in metrics:
        per[name] = timed(
            evaluate_features,
            f_fake,
            f_real,
            [name],
            fake_probs=p_fake,
            fake_samples=fake,
            config=cfg,
            repeats=REPEATS,
            **kwargs,
        )[1]
    return {
        "total_s": total,
        "extract_s": t_fake + t_real,
        "per_metric_s": per,
        "values": out["metrics"],
        "n_fake": out["n_fake"],
        "n_real": out["n_real"],
        "extractor": out["extractor"],
        "features": (f_fake, p_fake, f_real),
    }


def references(f_fake, f_real, p_fake, cfg: EvalConfig, ours: dict) -> dict:
    """Reference implementations on the same features, with timings and relative differences."""
    from prdc import compute_prdc
    from torchmetrics.image.fid import FrechetInceptionDistance
    from torchmetrics.image.inception import InceptionScore
    from torchmetrics.image.kid import KernelInceptionDistance

    class Same(torch.nn.Module):  # features in, features out
        def __init__(self, d: int) -> None:
            super().__init__()
            self.num_features = d

        def forward(self, x):
            return x

    out = {}
    d = f_fake.shape[1]

    def tm_fid():
        m = FrechetInceptionDistance(feature=Same(d))
        m.update(f_real, real=True)
        m.update(f_fake, real=False)
        return float(m.compute())

    def tm_kid():
        size = min(cfg.kid_subset_size, len(f_fake), len(f_real))
        m = KernelInceptionDistance(feature=Same(d), subsets=cfg.kid_subsets, subset_size=size)
        m.update(f_real, real=True)
        m.update(f_fake, real=False)
        return float(m.compute()[0])

    def scipy_fid():  # the closed form with numpy moments and scipy's sqrtm
        import scipy.linalg

        a, b = f_fake.numpy(), f_real.numpy()
        s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
        root = scipy.linalg.sqrtm(s1 @ s2).real
        return float(np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(s1 + s2 - 2 * root))

    val, t = timed(scipy_fid, repeats=REPEATS)
    out["scipy_fid"] = {"s": t, "value": val, "rel_diff": abs(val - ours["fid"]) / abs(val)}
    val, t = timed(tm_fid, repeats=REPEATS)
    out["torchmetrics_fid"] = {"s": t, "value": val, "rel_diff": abs(val - ours["fid"]) / abs(val)}
    val, t = timed(tm_kid, repeats=REPEATS)  # different random subsets: agreement only within the subset noise
    out["torchmetrics_kid"] = {"s": t, "value": val, "ours": ours["kid"]}
    if p_fake is not None:

        def tm_is():
            m = InceptionScore(feature=Same(p_fake.shape[1]), splits=cfg.is_splits)
            m.update(p_fake.log())  # softmax(log p) = p
            return float(m.compute()[0])

        val, t = timed(tm_is, repeats=REPEATS)  # random split order: agreement within the split noise
        out["torchmetrics_is"] = {"s": t, "value": val, "ours": ours["is"]}
    with contextlib.redirect_stdout(io.StringIO()):  # prdc prints the sample sizes
        ref, t = timed(compute_prdc, f_real.numpy(), f_fake.numpy(), cfg.k, repeats=REPEATS)
    out["prdc"] = {"s": t, "max_abs_diff": max(abs(float(ref[k]) - ours[k]) for k in ref)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="samples per set")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--sqrtm-dim", type=int, default=2048, help="covariance size of the sqrtm benchmark")
    parser.add_argument("--skip-reference", action="store_true", help="only time ganhacks")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(0)
    cfg = EvalConfig()
    results = {"n": args.n, "threads": args.threads, "torch": torch.__version__, "loadavg_start": os.getloadavg()}

    results["sqrtm"] = bench_sqrtm(args.sqrtm_dim, gen)
    print("sqrtm", json.dumps(results["sqrtm"]))

    real_img, fake_img = jittered_digits(args.n, 0.05, gen), jittered_digits(args.n, 0.3, gen)
    evaluate(real_img[:100], real_img[:100], ["fid"])  # warm-up: imports, weights file
    digits_metrics = ["fid", "kid", "is", "pr", "dc", "ndb", "modes"]
    results["digits"] = run_set(fake_img, real_img, digits_metrics, cfg)
    f_fake, p_fake, f_real = results["digits"].pop("features")
    print("digits", json.dumps(results["digits"]))

    real_pts, centres = ring(args.n, 8, 2.0, 0.02, gen)
    fake_pts, _ = ring(args.n, 8, 2.0, 0.05, gen, keep=6)
    mixture_metrics = ["fid", "kid", "pr", "dc", "ndb", "modes"]
    results["mixture"] = run_set(fake_pts, real_pts, mixture_metrics, cfg, mode_centers=centres, mode_std=0.02)
    results["mixture"].pop("features")
    print("mixture", json.dumps(results["mixture"]))

    if not args.skip_reference:
        results["reference_digits"] = references(f_fake, f_real, p_fake, cfg, results["digits"]["values"])
        print("reference_digits", json.dumps(results["reference_digits"]))
        results["reference_mixture"] = references(
            fake_pts.double(), real_pts.double(), None, cfg, results["mixture"]["values"]
        )
        print("reference_mixture", json.dumps(results["reference_mixture"]))
    results["loadavg_end"] = os.getloadavg()  # > threads means the timings shared the CPU with other work
    print("loadavg", results["loadavg_start"], results["loadavg_end"])
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=2)


if __name__ == "__main__":
    main()
