"""Peak memory of a training run on a large image folder: streamed from disk vs decoded into memory.

Generates a folder of 32x32 RGB PNGs (smooth random blobs; 10 sub-folders of ``--n / 10`` images)
once, then trains a small DCGAN for ``--steps`` iterations through ``ganhacks.train.run.start_run``
(the standard callbacks: monitor, metrics, samples, checkpoints) on the first sub-folder and on the
whole folder, with ``data.stream=off`` (every image decoded into one tensor) and ``data.stream=on``
(DataLoader workers decode each batch). Each run is a fresh process; a thread samples the
proportional set size (PSS, shared pages split between the processes sharing them) of the run's
process and its DataLoader workers every 0.1 s, and the peak of their sum is reported with the
main process's own peak RSS (``ru_maxrss``) and the CPU seconds spent before the first step.

    nice -n 10 python benchmarks/stream_memory.py --n 100000 --folder /tmp/ganhacks-100k \\
        --out docs/stream_memory.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

SIZE = 32  # pixels per side of the generated images
PARTS = 10  # sub-folders of the generated set
SAMPLE_S = 0.1  # seconds between two memory samples
CONFIG = [
    "model.g_width=16",
    "model.d_width=16",
    "model.z_dim=32",
    "train.batch_size=64",
    "train.log_every=10",
    "train.sample_every=0",
    "train.checkpoint_every=0",
    "data.workers=2",
]


def make_folder(root: Path, n: int, seed: int = 0) -> None:
    """``n`` PNGs in ``PARTS`` sub-folders (skipped when the folder already holds them)."""
    from PIL import Image

    per = n // PARTS
    if root.is_dir() and sum(1 for _ in root.rglob("*.png")) == per * PARTS:
        return
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    for part in range(PARTS):
        folder = root / f"part-{part}"
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per):
            cx, cy, r = rng.uniform(0.2, 0.8, 3)
            colour = rng.uniform(0, 255, 3)
            mask = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (0.05 + 0.1 * r))[..., None]
            img = (mask * colour + (1 - mask) * (255 - colour) * yy[..., None]).astype(np.uint8)
            Image.fromarray(img).save(folder / f"{i:06d}.png", optimize=False)


def pss_mib(pid: int) -> float:
    """Proportional set size of one process, MiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def child(mode: str, data: str, steps: int) -> dict:
    """One run in this process: returns its memory and timing figures."""
    import torch

    torch.set_num_threads(1)
    from ganhacks.train.config import apply_overrides
    from ganhacks.train.presets import preset_config
    from ganhacks.train.run import start_run

    me, peak = os.getpid(), {"pss": 0.0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            total = pss_mib(me) + sum(pss_mib(c) for c in children(me))
            peak["pss"] = max(peak["pss"], total)
            time.sleep(SAMPLE_S)

    threading.Thread(target=sample, daemon=True).start()
    config = apply_overrides(
        preset_config("recommended"), [f"data.name={data}", f"data.stream={mode}", f"train.steps={steps}", *CONFIG]
    )
    first = {}

    from ganhacks.train.callbacks import Callback

    class FirstStep(Callback):
        def on_step_end(self, trainer, step, logs):
            if step == 1:
                first["cpu"], first["wall"] = time.process_time(), time.perf_counter()

    c0 = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        trainer = start_run(config, Path(tmp) / "run", progress=False, extra_callbacks=[FirstStep()])
    t1, c1 = time.perf_counter(), time.process_time()
    done.set()
    time.sleep(0.15)
    return {
        "mode": "stream" if mode == "on" else "memory",
        "images": len(trainer.dataset),
        "steps": trainer.step,
        "peak_pss_mib": round(peak["pss"], 1),
        "peak_rss_main_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "start_cpu_s": round(first["cpu"] - c0, 2),  # loading the data (+ the first step), main process CPU
        "steps_wall_s": round(t1 - first["wall"], 2),
        "total_cpu_s": round(c1 - c0, 2),
    }


def auto_budget_gib() -> float:
    """The cap of ``data.stream=auto`` (streams above min(this, RAM / 8) of decoded images), GiB."""
    from ganhacks.data.stream import BUDGET_CAP

    return BUDGET_CAP / 2**30


def summarise(runs: list[dict], n: int) -> dict:
    """The figures docs/data.md quotes, computed from the runs: growth of each path's peak from the
    smallest to the largest folder, and the in-memory peak over the decoded size of the largest."""
    by = {(r["mode"], r["images"]): r for r in runs}
    small, large = min(r["images"] for r in runs), max(r["images"] for r in runs)
    decoded = large * 3 * SIZE * SIZE * 4 / 2**20
    return {
        "decoded_float32_mib_largest": round(decoded, 1),
        "stream_peak_growth_mib": round(by["stream", large]["peak_pss_mib"] - by["stream", small]["peak_pss_mib"], 1),
        "memory_peak_growth_mib": round(by["memory", large]["peak_pss_mib"] - by["memory", small]["peak_pss_mib"], 1),
        "memory_peak_over_decoded": round(by["memory", large]["peak_pss_mib"] / decoded, 2),
        "stream_peak_share_of_memory_peak": round(
            by["stream", large]["peak_pss_mib"] / by["memory", large]["peak_pss_mib"], 3
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="images in the generated folder")
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "ganhacks-stream-bench")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--out", type=Path, default=Path("docs/stream_memory.json"))
    parser.add_argument("--child", nargs=3, metavar=("MODE", "DATA", "STEPS"), help=argparse.SUPPRESS)
    parser.add_argument("--resummarise", action="store_true", help="recompute the summary of --out's runs only")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], int(args.child[2]))))
        return
    if args.resummarise:  # the measured runs stay as they were; only what is computed from them is redone
        result = json.loads(args.out.read_text())
        result.update(steps=args.steps, pss_sample_interval_s=SAMPLE_S, auto_stream_above_gib=auto_budget_gib())
        result["summary"] = summarise(result["runs"], args.n)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {args.out}")
        return
    t = time.perf_counter()
    make_folder(args.folder, args.n)
    made = time.perf_counter() - t
    disk = sum(p.stat().st_size for p in args.folder.rglob("*.png"))
    runs = []
    for data in (args.folder / "part-0", args.folder):
        for mode in ("off", "on"):
            cmd = [sys.executable, __file__, "--child", mode, str(data), str(args.steps)]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(runs[-1], flush=True)
    result = {
        "command": "nice -n 10 python benchmarks/stream_memory.py "
        f"--n {args.n} --folder {args.folder} --steps {args.steps} --out {args.out}",
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "folder": {
            "images": args.n,
            "pixels": f"{SIZE}x{SIZE} RGB PNG",
            "disk_mib": round(disk / 2**20, 1),
            "generate_s": round(made, 1),
        },
        "decoded_float32_mib_per_10k": round(10_000 * 3 * SIZE * SIZE * 4 / 2**20, 1),
        "config": CONFIG,
        "steps": args.steps,
        "pss_sample_interval_s": SAMPLE_S,
        "auto_stream_above_gib": auto_budget_gib(),
        "runs": runs,
        "summary": summarise(runs, args.n),
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
