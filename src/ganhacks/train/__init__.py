"""The reference trainer: config dataclasses and presets, the loop, callbacks and checkpoints."""

from ganhacks.train.config import RunConfig, apply_overrides, from_dict, load_config_file, to_dict
from ganhacks.train.loop import Trainer
from ganhacks.train.presets import PRESETS, preset_config
from ganhacks.train.run import resume_run, start_run

__all__ = [
    "PRESETS",
    "RunConfig",
    "Trainer",
    "apply_overrides",
    "from_dict",
    "load_config_file",
    "preset_config",
    "resume_run",
    "start_run",
    "to_dict",
]
