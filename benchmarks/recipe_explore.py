"""One-seed exploration runs of issue 15 (what docs/EVIDENCE.md calls "exploration", before the suites).

    python benchmarks/recipe_explore.py OUT.jsonl NAME DATA STEPS SEED PRESET [section.field=value ...]

Trains PRESET on DATA (``recommended``: the preset's own overrides only, as the first exploration
ran before data-family defaults existed, so every field it varied is on the command line;
``recommended+family``: with its defaults for DATA's family, as `ganhacks train --data DATA` gets them)
for STEPS iterations with one torch thread, scores
2,500 samples of G with PacGAN's mixture definitions (`ganhacks.metrics.mixture_modes`) and appends
one JSON line to OUT.jsonl: modes covered, high-quality share, PacGAN's reverse KL and CPU seconds.
On an image benchmark (``digits``, ``stacked_digits``) it appends the bench's own scores of the run
instead (``ganhacks.bench.benchmarks``), and on the stacked digits also each channel's digit counts
and reverse KL, with the joint reverse KL of that second set of samples.
One seed is a lead, not evidence: every default it suggested was then measured over seeds by the
suites in benchmarks/evidence/.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import torch

from ganhacks.bench.benchmarks import get_benchmark
from ganhacks.metrics.modes import digit_labels, mixture_modes, reverse_kl_uniform, stacked_mode_ids
from ganhacks.metrics.runs import generated
from ganhacks.train.config import RunConfig, apply_overrides
from ganhacks.train.loop import Trainer
from ganhacks.train.presets import PRESETS, preset_config


def mixture_scores(trainer: Trainer) -> dict[str, float]:
    """PacGAN's mixture scores of 2,500 samples of ``trainer``'s G (its EMA when kept), at sampling seed 1."""
    mix = trainer.dataset.mixture
    return mixture_modes(generated(trainer, 2500, seed=1), mix.centers, mix.std)


def image_scores(trainer: Trainer, data: str, seed: int) -> dict:
    """The bench's scores of image benchmark ``data`` for ``trainer``'s G (its samples at sampling seed
    ``seed``, as a bench job scores them); on the stacked digits also, from a second set of as many
    samples (sampling seed 1), each channel's digit counts and reverse KL and the joint reverse KL."""
    bench = get_benchmark(data)
    out = {k: round(v, 4) for k, v in bench.score(trainer, bench.eval_n, seed).items()}
    if data == "stacked_digits":
        labels = digit_labels(generated(trainer, bench.eval_n, seed=1))  # (N, 3): one digit per channel
        joint = torch.bincount(stacked_mode_ids(labels), minlength=10 ** labels.shape[1])
        counts = [torch.bincount(labels[:, c], minlength=10) for c in range(labels.shape[1])]
        out["kl_s1"] = round(reverse_kl_uniform(joint.double()), 4)
        out["kl_ch"] = [round(reverse_kl_uniform(c.double()), 4) for c in counts]
        out["digit_counts"] = [c.tolist() for c in counts]
    return out


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
    if trainer.dataset.mixture is None:  # an image benchmark: the bench's scores
        record.update(image_scores(trainer, data, int(seed)))
    else:
        scores = mixture_scores(trainer)
        record.update(modes=int(scores["modes_covered"]), hq=scores["high_quality"], kl_hq=scores["reverse_kl_hq"])
    append_record(out, record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
