import copy

import pytest
import torch
from torch import nn

from ganhacks.errors import UserError
from ganhacks.tricks.replay import ReplayBuffer, SnapshotPool


def test_replay_returns_past_samples_at_requested_rate():
    buf = ReplayBuffer(capacity=500, p=0.3, seed=0)
    past_fraction = []
    for step in range(60):
        batch = torch.full((64, 1), float(step))  # each step's fakes carry their step number
        out = buf.mix(batch)
        if step >= 10:
            past = out[:, 0] != step
            assert (out[past, 0] < step).all()  # replaced samples come from the past
            past_fraction.append(past.float().mean().item())
    rate = sum(past_fraction) / len(past_fraction)
    assert rate == pytest.approx(0.3, abs=0.03)


def test_replay_buffer_is_a_uniform_reservoir():
    buf = ReplayBuffer(capacity=200, p=0.0, seed=1)
    for step in range(50):
        buf.push(torch.full((20, 1), float(step)))
    assert len(buf) == 200 and buf.seen == 1000
    ages = buf.state_dict()["items"][:, 0]
    # a uniform sample of steps 0..49 has mean ~24.5; a FIFO would hold only the last 10 steps
    assert ages.mean().item() == pytest.approx(24.5, abs=3.0)
    assert ages.min() < 10


def test_replay_state_round_trip_continues_identically():
    a = ReplayBuffer(capacity=32, p=0.5, seed=3)
    for _i in range(5):
        a.mix(torch.randn(16, 2))
    b = ReplayBuffer(capacity=1, p=0.0)
    b.load_state_dict(copy.deepcopy(a.state_dict()))
    x = torch.randn(16, 2)
    assert torch.equal(a.mix(x), b.mix(x))


def test_snapshot_swap_in_and_back_restores_exactly():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3))
    pool = SnapshotPool(capacity=3, seed=0)
    pool.add(net)
    old = copy.deepcopy(net.state_dict())
    opt = torch.optim.Adam(net.parameters(), lr=0.1)
    for _ in range(3):  # train so live weights differ from the snapshot
        opt.zero_grad()
        net(torch.randn(8, 3)).pow(2).sum().backward()
        opt.step()
    live = copy.deepcopy(net.state_dict())
    pool.swap_in(net, steps=2, index=0)
    for k in old:
        assert torch.equal(net.state_dict()[k], old[k])
    assert pool.step(net) is True  # one step left
    assert pool.step(net) is False  # swapped back
    for k in live:
        assert torch.equal(net.state_dict()[k], live[k])
    assert opt.param_groups[0]["params"][0] is next(net.parameters())  # optimiser still attached


def test_snapshot_pool_capacity_and_errors():
    net = nn.Linear(2, 2)
    pool = SnapshotPool(capacity=2)
    with pytest.raises(UserError, match="empty"):
        pool.swap_in(net, steps=1)
    for _ in range(3):
        pool.add(net)
    assert len(pool.snapshots) == 2
    pool.swap_in(net, steps=1)
    with pytest.raises(UserError, match="already swapped"):
        pool.swap_in(net, steps=1)
    with pytest.raises(UserError, match="probability"):
        ReplayBuffer(p=2.0)
