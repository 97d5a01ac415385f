"""A run folder: create or resume one, wire the standard callbacks, and train.

The folder's files are named by :class:`ganhacks.rundir.RunDir`.
Under torchrun every rank trains and rank 0 alone writes. A folder that already holds a run is
never overwritten: starting a new run there is refused, and ``--resume`` continues it from its
newest readable checkpoint.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import torch.distributed as dist

from ganhacks.errors import UserError
from ganhacks.rundir import RunDir, truncate_jsonl
from ganhacks.train.callbacks import (
    Callback,
    CheckpointWriter,
    EvalCallback,
    MetricsWriter,
    MonitorCallback,
    ProgressPrinter,
    SampleWriter,
    TensorBoardWriter,
)
from ganhacks.train.checkpoint import load_checkpoint, load_latest
from ganhacks.train.config import RunConfig, from_dict, load_config_file, to_dict
from ganhacks.train.distributed import init_from_env, is_main_process
from ganhacks.train.loop import Trainer, select_device


def standard_callbacks(run_dir: str | Path, config: RunConfig, progress: bool = True) -> list[Callback]:
    """Monitor, metrics, samples, checkpoints (and progress, TensorBoard) for ``run_dir``."""
    rd = RunDir(run_dir)
    tc = config.train
    monitor = [MonitorCallback(config.monitor, rd.path, loss=config.loss.name)] if config.monitor.enabled else []
    evaluator = [EvalCallback(tc.eval_every, tc.eval_metrics, tc.eval_n, tc.seed)] if tc.eval_every else []
    cbs: list[Callback] = [
        *evaluator,  # before the monitor and the writers, so both see the eval/ values of this step
        *monitor,  # next: it adds its signals to the logs the writers record, and may roll back or stop
        MetricsWriter(rd.metrics, tc.log_every),
        SampleWriter(rd.samples, tc.sample_every),
        CheckpointWriter(rd.checkpoints, tc.checkpoint_every, tc.keep_checkpoints),
    ]
    if progress:
        cbs.append(ProgressPrinter())
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
    config: RunConfig, run_dir: str | Path, progress: bool = True, extra_callbacks: list[Callback] | None = None
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
        trainer.callbacks = standard_callbacks(rd.path, config, progress) + list(extra_callbacks or [])
    trainer.fit()
    return trainer


def resume_run(
    run_dir: str | Path, steps: int | None = None, progress: bool = True, extra_callbacks: list[Callback] | None = None
) -> Trainer:
    """Continue the run in ``run_dir`` from its newest readable checkpoint (to ``steps`` if given)."""
    rd = RunDir(run_dir)
    if not rd.config.is_file():
        raise UserError(
            f"{rd.path} is not a run folder (no {rd.config.name}); start one with ganhacks train --out {rd.path}"
        )
    config = load_config_file(rd.config)
    _, state = load_latest(rd.checkpoints)
    trainer = _make_trainer(config)
    if is_main_process():
        trainer.callbacks = standard_callbacks(rd.path, config, progress) + list(extra_callbacks or [])
    trainer.load_state_dict(state)
    if steps is not None and steps != trainer.total_steps:
        if steps < trainer.step:
            raise UserError(f"--steps {steps} is below the {trainer.step} steps already trained")
        trainer.with_steps(steps)
        if is_main_process():
            rd.config.write_text(json.dumps(to_dict(trainer.config), indent=2) + "\n")
    if is_main_process():
        truncate_jsonl(rd.metrics, step=trainer.step)
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
        if not RunDir(path).checkpoints.is_dir():
            raise UserError(
                f"{path} is not a run folder (no checkpoints/ inside); give a run folder or a .pt checkpoint"
            )
        _, state = load_latest(RunDir(path).checkpoints)
        run_dir = path
    else:
        state = load_checkpoint(path)
        run_dir = path.parent.parent if RunDir(path.parent.parent).checkpoints == path.parent else path.parent
    if not isinstance(state.get("config"), dict):
        raise UserError(f"{path} holds no run config; it was not written by ganhacks train")
    config = from_dict(state["config"])
    trainer = Trainer(replace(config, train=replace(config.train, device=device)), callbacks=[])
    trainer.load_state_dict({**state, "callbacks": []})
    return trainer, run_dir
