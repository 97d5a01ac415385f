"""One job in a worker: a healthy run is scored exactly as by hand; a diverged or crashed one is
recorded with its error and the monitor's alerts, never lost."""

import pytest

from ganhacks.bench.benchmarks import score_mixture
from ganhacks.bench.plan import Job, job_config
from ganhacks.bench.worker import run_job
from ganhacks.train.loop import Trainer

TINY = ("model.g_width=16", "model.d_width=16", "model.z_dim=4", "train.batch_size=32", "data.points=512")


def job(*extra, steps=30, preset="recommended", seed=0):
    return Job(
        id=f"ring8/{steps}/v/{seed}",
        benchmark="ring8",
        steps=steps,
        variant="v",
        seed=seed,
        preset=preset,
        overrides=TINY + extra,
        baseline=None,
        group="test",
        tips=(),
        effect=1,
        eval_n=300,
    )


def test_a_healthy_job_is_scored_exactly_as_by_hand():
    spec = job().spec()
    record = run_job(spec)
    assert record["status"] == "ok" and record["error"] is None
    assert record["steps_done"] == 30 and record["job"] == spec["job"]
    assert record["config_hash"] == spec["config_hash"]
    assert record["cpu_s"] > 0 and record["train_cpu_s"] > 0 and record["steps_per_s"] > 0
    assert isinstance(record["collapsed"], bool)
    # by hand: the same config trained without the bench (and without the monitor) scores the same
    trainer = Trainer(job_config("ring8", "recommended", TINY, 0, 30))
    trainer.fit()
    assert record["metrics"] == pytest.approx(score_mixture(trainer, 300, 0), rel=1e-12, abs=1e-12)
    assert {"modes_covered", "high_quality", "reverse_kl_hq", "mode_reverse_kl", "quality_coverage"} <= set(
        record["metrics"]
    )
    assert {"precision", "recall", "density", "coverage"} <= set(record["metrics"])


def test_a_diverged_job_is_recorded_with_the_monitor_alert():
    record = run_job(job("optim.g_lr=1e30", "optim.d_lr=1e30", preset="vanilla").spec())
    assert record["status"] == "diverged"
    assert "NaN/Inf at step" in record["error"]
    assert record["metrics"] == {} and record["collapsed"] is None
    assert {"symptom": "non_finite", "step": 1, "severity": "critical"} in record["alerts"]


def test_a_crashing_job_is_recorded_with_its_error():
    spec = {**job().spec(), "overrides": [*TINY, "loss.name=nope"]}  # bypasses the plan's checks
    record = run_job(spec)
    assert record["status"] == "crashed"
    assert record["error"].startswith("UserError: unknown loss.name 'nope'")
    assert record["traceback"] and record["job"] == spec["job"]
