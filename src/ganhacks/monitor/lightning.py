"""The monitor as a PyTorch Lightning callback (optional: needs ``pip install lightning``; tip T10).

Log the usual names from your LightningModule (``self.log("loss/d", ...)``, ``"loss/g"``,
``"d_prob/real"``, ``"d_prob/fake"``, ``"d_acc"``, ...) and add the callback:

    >>> trainer = L.Trainer(callbacks=[MonitorLightningCallback(run_dir="runs/x")])  # doctest: +SKIP

Gradient norms, weight norms and update ratios are read by hooks on the optimisers whose
parameters belong to ``pl_module.<generator>`` and ``pl_module.<discriminator>``. With the
``stop`` policy the callback sets ``trainer.should_stop``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from torch import Tensor

from ganhacks.errors import UserError
from ganhacks.monitor.config import MonitorConfig
from ganhacks.monitor.monitor import Monitor

try:
    import lightning.pytorch as pl
except ImportError:  # the older package name
    try:
        import pytorch_lightning as pl
    except ImportError:
        raise UserError("the Lightning callback needs PyTorch Lightning: pip install lightning") from None


class MonitorLightningCallback(pl.Callback):
    """Runs a :class:`~ganhacks.monitor.Monitor` inside a Lightning ``Trainer`` (T10).

    Args:
        config: thresholds and policy (``overrides`` replace single fields).
        run_dir: folder for events.jsonl (``None``: events are kept in memory only). Policies: warn or stop.
        loss: loss name when known (critic losses skip probability-based symptoms).
        stream: where alerts are printed.
        generator, discriminator: attribute names of G and D on the LightningModule.
        real: reals the module does not train on (diversity and D's overfitting; see ``Monitor.watch``).
        z: a fixed latent batch for G (diversity).
    """

    def __init__(
        self,
        config: MonitorConfig | None = None,
        run_dir: str | Path | None = None,
        loss: str | None = None,
        stream: TextIO | str | None = "stderr",
        generator: str = "generator",
        discriminator: str = "discriminator",
        real: Tensor | None = None,
        z: Tensor | None = None,
        **overrides: Any,
    ) -> None:
        super().__init__()
        self.monitor = Monitor(config, run_dir=run_dir, loss=loss, stream=stream, **overrides)
        self.names = (generator, discriminator)
        self.real, self.z = real, z
        self.batches = 0  # training batches seen: the monitor's step

    def on_fit_start(self, trainer: Any, pl_module: Any) -> None:
        G, D = (getattr(pl_module, n, None) for n in self.names)
        owners = {id(p): "g" for p in (G.parameters() if G is not None else [])}
        owners.update({id(p): "d" for p in (D.parameters() if D is not None else [])})
        found: dict[str, Any] = {}
        for opt in trainer.optimizers:
            tags = {owners.get(id(p)) for g in opt.param_groups for p in g["params"]}
            if len(tags) == 1 and None not in tags:
                found[tags.pop()] = opt
        self.monitor.watch(G, D, found.get("g"), found.get("d"), real=self.real, z=self.z)

    def on_train_batch_end(self, trainer: Any, pl_module: Any, outputs: Any, batch: Any, batch_idx: int) -> None:
        self.batches += 1
        if self.batches == 1:
            self.monitor.say_what_is_off(self.batches)
        logs = dict(trainer.callback_metrics)
        if isinstance(outputs, dict):
            logs.update({k: v for k, v in outputs.items() if k != "loss"})
        mon = self.monitor
        samples = mon.generate() if mon.wants_samples(self.batches) else None
        mon.observe(self.batches, logs, samples=samples)
        if self.monitor.should_stop:
            trainer.should_stop = True

    def on_fit_end(self, trainer: Any, pl_module: Any) -> None:
        self.monitor.close()

    def state_dict(self) -> dict[str, Any]:
        return {"monitor": self.monitor.state_dict(), "batches": self.batches}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.monitor.load_state_dict(state_dict.get("monitor", {}))
        self.batches = int(state_dict.get("batches", 0))
