"""Observers of a training run (the loop calls their hooks and never knows what they do), and the
adapters that attach the monitor and the metrics to the trainer."""

from ganhacks.train.callbacks.base import Callback, scalars
from ganhacks.train.callbacks.metrics import EvalCallback
from ganhacks.train.callbacks.monitor import MonitorCallback
from ganhacks.train.callbacks.progress import CurrentStderr, ProgressPrinter
from ganhacks.train.callbacks.writers import CheckpointWriter, MetricsWriter, SampleWriter, TensorBoardWriter

__all__ = [
    "Callback",
    "CheckpointWriter",
    "CurrentStderr",
    "EvalCallback",
    "MetricsWriter",
    "MonitorCallback",
    "ProgressPrinter",
    "SampleWriter",
    "TensorBoardWriter",
    "scalars",
]
