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

import sys
from pathlib import Path

import torch

from ganhacks.train.callbacks.base import Callback
from ganhacks.train.config import apply_overrides
from ganhacks.train.loop import Trainer
from ganhacks.train.presets import preset_config

sys.path.insert(0, str(Path(__file__).parent))

from recipe_explore import append_record, mixture_scores  # a sibling script: its scoring and output

EVERY = 250


class Trace(Callback):
    """Scores G every ``EVERY`` iterations (sampling forks the RNG, so the run itself is unchanged)."""

    def __init__(self) -> None:
        self.rows: list[list[float]] = []

    def on_step_end(self, trainer: Trainer, step: int, logs: dict) -> None:
        if step % EVERY == 0:
            s = mixture_scores(trainer)
            self.rows.append([step, round(s["high_quality"], 4), round(s["reverse_kl_hq"], 4), int(s["modes_covered"])])


def main(argv: list[str]) -> int:
    out, data, seed, *overrides = argv
    torch.set_num_threads(1)
    fixed = [f"data.name={data}", f"train.seed={seed}", "monitor.enabled=false"]
    config = apply_overrides(preset_config("recommended", data), [*fixed, *overrides])
    trace = Trace()
    Trainer(config, callbacks=[trace]).fit()
    append_record(out, {"data": data, "seed": int(seed), "ov": overrides, "trace": trace.rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
