"""Training on several processes with torch.distributed (``torchrun --nproc_per_node=N -m ganhacks train``).

Each rank draws its own shard of every epoch and its own z; after each backward pass the
gradients are averaged over ranks (:func:`average_gradients`), so every rank applies the same
update and the weights stay identical — the arithmetic of DistributedDataParallel. The
averaging is done explicitly rather than by wrapping the networks in ``DistributedDataParallel``
because a GAN step breaks the wrapper's assumptions: D runs twice (real and fake batches, tip T04)
before one backward pass, gradient penalties need a double backward, and G's step back-propagates
through D without updating it. Rank 0 alone writes the run folder.
"""

from __future__ import annotations

import os

import torch
import torch.distributed as dist
from torch import nn


def env_world() -> tuple[int, int, int]:
    """``(rank, local_rank, world_size)`` from torchrun's environment (``(0, 0, 1)`` without it)."""
    return int(os.environ.get("RANK", 0)), int(os.environ.get("LOCAL_RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))


def init_from_env(device_type: str) -> tuple[int, int]:
    """Join the process group torchrun describes (gloo on CPU, NCCL on CUDA); returns ``(rank, world_size)``."""
    rank, local_rank, world = env_world()
    if world > 1 and not dist.is_initialized():
        if device_type == "cuda":
            torch.cuda.set_device(local_rank)
        dist.init_process_group("nccl" if device_type == "cuda" else "gloo")
    return rank, world


def average_gradients(module: nn.Module) -> None:
    """Replace every gradient of ``module`` by its mean over all ranks (one flat all-reduce)."""
    grads = [p.grad for p in module.parameters() if p.grad is not None]
    if not grads or not dist.is_initialized() or dist.get_world_size() == 1:
        return
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat, op=dist.ReduceOp.SUM)
    flat /= dist.get_world_size()
    offset = 0
    for g in grads:
        g.copy_(flat[offset : offset + g.numel()].view_as(g))
        offset += g.numel()


def is_main_process() -> bool:
    """True on rank 0 (and in single-process runs): the process that writes files."""
    return not dist.is_initialized() or dist.get_rank() == 0


def broadcast_buffers(module: nn.Module) -> None:
    """Copy rank 0's buffers (batch-norm running statistics) to every rank, as DDP does."""
    if not dist.is_initialized() or dist.get_world_size() == 1:
        return
    for b in module.buffers():
        dist.broadcast(b, src=0)
