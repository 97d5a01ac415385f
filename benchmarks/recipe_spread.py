"""Where G's samples that miss a mode lie: the distance of each sample to its nearest mode, in sigmas.

    python benchmarks/recipe_spread.py OUT.jsonl DATA STEPS SEED [section.field=value ...]

Trains ``recommended`` with its defaults for DATA's family (as `ganhacks train --data DATA` gets them)
for STEPS iterations with one torch thread, draws 10,000 samples of G at sampling seed 1 and appends
one JSON line to OUT.jsonl: the share of samples whose nearest mode lies 0-3, 3-4, 4-6, 6-10 and over 10
standard deviations away (0-3 is PacGAN's "high quality"), and, over the modes holding more than 20
high-quality samples, the mean spread of those samples (the mean of their per-axis standard deviations)
and the mean distance of their centre from the mode's, both in sigmas. A real sample lies within 3
sigma with probability 1 - exp(-4.5) = 0.989; its per-axis spread is 1 sigma. Samples far out (over 10
sigma) are mass between the modes; samples just past 3 sigma are modes drawn too wide or off-centre.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

from ganhacks.metrics.runs import generated
from ganhacks.train.presets import preset_config

sys.path.insert(0, str(Path(__file__).parent))

from recipe_explore import append_record, trained  # a sibling script: its training and JSON-lines output

BANDS = ((0, 3), (3, 4), (4, 6), (6, 10), (10, None))  # distance to the nearest mode, in sigmas


def spread(samples: torch.Tensor, centers: torch.Tensor, std: float) -> dict[str, float]:
    """The shares of ``samples`` per band of distance to the nearest of ``centers`` and the high-quality spread."""
    dist, nearest = torch.cdist(samples, centers).min(dim=1)
    r = dist / std
    out = {}
    for lo, hi in BANDS:
        inside = (r >= lo) & (r < hi) if hi is not None else r >= lo
        out[f"{lo}-{hi or 'inf'}_sigma"] = round(inside.float().mean().item(), 4)
    spreads, offsets = [], []
    for k in range(len(centers)):
        hq = samples[(nearest == k) & (r < 3)]
        if len(hq) > 20:
            spreads.append((hq.std(dim=0).mean() / std).item())
            offsets.append(((hq.mean(dim=0) - centers[k]).norm() / std).item())
    out["hq_spread_sigma"] = round(sum(spreads) / max(len(spreads), 1), 3)
    out["hq_offset_sigma"] = round(sum(offsets) / max(len(offsets), 1), 3)
    return out


def main(argv: list[str]) -> int:
    out, data, steps, seed, *overrides = argv
    trainer, cpu_s = trained(preset_config("recommended", data), data, steps, seed, overrides)
    record = {"data": data, "steps": int(steps), "seed": int(seed), "ov": overrides, "cpu_s": cpu_s}
    mix = trainer.dataset.mixture
    samples = generated(trainer, 10_000, seed=1)
    record.update(spread(samples, torch.as_tensor(mix.centers, dtype=samples.dtype), mix.std))
    append_record(out, record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
