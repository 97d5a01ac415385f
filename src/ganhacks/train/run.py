"""A run folder: create or resume one, wire the standard callbacks, and train.

Layout (see DESIGN.md): ``config.json``, ``metrics.jsonl``, ``samples/``, ``checkpoints/``.
Under torchrun every rank trains and rank 0 alone writes. A folder that already holds a run is never overwritten: starting a new run there is refused,
and ``--resume`` continues it from its newest readable checkpoint.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import torch.distributed as dist

from ganhacks.errors import UserError
from ganhacks.train.callbacks import (
    Callback,
    CheckpointWriter,
    MetricsWriter,
    ProgressPrinter,
    SampleWriter,
    TensorBoardWriter,
    truncate_jsonl,
)
from ganhacks.train.checkpoint import load_checkpoint, load_latest
from ganhacks.train.config import RunConfig, from_dict, load_config_file, to_dict
from ganhacks.train.distributed import init_from_env, is_main_process
from ganhacks.train.loop import Trainer, select_device

CONFIG = "config.json"


def standard_callbacks(run_dir: Path, config: RunConfig, progress: bool = True) -> list[Callback]:
    """Monitor, metrics, samples, checkpoints (and progress, TensorBoard) for ``run_dir``."""
    from ganhacks.metrics.callback import EvalCallback
    from ganhacks.monitor.callback import MonitorCallback

    tc = config.train
    monitor = [MonitorCallback(config.monitor, run_dir, loss=config.loss.name)] if config.monitor.enabled else []
    evaluator = [EvalCallback(tc.eval_every, tc.eval_metrics, tc.eval_n, tc.seed)] if tc.eval_every else []
    cbs: list[Callback] = [
        *evaluator,  # before the monitor and the writers, so both see the eval/ values of this step
        *monitor,  # next: it adds its signals to the logs the writers record, and may roll back or stop
        MetricsWriter(run_dir / "metrics.jsonl", tc.log_every),
        SampleWriter(run_dir / "samples", tc.sample_every),
        CheckpointWriter(run_dir / "checkpoints", tc.checkpoint_every, tc.keep_checkpoints),
    ]
    if progress:
        cbs.append(ProgressPrinter())
    if tc.tensorboard:
        cbs.append(TensorBoardWriter(run_dir / "tensorboard", tc.log_every))
    return cbs


def _holds_run(run_dir: Path) -> bool:
    """True when ``run_dir`` has results of a run (a checkpoint or logged metrics).

    A folder holding only the config.json of a run that failed before its first step (a bad
    setting found at start) is not a run: starting again there is allowed.
    """
    has_checkpoint = (run_dir / "checkpoints").is_dir() and any((run_dir / "checkpoints").iterdir())
    has_metrics = (run_dir / "metrics.jsonl").is_file() and (run_dir / "metrics.jsonl").stat().st_size > 0
    return has_checkpoint or has_metrics


def _make_trainer(config: RunConfig) -> Trainer:
    """A trainer for this process: joins torchrun's process group first when there is one."""
    device = select_device(config.train.device)
    rank, world = init_from_env(device.type)
    if world > 1 and config.monitor.enabled and config.monitor.policy != "warn":
        # the monitor runs on rank 0 only: stopping or rolling back there alone would leave the
        # other ranks waiting in an all-reduce, or training different weights
        raise UserError(f"monitor.policy={config.monitor.policy} works in a single process only; "
                        "use --set monitor.policy=warn under torchrun")
    return Trainer(config, callbacks=[], rank=rank, world_size=world)


def start_run(config: RunConfig, run_dir: str | Path, progress: bool = True,
              extra_callbacks: list[Callback] | None = None) -> Trainer:
    """Create ``run_dir`` for a new run of ``config`` and train it to the end."""
    run_dir = Path(run_dir)
    if _holds_run(run_dir):
        raise UserError(f"{run_dir} already holds a run; continue it with --resume {run_dir} or choose another --out")
    if run_dir.exists() and not run_dir.is_dir():
        raise UserError(f"--out {run_dir} is a file, not a folder")
    trainer = _make_trainer(config)  # data and models are checked before anything is written
    if trainer.world_size > 1:
        dist.barrier()  # every rank has checked the folder before rank 0 writes to it
    if is_main_process():
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / CONFIG).write_text(json.dumps(to_dict(config), indent=2) + "\n")
        trainer.callbacks = standard_callbacks(run_dir, config, progress) + list(extra_callbacks or [])
    trainer.fit()
    return trainer


def resume_run(run_dir: str | Path, steps: int | None = None, progress: bool = True,
               extra_callbacks: list[Callback] | None = None) -> Trainer:
    """Continue the run in ``run_dir`` from its newest readable checkpoint (to ``steps`` if given)."""
    run_dir = Path(run_dir)
    if not (run_dir / CONFIG).is_file():
        raise UserError(f"{run_dir} is not a run folder (no {CONFIG}); start one with ganhacks train --out {run_dir}")
    config = load_config_file(run_dir / CONFIG)
    _, state = load_latest(run_dir / "checkpoints")
    trainer = _make_trainer(config)
    if is_main_process():
        trainer.callbacks = standard_callbacks(run_dir, config, progress) + list(extra_callbacks or [])
    trainer.load_state_dict(state)
    if steps is not None and steps != trainer.total_steps:
        if steps < trainer.step:
            raise UserError(f"--steps {steps} is below the {trainer.step} steps already trained")
        trainer.with_steps(steps)
        if is_main_process():
            (run_dir / CONFIG).write_text(json.dumps(to_dict(trainer.config), indent=2) + "\n")
    if is_main_process():
        truncate_jsonl(run_dir / "metrics.jsonl", trainer.step)
    trainer.fit()
    return trainer


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
        if not (path / "checkpoints").is_dir():
            raise UserError(f"{path} is not a run folder (no checkpoints/ inside); give a run folder or a .pt checkpoint")
        _, state = load_latest(path / "checkpoints")
        run_dir = path
    else:
        state = load_checkpoint(path)
        run_dir = path.parent.parent if path.parent.name == "checkpoints" else path.parent
    if not isinstance(state.get("config"), dict):
        raise UserError(f"{path} holds no run config; it was not written by ganhacks train")
    config = from_dict(state["config"])
    trainer = Trainer(replace(config, train=replace(config.train, device=device)), callbacks=[])
    trainer.load_state_dict({**state, "callbacks": []})
    return trainer, run_dir

