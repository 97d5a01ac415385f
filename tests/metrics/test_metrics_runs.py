"""Metrics of a trained run: ``ganhacks eval RUN`` and the trainer's periodic evaluation."""

import json
import math

import numpy as np
import pytest
import scipy.linalg
import torch

from ganhacks.cli import main
from ganhacks.errors import UserError
from ganhacks.metrics.extractors import DigitsExtractor
from ganhacks.metrics.modes import digit_labels, mixture_modes
from ganhacks.metrics.sources import subsample
from ganhacks.train.callbacks import EvalCallback
from ganhacks.train.loop import Trainer
from ganhacks.train.run import load_trained, start_run


def fid_by_hand(a, b):
    """Frechet distance of Gaussians fitted to feature rows a and b (scipy's sqrtm, not ganhacks' eigh route)."""
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = scipy.linalg.sqrtm(s_a @ s_b).real
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(s_a + s_b - 2 * root))


def read_metrics(run):
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


def test_trainer_logs_eval_metrics_every_n_steps_and_they_match_a_direct_computation(tmp_path, tiny):
    config = tiny(
        "recommended",
        images=False,
        steps=12,
        extra=["train.log_every=5", "train.eval_every=4", "train.eval_n=300", "monitor.enabled=false"],
    )
    run = tmp_path / "run"
    trainer = start_run(config, run, progress=False)
    rows = {r["step"]: r for r in read_metrics(run)}
    evaluated = sorted(s for s, r in rows.items() if "eval/modes_covered" in r)
    assert evaluated == [4, 8, 12]  # written at eval steps although log_every is 5
    assert {"eval/precision", "eval/recall", "eval/density", "eval/coverage", "eval/high_quality"} <= set(rows[12])
    # the final value equals the metric computed by hand from the same samples (seed 1) and data
    mix = trainer.dataset.mixture
    fake = mix.from_unit(trainer.sample(300, torch.Generator().manual_seed(1))).double()
    expected = mixture_modes(fake, mix.centers.double(), mix.std)
    assert rows[12]["eval/modes_covered"] == expected["modes_covered"]
    assert math.isclose(rows[12]["eval/high_quality"], expected["high_quality"], abs_tol=1e-6)


def test_eval_of_a_nan_generator_reports_nan_instead_of_crashing(tiny, capsys):
    trainer = Trainer(tiny("recommended", images=True, steps=1), callbacks=[])
    cb = EvalCallback(every=1, metrics="fid", n=100)
    cb.on_fit_start(trainer)
    assert math.isfinite(cb.measure(trainer)["fid"])
    sampled = trainer.ema.module if trainer.ema is not None else trainer.G  # samples come from the EMA when kept
    with torch.no_grad():
        next(sampled.parameters()).fill_(float("nan"))
    assert math.isnan(cb.measure(trainer)["fid"])
    assert "metrics skipped" in capsys.readouterr().err


def test_eval_command_on_a_run_folder_and_on_one_checkpoint(tmp_path, tiny, capsys):
    run = tmp_path / "run"
    start_run(
        tiny("recommended", images=True, steps=6, extra=["train.checkpoint_every=3", "monitor.enabled=false"]),
        run,
        progress=False,
    )
    assert main(["eval", str(run), "--metrics", "fid,is,modes", "--n", "200"]) == 0
    record = json.loads((run / "metrics.json").read_text())
    assert record["step"] == 6 and record["n_fake"] == 200 and record["n_real"] == 200
    assert record["extractor"].startswith("digits-cnn") and record["metrics"]["modes_total"] == 10
    # the same numbers by hand from the loaded generator: eval draws its n samples at --seed (0) and the
    # real reference at --seed + 1 from the run's own data
    trainer, run_dir = load_trained(run / "checkpoints" / "step-000006.pt")
    assert run_dir == run and trainer.step == 6
    fake = trainer.sample(200, torch.Generator().manual_seed(0))
    real = subsample(trainer.dataset.x, 200, seed=1)
    extractor = DigitsExtractor()
    (f_fake, probs), (f_real, _) = extractor(fake), extractor(real)
    m = record["metrics"]
    assert m["fid"] == pytest.approx(fid_by_hand(f_fake.double().numpy(), f_real.double().numpy()), rel=1e-6)
    covered = torch.bincount(digit_labels(fake)[:, 0], minlength=10)
    assert m["modes_covered"] == int((covered > 0).sum())
    p = probs.double()
    kl = [(c * (c.log() - c.mean(0, keepdim=True).log())).sum(1).mean().exp() for c in p.chunk(10)]
    assert m["is"] == pytest.approx(float(torch.stack(kl).mean()), rel=1e-9)
    assert (
        main(
            [
                "eval",
                str(run / "checkpoints" / "step-000003.pt"),
                "--metrics",
                "fid",
                "--n",
                "200",
                "--out",
                str(tmp_path / "early.json"),
            ]
        )
        == 0
    )
    early = json.loads((tmp_path / "early.json").read_text())
    assert early["step"] == 3 and early["metrics"]["fid"] != record["metrics"]["fid"]
    assert main(["eval", str(run), "--metrics", "fid", "--n", "200", "--out", str(tmp_path / "again.json")]) == 0
    again = json.loads((tmp_path / "again.json").read_text())
    assert again["metrics"]["fid"] == record["metrics"]["fid"]


def test_eval_command_bad_runs_are_one_line_errors(tmp_path, capsys):
    assert main(["eval", str(tmp_path / "nowhere" / "run")]) == 2
    assert "no run folder at" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["eval", str(tmp_path / "empty")]) == 2
    assert "not a run folder" in capsys.readouterr().err
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    assert main(["eval", str(tmp_path / "junk.pt")]) == 2
    assert "cannot use checkpoint" in capsys.readouterr().err
    assert main(["eval", str(tmp_path / "f.npy")]) == 2
    assert "--real is required" in capsys.readouterr().err


def test_a_metric_that_cannot_work_fails_at_start_and_the_folder_can_be_reused(tmp_path, tiny, capsys):
    run = tmp_path / "run"
    bad = tiny(
        "recommended",
        images=True,
        steps=4,
        extra=["train.eval_every=2", "train.eval_n=20", "train.eval_metrics=fid", "monitor.enabled=false"],
    )
    with pytest.raises(UserError, match="FID needs at least 65"):  # 64-d features, 20 samples
        start_run(bad, run, progress=False)
    assert not (run / "checkpoints").exists() or not any((run / "checkpoints").iterdir())
    good = tiny(
        "recommended",
        images=True,
        steps=4,
        extra=["train.eval_every=2", "train.eval_n=100", "train.eval_metrics=fid", "monitor.enabled=false"],
    )
    start_run(good, run, progress=False)  # a folder holding only the failed start's config.json is not a run
    assert sorted(r["step"] for r in read_metrics(run) if "eval/fid" in r) == [2, 4]


def test_evaluating_and_sampling_during_training_leave_the_run_unchanged(tiny):
    # always-on dropout in G (T17) draws from torch's global stream: sampling must not consume it
    config = tiny("recommended", images=False, steps=6, extra=["model.g_dropout=0.2", "monitor.enabled=false"])
    plain = Trainer(config)
    plain.fit()
    watched = Trainer(config, callbacks=[EvalCallback(every=2, metrics="pr", n=100)])
    watched.fit()
    watched.fixed_samples()
    for a, b in zip(plain.G.state_dict().values(), watched.G.state_dict().values()):
        assert torch.equal(a, b)
