"""Stability tricks borrowed from RL (tip T08; Pfau & Vinyals 2016).

:class:`ReplayBuffer` keeps a uniform sample of past fakes (reservoir sampling) and mixes some of
them into D's fake batch, so D keeps rejecting what G produced before. :class:`SnapshotPool`
keeps past weights of a network and can swap one in for a few steps and back again exactly.
Both own a seeded generator and checkpoint it, so a resumed run draws the same choices.
"""

from __future__ import annotations

from collections import deque

import torch
from torch import Tensor, nn

from ganhacks.errors import UserError, check_probability


class ReplayBuffer:
    """A buffer of past fake samples, mixed into D's fake batch with probability ``p`` per sample.

    Example:
        >>> buffer = ReplayBuffer(capacity=1024, p=0.5)
        >>> fake_for_d = buffer.mix(fake.detach())   # some samples replaced by past fakes
    """

    def __init__(self, capacity: int = 1024, p: float = 0.5, seed: int = 0) -> None:
        if capacity < 1:
            raise UserError(f"replay capacity must be >= 1, got {capacity}")
        self.capacity = int(capacity)
        self.p = check_probability("replay p", p)
        self.seen = 0  # samples pushed so far
        self._items: Tensor | None = None  # (size, ...) past samples
        self._gen = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return 0 if self._items is None else self._items.shape[0]

    def push(self, samples: Tensor) -> None:
        """Add ``samples`` (detached) so the buffer stays a uniform sample of all pushed (reservoir)."""
        samples = samples.detach()
        if self._items is not None and samples.shape[1:] != self._items.shape[1:]:
            raise UserError(
                f"replay samples must keep shape {tuple(self._items.shape[1:])}, got {tuple(samples.shape[1:])}"
            )
        free = self.capacity - len(self)
        head, rest = samples[:free], samples[free:]
        if head.shape[0]:
            self._items = head.clone() if self._items is None else torch.cat([self._items, head])
            self.seen += head.shape[0]
        for sample in rest:  # reservoir: the i-th sample ever seen is kept with probability capacity / i
            self.seen += 1
            j = int(torch.randint(self.seen, (1,), generator=self._gen))
            if j < self.capacity:
                self._items[j] = sample

    def mix(self, fakes: Tensor, push: bool = True) -> Tensor:
        """``fakes`` with each sample replaced, with probability ``p``, by a random past fake.

        The current ``fakes`` are then added to the buffer (unless ``push=False``).
        """
        out = fakes.detach()
        if len(self) and self.p > 0:
            n = fakes.shape[0]
            replace = torch.rand(n, generator=self._gen) < self.p
            idx = torch.randint(len(self), (n,), generator=self._gen)
            if replace.any():
                out = out.clone()
                out[replace.to(out.device)] = self._items[idx[replace]].to(out)
        if push:
            self.push(fakes)
        return out

    def state_dict(self) -> dict:
        return {
            "capacity": self.capacity,
            "p": self.p,
            "seen": self.seen,
            "items": self._items,
            "rng": self._gen.get_state(),
        }

    def load_state_dict(self, state: dict) -> None:
        self.capacity, self.p, self.seen = int(state["capacity"]), float(state["p"]), int(state["seen"])
        self._items = state["items"]
        self._gen.set_state(state["rng"])


def _clone_state(module: nn.Module) -> dict[str, Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


@torch.no_grad()
def _copy_into(module: nn.Module, state: dict[str, Tensor]) -> None:
    # in-place copies keep the Parameter objects, so optimisers stay attached to them
    for k, v in module.state_dict().items():
        v.copy_(state[k])


class SnapshotPool:
    """Past weights of one network, to swap in for a few steps and back again exactly (T08).

    Example:
        >>> pool = SnapshotPool(capacity=5)
        >>> pool.add(D)                      # every N steps
        >>> pool.swap_in(D, steps=10)        # occasionally: D now holds old weights
        >>> pool.step(D)                     # once per training step; swaps back after 10 steps

    While a snapshot is swapped in, updates made to it are discarded when the live weights come
    back: use the old network as an opponent, not as something to train.
    """

    def __init__(self, capacity: int = 5, seed: int = 0) -> None:
        if capacity < 1:
            raise UserError(f"snapshot capacity must be >= 1, got {capacity}")
        self.capacity = int(capacity)
        self.snapshots: deque[dict[str, Tensor]] = deque(maxlen=self.capacity)
        self._live: dict[str, Tensor] | None = None  # the weights to restore while swapped
        self.remaining = 0  # steps left before swapping back
        self._gen = torch.Generator().manual_seed(seed)

    @property
    def swapped(self) -> bool:
        """Whether a past snapshot currently sits in the network."""
        return self._live is not None

    def add(self, module: nn.Module) -> None:
        """Store a copy of ``module``'s current weights (the oldest is dropped when full)."""
        if self.swapped:
            raise UserError("cannot add a snapshot while one is swapped in; call restore() first")
        self.snapshots.append(_clone_state(module))

    def swap_in(self, module: nn.Module, steps: int, index: int | None = None) -> int:
        """Load snapshot ``index`` (random when None) into ``module`` for ``steps`` steps; returns the index."""
        if not self.snapshots:
            raise UserError("the snapshot pool is empty: add() a snapshot before swapping one in")
        if self.swapped:
            raise UserError("a snapshot is already swapped in; call restore() first")
        if steps < 1:
            raise UserError(f"swap steps must be >= 1, got {steps}")
        if index is None:
            index = int(torch.randint(len(self.snapshots), (1,), generator=self._gen))
        if not -len(self.snapshots) <= index < len(self.snapshots):
            raise UserError(f"snapshot index {index} out of range for {len(self.snapshots)} snapshots")
        self._live = _clone_state(module)
        _copy_into(module, self.snapshots[index])
        self.remaining = int(steps)
        return index

    def step(self, module: nn.Module) -> bool:
        """Count one training step; swap the live weights back when the swap has run out. Returns ``swapped``."""
        if self.swapped:
            self.remaining -= 1
            if self.remaining <= 0:
                self.restore(module)
        return self.swapped

    def restore(self, module: nn.Module) -> None:
        """Put the live weights back into ``module`` exactly (no-op when nothing is swapped)."""
        if self._live is not None:
            _copy_into(module, self._live)
            self._live, self.remaining = None, 0

    def state_dict(self) -> dict:
        return {
            "capacity": self.capacity,
            "snapshots": list(self.snapshots),
            "live": self._live,
            "remaining": self.remaining,
            "rng": self._gen.get_state(),
        }

    def load_state_dict(self, state: dict) -> None:
        self.capacity = int(state["capacity"])
        self.snapshots = deque(state["snapshots"], maxlen=self.capacity)
        self._live, self.remaining = state["live"], int(state["remaining"])
        self._gen.set_state(state["rng"])
