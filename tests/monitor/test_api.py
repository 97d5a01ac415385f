"""The hand-loop API cannot be misused silently: the loss kind is stated or guessed (and said), probabilities
are recognised, z and real are checked against G and D at once, and what is off is said once."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ganhacks.errors import UserError
from ganhacks.monitor import SYMPTOMS, Monitor
from ganhacks.monitor.losskinds import KINDS, loss_kind


def nets(sigmoid=False, z_dim=4):
    torch.manual_seed(0)
    G = nn.Sequential(nn.Linear(z_dim, 32), nn.ReLU(), nn.Linear(32, 2))
    D = nn.Sequential(nn.Linear(2, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1), *([nn.Sigmoid()] if sigmoid else []))
    return G, D


def d_losses(style, r, f):
    """D losses as public scripts write them, from D's outputs r (real) and f (fake)."""
    if style == "bce_logits":
        return F.binary_cross_entropy_with_logits(r, torch.ones_like(r)) + F.binary_cross_entropy_with_logits(
            f, torch.zeros_like(f)
        )
    if style == "bce_sigmoid":
        return nn.BCELoss()(r, torch.ones_like(r)) + nn.BCELoss()(f, torch.zeros_like(f))
    if style == "smoothed":  # one-sided smoothing, the two terms averaged
        return 0.5 * (
            F.binary_cross_entropy_with_logits(r, torch.full_like(r, 0.9))
            + F.binary_cross_entropy_with_logits(f, torch.zeros_like(f))
        )
    if style == "lsgan":
        return 0.5 * (F.mse_loss(r, torch.ones_like(r)) + F.mse_loss(f, torch.zeros_like(f)))
    if style == "hinge":
        return F.relu(1 - r).mean() + F.relu(1 + f).mean()
    if style == "wgan_gp":
        return f.mean() - r.mean() + 10 * 0.3  # + a gradient penalty: no standard formula matches
    raise ValueError(style)


def drive(monitor, D, style, steps=8):
    for step in range(1, steps + 1):
        real, fake = torch.randn(64, 2) * 0.3 + 1, torch.randn(64, 2)
        r, f = D(real).view(-1), D(fake).view(-1)
        monitor.step(step, d_loss=d_losses(style, r, f), g_loss=torch.tensor(0.7), d_real=r, d_fake=f)
    return monitor


def notes(monitor, kind):
    return [e["detail"] for e in monitor.events.records if e.get("event") == kind]


@pytest.mark.parametrize(
    "style, sigmoid, kind, probabilities",
    [
        ("bce_logits", False, "bce", False),
        ("smoothed", False, "bce", False),
        ("bce_sigmoid", True, "bce", True),
        ("lsgan", False, "least_squares", False),
        ("hinge", False, "hinge", False),
        ("wgan_gp", False, None, False),
    ],
)
def test_the_loss_kind_is_guessed_from_what_the_loop_reports_and_said_once(style, sigmoid, kind, probabilities):
    G, D = nets(sigmoid)
    mon = drive(Monitor(stream=None).watch(G, D), D, style)
    assert (mon.kind.id if mon.kind else None) == kind and mon.probabilities == probabilities
    said = notes(mon, "loss")
    assert len(said) == 1
    if kind is None:  # penalty in the D loss: nothing matches, the symptoms that need the kind are off and named
        assert "loss kind unknown" in said[0] and "d_loss_zero" in said[0] and "loss=" in said[0]
        assert "d_loss_zero" not in {s.id for s in mon.symptoms} and "non_finite" in {s.id for s in mon.symptoms}
    else:
        assert f"loss kind guessed from D's outputs and loss: {kind}" in said[0]
    assert len(notes(mon, "probabilities")) == int(probabilities)  # said once, and only for probabilities


def ragan_d_loss(r, f):
    """The relativistic average D loss as Jolicoeur-Martineau's scripts write it (the two terms averaged)."""
    return 0.5 * (
        F.binary_cross_entropy_with_logits(r - f.mean(), torch.ones_like(r))
        + F.binary_cross_entropy_with_logits(f - r.mean(), torch.zeros_like(f))
    )


@pytest.mark.parametrize("separate_at, kind", [(12, "relativistic"), (None, None)])
def test_a_guess_that_two_formulas_fit_alike_reads_on_until_one_is_left(separate_at, kind):
    """While D's outputs sit at ~0 the relativistic loss equals BCE to the match tolerance; a guess taken then
    was a coin toss (it left the kind unknown in a seed of the fresh2 part). It reads on until one is left."""
    G, D = nets()
    mon = Monitor(stream=None).watch(G, D)
    gen = torch.Generator().manual_seed(0)
    for step in range(1, 121):
        scale = 1.0 if separate_at is not None and step >= separate_at else 1e-4
        r = scale * (torch.randn(64, generator=gen) * 0.1 + 1.0)
        f = scale * (torch.randn(64, generator=gen) * 0.1 - 1.0)
        mon.step(step, d_loss=ragan_d_loss(r, f), g_loss=torch.tensor(0.7), d_real=r, d_fake=f)
    assert (mon.kind.id if mon.kind else None) == kind
    said = notes(mon, "loss")
    assert len(said) == 1
    if kind is None:  # never told apart: said as such, with the step it gave up at
        assert "matched bce and relativistic alike for 100 steps" in said[0]
    else:
        assert "guessed" in said[0]
    # nothing was read as either kind while the guess was open
    assert mon.history.series["d_prob/real"][0][0] == (separate_at or 100)


def test_probabilities_are_converted_to_logits_before_they_are_read():
    G, D = nets(sigmoid=True)
    mon = drive(Monitor(loss="bce", stream=None).watch(G, D), D, "bce_sigmoid", steps=12)
    assert mon.probabilities and "D ends in a Sigmoid" in notes(mon, "probabilities")[0]
    torch.manual_seed(5)
    with torch.no_grad():
        p_real, p_fake = D(torch.randn(64, 2) * 0.3 + 1).view(-1), D(torch.randn(64, 2)).view(-1)
    mon.step(13, d_loss=d_losses("bce_sigmoid", p_real, p_fake), g_loss=0.7, d_real=p_real, d_fake=p_fake)
    latest = mon.history.latest
    assert latest["d_prob/real"] == pytest.approx(float(p_real.mean()), rel=1e-4)  # sigmoid(logit(p)) = p
    assert latest["d_out/real"] == pytest.approx(float(torch.logit(p_real.double()).mean()), rel=1e-4)
    assert latest["d_acc"] == pytest.approx(0.5 * float((p_real > 0.5).float().mean() + (p_fake < 0.5).float().mean()))


def test_a_declared_kind_that_disagrees_with_the_loss_is_said():
    G, D = nets()
    mon = drive(Monitor(loss="bce", stream=None).watch(G, D), D, "lsgan")
    assert mon.kind.id == "bce" and "matches least_squares" in notes(mon, "loss")[0]


def test_loss_names_and_what_each_symptom_applies_to():
    assert loss_kind("LSGAN").id == "least_squares" and loss_kind("wgan-gp").id == "wasserstein"
    assert loss_kind("nonsaturating").id == "bce" and loss_kind("relativistic_average").id == "relativistic"
    with pytest.raises(UserError, match="Did you mean 'hinge'"):
        Monitor(loss="hinje")
    on = {k: {s for s in SYMPTOMS if SYMPTOMS.get(s).applies_to(KINDS[k])} for k in KINDS}
    assert "saturating_g" in on["bce"] and "saturating_g" in on["minimax"] and "saturating_g" not in on["hinge"]
    assert on["wasserstein"] == {
        "data_outliers",  # D's raw outputs on the reals leap: read from the outputs, any loss kind
        "grad_explode",
        "grad_vanish",
        "non_finite",
        "d_overfit",
        "mode_collapse",
        "oscillation",
        "g_fools_with_garbage",  # a critic that stops stepping or slows far below G (its garbage test stays off)
    }  # no d_loss_spiky: "the loss at least doubles" means nothing for a critic's signed loss
    assert "d_loss_zero" in on["least_squares"] and "d_loss_zero" in on["hinge"] and "d_loss_spiky" in on["hinge"]


def test_z_and_real_are_checked_against_g_and_d_on_the_spot():
    G, D = nets(z_dim=4)
    with pytest.raises(UserError, match=r"watch\(z=\.\.\.\) does not fit G: G\(z\) with z of shape \(16, 8\)"):
        Monitor(stream=None).watch(G, D, real=torch.randn(64, 2), z=torch.randn(16, 8))
    with pytest.raises(UserError, match=r"G\(z\) gives samples of shape \(2,\) but real= holds \(3,\)"):
        Monitor(stream=None).watch(G, D, real=torch.randn(64, 3), z=torch.randn(16, 4))
    with pytest.raises(UserError, match="needs G too"):
        Monitor(stream=None).watch(D=D, z=torch.randn(16, 4))
    with pytest.raises(UserError, match="at least 8 held-out reals"):
        Monitor(stream=None).watch(G, D, real=torch.randn(4, 2), z=torch.randn(16, 4))


def test_diversity_samples_is_honoured_in_a_hand_loop():
    G, D = nets()
    sizes = []
    G.register_forward_hook(lambda m, a, out: sizes.append(len(out)))
    mon = Monitor(stream=None, diversity_samples=32, diversity_every=5).watch(
        G, D, real=torch.randn(500, 2), z=torch.randn(300, 4)
    )
    sizes.clear()  # watch() tried G on two rows of z
    drive(mon, D, "bce_logits", steps=10)
    assert sizes == [32, 32]  # G(z) at steps 5 and 10 on the first 32 rows of z only, not all 300


def test_a_watch_without_z_or_real_says_once_what_is_off_and_how_to_turn_it_on():
    G, D = nets()
    mon = drive(Monitor(loss="bce", stream=None).watch(G, D), D, "bce_logits", steps=30)
    off = notes(mon, "off")
    assert len(off) == 1
    assert all(s in off[0] for s in ("mode_collapse", "g_fools_with_garbage", "d_overfit"))
    assert "watch(G, D, opt_g, opt_d, real=" in off[0] and "z=" in off[0]
    mon = drive(
        Monitor(loss="bce", stream=None).watch(G, D, real=torch.randn(64, 2), z=torch.randn(64, 4)), D, "bce_logits"
    )
    assert notes(mon, "off") == []


def test_watching_leaves_the_networks_and_the_random_stream_untouched():
    G, _ = nets()
    D = nn.Sequential(nn.Linear(2, 16), nn.BatchNorm1d(16), nn.Dropout(0.5), nn.LeakyReLU(0.2), nn.Linear(16, 1))
    mon = Monitor(loss="bce", stream=None, overfit_every=1, diversity_every=1)
    mon.watch(G, D, real=torch.randn(64, 2), z=torch.randn(32, 4))
    r, f = D(torch.randn(16, 2) + 1).view(-1), D(torch.randn(16, 2)).view(-1)  # the loop's own D forwards
    buffers, state = [b.clone() for b in D.buffers()], torch.get_rng_state()
    mon.step(1, d_loss=d_losses("bce_logits", r, f), g_loss=0.7, d_real=r, d_fake=f)
    assert {"overfit/rv", "overfit/z", "diversity/ratio"} <= set(mon.history.latest)  # D probed 3 times, G once
    assert torch.equal(torch.get_rng_state(), state)  # dropout in the probes drew from a forked stream
    assert all(torch.equal(a, b) for a, b in zip(buffers, D.buffers()))  # BN's running statistics restored


@pytest.mark.parametrize("share", [0.0, 1.5, -0.5])
def test_a_recheck_share_outside_zero_to_one_is_refused_in_one_line(share):
    """``recheck_share`` is a share of ``update_jump``'s bar: 0 would pass any recheck, over 1 ask more than the
    reading."""
    with pytest.raises(UserError, match=rf"^monitor.recheck_share must be in \(0, 1\] .*got {share}$"):
        Monitor(recheck_share=share)


def test_a_negative_recheck_is_refused_in_one_line():
    """``jump_recheck`` counts steps after the layer reading: below 0 is a mistake, said in one line."""
    with pytest.raises(UserError, match=r"^monitor.jump_recheck must be >= 0, got -1$"):
        Monitor(jump_recheck=-1)


def test_numpy_real_and_z_are_taken_as_tensors_and_other_types_refused():
    import numpy as np

    G, D = nets(z_dim=4)
    rng = np.random.default_rng(0)
    real, z = rng.normal(size=(64, 2)), rng.normal(size=(64, 4))  # float64, as numpy makes them
    mon = drive(Monitor(loss="bce", stream=None).watch(G, D, real=real, z=z), D, "bce_logits", steps=30)
    assert notes(mon, "off") == []  # both taken: every symptom is on
    with pytest.raises(UserError, match=r"watch\(real=\.\.\.\) takes a tensor or a numeric numpy array, got str"):
        Monitor(stream=None).watch(G, D, real="reals.npy", z=z)
    with pytest.raises(UserError, match="holds NaN or Inf"):
        Monitor(stream=None).watch(G, D, real=np.full((64, 2), np.nan), z=z)
