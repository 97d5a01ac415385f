"""Checkpoints: written atomically, loaded without unpickling code, with fallback.

A checkpoint is a nested dict of tensors and plain values saved by :func:`torch.save`. It is
loaded with ``torch.load(weights_only=True)``, which refuses any pickled object other than
tensors and builtin containers, so a foreign or malicious file cannot run code. Writing goes to
a temporary file in the same folder, is flushed to disk, then renamed over the target
(:func:`os.replace` is atomic on POSIX), so a crash mid-write never damages the previous file.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Any

import torch

from ganhacks.errors import UserError

FORMAT = "ganhacks-checkpoint"  # marks our files; anything else is "foreign"
VERSION = 1
NAME = re.compile(r"step-(\d+)\.pt$")


def checkpoint_path(folder: Path, step: int) -> Path:
    """``folder/step-000123.pt``."""
    return folder / f"step-{step:06d}.pt"


def save_checkpoint(path: str | Path, state: dict[str, Any]) -> Path:
    """Atomically write ``state`` (tensors and plain values) to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            torch.save({"format": FORMAT, "version": VERSION, **state}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint`; never unpickles arbitrary objects.

    Raises:
        UserError: missing, truncated, corrupt or foreign file.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"checkpoint {path} does not exist")
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # truncated zip, pickle refused by weights_only, ...
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"checkpoint {path} is corrupt or not a ganhacks checkpoint ({first[:160]})") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise UserError(f"{path} is not a ganhacks checkpoint (no '{FORMAT}' marker)")
    if state.get("version", 0) > VERSION:
        raise UserError(f"checkpoint {path} has format version {state['version']}; upgrade ganhacks to read it")
    return state


def step_of(path: Path) -> int:
    """The step in a checkpoint's name (``step-000123.pt`` -> 123)."""
    m = NAME.search(Path(path).name)
    if m is None:
        raise ValueError(f"{path} is not named like a checkpoint (step-N.pt)")
    return int(m.group(1))


def list_checkpoints(folder: str | Path) -> list[Path]:
    """Checkpoints in ``folder``, oldest step first."""
    folder = Path(folder)
    found = [(int(m.group(1)), p) for p in folder.glob("step-*.pt") if (m := NAME.search(p.name))]
    return [p for _, p in sorted(found)]


def load_latest(folder: str | Path, map_location: str | torch.device = "cpu") -> tuple[Path, dict[str, Any]]:
    """The newest checkpoint in ``folder`` that loads; corrupt newer ones are skipped with a warning.

    Raises:
        UserError: no checkpoint in the folder loads.
    """
    paths = list_checkpoints(folder)
    if not paths:
        raise UserError(f"no checkpoint in {folder}; nothing to resume")
    problems = []
    for path in reversed(paths):
        try:
            return path, load_checkpoint(path, map_location)
        except UserError as exc:
            problems.append(str(exc))
            warnings.warn(f"skipping {path.name}: {exc}; falling back to the previous checkpoint", stacklevel=2)
    raise UserError(f"no checkpoint in {folder} could be read: {problems[0]}")


def prune_checkpoints(folder: str | Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` checkpoints; returns the deleted paths."""
    paths = list_checkpoints(folder)
    doomed = paths[:-keep] if keep > 0 else []
    for p in doomed:
        p.unlink(missing_ok=True)
    return doomed


def finite_weights(state: dict[str, Any], parts: tuple[str, ...] = ("G", "D", "ema")) -> bool:
    """True when every floating tensor of the networks ``parts`` of a trainer state is finite
    ("ema" means the EMA copy of G)."""
    dicts = [(state.get("ema") or {}).get("module") or {} if k == "ema" else state.get(k) or {} for k in parts]
    return all(
        bool(torch.isfinite(v).all())
        for part in dicts
        for v in part.values()
        if isinstance(v, torch.Tensor) and v.is_floating_point()
    )
