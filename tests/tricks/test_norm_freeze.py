"""Tests for ganhacks.tricks.norm_freeze: G's batch-norm statistics held for the end of a run."""

from __future__ import annotations

import torch
from torch import nn
from torch.testing import assert_close

from ganhacks.tricks.norm_freeze import batch_norms, hold_batch_stats, holds_at


def _model() -> nn.Sequential:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4, 2))
    with torch.no_grad():  # running statistics away from their initial 0 and 1
        model[1].running_mean.copy_(torch.tensor([0.5, -1.0, 2.0, 0.0]))
        model[1].running_var.copy_(torch.tensor([4.0, 0.25, 1.0, 9.0]))
    return model


def test_held_layers_normalise_by_running_statistics_and_stop_updating_them():
    model = _model().train()
    bn = model[1]
    assert hold_batch_stats(model, True) == 1
    assert not bn.training and model.training and model[3].training  # only batch norm is switched
    x = torch.randn(16, 4)
    mean, var = bn.running_mean.clone(), bn.running_var.clone()
    # the closed form of eval-mode batch norm: (x - running mean) / sqrt(running var + eps) * w + b
    expected = (x - mean) / torch.sqrt(var + bn.eps) * bn.weight + bn.bias
    assert_close(bn(x), expected)
    assert torch.equal(bn.running_mean, mean) and torch.equal(bn.running_var, var)
    # gradients still reach the weights before and inside the held layer
    model(torch.randn(16, 3)).sum().backward()
    assert model[0].weight.grad is not None and bn.weight.grad is not None


def test_released_layers_follow_the_model_and_use_batch_statistics():
    model = _model().train()
    hold_batch_stats(model, True)
    assert hold_batch_stats(model, False) == 1
    bn = model[1]
    assert bn.training
    x = torch.randn(16, 4) * 3 + 1
    out = bn(x)
    assert_close(out.mean(0), bn.bias.expand(4), atol=1e-5, rtol=0)  # batch statistics: zero mean per unit
    model.eval()
    hold_batch_stats(model, False)
    assert not bn.training  # an evaluated model stays in eval mode


def test_sampling_in_eval_mode_undoes_the_hold_until_it_is_set_again():
    # the trainer re-applies the hold every iteration because model.train() resets it
    model = _model().train()
    hold_batch_stats(model, True)
    model.eval()
    model.train()
    assert model[1].training
    hold_batch_stats(model, True)
    assert not model[1].training


def test_a_model_without_batch_norm_has_nothing_to_hold():
    model = nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4), nn.BatchNorm1d(4, track_running_stats=False))
    assert batch_norms(model) == []
    assert hold_batch_stats(model, True) == 0
    assert all(m.training for m in model.modules())


def test_holds_from_its_share_of_the_run_on():
    assert [holds_at(s, 8, 0.5) for s in range(8)] == [False] * 4 + [True] * 4
    assert [holds_at(s, 8, 0.0) for s in range(8)] == [True] * 8
    assert not any(holds_at(s, 8, 1.0) for s in range(9))
    assert [holds_at(s, 10, 0.25) for s in (2, 3)] == [False, True]  # 2.5: from the first whole step on
