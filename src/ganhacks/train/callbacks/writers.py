"""The run folder's writers: metrics.jsonl, sample grids, checkpoints, TensorBoard."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ganhacks.errors import UserError
from ganhacks.rundir import append_jsonl
from ganhacks.train.callbacks.base import Callback, scalars
from ganhacks.train.checkpoint import (
    checkpoint_path,
    finite_weights,
    prune_checkpoints,
    remove_stale_temps,
    save_checkpoint,
)
from ganhacks.train.images import save_samples

if TYPE_CHECKING:
    from ganhacks.train.loop import Trainer

log = logging.getLogger(__name__)


class MetricsWriter(Callback):
    """Appends one JSON object per logged step to ``metrics.jsonl``."""

    def __init__(self, path: Path, every: int) -> None:
        self.path, self.every = Path(path), every

    def on_step_end(self, trainer: Trainer, step: int, logs: dict[str, Any]) -> None:
        if step % self.every == 0 or step == trainer.total_steps or any(k.startswith("eval/") for k in logs):
            values = {k: round(v, 6) if math.isfinite(v) else v for k, v in scalars(logs).items()}
            append_jsonl(self.path, {"step": step, **values})


class CheckpointWriter(Callback):
    """Writes ``checkpoints/step-N.pt`` every ``every`` steps and at the end, keeping the newest ``keep``
    that verify (:func:`ganhacks.train.checkpoint.prune_checkpoints`: unreadable files are set aside,
    the file just written is never removed)."""

    def __init__(self, folder: Path, every: int, keep: int, unreadable: Path | None = None) -> None:
        self.folder, self.every, self.keep = Path(folder), every, keep
        self.unreadable = unreadable  # where files that fail verification go (default: folder/unreadable)
        self.last: Path | None = None  # the newest checkpoint this writer saved

    def save(self, trainer: Trainer) -> Path | None:
        state = trainer.state_dict()
        if not finite_weights(state):  # never let a NaN/Inf state push a good checkpoint out
            log.warning(
                "not saving a checkpoint at step %d: the weights hold NaN/Inf; the previous checkpoints are kept",
                trainer.step,
            )
            return None
        path = save_checkpoint(checkpoint_path(self.folder, trainer.step), state)
        prune_checkpoints(self.folder, self.keep, protect=path, unreadable=self.unreadable)
        self.last = path
        return path

    def on_fit_start(self, trainer: Trainer) -> None:
        if self.folder.is_dir():
            remove_stale_temps(self.folder)  # what a crash mid-write left: never a finished checkpoint

    def on_step_end(self, trainer: Trainer, step: int, logs: dict[str, Any]) -> None:
        if self.every and step % self.every == 0 and step != trainer.total_steps:
            self.save(trainer)

    def on_fit_end(self, trainer: Trainer) -> None:
        self.save(trainer)

    def on_exception(self, trainer: Trainer, exc: BaseException) -> None:
        if isinstance(exc, KeyboardInterrupt) and trainer.step > 0:
            path = self.save(trainer)  # the state is consistent: iterations are atomic w.r.t. Ctrl-C handling
            if path is not None:
                log.warning("interrupted at step %d; saved %s", trainer.step, path)


class SampleWriter(Callback):
    """Writes a grid of samples at fixed z to ``samples/step-N.png`` every ``every`` steps and at the end."""

    def __init__(self, folder: Path, every: int) -> None:
        self.folder, self.every = Path(folder), every

    def write(self, trainer: Trainer) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"step-{trainer.step:06d}.png"
        save_samples(path, trainer.fixed_samples(), trainer.dataset, title=f"step {trainer.step}")
        return path

    def on_step_end(self, trainer: Trainer, step: int, logs: dict[str, Any]) -> None:
        if self.every and step % self.every == 0 and step != trainer.total_steps:
            self.write(trainer)

    def on_fit_end(self, trainer: Trainer) -> None:
        self.write(trainer)


class TensorBoardWriter(Callback):
    """Logs scalars to TensorBoard, and the monitor's incidents and actions as text (needs ``tensorboard``).

    The monitor's records reach TensorBoard through ``events.jsonl`` (the one place they are
    written): each step the writer reads what was appended since, so every alert, folded symptom,
    stop and rollback appears under the ``monitor`` text tab at its step.

    Args:
        folder: where the TensorBoard event files go.
        every: log scalars every this many steps.
        events: the run's events.jsonl (``None``: scalars only).
    """

    SHOWN = ("alert", "folded", "stop", "rollback")  # event kinds written as text

    def __init__(self, folder: Path, every: int, events: Path | None = None) -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter  # optional dependency
        except ImportError:
            raise UserError(
                "train.tensorboard=true needs TensorBoard: pip install tensorboard (or 'ganhacks[tensorboard]')"
            ) from None
        self.writer, self.every = SummaryWriter(str(folder)), every
        self.events, self.offset = (Path(events) if events is not None else None), 0

    def on_fit_start(self, trainer: Trainer) -> None:
        if self.events is not None and self.events.exists():
            self.offset = self.events.stat().st_size  # a resumed run: earlier records are in TensorBoard already

    def on_step_end(self, trainer: Trainer, step: int, logs: dict[str, Any]) -> None:
        if step % self.every == 0:
            for k, v in scalars(logs).items():
                self.writer.add_scalar(k, v, step)
        self._events()

    def _events(self) -> None:
        """Write the event records appended since the last call as text (only when the file grew)."""
        if self.events is None or not self.events.exists() or self.events.stat().st_size <= self.offset:
            return
        with open(self.events, "rb") as f:
            f.seek(self.offset)
            chunk = f.read()
        end = chunk.rfind(b"\n") + 1  # a line still being written waits for the next call
        self.offset += end
        for line in chunk[:end].decode("utf-8", "replace").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and record.get("event") in self.SHOWN:
                self.writer.add_text("monitor", event_text(record), int(record.get("step", 0)))

    def on_fit_end(self, trainer: Trainer) -> None:
        self._events()
        self.writer.close()


def event_text(record: dict[str, Any]) -> str:
    """One line of Markdown for a monitor record (TensorBoard renders text as Markdown)."""
    kind, step = record.get("event"), record.get("step")
    if kind == "alert":
        tips = ", ".join(record.get("tips", []))
        cause = f" Likely cause: {record['cause']}." if record.get("cause") else ""
        return (
            f"**step {step} {str(record.get('severity', '')).upper()} {record.get('symptom')}** "
            f"(incident {record.get('incident', '?')}): {record.get('message', '')}{cause} Try: {tips}"
        )
    if kind == "folded":
        return f"step {step}: {record.get('symptom')} follows from incident {record.get('incident')} (folded)"
    detail = ", ".join(f"{k}={v}" for k, v in record.items() if k not in ("event", "step"))
    return f"**step {step} {kind}**: {detail}"
