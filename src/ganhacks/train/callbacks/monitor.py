"""The monitor inside ``ganhacks train``: a trainer callback with the warn/stop/rollback policies (T10, S08).

It reads the values every iteration reports, adds what it measures itself (diversity of G's newest batches,
per-layer gradient norms, weight norms, update ratios) to the same ``logs`` so metrics.jsonl
records them, and acts on alerts at ``act_on`` severity or worse:

* ``warn``: print one line per episode and append to events.jsonl (default);
* ``stop``: finish the run at this step (the final checkpoint is still written when finite);
* ``rollback``: restore the newest healthy in-memory snapshot of the whole trainer state,
  multiply both learning rates by ``lr_factor`` (:func:`ganhacks.tricks.optim.scale_lr`, S08) and
  continue; after ``max_rollbacks`` it stops instead.
"""

from __future__ import annotations

import copy
import math
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import torch

from ganhacks.monitor import Monitor, MonitorConfig
from ganhacks.rundir import RunDir, truncate_jsonl
from ganhacks.train.callbacks.base import Callback
from ganhacks.train.checkpoint import finite_weights, list_checkpoints, step_of
from ganhacks.tricks.optim import scale_lr

if TYPE_CHECKING:
    from ganhacks.train.loop import Trainer

SNAPSHOTS_KEPT = 2  # in-memory healthy states kept for rollback


class _TrainerMonitor(Monitor):
    """The Monitor as the trainer's callback drives it: rollback is available here."""

    can_roll_back = True


class MonitorCallback(Callback):
    """Runs a :class:`Monitor` inside the reference trainer (T10).

    Args:
        config: the run's ``monitor`` section.
        run_dir: where events.jsonl goes (``None``: in memory).
        loss: the run's loss name (critic losses skip probability-based symptoms).
        stream: where alerts are printed.
    """

    def __init__(
        self,
        config: MonitorConfig | None = None,
        run_dir: str | Path | None = None,
        loss: str | None = None,
        stream: TextIO | str | None = "stderr",
    ) -> None:
        self.config = config or MonitorConfig()
        self.monitor = _TrainerMonitor(self.config, run_dir=run_dir, loss=loss, stream=stream)
        self.run_dir = RunDir(run_dir) if run_dir is not None else None
        self.snapshots: list[tuple[int, dict[str, Any]]] = []
        self._recent: deque[torch.Tensor] = deque(maxlen=1)  # G's newest batches (sized in _set_references)
        self._watching = False

    # ------------------------------------------------------------------ hooks

    def on_fit_start(self, trainer: Trainer) -> None:
        if not self._watching:
            self.monitor.watch(trainer.G, trainer.D, trainer.opt_g, trainer.opt_d, totals=False)
            self._set_references(trainer)
            self._watching = True
        if self.run_dir is not None:  # a resumed run: drop the events the restored state had not seen
            events_seen = self.monitor.events_at_load
            truncate_jsonl(self.run_dir.events, step=trainer.step, count=events_seen)
        if self.config.policy == "rollback":
            self._snapshot(trainer)

    def on_step_end(self, trainer: Trainer, step: int, logs: dict[str, Any]) -> None:
        mon = self.monitor
        if trainer.last_fake is not None:
            self._recent.append(trainer.last_fake)  # a reference to a batch G made anyway: no extra forward
        full = len(self._recent) == self._recent.maxlen  # always the same sample count (coverage depends on it)
        fakes = None
        if full and mon.wants_samples(step):
            fakes = torch.cat(list(self._recent))[-self.config.diversity_samples :]
        mon.observe(step, logs, samples=fakes)
        logs.update(mon.added)  # so metrics.jsonl (written after this callback) records them
        acting = mon.acting  # symptoms at act_on or worse that started now (opening or folded into an incident)
        if acting and self.config.policy == "rollback":
            if mon.rollbacks < self.config.max_rollbacks and self.snapshots:
                self._rollback(trainer, step, acting)
                return
            mon.should_stop = True
            mon.events.write({"event": "stop", "step": step, "reason": f"no rollback left ({mon.rollbacks} done)"})
        if mon.should_stop and self.config.policy != "warn":
            trainer.request_stop("monitor")  # the loop ends after this iteration; fit-end hooks still run
            mon.should_stop = False
            return
        if (
            self.config.policy == "rollback"
            and step % self.config.snapshot_every == 0
            and not mon.active(self.config.window, self.config.act_on)
        ):
            self._snapshot(trainer)

    def on_fit_end(self, trainer: Trainer) -> None:
        self.monitor.close()
        self._watching = False

    def state_dict(self) -> dict[str, Any]:
        return {"monitor": self.monitor.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if "monitor" in state:
            self.monitor.load_state_dict(state["monitor"])

    # ------------------------------------------------------------------ helpers

    def _set_references(self, trainer: Trainer) -> None:
        """A fixed real batch for the diversity signal, held-out reals for overfitting, room for G's newest fakes.

        The fakes are G's own training batches of the last few steps (``diversity_samples`` rows,
        in train mode, as D sees them) rather than a fixed-z batch: that costs no extra forward of
        G, which at 8x8 DCGAN size was 4 % of the step time (docs/monitor.md). Held-out reals exist
        where the data comes from a known distribution (the 2-D mixtures: fresh draws D never
        trains on); the trainer has no held-out split of image data, so d_overfit is off there
        (said once). Conditional and multi-scale discriminators are not probed either.
        """
        n = self.config.diversity_samples
        gen = torch.Generator().manual_seed(trainer.config.train.seed + 777)  # own stream: the run's is untouched
        data = trainer.dataset.x
        real = data[torch.randperm(len(data), generator=gen)[: min(2 * n, len(data))]]
        self._recent = deque(maxlen=math.ceil(n / trainer.config.train.batch_size))
        if len(real) >= 4:
            self.monitor.set_diversity_reference(real)
        mixture = trainer.dataset.mixture
        plain_d = not trainer.conditional and not trainer.config.model.msg
        if mixture is not None and plain_d:
            held = mixture.to_unit(mixture.sample(n, gen)).to(data.device)
            self.monitor.set_overfit_reference(trainer.D, real[:n].to(trainer.device), held.to(trainer.device))
        else:
            why = "no held-out reals (image data)" if mixture is None else "a conditional or multi-scale D"
            self.monitor.note(
                trainer.step, "off", f"d_overfit off in ganhacks train here: {why}; it needs reals D never trains on"
            )

    def _snapshot(self, trainer: Trainer) -> None:
        state = trainer.state_dict()
        state.pop("callbacks", None)  # the monitor's own state must survive a rollback
        if not finite_weights(state, ("G", "D")):
            return
        self.snapshots = [*self.snapshots, (trainer.step, copy.deepcopy(state))][-SNAPSHOTS_KEPT:]

    def _rollback(self, trainer: Trainer, step: int, alerts: list[str]) -> None:
        """Restore the newest snapshot taken at least one window before ``step``, lower both LRs (S08)."""
        early = [s for s in self.snapshots if s[0] <= step - self.config.window]
        at, state = (early or self.snapshots[:1])[-1]
        state = copy.deepcopy(state)  # the snapshot stays intact for a later rollback
        before = {opt: opt.param_groups[0]["lr"] for opt in (trainer.opt_g, trainer.opt_d)}
        trainer.rewind(state)  # every observer keeps its own state; the rest of this iteration is void
        self.snapshots = [s for s in self.snapshots if s[0] <= at]
        factor = self.config.lr_factor
        # the restored optimiser carries the snapshot's rates: aim at factor x the rates in use just now
        lr_g, lr_d = (
            scale_lr(opt, factor * before[opt] / opt.param_groups[0]["lr"]) for opt in (trainer.opt_g, trainer.opt_d)
        )
        self._recent.clear()  # fakes of the abandoned trajectory must not judge the restored G
        moved = self._set_aside_checkpoints(at)
        self.monitor.rollbacks += 1
        self.monitor.reset_evidence()
        self.monitor.events.write(
            {
                "event": "rollback",
                "step": step,
                "to_step": at,
                "lr_factor": factor,
                "lr_g": lr_g,
                "lr_d": lr_d,
                "reason": ", ".join(alerts),
                "checkpoints_set_aside": moved,
            }
        )
        if self.monitor.stream is not None:
            print(
                f"[monitor] step {step}: rolled back to step {at}, learning rates x{factor:g} (S08)",
                file=self.monitor.stream,
                flush=True,
            )

    def _set_aside_checkpoints(self, at: int) -> list[str]:
        """Move checkpoints newer than ``at`` (the abandoned path) to checkpoints/abandoned/: kept for
        inspection, never picked by --resume, so a resume continues the rolled-back run."""
        if self.run_dir is None:
            return []
        later = [p for p in list_checkpoints(self.run_dir.checkpoints) if step_of(p) > at]
        if later:
            self.run_dir.abandoned.mkdir(exist_ok=True)
        for p in later:
            p.replace(self.run_dir.abandoned / p.name)
        return [p.name for p in later]
