import pytest
import torch
from torch import nn
from torch.testing import assert_close

from ganhacks.errors import UserError
from ganhacks.tricks import steps


def test_schedule_plans():
    assert steps.StepSchedule().plan(0) == ("D", "G")
    assert steps.StepSchedule(n_critic=5).plan(3) == ("D",) * 5 + ("G",)
    s = steps.StepSchedule(n_critic=2, g_every=3)
    assert [s.plan(i) for i in range(4)] == [("D", "D", "G"), ("D", "D"), ("D", "D"), ("D", "D", "G")]
    with pytest.raises(UserError):
        steps.StepSchedule(n_critic=0)


def test_separate_batches_keep_batchnorm_statistics_pure():
    torch.manual_seed(0)
    d = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
    real = torch.randn(8, 2) + 5
    fake = torch.randn(8, 2) - 5
    sep_real, sep_fake = steps.discriminate(d, real, fake, separate=True)
    assert_close(sep_real, d(real))  # same as D on the real batch alone
    mix_real, mix_fake = steps.discriminate(d, real, fake, separate=False)
    assert mix_real.shape == sep_real.shape and mix_fake.shape == sep_fake.shape
    assert not torch.allclose(mix_real, sep_real)  # mixed batch statistics change D's output


def test_discriminate_shape_check():
    with pytest.raises(UserError, match="same shape"):
        steps.discriminate(lambda x: x, torch.zeros(2, 3), torch.zeros(2, 4))


def test_threshold_balancer_is_opt_in_and_warns():
    with pytest.warns(UserWarning, match="T11"):
        b = steps.ThresholdBalancer(d_threshold=0.5, g_threshold=2.0, max_repeats=3)
    assert b.repeat("D", 0.9, done=1)
    assert not b.repeat("D", 0.4, done=1)
    assert not b.repeat("D", 0.9, done=3)  # capped
    assert b.repeat("G", 2.5, done=0) and not b.repeat("G", 1.5, done=0)
    with pytest.raises(UserError, match="D, G"):
        b.repeat("E", 1.0, 0)


def test_discriminate_passes_labels_and_splits_tuples():
    def d(x, y, with_classes=False):
        out = x.sum(1) + y
        return (out, 2 * out) if with_classes else out

    real, fake = torch.ones(3, 2), torch.zeros(2, 2)
    yr, yf = torch.tensor([0.0, 1.0, 2.0]), torch.tensor([5.0, 6.0])
    for separate in (True, False):
        (r, rc), (f, fc) = steps.discriminate(d, real, fake, separate, yr, yf, with_classes=True)
        assert_close(r, torch.tensor([2.0, 3.0, 4.0]))
        assert_close(f, torch.tensor([5.0, 6.0]))
        assert_close(rc, 2 * r)
        assert_close(fc, 2 * f)
    with pytest.raises(UserError, match="both"):
        steps.discriminate(d, real, fake, True, yr, None)


def test_threshold_balancer_leaves_a_player_without_threshold_alone():
    with pytest.warns(UserWarning, match="T11"):
        b = steps.ThresholdBalancer(d_threshold=None, g_threshold=5.0, max_repeats=4)
    assert not b.repeat("D", 1e9, done=1)  # no D threshold: D is never repeated
    assert [b.repeat("G", 9.0, done) for done in (1, 2, 3, 4)] == [True, True, True, False]
