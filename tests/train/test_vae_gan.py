"""The hybrid VAE-GAN in the trainer (T07): model.encoder, loss.recon / recon_weight / kl_weight."""

import pytest
import torch
from torch.testing import assert_close

from ganhacks.errors import UserError
from ganhacks.models import ConvEncoder, MLPEncoder
from ganhacks.train.loop import Trainer
from ganhacks.train.run import resume_run, start_run
from ganhacks.tricks.hybrid import reparameterize

# no batch norm and no dropout in G, so an extra forward of G (the reconstruction) leaves nothing behind
PURE_G = {True: ["model.g_norm=layer"], False: ["model.g_norm=none"]}
ENC = ["model.encoder=true"]


def states_equal(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_encoders_map_samples_to_mu_and_logvar():
    mu, logvar = ConvEncoder(3, 16, z_dim=5, width=4)(torch.randn(6, 3, 16, 16))
    assert mu.shape == logvar.shape == (6, 5)
    mu, logvar = MLPEncoder(2, z_dim=3, width=8, depth=2)(torch.randn(7, 2))
    assert mu.shape == logvar.shape == (7, 3)


@pytest.mark.parametrize("images, cond", [(True, []), (False, []), (True, ["model.conditioning=projection"])])
def test_recon_and_kl_match_a_hand_computation_and_enter_g_loss(tiny, images, cond):
    base = [*PURE_G[images], *cond]
    cfg = tiny(images=images, steps=1, extra=[*ENC, *base, "loss.recon_weight=2", "loss.kl_weight=0.5"])
    run, twin = Trainer(cfg), Trainer(cfg)  # same seed: same weights, data order and streams
    logs = run.run_iteration()

    real, y = next(twin.data)  # the batch the D step drew; E encodes it in the G step
    mu, logvar = twin.E(real)
    z = reparameterize(mu, logvar, generator=twin.gen_e)
    x_hat = twin.G(z, y if cond else None)  # a conditional G decodes with the real labels
    recon = (real - x_hat).square().reshape(len(real), -1).sum(1).mean().detach()  # mean_i sum_j (x - x_hat)^2
    kl = (0.5 * (mu.square() + logvar.exp() - 1 - logvar)).sum(1).mean().detach()  # mean_i KL(N(mu, s^2) || N(0, I))
    assert_close(logs["loss/recon"], recon)
    assert_close(logs["loss/kl"], kl)
    assert float(recon) > 0.1 and float(kl) > 0  # both terms are really there

    plain = Trainer(tiny(images=images, steps=1, extra=base))
    plain_logs = plain.run_iteration()
    assert torch.equal(plain_logs["loss/d"], logs["loss/d"])
    d = real[0].numel()  # the terms enter G's loss per data element
    assert_close(logs["loss/g"], plain_logs["loss/g"] + (2 * recon + 0.5 * kl) / d)
    # E is trained with G: it received a gradient and moved
    assert float(logs["grad_norm/e"]) > 0
    assert not states_equal(run.E.state_dict(), twin.E.state_dict())


@pytest.mark.parametrize("images", [True, False])
def test_zero_weights_give_exactly_the_plain_run(tiny, images):
    plain = Trainer(tiny(images=images, steps=4, extra=PURE_G[images]))
    hybrid = Trainer(
        tiny(images=images, steps=4, extra=[*ENC, *PURE_G[images], "loss.recon_weight=0", "loss.kl_weight=0"])
    )
    for _ in range(4):
        a, b = plain.run_iteration(), hybrid.run_iteration()
        plain.step += 1
        hybrid.step += 1
        assert float(b["loss/recon"]) > 0  # the terms are computed, only weighted by 0
        assert all(torch.equal(a[k], b[k]) for k in a)
    for name in ("G", "D"):
        assert states_equal(getattr(plain, name).state_dict(), getattr(hybrid, name).state_dict()), name
    assert states_equal(plain.ema.module.state_dict(), hybrid.ema.module.state_dict())


def test_the_reconstruction_term_teaches_e_and_g_to_reconstruct(tiny):
    # T07's anchor: trained with the term, G(E(x)) lands far closer to x than when it is weighted 0
    def recon_after_training(weight):
        extra = [*ENC, f"loss.recon_weight={weight}", "loss.kl_weight=0.01", "optim.g_lr=0.002"]
        trainer = Trainer(tiny(images=False, steps=40, extra=extra))
        trainer.fit()
        return float(trainer.g_step()["loss/recon"])

    assert recon_after_training(1) < 0.8 * recon_after_training(0)


@pytest.mark.parametrize(
    "images, extra",
    [
        (
            True,
            [
                "tricks.replay_p=0.5",
                "tricks.noise_start=0.2",
                "model.g_dropout=0.2",
                "loss.flip_p=0.1",
                "loss.recon=l1",
            ],
        ),
        (False, ["loss.penalty=r1", "loss.penalty_weight=1", "loss.kl_weight=0.1"]),
    ],
)
def test_resume_with_encoder_equals_uninterrupted_run(tmp_path, tiny, images, extra):
    full = Trainer(tiny(images=images, steps=8, extra=[*ENC, *extra]))
    full.fit()
    run = tmp_path / "run"
    start_run(tiny(images=images, steps=4, extra=[*ENC, *extra]), run, progress=False)
    resumed = resume_run(run, steps=8, progress=False)
    assert resumed.step == 8
    for name in ("G", "D", "E"):
        assert states_equal(getattr(full, name).state_dict(), getattr(resumed, name).state_dict()), name
    assert full.gen_e.get_state().equal(resumed.gen_e.get_state())
    assert_close(full.opt_e.state_dict()["state"], resumed.opt_e.state_dict()["state"], rtol=0, atol=0)
    # a run with another seed really differs (the comparison can fail)
    other = Trainer(tiny(images=images, steps=8, extra=[*ENC, *extra, "train.seed=1"]))
    other.fit()
    assert not states_equal(full.E.state_dict(), other.E.state_dict())


def test_checkpoint_and_config_must_agree_on_the_encoder(tiny):
    with_e, without = Trainer(tiny(steps=1, extra=ENC)), Trainer(tiny(steps=1))
    with pytest.raises(UserError, match="has no encoder") as info:
        with_e.load_state_dict(without.state_dict())
    assert "\n" not in str(info.value)
    with pytest.raises(UserError, match="has an encoder"):
        without.load_state_dict(with_e.state_dict())


@pytest.mark.parametrize(
    "extra, message",
    [
        (["tricks.latent=uniform"], "set tricks.latent=gaussian"),
        (["loss.recon=l3"], "Valid choices: l2, l1"),
        (["loss.kl_weight=-1"], "loss.kl_weight must be >= 0"),
        (["loss.recon_weight=nan"], "loss.recon_weight must be >= 0"),
    ],
)
def test_bad_encoder_config_is_a_one_line_user_error(tiny, extra, message):
    with pytest.raises(UserError, match=message) as info:
        Trainer(tiny(steps=1, extra=[*ENC, *extra]))
    assert "\n" not in str(info.value)
