"""How fast ``ganhacks doctor`` audits a thousand typical files (target: a few seconds).

The files are the labelled corpus scripts (tests/doctor/corpus, 30-120 lines of GAN training code
each, in the styles public code uses) copied round-robin into a temporary folder, each in its own
sub-folder so that every copy is audited as its own unit. The audit is timed in-process, best of
``--repeat`` runs, both as wall time and as this process's CPU time (``time.process_time``, which
other jobs on a shared machine do not inflate). Run::

    python benchmarks/doctor_speed.py            # 1000 files, best of 3; writes docs/doctor_speed.json
    python benchmarks/doctor_speed.py --files 5000 --repeat 1 --out /tmp/speed.json
    python benchmarks/doctor_speed.py --compare-ref ca588fe   # also time the doctor of a git revision

With ``--compare-ref``, both versions audit the same tree in alternating child processes (CPU time
of each child), so the ratio holds even on a busy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
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


_CHILD = (
    "import sys, time; sys.path.insert(0, sys.argv[1]);"
    "from ganhacks.doctor import audit; from ganhacks.doctor.config import DoctorConfig;"
    "c = time.process_time(); audit([sys.argv[2]], DoctorConfig()); print(time.process_time() - c)"
)


def _child_cpu(src: str, tree: str) -> float:
    out = subprocess.run([sys.executable, "-c", _CHILD, src, tree], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def compare(ref: str, tree: str, repeat: int) -> dict:
    """CPU seconds of this checkout's doctor and of git revision ``ref``'s on ``tree`` (alternating runs)."""
    here = os.path.join(ROOT, "src")
    with tempfile.TemporaryDirectory() as old:
        archive = subprocess.run(["git", "-C", ROOT, "archive", ref, "src"], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", old], input=archive, check=True)
        new_runs, old_runs = [], []
        for _ in range(repeat):
            new_runs.append(_child_cpu(here, tree))
            old_runs.append(_child_cpu(os.path.join(old, "src"), tree))
    return {
        "ref": ref,
        "this_cpu_s": round(min(new_runs), 2),
        "ref_cpu_s": round(min(old_runs), 2),
        "ratio": round(min(new_runs) / min(old_runs), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000, help="number of files to audit (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best is reported (default 3)")
    parser.add_argument("--out", default=OUT, help="JSON to write (default docs/doctor_speed.json)")
    parser.add_argument("--compare-ref", metavar="REF", help="also time the doctor of this git revision")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        size = make_tree(root, args.files)
        walls, cpus = [], []
        for _ in range(args.repeat):
            w, c = time.perf_counter(), time.process_time()
            report = audit([root], DoctorConfig())
            walls.append(time.perf_counter() - w)
            cpus.append(time.process_time() - c)
        compared = compare(args.compare_ref, root, args.repeat) if args.compare_ref else None
    data = {
        "command": "python benchmarks/doctor_speed.py"
        + (f" --compare-ref {args.compare_ref}" if args.compare_ref else ""),
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
    if compared:
        data["compared"] = compared
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2)
        fh.write("\n")
    print(json.dumps({k: v for k, v in data.items() if k != "environment"}))


if __name__ == "__main__":
    main()
