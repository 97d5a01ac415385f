import math

import pytest
import torch
from torch.testing import assert_close

from ganhacks.errors import UserError
from ganhacks.tricks import losses

REAL = torch.tensor([2.0, -1.0, 0.5])
FAKE = torch.tensor([-3.0, 0.0, 1.5])


def sig(x):
    return 1 / (1 + math.exp(-x))


def mean(xs):
    return sum(xs) / len(xs)


def test_bce_d_loss_matches_closed_form():
    expected = mean([-math.log(sig(r)) for r in REAL.tolist()]) + mean([-math.log(1 - sig(f)) for f in FAKE.tolist()])
    assert losses.d_bce(REAL, FAKE).item() == pytest.approx(expected, rel=1e-6)


def test_bce_d_loss_with_soft_targets():
    rt, ft = torch.tensor([0.9, 0.8, 1.1]), torch.tensor([0.1, 0.0, 0.3])

    def bce(x, t):
        return -(t * math.log(sig(x)) + (1 - t) * math.log(1 - sig(x)))

    expected = mean([bce(x, t) for x, t in zip(REAL.tolist(), rt.tolist())]) + mean(
        [bce(x, t) for x, t in zip(FAKE.tolist(), ft.tolist())]
    )
    assert losses.d_bce(REAL, FAKE, rt, ft).item() == pytest.approx(expected, rel=1e-6)


def test_generator_losses_closed_forms():
    f = FAKE.tolist()
    assert losses.g_minimax(FAKE).item() == pytest.approx(mean([math.log(1 - sig(x)) for x in f]), rel=1e-6)
    assert losses.g_nonsaturating(FAKE).item() == pytest.approx(mean([-math.log(sig(x)) for x in f]), rel=1e-6)
    assert losses.g_least_squares(FAKE).item() == pytest.approx(mean([0.5 * (x - 1) ** 2 for x in f]), rel=1e-6)
    assert losses.g_hinge(FAKE).item() == pytest.approx(-mean(f), rel=1e-6)
    assert losses.g_wasserstein(FAKE).item() == pytest.approx(-mean(f), rel=1e-6)


def test_other_d_losses_closed_forms():
    r, f = REAL.tolist(), FAKE.tolist()
    lsq = 0.5 * mean([(x - 1) ** 2 for x in r]) + 0.5 * mean([x**2 for x in f])
    assert losses.d_least_squares(REAL, FAKE).item() == pytest.approx(lsq, rel=1e-6)
    hinge = mean([max(0, 1 - x) for x in r]) + mean([max(0, 1 + x) for x in f])
    assert losses.d_hinge(REAL, FAKE).item() == pytest.approx(hinge, rel=1e-6)
    assert losses.d_wasserstein(REAL, FAKE).item() == pytest.approx(mean(f) - mean(r), rel=1e-6)


def test_relativistic_average_closed_form():
    r, f = REAL.tolist(), FAKE.tolist()
    mr, mf = mean(r), mean(f)
    d = mean([-math.log(sig(x - mf)) for x in r]) + mean([-math.log(1 - sig(x - mr)) for x in f])
    g = mean([-math.log(sig(x - mr)) for x in f]) + mean([-math.log(1 - sig(x - mf)) for x in r])
    assert losses.d_relativistic_average(REAL, FAKE).item() == pytest.approx(d, rel=1e-6)
    assert losses.g_relativistic_average(FAKE, REAL).item() == pytest.approx(g, rel=1e-6)
    with pytest.raises(UserError, match="real_logits"):
        losses.g_relativistic_average(FAKE)


def test_relativistic_pairing_closed_form():
    r, f = REAL.tolist(), FAKE.tolist()
    d = mean([-math.log(sig(x - y)) for x, y in zip(r, f)])  # -log sigmoid(D(x_i) - D(G(z_i)))
    g = mean([-math.log(sig(y - x)) for x, y in zip(r, f)])
    assert losses.d_relativistic_pairing(REAL, FAKE).item() == pytest.approx(d, rel=1e-6)
    assert losses.g_relativistic_pairing(FAKE, REAL).item() == pytest.approx(g, rel=1e-6)
    with pytest.raises(UserError, match="real_logits"):
        losses.g_relativistic_pairing(FAKE)
    with pytest.raises(UserError, match="pairs reals with fakes"):
        losses.d_relativistic_pairing(REAL, FAKE[:2])


def test_losses_are_finite_at_extreme_logits():
    big = torch.tensor([1e4, -1e4])
    for name in losses.LOSSES.names():
        loss = losses.get_loss(name)
        d = loss.d(big, -big)
        g = loss.g(big, big)
        assert torch.isfinite(d) and torch.isfinite(g), name


def _grad(fn, logit):
    x = torch.tensor([logit], requires_grad=True)
    fn(x).backward()
    return x.grad.item()


def test_minimax_gradient_vanishes_while_nonsaturating_does_not():
    # D confidently rejects fakes: D(G(z)) -> 0, i.e. fake logit -> -inf (tip T02)
    for logit in (-5.0, -10.0, -20.0):
        assert abs(_grad(losses.g_minimax, logit)) < 1e-2 * (10 ** ((logit + 5) / 5))
        assert abs(_grad(losses.g_nonsaturating, logit)) > 0.99
    assert abs(_grad(losses.g_minimax, -20.0)) < 1e-8


def test_logit_shape_checks():
    with pytest.raises(UserError, match="one logit per sample"):
        losses.d_bce(torch.zeros(4, 2), torch.zeros(4))
    with pytest.raises(UserError, match="floating-point"):
        losses.g_nonsaturating(torch.zeros(4, dtype=torch.long))
    with pytest.raises(UserError, match="one target per sample"):
        losses.d_bce(torch.zeros(4), torch.zeros(4), real_target=torch.ones(3))
    # (N, 1) logits are accepted and equal the (N,) result
    assert_close(losses.d_hinge(REAL[:, None], FAKE[:, None]), losses.d_hinge(REAL, FAKE))


def test_registry():
    assert losses.get_loss("hinge").d is losses.d_hinge
    assert losses.get_loss("nonsaturating").accepts_targets
    assert not losses.get_loss("wasserstein").accepts_targets
    with pytest.raises(UserError, match="Did you mean 'hinge'"):
        losses.get_loss("hinje")
