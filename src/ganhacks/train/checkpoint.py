"""Checkpoints: written atomically, checksummed, loaded without unpickling code, never lost to pruning.

A checkpoint is a nested dict of tensors and plain values saved by :func:`torch.save`. It is
loaded with ``torch.load(weights_only=True)``, which refuses any pickled object other than
tensors and builtin containers, so a foreign or malicious file cannot run code.

Writing (:func:`save_checkpoint`) goes to a temporary file in the same folder, which is flushed to
disk and then renamed over the target (:func:`os.replace` is atomic on POSIX), so a crash
mid-write never damages an existing file; the folder is synced after the rename. Each file
carries a SHA-256 digest of its own contents (:func:`state_digest`, key ``sha256``): a bit
flipped on disk or in a copy is found when the file is read, instead of resuming from silently
wrong weights.

A checkpoint *verifies* (:func:`checkpoint_problem` returns None) when it loads, its digest
matches and its networks' weights are finite. Pruning (:func:`prune_checkpoints`) counts only
checkpoints that verify, never deletes the one just written, and moves files that fail to
``checkpoints/unreadable/`` (with a one-line notice) instead of deleting or trusting them. So a
crash at any point of save-then-prune leaves the newest verified checkpoint in place.

Files written before digests existed (format version 1) load without the digest check.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any, NamedTuple

import torch

from ganhacks.errors import UserError

log = logging.getLogger(__name__)

FORMAT = "ganhacks-checkpoint"  # marks our files; anything else is "foreign"
VERSION = 2  # 2: carries a SHA-256 digest of its contents ("sha256")
HEADER = ("format", "version", "sha256")  # keys our writer adds around the trainer's state
NAME = re.compile(r"step-(\d+)\.pt$")
TEMP_GLOB = ".step-*.pt.tmp-*"  # what a crash mid-write leaves behind (never a finished checkpoint)
UNREADABLE = "unreadable"  # default sub-folder for files that fail verification (as RunDir.unreadable)


def checkpoint_path(folder: Path, step: int) -> Path:
    """``folder/step-000123.pt``."""
    return folder / f"step-{step:06d}.pt"


# ---------------------------------------------------------------- digest


def _feed(h: Any, obj: Any) -> None:
    """Feed ``obj`` (nested dicts/lists/tuples of tensors and plain values) to hash ``h``, canonically."""
    if isinstance(obj, torch.Tensor):
        t = obj.detach().cpu().contiguous()
        h.update(f"T{t.dtype}{tuple(t.shape)};".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy())  # the raw bytes, any dtype (bf16 included)
    elif isinstance(obj, dict):
        h.update(f"D{len(obj)};".encode())
        for key in sorted(obj, key=repr):  # independent of insertion order
            _feed(h, key)
            _feed(h, obj[key])
    elif isinstance(obj, (list, tuple)):
        h.update(f"{'L' if isinstance(obj, list) else 'U'}{len(obj)};".encode())
        for item in obj:
            _feed(h, item)
    elif isinstance(obj, (bytes, bytearray)):
        h.update(f"B{len(obj)};".encode())
        h.update(obj)
    else:  # str, int, float, bool, None (repr is exact for floats, nan and inf included)
        h.update(f"{type(obj).__name__}:{obj!r};".encode())


def state_digest(state: dict[str, Any]) -> str:
    """SHA-256 (hex) of a checkpoint's contents, the header keys (format, version, sha256) left out.

    It depends on every tensor's dtype, shape and bytes and on every plain value, not on dict order
    or memory layout, so it is the same before :func:`torch.save` and after :func:`torch.load`.
    """
    h = hashlib.sha256()
    _feed(h, {k: v for k, v in state.items() if k not in HEADER})
    return h.hexdigest()


# ---------------------------------------------------------------- write


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save_checkpoint(path: str | Path, state: dict[str, Any]) -> Path:
    """Atomically write ``state`` (tensors and plain values) to ``path``, with its digest.

    Steps: digest, write a temporary file next to ``path`` and flush it to disk, rename it over
    ``path``, sync the folder. A crash before the rename leaves ``path`` as it was (and at most a
    temporary file that :func:`remove_stale_temps` clears).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    record = {"format": FORMAT, "version": VERSION, "sha256": state_digest(state), **state}
    try:
        with open(tmp, "wb") as f:
            torch.save(record, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _fsync_folder(path.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def remove_stale_temps(folder: str | Path) -> list[Path]:
    """Delete the temporary files a crash mid-write left in ``folder`` (never a finished checkpoint)."""
    stale = sorted(Path(folder).glob(TEMP_GLOB))
    for p in stale:
        p.unlink(missing_ok=True)
    return stale


# ---------------------------------------------------------------- read


def _load_problem(path: Path, exc: BaseException) -> str:
    """A short, readable reason why ``torch.load`` failed on ``path`` (torch's own text is long)."""
    if isinstance(exc, OSError):
        return (exc.strerror or str(exc)).lower()
    if isinstance(exc, pickle.UnpicklingError):
        if not zipfile.is_zipfile(path):
            return "not a checkpoint archive (truncated, or not written by torch.save)"
        called = re.search(r"GLOBAL ([\w.]+)", str(exc))
        if called:
            return f"refused: loading it would import and run {called.group(1)}"
        return "refused: it holds Python objects, not only tensors and plain values"
    if not zipfile.is_zipfile(path):
        return "not a checkpoint archive (truncated, or not written by torch.save)"
    return "damaged archive (partly overwritten or corrupted)"


def _read(path: Path, map_location: str | torch.device) -> dict[str, Any] | str:
    """The checkpoint's dict, or the reason it cannot be used."""
    try:
        if path.is_dir():
            return "it is a folder, not a file"
        if not path.is_file():
            return "no such file"
        if path.stat().st_size == 0:
            return "the file is empty (0 bytes)"
        with warnings.catch_warnings():  # torch warns about pickle protocols of foreign files
            warnings.simplefilter("ignore")
            state = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # truncated zip, pickle refused by weights_only, unreadable file, ...
        return _load_problem(path, exc)
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        return f"not written by ganhacks (no '{FORMAT}' marker)"
    version = state.get("version", 0)
    if not isinstance(version, int) or version > VERSION:
        return f"format version {version} is newer than this ganhacks reads; upgrade ganhacks"
    if version >= 2 and state.get("sha256") != state_digest(state):
        return "checksum mismatch: its contents changed after it was written (disk or copy corruption)"
    return state


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint`; never unpickles arbitrary objects.

    Raises:
        UserError: missing, empty, truncated, corrupt (digest mismatch), refused or foreign file.
    """
    path = Path(path)
    state = _read(path, map_location)
    if isinstance(state, str):
        raise UserError(f"cannot use checkpoint {path}: {state}")
    return state


def checkpoint_problem(path: str | Path) -> str | None:
    """None when the checkpoint at ``path`` verifies (loads, digest matches, finite weights), else why not."""
    state = _read(Path(path), "cpu")
    if isinstance(state, str):
        return state
    if not finite_weights(state):
        return "its weights hold NaN/Inf"
    return None


def step_of(path: Path) -> int:
    """The step in a checkpoint's name (``step-000123.pt`` -> 123)."""
    m = NAME.search(Path(path).name)
    if m is None:
        raise ValueError(f"{path} is not named like a checkpoint (step-N.pt)")
    return int(m.group(1))


def list_checkpoints(folder: str | Path) -> list[Path]:
    """Checkpoint files in ``folder``, oldest step first (temporary files and sub-folders left out)."""
    folder = Path(folder)
    found = [(int(m.group(1)), p) for p in folder.glob("step-*.pt") if (m := NAME.search(p.name))]
    return [p for _, p in sorted(found)]


class Skipped(NamedTuple):
    """A checkpoint passed over by :func:`load_latest`, and why."""

    path: Path
    reason: str


def load_latest(
    folder: str | Path, map_location: str | torch.device = "cpu", skipped: list[Skipped] | None = None
) -> tuple[Path, dict[str, Any]]:
    """The newest checkpoint in ``folder`` that verifies; newer ones that do not are skipped, each
    with a one-line notice (and listed in ``skipped`` when given). Nothing is moved or deleted.

    Raises:
        UserError: no checkpoint in the folder verifies.
    """
    paths = list_checkpoints(folder)
    if not paths:
        raise UserError(f"no checkpoint in {folder}; nothing to resume")
    passed: list[Skipped] = []
    for path in reversed(paths):
        state = _read(path, map_location)
        if not isinstance(state, str) and not finite_weights(state):
            state = "its weights hold NaN/Inf"
        if not isinstance(state, str):
            if skipped is not None:
                skipped.extend(passed)
            return path, state
        passed.append(Skipped(path, state))
        log.warning("skipping checkpoint %s: %s; trying the one before", path.name, state)
    reasons = "; ".join(f"{s.path.name}: {s.reason}" for s in passed[:3]) + ("; ..." if len(passed) > 3 else "")
    raise UserError(f"no checkpoint in {folder} can be used ({reasons})")


# ---------------------------------------------------------------- prune


def set_aside(path: Path, reason: str, folder: Path | None = None) -> Path:
    """Move an unusable checkpoint to ``folder`` (default: ``checkpoints/unreadable/`` beside it),
    with a one-line notice; an existing file of that name there is never overwritten."""
    folder = folder or path.parent / UNREADABLE
    folder.mkdir(exist_ok=True)
    target, n = folder / path.name, 1
    while target.exists():
        target, n = folder / f"{path.name}.{n}", n + 1
    os.replace(path, target)
    log.warning("moved checkpoint %s to %s/: %s", path.name, folder.name, reason)
    return target


class Pruned(NamedTuple):
    """What :func:`prune_checkpoints` did."""

    deleted: list[Path]  # verified checkpoints older than the newest ``keep`` verified ones
    set_aside: list[Path]  # files that failed verification, now in ``checkpoints/unreadable/``


def prune_checkpoints(
    folder: str | Path, keep: int, protect: Path | None = None, unreadable: Path | None = None
) -> Pruned:
    """Keep the newest ``keep`` (>= 1) checkpoints that verify; delete older verified ones.

    Walks from the newest step down. A file that fails verification is moved to ``unreadable``
    (default ``folder/unreadable/``) and does not count; ``protect`` (the file just written) is
    never moved or deleted. A file is deleted only after it verifies and ``keep`` newer verified
    ones exist, so a crash at any point leaves them all in place.
    """
    if keep < 1:
        raise UserError(f"keep_checkpoints must be >= 1, got {keep}")
    protect = Path(protect) if protect is not None else None
    kept, deleted, moved = 0, [], []
    for path in reversed(list_checkpoints(folder)):
        problem = checkpoint_problem(path)
        if path == protect:
            if problem is not None:
                log.warning("checkpoint %s failed verification right after writing: %s", path.name, problem)
            else:
                kept += 1
        elif problem is not None:
            moved.append(set_aside(path, problem, unreadable))
        elif kept < keep:
            kept += 1
        else:
            path.unlink(missing_ok=True)
            deleted.append(path)
    return Pruned(deleted, moved)


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
