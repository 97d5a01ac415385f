"""Cost of the monitor per training step at default settings (target: at most 2% of step time).

Two measurements on the reference Trainer (CPU):
  * direct: the time spent inside the monitor (its on_step_end, including the fixed-z diversity
    every `diversity_every` steps, and its optimiser hooks) divided by the total step time;
  * A/B: wall-clock per step with and without the monitor, runs interleaved, median of repeats
    (noisier: other processes on the machine move it by more than the monitor costs).

    python benchmarks/monitor_overhead.py --steps 400 --repeats 5
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from ganhacks.train.callbacks import MonitorCallback
from ganhacks.train.config import apply_overrides
from ganhacks.train.loop import Trainer
from ganhacks.train.presets import preset_config

SETUPS = {
    "digits DCGAN (recommended)": ["data.name=digits"],
    "ring8 MLP (recommended)": ["data.name=ring8"],
}


class TimedMonitor(MonitorCallback):
    """A MonitorCallback that adds up the seconds spent in its own code."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.seconds = 0.0
        mon = self.monitor
        for name in ("_before_step", "_after_step"):
            original = getattr(mon, name)

            def timed(*args, _f=original, **kwargs):
                t = time.perf_counter()
                try:
                    return _f(*args, **kwargs)
                finally:
                    self.seconds += time.perf_counter() - t

            setattr(mon, name, timed)

    def on_step_end(self, trainer, step, logs):
        t = time.perf_counter()
        super().on_step_end(trainer, step, logs)
        self.seconds += time.perf_counter() - t


def run(overrides: list[str], steps: int, monitored: bool) -> tuple[float, float]:
    """(seconds per step, share of the step spent in the monitor)."""
    config = apply_overrides(preset_config("recommended"), [*overrides, f"train.steps={steps}"])
    mon = TimedMonitor(config.monitor, None, loss=config.loss.name, stream=None) if monitored else None
    trainer = Trainer(config, callbacks=[mon] if mon else [])
    trainer.run_iteration()  # warm-up (allocations) outside the timing
    t = time.perf_counter()
    trainer.fit()
    total = time.perf_counter() - t
    return total / steps, (mon.seconds / total if mon else 0.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print("| setup | step time without | with monitor | A/B overhead | time inside the monitor |")
    print("|---|---|---|---|---|")
    for name, overrides in SETUPS.items():
        off, on, share = [], [], []
        for _ in range(args.repeats):
            off.append(run(overrides, args.steps, False)[0])
            t, s = run(overrides, args.steps, True)
            on.append(t)
            share.append(s)
        a, b = statistics.median(off), statistics.median(on)
        print(
            f"| {name} | {a * 1e3:.2f} ms | {b * 1e3:.2f} ms | {100 * (b - a) / a:+.1f}% | "
            f"{100 * statistics.median(share):.2f}% |",
            flush=True,
        )


if __name__ == "__main__":
    main()
