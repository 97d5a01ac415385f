"""Two CPU processes (gloo) train together: gradients are averaged, weights stay identical."""

import os
import socket

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn

from ganhacks.train.distributed import average_gradients
from ganhacks.train.loop import Trainer

STEPS = 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _inputs(rank):
    return torch.arange(12, dtype=torch.float32).reshape(4, 3) * (rank + 1) - 5


def _worker(rank, world, port, config, out):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world))
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        torch.manual_seed(0)
        lin = nn.Linear(3, 1)
        (lin(_inputs(rank)) ** 2).mean().backward()
        average_gradients(lin)
        trainer = Trainer(config, rank=rank, world_size=world)
        trainer.fit()
        torch.save(
            {"grad": lin.weight.grad, "G": trainer.G.state_dict(), "D": trainer.D.state_dict()},
            os.path.join(out, f"rank{rank}.pt"),
        )
    finally:
        dist.destroy_process_group()


def test_two_processes_average_gradients_and_stay_in_sync(tmp_path, tiny):
    config = tiny(images=False, steps=STEPS, extra=["model.d_norm=none"])
    mp.spawn(_worker, args=(2, _free_port(), config, str(tmp_path)), nprocs=2, join=True)
    r0, r1 = (torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in (0, 1))

    # the all-reduced gradient is the mean of the two ranks' own gradients
    expected = []
    for rank in (0, 1):
        torch.manual_seed(0)
        lin = nn.Linear(3, 1)
        (lin(_inputs(rank)) ** 2).mean().backward()
        expected.append(lin.weight.grad)
    torch.testing.assert_close(r0["grad"], (expected[0] + expected[1]) / 2)
    torch.testing.assert_close(r1["grad"], r0["grad"])

    # both ranks end with the same weights though they saw different data ...
    for net in ("G", "D"):
        for k in r0[net]:
            assert torch.equal(r0[net][k], r1[net][k]), f"{net}.{k} differs between ranks"
    # ... and those weights differ from rank 0 training alone on its shard
    alone = Trainer(config, rank=0, world_size=2)
    alone.fit()
    assert any(not torch.equal(v, r0["G"][k]) for k, v in alone.G.state_dict().items())
