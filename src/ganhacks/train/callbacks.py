"""Observers of a training run. The loop calls their hooks and never knows what they do.

Hooks are no-op methods with one uniform signature ``hook(trainer, ...)``. ``logs`` is a dict of
named values reported by the step (``loss/d``, ``d_out/real``, ``grad_norm/g``, ...); values may
be tensors, converted to floats only by the observers that need them.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from ganhacks.train.checkpoint import checkpoint_path, prune_checkpoints, save_checkpoint

if TYPE_CHECKING:
    from ganhacks.train.loop import Trainer


class Callback:
    """Base class: override the hooks you need."""

    def on_fit_start(self, trainer: Trainer) -> None:
        """Called once before the first step (also when resuming)."""

    def on_step_end(self, trainer: Trainer, step: int, logs: dict[str, Any]) -> None:
        """Called after every iteration (all its D and G steps); ``step`` counts finished iterations."""

    def on_fit_end(self, trainer: Trainer) -> None:
        """Called once after the last step."""

    def on_exception(self, trainer: Trainer, exc: BaseException) -> None:
        """Called when the run stops on an exception, Ctrl-C included."""

    def state_dict(self) -> dict[str, Any]:
        """State to checkpoint with the run (none by default)."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""


def scalars(logs: dict[str, Any]) -> dict[str, float]:
    """``logs`` with tensors turned into Python floats."""
    return {k: float(v) for k, v in logs.items()}


def truncate_jsonl(path: Path, step: int) -> None:
    """Drop the records of ``path`` logged after ``step`` (by a run that crashed after its last
    checkpoint), and lines cut by a crash mid-write, so a resumed run appends to a clean log."""
    if not path.exists():
        return
    kept = []
    for line in path.read_text().splitlines():
        try:
            if int(json.loads(line).get("step", 0)) <= step:
                kept.append(line)
        except (json.JSONDecodeError, AttributeError, TypeError, ValueError):
            continue
    path.write_text("".join(k + "\n" for k in kept))


class MetricsWriter(Callback):
    """Appends one JSON object per logged step to ``metrics.jsonl``."""

    def __init__(self, path: Path, every: int) -> None:
        self.path, self.every = Path(path), every

    def on_step_end(self, trainer: Trainer, step: int, logs: dict[str, Any]) -> None:
        if step % self.every == 0 or step == trainer.total_steps or any(k.startswith("eval/") for k in logs):
            record = {"step": step, **{k: round(v, 6) if math.isfinite(v) else str(v) for k, v in scalars(logs).items()}}
            with open(self.path, "a") as f:
                f.write(json.dumps(record) + "\n")


class CheckpointWriter(Callback):
    """Writes ``checkpoints/step-N.pt`` every ``every`` steps and at the end, keeping the newest ``keep``."""

    def __init__(self, folder: Path, every: int, keep: int) -> None:
        self.folder, self.every, self.keep = Path(folder), every, keep

    def save(self, trainer: Trainer) -> Path | None:
        state = trainer.state_dict()
        if not finite_weights(state):  # never let a NaN/Inf state push a good checkpoint out
            print(f"not saving a checkpoint at step {trainer.step}: the weights hold NaN/Inf; "
                  "the previous checkpoints are kept", file=sys.stderr)
            return None
        path = save_checkpoint(checkpoint_path(self.folder, trainer.step), state)
        prune_checkpoints(self.folder, self.keep)
        return path

    def on_step_end(self, trainer: Trainer, step: int, logs: dict[str, Any]) -> None:
        if self.every and step % self.every == 0 and step != trainer.total_steps:
            self.save(trainer)

    def on_fit_end(self, trainer: Trainer) -> None:
        self.save(trainer)

    def on_exception(self, trainer: Trainer, exc: BaseException) -> None:
        if isinstance(exc, KeyboardInterrupt) and trainer.step > 0:
            path = self.save(trainer)  # the state is consistent: iterations are atomic w.r.t. Ctrl-C handling
            if path is not None:
                print(f"interrupted at step {trainer.step}; saved {path}", file=sys.stderr)


def finite_weights(state: dict[str, Any], parts: tuple[str, ...] = ("G", "D", "ema")) -> bool:
    """True when every floating tensor of the networks ``parts`` of a trainer state is finite
    ("ema" means the EMA copy of G)."""
    dicts = [(state.get("ema") or {}).get("module") or {} if k == "ema" else state.get(k) or {} for k in parts]
    return all(bool(torch.isfinite(v).all()) for part in dicts for v in part.values()
               if isinstance(v, torch.Tensor) and v.is_floating_point())


class SampleWriter(Callback):
    """Writes a grid of samples at fixed z to ``samples/step-N.png`` every ``every`` steps and at the end."""

    def __init__(self, folder: Path, every: int) -> None:
        self.folder, self.every = Path(folder), every

    def write(self, trainer: Trainer) -> Path:
        from ganhacks.train.images import save_samples

        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"step-{trainer.step:06d}.png"
        save_samples(path, trainer.fixed_samples(), trainer.dataset, title=f"step {trainer.step}")
        return path

    def on_step_end(self, trainer: Trainer, step: int, logs: dict[str, Any]) -> None:
        if self.every and step % self.every == 0 and step != trainer.total_steps:
            self.write(trainer)

    def on_fit_end(self, trainer: Trainer) -> None:
        self.write(trainer)


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


class TensorBoardWriter(Callback):
    """Logs scalars to TensorBoard (needs the ``tensorboard`` package)."""

    def __init__(self, folder: Path, every: int) -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            from ganhacks.errors import UserError

            raise UserError("train.tensorboard=true needs TensorBoard: pip install tensorboard") from None
        self.writer, self.every = SummaryWriter(str(folder)), every

    def on_step_end(self, trainer: Trainer, step: int, logs: dict[str, Any]) -> None:
        if step % self.every == 0:
            for k, v in scalars(logs).items():
                self.writer.add_scalar(k, v, step)

    def on_fit_end(self, trainer: Trainer) -> None:
        self.writer.close()


def rng_state() -> dict[str, Any]:
    """Global RNG states (dropout and other ops that draw from torch's default generator)."""
    state = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore :func:`rng_state`."""
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
