"""Train-step cost of `recommended` against `vanilla` on the same networks (issue 15's cost bar).

    python benchmarks/recipe_cost.py --pairs 5 --out docs/evidence/recipe_cost.json

For each data family, both presets are given the same networks, batch and data (the networks of
`recommended` for that family), then trained for a short block in one process with one torch
thread, alternating vanilla / recommended blocks so drifts in machine load hit both. The figure is
CPU seconds per sample (process time, which other processes on the machine do not inflate), as
the median over pairs of the per-pair ratio recommended / vanilla, with the range over pairs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch

from ganhacks.train.config import apply_overrides
from ganhacks.train.loop import Trainer
from ganhacks.train.presets import preset_config

QUIET = ["monitor.enabled=false", "train.sample_every=0", "train.checkpoint_every=0", "train.log_every=1000000"]
# the networks, batch and data of recommended, given to vanilla too (fields that define the networks)
SAME = {
    "ring8": ["model.g_width", "model.d_width", "model.g_depth", "model.depth", "model.z_dim", "train.batch_size"],
    "digits": ["model.g_width", "model.d_width", "model.z_dim", "train.batch_size"],
}


def value(config, key: str) -> str:
    section, field = key.split(".")
    return str(getattr(getattr(config, section), field))


def cpu_per_sample(preset: str, data: str, steps: int, same: list[str]) -> float:
    """CPU seconds per generated sample of ``steps`` training iterations of ``preset`` on ``data``."""
    rec = preset_config("recommended", data)
    shared = [f"{k}={value(rec, k)}" for k in same]
    config = apply_overrides(preset_config(preset, data), [*shared, f"train.steps={steps}", *QUIET])
    trainer = Trainer(config)
    start = time.process_time()
    trainer.fit()
    return (time.process_time() - start) / (steps * config.train.batch_size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5, help="alternating vanilla/recommended pairs per data set")
    parser.add_argument("--out", default="docs/evidence/recipe_cost.json")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    steps = {"ring8": 300, "digits": 60}
    out = {"command": f"python benchmarks/recipe_cost.py --pairs {args.pairs} --out {args.out}", "data": {}}
    for data, n in steps.items():
        ratios, van, rec = [], [], []
        for _ in range(args.pairs):
            v = cpu_per_sample("vanilla", data, n, SAME[data])
            r = cpu_per_sample("recommended", data, n, SAME[data])
            van.append(v)
            rec.append(r)
            ratios.append(r / v)
        out["data"][data] = {
            "steps": n,
            "same_fields": SAME[data],
            "vanilla_cpu_ms_per_sample": [round(1e3 * x, 4) for x in van],
            "recommended_cpu_ms_per_sample": [round(1e3 * x, 4) for x in rec],
            "ratio_median": round(statistics.median(ratios), 3),
            "ratio_min": round(min(ratios), 3),
            "ratio_max": round(max(ratios), 3),
        }
        print(data, out["data"][data]["ratio_median"], out["data"][data]["ratio_min"], out["data"][data]["ratio_max"])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
