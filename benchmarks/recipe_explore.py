"""One-seed exploration runs of issue 15 (what docs/EVIDENCE.md calls "exploration", before the suites).

    python benchmarks/recipe_explore.py OUT.jsonl NAME DATA STEPS SEED PRESET [section.field=value ...]

Trains PRESET on DATA (``recommended``: the preset's own overrides only, as the first exploration
ran before data-family defaults existed, so every field it varied is on the command line;
``recommended+family``: with its defaults for DATA's family, as `ganhacks train --data DATA` gets them)
for STEPS iterations with one torch thread, scores
2,500 samples of G with PacGAN's mixture definitions (`ganhacks.metrics.mixture_modes`) and appends
one JSON line to OUT.jsonl: modes covered, high-quality share, PacGAN's reverse KL and CPU seconds.
One seed is a lead, not evidence: every default it suggested was then measured over seeds by the
suites in benchmarks/evidence/.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import torch

from ganhacks.metrics.modes import mixture_modes
from ganhacks.metrics.runs import generated
from ganhacks.train.config import RunConfig, apply_overrides
from ganhacks.train.loop import Trainer
from ganhacks.train.presets import PRESETS, preset_config


def mixture_scores(trainer: Trainer) -> dict[str, float]:
    """PacGAN's mixture scores of 2,500 samples of ``trainer``'s G (its EMA when kept), at sampling seed 1."""
    mix = trainer.dataset.mixture
    return mixture_modes(generated(trainer, 2500, seed=1), mix.centers, mix.std)


def append_record(out: str, record: dict) -> None:
    """Append ``record`` to the JSON-lines file ``out`` and print it."""
    with Path(out).open("a") as f:
        f.write(json.dumps(record) + "\n")
    print(json.dumps(record))


def trained(base: RunConfig, data: str, steps: str, seed: str, overrides: list[str]) -> tuple[Trainer, float]:
    """``base`` trained on ``data`` for ``steps`` iterations at ``seed`` (monitor off, one torch thread), then
    ``overrides``; the trainer and the CPU seconds its set-up and training took."""
    torch.set_num_threads(1)
    fixed = [f"data.name={data}", f"train.steps={steps}", f"train.seed={seed}", "monitor.enabled=false"]
    config = apply_overrides(base, [*fixed, *overrides])
    start = time.process_time()
    trainer = Trainer(config)
    trainer.fit()
    return trainer, round(time.process_time() - start, 1)


def main(argv: list[str]) -> int:
    out, name, data, steps, seed, preset, *overrides = argv
    name_only, _, family = preset.partition("+")
    if family == "family":
        base = preset_config(name_only, data)
    else:
        base = apply_overrides(RunConfig(), list(PRESETS.get(preset).overrides))
    trainer, cpu_s = trained(base, data, steps, seed, overrides)
    record = {"name": name, "data": data, "steps": int(steps), "seed": int(seed), "preset": preset, "ov": overrides}
    record["cpu_s"] = cpu_s
    scores = mixture_scores(trainer)
    record.update(modes=int(scores["modes_covered"]), hq=scores["high_quality"], kl_hq=scores["reverse_kl_hq"])
    append_record(out, record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
