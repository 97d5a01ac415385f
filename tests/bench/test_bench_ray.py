"""The Ray backend against a real local Ray: the same jobs give the same records as local workers."""

import textwrap

import pytest

from ganhacks.bench.plan import make_plan
from ganhacks.bench.results import read_records
from ganhacks.bench.runner import RunOptions, run_plan
from ganhacks.bench.suite import parse_suite

ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'ganhacks[ray]'")

SUITE = textwrap.dedent(
    """
    name = "ray"
    seeds = 1
    [benchmarks.ring8]
    steps = [25]
    eval_n = 200
    [variants.small]
    set = ["model.g_width=16", "model.d_width=16", "model.z_dim=4", "train.batch_size=32", "data.points=512"]
    baseline = ""
    [variants.small-lsgan]
    set = ["model.g_width=16", "model.d_width=16", "model.z_dim=4", "train.batch_size=32", "data.points=512",
           "loss.name=least_squares"]
    baseline = "small"
    """
)
SAME = ("job", "status", "error", "metrics", "collapsed", "alerts", "events", "steps_done", "config_hash", "params")


def test_ray_runs_the_same_jobs_with_the_same_numbers_as_local_workers(tmp_path):
    plan = make_plan(parse_suite(SUITE))
    run_plan(plan, tmp_path / "local", RunOptions(workers=2, tty=False))
    counts = run_plan(plan, tmp_path / "ray", RunOptions(workers=1, backend="ray", tty=False))  # one Ray worker
    assert counts["ok"] == 2 and not ray.is_initialized()  # the backend shut down the Ray it started
    local = {r["job"]: r for r in read_records(tmp_path / "local" / "results.jsonl")}
    remote = {r["job"]: r for r in read_records(tmp_path / "ray" / "results.jsonl")}
    assert set(local) == set(remote) == set(plan.all_ids())
    for job_id, record in local.items():
        assert {k: record[k] for k in SAME} == {k: remote[job_id][k] for k in SAME}
