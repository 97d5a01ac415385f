"""The D and G steps' loss terms, as records chosen once from the config (train/terms.py)."""

import copy

import pytest
import torch
import torch.nn.functional as F

from ganhacks.errors import UserError
from ganhacks.train.loop import Trainer
from ganhacks.train.terms import Seen, annealed, penalty_term
from ganhacks.tricks.penalties import PENALTIES


def _seen(real, fake):
    # D(x) = 0.5 * ||x||^2, so grad_x D = x and a squared-gradient penalty is mean ||x||^2
    return Seen(real, fake, 0.5 * (real**2).sum(1), 0.5 * (fake**2).sum(1))


@pytest.mark.parametrize(
    "name, expected",
    [
        ("r1", lambda r, f: (r**2).sum(1).mean()),
        ("r2", lambda r, f: (f**2).sum(1).mean()),
        ("r1r2", lambda r, f: (r**2).sum(1).mean() + (f**2).sum(1).mean()),
    ],
)
def test_each_penalty_differentiates_the_inputs_it_names(name, expected):
    g = torch.Generator().manual_seed(0)
    real = torch.randn(5, 3, generator=g).requires_grad_(True)
    fake = 3 * torch.randn(5, 3, generator=g).requires_grad_(True)
    fake.retain_grad()
    term = penalty_term(trainer=None, penalty=PENALTIES.get(name), weight=2.5)
    assert term.log == "loss/penalty" and term.weight == 2.5
    value = term.fn(_seen(real, fake))
    assert value.item() == pytest.approx(expected(real.detach(), fake.detach()).item(), rel=1e-5)


def test_g_step_learns_from_the_top_half_of_d_scores(tiny):
    config = tiny(images=False, extra=["tricks.topk_keep=0.5", "tricks.topk_ramp=0", "loss.smoothing=none"])
    trainer = Trainer(config)
    trainer.d_step()
    seen = []
    handle = trainer.D.register_forward_hook(lambda m, i, out: seen.append(out.detach().reshape(-1)))
    logs = trainer.g_step()
    handle.remove()
    (scores,) = seen  # one D forward in the G step: the fakes
    n = config.train.batch_size
    expected = F.softplus(-scores.topk(n // 2).values).mean()  # the non-saturating loss on the best half
    assert float(logs["loss/g"]) == pytest.approx(float(expected), rel=1e-5)
    assert float(F.softplus(-scores).mean()) != pytest.approx(float(expected), rel=1e-3)  # the full batch differs


def test_relativistic_losses_refuse_top_k(tiny):
    config = tiny(images=False, extra=["tricks.topk_keep=0.5", "loss.name=relativistic_pairing", "loss.smoothing=none"])
    with pytest.raises(UserError, match="topk_keep"):
        Trainer(config)


@pytest.mark.parametrize("step, due", [(0, True), (1, False), (3, False), (4, True), (8, True)])
def test_lazy_penalty_is_due_every_kth_iteration(step, due):
    term = penalty_term(trainer=None, penalty=PENALTIES.get("r1"), weight=0.5, every=4)
    assert term.due(step) is due


def test_lazy_r1_adds_k_times_the_penalty_only_when_due(tiny):
    """StyleGAN2's lazy regularisation: every 4th iteration D's loss is the adversarial loss plus
    4 * weight * R1; in between it is the adversarial loss alone, and no input gradient is taken."""
    extra = ["loss.penalty=r1", "loss.penalty_weight=0.5", "loss.penalty_every=4", "loss.smoothing=none"]
    trainer = Trainer(tiny(images=False, extra=[*extra, "model.d_norm=none"]))
    seen = []
    trainer.D.register_forward_hook(lambda m, i, out: seen.append((i[0], out.detach().reshape(-1))))
    for step, due in ((4, True), (5, False)):
        trainer.step = step
        seen.clear()
        d_before = copy.deepcopy(trainer.D)  # D as the step saw it (the step then updates D)
        logs = trainer.d_step()
        (real_in, real_out), (_, fake_out) = seen[:2]  # separate batches: reals, then fakes
        adversarial = F.softplus(-real_out).mean() + F.softplus(fake_out).mean()
        assert real_in.requires_grad is due
        if due:
            x = real_in.detach().requires_grad_(True)
            (grad,) = torch.autograd.grad(d_before(x).sum(), x)
            r1 = grad.square().sum(1).mean()
            assert float(logs["loss/penalty"]) == pytest.approx(float(r1), rel=1e-4)
            expected = adversarial + 4 * 0.5 * r1
        else:
            assert "loss/penalty" not in logs
            expected = adversarial
        assert float(logs["loss/d"]) == pytest.approx(float(expected), rel=1e-4)


def test_penalty_every_must_be_positive(tiny):
    with pytest.raises(UserError, match="penalty_every"):
        tiny(images=False, extra=["loss.penalty=r1", "loss.penalty_every=0"])


@pytest.mark.parametrize(
    "progress, factor",
    [(0.0, 1.0), (0.5, 1.0), (0.75, 0.625), (1.0, 0.25)],  # 0.25 + 0.75 * (1 - p) / 0.5
)
def test_annealed_weight_falls_linearly_from_the_decay_start_to_its_end_share(progress, factor):
    term = penalty_term(None, PENALTIES.get("r1"), weight=2.0, every=4, scale=annealed(0.25, 0.5))
    assert term.weight_at(progress) == pytest.approx(2.0 * 4 * factor)


def test_a_constant_penalty_has_no_schedule():
    assert annealed(1.0, 0.5) is None
    assert penalty_term(None, PENALTIES.get("r1"), weight=2.0).weight_at(0.9) == 2.0


def test_annealed_r1_enters_d_loss_at_its_weight_of_the_step(tiny):
    """loss.penalty_end=0.25 with the decay window from half-way: at step 6 of 8 D's loss is the
    adversarial loss plus 0.5 * (0.25 + 0.75 * 0.5) * R1, and at step 2 plus the full 0.5 * R1."""
    extra = ["loss.penalty=r1", "loss.penalty_weight=0.5", "loss.penalty_end=0.25", "loss.smoothing=none"]
    trainer = Trainer(
        tiny(images=False, extra=[*extra, "model.d_norm=none", "train.steps=8", "optim.lr_decay_start=0.5"])
    )
    seen = []
    trainer.D.register_forward_hook(lambda m, i, out: seen.append((i[0], out.detach().reshape(-1))))
    for step, factor in ((2, 1.0), (6, 0.625)):
        trainer.step = step
        seen.clear()
        d_before = copy.deepcopy(trainer.D)
        logs = trainer.d_step()
        (real_in, real_out), (_, fake_out) = seen[:2]
        adversarial = F.softplus(-real_out).mean() + F.softplus(fake_out).mean()
        x = real_in.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(d_before(x).sum(), x)
        r1 = grad.square().sum(1).mean()
        assert float(logs["loss/penalty"]) == pytest.approx(float(r1), rel=1e-4)  # logged unweighted
        assert float(logs["loss/d"]) == pytest.approx(float(adversarial + 0.5 * factor * r1), rel=1e-4)


def test_penalty_end_must_be_a_share(tiny):
    with pytest.raises(UserError, match="penalty_end"):
        tiny(images=False, extra=["loss.penalty=r1", "loss.penalty_end=1.5"])
