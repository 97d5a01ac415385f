"""Files a command writes at a path the user names: ``doctor -o``, ``eval --out``, ``report --out``.

A mistyped output path must never cost the user data. :func:`check_output` runs before any work
and refuses a path that

* is a folder,
* is the same file as one of the command's inputs (``eval fake.npy --out fake.npy``),
* lies inside a run's ``checkpoints/`` folder (the files ``--resume`` needs), or
* is an existing file that is not this command's own output, judged by its content: a ``.py``,
  ``.npy``, ``.pt``, ``.png`` or a run's ``config.json`` is refused; the command's previous
  ``report.html`` or ``metrics.json`` is replaced, so rerunning a command keeps working.

:func:`write_output` then writes atomically, so an interrupted write leaves the old file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ganhacks.errors import UserError
from ganhacks.rundir import RunDir, write_atomic

SNIFF_LIMIT = 64 << 20  # an existing file larger than this is not a report of ours: not read, refused


@dataclass(frozen=True)
class OutputKind:
    """What a command writes, so that its own previous output can be told from the user's files."""

    what: str  # "an HTML report of ganhacks report", for the error message
    example: str  # a file name to suggest when the path given is a folder
    suffixes: tuple[str, ...]  # suffixes (lower case) of the files it writes ("" = none); the first is suggested
    is_own: Callable[[str], bool]  # the text of an existing file -> True when this command wrote it


def check_output(
    path: str | Path, kind: OutputKind, inputs: Iterable[str | Path] = (), option: str = "--out", given: bool = True
) -> Path:
    """Return ``path`` after checking that writing ``kind`` there loses nothing of the user's.

    Args:
        path: the output path.
        kind: what the command writes there.
        inputs: the paths the command reads (files or folders; names that are not paths are ignored).
        option: the option that sets the path, for the message.
        given: False when ``path`` is the command's default rather than the user's choice.

    Raises:
        UserError: the path is a folder, one of the inputs, inside a run's checkpoints folder, or an
            existing file this command did not write.
    """
    path = Path(path)
    where = f"{option} {path}" if given else f"the default output {path}"
    another = "choose another path" if given else f"choose another path with {option}"
    if path.is_dir():
        raise UserError(f"{where} is a folder; give a file path, e.g. {option} {path / kind.example}")
    for other in inputs:
        if _same_file(path, Path(other)):
            raise UserError(f"{where} is also an input of this command ({other}); {another}")
    if _in_checkpoints(path):
        raise UserError(f"{where} is inside a run's checkpoints/ folder, which holds what --resume needs; {another}")
    if path.exists() and not _is_own(path, kind):
        raise UserError(f"{where} already exists and is not {kind.what}; {another} (or delete the file yourself)")
    return path


def write_output(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (checked by :func:`check_output`) atomically, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)


def _same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` are one file (through links, ``..`` or another spelling)."""
    try:
        return a.exists() and b.is_file() and os.path.samefile(a, b)
    except OSError:  # unreadable: the command reading it will say so
        return False


def _in_checkpoints(path: Path) -> bool:
    """Whether ``path`` lies (at any depth) in the ``checkpoints/`` folder of a run."""
    for spelled in (Path(os.path.abspath(path)), path.resolve()):  # as written, and through links
        for parent in spelled.parents:
            run = RunDir(parent.parent)
            if parent == run.checkpoints and (run.config.is_file() or any(parent.glob("*.pt"))):
                return True
    return False


def _is_own(path: Path, kind: OutputKind) -> bool:
    """Whether the existing file at ``path`` is what ``kind``'s command wrote there before.

    The content decides (a report rerun under any name is replaced; a script, an array or a
    checkpoint never reads as a report); an empty file holds nothing to lose, but is replaced only
    under a name this command writes (an empty ``__init__.py`` is still the user's).
    """
    if not path.is_file():
        return False
    size = path.stat().st_size
    if size == 0:
        return path.suffix.lower() in kind.suffixes
    if size > SNIFF_LIMIT:
        return False
    return kind.is_own(path.read_bytes().decode("utf-8", errors="replace"))
