"""What ``ganhacks bench`` itself costs, and how long the quick suite takes.

``overhead``: the same jobs run by hand (one process: build the config, train with the monitor,
score, save the numbers) and by ``ganhacks bench run --workers 1`` (plan checks, fork server, one
worker process per job, results file), each in a fresh process, alternating, several rounds, for a
small and a larger number of short jobs. The cost of each is the CPU time of its whole process tree
(the process, the fork server and the job processes it reaped, read from /proc), so other programs
on the machine do not enter it. The bench's extra CPU over the hand loop, at two job counts, gives
its fixed cost per run and its cost per job; the overhead on a real suite is those against that
suite's CPU (``quick`` measures it). Short jobs keep the measurement precise: the training inside
is the same both ways (checked: both produce the same numbers) and only adds noise.

``quick``: ``ganhacks bench run --suite quick --workers 2`` end to end: wall time, the CPU seconds
of every job, and the load of the machine before and after (others share it).

    python benchmarks/bench_overhead.py overhead --rounds 3
    python benchmarks/bench_overhead.py quick

Both write their section of docs/bench.json (and the overhead on the quick suite once both exist).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "bench.json"
TICKS = os.sysconf("SC_CLK_TCK")


def suite_text(steps: int, seeds: int) -> str:
    """The jobs both ways run: recommended and vanilla on ring8 at ``steps``, ``seeds`` seeds (2 x seeds jobs)."""
    return textwrap.dedent(
        f"""
        name = "overhead"
        seeds = {seeds}
        [benchmarks.ring8]
        steps = [{steps}]
        [variants.recommended]
        preset = "recommended"
        baseline = ""
        [variants.vanilla]
        preset = "vanilla"
        baseline = "recommended"
        """
    )


def tree_cpu_of_children() -> float:
    """CPU seconds of this process's live children and of the children they reaped (/proc)."""
    me = os.getpid()
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) "
        if int(fields[1]) == me:  # field 4: ppid
            total += sum(int(x) for x in fields[11:15]) / TICKS  # utime, stime, cutime, cstime
    return total


def self_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def one_by_hand(steps: int, seeds: int, out: Path) -> dict:
    """Run the jobs in this process the way a user would, with the library and no bench."""
    import torch

    from ganhacks.bench.benchmarks import score_mixture
    from ganhacks.train.callbacks import MonitorCallback
    from ganhacks.train.config import apply_overrides
    from ganhacks.train.loop import Trainer
    from ganhacks.train.presets import preset_config

    torch.set_num_threads(1)
    results = {}
    for seed in range(seeds):
        for preset in ("recommended", "vanilla"):
            config = apply_overrides(
                preset_config(preset),
                ["data.name=ring8", "train.device=cpu", f"train.seed={seed}", f"train.steps={steps}"],
            )
            monitor = MonitorCallback(config.monitor, None, loss=config.loss.name, stream=None)
            trainer = Trainer(config, callbacks=[monitor])
            trainer.fit()
            results[f"ring8/{steps}/{preset}/{seed}"] = score_mixture(trainer, 2500, seed)
            (out / "by_hand.json").write_text(json.dumps(results))
    return {"cpu_s": self_cpu() + tree_cpu_of_children(), "metrics": results}


def one_bench(steps: int, seeds: int, out: Path) -> dict:
    """Run the same jobs through the bench's runner (one worker), in this process."""
    from ganhacks.bench.plan import make_plan
    from ganhacks.bench.results import read_records
    from ganhacks.bench.runner import RunOptions, run_plan
    from ganhacks.bench.suite import parse_suite

    plan = make_plan(parse_suite(suite_text(steps, seeds)))
    run_plan(plan, out / "bench", RunOptions(workers=1, tty=False))
    records = read_records(out / "bench" / "results.jsonl")
    return {
        "cpu_s": self_cpu() + tree_cpu_of_children(),
        "metrics": {r["job"]: r["metrics"] for r in records},
        "job_cpu_s": sum(r["cpu_s"] for r in records),
    }


def run_one(kind: str, steps: int, seeds: int) -> dict:
    """``kind`` ("hand" or "bench") in a fresh process; its own measurement plus wall time."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, __file__, "one", kind, "--steps", str(steps), "--seeds", str(seeds), "--dir", tmp]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"{kind} failed:\n{proc.stderr[-3000:]}")
        result = json.loads(Path(tmp, "result.json").read_text())
    return {**result, "wall_s": wall}


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def update(section: str, data: dict) -> None:
    doc = json.loads(OUT.read_text()) if OUT.is_file() else {}
    doc[section] = data
    OUT.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"wrote {section} to {OUT}")


def overhead(args: argparse.Namespace) -> None:
    sizes = (1, args.seeds)  # seeds per run: 2 and 2 x seeds jobs
    rounds = []
    for r in range(args.rounds):
        for seeds in sizes:
            order = ("hand", "bench") if (r + seeds) % 2 == 0 else ("bench", "hand")  # load drifts hit both alike
            got = {kind: run_one(kind, args.steps, seeds) for kind in order}
            same = set(got["hand"]["metrics"]) == set(got["bench"]["metrics"]) and all(
                got["hand"]["metrics"][job] == got["bench"]["metrics"][job] for job in got["hand"]["metrics"]
            )
            rounds.append(
                {
                    "jobs": 2 * seeds,
                    "hand_cpu_s": round(got["hand"]["cpu_s"], 2),
                    "bench_cpu_s": round(got["bench"]["cpu_s"], 2),
                    "bench_job_cpu_s": round(got["bench"]["job_cpu_s"], 2),
                    "extra_cpu_s": round(got["bench"]["cpu_s"] - got["hand"]["cpu_s"], 2),
                    "hand_wall_s": round(got["hand"]["wall_s"], 2),
                    "bench_wall_s": round(got["bench"]["wall_s"], 2),
                    "same_numbers": same,
                    "load_after": load(),
                }
            )
            print(json.dumps(rounds[-1]), flush=True)
    small, large = (statistics.median(r["extra_cpu_s"] for r in rounds if r["jobs"] == 2 * s) for s in sizes)
    per_job = (large - small) / (2 * sizes[1] - 2 * sizes[0])
    fixed = small - 2 * sizes[0] * per_job
    update(
        "overhead",
        {
            "command": f"python benchmarks/bench_overhead.py overhead --rounds {args.rounds} --seeds {args.seeds} "
            f"--steps {args.steps}",
            "steps_per_job": args.steps,
            "rounds": rounds,
            "median_extra_cpu_s": {str(2 * s): round(v, 2) for s, v in zip(sizes, (small, large))},
            "fixed_cpu_s": round(fixed, 2),
            "per_job_cpu_s": round(per_job, 3),
            "same_numbers": all(r["same_numbers"] for r in rounds),
            "cpus": os.cpu_count(),
        },
    )
    summarise()


def summarise(args: argparse.Namespace | None = None) -> None:
    """The bench's overhead on the quick suite: its extra CPU against the suite's CPU. The extra is the larger
    of the two medians (2 and 10 jobs): the fit's cost per job is within the noise of zero, so a fixed cost
    is all that is measurable, and the larger median bounds it."""
    doc = json.loads(OUT.read_text()) if OUT.is_file() else {}
    if "overhead" not in doc or "quick_suite" not in doc:
        return
    o, q = doc["overhead"], doc["quick_suite"]
    extra = max(o["median_extra_cpu_s"].values())
    update(
        "overhead_on_quick_suite",
        {
            "extra_cpu_s": round(extra, 2),
            "suite_cpu_s": q["job_cpu_s"],
            "overhead": round(extra / q["job_cpu_s"], 4),
            "overhead_percent": round(100 * extra / q["job_cpu_s"], 1),
            "target_percent": 3.0,  # issue 14's bar
            "command": "python benchmarks/bench_overhead.py summary",
        },
    )


def quick(args: argparse.Namespace) -> None:
    out = Path(args.out)
    fresh = not (out / "results.jsonl").exists()
    cmd = [sys.executable, "-m", "ganhacks", "bench", "run", "--suite", "quick", "--workers", "2", "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    before = load()
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = load()
    runner = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "ganhacks", "bench", "report", str(out)], check=True, env=env, stdout=subprocess.DEVNULL
    )
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    evidence = json.loads((out / "evidence.json").read_text())
    job_cpu = sum(r["cpu_s"] for r in records)
    costs = cost_model(records)
    costs["stacked_digits"] = stacked_probe()
    cells = {
        f"{c['benchmark']}/{c['variant']}": {
            m: round(c["metrics"][m]["mean"], 4) for m in c["metrics"] if m in KEY_METRICS
        }
        for c in evidence["cells"]
    }
    update(
        "quick_suite",
        {
            "command": "ganhacks bench run --suite quick --workers 2",
            "measured_in_one_go": fresh,  # False: resumed, so wall_s covers only the last part
            "jobs": len(records),
            "statuses": {st: sum(r["status"] == st for r in records) for st in ("ok", "diverged", "crashed")},
            "wall_s": round(wall, 1),
            "wall_min": round(wall / 60, 1),
            "job_cpu_s": round(job_cpu, 1),
            "job_cpu_min": round(job_cpu / 60, 1),
            "runner_cpu_s": round(runner.ru_utime + runner.ru_stime, 1),
            "idle_2core_estimate_min": round((job_cpu / 2) / 60, 1),
            "costs": costs,
            "load_before": before,
            "load_after": after,
            "cpus": os.cpu_count(),
            "means": cells,
        },
    )
    update("full_suite_estimate", full_estimate(costs))
    summarise()


def cost_model(records: list[dict]) -> dict:
    """Per benchmark: CPU seconds per training step, per scoring, and for the rest of a job (building it)."""
    out = {}
    for b in sorted({r["benchmark"] for r in records}):
        rs = [r for r in records if r["benchmark"] == b and r["status"] == "ok"]
        out[b] = {
            "jobs": len(rs),
            "train_cpu_s_per_step": round(statistics.mean(r["train_cpu_s"] / r["steps"] for r in rs), 5),
            "eval_cpu_s": round(statistics.mean(r["eval_cpu_s"] for r in rs), 2),
            "other_cpu_s": round(statistics.mean(r["cpu_s"] - r["train_cpu_s"] - r["eval_cpu_s"] for r in rs), 2),
            "mean_job_cpu_s": round(statistics.mean(r["cpu_s"] for r in rs), 1),
        }
    return out


def stacked_probe(steps: int = 100) -> dict:
    """The same costs for the stacked digits (not in the quick suite): one recommended job, in this process."""
    import torch._dynamo  # noqa: F401  (imported up front, as the fork server does, so it is not timed)

    from ganhacks.bench.plan import Job
    from ganhacks.bench.worker import run_job

    job = Job("probe", "stacked_digits", steps, "recommended", 0, "recommended", (), None, "probe", (), 1, 26_000)
    r = run_job(job.spec())
    return {
        "jobs": 1,
        "train_cpu_s_per_step": round(r["train_cpu_s"] / steps, 5),
        "eval_cpu_s": round(r["eval_cpu_s"], 2),
        "other_cpu_s": round(r["cpu_s"] - r["train_cpu_s"] - r["eval_cpu_s"], 2),
        "mean_job_cpu_s": round(r["cpu_s"], 1),
    }


def full_estimate(costs: dict) -> dict:
    """The full suite's CPU, from its job list and these per-benchmark costs (recommended's and the quick
    variants' mean per step; costlier variants such as wgan-gp's five critic steps make it an underestimate)."""
    from ganhacks.bench.plan import make_plan
    from ganhacks.bench.suite import load_suite

    plan = make_plan(load_suite("full"))
    total = 0.0
    per_bench: dict[str, float] = {}
    for job in plan.jobs:
        c = costs[job.benchmark]
        cost = job.steps * c["train_cpu_s_per_step"] + c["eval_cpu_s"] + c["other_cpu_s"]
        per_bench[job.benchmark] = per_bench.get(job.benchmark, 0.0) + cost
        total += cost
    return {
        "command": "ganhacks bench run --suite full",
        "jobs": len(plan.jobs),
        "cpu_h": round(total / 3600, 1),
        "cpu_h_per_benchmark": {b: round(v / 3600, 1) for b, v in per_bench.items()},
        "hours_on_2_workers": round(total / 3600 / 2, 1),
        "hours_on_16_workers": round(total / 3600 / 16, 1),
    }


KEY_METRICS = ("quality_coverage", "modes_covered", "high_quality", "reverse_kl_hq", "fid[digits-cnn]")


def one(args: argparse.Namespace) -> None:
    out = Path(args.dir)
    result = one_by_hand(args.steps, args.seeds, out) if args.kind == "hand" else one_bench(args.steps, args.seeds, out)
    (out / "result.json").write_text(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    o = sub.add_parser("overhead")
    o.add_argument("--rounds", type=int, default=3)
    o.add_argument("--seeds", type=int, default=5, help="the larger run has 2 x seeds jobs (the smaller: 2)")
    o.add_argument("--steps", type=int, default=50, help="steps per job (short: the training is the same both ways)")
    q = sub.add_parser("quick")
    q.add_argument(
        "--out",
        default=str(Path(tempfile.gettempdir()) / "ganhacks-bench-quick"),
        help="the suite's folder (a rerun resumes it; then its wall time covers only the rest)",
    )
    sub.add_parser("summary")  # the overhead on the quick suite, from the two sections above
    x = sub.add_parser("one")  # internal: one measured process
    x.add_argument("kind", choices=("hand", "bench"))
    x.add_argument("--steps", type=int, required=True)
    x.add_argument("--seeds", type=int, required=True)
    x.add_argument("--dir", required=True)
    args = parser.parse_args()
    {"overhead": overhead, "quick": quick, "one": one, "summary": summarise}[args.cmd](args)


if __name__ == "__main__":
    main()
