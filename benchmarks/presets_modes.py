"""Modes covered and high-quality samples on the 2-D mixtures: `vanilla` vs `recommended`.

Same step budget for both presets, several seeds each. A sample is high quality when it lies
within 3 std of its nearest mode (PacGAN/VEEGAN definition); a mode is covered when it has at
least one high-quality sample; 2500 samples are drawn from G (from its EMA when the preset keeps one).

    python benchmarks/presets_modes.py --seeds 10 --steps 3000 --out docs/presets_modes.json

Writes a JSON of every run and prints a markdown table (mean ± std over seeds).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch

from ganhacks.metrics.modes import mixture_modes
from ganhacks.train import Trainer, apply_overrides, preset_config


def run_one(preset: str, data: str, seed: int, steps: int) -> dict:
    config = apply_overrides(preset_config(preset), [f"data.name={data}", f"train.seed={seed}", f"train.steps={steps}"])
    trainer = Trainer(config)
    t0 = time.perf_counter()
    trainer.fit()
    seconds = time.perf_counter() - t0
    mixture = trainer.dataset.mixture
    points = mixture.from_unit(trainer.sample(2500, torch.Generator().manual_seed(10_000 + seed)))
    result = mixture_modes(points, mixture.centers, mixture.std)
    return {"preset": preset, "data": data, "seed": seed, "steps": steps, "seconds": round(seconds, 1), **result}


def summarise(rows: list[dict]) -> str:
    lines = ["| data | preset | modes covered | high-quality % | reverse KL | s/run |", "|---|---|---|---|---|---|"]
    keys = sorted({(r["data"], r["preset"]) for r in rows})
    for data, preset in keys:
        rs = [r for r in rows if r["data"] == data and r["preset"] == preset]

        def ms(key, scale=1.0, rs=rs):
            vals = [scale * r[key] for r in rs]
            sd = statistics.stdev(vals) if len(vals) > 1 else 0.0
            return f"{statistics.mean(vals):.2f} ± {sd:.2f}"

        total = int(rs[0]["modes_total"])
        lines.append(
            f"| {data} | {preset} | {ms('modes_covered')} / {total} | {ms('high_quality', 100)} | "
            f"{ms('mode_reverse_kl')} | {statistics.mean(r['seconds'] for r in rs):.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--data", default="ring8,grid25")
    parser.add_argument("--presets", default="vanilla,recommended")
    parser.add_argument("--out", default="docs/presets_modes.json")
    args = parser.parse_args()
    rows = []
    for data in args.data.split(","):
        for seed in range(args.seeds):
            for preset in args.presets.split(","):
                rows.append(run_one(preset, data, seed, args.steps))
                print(json.dumps(rows[-1]), flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(rows, indent=1) + "\n")
    print(summarise(rows))


if __name__ == "__main__":
    main()
