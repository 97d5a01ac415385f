"""Runs a plan: checks the output folder, skips finished jobs, schedules the rest on a backend (tuning
trials first, each search one trial at a time; a tuned variant's seeds once its search is done),
and appends each finished job to ``results.jsonl``.

Nothing is written before every check has passed: the suite, every variant's config on every
benchmark, the seed and trial counts, the output folder (writable, not another suite's, no job
whose config changed since it was recorded). A killed run resumes from ``results.jsonl``: finished
jobs are skipped, so the file ends with every job exactly once.
"""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ganhacks import __version__
from ganhacks.bench.backends import Backend, LocalBackend, RayBackend
from ganhacks.bench.benchmarks import get_benchmark
from ganhacks.bench.plan import Job, Plan, TuneCell, same_config, spec_config
from ganhacks.bench.progress import Reporter, make_reporter
from ganhacks.bench.results import (
    CONFIGS,
    PLAN,
    RESULTS,
    ResultsFile,
    folder_lock,
    latest_by_job,
    read_configs,
    read_json_object,
    read_records,
)
from ganhacks.bench.tuning import best_params, next_params, require_optuna
from ganhacks.errors import UserError
from ganhacks.train.config import to_dict

BACKENDS = ("local", "ray")
POLL_S = 0.5  # longest wait for a finished job before the scheduler looks again


@dataclass(frozen=True)
class RunOptions:
    """How to run a plan."""

    workers: int = 1  # jobs at once
    backend: str = "local"  # "local" worker processes or "ray" tasks
    address: str | None = None  # a Ray cluster to join (Ray only)
    tty: bool | None = None  # progress bar (True), plain lines (False), or by whether stdout is a terminal
    logs: bool = True  # keep each local job's stdout/stderr in DIR/logs/


def check_options(options: RunOptions) -> None:
    """One-line errors for bad worker counts, backends and addresses."""
    if options.workers < 1:
        raise UserError(f"--workers must be >= 1; got {options.workers}")
    if options.backend not in BACKENDS:
        raise UserError(f"unknown --backend '{options.backend}'; choose {' or '.join(BACKENDS)}")
    if options.address and options.backend != "ray":
        raise UserError("--address names a Ray cluster; use it with --backend ray")


def check_out_dir(out: Path) -> None:
    """The folder must be a folder (or not exist yet) that this user can write into."""
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file, not a folder")
    probe = out
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise UserError(f"cannot write to {out} ({probe} is not writable); choose another --out")


def check_existing(plan: Plan, out: Path) -> dict[str, dict[str, Any]]:
    """The finished jobs already in ``out``; refuses another suite's folder and jobs whose config changed."""
    previous = read_json_object(out / PLAN)
    if previous:
        if previous.get("suite") not in (None, plan.suite.name):
            raise UserError(
                f"{out} holds results of suite '{previous['suite']}', not '{plan.suite.name}'; choose another --out"
            )
    done = latest_by_job(read_records(out / RESULTS))
    configs = read_configs(out)
    for job in plan.jobs:
        record = done.get(job.id)
        if record is None or job.tune:
            continue
        spec = job.spec()
        if record.get("config_hash") == spec["config_hash"]:
            continue
        old = configs.get(record.get("config_hash"))
        if old is None or not same_config(old, to_dict(spec_config(spec))):
            raise UserError(
                f"{out} already holds job {job.id} run with another config (the preset or variant changed since); "
                "choose another --out to measure the new one"
            )
    return done


def _plan_record(plan: Plan, options: RunOptions, origin: str, command: str | None) -> dict[str, Any]:
    return {
        "suite": plan.suite.name,
        "origin": origin,
        "description": plan.suite.description,
        "seeds": list(plan.seeds),
        "tune": plan.tune,
        "backend": options.backend,
        "workers": options.workers,
        "jobs": plan.all_ids(),
        "skipped_variants": plan.skipped,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "versions": {"ganhacks": __version__, "torch": torch.__version__, "python": platform.python_version()},
        "command": command,
        "suite_text": plan.suite.source,
    }


def _previous_jobs(out: Path) -> list[str]:
    """The job ids an earlier run of this suite planned in ``out`` (none when there was none)."""
    jobs = read_json_object(out / PLAN).get("jobs")
    return [j for j in jobs if isinstance(j, str)] if isinstance(jobs, list) else []


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    tmp.replace(path)


class Scheduler:
    """Which job may start next, given what has finished (the order is the plan's, tuning first)."""

    def __init__(self, plan: Plan, done: dict[str, dict[str, Any]]) -> None:
        self.plan = plan
        self.done = dict(done)
        self.cells = {c.key: c for c in plan.cells}
        self.busy_cells: set[str] = set()
        self.started: set[str] = set()

    def _trials(self, cell: TuneCell) -> list[dict[str, Any]]:
        """The finished trials of ``cell``, in trial order, up to the first missing one."""
        out = []
        for k in range(cell.trials):
            record = self.done.get(cell.trial_job(k).id)
            if record is None:
                break
            out.append(record)
        return out

    def tuned_params(self, job: Job) -> tuple[dict[str, str], dict[str, Any]] | None:
        """The tuned values of a tuned variant's job, or None while its search is unfinished."""
        cell = self.cells[f"{job.benchmark}/{job.steps}/{job.base_variant}"]
        trials = self._trials(cell)
        return best_params(cell, trials) if len(trials) == cell.trials else None

    def next_spec(self) -> dict[str, Any] | None:
        """The spec of the next job to start, or None when nothing can start now."""
        for cell in self.plan.cells:
            if cell.key in self.busy_cells:
                continue
            trials = self._trials(cell)
            if len(trials) < cell.trials:
                job = cell.trial_job(len(trials))
                self.busy_cells.add(cell.key)
                self.started.add(job.id)
                return job.spec(next_params(cell, trials))
        for job in self.plan.jobs:
            if job.id in self.done or job.id in self.started:
                continue
            if job.tune:
                tuned = self.tuned_params(job)
                if tuned is None:
                    continue
                spec = job.spec(tuned[0])
                spec["tuning"] = tuned[1]
            else:
                spec = job.spec()
            self.started.add(job.id)
            return spec
        return None

    def finish(self, spec: dict[str, Any], record: dict[str, Any]) -> None:
        """Note a finished job."""
        self.done[spec["job"]] = record
        if spec.get("phase") == "tune":
            self.busy_cells.discard(spec["job"].rsplit("/", 1)[0])

    def remaining(self) -> int:
        """Jobs of the plan not finished yet."""
        return sum(1 for i in self.plan.all_ids() if i not in self.done)


def make_backend(options: RunOptions, out: Path, plan: Plan) -> Backend:
    """The backend ``options`` asks for."""
    if options.backend == "ray":
        return RayBackend(options.workers, options.address)
    logs = out / "logs" if options.logs else None
    if logs is not None:
        logs.mkdir(exist_ok=True)
    images = any(get_benchmark(b).kind == "images" for b in plan.variants)
    return LocalBackend(options.workers, logs, images=images)


def run_plan(
    plan: Plan,
    out: str | Path,
    options: RunOptions = RunOptions(),
    origin: str = "",
    reporter: Reporter | None = None,
    command: str | None = None,
) -> dict[str, int]:
    """Run every unfinished job of ``plan`` into ``out``; returns counts of what happened.

    ``origin`` (the suite's name or file) and ``command`` (how it was started) are kept in ``plan.json``.

    Raises:
        UserError: a bad option or output folder, or a folder that another run is writing.
    """
    out = Path(out)
    check_options(options)
    if plan.cells:
        require_optuna()
    check_out_dir(out)
    done = check_existing(plan, out)
    out.mkdir(parents=True, exist_ok=True)  # first write: every check has passed
    with folder_lock(out):
        results, configs = ResultsFile(out), ResultsFile(out, CONFIGS)
        results.repair()
        configs.repair()
        known = set(read_configs(out))
        record = _plan_record(plan, options, origin, command)
        record["jobs"] = list(dict.fromkeys(_previous_jobs(out) + record["jobs"]))  # a suite run in pieces
        _write_json(out / PLAN, record)
        scheduler = Scheduler(plan, done)
        ids = set(plan.all_ids())
        already = [r for i, r in done.items() if i in ids]
        reporter = reporter or make_reporter(options.tty)
        counts = {"ok": 0, "diverged": 0, "crashed": 0}
        backend = make_backend(options, out, plan)
        reporter.start(len(ids), len(already), sum(r.get("status") != "ok" for r in already))
        try:
            while True:
                while backend.in_flight() < backend.slots and (spec := scheduler.next_spec()) is not None:
                    if spec["config_hash"] not in known:  # each distinct config once, for resuming across upgrades
                        configs.append({"config_hash": spec["config_hash"], "config": to_dict(spec_config(spec))})
                        known.add(spec["config_hash"])
                    backend.submit(spec)
                    reporter.running(backend.in_flight())
                if not backend.in_flight():
                    break
                for spec, record in backend.wait(POLL_S):
                    if "tuning" in spec:
                        record["tuning"] = spec["tuning"]
                    results.append(record)
                    scheduler.finish(spec, record)
                    counts[record.get("status", "crashed")] = counts.get(record.get("status", "crashed"), 0) + 1
                    reporter.finished(record, backend.in_flight())
        finally:
            backend.close()
            reporter.close()
    counts["skipped"] = len(already)
    counts["remaining"] = scheduler.remaining()
    return counts
