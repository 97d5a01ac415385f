"""How fast ``ganhacks doctor`` lints a thousand typical files (issue target: < 10 s).

The files are the labelled corpus scripts (tests/doctor/corpus, 30-90 lines of real-world GAN
code each) copied round-robin into a temporary folder, each in its own sub-folder so that every
copy is audited as its own project. Run::

    python benchmarks/doctor_speed.py            # 1000 files, best of 3
    python benchmarks/doctor_speed.py --files 5000 --repeat 1
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time

from ganhacks.doctor import audit
from ganhacks.doctor.config import DoctorConfig

CORPUS = os.path.join(os.path.dirname(__file__), "..", "tests", "doctor", "corpus")


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
    parser.add_argument("--files", type=int, default=1000, help="number of files to lint (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best is reported (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        size = make_tree(root, args.files)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            report = audit([root], DoctorConfig())
            times.append(time.perf_counter() - start)
        best = min(times)
        lines = sum(1 for u in report.units for _ in u.files)  # files audited
        print(
            f"files={report.files_audited} units={len(report.units)} bytes={size} "
            f"best={best:.2f}s ({1000 * best / max(lines, 1):.2f} ms/file) runs={[round(t, 2) for t in times]} "
            f"fails={report.counts()['fail']} problems={len(report.problems)}"
        )


if __name__ == "__main__":
    main()
