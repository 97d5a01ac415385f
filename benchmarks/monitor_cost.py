"""Cost of the monitor end to end: the whole ``ganhacks train`` process, monitor on vs off (target <= 2 %).

The smallest workload the bench runs thousands of times: ``ganhacks train --data ring8 --steps 2000``
(the default preset, its standard callbacks: metrics, samples, checkpoints) with one torch thread.
Two measurements:

* **paired processes**: the same command with and without ``--set monitor.enabled=false``, run as
  child processes in pairs, the two runs of a pair at the same time (so both meet the same load on a
  shared machine), each timed by its own CPU-time counter (user + system seconds from ``os.wait4``),
  which other processes move far less than wall time. The cost is the mean paired difference in % of
  the monitor-off process, with a 95 % t-interval over the pairs.
* **in-process profile**: the same run inside this process with the monitor's code timed by CPU-time
  counters (its step callback with the detectors and probes, and its optimiser hooks), as a share of
  the whole process's CPU time (imports and set-up included) and of the training loop alone.

The profiles run in one child process while the pairs run in two others. The JSON is rewritten after
every profile and every pair, so a run cut short (``--until``, or a shared machine too busy to finish)
leaves what it measured, with the numbers of pairs and profiles it did.

    python benchmarks/monitor_cost.py --pairs 16 --profiles 3 --json docs/monitor_cost.json
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
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from scipy import stats

COMMAND = ["train", "--data", "ring8", "--steps", "2000"]
ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}  # one torch thread, as the bench runs it
TARGET_PERCENT = 2.0  # issue 13: the monitor may cost at most this share of the smallest workload


def child_cpu(args: list[str]) -> float:
    """CPU seconds (user + system) of one ``ganhacks`` child process."""
    env = {**os.environ, **ENV, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: a chatty child can never block on it
        proc = subprocess.Popen(
            [sys.executable, "-m", "ganhacks", *args], env=env, stdout=subprocess.DEVNULL, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"ganhacks {' '.join(args)} failed: {err.read().decode()[-500:]}")
    return usage.ru_utime + usage.ru_stime


def paired_summary(on: list[float], off: list[float]) -> dict | None:
    """The paired cost: mean difference in % of the monitor-off run, 95 % t-interval (needs two pairs)."""
    if len(on) < 2:
        return None
    diffs = [100 * (a - b) / b for a, b in zip(on, off)]
    mean = statistics.mean(diffs)
    half = stats.t.ppf(0.975, len(diffs) - 1) * statistics.stdev(diffs) / len(diffs) ** 0.5
    return {
        "pairs": len(on),
        "cpu_on_s": [round(x, 3) for x in on],
        "cpu_off_s": [round(x, 3) for x in off],
        "diff_percent": [round(x, 3) for x in diffs],
        "mean_diff_percent": round(mean, 3),
        "ci95_percent": [round(mean - half, 3), round(mean + half, 3)],
        "median_cpu_off_s": round(statistics.median(off), 3),
    }


def paired(pairs: int, deadline: float, report) -> None:
    """``pairs`` pairs (fewer when ``deadline``, a ``time.time()``, passes), the two runs of a pair at the same
    time; ``report(on, off)`` after each."""
    on, off = [], []
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(2) as pool:
        for i in range(pairs):
            if time.time() > deadline:
                break
            runs = {
                which: pool.submit(
                    child_cpu,
                    [
                        *COMMAND,
                        "--out",
                        f"{tmp}/{which}{i}",
                        *([] if which == "on" else ["--set", "monitor.enabled=false"]),
                    ],
                )
                for which in ("on", "off")
            }
            on.append(runs["on"].result())
            off.append(runs["off"].result())
            print(f"pair {i + 1}/{pairs}: on {on[-1]:.2f}s off {off[-1]:.2f}s", flush=True)
            report(on, off)


def profile() -> dict:
    """One in-process run of the same command (``ganhacks.cli.main``, so the same preset and data
    defaults as the CLI) with the monitor's own code timed by the process's CPU-time counter."""
    import torch

    torch.set_num_threads(1)
    from ganhacks.cli import main as cli_main
    from ganhacks.monitor.monitor import Monitor
    from ganhacks.train.callbacks import MonitorCallback

    spent = {"s": 0.0}

    def timed(f):
        def wrapper(*a, **k):
            t = time.process_time()
            try:
                return f(*a, **k)
            finally:
                spent["s"] += time.process_time() - t

        return wrapper

    originals = {  # every entry into the monitor: its optimiser hooks and the trainer callback's hooks
        (Monitor, "_before_step"): Monitor._before_step,
        (Monitor, "_after_step"): Monitor._after_step,
        (MonitorCallback, "on_step_end"): MonitorCallback.on_step_end,
        (MonitorCallback, "on_fit_start"): MonitorCallback.on_fit_start,
        (MonitorCallback, "on_fit_end"): MonitorCallback.on_fit_end,
    }
    for (cls, name), f in originals.items():
        setattr(cls, name, timed(f))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.process_time()
            code = cli_main([*COMMAND, "--out", str(Path(tmp) / "run")])
            loop = time.process_time() - t0
    finally:
        for (cls, name), f in originals.items():
            setattr(cls, name, f)
    if code != 0:
        raise RuntimeError(f"ganhacks {' '.join(COMMAND)} exited with {code}")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"monitor_s": spent["s"], "run_s": loop, "process_s": usage.ru_utime + usage.ru_stime}


def profile_summary(rows: list[dict]) -> dict | None:
    """The profiles' shares of the whole process and of the training loop, and the monitor's time per step."""
    if not rows:
        return None
    share_process = [100 * r["monitor_s"] / r["process_s"] for r in rows]
    share_run = [100 * r["monitor_s"] / r["run_s"] for r in rows]
    return {
        "runs": rows,
        "share_of_process_percent": [round(x, 3) for x in share_process],
        "share_of_training_percent": [round(x, 3) for x in share_run],
        "median_share_of_process_percent": round(statistics.median(share_process), 3),
        "median_share_of_training_percent": round(statistics.median(share_run), 3),
        "median_monitor_ms_per_step": round(1000 * statistics.median(r["monitor_s"] for r in rows) / 2000, 4),
    }


def profiles(n: int, deadline: float, report) -> None:
    """``n`` in-process profiles (fewer when ``deadline`` passes); ``report(rows)`` after each."""
    rows = []
    for i in range(n):  # a fresh process each, so the whole-process share includes the imports
        if time.time() > deadline:
            break
        out = subprocess.run(
            [sys.executable, __file__, "--profile-one"],
            env={**os.environ, **ENV, "PYTHONPATH": str(Path(__file__).parents[1] / "src")},
            capture_output=True,
            text=True,
            check=True,
        )  # the training's own output goes to stdout first; the JSON is the last line
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(f"profile {i + 1}/{n}: monitor {row['monitor_s']:.3f}s of {row['process_s']:.2f}s", flush=True)
        report(rows)


def render(result: dict) -> str:
    """docs/monitor.md's cost section, from the JSON this script wrote."""
    p, q = result["paired"], result["profile"]
    lo, hi = p["ci95_percent"]
    done = ""
    if p["pairs"] < result.get("pairs_planned", p["pairs"]) or len(q["runs"]) < result.get("profiles_planned", 0):
        done = (
            f" ({p['pairs']} of {result['pairs_planned']} pairs and {len(q['runs'])} of "
            f"{result['profiles_planned']} profiles done by its --until time)"
        )
    return "\n".join(
        [
            f"Workload: `{result['workload']}`; measured by `{result['command']}`{done}.",
            "",
            "| measurement | monitor's cost | 95 % interval | target |",
            "|---|---|---|---|",
            f"| whole process, CPU time, monitor on vs `monitor.enabled=false`, {p['pairs']} pairs "
            f"(median {p['median_cpu_off_s']} CPU s without it) | {p['mean_diff_percent']:+.2f} % | "
            f"{lo:+.2f} % to {hi:+.2f} % | <= {result['target_percent']:g} % |",
            f"| in-process profile, monitor's CPU time / the whole process's ({len(q['runs'])} runs, median) "
            f"| {q['median_share_of_process_percent']:.2f} % | {min(q['share_of_process_percent']):.2f}-"
            f"{max(q['share_of_process_percent']):.2f} % (range) | <= {result['target_percent']:g} % |",
            f"| the same / the training loop alone | {q['median_share_of_training_percent']:.2f} % | "
            f"{min(q['share_of_training_percent']):.2f}-{max(q['share_of_training_percent']):.2f} % (range) | |",
            f"| monitor's CPU time per step | {q['median_monitor_ms_per_step']} ms | | |",
        ]
    )


def splice(doc: str, tag: str, block: str) -> str:
    """``doc`` with the text between ``<!-- tag: ... -->`` and ``<!-- /tag -->`` replaced by ``block``."""
    start = doc.index(f"<!-- {tag}:")
    start = doc.index("-->", start) + 3
    end = doc.index(f"<!-- /{tag} -->", start)
    return doc[:start] + "\n" + block + "\n" + doc[end:]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=16)
    ap.add_argument("--profiles", type=int, default=3)
    ap.add_argument("--until", help="start no new pair or profile after this UTC time (HH:MM); the JSON keeps what ran")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--render", metavar="JSON", help="print docs/monitor.md's cost table from a JSON")
    ap.add_argument("--into", metavar="MD", help="with --render: write it into this page (between its cost markers)")
    ap.add_argument("--profile-one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.render:
        block = render(json.loads(Path(args.render).read_text()))
        if args.into:
            Path(args.into).write_text(splice(Path(args.into).read_text(), "cost", block))
        print(block)
        return 0
    if args.profile_one:
        print(json.dumps(profile()))
        return 0
    deadline = float("inf")
    if args.until:
        now = time.gmtime()
        hh, mm = (int(x) for x in args.until.split(":"))
        deadline = time.time() + ((hh * 60 + mm) - (now.tm_hour * 60 + now.tm_min)) * 60 - now.tm_sec
    result = {
        "command": "python benchmarks/monitor_cost.py " + " ".join(sys.argv[1:]),
        "workload": "ganhacks " + " ".join(COMMAND) + " (OMP_NUM_THREADS=1)",
        "target_percent": TARGET_PERCENT,
        "pairs_planned": args.pairs,
        "profiles_planned": args.profiles,
        "profile": None,
        "paired": None,
    }
    lock = threading.Lock()

    def save(key: str, value: dict | None) -> None:
        with lock:
            result[key] = value
            if args.json:
                Path(args.json).write_text(json.dumps(result, indent=1) + "\n")

    threads = [
        threading.Thread(
            target=profiles, args=(args.profiles, deadline, lambda rows: save("profile", profile_summary(rows)))
        ),
        threading.Thread(
            target=paired, args=(args.pairs, deadline, lambda on, off: save("paired", paired_summary(on, off)))
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({k: v for k, v in result.items() if k != "paired"} | {"paired": result["paired"]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
