"""Where jobs run: local worker processes, or Ray tasks (one machine or a cluster).

Both backends take job specs and hand back ``(spec, record)`` pairs as jobs finish; the runner
alone writes the results file. The same :func:`ganhacks.bench.worker.run_job` runs every job, with
torch on one thread, so a job's numbers do not depend on the backend.

* :class:`LocalBackend` forks one fresh process per job from a fork server that has already
  imported torch and the trainer (so a job starts in milliseconds and no job inherits another's
  state). A worker that dies without a result (killed, out of memory) becomes a ``crashed`` record.
  Workers leave the terminal's process group, so Ctrl-C reaches only the runner, which ends them,
  and each watches its parent: if the runner is killed (even by SIGKILL) they exit within a second.
* :class:`RayBackend` submits each job as a Ray task (``num_cpus=1``, no retries):
  ``ray.init()`` starts a local Ray with ``workers`` CPUs, or ``address`` joins a running cluster
  (whose nodes must have ganhacks installed). Ray is an optional extra: ``pip install 'ganhacks[ray]'``.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, Protocol

import ganhacks
from ganhacks.bench.worker import SPEC_FIELDS, run_job
from ganhacks.errors import UserError

PARENT_POLL_S = 1.0  # how often a worker checks that its runner is alive
# Imported once by the fork server, so no job pays for them: the trainer and metrics, and what they
# import lazily on first use (torch's optimisers pull in torch._dynamo): without it every job spent
# about 2 CPU-seconds importing (docs/bench.md). Image benchmarks add scikit-learn (the digits).
PRELOAD = ("ganhacks.bench.worker", "torch._dynamo")
PRELOAD_IMAGES = ("sklearn.datasets", "scipy.linalg")


class Backend(Protocol):
    """What the runner needs from a place to run jobs."""

    name: str
    slots: int  # jobs that may run at once

    def submit(self, spec: dict[str, Any]) -> None:
        """Start the job ``spec``."""
        ...

    def wait(self, timeout: float) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """Finished ``(spec, record)`` pairs, waiting up to ``timeout`` seconds for the first."""
        ...

    def in_flight(self) -> int:
        """Jobs started and not yet handed back."""
        ...

    def close(self) -> None:
        """End running jobs and release resources."""
        ...


def crashed_record(spec: dict[str, Any], error: str) -> dict[str, Any]:
    """The record of a job whose worker died or was lost before it could report."""
    record = {k: spec.get(k) for k in SPEC_FIELDS}
    record.update(
        status="crashed",
        error=error,
        metrics={},
        collapsed=None,
        alerts=[],
        events=[],
        steps_done=None,
        wall_s=None,
        cpu_s=None,
        train_wall_s=None,
        train_cpu_s=None,
        steps_per_s=None,
    )
    return record


def _watch_parent(parent_pid: int) -> None:
    """Exit this process soon after ``parent_pid`` (the runner) is gone."""
    first_ppid = os.getppid()

    def loop() -> None:
        while True:
            time.sleep(PARENT_POLL_S)
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(3)
            except PermissionError:
                pass
            if os.getppid() != first_ppid:  # the fork server went with the runner: we were re-parented
                os._exit(3)

    threading.Thread(target=loop, name="ganhacks-bench-parent-watch", daemon=True).start()


def _child(spec: dict[str, Any], conn: Any, parent_pid: int, log_path: str | None) -> None:
    """A local worker: run one job and send its record to the runner."""
    os.setpgrp()  # out of the terminal's process group: Ctrl-C goes to the runner, which ends us
    if log_path is not None:
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    _watch_parent(parent_pid)
    record = run_job(spec)
    conn.send(record)
    conn.close()


def pythonpath_with_this_ganhacks() -> str:
    """``$PYTHONPATH`` with the folder holding this ganhacks first, so worker processes started from a
    fresh interpreter (the fork server, Ray's workers) import this copy, not another install."""
    src = str(Path(ganhacks.__file__).resolve().parents[1])
    rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != src]
    return os.pathsep.join([src, *rest])


def _context(preload: tuple[str, ...]) -> multiprocessing.context.BaseContext:
    # the fork server is a fresh interpreter that imports the preloaded modules before it learns the
    # runner's sys.path (Python 3.11): it finds this ganhacks through the environment it inherits
    os.environ["PYTHONPATH"] = pythonpath_with_this_ganhacks()
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(list(preload))
        return ctx
    return multiprocessing.get_context("spawn")


class LocalBackend:
    """One fresh worker process per job, at most ``workers`` at once.

    Args:
        workers: jobs run at once.
        log_dir: folder for each job's stdout/stderr (``None``: inherit the runner's).
        images: the jobs include image benchmarks (their imports are preloaded too).
    """

    name = "local"

    def __init__(self, workers: int, log_dir: str | Path | None = None, images: bool = True) -> None:
        self.slots = workers
        self.log_dir = Path(log_dir) if log_dir is not None else None
        self.ctx = _context(PRELOAD + (PRELOAD_IMAGES if images else ()))
        self.running: list[tuple[Any, Any, dict[str, Any]]] = []  # (process, result connection, spec)

    def submit(self, spec: dict[str, Any]) -> None:
        recv, send = self.ctx.Pipe(duplex=False)
        log = str(self.log_dir / (spec["job"].replace("/", "__") + ".log")) if self.log_dir is not None else None
        proc = self.ctx.Process(target=_child, args=(spec, send, os.getpid(), log), name=f"bench {spec['job']}")
        proc.start()
        send.close()  # the child holds the only write end: EOF here means it died
        self.running.append((proc, recv, spec))

    def wait(self, timeout: float) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        if not self.running:
            return []
        multiprocessing.connection.wait([conn for _, conn, _ in self.running], timeout)
        done, still = [], []
        for proc, conn, spec in self.running:
            if not conn.poll():
                still.append((proc, conn, spec))
                continue
            try:
                record = conn.recv()
            except (EOFError, OSError):
                proc.join()
                record = crashed_record(
                    spec, f"worker process died without a result (exit code {proc.exitcode}; killed or out of memory?)"
                )
            else:
                proc.join()
            conn.close()
            proc.close()  # its file descriptors: a suite starts thousands of processes
            done.append((spec, record))
        self.running = still
        return done

    def in_flight(self) -> int:
        return len(self.running)

    def close(self) -> None:
        for proc, conn, _ in self.running:
            if proc.is_alive():
                proc.kill()
            proc.join()
            conn.close()
        self.running = []


class RayBackend:
    """Jobs as Ray tasks (one CPU each, no retries: a failure is recorded, not repeated).

    Args:
        workers: CPUs of a local Ray, and jobs in flight at once.
        address: a running cluster's address (``ray://host:10001`` or ``auto``); ``None`` starts a local Ray.
    """

    name = "ray"

    def __init__(self, workers: int, address: str | None = None) -> None:
        try:
            import ray  # an optional extra: imported only when this backend is chosen
        except ImportError:
            raise UserError("--backend ray needs Ray: pip install 'ganhacks[ray]'") from None
        self.ray = ray
        self.slots = workers
        self.started = not ray.is_initialized()
        if self.started:
            env = {"env_vars": {"PYTHONPATH": pythonpath_with_this_ganhacks()}}  # this ganhacks, for local workers
            common = {"include_dashboard": False, "log_to_driver": False}
            try:
                if address:
                    ray.init(address=address, **common)
                else:
                    ray.init(num_cpus=workers, runtime_env=env, **common)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise UserError(f"cannot start or reach Ray ({exc}); check --address") from None
        self.task = ray.remote(num_cpus=1, max_retries=0)(run_job)
        self.running: dict[Any, dict[str, Any]] = {}

    def submit(self, spec: dict[str, Any]) -> None:
        self.running[self.task.remote(spec)] = spec

    def wait(self, timeout: float) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        if not self.running:
            return []
        refs = list(self.running)
        first, _ = self.ray.wait(refs, num_returns=1, timeout=timeout)
        ready, _ = self.ray.wait(refs, num_returns=len(refs), timeout=0) if first else ([], refs)
        done = []
        for ref in ready:
            spec = self.running.pop(ref)
            try:
                record = self.ray.get(ref)
            except self.ray.exceptions.RayError as exc:
                record = crashed_record(spec, f"Ray task failed: {str(exc).splitlines()[0]}")
            done.append((spec, record))
        return done

    def in_flight(self) -> int:
        return len(self.running)

    def close(self) -> None:
        for ref in list(self.running):
            self.ray.cancel(ref, force=True)
        self.running = {}
        if self.started:
            self.ray.shutdown()
