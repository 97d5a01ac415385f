"""User images from numpy files: ``.npy`` (images only) and ``.npz`` (images + labels), tip T01.

Layout: ``(N, H, W)``, ``(N, C, H, W)`` or ``(N, H, W, C)`` with C in {1, 3}; the channel
axis is found by :func:`ganhacks.data.images.channel_axis`. Values: uint8, or any numbers in
[-1, 1], [0, 1] or [0, 255] (see :func:`ganhacks.data.scaling.infer_value_range`); give
``value_range`` for anything else. Files are read with ``allow_pickle=False``: object arrays,
which could run code when loaded, are refused.

In an ``.npz`` the images are the first of the keys ``x, images, data, arr_0`` present (or the
only array), the labels the first of ``y, labels, targets`` (or ``arr_1`` next to ``arr_0``, as
``np.savez(path, x, y)`` writes them).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from ganhacks.data.dataset import Dataset, labelled
from ganhacks.data.images import images_from_array
from ganhacks.errors import UserError

IMAGE_KEYS = ("x", "images", "data", "arr_0")  # .npz keys tried for the images, in order
LABEL_KEYS = ("y", "labels", "targets")  # .npz keys tried for the labels, in order


def numpy_error(path: Path | str, exc: BaseException) -> UserError:
    """The one-line error for a numpy file (or one array of an ``.npz``) that cannot be read."""
    if isinstance(exc, MemoryError):
        return UserError(f"{path} declares an array larger than this machine's memory; check the file")
    if isinstance(exc, OSError) and exc.strerror:
        return UserError(f"cannot read {path}: {exc.strerror.lower()}")
    if isinstance(exc, ValueError) and "Object arrays" in str(exc):  # a numpy header of dtype object
        return UserError(f"{path} holds Python objects, which are not loaded for safety; save a numeric array")
    if isinstance(exc, ValueError) and "pickle" in str(exc):  # no numpy header: np.load took it for a pickle
        if _is_pickle(path):
            return UserError(f"{path} is a Python pickle, which is not loaded for safety; save a numeric array")
        reason = "no numpy header: it holds text or other data"
    else:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "the file ends early"
    return UserError(f"{path} is not a readable numpy file ({reason}); re-save it with np.save / np.savez")


def _is_pickle(path: Path | str) -> bool:
    """Whether the file starts like a pickle (protocol 2 and later open with 0x80, then the protocol)."""
    try:
        with open(path, "rb") as f:
            head = f.read(2)
    except OSError:
        return False
    return len(head) == 2 and head[0] == 0x80 and 2 <= head[1] <= 5


READ_ERRORS = (ValueError, OSError, EOFError, zipfile.BadZipFile, MemoryError)  # what np.load raises on bad files


def _load(path: Path) -> np.ndarray | np.lib.npyio.NpzFile:
    try:
        return np.load(path, allow_pickle=False)
    except READ_ERRORS as exc:
        raise numpy_error(path, exc) from None


def pick_npz_keys(keys: list[str], path: Path | str = "file") -> tuple[str, str | None]:
    """Choose the images key and the labels key (or None) of an ``.npz`` (rules in the module doc)."""
    image_key = next((k for k in IMAGE_KEYS if k in keys), None)
    if image_key is None:
        if len(keys) != 1:
            raise UserError(f"{path} has arrays {sorted(keys)}; name the images 'x' (and labels 'y') when saving")
        image_key = keys[0]
    label_key = next((k for k in LABEL_KEYS if k in keys), None)
    if label_key is None and image_key == "arr_0" and "arr_1" in keys:
        label_key = "arr_1"
    return image_key, label_key


def _member(data: np.lib.npyio.NpzFile, key: str, path: Path) -> np.ndarray:
    """One array of an open ``.npz``; a damaged or oversized member is a one-line error."""
    try:
        return data[key]
    except READ_ERRORS as exc:
        raise numpy_error(f"{path} (array '{key}')", exc) from None


def load_array_file(
    path: str | Path, *, image_size: int | None = None, value_range: tuple[float, float] | None = None
) -> Dataset:
    """Load images (and labels, from ``.npz``) from a numpy file (tip T01).

    Args:
        path: a ``.npy`` or ``.npz`` file.
        image_size: resize to this many pixels square when given.
        value_range: the stored ``(low, high)``; inferred when None.

    Raises:
        UserError: unreadable file, object arrays, wrong rank, unknown channel axis,
            out-of-range or non-finite values, labels that do not match the images.
    """
    path = Path(path)
    data = _load(path)
    if isinstance(data, np.ndarray):
        arr, y = data, None
    else:
        with data:
            image_key, label_key = pick_npz_keys(list(data.files), path)
            arr, y = _member(data, image_key, path), _member(data, label_key, path) if label_key else None
    x = images_from_array(arr, name=str(path), value_range=value_range, image_size=image_size)
    return labelled(x, y, str(path), kind="images")
