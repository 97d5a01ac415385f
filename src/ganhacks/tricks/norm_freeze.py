"""Hold G's batch-norm statistics fixed for the end of a run, so G finishes training as it is sampled.

A batch-norm layer normalises with the statistics of the current batch while it trains and with its
running averages when it is evaluated. G is sampled in eval mode, but D only ever judged G in training
mode, where every sample is shifted and scaled by the noise of its batch's mean and variance: the two
generators differ (the train/inference gap of batch norm, Ioffe 2017, "Batch Renormalization"; Wu and
Johnson 2021, "Rethinking 'Batch' in BatchNorm"). On the 2-D mixtures the gap is visible: the same G
puts fewer samples on the modes in training mode than in eval mode. Switching G's batch-norm layers to
their running statistics for the last part of the run (the rest of G keeps training) lets G and D
settle on the generator that will be sampled. It is a step-wise function of the step, so a resumed
run holds the statistics from the same iteration as an uninterrupted one.
"""

from __future__ import annotations

from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


def batch_norms(module: nn.Module) -> list[_BatchNorm]:
    """The batch-norm layers inside ``module`` (those that keep running statistics)."""
    return [m for m in module.modules() if isinstance(m, _BatchNorm) and m.track_running_stats]


def hold_batch_stats(module: nn.Module, hold: bool) -> int:
    """Put ``module``'s batch-norm layers in eval mode while ``hold`` (normalise by the running
    statistics, stop updating them); otherwise let them follow ``module.training``.

    The rest of ``module`` keeps its mode: dropout and other layers train as before. Call it after
    anything that resets the modes (``module.train()``, sampling in eval mode). Returns the number of
    batch-norm layers it set (0: nothing to hold, e.g. G without batch norm).
    """
    layers = batch_norms(module)
    for layer in layers:
        layer.train(module.training and not hold)
    return len(layers)


def holds_at(step: int, total_steps: int, start: float) -> bool:
    """Whether the statistics are held at iteration ``step`` of ``total_steps``, from the share
    ``start`` of the run on (``start = 1``: never)."""
    return start < 1.0 and step >= start * total_steps
