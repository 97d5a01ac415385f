"""Find the Python files to audit and read them safely (bad input is reported, never raised).

Folders are walked once; symlinked folders are followed but each real folder is visited once,
so symlink loops end with a per-path problem. Files that are too large, binary, undecodable or
unreadable become :class:`Problem` entries; only a path that does not exist is a UserError.
"""

from __future__ import annotations

import errno
import io
import os
import tokenize
from dataclasses import dataclass

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
            before = len(files)
            _walk(path, exclude, files, problems, seen_files, set())
            if len(files) == before:
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
