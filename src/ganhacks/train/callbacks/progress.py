"""The console's view of a run: a progress bar on a terminal, plain periodic lines otherwise.

On a terminal a ``rich`` progress bar shows the step, it/s, the ETA, the last D and G losses and the
monitor's state; in a log file, a CI job or with ``--quiet`` the same facts are printed as plain
lines, ``lines`` times per run, so logs stay clean. While the bar is live, rich redirects stderr
so that monitor alerts and other notices appear above it (:class:`CurrentStderr` lets a stream
chosen before the bar started follow that redirection).

The monitor is read through public state only: the :class:`MonitorCallback` among the trainer's
callbacks and its ``monitor.active()``.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ganhacks.train.callbacks.base import Callback
from ganhacks.train.callbacks.monitor import MonitorCallback

if TYPE_CHECKING:
    from ganhacks.train.loop import Trainer

MODES = ("auto", "bar", "lines")  # auto: a bar on a terminal, lines otherwise
LOSSES = (("loss/d", "D"), ("loss/g", "G"))  # logged name -> short label on the console
REFRESH_S = 0.25  # the bar's text is rebuilt at most this often (reading losses syncs a GPU)


class CurrentStderr:
    """A text stream that writes to whatever ``sys.stderr`` is at the moment of each write (the
    terminal, rich's redirection while a progress bar is live, or a test's capture)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def monitor_state(trainer: Trainer) -> str:
    """``off`` without a monitor, ``ok`` when no symptom is active, else the active symptom ids."""
    monitors = [cb.monitor for cb in trainer.callbacks if isinstance(cb, MonitorCallback)]
    if not monitors:
        return "off"
    active = monitors[0].active()
    return ", ".join(active) if active else "ok"


def format_seconds(seconds: float) -> str:
    """``42s``, ``3m05s``, ``1h02m``; ``?`` when unknown."""
    if seconds != seconds or seconds == float("inf"):
        return "?"
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class ProgressPrinter(Callback):
    """Where the run stands, on the console: a rich bar (terminal) or plain periodic lines.

    Args:
        mode: ``auto`` (a bar when ``stream`` is a terminal), ``bar`` or ``lines``.
        lines: status lines per run in lines mode.
        stream: where to write (default: stderr, looked up at each write).

    Attributes:
        first_step: the step the run (re)started from.
        seconds: wall time of this session's iterations (set at the end).
        last: the last losses seen (``loss/d``, ``loss/g``), as floats.
    """

    def __init__(self, mode: str = "auto", lines: int = 20, stream: TextIO | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.mode, self.lines = mode, lines
        self.stream = stream if stream is not None else CurrentStderr()
        self.first_step, self.seconds = 0, 0.0
        self.last: dict[str, float] = {}
        self._t0 = self._shown = 0.0
        self._bar: Progress | None = None
        self._task = None

    # ------------------------------------------------------------------ hooks

    def on_fit_start(self, trainer: Trainer) -> None:
        self._t0, self.first_step = time.perf_counter(), trainer.step
        print(f"training {trainer.describe()}", file=self.stream, flush=True)
        use_bar = self.mode == "bar" or (self.mode == "auto" and self.stream.isatty())
        if use_bar and trainer.step < trainer.total_steps:
            self._bar = Progress(
                TextColumn("step"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TextColumn("eta"),
                TimeRemainingColumn(),
                TextColumn("{task.fields[status]}"),
                # the real stream as it is now: while the bar runs, rich points sys.stderr at the bar
                console=Console(file=self._target(), force_terminal=self.mode == "bar" or None),
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(
                "train", total=trainer.total_steps, completed=trainer.step, rate="", status=""
            )

    def on_step_end(self, trainer: Trainer, step: int, logs: dict[str, Any]) -> None:
        now = time.perf_counter()
        if self._bar is not None:
            if now - self._shown >= REFRESH_S or step == trainer.total_steps:
                self._shown = now
                self._remember(logs)
                self._bar.update(self._task, completed=step, rate=self._rate(step, now), status=self._status(trainer))
            return
        every = max(trainer.total_steps // self.lines, 1)
        if step % every and step != trainer.total_steps:
            return
        self._remember(logs)
        eta = format_seconds((trainer.total_steps - step) / max(self._speed(step, now), 1e-12))
        print(
            f"step {step}/{trainer.total_steps}  {self._rate(step, now)}  eta {eta}  {self._status(trainer)}",
            file=self.stream,
            flush=True,
        )

    def on_fit_end(self, trainer: Trainer) -> None:
        self.seconds = time.perf_counter() - self._t0
        if self._bar is not None:
            self._bar.update(self._task, completed=trainer.step, status=self._status(trainer))
        self._stop()

    def on_exception(self, trainer: Trainer, exc: BaseException) -> None:
        self.seconds = time.perf_counter() - self._t0
        self._stop()  # so what follows (the interrupt notice, an error) prints below a finished bar

    # ------------------------------------------------------------------ helpers

    def _target(self) -> TextIO:
        return sys.stderr if isinstance(self.stream, CurrentStderr) else self.stream

    def _stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _remember(self, logs: dict[str, Any]) -> None:
        self.last.update({k: float(logs[k]) for k, _ in LOSSES if k in logs})

    def _speed(self, step: int, now: float) -> float:
        elapsed = now - self._t0
        return (step - self.first_step) / elapsed if elapsed > 0 else 0.0

    def _rate(self, step: int, now: float) -> str:
        return f"{self._speed(step, now):.1f} it/s"

    def _status(self, trainer: Trainer) -> str:
        losses = "  ".join(f"{label} {self.last[k]:.3f}" for k, label in LOSSES if k in self.last)
        return f"{losses}  monitor: {monitor_state(trainer)}".strip()
