import pytest
import torch
from torch import nn

from ganhacks.errors import UserError
from ganhacks.tricks.optim import OptimConfig, make_optimizers, scale_lr, schedule_lr


def test_default_is_dcgan_adam():
    g, d = nn.Linear(2, 2), nn.Linear(2, 1)
    opt_g, opt_d = make_optimizers(g, d)
    assert isinstance(opt_g, torch.optim.Adam) and isinstance(opt_d, torch.optim.Adam)
    assert opt_g.param_groups[0]["betas"] == (0.5, 0.999)
    assert opt_g.param_groups[0]["lr"] == 2e-4


def test_ttur_and_sgd_for_d():
    g, d = nn.Linear(2, 2), nn.Linear(2, 1)
    opt_g, opt_d = make_optimizers(g, d, OptimConfig(g_lr=1e-4, d_lr=4e-4, d_optimizer="sgd", momentum=0.9))
    assert isinstance(opt_d, torch.optim.SGD) and opt_d.param_groups[0]["momentum"] == 0.9
    assert opt_g.param_groups[0]["lr"] == 1e-4 and opt_d.param_groups[0]["lr"] == 4e-4
    # each optimiser holds exactly its own network's parameters
    assert {id(p) for p in opt_d.param_groups[0]["params"]} == {id(p) for p in d.parameters()}


def test_scale_lr():
    opt = torch.optim.Adam(nn.Linear(2, 2).parameters(), lr=1e-3)
    assert scale_lr(opt, 0.5) == [pytest.approx(5e-4)]


def test_schedules_lower_the_rate_to_zero_after_their_start():
    opt = torch.optim.Adam(nn.Linear(2, 2).parameters(), lr=1e-3)
    assert [schedule_lr(opt, "linear", p, start=0.6) for p in (0.0, 0.6, 0.8, 1.0)] == pytest.approx([1, 1, 0.5, 0])
    assert opt.param_groups[0]["lr"] == 0.0 and opt.param_groups[0]["base_lr"] == 1e-3
    assert schedule_lr(opt, "cosine", 0.75, start=0.5) == pytest.approx(0.5)  # half-way down the cosine
    assert schedule_lr(opt, "constant", 0.99, start=0.5) == 1.0
    scale_lr(opt, 0.5)  # a rollback halves the base rate too, so the schedule keeps the halving
    schedule_lr(opt, "linear", 0.0, start=0.5)
    assert opt.param_groups[0]["lr"] == pytest.approx(5e-4)


def test_bad_config():
    with pytest.raises(UserError, match="Did you mean 'adam'"):
        OptimConfig(d_optimizer="adma")
    with pytest.raises(UserError, match="> 0"):
        OptimConfig(g_lr=0)
    with pytest.raises(UserError, match="betas"):
        OptimConfig(betas=(0.5, 1.5))
    with pytest.raises(UserError, match="Did you mean 'linear'"):
        OptimConfig(lr_schedule="linaer")
    with pytest.raises(UserError, match="share of the run"):
        OptimConfig(lr_decay_start=1.0)
