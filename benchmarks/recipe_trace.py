"""One seed of `recommended` on a 2-D mixture, scored every 250 steps (how a run gets to its final numbers).

    python benchmarks/recipe_trace.py OUT.jsonl DATA SEED [section.field=value ...]

Trains ``recommended`` with its defaults for DATA's family (as `ganhacks train --data DATA` gets them,
plus the overrides) with one torch thread and the monitor off, scores 2,500 samples of G (its EMA when
kept) with PacGAN's mixture definitions every 250 iterations, and appends one JSON line to OUT.jsonl:
``trace`` lists ``[step, high-quality share, reverse KL of the high-quality samples, modes covered]``.
A diagnosis of one seed, not evidence: the hold lead of docs/EVIDENCE.md used it to see where a run's
final numbers come from.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch

from ganhacks.metrics.modes import mixture_modes
from ganhacks.metrics.runs import generated
from ganhacks.train.callbacks.base import Callback
from ganhacks.train.config import apply_overrides
from ganhacks.train.loop import Trainer
from ganhacks.train.presets import preset_config

EVERY = 250


class Trace(Callback):
    """Scores G every ``EVERY`` iterations (sampling forks the RNG, so the run itself is unchanged)."""

    def __init__(self) -> None:
        self.rows: list[list[float]] = []

    def on_step_end(self, trainer: Trainer, step: int, logs: dict) -> None:
        if step % EVERY == 0:
            mix = trainer.dataset.mixture
            s = mixture_modes(generated(trainer, 2500, seed=1), mix.centers, mix.std)
            self.rows.append([step, round(s["high_quality"], 4), round(s["reverse_kl_hq"], 4), int(s["modes_covered"])])


def main(argv: list[str]) -> int:
    out, data, seed, *overrides = argv
    torch.set_num_threads(1)
    fixed = [f"data.name={data}", f"train.seed={seed}", "monitor.enabled=false"]
    config = apply_overrides(preset_config("recommended", data), [*fixed, *overrides])
    trace = Trace()
    Trainer(config, callbacks=[trace]).fit()
    record = {"data": data, "seed": int(seed), "ov": overrides, "trace": trace.rows}
    with Path(out).open("a") as f:
        f.write(json.dumps(record) + "\n")
    print(json.dumps(record))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
