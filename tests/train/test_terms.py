"""The D and G steps' loss terms, as records chosen once from the config (train/terms.py)."""

import pytest
import torch
import torch.nn.functional as F

from ganhacks.errors import UserError
from ganhacks.train.loop import Trainer
from ganhacks.train.terms import Seen, penalty_term
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
