"""The runner: results appended once per job, resumed after a SIGKILL, refused when the folder is
another suite's or its configs changed, and tuned with the same seeded search for every variant."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ganhacks.bench.plan import TUNE_SEED_BASE, make_plan
from ganhacks.bench.results import ResultsFile, folder_lock, read_records
from ganhacks.bench.runner import RunOptions, run_plan
from ganhacks.bench.suite import parse_suite
from ganhacks.cli import main
from ganhacks.errors import UserError

SRC = Path(__file__).resolve().parents[2] / "src"
TINY = ["model.g_width=16", "model.d_width=16", "model.z_dim=4", "train.batch_size=32", "data.points=512"]


def suite_text(steps=20, seeds=2, name="t"):
    return textwrap.dedent(
        f"""
        name = "{name}"
        seeds = {seeds}
        [benchmarks.ring8]
        steps = [{steps}]
        eval_n = 200
        [variants.small]
        set = {TINY!r}
        baseline = ""
        [variants.small-hinge]
        set = {[*TINY, "loss.name=hinge", "loss.smoothing=none", "loss.penalty=none"]!r}
        baseline = "small"
        tips = ["S10"]
        """
    )


def ids_in(out):
    return [r["job"] for r in read_records(out / "results.jsonl")]


def test_run_writes_every_job_once_and_a_rerun_skips_them(tmp_path):
    plan = make_plan(parse_suite(suite_text()))
    out = tmp_path / "out"
    counts = run_plan(plan, out, RunOptions(workers=2, tty=False))
    assert counts["ok"] == 4 and counts["remaining"] == 0
    assert sorted(ids_in(out)) == sorted(plan.all_ids())
    first = (out / "results.jsonl").read_bytes()
    again = run_plan(plan, out, RunOptions(workers=2, tty=False))
    assert again["skipped"] == 4 and again["ok"] == 0
    assert (out / "results.jsonl").read_bytes() == first
    saved = json.loads((out / "plan.json").read_text())
    assert saved["suite"] == "t" and sorted(saved["jobs"]) == sorted(plan.all_ids())
    assert (out / "logs" / "ring8__20__small__0.log").is_file()
    # more seeds later: only the new jobs run
    more = run_plan(make_plan(parse_suite(suite_text()), seeds=3), out, RunOptions(workers=2, tty=False))
    assert more["skipped"] == 4 and more["ok"] == 2 and len(ids_in(out)) == 6
    # a piece of the suite (fewer seeds) adds nothing and forgets nothing of the plan
    run_plan(make_plan(parse_suite(suite_text()), seeds=1), out, RunOptions(tty=False))
    assert len(json.loads((out / "plan.json").read_text())["jobs"]) == 6


def test_a_folder_of_another_suite_or_changed_configs_is_refused(tmp_path):
    out = tmp_path / "out"
    run_plan(make_plan(parse_suite(suite_text(steps=10, seeds=1))), out, RunOptions(tty=False))
    before = (out / "results.jsonl").read_bytes()
    with pytest.raises(UserError, match="holds results of suite 't'"):
        run_plan(make_plan(parse_suite(suite_text(steps=10, seeds=1, name="other"))), out, RunOptions(tty=False))
    changed = suite_text(steps=10, seeds=1).replace("model.g_width=16", "model.g_width=32")
    with pytest.raises(UserError, match="run with another config"):
        run_plan(make_plan(parse_suite(changed)), out, RunOptions(tty=False))
    assert (out / "results.jsonl").read_bytes() == before


def test_a_resume_across_an_upgrade_that_only_adds_fields_is_accepted(tmp_path):
    plan = make_plan(parse_suite(suite_text(steps=10, seeds=1)))
    out = tmp_path / "out"
    run_plan(plan, out, RunOptions(tty=False))
    configs = [json.loads(line) for line in (out / "configs.jsonl").read_text().splitlines()]
    assert len(configs) == 2  # one per distinct config
    # pretend the jobs ran before optim.lr_schedule existed: their configs lack it, their hashes differ
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    for c in configs:
        del c["config"]["optim"]["lr_schedule"]
        old_hash = c["config_hash"]
        c["config_hash"] = "old-" + old_hash
        for r in records:
            if r["config_hash"] == old_hash:
                r["config_hash"] = c["config_hash"]
    (out / "configs.jsonl").write_text("".join(json.dumps(c) + "\n" for c in configs))
    (out / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    assert run_plan(plan, out, RunOptions(tty=False))["skipped"] == 2
    # a changed value is still refused
    configs[0]["config"]["optim"]["g_lr"] = 0.5
    (out / "configs.jsonl").write_text("".join(json.dumps(c) + "\n" for c in configs))
    with pytest.raises(UserError, match="run with another config"):
        run_plan(plan, out, RunOptions(tty=False))


def test_a_folder_in_use_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with folder_lock(out), pytest.raises(UserError, match="being written by another ganhacks bench run"):
        run_plan(make_plan(parse_suite(suite_text(steps=10, seeds=1))), out, RunOptions(tty=False))


def minimal(job):
    return {"job": job, "benchmark": "ring8", "variant": "v", "steps": 1, "seed": 0, "status": "ok", "metrics": {}}


def test_a_torn_last_line_is_cut_before_appending(tmp_path):
    results = ResultsFile(tmp_path)
    results.append(minimal("a"))
    with open(results.path, "ab") as f:
        f.write(b'{"job": "b", "sta')  # a run killed mid-write
    assert [r["job"] for r in results.records()] == ["a"]
    results.repair()
    results.append(minimal("c"))
    assert [r["job"] for r in results.records()] == ["a", "c"]
    assert results.path.read_text().count("\n") == 2


def test_lines_without_the_shape_of_a_record_are_skipped(tmp_path):
    results = ResultsFile(tmp_path)
    for bad in ([1, 2], {"job": 3}, {**minimal("x"), "benchmark": "mnist"}, {**minimal("y"), "seed": "0"}):
        results.append(bad)
    results.append(minimal("ok"))
    assert [r["job"] for r in results.records()] == ["ok"]


def _holders(folder):
    """Processes holding a file open under ``folder`` (Linux /proc)."""
    pids = []
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            links = [os.readlink(p) for p in fd_dir.iterdir()]
        except OSError:
            continue
        if any(link.startswith(str(folder)) for link in links):
            pids.append(int(fd_dir.parent.name))
    return pids


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to find surviving workers")
def test_sigkill_mid_suite_then_rerun_ends_with_every_job_exactly_once(tmp_path):
    suite = tmp_path / "s.toml"
    suite.write_text(suite_text(steps=80, seeds=3))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "ganhacks", "bench", "run", "--suite", str(suite), "--workers", "2", "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    results = out / "results.jsonl"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not (results.is_file() and results.read_text().count("\n") >= 1):
        time.sleep(0.2)
        assert proc.poll() is None, proc.stderr.read().decode()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    first = results.read_bytes()
    n_first = first.count(b"\n")
    assert 1 <= n_first < 6, "the suite finished before it could be killed"
    # its workers notice and exit, leaving no process writing into the folder
    deadline = time.monotonic() + 15
    while _holders(out) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _holders(out)
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert f"resuming: {n_first} of 6 jobs" in rerun.stdout
    final = results.read_bytes()
    assert final.startswith(first)  # nothing finished before the kill was lost or rewritten
    ids = ids_in(out)
    assert len(ids) == 6 and len(set(ids)) == 6


def test_tuning_gives_every_variant_the_same_seeded_search_on_its_own_seeds(tmp_path):
    suite = parse_suite(suite_text(steps=15, seeds=1))
    plan = make_plan(suite, tune=2)
    out = tmp_path / "out"
    counts = run_plan(plan, out, RunOptions(workers=2, tty=False))
    assert counts["remaining"] == 0 and counts["crashed"] == 0
    records = {r["job"]: r for r in read_records(out / "results.jsonl")}
    assert set(records) == set(plan.all_ids())
    # "small" keeps the point-family R1 of recommended, so its penalty weight is searched too
    rates = {"optim.g_lr", "optim.d_lr"}
    searched = {"small": rates | {"loss.penalty_weight"}, "small-hinge": rates}
    for variant in ("small", "small-hinge"):
        trials = [records[f"ring8/15/{variant}/tune2-t{k}"] for k in range(2)]
        assert [t["seed"] for t in trials] == [TUNE_SEED_BASE, TUNE_SEED_BASE + 1]
        for t in trials:
            assert t["phase"] == "tune" and set(t["params"]) == searched[variant]
            assert 1e-5 <= float(t["params"]["optim.g_lr"]) <= 1e-2
            assert f"optim.g_lr={t['params']['optim.g_lr']}" in t["overrides"]
        tuned = records[f"ring8/15/{variant}@tune2/0"]
        best = tuned["tuning"]["best"]
        assert best in {t["job"] for t in trials}
        assert tuned["params"] == records[best]["params"] and tuned["seed"] == 0
    # the search is a function of its history: replaying it gives the same values
    from ganhacks.bench.tuning import next_params

    cell = plan.cells[0]
    first = records[cell.trial_job(0).id]
    assert next_params(cell, []) == first["params"]
    assert next_params(cell, [first]) == records[cell.trial_job(1).id]["params"]


def test_status_and_report_of_a_finished_run(tmp_path, capsys):
    out = tmp_path / "out"
    run_plan(make_plan(parse_suite(suite_text(steps=10, seeds=1))), out, RunOptions(tty=False))
    capsys.readouterr()
    assert main(["bench", "status", str(out)]) == 0
    text = capsys.readouterr().out
    assert "2 of 2 jobs finished" in text and "not running" in text
    assert main(["bench", "status", str(tmp_path)]) == 2
    assert "not a bench folder" in capsys.readouterr().err
