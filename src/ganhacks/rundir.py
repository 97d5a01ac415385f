"""The run folder: one owner for its file names and its JSON-lines files.

Every part that reads or writes a run folder (the trainer and its callbacks, the monitor's event
log, ``ganhacks eval``, ``ganhacks report``, the bench) asks a :class:`RunDir` for its paths
instead of spelling the names out::

    runs/<name>/
      config.json         the full resolved config
      metrics.jsonl       one JSON object per logged step
      events.jsonl        monitor alerts and actions
      metrics.json        the latest ``ganhacks eval`` of the run
      report.html         ``ganhacks report``
      samples/            image grids at fixed z (step-N.png)
      checkpoints/        step-N.pt (+ abandoned/, unreadable/)
      tensorboard/        optional TensorBoard events
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RunDir:
    """Paths of a run folder (nothing is created until a writer asks for it).

    Example:
        >>> RunDir("runs/demo").metrics
        PosixPath('runs/demo/metrics.jsonl')
    """

    path: Path

    def __init__(self, path: str | Path) -> None:
        object.__setattr__(self, "path", Path(path))

    @property
    def config(self) -> Path:
        """``config.json``: the resolved config (``--config`` and ``--resume`` read it back)."""
        return self.path / "config.json"

    @property
    def metrics(self) -> Path:
        """``metrics.jsonl``: one record per logged step."""
        return self.path / "metrics.jsonl"

    @property
    def events(self) -> Path:
        """``events.jsonl``: the monitor's alerts and actions."""
        return self.path / "events.jsonl"

    @property
    def final_metrics(self) -> Path:
        """``metrics.json``: what ``ganhacks eval RUN`` measured last."""
        return self.path / "metrics.json"

    @property
    def report(self) -> Path:
        """``report.html``: what ``ganhacks report RUN`` builds."""
        return self.path / "report.html"

    @property
    def samples(self) -> Path:
        """``samples/``: PNG grids at fixed z."""
        return self.path / "samples"

    @property
    def checkpoints(self) -> Path:
        """``checkpoints/``: ``step-N.pt`` files."""
        return self.path / "checkpoints"

    @property
    def abandoned(self) -> Path:
        """``checkpoints/abandoned/``: checkpoints of a path a monitor rollback left (never resumed from)."""
        return self.checkpoints / "abandoned"

    @property
    def unreadable(self) -> Path:
        """``checkpoints/unreadable/``: files that failed verification, moved aside instead of deleted."""
        return self.checkpoints / "unreadable"

    @property
    def tensorboard(self) -> Path:
        """``tensorboard/``: TensorBoard event files (``train.tensorboard=true``)."""
        return self.path / "tensorboard"

    def sample_path(self, step: int) -> Path:
        """``samples/step-000123.png``."""
        return self.samples / f"step-{step:06d}.png"

    def holds_run(self) -> bool:
        """True when the folder has results of a run (a checkpoint or logged metrics).

        A folder holding only the config.json of a run that failed before its first step (a bad
        setting found at start) is not a run: starting again there is allowed.
        """
        has_checkpoint = self.checkpoints.is_dir() and any(self.checkpoints.iterdir())
        has_metrics = self.metrics.is_file() and self.metrics.stat().st_size > 0
        return has_checkpoint or has_metrics


# ---------------------------------------------------------------- JSON lines


def json_safe(x: Any) -> Any:
    """``x`` with non-finite floats as strings (JSON has no NaN/Inf), recursively."""
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    if isinstance(x, dict):
        return {str(k): json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_safe(v) for v in x]
    return x


def append_jsonl(path: Path, record: dict[str, Any]) -> None:
    """Append one JSON object as one line (NaN/Inf become strings), creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        f.write(json.dumps(json_safe(record)) + "\n")


def read_jsonl(path: Path, skipped: list[str] | None = None) -> list[dict[str, Any]]:
    """The JSON objects of ``path``, one per line; unreadable lines (a crash mid-write) are skipped
    and, when ``skipped`` is given, noted there."""
    out: list[dict[str, Any]] = []
    bad = []
    for i, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            bad.append(i)
            continue
        if isinstance(obj, dict):
            out.append(obj)
        else:
            bad.append(i)
    if bad and skipped is not None:
        shown = ", ".join(map(str, bad[:5])) + ("..." if len(bad) > 5 else "")
        skipped.append(f"{path.name}: skipped {len(bad)} unreadable line(s) ({shown})")
    return out


def truncate_jsonl(path: Path, step: int | None = None, count: int | None = None) -> None:
    """Cut ``path`` back to what a resumed state had seen, dropping lines cut by a crash mid-write.

    With ``count``, the first ``count`` records are kept; otherwise the records logged at or
    before ``step`` (those after it were written by a run that crashed after its last checkpoint).
    Lines that are not UTF-8 JSON (a torn write, stray bytes) count as cut lines, as in
    :func:`read_jsonl`. The file is replaced atomically, so a crash here loses none of it.
    """
    if not path.exists():
        return
    kept = []
    for raw in path.read_bytes().splitlines():
        if count is not None and len(kept) == count:
            break
        try:
            line = raw.decode("utf-8")
            record = json.loads(line)
            if count is not None or int(record.get("step", 0)) <= step:
                kept.append(line)
        except (UnicodeDecodeError, json.JSONDecodeError, AttributeError, TypeError, ValueError):
            continue
    write_atomic(path, "".join(k + "\n" for k in kept))


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed over it: a reader (or a crash)
    sees the old file or the new one, never half of one, and no temporary file is left behind."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
