"""The default run, as a user types it: ``ganhacks train``, then ``ganhacks eval`` and ``ganhacks report``.

Each command runs in a fresh process (the ``ganhacks`` console script's ``ganhacks.cli.main``);
its wall time, CPU seconds (user + system of the process and its children) and peak RSS are read
from ``os.wait4``, and the run's metrics from the ``metrics.json`` that ``ganhacks eval`` writes. The
load average before and after says whether other work shared the machine (wall time then grows,
CPU seconds much less). One thread by default: on a loaded machine several OpenMP threads spend
much of their CPU time waiting for each other (a 20-step smoke run of the default config took 1.5
CPU seconds per step with 2 threads at load 5).

    nice -n 10 python benchmarks/default_run.py --out docs/default_run.json
    nice -n 10 python benchmarks/default_run.py --data ring8 --metrics modes,pr,dc --out docs/default_run_ring8.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

CLI = "import sys; from ganhacks.cli import main; sys.exit(main())"  # the console script's body


def timed(args: list[str], threads: int) -> dict:
    """Run ``ganhacks ARGS`` in a fresh process to the end: wall s, CPU s, peak RSS MiB, exit code."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CLI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    out = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "command": "ganhacks " + " ".join(shlex.quote(a) for a in args),
        "exit_code": proc.returncode,
        "wall_s": time.perf_counter() - start,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mib": usage.ru_maxrss / 1024,
        "output_tail": out.strip().splitlines()[-8:],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="passed to ganhacks train --data (default: the CLI's default)")
    parser.add_argument("--steps", type=int, help="passed to ganhacks train --steps (default: the preset's)")
    parser.add_argument("--metrics", default="fid,kid,is,pr,dc,modes", help="ganhacks eval --metrics")
    parser.add_argument("--n", type=int, default=2000, help="ganhacks eval --n")
    parser.add_argument("--threads", type=int, default=1, help="OMP_NUM_THREADS of each command")
    parser.add_argument("--out", help="write the results to this JSON file")
    args = parser.parse_args()
    result = {
        "command": "python " + " ".join(shlex.quote(a) for a in [os.path.relpath(__file__), *sys.argv[1:]]),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "threads": args.threads,
        "loadavg_start": list(os.getloadavg()),
    }
    with tempfile.TemporaryDirectory(prefix="ganhacks-default-run-") as tmp:
        run = Path(tmp) / "run"
        train = ["train", "--out", str(run), "--quiet", *(["--data", args.data] if args.data else [])]
        train += ["--steps", str(args.steps)] if args.steps else []
        result["train"] = timed(train, args.threads)
        result["eval"] = timed(["eval", str(run), "--metrics", args.metrics, "--n", str(args.n)], args.threads)
        result["report"] = timed(["report", str(run)], args.threads)
        result["config"] = json.loads((run / "config.json").read_text())
        if (run / "metrics.json").is_file():
            result["metrics"] = json.loads((run / "metrics.json").read_text())
    result["loadavg_end"] = list(os.getloadavg())
    print(json.dumps({k: result[k] for k in ("train", "eval", "report")}, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
