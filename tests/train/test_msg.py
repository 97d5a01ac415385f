"""MSG-GAN in the models and the trainer (S06): model.msg."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from ganhacks.errors import UserError
from ganhacks.models import DCGANDiscriminator, DCGANGenerator
from ganhacks.train.callbacks import Callback
from ganhacks.train.loop import Trainer
from ganhacks.train.run import resume_run, start_run

MSG = ["model.msg=true", "data.image_size=16"]  # digits at 16x16: three scales, 16, 8 and 4


def pyramid_by_hand(x, scales):
    levels = [x]
    for _ in range(scales - 1):
        levels.append(F.avg_pool2d(levels[-1], 2))
    return levels


def states_equal(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_generator_emits_every_scale_finest_first():
    torch.manual_seed(0)
    g = DCGANGenerator(8, 3, 32, width=4, msg=True)
    z = torch.randn(5, 8)
    with torch.no_grad():
        images = g(z, pyramid=True)
    assert g.num_scales == 4
    assert [tuple(t.shape) for t in images] == [(5, 3, 32, 32), (5, 3, 16, 16), (5, 3, 8, 8), (5, 3, 4, 4)]
    assert all(float(t.abs().max()) <= 1 for t in images)  # tanh at every scale, like the real pyramid (T01)
    assert torch.equal(images[0], g(z).detach())  # G(z) is the finest image, so samplers need not know about MSG
    assert len({float(t.mean()) for t in images}) == 4  # separate outputs, not copies of one
    with pytest.raises(UserError, match="model.msg=true"):
        DCGANGenerator(8, 3, 32, width=4)(z, pyramid=True)


def test_option_off_keeps_the_plain_weight_names():
    # a plain G's weights keep their names, so checkpoints from before MSG still load
    plain, msg = DCGANGenerator(8, 1, 16, width=4), DCGANGenerator(8, 1, 16, width=4, msg=True)
    assert set(plain.state_dict()) < set(msg.state_dict())
    assert all(k.startswith("to_rgb.") for k in set(msg.state_dict()) - set(plain.state_dict()))


def test_d_gradient_reaches_every_scale_of_its_input_and_of_g():
    torch.manual_seed(0)
    g = DCGANGenerator(8, 3, 32, width=4, msg=True)
    d = DCGANDiscriminator(3, 32, width=4, minibatch_std=True, msg=True)
    levels = [t.detach().requires_grad_(True) for t in pyramid_by_hand(torch.rand(4, 3, 32, 32) * 2 - 1, 4)]
    grads = torch.autograd.grad(d(levels).sum(), levels)
    assert all(float(gr.norm()) > 0 for gr in grads)
    d(g(torch.randn(4, 8), pyramid=True)).sum().backward()
    assert all(float(head[0].weight.grad.norm()) > 0 for head in g.to_rgb)  # every coarse output of G is trained
    # a plain image batch is turned into its average-pool pyramid
    x = torch.rand(4, 3, 32, 32)
    assert_close(d(x), d(pyramid_by_hand(x, 4)))


def test_d_refuses_a_wrong_pyramid():
    d = DCGANDiscriminator(1, 16, width=4, msg=True)
    x = torch.zeros(2, 1, 16, 16)
    with pytest.raises(UserError, match="finest first") as info:
        d(pyramid_by_hand(x, 3)[::-1])
    assert "\n" not in str(info.value)
    with pytest.raises(UserError, match="finest first"):
        d(pyramid_by_hand(x, 2))
    with pytest.raises(UserError, match="msg=True"):
        DCGANDiscriminator(1, 16, width=4)(pyramid_by_hand(x, 3))


def test_r1_in_the_trainer_is_the_sum_over_scales(tiny):
    cfg = tiny(steps=1, extra=[*MSG, "loss.penalty=r1", "loss.penalty_weight=1"])
    run, twin = Trainer(cfg), Trainer(cfg)
    logs = run.d_step()
    real, _ = next(twin.data)
    levels = [t.detach().requires_grad_(True) for t in pyramid_by_hand(real, 3)]
    grads = torch.autograd.grad(twin.D(levels).sum(), levels)
    per_scale = [gr.flatten(1).square().sum(1).mean() for gr in grads]  # mean_i ||grad_{x_k} D(x_i)||^2
    assert all(float(p) > 0 for p in per_scale)
    assert_close(logs["loss/penalty"], sum(per_scale).detach())  # R1 = sum_k of the per-scale R1


def test_wgan_gp_in_the_trainer_uses_the_joint_norm(tiny):
    cfg = tiny(
        steps=1,
        extra=[*MSG, "loss.name=wasserstein", "loss.smoothing=none", "loss.penalty=wgan_gp", "model.d_norm=layer"],
    )
    run, twin = Trainer(cfg), Trainer(cfg)
    logs = run.d_step()
    # replay the D step's draws: real batch, z, then one interpolation weight per sample shared by all scales
    real, _ = next(twin.data)
    z = twin.sample_z(len(real), cfg.model.z_dim, generator=twin.gen)
    with torch.no_grad():
        fake = twin.G(z, pyramid=True)
    a = torch.rand(len(real), 1, generator=twin.gen)
    x_hat = [
        (a[:, :, None, None] * r + (1 - a[:, :, None, None]) * f).requires_grad_(True)
        for r, f in zip(pyramid_by_hand(real, 3), fake)
    ]
    grads = torch.autograd.grad(twin.D(x_hat).sum(), x_hat)
    joint = torch.stack([gr.flatten(1).square().sum(1) for gr in grads]).sum(0).sqrt()  # sqrt(sum_k ||g_k||^2)
    assert_close(logs["loss/penalty"], (joint - 1).square().mean().detach())


class Collect(Callback):
    def __init__(self):
        self.logs = []

    def on_step_end(self, trainer, step, logs):
        self.logs.append({k: float(v) for k, v in logs.items()})


@pytest.mark.parametrize(
    "extra",
    [
        ["loss.penalty=r1", "loss.penalty_weight=5", "tricks.separate_batches=false"],
        [
            "loss.name=wasserstein",
            "loss.smoothing=none",
            "loss.penalty=wgan_gp",
            "model.d_norm=layer",
            "tricks.n_critic=2",
        ],
    ],
)
def test_training_with_msg_and_a_penalty_stays_finite(tiny, extra):
    seen = Collect()
    trainer = Trainer(tiny(steps=5, extra=[*MSG, *extra]), callbacks=[seen])
    trainer.fit()
    assert len(seen.logs) == 5
    assert all(math.isfinite(v) for logs in seen.logs for v in logs.values())
    assert all(logs["loss/penalty"] > 0 for logs in seen.logs)
    assert tuple(trainer.sample(3).shape) == (3, 1, 16, 16)  # samples are the finest scale


@pytest.mark.parametrize(
    "extra",
    [
        ["loss.penalty=r1", "loss.penalty_weight=1"],
        [
            "tricks.replay_p=0.5",
            "tricks.noise_start=0.2",
            "loss.name=wasserstein",
            "loss.smoothing=none",
            "loss.penalty=wgan_gp",
            "model.d_norm=layer",
            "model.encoder=true",
        ],
    ],
)
def test_resume_with_msg_equals_uninterrupted_run(tmp_path, tiny, extra):
    full = Trainer(tiny(steps=8, extra=[*MSG, *extra]))
    full.fit()
    run = tmp_path / "run"
    start_run(tiny(steps=4, extra=[*MSG, *extra]), run, progress=False)
    resumed = resume_run(run, steps=8, progress=False)
    assert resumed.step == 8
    for name in ("G", "D"):
        assert states_equal(getattr(full, name).state_dict(), getattr(resumed, name).state_dict()), name
    if full.replay is not None:  # the buffer holds packed pyramids
        assert torch.equal(full.replay.state_dict()["items"], resumed.replay.state_dict()["items"])
    other = Trainer(tiny(steps=8, extra=[*MSG, *extra, "train.seed=1"]))
    other.fit()
    assert not states_equal(full.G.state_dict(), other.G.state_dict())


@pytest.mark.parametrize(
    "extra, message",
    [
        (["data.name=ring8", "model.msg=true"], "needs image data"),
        (["model.msg=true", "data.image_size=12"], "power-of-two"),
        (["model.msg=treu"], "model.msg expects bool"),
    ],
)
def test_bad_msg_config_is_a_one_line_user_error(tiny, extra, message):
    with pytest.raises(UserError, match=message) as info:
        Trainer(tiny(steps=1, extra=extra))
    assert "\n" not in str(info.value)
