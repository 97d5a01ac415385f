"""The monitor inside the reference trainer: logs, checkpoints, NaN safety, stop and rollback."""

import json

import pytest
import torch

from ganhacks.train.callbacks import Callback
from ganhacks.train.checkpoint import list_checkpoints, load_checkpoint
from ganhacks.train.config import apply_overrides
from ganhacks.train.presets import preset_config
from ganhacks.train.run import resume_run, start_run

TINY = [
    "data.name=ring8",
    "data.points=512",
    "model.g_width=16",
    "model.d_width=16",
    "model.z_dim=4",
    "train.batch_size=32",
    "train.log_every=1",
    "train.sample_every=0",
    "loss.smoothing=none",
]


def tiny(steps, *extra):
    return apply_overrides(preset_config("vanilla"), [*TINY, f"train.steps={steps}", *extra])


class NanAt(Callback):
    """Writes a NaN into D's first weight at ``step`` (once): a numeric blow-up at a known step."""

    def __init__(self, step):
        self.at, self.done = step, False

    def on_step_end(self, trainer, step, logs):
        if step == self.at and not self.done:
            self.done = True
            with torch.no_grad():
                next(trainer.D.parameters()).view(-1)[0] = float("nan")


def events(run):
    return [json.loads(line) for line in (run / "events.jsonl").read_text().splitlines()]


def test_monitor_signals_reach_metrics_and_its_state_reaches_checkpoints(tmp_path):
    run = tmp_path / "run"
    start_run(
        tiny(50, "train.checkpoint_every=25", "monitor.diversity_every=10", "monitor.layer_every=10"),
        run,
        progress=False,
    )
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    by_step = {r["step"]: r for r in records}
    assert 0.0 <= by_step[10]["diversity/ratio"] < 5 and "diversity/ratio" not in by_step[11]
    assert by_step[10]["update_ratio/d"] > 0 and by_step[10]["weight_norm/g"] > 0
    assert any(k.startswith("grad_norm/d/") for k in by_step[10])  # per-layer norms
    state = load_checkpoint(run / "checkpoints" / "step-000050.pt")
    monitor_state = state["callbacks"][0]["monitor"]
    assert monitor_state["step"] == 50 and len(monitor_state["history"]["series"]["loss/d"]) == 50


def test_nan_run_finishes_and_never_replaces_a_good_checkpoint(tmp_path, capsys):
    run = tmp_path / "run"
    start_run(
        tiny(12, "train.checkpoint_every=2", "train.keep_checkpoints=2"),
        run,
        progress=False,
        extra_callbacks=[NanAt(7)],
    )
    names = [p.name for p in list_checkpoints(run / "checkpoints")]
    assert names == ["step-000004.pt", "step-000006.pt"]  # nothing written after the NaN, nothing good pruned
    good = load_checkpoint(run / "checkpoints" / "step-000006.pt")
    assert all(torch.isfinite(v).all() for v in good["D"].values() if v.is_floating_point())
    first = [e for e in events(run) if e["event"] == "alert"][0]
    assert first["symptom"] == "non_finite" and first["step"] == 8 and first["severity"] == "critical"
    assert "S08" in first["tips"]
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if line.startswith("[monitor] step")] == [
        next(line for line in err.splitlines() if "CRITICAL non_finite (incident 1)" in line)
    ]  # one line per incident, not one per NaN step


def test_stop_policy_ends_the_run_at_the_alert(tmp_path):
    run = tmp_path / "run"
    trainer = start_run(
        tiny(30, "monitor.policy=stop", "train.checkpoint_every=0"), run, progress=False, extra_callbacks=[NanAt(10)]
    )
    assert trainer.step == 11
    assert [e["event"] for e in events(run)] == ["alert", "stop"]
    assert list_checkpoints(run / "checkpoints") == []  # the final state is NaN: not saved


def test_rollback_restores_a_healthy_state_lowers_the_lrs_and_continues(tmp_path):
    run = tmp_path / "run"
    config = tiny(
        40, "monitor.policy=rollback", "monitor.snapshot_every=5", "monitor.window=4", "train.checkpoint_every=0"
    )
    trainer = start_run(config, run, progress=False, extra_callbacks=[NanAt(20)])
    assert trainer.step == 40
    assert all(torch.isfinite(p).all() for p in trainer.D.parameters())
    back = [e for e in events(run) if e["event"] == "rollback"]
    assert len(back) == 1 and back[0]["step"] == 21 and back[0]["to_step"] <= 21 - 4
    assert trainer.opt_g.param_groups[0]["lr"] == pytest.approx(0.5 * config.optim.g_lr)  # S08
    assert trainer.opt_d.param_groups[0]["lr"] == pytest.approx(0.5 * config.optim.d_lr)
    final = load_checkpoint(list_checkpoints(run / "checkpoints")[-1])
    assert final["step"] == 40 and final["opt_d"]["param_groups"][0]["lr"] == pytest.approx(0.5 * config.optim.d_lr)


def test_resume_continues_the_monitor_and_drops_later_events(tmp_path):
    run = tmp_path / "run"
    start_run(tiny(10, "train.checkpoint_every=5"), run, progress=False)
    with open(run / "events.jsonl", "a") as f:  # an event from after the last checkpoint, and a cut line
        f.write(json.dumps({"event": "alert", "step": 99}) + "\n" + '{"event": "al')
    trainer = resume_run(run, steps=14, progress=False)
    assert all(e["step"] <= 14 for e in events(run))
    assert trainer.callbacks[0].monitor.step_count == 14


def test_rollback_sets_the_abandoned_checkpoints_aside_and_a_resume_keeps_its_events(tmp_path):
    run = tmp_path / "run"
    config = tiny(
        30,
        "monitor.policy=rollback",
        "monitor.snapshot_every=5",
        "monitor.window=4",
        "train.checkpoint_every=5",
        "train.keep_checkpoints=10",
    )
    start_run(config, run, progress=False, extra_callbacks=[NanAt(20)])
    back = [e for e in events(run) if e["event"] == "rollback"][0]
    assert back["to_step"] == 15 and back["checkpoints_set_aside"] == ["step-000020.pt"]
    assert (run / "checkpoints" / "abandoned" / "step-000020.pt").is_file()  # kept, not deleted
    assert [p.name for p in list_checkpoints(run / "checkpoints")][-3:] == [
        "step-000020.pt",
        "step-000025.pt",
        "step-000030.pt",
    ]
    assert (
        load_checkpoint(run / "checkpoints" / "step-000020.pt")["callbacks"][0]["monitor"]["rollbacks"] == 1
    )  # the new path
    # the failed iteration (21) was not recorded by the callbacks after the monitor: every step-21 record is finite
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["loss/d"] for r in rows if r["step"] == 21] and all(
        isinstance(r["loss/d"], float) for r in rows if r["step"] == 21
    )
    before = [e["event"] for e in events(run)]
    resume_run(run, steps=34, progress=False)
    assert [e["event"] for e in events(run)][: len(before)] == before  # the rollback (logged at step 21) survives


def test_rollback_is_refused_where_it_cannot_restore_the_run():
    from ganhacks.errors import UserError
    from ganhacks.monitor import Monitor, MonitorConfig

    with pytest.raises(UserError, match="only inside ganhacks train"):
        Monitor(policy="rollback")
    with pytest.raises(UserError, match="lr_factor must be in"):
        MonitorConfig(lr_factor=0.0)


def test_stop_and_rollback_are_refused_under_torchrun(tmp_path, monkeypatch):
    import ganhacks.train.run as run_module
    from ganhacks.errors import UserError

    monkeypatch.setattr(run_module, "init_from_env", lambda device_type: (0, 2))  # as if torchrun started 2 ranks
    with pytest.raises(UserError, match="single process only"):
        start_run(tiny(5, "monitor.policy=stop"), tmp_path / "run", progress=False)
    assert not (tmp_path / "run").exists()  # refused before anything was written


def test_tensorboard_receives_the_incidents_as_text(tmp_path):
    event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    run = tmp_path / "run"
    start_run(
        tiny(14, "train.tensorboard=true", "train.checkpoint_every=0", "train.log_every=2"),
        run,
        progress=False,
        extra_callbacks=[NanAt(7)],
    )
    acc = event_accumulator.EventAccumulator(str(run / "tensorboard"), size_guidance={"tensors": 0, "scalars": 0})
    acc.Reload()
    texts = [(e.step, e.tensor_proto.string_val[0].decode()) for e in acc.Tensors("monitor/text_summary")]
    alert = next(e for e in events(run) if e["event"] == "alert")
    assert texts == [(8, texts[0][1])] and alert["step"] == 8  # one incident, at its step, nothing else
    assert "CRITICAL non_finite" in texts[0][1] and "incident 1" in texts[0][1] and "S08" in texts[0][1]
    assert [e.step for e in acc.Scalars("loss/g")] == [2, 4, 6, 8, 10, 12, 14]  # scalars still every log_every
