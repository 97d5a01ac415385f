"""Tests for ganhacks.tricks.ema (S07)."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from ganhacks.errors import UserError
from ganhacks.tricks.ema import EMA


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.LeakyReLU(0.2), nn.Linear(4, 2))


def _train_step(model: nn.Module, step: int) -> None:
    """Change weights and BatchNorm statistics the way a training step would."""
    model.train()
    gen = torch.Generator().manual_seed(100 + step)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=gen))
        model(torch.randn(8, 3, generator=gen) * (step + 2))


def test_ema_copy_is_frozen_in_eval_mode_and_independent() -> None:
    model = _model()
    ema = EMA(model, decay=0.9)
    assert ema.module is not model
    assert not ema.module.training
    assert all(not p.requires_grad for p in ema.module.parameters())
    assert all(p.requires_grad for p in model.parameters())
    assert model.training
    _train_step(model, 0)
    # the copy does not follow the model until update() is called
    assert not torch.equal(ema.module[0].weight, model[0].weight)


def test_ema_matches_hand_computation() -> None:
    decay = 0.8
    model = _model()
    ema = EMA(model, decay=decay)
    expected = {name: p.detach().clone() for name, p in model.named_parameters()}
    for step in range(3):
        _train_step(model, step)
        ema.update(model)
        for name, p in model.named_parameters():
            expected[name] = decay * expected[name] + (1 - decay) * p.detach()
    got = dict(ema.module.named_parameters())
    for name, value in expected.items():
        assert_close(got[name], value)
    assert not torch.equal(got["0.weight"], model[0].weight)  # averaged, not copied
    # buffers (BatchNorm running stats, batch counter) are copied as-is
    for (name, b_ema), (_, b) in zip(ema.module.named_buffers(), model.named_buffers()):
        assert torch.equal(b_ema, b), name
    assert int(ema.module[1].num_batches_tracked) == 3
    assert ema.num_updates == 3


def test_ema_decay_bounds() -> None:
    model = _model()
    frozen = EMA(model, decay=1.0)
    mirror = EMA(model, decay=0.0)
    start = model[0].weight.detach().clone()
    _train_step(model, 0)
    frozen.update(model)
    mirror.update(model)
    assert_close(frozen.module[0].weight, start)
    assert_close(mirror.module[0].weight, model[0].weight)
    for bad in (1.5, -0.1, float("nan")):
        with pytest.raises(UserError, match="decay"):
            EMA(model, decay=bad)


def test_ema_warmup_schedule() -> None:
    model = _model()
    ema = EMA(model, decay=0.2, warmup=True)
    decays = []
    for step in range(4):
        decays.append(ema.current_decay())
        _train_step(model, step)
        ema.update(model)
    # min(0.2, (1 + n) / (10 + n)) for n = 0, 1, 2, 3
    assert decays == pytest.approx([0.1, 2 / 11, 0.2, 0.2])
    assert EMA(model, decay=0.999).current_decay() == 0.999  # no warm-up by default


def test_ema_warmup_weights_follow_the_schedule() -> None:
    model = _model()
    ema = EMA(model, decay=0.999, warmup=True)
    start = model[3].bias.detach().clone()
    _train_step(model, 0)
    ema.update(model)
    assert_close(ema.module[3].bias, 0.1 * start + 0.9 * model[3].bias.detach())


def test_ema_state_dict_round_trip_restores_exactly() -> None:
    model = _model()
    ema = EMA(model, decay=0.7, warmup=True)
    for step in range(2):
        _train_step(model, step)
        ema.update(model)
    saved = copy.deepcopy(ema.state_dict())
    snapshot = copy.deepcopy(ema.module.state_dict())
    for step in range(2, 4):  # move on, then go back
        _train_step(model, step)
        ema.update(model)
    assert not torch.equal(ema.module[0].weight, snapshot["0.weight"])
    ema.load_state_dict(saved)
    for name, value in ema.module.state_dict().items():
        assert torch.equal(value, snapshot[name]), name
    assert (ema.decay, ema.warmup, ema.num_updates) == (0.7, True, 2)

    # a fresh EMA with other settings becomes identical, and continues identically
    fresh = EMA(_model(), decay=0.5)
    fresh.load_state_dict(saved)
    assert (fresh.decay, fresh.warmup, fresh.num_updates) == (0.7, True, 2)
    _train_step(model, 9)
    ema.update(model)
    fresh.update(model)
    for (name, a), (_, b) in zip(ema.module.state_dict().items(), fresh.module.state_dict().items()):
        assert torch.equal(a, b), name


def test_ema_rejects_other_architecture_and_bad_state() -> None:
    ema = EMA(_model())
    with pytest.raises(UserError, match="different parameters"):
        ema.update(nn.Linear(3, 4))
    with pytest.raises(UserError, match="missing"):
        ema.load_state_dict({"module": ema.module.state_dict()})
