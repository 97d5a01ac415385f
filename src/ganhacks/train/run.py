"""A run folder: create or resume one, wire the standard callbacks, and train.

The folder's files are named by :class:`ganhacks.rundir.RunDir`.
Under torchrun every rank trains and rank 0 alone writes. A folder that already holds a run is
never overwritten: starting a new run there is refused, and ``--resume`` continues it from its
newest readable checkpoint.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

import torch.distributed as dist

from ganhacks.data.stream import UndecodableImage
from ganhacks.errors import UserError
from ganhacks.rundir import RunDir, read_jsonl, truncate_jsonl
from ganhacks.train.callbacks import (
    Callback,
    CheckpointWriter,
    CurrentStderr,
    EvalCallback,
    MetricsWriter,
    MonitorCallback,
    ProgressPrinter,
    SampleWriter,
    TensorBoardWriter,
)
from ganhacks.train.callbacks.progress import format_seconds
from ganhacks.train.checkpoint import Skipped, finite_weights, list_checkpoints, load_checkpoint, load_latest, set_aside
from ganhacks.train.config import RunConfig, from_dict, load_config_file, to_dict
from ganhacks.train.distributed import init_from_env, is_main_process
from ganhacks.train.loop import Trainer, select_device

log = logging.getLogger(__name__)


def standard_callbacks(
    run_dir: str | Path, config: RunConfig, progress: bool = True, progress_mode: str = "auto"
) -> list[Callback]:
    """Monitor, metrics, samples, checkpoints (and progress, TensorBoard) for ``run_dir``.

    ``progress_mode``: ``auto`` (a bar on a terminal, plain lines otherwise), ``bar`` or ``lines``.
    """
    rd = RunDir(run_dir)
    tc = config.train
    monitor = (
        [MonitorCallback(config.monitor, rd.path, loss=config.loss.name, stream=CurrentStderr())]
        if config.monitor.enabled
        else []
    )
    evaluator = [EvalCallback(tc.eval_every, tc.eval_metrics, tc.eval_n, tc.seed)] if tc.eval_every else []
    cbs: list[Callback] = [
        *evaluator,  # before the monitor and the writers, so both see the eval/ values of this step
        *monitor,  # next: it adds its signals to the logs the writers record, and may roll back or stop
        MetricsWriter(rd.metrics, tc.log_every),
        SampleWriter(rd.samples, tc.sample_every),
        CheckpointWriter(rd.checkpoints, tc.checkpoint_every, tc.keep_checkpoints, rd.unreadable),
    ]
    if progress:
        cbs.append(ProgressPrinter(progress_mode))
    if tc.tensorboard:
        cbs.append(TensorBoardWriter(rd.tensorboard, tc.log_every, events=rd.events))  # + the monitor's records
    return cbs


def _make_trainer(config: RunConfig) -> Trainer:
    """A trainer for this process: joins torchrun's process group first when there is one."""
    device = select_device(config.train.device)
    rank, world = init_from_env(device.type)
    if world > 1 and config.monitor.enabled and config.monitor.policy != "warn":
        # the monitor runs on rank 0 only: stopping or rolling back there alone would leave the
        # other ranks waiting in an all-reduce, or training different weights
        raise UserError(
            f"monitor.policy={config.monitor.policy} works in a single process only; "
            "use --set monitor.policy=warn under torchrun"
        )
    return Trainer(config, callbacks=[], rank=rank, world_size=world)


def start_run(
    config: RunConfig,
    run_dir: str | Path,
    progress: bool = True,
    extra_callbacks: list[Callback] | None = None,
    progress_mode: str = "auto",
) -> Trainer:
    """Create ``run_dir`` for a new run of ``config`` and train it to the end."""
    rd = RunDir(run_dir)
    if rd.path.exists() and not rd.path.is_dir():
        raise UserError(f"--out {rd.path} is a file, not a folder")
    if rd.holds_run():
        raise UserError(f"{rd.path} already holds a run; continue it with --resume {rd.path} or choose another --out")
    trainer = _make_trainer(config)  # data and models are checked before anything is written
    if trainer.world_size > 1:
        dist.barrier()  # every rank has checked the folder before rank 0 writes to it
    if is_main_process():
        rd.path.mkdir(parents=True, exist_ok=True)
        rd.config.write_text(json.dumps(to_dict(config), indent=2) + "\n")
        trainer.callbacks = standard_callbacks(rd.path, config, progress, progress_mode) + list(extra_callbacks or [])
    _fit(trainer, rd)
    return trainer


def _fit(trainer: Trainer, rd: RunDir) -> None:
    """``trainer.fit()``; a streamed image that fails to decode mid-run is reported with the way on
    from the state the run folder is left in."""
    try:
        trainer.fit()
    except UndecodableImage as exc:
        raise UserError(f"{exc}, then {_how_to_go_on(rd)}") from None


def _how_to_go_on(rd: RunDir) -> str:
    """What to run once the data is fixed: resume from the newest checkpoint, or start again."""
    if list_checkpoints(rd.checkpoints):
        return f"resume the run: ganhacks train --resume {rd.path}"
    if rd.holds_run():  # metrics logged but no checkpoint yet: nothing to resume, and start_run refuses the folder
        return f"run the same command again with another --out ({rd.path} saved no checkpoint to resume from)"
    return "run the same command again"


def resume_run(
    run_dir: str | Path,
    steps: int | None = None,
    progress: bool = True,
    extra_callbacks: list[Callback] | None = None,
    progress_mode: str = "auto",
) -> Trainer:
    """Continue the run in ``run_dir`` from its newest readable checkpoint (to ``steps`` if given)."""
    rd = RunDir(run_dir)
    if not rd.config.is_file():
        raise UserError(
            f"{rd.path} is not a run folder (no {rd.config.name}); start one with ganhacks train --out {rd.path}"
        )
    config = load_config_file(rd.config)
    skipped: list[Skipped] = []
    path, state = load_latest(rd.checkpoints, skipped=skipped)
    trainer = _make_trainer(config)
    if is_main_process():  # the run writes here again: newer unusable files go aside, never overwritten
        for s in skipped:
            set_aside(s.path, s.reason, rd.unreadable)
    if is_main_process():
        trainer.callbacks = standard_callbacks(rd.path, config, progress, progress_mode) + list(extra_callbacks or [])
    restore(trainer, state, path)
    if steps is not None and steps != trainer.total_steps:
        if steps < trainer.step:
            raise UserError(f"--steps {steps} is below the {trainer.step} steps already trained")
        trainer.with_steps(steps)
        if is_main_process():
            rd.config.write_text(json.dumps(to_dict(trainer.config), indent=2) + "\n")
    if is_main_process():
        truncate_jsonl(rd.metrics, step=trainer.step)
        log.info("resuming from %s at step %d of %d", path.relative_to(rd.path), trainer.step, trainer.total_steps)
    _fit(trainer, rd)
    return trainer


def restore(trainer: Trainer, state: dict, source: Path) -> None:
    """Load a checkpoint's ``state`` into ``trainer``.

    Raises:
        UserError: the state is not a complete trainer state for this config (a hand-made or
            foreign file that carries our marker, or one written for other networks).
    """
    step = state.get("step")
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise UserError(f"checkpoint {source} holds no valid step ({step!r}); it was not written by ganhacks train")
    try:
        trainer.load_state_dict(state)
    except UserError:
        raise
    except (KeyError, TypeError, ValueError, RuntimeError, AttributeError, IndexError) as exc:
        what = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:100]}" if str(exc).strip() else repr(exc)
        raise UserError(
            f"checkpoint {source} is not a complete trainer state for its config ({what}); "
            "use a checkpoint written by ganhacks train"
        ) from None


def load_trained(path: str | Path, device: str = "cpu") -> tuple[Trainer, Path]:
    """A trainer restored for sampling from a run folder (its newest readable checkpoint) or one checkpoint.

    Returns:
        ``(trainer, run_dir)``; for a checkpoint file ``run_dir`` is the run folder holding its
        ``checkpoints/`` folder, or the file's own folder when it sits elsewhere.

    Raises:
        UserError: not a run folder or checkpoint, unreadable checkpoint, or the run's data is gone.
    """
    path = Path(path)
    if path.is_dir():
        if not RunDir(path).checkpoints.is_dir():
            raise UserError(
                f"{path} is not a run folder (no checkpoints/ inside); give a run folder or a .pt checkpoint"
            )
        if not list_checkpoints(RunDir(path).checkpoints):  # load_latest would speak of resuming
            raise UserError(
                f"no checkpoint in {RunDir(path).checkpoints}: nothing to evaluate yet; "
                "train the run until it saves one (train.checkpoint_every, or the end of the run)"
            )
        source, state = load_latest(RunDir(path).checkpoints)
        run_dir = path
    else:
        source, state = path, load_checkpoint(path)
        if not finite_weights(state):
            raise UserError(f"cannot use checkpoint {path}: its weights hold NaN/Inf")
        run_dir = path.parent.parent if RunDir(path.parent.parent).checkpoints == path.parent else path.parent
    if not isinstance(state.get("config"), dict):
        raise UserError(f"{source} holds no run config; it was not written by ganhacks train")
    config = from_dict(state["config"])
    trainer = Trainer(replace(config, train=replace(config.train, device=device)), callbacks=[])
    restore(trainer, {**state, "callbacks": []}, source)
    return trainer, run_dir


def summary_lines(trainer: Trainer, run_dir: str | Path) -> list[str]:
    """The end-of-run summary: steps and time, final losses, checkpoints, alerts, what to run next.

    Read from public state: the run folder's files and the trainer's callbacks (the progress
    printer's timing, the monitor's alerts).
    """
    rd = RunDir(run_dir)
    printer = next((cb for cb in trainer.callbacks if isinstance(cb, ProgressPrinter)), None)
    done = trainer.step - (printer.first_step if printer else 0)
    how = f" (stopped early: {trainer.stop_reason})" if trainer.stop_reason else ""
    timing = ""
    if printer is not None and printer.seconds > 0:
        timing = f" in {format_seconds(printer.seconds)}, {done / printer.seconds:.1f} it/s"
        if printer.first_step:
            timing += f" (resumed at step {printer.first_step})"
    lines = [f"done: {trainer.step} steps{how}{timing}"]
    records = [r for r in read_jsonl(rd.metrics) if "loss/d" in r] if rd.metrics.is_file() else []
    if records:
        last = records[-1]
        losses = "  ".join(f"{k} {last[k]:.4f}" for k in ("loss/d", "loss/g") if isinstance(last.get(k), float))
        lines.append(f"final losses (step {last.get('step')}): {losses}")
    kept = list_checkpoints(rd.checkpoints) if rd.checkpoints.is_dir() else []
    if kept:
        lines.append(f"checkpoints: {kept[-1]} (newest of {len(kept)} kept)")
    monitors = [cb.monitor for cb in trainer.callbacks if isinstance(cb, MonitorCallback)]
    if monitors:
        alerts = monitors[0].alerts
        named = ", ".join(f"{a.symptom} at step {a.step}" for a in alerts[:3]) + (", ..." if len(alerts) > 3 else "")
        lines.append(f"monitor: {len(alerts)} alert(s): {named}; see {rd.events}" if alerts else "monitor: no alerts")
    lines.append(f"next: ganhacks eval {rd.path}  |  ganhacks report {rd.path}")
    return lines
