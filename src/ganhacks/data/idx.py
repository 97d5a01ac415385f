"""User images from MNIST's raw IDX files (``*-idx3-ubyte``, optionally gzipped), tip T01.

The IDX format: two zero bytes, a type byte, a rank byte, then one big-endian uint32 per
dimension, then the values in C order, big-endian. Images are rank 3 ``(N, H, W)``; the
labels file next to them (``train-images-idx3-ubyte`` -> ``train-labels-idx1-ubyte``, same
``.gz`` or not) is read when it exists.
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

from ganhacks.data.dataset import Dataset, labelled
from ganhacks.data.images import images_from_array
from ganhacks.errors import UserError

# IDX type byte -> numpy dtype (big-endian where it matters)
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when the name ends in ``.gz``."""
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                return f.read()
        return path.read_bytes()
    except (OSError, EOFError) as exc:
        raise UserError(f"cannot read {path} ({exc}); check the file is complete") from None


def looks_like_idx(head: bytes) -> bool:
    """True when ``head`` (the first 4 bytes or more) starts like an IDX file."""
    return len(head) >= 4 and head[:2] == b"\0\0" and head[2] in IDX_TYPES and 1 <= head[3] <= 4


def parse_idx(raw: bytes, name: str = "idx file") -> np.ndarray:
    """Decode IDX bytes into a native-endian numpy array.

    Raises:
        UserError: bad magic number or a size that does not match the header.
    """
    if not looks_like_idx(raw):
        raise UserError(f"{name} is not an IDX file (bad magic number); give an MNIST *-ubyte file")
    dtype, rank = np.dtype(IDX_TYPES[raw[2]]), raw[3]
    header = 4 + 4 * rank
    if len(raw) < header:
        raise UserError(f"{name} is truncated inside its header; re-download or re-write it")
    dims = struct.unpack(f">{rank}I", raw[4:header])  # big-endian uint32 per dimension
    count = int(np.prod(dims, dtype=np.int64))
    if len(raw) - header != count * dtype.itemsize:
        raise UserError(
            f"{name} header says {dims} values of {dtype.itemsize} byte(s) but the file holds "
            f"{len(raw) - header} data bytes; the file is truncated or corrupt"
        )
    arr = np.frombuffer(raw, dtype=dtype, offset=header, count=count).reshape(dims)
    return arr.astype(dtype.newbyteorder("="))


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (``.gz`` allowed) into a numpy array."""
    path = Path(path)
    return parse_idx(read_bytes(path), str(path))


def labels_path(images_path: Path) -> Path | None:
    """The labels file that goes with an images file, or None when the name does not say."""
    name = images_path.name
    if "images-idx3" not in name:
        return None
    return images_path.with_name(name.replace("images-idx3", "labels-idx1"))


def load_idx(
    path: str | Path, *, image_size: int | None = None, value_range: tuple[float, float] | None = None
) -> Dataset:
    """Load MNIST-style IDX images, and their labels when the labels file is beside them (tip T01).

    Args:
        path: the images file (``*-images-idx3-ubyte`` or ``.gz``).
        image_size: resize to this many pixels square when given (e.g. 32 for DCGAN).
        value_range: the stored ``(low, high)``; inferred when None (uint8 -> [0, 255]).

    Raises:
        UserError: unreadable, truncated or wrong-rank file; label count mismatch.
    """
    path = Path(path)
    arr = read_idx(path)
    if arr.ndim not in (3, 4):
        raise UserError(f"{path} holds rank-{arr.ndim} data {arr.shape}; give the images file (idx3), not the labels")
    x = images_from_array(arr, name=str(path), value_range=value_range, image_size=image_size)
    lp = labels_path(path)
    y = read_idx(lp) if lp is not None and lp.is_file() else None
    return labelled(x, y, str(path), kind="images")
