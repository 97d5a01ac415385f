"""How fast ``ganhacks doctor`` audits a thousand typical files (target: a few seconds).

The files are the labelled corpus scripts (tests/doctor/corpus, 30-120 lines of GAN training code
each, in the styles public code uses) copied round-robin into a temporary folder, each in its own
sub-folder so that every copy is audited as its own unit. The audit is timed in-process, best of
``--repeat`` runs, both as wall time and as this process's CPU time (``time.process_time``, which
other jobs on a shared machine do not inflate). Run::

    python benchmarks/doctor_speed.py            # 1000 files, best of 3; writes docs/doctor_speed.json
    python benchmarks/doctor_speed.py --files 5000 --repeat 1 --out /tmp/speed.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time

from ganhacks.doctor import audit
from ganhacks.doctor.config import DoctorConfig

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CORPUS = os.path.join(ROOT, "tests", "doctor", "corpus")
OUT = os.path.join(ROOT, "docs", "doctor_speed.json")


def make_tree(root: str, n_files: int) -> int:
    """Copy corpus scripts into ``root`` until it holds ``n_files`` .py files; returns total bytes."""
    sources = sorted(os.path.join(CORPUS, f) for f in os.listdir(CORPUS) if f.endswith(".py"))
    total = 0
    for i in range(n_files):
        src = sources[i % len(sources)]
        folder = os.path.join(root, f"proj{i // 10:04d}", f"s{i:05d}")
        os.makedirs(folder, exist_ok=True)
        dst = os.path.join(folder, os.path.basename(src))
        shutil.copyfile(src, dst)
        total += os.path.getsize(dst)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000, help="number of files to audit (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best is reported (default 3)")
    parser.add_argument("--out", default=OUT, help="JSON to write (default docs/doctor_speed.json)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        size = make_tree(root, args.files)
        walls, cpus = [], []
        for _ in range(args.repeat):
            w, c = time.perf_counter(), time.process_time()
            report = audit([root], DoctorConfig())
            walls.append(time.perf_counter() - w)
            cpus.append(time.process_time() - c)
    data = {
        "command": "python benchmarks/doctor_speed.py",
        "files": report.files_audited,
        "units": len(report.units),
        "bytes": size,
        "repeat": args.repeat,
        "best_wall_s": round(min(walls), 2),
        "best_cpu_s": round(min(cpus), 2),
        "cpu_ms_per_file": round(1000 * min(cpus) / max(report.files_audited, 1), 2),
        "wall_runs_s": [round(t, 2) for t in walls],
        "cpu_runs_s": [round(t, 2) for t in cpus],
        "fails": report.counts()["fail"],
        "problems": len(report.problems),
        "environment": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()[0]},
    }
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2)
        fh.write("\n")
    print(json.dumps({k: v for k, v in data.items() if k != "environment"}))


if __name__ == "__main__":
    main()
