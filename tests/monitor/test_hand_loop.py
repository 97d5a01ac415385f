"""The README's hand-written loop: three added lines give alerts, events.jsonl and D's own gradient norms."""

import json

import pytest
import torch
from torch import nn

from ganhacks.monitor import Monitor, TrainingStopped


def mlp(i, o):
    return nn.Sequential(nn.Linear(i, 32), nn.LeakyReLU(0.2), nn.Linear(32, o))


def train(
    run_dir,
    steps,
    lr,
    policy="warn",
    probe=None,
    g_optimizer=torch.optim.Adam,
    g_every=1,
    d_stops_at=None,
    raise_lr_at=None,
    scale_lr_at=None,
    swap_at=None,
    swap_to=None,
    amp=False,
    nan_at=None,
    outliers_from=None,
    hand_over=None,
    **settings,
):
    """The README's loop. ``g_every``: G steps only at every ``g_every``-th iteration (``if i % n_critic == 0`` in
    many WGAN scripts); ``d_stops_at``: the forgotten ``opt_d.step()`` from that step on; ``raise_lr_at``: both
    learning rates x30 from that step on; ``scale_lr_at``: (step, factor[, nets]), both learning rates (or those of
    ``nets``, "g" or "d") times ``factor`` from that step on; ``swap_at``: both optimisers replaced by new ones at
    the same rates and watched again (``swap_to``: by ``swap_to(params)`` instead); ``amp``: mixed precision as
    scripts write it for a GPU (float16 autocast, one GradScaler: ``scale(loss).backward()``, ``step(opt)``,
    ``update()``); ``nan_at``: a NaN written into one of D's weights at that step; ``outliers_from``: from that step on
    every 5th real batch arrives unnormalised (0..255, the normalisation skipped); ``hand_over``: what the loop makes
    of D's outputs before it hands them to ``monitor.step`` (``torch.sigmoid``, say), else D's outputs themselves."""
    torch.manual_seed(0)
    G, D = mlp(4, 2), mlp(2, 1)
    opt_g = g_optimizer(G.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = (
        torch.optim.SGD(D.parameters(), lr=lr * 50, momentum=0.9)
        if lr > 0.01
        else torch.optim.Adam(D.parameters(), lr=lr)
    )
    bce = nn.BCEWithLogitsLoss()
    held_out = torch.randn(256, 2) * 0.1 + torch.tensor([1.0, 0.0])  # reals the loop never trains on
    fixed_z = torch.randn(256, 4)
    monitor = Monitor(run_dir=run_dir, loss="bce", policy=policy, stream=None, **settings).watch(
        G, D, opt_g, opt_d, real=held_out, z=fixed_z
    )  # added line 1 (as the README's, with the test's policy)
    scaler = torch.amp.GradScaler("cpu", enabled=amp)
    autocast = torch.autocast("cpu", dtype=torch.float16, enabled=amp)
    for step in range(1, steps + 1):
        if step == raise_lr_at:
            for group in opt_g.param_groups + opt_d.param_groups:
                group["lr"] *= 30
        if scale_lr_at is not None and step == scale_lr_at[0]:
            nets = scale_lr_at[2] if len(scale_lr_at) > 2 else "gd"
            for group in (opt_g.param_groups if "g" in nets else []) + (opt_d.param_groups if "d" in nets else []):
                group["lr"] *= scale_lr_at[1]
        if step == swap_at:  # new optimisers (a user switching them mid-run), attached again as a user would
            if swap_to is not None:
                opt_g, opt_d = swap_to(G.parameters()), swap_to(D.parameters())
            else:
                opt_g = g_optimizer(G.parameters(), lr=opt_g.param_groups[0]["lr"], betas=(0.5, 0.999))
                opt_d = torch.optim.Adam(D.parameters(), lr=opt_d.param_groups[0]["lr"])
            monitor.close()
            monitor.watch(G, D, opt_g, opt_d, real=held_out, z=fixed_z)
        if step == nan_at:
            with torch.no_grad():
                D[0].weight[0, 0] = float("nan")
        real = torch.randn(64, 2) * 0.1 + torch.tensor([1.0, 0.0])
        if outliers_from is not None and step >= outliers_from and step % 5 == 0:
            real = (real + 1) * 127.5
        with autocast:
            fake = G(torch.randn(64, 4))
            real_out, fake_out = D(real), D(fake.detach())
            loss_d = bce(real_out, torch.ones_like(real_out)) + bce(fake_out, torch.zeros_like(fake_out))
        opt_d.zero_grad()
        scaler.scale(loss_d).backward()
        if probe is not None:  # D's gradient norm as backward leaves it (times the scaler's scale under amp)
            probe.append(torch.stack([p.grad.norm() for p in D.parameters()]).norm().item() / scaler.get_scale())
        if d_stops_at is None or step < d_stops_at:
            scaler.step(opt_d)
            scaler.update()
        if (step - 1) % g_every == 0:
            with autocast:
                out = D(fake)
                loss_g = bce(out, torch.ones_like(out))
            opt_g.zero_grad()
            scaler.scale(loss_g).backward()  # also leaves G-loss gradients in D: the hooks read D's before this
            scaler.step(opt_g)
            scaler.update()
        if hand_over is None:
            monitor.step(step, d_loss=loss_d, g_loss=loss_g, d_real=real_out, d_fake=fake_out)  # added line 2
        else:
            monitor.step(step, d_loss=loss_d, g_loss=loss_g, d_real=hand_over(real_out), d_fake=hand_over(fake_out))
    monitor.close()  # added line 3
    return monitor


def test_healthy_hand_loop_is_quiet_and_d_norms_are_ds_own(tmp_path):
    norms = []
    mon = train(tmp_path, 150, lr=2e-4, probe=norms)
    assert mon.alerts == []
    assert mon.history.values("grad_norm/d") == pytest.approx(norms, rel=1e-5)
    assert mon.history.values("d_acc") and mon.history.values("grad_norm/g")
    assert len(mon.history.values("diversity/ratio")) == 15 and len(mon.history.values("overfit/rv")) == 6
    assert 0.5 < max(mon.history.values("data/real_range")) < 1.5  # each real batch against the held-out reals' range
    assert mon.events.records == []  # nothing off, nothing missing, no incident


def test_update_sizes_are_read_at_each_layer_step_and_rechecked_jump_recheck_steps_later(tmp_path):
    """||dw|| / ||w|| of both nets at steps 50, 100 (the layer readings) and again at 60, 110 (the rechecks the jump
    test asks), each the update of that one step: the recheck of G is its weights' change over step 110 over their
    size before it."""
    weights = {}

    def flat(opt):
        return torch.cat([p.detach().flatten().clone() for g in opt.param_groups for p in g["params"]])

    class Keep(torch.optim.Adam):  # G's optimiser, keeping G's weights before and after its 110th step
        steps = 0

        def step(self, closure=None):
            self.steps += 1
            if self.steps == 110:
                weights["before"] = flat(self)
            out = super().step(closure)
            if self.steps == 110:
                weights["after"] = flat(self)
            return out

    mon = train(tmp_path, 120, lr=2e-4, g_optimizer=Keep)
    assert [s for s, _ in mon.history.readings("update_ratio/g", 10)] == [50, 100]
    assert [s for s, _ in mon.history.readings("update_recheck/d", 10)] == [60, 110]
    change = (weights["after"] - weights["before"]).norm() / weights["before"].norm()
    assert mon.history.readings("update_recheck/g", 1)[0][1] == pytest.approx(float(change), rel=1e-5)
    # jump_recheck = 0 (or layer_every and more) takes no recheck: the jump test reads the layer reading alone
    mon = train(tmp_path / "off", 120, lr=2e-4, jump_recheck=0)
    assert [s for s, _ in mon.history.readings("update_ratio/d", 10)] == [50, 100]
    assert "update_recheck/d" not in mon.history.series


def test_a_loop_that_steps_g_every_kth_iteration_reads_both_nets_together(tmp_path):
    """G stepped at iterations 1, 6, 11, ... (never at a multiple of 50): each net's update size is read at its first
    optimiser step from the due step on, and both enter the history together when the later one is read (D's at 50,
    G's at 51: both at 51; the rechecks 10 steps after each net's reading: both at 61). A D that never steps (the
    forgotten ``opt_d.step()``) holds nothing back: G's readings enter at 50 and 100 alone."""
    mon = train(tmp_path, 120, lr=2e-4, g_every=5)
    for name in ("update_ratio/d", "update_ratio/g"):
        assert [s for s, _ in mon.history.readings(name, 10)] == [51, 101]
    for name in ("update_recheck/d", "update_recheck/g"):
        assert [s for s, _ in mon.history.readings(name, 10)] == [61, 111]
    mon = train(tmp_path / "frozen", 120, lr=2e-4, d_stops_at=1)
    assert [s for s, _ in mon.history.readings("update_ratio/g", 10)] == [50, 100]
    assert "update_ratio/d" not in mon.history.series
    # G stepped every 40th iteration (1, 41, 81): D's reading of 50 waits at most layer_every / 2 = 25 steps for G's
    mon = train(tmp_path / "sparse", 90, lr=2e-4, g_every=40)
    assert [s for s, _ in mon.history.readings("update_ratio/d", 10)] == [75]


@pytest.mark.parametrize("g_every", [1, 3, 5])
def test_a_learning_rate_raised_x30_is_an_explosion_however_often_g_steps(tmp_path, g_every):
    """Both learning rates x30 at step 330: both nets' update sizes are read at their next optimiser steps, off the
    layer_every grid, and the jump test fires at that reading's recheck, whether G steps at every iteration or at every
    3rd or 5th (where G's reading, and the recheck, come a step or two late). With ``lr_rise_read=0`` the rise waits
    for the grid's next reading (350), 20 steps later."""
    for rise_read, (lo, hi) in ((2.0, (330, 333)), (0, (350, 355))):
        mon = train(tmp_path / str(rise_read), 400, lr=2e-4, g_every=g_every, raise_lr_at=330, lr_rise_read=rise_read)
        first = mon.alerts[0]
        assert first.symptom == "grad_explode" and first.evidence["signal"] == "update_ratio"
        reading = max(s for s, _ in mon.history.readings("update_ratio/g", 10) if s < first.step)  # the one confirmed
        assert lo <= reading < hi and lo + 10 <= first.step < hi + 15  # the recheck's step: 10 or more after it
        assert first.evidence["update_ratio/g"] >= 4 * first.evidence["update_ratio/g_before"]
        # the off-grid reading is one more: both nets' grid readings go on at the multiples of 50 (or a step or two on)
        assert len(mon.history.readings("update_ratio/d", 20)) == 8 + (rise_read > 0) - (g_every == 5)


@pytest.mark.parametrize("g_every", [1, 3, 5])
def test_a_rise_read_just_before_the_grid_keeps_its_recheck(tmp_path, g_every):
    """Both learning rates x30 at 345, five steps before the grid's reading: the reading at the rise (345, or G's at
    346) keeps its recheck 10 steps on (the grid's next reading waits until after it, and a net that steps every k-th
    iteration takes its overdue recheck before its layer reading), so the jump fires at 355 to 358, not at the grid's
    recheck (360 and later); both nets' rechecks always enter the history together."""
    mon = train(tmp_path, 420, lr=2e-4, g_every=g_every, raise_lr_at=345)
    first = mon.alerts[0]
    assert first.symptom == "grad_explode" and 355 <= first.step <= 358
    rechecks = [[s for s, _ in mon.history.readings(f"update_recheck/{net}", 20)] for net in "dg"]
    assert rechecks[0] == rechecks[1] and first.step in rechecks[0]


@pytest.mark.parametrize(
    "change, read_at_330",
    [
        ({"scale_lr_at": (330, 2.0)}, True),  # doubled: read at once
        ({"scale_lr_at": (330, 1.5)}, False),  # under lr_rise_read: the grid's next reading (350) will do
        ({"scale_lr_at": (330, 0.1)}, False),  # a cut (a decay, a rollback) reads nothing more
        ({"swap_at": 330}, True),  # new optimisers at the same rates: read at their first step
        ({"scale_lr_at": (330, 2.0), "lr_rise_read": 0}, False),  # the trigger off: the grid alone
    ],
)
def test_a_learning_rate_rise_or_new_optimisers_are_read_at_once(tmp_path, change, read_at_330):
    """Both nets' update sizes are read off the layer_every grid, at the step their learning rates rose
    ``lr_rise_read`` (2) times since the last reading or their optimisers were replaced; the grid goes on as before
    (50, 100, ..., 400), with the recheck jump_recheck steps after the extra reading (new optimisers: two rechecks)."""
    mon = train(tmp_path, 400, lr=2e-4, **change)
    grid = list(range(50, 401, 50))
    if "swap_at" in change:  # new optimisers: a second recheck (350) that the grid's reading waits for (351)
        grid[grid.index(350)] = 351
    for net in ("d", "g"):
        steps = [s for s, _ in mon.history.readings(f"update_ratio/{net}", 20)]
        assert steps == sorted(grid + [330] * read_at_330)
        rechecks = [s for s, _ in mon.history.readings(f"update_recheck/{net}", 20)]
        assert (340 in rechecks) == read_at_330
    if "swap_at" in change:  # fresh Adams at the same rates: read (and rechecked twice) without a false alarm
        assert mon.alerts == []
    # the rates at each net's last reading travel with the monitor's state (a resumed run triggers as one that ran on)
    rates = mon.state_dict()["rates"]
    assert rates["d"][0] == 400 and rates["d"][1] == pytest.approx(mon_rate(change, 2e-4))


def test_a_rise_in_ds_rate_alone_reads_both_nets_when_g_steps_every_5th_iteration(tmp_path):
    """G steps at every 5th iteration, so G's reading of a round comes a step after D's (D at 300, G at 301). D's rate
    alone doubled at 330: G's reading of 301 belongs to the same round as D's, not a newer one, so both are read again
    (G at its next step, 331) and the round enters the history whole, with its recheck; before rounds were compared, D
    was read alone and its lone reading waited for G's reading on the grid."""
    mon = train(tmp_path, 400, lr=2e-4, g_every=5, scale_lr_at=(330, 2.0, "d"))
    d = [s for s, _ in mon.history.readings("update_ratio/d", 20)]
    g = [s for s, _ in mon.history.readings("update_ratio/g", 20)]
    assert d == g and 331 in d  # every round whole: the off-grid one entered at G's step
    assert mon.history.readings("update_recheck/d", 20) and [
        s for s, _ in mon.history.readings("update_recheck/d", 20)
    ] == [s for s, _ in mon.history.readings("update_recheck/g", 20)]
    assert 341 in [s for s, _ in mon.history.readings("update_recheck/d", 20)]


@pytest.mark.parametrize("settle", [True, False])
def test_a_replaced_optimisers_reading_is_confirmed_once_its_first_step_is_past(tmp_path, settle):
    """Both optimisers replaced at 305 by an SGD with momentum at a rate far too high: the reading at its first step
    (momentum buffer empty) stands under update_jump (4) times the earlier level in D, but ten steps later the updates
    are 10 to 20 times it. With ``settle_recheck`` the reading is rechecked twice (315, 325), the first recheck stands
    in for the reading and grad_explode opens at the second (325); without it the jump waits for the grid's reading
    (350) and its recheck (360)."""
    sgd = lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9)  # noqa: E731
    mon = train(tmp_path, 400, lr=2e-4, swap_at=305, swap_to=sgd, settle_recheck=settle)
    first = mon.alerts[0]
    for net in ("d", "g"):
        assert [s for s, _ in mon.history.readings(f"update_ratio/{net}", 3)][0] == 305
        rechecks = [s for s, _ in mon.history.readings(f"update_recheck/{net}", 20) if s > 300]
        assert rechecks[:2] == ([315, 325] if settle else [315, 360])
    base = dict(mon.history.readings("update_ratio/d", 20))
    assert base[305] < 4 * base[300]  # the first SGD step understates: read alone it does not jump
    assert first.symptom == "grad_explode" and first.step == (325 if settle else 360)
    assert ("settled" in first.evidence) == settle
    assert mon.state_dict()["settle"] == []  # nothing left waiting: the second recheck was taken


def test_a_pending_second_recheck_travels_with_the_monitors_state():
    mon = Monitor(loss="bce", stream=None)
    mon.load_state_dict({"step": 310, "settle": ["d", "g"]})
    assert mon.state_dict()["settle"] == ["d", "g"]
    assert Monitor(loss="bce", stream=None).state_dict()["settle"] == []


def mon_rate(change, lr):
    """D's learning rate after ``change`` (what its last reading saw)."""
    return lr * change.get("scale_lr_at", (0, 1.0))[1]


@pytest.mark.parametrize("hand_over", [torch.sigmoid, lambda out: out.detach().clone()])
def test_the_real_batch_is_found_by_value_when_the_loop_hands_over_new_tensors(tmp_path, hand_over):
    """A loop that hands the monitor ``torch.sigmoid(D(x))`` or a copy of D's outputs (new tensors, not views of D's):
    the monitor finds the real batch among D's calls by value, so the range test still sees the unnormalised batch at
    200, at once, and d_overfit still has its training reals."""
    mon = train(tmp_path, 300, lr=2e-4, outliers_from=200, hand_over=hand_over)
    assert [(a.step, a.symptom) for a in mon.alerts] == [(200, "data_outliers")]
    assert mon.alerts[0].evidence["signal"] == "data/real_range"
    assert mon.history.values("overfit/rv") and not [e for e in mon.events.records if e["event"] == "off"]


def test_a_real_batch_the_monitor_cannot_find_is_said_once(tmp_path):
    """d_real that is neither D's output on the real batch nor its sigmoid (here twice it): d_overfit and the range
    test cannot see the training reals; the monitor says so once, with what to pass instead."""
    mon = train(tmp_path, 100, lr=2e-4, hand_over=lambda out: 2 * out)
    said = [e for e in mon.events.records if e["event"] == "off"]
    assert len(said) == 1 and said[0]["step"] == 1 and "pass D(real)" in said[0]["detail"]
    assert not mon.history.values("data/real_range") and not mon.history.values("overfit/rv")


def test_rows_by_value_finds_one_call_or_micro_batches_put_together():
    from ganhacks.monitor.monitor import _rows_by_value

    torch.manual_seed(0)
    x1, x2, x3 = torch.randn(4, 2), torch.randn(4, 2), torch.randn(4, 2)
    o1, o2, o3 = torch.randn(4, 1), torch.randn(4, 1), torch.randn(4, 1)
    calls = [(o1, x1), (o2, x2), (o3, x3)]  # oldest first: real, fake, real (two micro-batches of reals)
    assert torch.equal(_rows_by_value(calls, torch.sigmoid(o2)), x2)
    assert torch.equal(_rows_by_value(calls, torch.cat([o1, o3])), torch.cat([x1, x3]))
    assert _rows_by_value(calls, 2 * o1) is None and _rows_by_value(calls, torch.cat([o1, o1, o1, o1])) is None


def test_a_resumed_monitor_compares_with_the_rates_it_saved(tmp_path):
    """A monitor restored from a state (the optimisers' identities are not saved) triggers on a rise over the saved
    rates, not on the new optimiser objects of the resumed process."""
    torch.manual_seed(0)
    G, D = mlp(4, 2), mlp(2, 1)
    opts = [torch.optim.Adam(m.parameters(), lr=1e-3) for m in (G, D)]
    state = {"step": 120, "due": {"layer": {"g": 150, "d": 150}}, "rates": {"g": [100, 1e-3], "d": [100, 1e-3]}}
    for factor, read in ((1.0, False), (2.0, True)):
        mon = Monitor(loss="bce", stream=None).watch(G, D, *opts)
        mon.load_state_dict(state)
        for opt in opts:
            opt.param_groups[0]["lr"] = 1e-3 * factor
            opt.zero_grad()
        loss = G(torch.randn(8, 4)).pow(2).mean() + D(torch.randn(8, 2)).pow(2).mean()
        loss.backward()
        for opt in opts:
            opt.step()
        mon.step(121, d_loss=loss, g_loss=loss)
        assert [s for s, _ in mon.history.readings("update_ratio/d", 5)] == ([121] if read else [])
        mon.close()


def test_a_d_that_stops_stepping_is_seen_while_g_steps_only_every_5th_iteration(tmp_path):
    """``opt_d.step()`` forgotten from step 300 in the loop that steps G at every 5th iteration: D's readings stop
    while G's go on (10 in a window of 50), and g_fools_with_garbage opens when D has been still for a whole window."""
    mon = train(tmp_path, 400, lr=2e-4, g_every=5, d_stops_at=300)
    first = mon.alerts[0]
    assert (first.step, first.symptom) == (350, "g_fools_with_garbage")
    assert first.evidence["d_steps_in_window"] == 0 and first.evidence["g_steps_in_window"] == 10


def test_exploding_hand_loop_alerts_and_writes_events(tmp_path):
    mon = train(tmp_path, 60, lr=0.5)
    symptoms = {a.symptom for a in mon.alerts}
    assert symptoms & {"grad_explode", "non_finite"}
    records = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    alert = next(r for r in records if r["event"] == "alert")
    assert {"step", "symptom", "severity", "evidence", "tips"} <= set(alert) and alert["tips"]


def test_stop_policy_raises_in_a_hand_loop(tmp_path):
    with pytest.raises(TrainingStopped, match="monitor stopped the run"):
        train(tmp_path, 60, lr=0.5, policy="stop")


def test_readme_snippet_is_the_tested_loop():
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = readme.split("## Monitor", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    added = [line.split("#")[0].strip() for line in block.splitlines() if "# + line" in line]
    here = Path(__file__).read_text()
    assert len(added) == 3
    call = ".watch(G, D, opt_g, opt_d, real=held_out, z=fixed_z)"
    assert added[0].startswith('monitor = Monitor(run_dir="runs/mine", loss="bce")') and added[0].endswith(call)
    assert "G, D, opt_g, opt_d, real=held_out, z=fixed_z" in here and 'loss="bce"' in here
    assert added[1] in here and added[2] in here  # the very calls this test file runs


def test_a_mixed_precision_loop_is_read_as_its_optimisers_see_it(tmp_path):
    """Under float16 autocast with a GradScaler, backward leaves D's gradients multiplied by the scale (65536 here);
    ``scaler.step`` unscales them before it calls ``opt_d.step()``, so the hooks read D's true gradient norm (the
    scaled one over the scale), the float16 outputs are read as logits of the BCE kind, and a healthy run is quiet."""
    norms = []
    mon = train(tmp_path, 150, lr=2e-4, probe=norms, amp=True)
    assert mon.alerts == [] and mon.kind.id == "bce" and not mon.probabilities
    assert mon.history.values("grad_norm/d") == pytest.approx(norms, rel=1e-5)
    assert min(norms) > 0.1 and max(norms) < 10  # unscaled: nowhere near the scale


def test_a_nan_in_d_under_a_grad_scaler_is_non_finite_at_once(tmp_path):
    """A NaN in one of D's weights: the GradScaler finds non-finite gradients and skips every step of both nets from
    then on (G silently stops where it was). The monitor says ``non_finite`` at that step, and only that: the
    optimisers that no longer step are its consequence, not a stalled D of their own."""
    mon = train(tmp_path, 300, lr=2e-4, amp=True, nan_at=200)
    assert [(a.step, a.symptom, a.severity) for a in mon.alerts] == [(200, "non_finite", "critical")]
    for name in ("grad_norm/d", "grad_norm/g"):  # neither optimiser stepped after 199: the scaler skipped them all
        assert list(mon.history.series[name])[-1][0] == 199


def test_unnormalised_batches_are_outliers_not_a_d_that_memorises(tmp_path, monkeypatch):
    """From step 200 every 5th real batch of a stream arrives unnormalised (0..255). D cannot memorise a stream;
    the monitor finds D's training reals in D's input, and an unnormalised batch among them stands far outside the
    held-out reals' range: ``data_outliers`` at 200, the first such batch (its largest value some 200 times the
    held-out reals'), and nothing else; the batch is left out of d_overfit's comparison, the train/held-out gap at
    noise. Without the range test (``outlier_range`` inf) D's outputs on the reals show it at their third leap (210).
    Compared as they come (no range), those batches put the gap at 9 standard errors and ``d_overfit`` into the
    incident."""
    mon = train(tmp_path, 400, lr=2e-4, outliers_from=200)
    assert [(a.step, a.symptom) for a in mon.alerts] == [(200, "data_outliers")]
    evidence = mon.alerts[0].evidence
    assert evidence["signal"] == "data/real_range" and evidence["largest_over_held_out"] > 100
    outputs = train(tmp_path / "outputs", 400, lr=2e-4, outliers_from=200, outlier_range=float("inf"))
    assert [(a.step, a.symptom) for a in outputs.alerts] == [(210, "data_outliers")]
    assert outputs.alerts[0].evidence["signal"] == "d_out/real"
    assert [f["symptom"] for i in mon.incidents.all for f in i.record()["folded"]] == []
    gaps = [z for step, z in mon.history.readings("overfit/z", 20) if step >= 200]
    assert len(gaps) == 9 and max(abs(z) for z in gaps) < 2  # read at 200, 225, ..., 400
    monkeypatch.setattr("ganhacks.monitor.monitor.OVERFIT_RANGE", float("inf"))
    mon = train(tmp_path / "as_they_come", 400, lr=2e-4, outliers_from=200)
    assert min(z for step, z in mon.history.readings("overfit/z", 20) if step >= 200) > 8
    assert "d_overfit" in [f["symptom"] for i in mon.incidents.all for f in i.record()["folded"]]
