"""User images from CIFAR-10/100 "python version" batches, unpickled safely (tip T01).

A batch (``data_batch_1`` ... ``data_batch_5``, ``test_batch``; CIFAR-100: ``train``, ``test``)
is a pickled dict: ``data`` is a ``(N, 3072)`` uint8 array, each row the red, green and blue
32x32 planes in turn; ``labels`` (or ``fine_labels``) is a list of ints. Keys are ``bytes``
in the original Python 2 files and ``str`` in re-pickled ones; both are accepted.

Safety: unpickling runs whatever callables the file names, so a crafted "batch" could run
``os.system``. :class:`SafeUnpickler` refuses every global except the few numpy needs to
rebuild a plain array (its reconstructor, ``ndarray``, ``dtype``, the buffer helper of pickle
protocol 5) and ``_codecs.encode`` (how protocol 2 stores ``bytes``). These are looked up in
a fixed table, never imported by name, so no module named in a file is ever imported. dicts,
lists, str, bytes and ints need no globals at all. Arrays of Python objects are refused.
"""

from __future__ import annotations

import codecs
import gzip
import io
import pickle
from pathlib import Path

import numpy as np

from ganhacks.data.dataset import Dataset, labelled
from ganhacks.data.images import images_from_array
from ganhacks.errors import UserError

try:  # numpy >= 2 keeps its internals in numpy._core; pickles may name either place
    from numpy._core import multiarray as _multiarray
    from numpy._core import numeric as _numeric
except ImportError:  # pragma: no cover - numpy 1.x
    from numpy.core import multiarray as _multiarray  # type: ignore[no-redef]
    from numpy.core import numeric as _numeric  # type: ignore[no-redef]


class RefusedGlobal(pickle.UnpicklingError):
    """A pickle asked for a callable outside :data:`ALLOWED_GLOBALS`."""


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    """``_codecs.encode`` as protocol 2 uses it (``bytes`` saved as latin-1 text); other codecs refused."""
    plain = str(encoding).lower().replace("-", "").replace("_", "")
    if plain not in ("latin1", "iso88591") or not isinstance(text, str):  # no codec lookup by name
        raise RefusedGlobal(f"refusing _codecs.encode with encoding {encoding!r}")
    return codecs.encode(text, "latin1")


def _plain_dtype(*args: object) -> np.dtype:
    """``numpy.dtype`` for numeric types only: object arrays could hold anything, so they are refused."""
    dtype = np.dtype(*args)  # type: ignore[call-overload]
    if dtype.hasobject:
        raise RefusedGlobal("refusing a numpy array of Python objects")
    return dtype


# (module, name) a pickle may ask for -> the object handed back. Nothing else is allowed.
ALLOWED_GLOBALS: dict[tuple[str, str], object] = {
    **{(m, "_reconstruct"): _multiarray._reconstruct for m in ("numpy.core.multiarray", "numpy._core.multiarray")},
    **{(m, "_frombuffer"): _numeric._frombuffer for m in ("numpy.core.numeric", "numpy._core.numeric")},
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): _plain_dtype,
    ("_codecs", "encode"): _latin1_encode,
}
BATCH_PATTERNS = ("data_batch_*", "test_batch")  # file names looked for in a folder


class SafeUnpickler(pickle.Unpickler):
    """An unpickler that only rebuilds dicts, lists, str, bytes, numbers and numeric numpy arrays."""

    def find_class(self, module: str, name: str) -> object:
        try:
            return ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise RefusedGlobal(f"refusing to load global {module}.{name}") from None


def safe_unpickle(raw: bytes, name: str = "pickle") -> object:
    """Unpickle ``raw`` with :class:`SafeUnpickler` (``encoding="bytes"`` for Python 2 files).

    Raises:
        UserError: the pickle names a forbidden global or is corrupt.
    """
    try:
        return SafeUnpickler(io.BytesIO(raw), encoding="bytes").load()
    except RefusedGlobal as exc:
        msg = f"{name} was refused: {exc}; only plain CIFAR batches (dicts of arrays and lists) are loaded"
        raise UserError(msg) from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
        raise UserError(f"{name} is not a readable CIFAR batch ({type(exc).__name__}: {exc}); check the file") from None


def _get(batch: dict, *keys: str) -> object:
    for key in keys:
        for k in (key, key.encode()):
            if k in batch:
                return batch[k]
    return None


def parse_batch(batch: object, name: str = "batch") -> tuple[np.ndarray, np.ndarray | None]:
    """Images ``(N, 3, 32, 32)`` uint8 and labels ``(N,)`` (or None) from one unpickled batch."""
    if not isinstance(batch, dict):
        raise UserError(f"{name} holds a {type(batch).__name__}, not a CIFAR batch dict; give a data_batch_* file")
    data = _get(batch, "data")
    if not isinstance(data, np.ndarray) or data.dtype == object or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        shape = getattr(data, "shape", None)
        raise UserError(f"{name} has no 'data' array of shape (N, 3072) (got {shape}); give a CIFAR python batch")
    labels = _get(batch, "labels", "fine_labels")
    y = None if labels is None else np.asarray(labels)
    return data.reshape(-1, 3, 32, 32), y  # each row: R plane, G plane, B plane, 32x32 each


def read_batch(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """Read one CIFAR batch file (optionally ``.gz``) safely."""
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError) as exc:
        raise UserError(f"cannot read {path} ({exc}); check the file") from None
    return parse_batch(safe_unpickle(raw, str(path)), str(path))


def batch_files(folder: Path) -> list[Path]:
    """CIFAR batch files in ``folder``: ``data_batch_*`` if any, else ``test_batch``."""
    for pattern in BATCH_PATTERNS:
        found = sorted(p for p in folder.glob(pattern) if p.is_file())
        if found:
            return found
    return []


def load_cifar(
    path: str | Path, *, image_size: int | None = None, value_range: tuple[float, float] | None = None
) -> Dataset:
    """Load one CIFAR python batch file, or all the batches in a folder (tip T01).

    Args:
        path: a batch file, or a folder such as ``cifar-10-batches-py``.
        image_size: resize from 32 to this many pixels square when given.
        value_range: the stored ``(low, high)``; inferred when None (uint8 -> [0, 255]).

    Raises:
        UserError: no batches, a refused or corrupt pickle, a dict without CIFAR data.
    """
    path = Path(path)
    files = batch_files(path) if path.is_dir() else [path]
    if not files:
        raise UserError(f"no CIFAR batch files (data_batch_*, test_batch) in {path}; check the folder")
    parts = [read_batch(f) for f in files]
    arr = np.concatenate([p[0] for p in parts])
    ys = [p[1] for p in parts]
    y = np.concatenate(ys) if all(v is not None for v in ys) else None
    x = images_from_array(arr, name=str(path), value_range=value_range, image_size=image_size)
    return labelled(x, y, str(path), kind="images")
