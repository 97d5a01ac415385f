"""Image folders larger than memory: decoded from disk by DataLoader workers, one batch at a time (T01).

:func:`ganhacks.data.folders.load_image_folder` decodes every image into one tensor, which is the
fastest path while the set fits in memory. :func:`stream_image_folder` reads only the files'
headers at start (size and colour mode, a few bytes each) and leaves the pixels on disk: a
``torch.utils.data.DataLoader`` decodes and resizes each batch in worker processes (pinned memory
when training on CUDA), drawing indices from an :class:`~ganhacks.data.batches.EpochSampler`, a
``DistributedSampler`` that shards across torchrun's ranks. Memory stays flat in the number of
images.

The folder rules are those of the in-memory loader (same files, channels, labels, resize), and
the sampler draws the same epoch orders as :class:`~ganhacks.data.batches.BatchIterator`, so a
streamed batch equals the in-memory one bit for bit, and the iterator's state (seed and step) is
the same: a checkpoint resumes exactly on either path. The one difference: files are checked by
their headers at start (a file that cannot be opened is skipped and named, as in memory), while
damaged pixel data shows only when a batch needs it, and stops the run there with a one-line
error (fix or remove the file, then ``--resume``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Subset
from torch.utils.data import Dataset as TorchDataset

from ganhacks.data.batches import Batch, EpochSampler, StreamPosition, _check_int
from ganhacks.data.folders import (
    DECODE_ERRORS,
    GREY_MODES,
    WIDE_GREY_MODES,
    check_one_size,
    find_images,
    folder_images,
    folder_labels,
    read_image,
    skipped_notes,
)
from ganhacks.data.images import check_image_size, resize_images
from ganhacks.errors import UserError

DEFAULT_WORKERS = 4  # DataLoader worker processes decoding images
GATHER_BATCH = 256  # images decoded per worker task when many are gathered at once (metrics, the monitor)
BUDGET_CAP = 2 << 30  # "auto" streams a folder whose decoded float32 images exceed min(this, RAM / 8)


def memory_budget() -> int:
    """Bytes of decoded images ``data.stream=auto`` keeps in memory: min(2 GiB, physical RAM / 8)."""
    try:
        ram = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return BUDGET_CAP
    return min(BUDGET_CAP, ram // 8)


def decoded_bytes(root: Path, image_size: int | None) -> int:
    """An estimate of the folder's decoded size: file count x the first readable image's float32 size."""
    paths = find_images(root)
    for path in paths[:20]:
        try:
            with Image.open(path) as img:
                c = 1 if img.mode in GREY_MODES + WIDE_GREY_MODES else 3
                h, w = (image_size, image_size) if image_size else img.size[::-1]
                return len(paths) * c * h * w * 4
        except DECODE_ERRORS:
            continue
    return 0


class UndecodableImage(UserError):
    """A file of a streamed folder that fails to decode mid-run. Its message ends at "fix or remove
    it": only the trainer knows whether the run can then be resumed or must start again."""


class ImageFiles(TorchDataset):
    """The images of a folder as a map-style torch dataset: item ``i`` decodes (and resizes) file ``i``.

    Items are ``(image (C, H, W) float32 in [-1, 1], label (or -1), bad)``; ``bad`` is -1, or ``i``
    when the file could not be decoded or has another size (then the image is zeros and
    :meth:`problem` says what is wrong, in the main process).
    """

    def __init__(
        self,
        paths: Sequence[Path],
        labels: torch.Tensor | None,
        channels: int,
        shape: tuple[int, int, int],
        size: int | None,
    ) -> None:
        self.paths, self.labels = [str(p) for p in paths], labels
        self.channels, self.shape, self.size = channels, shape, size

    def __len__(self) -> int:
        return len(self.paths)

    def _decode(self, i: int) -> torch.Tensor:
        t = torch.from_numpy(read_image(Path(self.paths[i]))).expand(self.channels, -1, -1)
        return resize_images(t[None], self.size)[0] if self.size is not None else t

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int, int]:
        label = int(self.labels[i]) if self.labels is not None else -1
        try:
            x = self._decode(i)
        except DECODE_ERRORS:
            return torch.zeros(self.shape), label, i
        if tuple(x.shape) != self.shape:
            return torch.zeros(self.shape), label, i
        return x.contiguous(), label, -1

    def problem(self, i: int) -> UserError:
        """The one-line error for file ``i``, which a worker could not turn into an image."""
        path = self.paths[i]
        try:
            x = self._decode(i)
        except DECODE_ERRORS as exc:
            return UndecodableImage(f"cannot decode {path} ({type(exc).__name__}); fix or remove it")
        return UserError(
            f"{path} is {x.shape[-2]}x{x.shape[-1]} but the folder's images are {self.shape[1]}x{self.shape[2]}; "
            f"resize them all with image_size=N (ganhacks train: --set data.image_size=N)"
        )

    def gather(self, indices: Sequence[int], workers: int = 0) -> torch.Tensor:
        """Images ``indices`` stacked (k, C, H, W), decoded by ``workers`` processes when there are many."""
        indices = [int(i) for i in indices]
        if not indices:
            return torch.zeros((0, *self.shape))
        if workers and len(indices) > GATHER_BATCH:
            parts = DataLoader(Subset(self, indices), batch_size=GATHER_BATCH, num_workers=workers)
        else:
            parts = [_collate([self[i] for i in indices])]
        xs = []
        for x, _, bad in parts:
            if bool((bad >= 0).any()):
                raise self.problem(int(bad[bad >= 0][0]))
            xs.append(x)
        return torch.cat(xs)


def _collate(items: list[tuple[torch.Tensor, int, int]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    xs, ys, bad = zip(*items)
    return torch.stack(xs), torch.tensor(ys), torch.tensor(bad)


class LazyImages:
    """The ``x`` of a streamed data set: indexed like an (N, C, H, W) tensor, holding no pixels.

    ``x[i]``, ``x[a:b]`` and ``x[index_tensor]`` decode the files they name (in worker processes
    when there are many); ``len``, ``shape``, ``dtype`` and ``dim()`` answer without reading.
    """

    def __init__(self, files: ImageFiles, workers: int) -> None:
        self.files, self.workers = files, workers

    def __len__(self) -> int:
        return len(self.files)

    @property
    def shape(self) -> torch.Size:
        return torch.Size((len(self.files), *self.files.shape))

    dtype = torch.float32
    ndim = 4

    def dim(self) -> int:
        return 4

    def __getitem__(self, index: Any) -> torch.Tensor:
        if isinstance(index, int):
            return self.files.gather([index])[0]
        if isinstance(index, slice):
            return self.files.gather(range(len(self))[index], self.workers)
        return self.files.gather(torch.as_tensor(index).reshape(-1).tolist(), self.workers)


class StreamingDataset:
    """An image folder read from disk batch by batch; answers like :class:`~ganhacks.data.dataset.Dataset`.

    Attributes:
        x: a :class:`LazyImages` (indexing decodes the files named).
        y: (N,) int64 labels from sub-folder names, or None.
        workers: DataLoader worker processes that decode batches.
    """

    streaming = True  # batches() feeds it through a DataLoader
    kind = "images"
    mixture = None

    def __init__(
        self,
        name: str,
        files: ImageFiles,
        y: torch.Tensor | None,
        class_names: tuple[str, ...],
        notes: tuple[str, ...],
        workers: int,
    ) -> None:
        self.name, self.files, self.y, self.class_names, self.notes = name, files, y, class_names, notes
        self.num_classes = len(class_names) if y is not None else 0
        self.workers = _check_int("data.workers", workers, 0)
        self.x = LazyImages(files, self.workers)

    def __len__(self) -> int:
        return len(self.files)

    @property
    def conditional(self) -> bool:
        """True when the data set carries class labels."""
        return self.y is not None

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """Shape of one example: ``(C, H, W)``."""
        return self.files.shape

    def describe(self) -> str:
        """One line, e.g. ``photos: 100000 images 3x32x32 in [-1, 1], unlabelled; streamed from disk``."""
        shape = "x".join(str(s) for s in self.sample_shape)
        labels = f", {self.num_classes} classes" if self.conditional else ", unlabelled"
        how = f"streamed from disk by {self.workers} worker(s)" if self.workers else "streamed from disk"
        extra = "".join(f"; {note}" for note in self.notes)
        return f"{self.name}: {len(self)} images {shape} in [-1, 1]{labels}; {how}{extra}"

    def batches(
        self,
        batch_size: int,
        *,
        seed: int = 0,
        rank: int = 0,
        world_size: int = 1,
        step: int = 0,
        pin_memory: bool = False,
    ) -> StreamingBatches:
        """Endless shuffled minibatches from disk; see :class:`StreamingBatches`."""
        return StreamingBatches(
            self, batch_size, seed=seed, rank=rank, world_size=world_size, step=step, pin_memory=pin_memory
        )


class StreamingBatches(StreamPosition):
    """Endless minibatches of a :class:`StreamingDataset`, decoded by DataLoader workers, resumable exactly.

    The same batches, state and errors as :class:`~ganhacks.data.batches.BatchIterator` (its epoch
    orders, its ``{seed, step, batch_size, world_size}`` state): the sampler is told the epoch and
    where in it the stream stands, so a resumed run reads on from the same image.
    """

    def __init__(
        self,
        dataset: StreamingDataset,
        batch_size: int,
        *,
        seed: int = 0,
        rank: int = 0,
        world_size: int = 1,
        step: int = 0,
        pin_memory: bool = False,
    ) -> None:
        self.dataset = dataset
        self._set_position(batch_size, seed, rank, world_size, step)
        self.sampler = EpochSampler(len(dataset), seed=self.seed, rank=self.rank, world_size=self.world_size)
        self._set_epoch_size(self.sampler.num_samples, dataset.name)
        self.pin_memory = pin_memory
        self._loader: DataLoader | None = None
        self._it = None
        self._left = 0

    def _open(self) -> None:
        """Point the sampler at the current epoch and position and start reading there."""
        epoch, pos = divmod(self.step, self.batches_per_epoch)
        self.sampler.set_epoch(epoch)
        self.sampler.start = pos * self.batch_size
        if self._loader is None:
            workers = self.dataset.workers
            self._loader = DataLoader(
                self.dataset.files,
                batch_size=self.batch_size,
                sampler=self.sampler,
                num_workers=workers,
                collate_fn=_collate,
                pin_memory=self.pin_memory,
                drop_last=True,
                persistent_workers=workers > 0,  # workers live across epochs; the sampler is read here
            )
        self._it = iter(self._loader)
        self._left = self.batches_per_epoch - pos

    def __iter__(self) -> StreamingBatches:
        return self

    def __next__(self) -> Batch:
        if self._it is None:
            self._open()
        x, y, bad = next(self._it)
        self.step += 1
        self._left -= 1
        if self._left == 0:
            self._it = None  # the next batch opens the next epoch
        if bool((bad >= 0).any()):
            raise self.dataset.files.problem(int(bad[bad >= 0][0]))
        return Batch(x, y if self.dataset.conditional else None)

    def indices(self, step: int) -> torch.Tensor:
        """Example indices of the batch at ``step`` (the sampler's order; nothing is read)."""
        epoch, pos = divmod(step, self.batches_per_epoch)
        sampler = EpochSampler(len(self.dataset), seed=self.seed, rank=self.rank, world_size=self.world_size)
        sampler.set_epoch(epoch)
        order = list(sampler)
        return torch.tensor(order[pos * self.batch_size : (pos + 1) * self.batch_size])

    def load_state_dict(self, state: dict[str, int]) -> None:
        """Continue from a :meth:`state_dict` (of this or the in-memory iterator); batch and world size must match."""
        self._restore(state)
        self.sampler.seed = self.seed
        self._it = None  # the next batch reopens the stream at the restored position

    def close(self) -> None:
        """Stop the worker processes (they also stop when this object is garbage-collected)."""
        self._it = None
        self._loader = None


def stream_image_folder(
    root: str | Path, *, image_size: int | None = None, workers: int = DEFAULT_WORKERS
) -> StreamingDataset:
    """An image folder as a :class:`StreamingDataset`: headers read now, pixels when batches need them.

    Args:
        root: folder searched recursively (the rules of :mod:`ganhacks.data.folders`).
        image_size: resize every image to this many pixels square; required when sizes differ.
        workers: DataLoader worker processes decoding batches (0: in the training process).

    Raises:
        UserError: missing or empty folder, no readable header, mixed sizes without ``image_size``.
    """
    root = Path(root)
    image_size = check_image_size(image_size)
    paths = folder_images(root)
    kept, sizes, colour, bad = [], set(), False, []
    for i, path in enumerate(paths):
        try:
            with Image.open(path) as img:  # the header only: nothing is decoded
                sizes.add(img.size[::-1])
                colour = colour or img.mode not in GREY_MODES + WIDE_GREY_MODES
            kept.append(i)
        except DECODE_ERRORS:
            bad.append(path)
    if not kept:
        raise UserError(f"none of the {len(paths)} image files under {root} could be opened; they may be corrupt")
    if image_size is None:
        check_one_size(root, sizes)
    notes = skipped_notes(root, bad)
    labels, class_names = folder_labels(root, paths)  # classes from all files, as in memory
    y = torch.from_numpy(labels[np.array(kept)]) if labels is not None else None
    h, w = (image_size, image_size) if image_size else next(iter(sizes))
    channels = 3 if colour else 1
    files = ImageFiles([paths[i] for i in kept], y, channels, (channels, h, w), image_size)
    return StreamingDataset(str(root), files, y, class_names if y is not None else (), tuple(notes), workers)
