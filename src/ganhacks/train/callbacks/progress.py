"""The console's view of a run: a status line with losses, speed and ETA."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

from ganhacks.train.callbacks.base import Callback, scalars

if TYPE_CHECKING:
    from ganhacks.train.loop import Trainer


class ProgressPrinter(Callback):
    """A status line with losses, speed and ETA, printed to stderr ``lines`` times per run."""

    def __init__(self, lines: int = 20, stream=None) -> None:
        self.lines, self.stream = lines, stream or sys.stderr
        self._t0 = 0.0
        self._s0 = 0

    def on_fit_start(self, trainer: Trainer) -> None:
        self._t0, self._s0 = time.perf_counter(), trainer.step
        print(f"training {trainer.describe()}", file=self.stream)

    def on_step_end(self, trainer: Trainer, step: int, logs: dict[str, Any]) -> None:
        every = max(trainer.total_steps // self.lines, 1)
        if step % every and step != trainer.total_steps:
            return
        elapsed = time.perf_counter() - self._t0
        rate = (step - self._s0) / elapsed if elapsed > 0 else 0.0
        eta = (trainer.total_steps - step) / rate if rate else float("nan")
        v = scalars({k: logs[k] for k in ("loss/d", "loss/g", "d_out/real", "d_out/fake") if k in logs})
        parts = " ".join(f"{k}={val:.3f}" for k, val in v.items())
        print(f"step {step}/{trainer.total_steps} {parts} {rate:.1f} it/s eta {eta:.0f}s", file=self.stream, flush=True)
