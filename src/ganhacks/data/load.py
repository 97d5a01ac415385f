"""One entry point for all training data: built-in names and user paths (tip T01).

``load_dataset("digits")``, ``load_dataset("ring8")``, ``load_dataset("path/to/folder")``:
the result is always a :class:`~ganhacks.data.dataset.Dataset` in [-1, 1]. A path is
recognised by what it holds:

- a folder with ``data_batch_*`` / ``test_batch`` files -> CIFAR python batches;
- a folder with ``*images-idx3-ubyte[.gz]`` files -> MNIST IDX (the ``train-`` one if present);
- any other folder -> PNG/JPEG images, recursively (streamed from disk when large: ``stream``);
- ``.npy`` / ``.npz`` -> numpy arrays;
- another file -> its first bytes decide: IDX magic (``00 00 type rank``) or a pickle (CIFAR batch).
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from pathlib import Path

from ganhacks.data.arrays import load_array_file
from ganhacks.data.cifar import batch_files, load_cifar
from ganhacks.data.dataset import Dataset
from ganhacks.data.digits import digits_dataset, stacked_digits_dataset
from ganhacks.data.folders import IMAGE_SUFFIXES, load_image_folder
from ganhacks.data.idx import load_idx, looks_like_idx
from ganhacks.data.mixtures import grid25, mixture_dataset, ring8
from ganhacks.data.stream import DEFAULT_WORKERS, StreamingDataset, decoded_bytes, memory_budget, stream_image_folder
from ganhacks.errors import UserError
from ganhacks.registry import Registry, did_you_mean

POINT_DATASETS = ("ring8", "grid25")  # the built-in 2-D mixtures: the "points" data family
DEFAULT_POINTS = 50_000  # points drawn for ring8 / grid25 when n is not given
DEFAULT_STACKED = 10_000  # images drawn for stacked_digits when n is not given
STREAM_CHOICES = ("auto", "on", "off")  # data.stream
PATH_KINDS = "an image folder, a .npy/.npz file, an MNIST IDX file or a CIFAR batch file/folder"

Builder = Callable[..., Dataset]  # (n, image_size, seed) -> Dataset
DATASETS: Registry[Builder] = Registry("dataset")


def _no_image_size(name: str, image_size: int | None) -> None:
    if image_size is not None:
        raise UserError(f"{name} is 2-D point data; image_size does not apply, leave it unset")


def _no_n(name: str, n: int | None) -> None:
    if n is not None:
        raise UserError(f"{name} has a fixed number of examples; n applies only to ring8, grid25 and stacked_digits")


@DATASETS.register("ring8")
def _ring8(n: int | None, image_size: int | None, seed: int) -> Dataset:
    _no_image_size("ring8", image_size)
    return mixture_dataset(ring8(), DEFAULT_POINTS if n is None else n, seed)


@DATASETS.register("grid25")
def _grid25(n: int | None, image_size: int | None, seed: int) -> Dataset:
    _no_image_size("grid25", image_size)
    return mixture_dataset(grid25(), DEFAULT_POINTS if n is None else n, seed)


@DATASETS.register("digits")
def _digits(n: int | None, image_size: int | None, seed: int) -> Dataset:
    _no_n("digits", n)
    return digits_dataset(image_size)


@DATASETS.register("stacked_digits")
def _stacked(n: int | None, image_size: int | None, seed: int) -> Dataset:
    return stacked_digits_dataset(DEFAULT_STACKED if n is None else n, image_size, seed)


def data_family(spec: str | os.PathLike[str]) -> str:
    """``"points"`` for the 2-D mixtures, ``"images"`` for everything else (built-in or a path), without
    loading anything: presets may choose defaults by family (``ganhacks.train.presets``)."""
    return "points" if isinstance(spec, str) and spec in POINT_DATASETS else "images"


def _file_head(path: Path, size: int = 8) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                return f.read(size)
        with open(path, "rb") as f:
            return f.read(size)
    except (OSError, EOFError) as exc:
        raise UserError(f"cannot read {path} ({exc}); check the file") from None


def _no_stream(what: str | Path, stream: str) -> None:
    if stream == "on":
        raise UserError(f"streaming (data.stream=on) reads image folders; {what} is not one, use auto or off")


def _idx_images(folder: Path) -> Path | None:
    found = sorted(p for p in folder.glob("*images-idx3-ubyte*") if p.is_file())
    train = [p for p in found if p.name.startswith("train")]
    return (train or found or [None])[0]


def _streams(path: Path, image_size: int | None, stream: str) -> bool:
    """Whether an image folder is read from disk batch by batch (see :mod:`ganhacks.data.stream`)."""
    if stream == "auto":
        return decoded_bytes(path, image_size) > memory_budget()
    return stream == "on"


def load_path(
    path: Path,
    *,
    image_size: int | None = None,
    value_range: tuple[float, float] | None = None,
    stream: str = "auto",
    workers: int = DEFAULT_WORKERS,
) -> Dataset | StreamingDataset:
    """Load user data from ``path``, choosing the reader by what the path holds (see module doc)."""
    kw = dict(image_size=image_size, value_range=value_range)
    if path.is_dir():
        if batch_files(path):
            _no_stream(path, stream)
            return load_cifar(path, **kw)
        idx = _idx_images(path)
        if idx is not None:
            _no_stream(path, stream)
            return load_idx(idx, **kw)
        if value_range is not None:
            raise UserError("value_range applies to array files; image files carry their own range, leave it unset")
        if _streams(path, image_size, stream):
            return stream_image_folder(path, image_size=image_size, workers=workers)
        return load_image_folder(path, image_size=image_size)
    _no_stream(path, stream)
    if path.suffix.lower() in (".npy", ".npz"):
        return load_array_file(path, **kw)
    head = _file_head(path)
    if looks_like_idx(head):
        return load_idx(path, **kw)
    if head[:1] == b"\x80":  # pickle protocol >= 2 starts with the PROTO opcode 0x80
        return load_cifar(path, **kw)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        raise UserError(f"{path} is a single image; give the folder that holds your images")
    raise UserError(f"cannot tell what {path} holds; give {PATH_KINDS}")


def load_dataset(
    spec: str | os.PathLike[str],
    *,
    image_size: int | None = None,
    n: int | None = None,
    seed: int = 0,
    value_range: tuple[float, float] | None = None,
    stream: str = "auto",
    workers: int = DEFAULT_WORKERS,
) -> Dataset | StreamingDataset:
    """Load training data by built-in name or path, mapped to [-1, 1] and checked (tip T01).

    Args:
        spec: a built-in name (``ring8``, ``grid25``, ``digits``, ``stacked_digits``) or a path
            to an image folder, a .npy/.npz file, an MNIST IDX file or a CIFAR batch file/folder.
            A built-in name given as a ``str`` wins over a same-named local folder; write
            ``./digits`` (or pass a ``Path``) to mean the folder.
        image_size: resize images to this many pixels square (None: keep their size).
        n: number of examples to draw for generated data (ring8, grid25, stacked_digits).
        seed: seed of that draw.
        value_range: stored ``(low, high)`` of array data; inferred when None.
        stream: image folders only: ``on`` reads them from disk batch by batch
            (:mod:`ganhacks.data.stream`), ``off`` decodes them all into memory, ``auto`` streams
            when the decoded images would exceed :func:`~ganhacks.data.stream.memory_budget`.
        workers: DataLoader worker processes that decode streamed batches.

    Returns:
        A :class:`~ganhacks.data.dataset.Dataset`, or a
        :class:`~ganhacks.data.stream.StreamingDataset` for a streamed image folder.

    Raises:
        UserError: unknown name (with the nearest one), missing path, or bad data.

    Example:
        >>> ds = load_dataset("digits", image_size=16)  # doctest: +SKIP
        >>> ds.x.shape
        torch.Size([1797, 1, 16, 16])
    """
    if stream not in STREAM_CHOICES:
        raise UserError(f"data.stream must be one of {', '.join(STREAM_CHOICES)}, got '{stream}'")
    if isinstance(spec, str) and spec in DATASETS:
        _no_stream(spec, stream)
        if value_range is not None:
            raise UserError(f"value_range applies to user files, not the built-in {spec}; leave it unset")
        return DATASETS.get(spec)(n=n, image_size=image_size, seed=seed)
    path = Path(spec).expanduser()
    if not path.exists():
        text = os.fspath(spec)
        if os.sep not in text and "/" not in text and not path.suffix:
            names = DATASETS.names()
            raise UserError(
                f"unknown dataset '{text}'.{did_you_mean(text, names)} Built-in choices: {', '.join(names)}; "
                f"or give {PATH_KINDS}"
            )
        raise UserError(f"no such file or folder: {path}; check the path")
    if n is not None:
        raise UserError("n sets the size of generated data (ring8, grid25, stacked_digits); leave it unset for files")
    return load_path(path, image_size=image_size, value_range=value_range, stream=stream, workers=workers)
