"""The Monitor: watches any GAN training loop and raises tip T10's failure symptoms early.

Feed it one dict of named values per iteration (:meth:`Monitor.observe`), or, in a hand-written
loop, the losses and D's logits (:meth:`Monitor.step`); :meth:`Monitor.watch` adds gradient
norms (total and per layer), weight norms, update-to-weight ratios and the fixed-z diversity of
G's samples without touching the training code. Each symptom alerts once per episode, is
written to ``events.jsonl`` and names the catalog tips that remedy it.

Example (a hand-written loop; three added lines):
    >>> monitor = Monitor(run_dir="runs/mine").watch(G, D, opt_g, opt_d)          # doctest: +SKIP
    >>> for step in range(1, steps + 1):                                          # doctest: +SKIP
    ...     ...  # D step (logits real_out, fake_out, loss_d), then G step (loss_g)
    ...     monitor.step(step, d_loss=loss_d, g_loss=loss_g, d_real=real_out, d_fake=fake_out)
    >>> monitor.close()                                                           # doctest: +SKIP
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

import torch
from torch import Tensor, nn

from ganhacks.errors import UserError
from ganhacks.monitor.actions import Alert, EventLog, at_least, print_alert
from ganhacks.monitor.config import MonitorConfig
from ganhacks.monitor.history import History
from ganhacks.monitor.signals import (
    CORE,
    RealReference,
    diversity_signals,
    layer_grad_norms,
    logit_signals,
    real_reference,
    scalar_signals,
    total_norm,
    update_ratio,
    weight_vector,
)
from ganhacks.monitor.symptoms import SYMPTOMS, symptoms_for
from ganhacks.rundir import RunDir


class TrainingStopped(RuntimeError):
    """Raised by :meth:`Monitor.step` in a hand-written loop when the ``stop`` policy acts."""


class Monitor:
    """Watches a GAN run for failure symptoms (tip T10).

    Args:
        config: thresholds and policy; keyword ``overrides`` replace single fields.
        run_dir: folder for ``events.jsonl``; ``None`` keeps events in memory only.
        loss: the loss name when known (critic losses such as ``wasserstein`` skip the
            probability-based symptoms).
        stream: where alerts are printed (default: the current ``sys.stderr``; ``None``: silent).
    """

    can_roll_back = (
        False  # only the trainer's adapter can restore a whole run (ganhacks.train.callbacks.MonitorCallback)
    )

    def __init__(
        self,
        config: MonitorConfig | None = None,
        run_dir: str | Path | None = None,
        loss: str | None = None,
        stream: TextIO | str | None = "stderr",
        **overrides: Any,
    ) -> None:
        try:
            self.config = replace(config or MonitorConfig(), **overrides)
        except TypeError as exc:
            raise UserError(
                f"unknown Monitor setting ({exc}); see ganhacks.monitor.MonitorConfig for the fields"
            ) from None
        if self.config.policy == "rollback" and not self.can_roll_back:
            raise UserError(
                "policy='rollback' needs the state of the whole run and exists only inside ganhacks train; "
                "use policy='warn' or 'stop' here"
            )
        self.symptoms = symptoms_for(loss)
        self.history = History(size=3 * self.config.window)
        self.events = EventLog(RunDir(run_dir).events if run_dir is not None else None)
        self.stream = sys.stderr if stream == "stderr" else stream  # looked up now, so redirection works
        self.alerts: list[Alert] = []
        self.last_seen: dict[str, int] = {}  # symptom id -> newest step it fired at
        self.reported: set[str] = set()  # skipped/missing signals already reported once
        self.should_stop = False
        self.rollbacks = 0
        self.events_at_load: int | None = None
        self.step_count = 0  # newest observed step
        self.added: dict[str, float] = {}  # values the monitor itself measured at the newest step
        self._pending: dict[str, float] = {}
        self._handles: list[Any] = []
        self._before: dict[str, Tensor] = {}
        self._diversity: tuple[nn.Module | None, Tensor | None, RealReference] | None = None
        self._totals = True

    # ------------------------------------------------------------------ optional instruments

    def watch(
        self,
        G: nn.Module | None = None,
        D: nn.Module | None = None,
        opt_g: torch.optim.Optimizer | None = None,
        opt_d: torch.optim.Optimizer | None = None,
        real: Tensor | None = None,
        z: Tensor | None = None,
        totals: bool = True,
    ) -> Monitor:
        """Measure gradients and updates at each optimiser step, and diversity from ``G(z)`` vs ``real``.

        Hooks on the optimisers (``register_step_pre_hook``/``post_hook``) read the gradients just
        before each step, so D's norm is D's own even when G's backward later adds to D's grads.
        ``totals=False`` skips the per-step total norms (the trainer already reports them).

        Returns:
            ``self``, so ``monitor = Monitor(...).watch(...)`` is one line.
        """
        self._totals = totals
        for tag, opt, module in (("g", opt_g, G), ("d", opt_d, D)):
            if opt is None:
                continue
            params = (
                list(module.parameters()) if module is not None else [p for g in opt.param_groups for p in g["params"]]
            )
            named = (
                list(module.named_parameters()) if module is not None else [(f"p{i}", p) for i, p in enumerate(params)]
            )
            self._handles.append(
                opt.register_step_pre_hook(lambda o, a, k, tag=tag, named=named: self._before_step(tag, named))
            )
            self._handles.append(
                opt.register_step_post_hook(lambda o, a, k, tag=tag, named=named: self._after_step(tag, named))
            )
        if G is not None and real is not None and z is not None:
            self.set_diversity_reference(G, z, real)
        return self

    def set_diversity_reference(self, G: nn.Module | None, z: Tensor | None, real: Tensor) -> None:
        """Diversity of ``G(z)`` at fixed ``z`` (or of the samples given to :meth:`measure_diversity`)
        will be compared with ``real``."""
        real = real.detach().float().cpu()
        if len(real) < 4:
            raise UserError(f"the diversity signal needs at least 4 real samples, got {len(real)}")
        self._diversity = (G, z, real_reference(real))

    def _layer_step(self) -> bool:
        return (self.step_count + 1) % self.config.layer_every == 0

    def _before_step(self, tag: str, named: list[tuple[str, nn.Parameter]]) -> None:
        if self._layer_step():
            layers = layer_grad_norms(_Named(named))
            self._pending.update({f"grad_norm/{tag}/{k}": v for k, v in layers.items()})
            if self._totals:
                self._pending[f"grad_norm/{tag}"] = total_norm(layers)
            self._before[tag] = weight_vector(_Named(named))
        elif self._totals:
            grads = [p.grad.detach().float().norm(2) for _, p in named if p.grad is not None]
            if grads:
                self._pending[f"grad_norm/{tag}"] = float(torch.stack(grads).norm(2))  # sqrt(sum ||g_l||^2)

    def _after_step(self, tag: str, named: list[tuple[str, nn.Parameter]]) -> None:
        before = self._before.pop(tag, None)
        if before is not None:
            after = weight_vector(_Named(named))
            self._pending[f"weight_norm/{tag}"] = float(after.norm(2))
            self._pending[f"update_ratio/{tag}"] = update_ratio(before, after)  # ||dw|| / ||w||

    @torch.no_grad()
    def measure_diversity(self, samples: Tensor | None = None) -> dict[str, float]:
        """``diversity/ratio``, ``fidelity/ratio`` and ``coverage`` (see :func:`diversity_signals`).

        Args:
            samples: generated samples to judge; by default ``G(z)`` at the fixed ``z`` given to
                :meth:`watch` (one extra forward of G in eval mode, the run's random state untouched).
        """
        if self._diversity is None:
            return {}
        G, z, ref = self._diversity
        if samples is not None:
            return diversity_signals(samples.detach().float().cpu(), ref)
        if G is None or z is None:
            return {}
        devices = [z.device.index or 0] if z.is_cuda else []
        with torch.random.fork_rng(devices=devices):  # dropout in G must not move the run's random stream
            was = G.training
            G.eval()
            try:
                fake = G(z)
            finally:
                G.train(was)
        return diversity_signals(fake.float().cpu(), ref)

    def close(self) -> None:
        """Remove the optimiser hooks."""
        for h in self._handles:
            h.remove()
        self._handles.clear()

    # ------------------------------------------------------------------ the core

    def diversity_due(self, step: int) -> bool:
        """Whether :meth:`observe` at ``step`` would measure diversity from samples given to it."""
        return self._diversity is not None and step % self.config.diversity_every == 0

    def observe(self, step: int, logs: Mapping[str, Any], samples: Tensor | None = None) -> list[Alert]:
        """Record one iteration's values and return the alerts of symptom episodes that start now.

        Args:
            step: the iteration number (increasing).
            logs: named values (``loss/d``, ``d_prob/fake``, ...); tensors must hold one element.
                Non-scalar or non-numeric values are skipped and reported once.
            samples: G's newest samples; when :meth:`diversity_due`, their diversity is measured
                against the reference given to :meth:`set_diversity_reference`.
        """
        if samples is not None and self.diversity_due(step):
            self._pending.update(self.measure_diversity(samples))
        values, skipped = scalar_signals(logs)
        for item in skipped:
            self._report_once(step, "skipped", item.split(" ", 1)[0], item)
        self.added = dict(self._pending)
        values.update(self._pending)
        self._pending.clear()
        if not self.history.series and "missing" not in self.reported:  # say once what cannot be watched
            missing = [k for k in CORE if k not in values]
            if missing:
                self._report_once(
                    step,
                    "missing",
                    "missing",
                    f"signals not reported: {', '.join(missing)}; the symptoms that need them stay silent",
                )
        self.step_count = int(step)
        self.history.add(self.step_count, values)
        due = self.step_count % self.config.check_every == 0
        new: list[Alert] = []
        for s in self.symptoms:
            if s.windowed and (not due or self.step_count < self.config.warmup):
                continue
            evidence = s.detect(self.history, self.config)
            if evidence is None:
                continue
            last = self.last_seen.get(s.id)
            self.last_seen[s.id] = self.step_count
            if last is not None and self.step_count - last <= self.config.quiet_steps:
                continue  # the same episode: no new alert
            alert = Alert(self.step_count, s.id, s.severity, s.message, s.tips, evidence)
            new.append(alert)
            self.alerts.append(alert)
            self.events.write({**alert.record(), "action": self.config.policy})
            print_alert(alert, self.stream)
        if self.config.policy == "stop" and any(at_least(a.severity, self.config.act_on) for a in new):
            self.should_stop = True
            self.events.write({"event": "stop", "step": self.step_count, "reason": ", ".join(a.symptom for a in new)})
        return new

    def step(
        self,
        step: int,
        *,
        d_loss: Any = None,
        g_loss: Any = None,
        d_real: Tensor | None = None,
        d_fake: Tensor | None = None,
        **extra: Any,
    ) -> list[Alert]:
        """One call per iteration of a hand-written loop (see the module example).

        Args:
            step: iteration number.
            d_loss, g_loss: the two losses (one-element tensors or floats).
            d_real, d_fake: D's logits on the real and the fake batch of the D step.
            **extra: more named values (``name=value``; use ``observe`` for names with '/').

        Raises:
            TrainingStopped: with ``policy="stop"``, when a symptom at ``act_on`` or worse fires.
        """
        logs: dict[str, Any] = dict(extra)
        if d_loss is not None:
            logs["loss/d"] = d_loss
        if g_loss is not None:
            logs["loss/g"] = g_loss
        if isinstance(d_real, Tensor) and isinstance(d_fake, Tensor) and d_real.numel() and d_fake.numel():
            logs.update(logit_signals(d_real, d_fake))
        elif d_real is not None or d_fake is not None:
            self._report_once(
                step, "skipped", "d_real/d_fake", "d_real/d_fake (need two non-empty tensors of D's logits)"
            )
        if self._diversity is not None and step % self.config.diversity_every == 0:
            self._pending.update(self.measure_diversity())
        alerts = self.observe(step, logs)
        if self.should_stop:
            raise TrainingStopped(
                f"monitor stopped the run at step {step}: "
                + "; ".join(a.line() for a in alerts if at_least(a.severity, self.config.act_on))
            )
        return alerts

    def _report_once(self, step: int, kind: str, key: str, text: str) -> None:
        if f"{kind}:{key}" in self.reported or kind in self.reported:
            return
        self.reported.add(f"{kind}:{key}" if kind == "skipped" else kind)
        self.events.write({"event": kind, "step": int(step), "detail": text})
        if self.stream is not None:
            print(f"[monitor] {kind}: {text}", file=self.stream, flush=True)

    def active(self, within: int | None = None, severity: str = "warning") -> list[str]:
        """Symptom ids of ``severity`` or worse that fired within the last ``within`` steps (default: the
        quiet period)."""
        span = self.config.quiet_steps if within is None else within
        return [
            k
            for k, s in self.last_seen.items()
            if self.step_count - s <= span and k in SYMPTOMS and at_least(SYMPTOMS.get(k).severity, severity)
        ]

    def reset_evidence(self) -> None:
        """Forget the evidence windows and open episodes (after a rollback)."""
        self.history.clear()
        self.last_seen.clear()
        self._pending.clear()

    # ------------------------------------------------------------------ state

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue watching after a resume."""
        return {
            "history": self.history.state_dict(),
            "alerts": [a.record() for a in self.alerts],
            "last_seen": dict(self.last_seen),
            "reported": sorted(self.reported),
            "should_stop": self.should_stop,
            "rollbacks": self.rollbacks,
            "step": self.step_count,
            "events": self.events.count,  # lines of events.jsonl this state has seen (a resume truncates to it)
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""
        self.history.load_state_dict(state.get("history", {}))
        self.alerts = [
            Alert(
                int(r["step"]), r["symptom"], r["severity"], r["message"], tuple(r["tips"]), dict(r.get("evidence", {}))
            )
            for r in state.get("alerts", [])
            if r.get("symptom") in SYMPTOMS
        ]
        self.last_seen = {str(k): int(v) for k, v in state.get("last_seen", {}).items()}
        self.reported = set(state.get("reported", []))
        self.should_stop = bool(state.get("should_stop", False))
        self.rollbacks = int(state.get("rollbacks", 0))
        self.step_count = int(state.get("step", 0))
        self.events_at_load = state.get("events")  # None for states written before the count was kept
        if self.events_at_load is not None:
            self.events.written_before = int(self.events_at_load)


class _Named:
    """Adapter: a list of (name, parameter) pairs that looks like a module to the signal helpers."""

    def __init__(self, named: list[tuple[str, nn.Parameter]]) -> None:
        self._named = named

    def named_parameters(self):
        return iter(self._named)

    def parameters(self):
        return (p for _, p in self._named)
