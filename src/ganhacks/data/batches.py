"""A seeded, endless, resumable, shardable stream of minibatches.

Each epoch visits the examples in a fresh random order. The order of epoch ``e`` depends only
on ``(seed, e)``, so the batch at any step is a pure function of ``(seed, step)``: resuming a
run needs just those two numbers (:meth:`BatchIterator.state_dict`), and replays the same
batches exactly. An int seed is used rather than a ``torch.Generator`` because a generator's
state cannot be recomputed from a step number.

Sharding (for DistributedDataParallel): all ranks draw the same epoch order, cut it to a
multiple of ``world_size`` and take every ``world_size``-th index from ``rank`` on, like
``torch.utils.data.DistributedSampler``; shards never overlap and every rank gets the same
number of batches. Each rank drops the incomplete last batch of an epoch (a different
remainder each epoch, since the order changes).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from torch.utils.data import DistributedSampler

from ganhacks.data.dataset import Dataset
from ganhacks.errors import UserError


class Batch(NamedTuple):
    """One minibatch: ``x`` (B, ...) in [-1, 1] and ``y`` (B,) int64 or None."""

    x: torch.Tensor
    y: torch.Tensor | None


def epoch_seed(seed: int, epoch: int) -> int:
    """A well-mixed 64-bit seed for the order of ``epoch`` (numpy's SeedSequence hash of ``(seed, epoch)``)."""
    words = np.random.SeedSequence([seed, epoch]).generate_state(2, dtype=np.uint32)
    return int(words[0]) << 32 | int(words[1])  # two 32-bit words -> one 64-bit seed


def epoch_order(n: int, seed: int, epoch: int) -> torch.Tensor:
    """The permutation of ``range(n)`` used in ``epoch``, shape ``(n,)`` int64."""
    return torch.randperm(n, generator=torch.Generator().manual_seed(epoch_seed(seed, epoch)))


def shard_indices(order: torch.Tensor, rank: int, world_size: int) -> torch.Tensor:
    """Rank ``rank``'s share of ``order``: every ``world_size``-th entry after cutting to a multiple of it."""
    usable = len(order) // world_size * world_size  # equal shares, so DDP ranks stay in step
    return order[:usable][rank::world_size]


class EpochSampler(DistributedSampler):
    """torch's ``DistributedSampler`` (``drop_last=True``) drawing ganhacks' epoch orders, resumable mid-epoch.

    It shards like its parent (the epoch's order cut to a multiple of ``num_replicas``, every
    ``num_replicas``-th index from ``rank`` on) but the order of epoch ``e`` is :func:`epoch_order`,
    the one :class:`BatchIterator` uses, so data streamed from disk arrives in exactly the batches
    of the in-memory path. ``set_epoch(e)`` picks the epoch; ``start`` skips that many of this
    rank's indices (where a resumed run stands in the epoch).
    """

    def __init__(self, size: int, *, seed: int = 0, rank: int = 0, world_size: int = 1) -> None:
        super().__init__(range(size), num_replicas=world_size, rank=rank, shuffle=True, seed=seed, drop_last=True)
        self.start = 0

    def __iter__(self):
        order = shard_indices(epoch_order(len(self.dataset), self.seed, self.epoch), self.rank, self.num_replicas)
        return iter(order[self.start :].tolist())

    def __len__(self) -> int:
        return self.num_samples - self.start


def _check_int(name: str, value: int, low: int) -> int:
    if isinstance(value, bool) or int(value) != value or value < low:
        raise UserError(f"{name} must be a whole number >= {low}, got {value}")
    return int(value)


class StreamPosition:
    """Where a resumable batch stream stands, shared by the in-memory and the streaming iterators: the
    checked settings that fix batch boundaries (batch size, world size, rank), the seed and the next
    step, the epoch, and the ``{seed, step, batch_size, world_size}`` checkpoint state."""

    batches_per_epoch: int

    def _set_position(self, batch_size: int, seed: int, rank: int, world_size: int, step: int) -> None:
        self.batch_size = _check_int("batch_size", batch_size, 1)
        self.seed = _check_int("seed", seed, 0)
        self.world_size = _check_int("world_size", world_size, 1)
        self.rank = _check_int("rank", rank, 0)
        if self.rank >= self.world_size:
            raise UserError(f"rank must be in [0, {self.world_size - 1}] for world_size {self.world_size}, got {rank}")
        self.step = _check_int("step", step, 0)

    def _set_epoch_size(self, per_rank: int, name: str) -> None:
        """Whole batches per epoch from the ``per_rank`` examples each rank sees (incomplete last batch dropped)."""
        if per_rank < self.batch_size:
            raise UserError(
                f"batch_size {self.batch_size} is larger than the {per_rank} examples each of "
                f"{self.world_size} rank(s) sees in {name}; lower the batch size"
            )
        self.batches_per_epoch = per_rank // self.batch_size

    @property
    def epoch(self) -> int:
        """The epoch the next batch comes from."""
        return self.step // self.batches_per_epoch

    def state_dict(self) -> dict[str, int]:
        """Everything needed to continue: the seed, the next step, and the settings that fix batch boundaries."""
        return {"seed": self.seed, "step": self.step, "batch_size": self.batch_size, "world_size": self.world_size}

    def _restore(self, state: dict[str, int]) -> None:
        """Take the seed and step of a :meth:`state_dict`; batch size and world size must match.

        Raises:
            UserError: the checkpoint was written with another batch size or world size.
        """
        for key in ("batch_size", "world_size"):
            if int(state[key]) != getattr(self, key):
                raise UserError(
                    f"the checkpoint's data stream used {key} {state[key]}, this run uses {getattr(self, key)}; "
                    f"resume with the same {key}"
                )
        self.seed = _check_int("seed", state["seed"], 0)
        self.step = _check_int("step", state["step"], 0)


class BatchIterator(StreamPosition):
    """Endless minibatches of a :class:`Dataset`, reshuffled every epoch, resumable exactly.

    Example:
        >>> it = BatchIterator(ds, 64, seed=1)          # doctest: +SKIP
        >>> x, y = next(it)
        >>> state = it.state_dict()                      # save with the checkpoint
        >>> it2 = BatchIterator(ds, 64); it2.load_state_dict(state)  # continues identically
    """

    def __init__(
        self, dataset: Dataset, batch_size: int, *, seed: int = 0, rank: int = 0, world_size: int = 1, step: int = 0
    ) -> None:
        self.dataset = dataset
        self._set_position(batch_size, seed, rank, world_size, step)
        self._set_epoch_size(len(dataset) // self.world_size, dataset.name)
        self._cached: tuple[int, torch.Tensor] | None = None  # (epoch, this rank's order)

    def _order(self, epoch: int) -> torch.Tensor:
        if self._cached is None or self._cached[0] != epoch:
            order = epoch_order(len(self.dataset), self.seed, epoch)
            self._cached = (epoch, shard_indices(order, self.rank, self.world_size))
        return self._cached[1]

    def indices(self, step: int) -> torch.Tensor:
        """Example indices of the batch at ``step`` (a pure function of seed, step, rank, world_size)."""
        epoch, pos = divmod(step, self.batches_per_epoch)
        return self._order(epoch)[pos * self.batch_size : (pos + 1) * self.batch_size]

    def __iter__(self) -> BatchIterator:
        return self

    def __next__(self) -> Batch:
        idx = self.indices(self.step)
        self.step += 1
        y = self.dataset.y
        return Batch(self.dataset.x[idx], None if y is None else y[idx])

    def shard(self, rank: int, world_size: int) -> BatchIterator:
        """The same stream (seed, step, batch size) restricted to one rank's share."""
        return BatchIterator(
            self.dataset, self.batch_size, seed=self.seed, rank=rank, world_size=world_size, step=self.step
        )

    def load_state_dict(self, state: dict[str, int]) -> None:
        """Continue from a :meth:`state_dict`; batch size and world size must match.

        Raises:
            UserError: the checkpoint was written with another batch size or world size.
        """
        self._restore(state)
        self._cached = None


def batches(
    dataset: Dataset,
    batch_size: int,
    *,
    seed: int = 0,
    rank: int = 0,
    world_size: int = 1,
    step: int = 0,
    pin_memory: bool = False,
) -> BatchIterator:
    """Endless shuffled minibatches of ``dataset``; see :class:`BatchIterator`.

    A data set that streams from disk (``dataset.streaming``, e.g. a large image folder) feeds
    itself through a DataLoader (:meth:`ganhacks.data.stream.StreamingDataset.batches`), with the
    same batches at every step and the same resumable state.

    Args:
        dataset: the data.
        batch_size: examples per batch (per rank).
        seed: fixes every epoch's order.
        rank: this process's rank under DistributedDataParallel.
        world_size: number of ranks.
        step: the first step to produce (to resume).
        pin_memory: page-lock streamed batches for fast copies to a GPU (when training on CUDA).
    """
    if getattr(dataset, "streaming", False):
        return dataset.batches(
            batch_size, seed=seed, rank=rank, world_size=world_size, step=step, pin_memory=pin_memory
        )
    return BatchIterator(dataset, batch_size, seed=seed, rank=rank, world_size=world_size, step=step)
