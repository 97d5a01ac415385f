"""Packing (S13, PacGAN): packs are consecutive samples side by side; D gives one verdict per pack."""

import pytest
import torch
from torch import nn

from ganhacks.errors import UserError
from ganhacks.models import build_models
from ganhacks.tricks.packing import Packed, pack
from ganhacks.tricks.penalties import r1
from ganhacks.tricks.steps import discriminate


def test_pack_puts_consecutive_samples_side_by_side():
    x = torch.arange(12.0).reshape(6, 2)  # six 2-d points
    packed = pack(x, 3)
    assert packed.shape == (2, 6)
    # pack i holds samples 3i, 3i+1, 3i+2 in that order, each in its own slice of features
    assert torch.equal(packed[1], torch.cat([x[3], x[4], x[5]]))
    images = torch.randn(4, 3, 5, 5)
    packed = pack(images, 2)
    assert packed.shape == (2, 6, 5, 5)
    assert torch.equal(packed[1, 3:], images[3])  # channels 3..5 of pack 1 are image 3


def test_pack_refuses_a_batch_it_cannot_cut():
    with pytest.raises(UserError, match="divisible by 4"):
        pack(torch.randn(6, 2), 4)


def test_packed_d_gives_one_verdict_per_pack_and_sees_every_member():
    inner = nn.Linear(4, 1)
    d = Packed(inner, 2)
    x = torch.randn(6, 2, requires_grad=True)
    out = d(x)
    assert out.shape == (3, 1)
    assert torch.allclose(out, inner(x.reshape(3, 4)))
    out.sum().backward()
    # each sample's gradient is the slice of the first layer's weights its place in the pack reads
    assert torch.allclose(x.grad[0], inner.weight[0, :2]) and torch.allclose(x.grad[1], inner.weight[0, 2:])
    assert d(torch.randn(7, 2)).shape == (3, 1)  # a probe's odd batch: the last sample is left out


def test_a_packed_d_notices_a_collapsed_batch_a_single_sample_d_cannot():
    """PacGAN's point: two identical fakes side by side look unlike two independent reals. D here is
    the ideal distance test |x_1 - x_2|, which a packed D can compute and a one-sample D cannot."""
    d = Packed(lambda pair: (pair[:, 0] - pair[:, 1]).abs(), 2)
    g = torch.Generator().manual_seed(0)
    reals = torch.randn(512, 1, generator=g)
    collapsed = torch.randn(256, 1, generator=g).repeat_interleave(2, 0)  # each pack: one sample twice
    assert d(collapsed).abs().max() == 0 and d(reals).mean() > 0.5


def test_r1_of_a_packed_d_takes_the_norm_over_each_pack():
    inner = nn.Linear(4, 1)
    x = torch.randn(6, 2, requires_grad=True)
    value = r1(Packed(inner, 2)(x).reshape(-1), x)
    # D(pack) = w . pack + b: every pack's gradient is all of w, so R1 = ||w||^2 (not the mean of its halves)
    assert value.item() == pytest.approx(inner.weight.square().sum().item(), rel=1e-6)


def test_build_models_widens_only_d_input():
    from ganhacks.train.config import ModelConfig

    for shape in ((2,), (3, 8, 8)):
        g, d = build_models(ModelConfig(pack=2, d_norm="none"), shape)
        z = torch.randn(4, 64)
        x = g(z)
        assert x.shape == (4, *shape)  # G is untouched
        assert d(x).reshape(-1).shape == (2,)


def test_joint_real_fake_batch_splits_per_pack():
    d = Packed(lambda pair: pair.sum(1), 2)
    real, fake = torch.ones(4, 1), -torch.ones(6, 1)
    real_out, fake_out = discriminate(d, real, fake, separate=False)
    assert real_out.tolist() == [2.0, 2.0] and fake_out.tolist() == [-2.0, -2.0, -2.0]


@pytest.mark.parametrize(
    "extra, match",
    [
        (["model.pack=2", "train.batch_size=7"], "divisible"),
        (["model.pack=0"], "model.pack"),
        (["model.pack=2", "model.conditioning=embedding"], "conditioning"),
    ],
)
def test_trainer_refuses_pack_it_cannot_honour(tiny, extra, match):
    from ganhacks.train.loop import Trainer

    with pytest.raises(UserError, match=match):
        Trainer(tiny(images=False, extra=extra))


def test_trainer_d_step_reads_packs(tiny):
    from ganhacks.train.loop import Trainer

    trainer = Trainer(tiny(images=False, extra=["model.pack=2", "train.batch_size=8", "loss.penalty=r1"]))
    logs = trainer.d_step()
    assert trainer.D.inner.body[0].in_features == 4  # two 2-d points per input
    assert float(logs["loss/penalty"]) > 0  # R1 differentiates through the packing to the samples
    assert torch.isfinite(trainer.g_step()["loss/g"])
