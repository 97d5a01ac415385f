"""Find the Python files to audit, read them safely, and group their facts into units.

Folders are walked once; symlinked folders are followed but each real folder is visited once,
so symlink loops end with a per-path problem. Files that are too large, binary, undecodable or
unreadable become :class:`Problem` entries (never raised); only a path that does not exist is a
UserError. Parsed files are then grouped into *units*: connected components of their local
imports, so a ``train.py`` that does ``from models import Generator`` is audited with ``models.py``.
"""

from __future__ import annotations

import errno
import io
import os
import tokenize
from dataclasses import dataclass

from ganhacks.doctor.source import FileFacts
from ganhacks.errors import UserError

PY_SUFFIXES = (".py", ".pyw")


@dataclass(frozen=True)
class Problem:
    """A path the doctor could not audit, with the reason in one line."""

    path: str
    reason: str


def collect(paths: list[str], exclude: tuple[str, ...] = ()) -> tuple[list[str], list[Problem]]:
    """The .py files under ``paths`` (sorted, each once) and the problems met while walking.

    Raises:
        UserError: a path does not exist.
    """
    if not paths:
        raise UserError("give at least one file or folder to audit")
    files: list[str] = []
    problems: list[Problem] = []
    seen_files: set[str] = set()
    for path in paths:
        if not os.path.lexists(path):
            raise UserError(f"path does not exist: '{path}' (give a .py file or a folder)")
        if os.path.isdir(path):
            before = len(files), len(problems)
            _walk(path, exclude, files, problems, seen_files, set())
            if (len(files), len(problems)) == before:  # Python files it holds but cannot read are said already
                problems.append(Problem(path, "no Python files found in this folder"))
        elif os.path.isfile(path):
            if not path.endswith(PY_SUFFIXES):
                problems.append(Problem(path, "not a Python file (.py), skipped"))
            else:
                _add(path, files, seen_files)
        else:
            problems.append(Problem(path, _why_unreadable(path)))
    return files, problems


def _add(path: str, files: list[str], seen: set[str]) -> None:
    real = os.path.realpath(path)
    if real not in seen:
        seen.add(real)
        files.append(path)


def _why_unreadable(path: str) -> str:
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop, skipped"
        if exc.errno == errno.ENOENT and os.path.islink(path):
            return f"broken link: its target {os.readlink(path)} does not exist; skipped"
        return f"cannot read: {exc.strerror or exc}"
    return "not a regular file or folder, skipped"


def _walk(
    folder: str,
    exclude: tuple[str, ...],
    files: list[str],
    problems: list[Problem],
    seen_files: set[str],
    seen_dirs: set[str],
) -> None:
    stack = [folder]
    while stack:
        here = stack.pop()
        real = os.path.realpath(here)
        if real in seen_dirs:
            problems.append(Problem(here, "symlink loop (folder already visited), skipped"))
            continue
        seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(here, f"cannot list folder: {exc.strerror or exc}"))
            continue
        subdirs = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
                is_file = entry.is_file()
            except OSError:
                is_dir = is_file = False
            if is_dir:
                if entry.name not in exclude:
                    subdirs.append(entry.path)
            elif entry.name.endswith(PY_SUFFIXES):
                if is_file:
                    _add(entry.path, files, seen_files)
                else:
                    problems.append(Problem(entry.path, _why_unreadable(entry.path)))
            elif entry.is_symlink() and not os.path.exists(entry.path):
                reason = _why_unreadable(entry.path)
                if "loop" in reason:
                    problems.append(Problem(entry.path, reason))
        stack.extend(reversed(subdirs))
    files.sort()


def read_source(path: str, max_bytes: int) -> tuple[str | None, Problem | None]:
    """The decoded text of ``path``, or a problem saying why it cannot be audited."""
    try:
        size = os.path.getsize(path)
        if size > max_bytes:
            return None, Problem(path, f"too large ({size} bytes > max_file_bytes={max_bytes}), skipped")
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return None, Problem(path, f"cannot read: {exc.strerror or exc}")
    if b"\x00" in data:
        return None, Problem(path, "binary file, not Python source, skipped")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), None
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        return None, Problem(path, f"cannot decode as text: {exc}")


# --- grouping files into units ------------------------------------------------------------
def module_keys(path: str) -> list[str]:
    """Dotted names a file may be imported as: ``a/b/nets.py`` -> ["nets", "b.nets", "a.b.nets"]."""
    parts = list(os.path.normpath(path).replace("\\", "/").split("/"))
    parts[-1] = parts[-1][:-3] if parts[-1].endswith(".py") else parts[-1]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return [".".join(parts[-k:]) for k in range(1, min(len(parts), 6) + 1) if parts[-k:]]


def group_units(files: list[FileFacts]) -> list[list[FileFacts]]:
    """Split files into connected components of their local imports (each a unit to audit)."""
    index: dict[str, list[int]] = {}
    for i, f in enumerate(files):
        for key in module_keys(f.path):
            index.setdefault(key, []).append(i)
    parent = list(range(len(files)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, f in enumerate(files):
        here = os.path.dirname(os.path.normpath(f.path))
        for mod, level in f.imports:
            if level:
                base = here
                for _ in range(level - 1):
                    base = os.path.dirname(base)
                rel = os.path.relpath(base) if os.path.isabs(base) != os.path.isabs(f.path) else base
                key = ".".join(
                    [p for p in rel.replace("\\", "/").split("/") if p not in {"", "."}] + ([mod] if mod else [])
                )
                cands = [j for j in index.get(key, []) + index.get(mod, []) if j != i] if key or mod else []
            else:
                cands = [j for j in index.get(mod, []) if j != i]
            if not cands:
                continue
            best = max(cands, key=lambda j: len(os.path.commonprefix([os.path.dirname(files[j].path), here])))
            parent[find(best)] = find(i)
    groups: dict[int, list[FileFacts]] = {}
    for i, f in enumerate(files):
        groups.setdefault(find(i), []).append(f)
    return list(groups.values())
