"""The results file of a suite run, ``DIR/results.jsonl``: one JSON line per finished job, appended by
the parent process only.

Each line is written by one ``write()`` on a file opened for appending, then flushed and fsynced,
so a crash leaves at most a torn last line and never a half-line in the middle. Reading tolerates
that torn line; :meth:`ResultsFile.repair` cuts it off before a rerun appends (otherwise the next
line would be glued to it). A lock file (``DIR/.lock``, ``flock``) keeps two runs from writing to
one folder at once; the kernel releases it when its holder dies, even by SIGKILL.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ganhacks.bench.benchmarks import BENCHMARKS
from ganhacks.errors import UserError
from ganhacks.rundir import json_safe

RESULTS = "results.jsonl"  # one line per finished job
CONFIGS = "configs.jsonl"  # one line per distinct resolved config: {"config_hash", "config"}
PLAN = "plan.json"  # what the run set out to do (suite text, options, every job id)
LOCK = ".lock"  # held while a run writes to the folder


# field -> the types a record's value must have (a hand-edited or foreign line that lacks them is skipped)
RECORD_FIELDS: dict[str, tuple[type, ...]] = {
    "job": (str,),
    "benchmark": (str,),
    "variant": (str,),
    "steps": (int,),
    "seed": (int,),
    "status": (str,),
    "metrics": (dict,),
}


def is_record(obj: Any) -> bool:
    """Whether ``obj`` has the shape of a job record (the fields every reader relies on, of the right types)."""
    if not isinstance(obj, dict):
        return False
    for key, types in RECORD_FIELDS.items():
        value = obj.get(key)
        if not isinstance(value, types) or isinstance(value, bool):
            return False
    return obj["benchmark"] in BENCHMARKS.names() and all(
        isinstance(v, (int, float, str)) and not isinstance(v, bool) for v in obj["metrics"].values()
    )


def read_records(path: Path) -> list[dict[str, Any]]:
    """The records of a results file, in order; a torn or unreadable line (a crash mid-write), or one
    without the fields of a job record, is skipped."""
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            continue
        if is_record(record):
            out.append(record)
    return out


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON object from ``path`` ({} when the file is missing, unreadable or not an object)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def latest_by_job(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Job id -> its record (the first one, should a hand-edited file hold a job twice)."""
    out: dict[str, dict[str, Any]] = {}
    for r in records:
        out.setdefault(r["job"], r)
    return out


def read_configs(folder: str | Path) -> dict[str, dict[str, Any]]:
    """Config hash -> the resolved config (JSON form) that jobs with that hash ran, from ``DIR/configs.jsonl``."""
    out = {}
    path = Path(folder) / CONFIGS
    if path.is_file():
        for line in path.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if (
                isinstance(entry, dict)
                and isinstance(entry.get("config_hash"), str)
                and isinstance(entry.get("config"), dict)
            ):
                out[entry["config_hash"]] = entry["config"]
    return out


class ResultsFile:
    """Appends records to ``DIR/results.jsonl`` atomically (one write per line, flushed and fsynced).

    ``name`` selects another JSON-lines file of the folder written the same way (``configs.jsonl``).
    """

    def __init__(self, folder: str | Path, name: str = RESULTS) -> None:
        self.path = Path(folder) / name

    def records(self) -> list[dict[str, Any]]:
        """Every readable record."""
        return read_records(self.path)

    def repair(self) -> None:
        """Cut a torn last line (no newline at the end) left by a run killed mid-write."""
        if not self.path.is_file():
            return
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            keep = data.rfind(b"\n") + 1
            with open(self.path, "r+b") as f:
                f.truncate(keep)
                f.flush()
                os.fsync(f.fileno())

    def append(self, record: dict[str, Any]) -> None:
        """Append ``record`` as one line (NaN/Inf become strings) in one write, then fsync."""
        line = (json.dumps(json_safe(record), sort_keys=False) + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            written = os.write(fd, line)
            if written != len(line):  # a short write on a full disk: leave no half-line behind
                raise OSError(f"wrote {written} of {len(line)} bytes to {self.path}")
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def folder_lock(folder: str | Path) -> Iterator[None]:
    """Hold ``DIR/.lock`` for the duration; a second run on the same folder gets a :class:`UserError`."""
    path = Path(folder) / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            raise UserError(
                f"{folder} is being written by another ganhacks bench run (pid {other}); "
                "wait for it, or choose another --out"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def is_locked(folder: str | Path) -> bool:
    """Whether a run holds ``DIR/.lock`` now."""
    path = Path(folder) / LOCK
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
