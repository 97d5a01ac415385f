"""The model probe on tiny G/D pairs: a healthy one passes, a bad one fails the right tips."""

import pytest
import torch
from torch import nn

from ganhacks.doctor import probe
from ganhacks.doctor.probe import check_g_loss_saturation, check_z_distribution
from ganhacks.errors import UserError


def healthy():
    torch.manual_seed(0)
    g = nn.Sequential(nn.Linear(4, 16), nn.LeakyReLU(0.2), nn.Dropout(0.3), nn.Linear(16, 2), nn.Tanh())
    d = nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
    return g, d


class AlwaysDropoutG(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(4, 16), nn.Linear(16, 2)

    def forward(self, z):
        return torch.tanh(self.b(nn.functional.dropout(self.a(z), 0.3, training=True)))


def bad():
    torch.manual_seed(0)
    g = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 2), nn.Sigmoid())
    d = nn.Sequential(
        nn.Unflatten(1, (1, 2)),
        nn.Conv1d(1, 4, 1),
        nn.BatchNorm1d(4),
        nn.ReLU(),
        nn.MaxPool1d(2),
        nn.Flatten(),
        nn.Linear(4, 1),
        nn.Sigmoid(),
    )
    return g, d


def real_batch(n=32, lo=-1.0):
    torch.manual_seed(1)
    return torch.rand(n, 2) * (1 - lo) + lo  # uniform in [lo, 1]


def by_tip(unit):
    return {v.tip: v for v in unit.verdicts}


def test_healthy_pair_passes():
    g, d = healthy()
    opt_g = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.SGD(d.parameters(), 0.01)
    v = by_tip(probe(g, d, real_batch(), lambda n: torch.randn(n, 4), opt_g=opt_g, opt_d=opt_d))
    assert {t: x.verdict for t, x in v.items()} == {
        "T01": "pass",
        "T02": "pass",
        "T03": "pass",
        "T04": "na",
        "T05": "pass",
        "T09": "pass",
        "T10": "pass",
        "T17": "fail",
    }
    assert "eval() switches it off" in v["T17"].message  # nn.Dropout in G is off in eval mode


def test_bad_pair_fails_each_check():
    g, d = bad()
    opt_g = torch.optim.SGD(g.parameters(), 0.1)

    def minimax(p_fake):  # log(1 - D(G(z))), minimised by G
        return torch.log(1 - p_fake).mean()

    def mixed_d_loss(D, real, fake):  # one BatchNorm batch of real + fake
        out = D(torch.cat([real, fake]))
        return nn.functional.binary_cross_entropy(out, torch.cat([torch.ones(len(real), 1), torch.zeros(len(fake), 1)]))

    v = by_tip(
        probe(g, d, real_batch(), lambda n: torch.rand(n, 4) * 2 - 1, g_loss=minimax, d_loss=mixed_d_loss, opt_g=opt_g)
    )
    for tip in ("T01", "T02", "T03", "T04", "T05", "T09", "T17"):
        assert v[tip].verdict == "fail", (tip, v[tip].message)
    assert "ReLU" in v["T05"].message and "MaxPool1d" in v["T05"].message


def test_probe_restores_modes_grads_and_rng():
    g, d = healthy()
    g.eval()
    before = [p.detach().clone() for p in g.parameters()]
    real = real_batch()
    torch.manual_seed(5)
    expected_next = torch.rand(3)
    torch.manual_seed(5)
    probe(g, d, real, lambda n: torch.randn(n, 4))
    torch.testing.assert_close(torch.rand(3), expected_next)
    assert not g.training and d.training
    assert all(p.grad is None for p in (*g.parameters(), *d.parameters()))
    for a, b in zip(before, g.parameters()):
        torch.testing.assert_close(a, b)


def test_dropout_kept_on_passes_and_data_range_checked():
    _, d = healthy()
    v = by_tip(probe(AlwaysDropoutG(), d, real_batch(lo=0.0), lambda n: torch.randn(n, 4)))
    assert v["T17"].verdict == "pass"
    assert v["T01"].verdict == "fail" and "[0, 1]" in v["T01"].message


def test_saturation_closed_form():
    # d/dx log(1 - sigmoid(x)) = -sigmoid(x); at x = -8 that is ~3.4e-4 per sample.
    sat = check_g_loss_saturation(lambda x: nn.functional.logsigmoid(-x).mean(), False)  # log(1 - sigmoid(x))
    assert sat.verdict == "fail" and "0.00034 per sample" in sat.message
    ns = check_g_loss_saturation(lambda x: nn.functional.softplus(-x).mean(), False)  # -log sigmoid(x)
    assert ns.verdict == "pass" and "1 per sample" in ns.message
    critic = check_g_loss_saturation(lambda x: -x.mean(), False)  # Wasserstein G loss: gradient -1/n
    assert critic.verdict == "pass"


def test_z_kurtosis():
    torch.manual_seed(0)
    assert check_z_distribution(torch.randn(20000)).verdict == "pass"
    assert check_z_distribution(torch.rand(20000)).verdict == "fail"


def test_shape_mismatch_is_user_error():
    g, d = healthy()
    with pytest.raises(UserError, match="shape"):
        probe(g, d, torch.zeros(8, 3), lambda n: torch.randn(n, 4))
