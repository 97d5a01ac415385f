"""One job, start to end, in whatever process runs it (a local worker, a Ray task, a script by hand):
build the config, train with the monitor attached, score the generator, and return one record.

:func:`run_job` never raises for a failed run: a run whose losses or weights went non-finite is
``diverged``; any exception is ``crashed`` with its error and the end of its traceback. Both keep
the monitor's alerts seen so far, so a failure is recorded, never dropped.
"""

from __future__ import annotations

import math
import time
import traceback
from typing import Any

import torch

from ganhacks.bench.benchmarks import check_finite_samples, get_benchmark
from ganhacks.bench.plan import spec_config
from ganhacks.errors import UserError
from ganhacks.train.callbacks import Callback, MonitorCallback
from ganhacks.train.loop import Trainer

TRACEBACK_LINES = 12  # lines of a crash's traceback kept in its record
SPEC_FIELDS = (  # copied from the job spec into its record
    "job",
    "benchmark",
    "steps",
    "variant",
    "seed",
    "preset",
    "overrides",
    "params",
    "baseline",
    "group",
    "tips",
    "effect",
    "phase",
    "trial",
    "tune",
    "eval_n",
    "note",
    "config_hash",
)


class FirstNonFinite(Callback):
    """Remembers the first iteration whose reported losses are NaN or infinite."""

    def __init__(self) -> None:
        self.step: int | None = None

    def on_step_end(self, trainer: Trainer, step: int, logs: dict[str, Any]) -> None:
        if self.step is None:
            losses = [float(v) for k, v in logs.items() if k.startswith("loss/")]
            if not all(math.isfinite(v) for v in losses):
                self.step = step


def finite_parameters(*modules: torch.nn.Module) -> bool:
    """Whether every parameter and buffer of ``modules`` is finite."""
    return all(
        bool(torch.isfinite(t).all()) for m in modules for t in (*m.parameters(), *m.buffers()) if t.is_floating_point()
    )


def monitor_events(callback: MonitorCallback | None) -> tuple[list[dict], list[dict]]:
    """``(alerts, other events)`` of a run's monitor: each alert's symptom, step and severity; stops and rollbacks."""
    if callback is None:
        return [], []
    mon = callback.monitor
    alerts = [{"symptom": a.symptom, "step": a.step, "severity": a.severity} for a in mon.alerts]
    others = [
        {k: r[k] for k in ("event", "step", "to_step", "reason") if k in r}
        for r in mon.events.records
        if r.get("event") != "alert"
    ]
    return alerts, others


def run_job(spec: dict[str, Any]) -> dict[str, Any]:
    """Train and score the job ``spec`` (from :meth:`ganhacks.bench.plan.Job.spec`); returns its record.

    The process runs torch on one thread. The record holds the spec's fields plus ``status``
    (``ok``, ``diverged``, ``crashed``), ``error``, ``metrics``, ``collapsed``, ``alerts``,
    ``events``, ``steps_done``, ``wall_s``, ``cpu_s`` (this process's CPU time), ``train_cpu_s``,
    ``eval_cpu_s`` and ``steps_per_s``.
    """
    torch.set_num_threads(1)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    record: dict[str, Any] = {k: spec.get(k) for k in SPEC_FIELDS}
    record.update(status="crashed", error=None, metrics={}, collapsed=None, alerts=[], events=[], steps_done=0)
    monitor: MonitorCallback | None = None
    trainer: Trainer | None = None
    train_wall = train_cpu = 0.0
    try:
        bench = get_benchmark(spec["benchmark"])
        config = spec_config(spec)
        watch = FirstNonFinite()
        monitor = (
            MonitorCallback(config.monitor, None, loss=config.loss.name, stream=None)
            if config.monitor.enabled
            else None
        )
        trainer = Trainer(config, callbacks=[cb for cb in (monitor, watch) if cb is not None])
        t0, c0 = time.perf_counter(), time.process_time()
        trainer.fit()
        train_wall, train_cpu = time.perf_counter() - t0, time.process_time() - c0
        record["steps_done"] = trainer.step
        nan_step = watch.step
        if nan_step is not None or not finite_parameters(trainer.G, trainer.D):
            where = f" at step {nan_step}" if nan_step is not None else ""
            record.update(status="diverged", error=f"losses or weights went NaN/Inf{where}")
        else:
            c1 = time.process_time()
            try:
                record["metrics"] = bench.score(_Checked(trainer), spec["eval_n"], spec["seed"])
                record.update(status="ok", collapsed=bool(bench.collapsed(record["metrics"])))
            except UserError as exc:  # the generator's samples are NaN/Inf: it diverged without telling
                record.update(status="diverged", error=str(exc))
            record["eval_cpu_s"] = time.process_time() - c1
    except Exception as exc:  # any failure is a record, never a lost job
        lines = traceback.format_exc().strip().splitlines()
        record.update(status="crashed", error=f"{type(exc).__name__}: {exc}", traceback=lines[-TRACEBACK_LINES:])
        if trainer is not None:
            record["steps_done"] = trainer.step
    record["alerts"], record["events"] = monitor_events(monitor)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    record.update(
        wall_s=round(wall, 3),
        cpu_s=round(cpu, 3),
        train_wall_s=round(train_wall, 3),
        train_cpu_s=round(train_cpu, 3),
        steps_per_s=round(record["steps_done"] / train_wall, 2) if train_wall > 0 else None,
    )
    if "eval_cpu_s" in record:
        record["eval_cpu_s"] = round(record["eval_cpu_s"], 3)
    return record


class _Checked:
    """A trainer seen by a scorer: samples that hold NaN/Inf raise instead of being scored."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self.dataset = trainer.dataset

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        x = self.trainer.sample(n, generator)
        check_finite_samples(x)
        return x
