import math

import pytest
import torch

from ganhacks.monitor.losskinds import KINDS
from ganhacks.monitor.signals import (
    diversity_signals,
    layer_grad_norms,
    logit_signals,
    pairwise_spread,
    real_reference,
    reinterpret,
    scalar_signals,
    to_float,
    total_norm,
    update_ratio,
)


def test_scalars_pass_and_non_scalars_are_skipped_with_the_reason():
    values, skipped = scalar_signals({"loss/d": torch.tensor(0.25), "loss/g": torch.ones(4), "n": 3, "tag": "x"})
    assert values == {"loss/d": 0.25, "n": 3.0}
    assert skipped == ["loss/g (not a scalar: shape (4,))", "tag (not a number: str)"]
    assert to_float(torch.tensor([[2.0]])) == 2.0 and to_float(torch.zeros(2)) is None


def test_logit_signals_match_closed_forms():
    real, fake = torch.tensor([2.0, -1.0, 3.0, 0.5]), torch.tensor([-2.0, 1.0])
    s = logit_signals(real, fake)
    assert s["d_out/real"] == pytest.approx(1.125) and s["d_out/fake"] == pytest.approx(-0.5)
    assert s["d_prob/real"] == pytest.approx(float(torch.sigmoid(real).mean()))
    assert s["d_acc"] == pytest.approx(0.5 * (3 / 4 + 1 / 2))  # real > 0: 3 of 4; fake < 0: 1 of 2
    assert s["d_sign/real"] == pytest.approx((1 - 1 + 1 + 1) / 4)  # r_t = E[sign D(x)]


def test_a_relativistic_d_is_read_against_the_other_sides_mean_as_its_loss_reads_it():
    real, fake = torch.tensor([2.0, 4.0]), torch.tensor([0.0, 3.0])  # E D(real) = 3, E D(fake) = 1.5
    s = logit_signals(real, fake, KINDS["relativistic"])
    # a real against the mean fake: 0.5 and 2.5; a fake against the mean real: -3 and 0
    assert s["d_prob/real"] == pytest.approx(float(torch.sigmoid(torch.tensor([0.5, 2.5])).mean()))
    assert s["d_prob/fake"] == pytest.approx(float(torch.sigmoid(torch.tensor([-3.0, 0.0])).mean()))
    assert s["d_acc"] == pytest.approx(0.5 * (2 / 2 + 1 / 2))  # fake 3.0 - 3 = 0 is not below 0
    assert logit_signals(real, fake)["d_acc"] == pytest.approx(0.5 * (1 + 0))  # read at 0, D never says "fake"
    assert s["d_out/real"] == 3.0 and s["d_out/fake"] == 1.5  # the raw means stay raw


def test_a_trainers_relativistic_statistics_are_reread_from_the_mean_gap():
    logged = {"d_out/real": 3.0, "d_out/fake": 1.5, "d_prob/real": 0.9, "d_prob/fake": 0.8, "d_acc": 0.5}
    v = reinterpret(dict(logged), KINDS["relativistic"])
    assert v["d_prob/real"] == pytest.approx(1 / (1 + math.exp(-1.5))) and v["d_prob/fake"] == pytest.approx(
        1 - v["d_prob/real"]
    )
    assert "d_acc" not in v  # not recoverable from the means
    assert reinterpret(dict(logged), KINDS["bce"]) == logged


def test_norms_and_update_ratio():
    lin = torch.nn.Linear(3, 2)
    lin.weight.grad = torch.full((2, 3), 2.0)  # norm sqrt(6 * 4)
    lin.bias.grad = torch.tensor([3.0, 4.0])  # norm 5
    layers = layer_grad_norms(lin)
    assert layers == {"weight": pytest.approx(math.sqrt(24)), "bias": pytest.approx(5.0)}
    assert total_norm(layers) == pytest.approx(math.sqrt(24 + 25))
    assert update_ratio(torch.tensor([3.0, 4.0]), torch.tensor([3.0, 4.5])) == pytest.approx(0.5 / 5)


def test_diversity_is_one_for_data_like_samples_and_zero_for_a_point_mass():
    g = torch.Generator().manual_seed(0)
    real = torch.randn(400, 2, generator=g)
    assert pairwise_spread(torch.tensor([[0.0, 0.0], [3.0, 4.0]])) == pytest.approx(5.0)
    same = diversity_signals(torch.randn(200, 2, generator=g), real)
    assert same["diversity/ratio"] == pytest.approx(1.0, abs=0.1)
    assert same["fidelity/ratio"] < 1.5
    collapsed = diversity_signals(torch.zeros(200, 2), real)
    assert collapsed["diversity/ratio"] == 0.0
    garbage = diversity_signals(torch.randn(200, 2, generator=g) + 20.0, real)  # far from the data
    assert garbage["fidelity/ratio"] > 10
    assert math.isnan(diversity_signals(torch.full((4, 2), float("nan")), real)["diversity/ratio"])


def test_diversity_signals_match_their_definitions_with_a_precomputed_reference():
    g = torch.Generator().manual_seed(3)
    real, fake = torch.randn(40, 2, generator=g), torch.randn(30, 2, generator=g) * 0.5
    ref = real_reference(real, k=5)
    out = diversity_signals(fake, ref)
    assert out == diversity_signals(fake, real)  # the same numbers with or without the cached reference
    half, rest = real[:20], real[20:]
    spread = torch.pdist(real).mean().item()  # mean over distinct pairs
    assert out["diversity/ratio"] == pytest.approx(torch.pdist(fake).mean().item() / spread, rel=1e-5)
    real_nn = max(torch.cdist(rest, half).min(1).values.mean().item(), 0.1 * spread)
    assert out["fidelity/ratio"] == pytest.approx(
        torch.cdist(fake, half).min(1).values.mean().item() / real_nn, rel=1e-5
    )
    d_rr = torch.cdist(half, half)
    radius = d_rr.sort(1).values[:, 5].clamp_min(0.1 * spread)  # 5th neighbour, the point itself at index 0
    covered = (torch.cdist(half, fake).min(1).values <= radius).float().mean().item()
    assert out["coverage"] == pytest.approx(covered)
    assert math.isnan(diversity_signals(fake, real[:8])["coverage"])  # 4 reference reals cannot have 5 neighbours
