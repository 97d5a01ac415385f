"""Each detector on synthetic signal traces: it fires in the right step range, once per episode,
and stays silent on a healthy trace."""

import json
import math
import random

import pytest

from ganhacks.errors import UserError
from ganhacks.monitor import SYMPTOMS, Monitor, MonitorConfig, tips_monitored
from ganhacks.tips import TIPS_BY_ID


def healthy(step, rng):
    """Signals of a balanced run: losses near equilibrium, D unsure, moderate gradients."""
    return {
        "loss/d": 1.3 + 0.05 * rng.gauss(0, 1),
        "loss/g": 0.8 + 0.05 * rng.gauss(0, 1),
        "d_out/real": 0.2 + 0.05 * rng.gauss(0, 1),
        "d_out/fake": -0.2 + 0.05 * rng.gauss(0, 1),
        "d_prob/real": 0.55,
        "d_prob/fake": 0.45,
        "d_acc": 0.6 + 0.02 * rng.gauss(0, 1),
        "d_sign/real": 0.3,
        "grad_norm/d": 1.0,
        "grad_norm/g": 2.0,
    }


def run(broken, start=300, steps=600, seed=0, **overrides):
    """Feed a healthy trace, then ``broken(step, values)`` from ``start``; return the alerts."""
    rng = random.Random(seed)
    mon = Monitor(stream=None, **overrides)
    for step in range(1, steps + 1):
        values = healthy(step, rng)
        if step >= start:
            broken(step, values, rng)
        if step % 25 == 0:
            values["diversity/ratio"] = values.get("diversity/ratio", 1.0 + 0.05 * rng.gauss(0, 1))
            values["fidelity/ratio"] = values.get("fidelity/ratio", 1.0)
        mon.observe(step, values)
    return mon


def first(mon, symptom):
    return next((a.step for a in mon.alerts if a.symptom == symptom), None)


def test_healthy_trace_raises_nothing():
    for seed in range(3):
        assert run(lambda s, v, r: None, seed=seed).alerts == []


def d_wins(step, v, rng):
    v.update({"loss/d": 0.02, "d_acc": 1.0, "d_prob/real": 0.99, "d_prob/fake": 0.01})


def spiky(step, v, rng):
    v["loss/d"] = 1.3 + (3.0 if step % 10 == 0 else 0.0)


def saturating(step, v, rng):
    v.update({"d_prob/fake": 0.01, "loss/g": -0.01, "grad_norm/g": 0.001})


def collapse(step, v, rng):
    v["diversity/ratio"] = 0.1


def garbage(step, v, rng):
    v.update({"loss/g": 2.0 - 0.01 * (step - 300), "d_prob/fake": 0.7, "d_prob/real": 0.4, "fidelity/ratio": 6.0})


def overfit(step, v, rng):
    v["d_sign/real"] = 1.0


def oscillating(step, v, rng):
    amp = 0.05 * 1.02 ** (step - 300)  # grows x2.7 per 50 steps
    v["d_out/real"] = 0.2 + amp * math.sin(step / 3)


@pytest.mark.parametrize(
    "broken, symptom, latest",
    [
        (d_wins, "d_loss_zero", 350),
        (spiky, "d_loss_spiky", 340),
        (saturating, "saturating_g", 350),
        (collapse, "mode_collapse", 360),
        (garbage, "g_fools_with_garbage", 350),
        (overfit, "d_overfit", 350),
        (oscillating, "oscillation", 500),
    ],
)
def test_each_windowed_symptom_fires_after_the_break_and_only_once(broken, symptom, latest):
    mon = run(broken)
    step = first(mon, symptom)
    assert step is not None and 300 <= step <= latest, [(a.step, a.symptom) for a in mon.alerts]
    assert [a.symptom for a in mon.alerts].count(symptom) == 1  # one alert per episode, not one per step
    assert all(a.step >= 300 for a in mon.alerts)  # nothing before the break
    alert = next(a for a in mon.alerts if a.symptom == symptom)
    assert alert.tips == SYMPTOMS.get(symptom).tips and alert.evidence


def test_nan_and_exploding_gradients_fire_at_that_very_step():
    def nan(step, v, rng):
        if step == 300:
            v["grad_norm/g"] = float("nan")

    def explode(step, v, rng):
        if step in (300, 301, 302, 500):
            v["grad_norm/d"] = 250.0

    mon = run(nan)
    assert [(a.step, a.symptom) for a in mon.alerts] == [(300, "non_finite")]
    assert mon.alerts[0].evidence == {"non_finite": ["grad_norm/g"]}
    mon = run(explode)
    # 300-302 is one episode; 500 is after quiet_steps (100) without the symptom: a new one
    assert [(a.step, a.symptom) for a in mon.alerts] == [(300, "grad_explode"), (500, "grad_explode")]


def test_thresholds_are_configurable():
    def grad_60(step, v, rng):
        v["grad_norm/d"] = 60.0

    assert run(grad_60).alerts == []
    assert first(run(grad_60, grad_max=50.0), "grad_explode") == 300


def test_critic_losses_skip_probability_symptoms():
    assert "d_loss_zero" not in {s.id for s in Monitor(loss="wasserstein", stream=None).symptoms}
    assert "d_loss_zero" in {s.id for s in Monitor(loss="hinge", stream=None).symptoms}


def test_state_dict_resumes_the_same_alerts(tmp_path):
    rng = random.Random(1)
    trace = []
    for step in range(1, 501):
        v = healthy(step, rng)
        if step >= 200:
            d_wins(step, v, rng)
        trace.append(v)
    full = Monitor(stream=None)
    for i, v in enumerate(trace, 1):
        full.observe(i, v)
    a = Monitor(stream=None)
    for i, v in enumerate(trace[:230], 1):
        a.observe(i, v)
    state = json.loads(json.dumps(a.state_dict()))  # plain data (it goes into checkpoints)
    b = Monitor(stream=None)
    b.load_state_dict(state)
    for i, v in enumerate(trace[230:], 231):
        b.observe(i, v)
    assert [x.record() for x in b.alerts] == [x.record() for x in full.alerts]
    assert first(full, "d_loss_zero") is not None


def test_bad_input_is_skipped_and_reported_once(tmp_path, capsys):
    import torch

    mon = Monitor(run_dir=tmp_path)
    for step in range(1, 4):
        mon.observe(step, {"loss/d": torch.ones(8), "loss/g": 0.7})  # a per-sample loss, not a scalar
    err = capsys.readouterr().err
    assert err.count("loss/d (not a scalar: shape (8,))") == 1
    assert "signals not reported" in err  # d_prob/... missing: said once
    events = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert [e["event"] for e in events] == ["skipped", "missing"]
    assert mon.history.values("loss/g") == [0.7, 0.7, 0.7]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"policy": "rolback"}, "Did you mean 'rollback'"),
        ({"window": 2}, "window"),
        ({"d_acc_min": 1.5}, r"\[0, 1\]"),
    ],
)
def test_bad_settings_are_user_errors(kwargs, message):
    with pytest.raises(UserError, match=message):
        MonitorConfig(**kwargs)
    with pytest.raises(UserError, match="unknown Monitor setting"):
        Monitor(stream=None, windw=3)


def test_every_symptom_names_real_tips_and_the_t10_failures_are_covered():
    for name in SYMPTOMS:
        s = SYMPTOMS.get(name)
        assert s.tips and all(t in TIPS_BY_ID for t in s.tips) and s.severity in ("warning", "error", "critical")
    cover = tips_monitored()
    assert {"d_loss_zero", "grad_explode", "d_loss_spiky", "g_fools_with_garbage"} <= set(cover["T10"])
    assert cover["T02"] == ["saturating_g"]
