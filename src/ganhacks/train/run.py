"""A run folder: create or resume one, wire the standard callbacks, and train.

Layout (see DESIGN.md): ``config.json``, ``metrics.jsonl``, ``samples/``, ``checkpoints/``.
Under torchrun every rank trains and rank 0 alone writes. A folder that already holds a run is never overwritten: starting a new run there is refused,
and ``--resume`` continues it from its newest readable checkpoint.
"""

from __future__ import annotations

import json
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
)
from ganhacks.train.checkpoint import load_latest
from ganhacks.train.config import RunConfig, load_config_file, to_dict
from ganhacks.train.distributed import init_from_env, is_main_process
from ganhacks.train.loop import Trainer, select_device

CONFIG = "config.json"


def standard_callbacks(run_dir: Path, config: RunConfig, progress: bool = True) -> list[Callback]:
    """Metrics, samples, checkpoints (and progress, TensorBoard) for ``run_dir``."""
    tc = config.train
    cbs: list[Callback] = [
        MetricsWriter(run_dir / "metrics.jsonl", tc.log_every),
        SampleWriter(run_dir / "samples", tc.sample_every),
        CheckpointWriter(run_dir / "checkpoints", tc.checkpoint_every, tc.keep_checkpoints),
    ]
    if progress:
        cbs.append(ProgressPrinter())
    if tc.tensorboard:
        cbs.append(TensorBoardWriter(run_dir / "tensorboard", tc.log_every))
    return cbs


def _make_trainer(config: RunConfig) -> Trainer:
    """A trainer for this process: joins torchrun's process group first when there is one."""
    device = select_device(config.train.device)
    rank, world = init_from_env(device.type)
    return Trainer(config, callbacks=[], rank=rank, world_size=world)


def start_run(config: RunConfig, run_dir: str | Path, progress: bool = True,
              extra_callbacks: list[Callback] | None = None) -> Trainer:
    """Create ``run_dir`` for a new run of ``config`` and train it to the end."""
    run_dir = Path(run_dir)
    if (run_dir / CONFIG).exists() or (run_dir / "checkpoints").exists():
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
        _truncate_metrics(run_dir / "metrics.jsonl", trainer.step)
    trainer.fit()
    return trainer


def _truncate_metrics(path: Path, step: int) -> None:
    """Drop metrics logged after ``step`` (by a run that crashed after its last checkpoint)."""
    if not path.exists():
        return
    kept = []
    for line in path.read_text().splitlines():
        try:
            if json.loads(line).get("step", 0) <= step:
                kept.append(line)
        except json.JSONDecodeError:
            continue  # a line cut by a crash mid-write
    path.write_text("".join(k + "\n" for k in kept))
