"""The callback protocol: observers of a training run. The loop calls their hooks and never knows
what they do.

Hooks are no-op methods with one uniform signature ``hook(trainer, ...)``. ``logs`` is a dict of
named values reported by the step (``loss/d``, ``d_out/real``, ``grad_norm/g``, ...); values may
be tensors, converted to floats only by the observers that need them. A callback that must end
the run calls ``trainer.request_stop(reason)``; one that restores an earlier state calls
``trainer.rewind(state)``, which voids the rest of the iteration's hooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
