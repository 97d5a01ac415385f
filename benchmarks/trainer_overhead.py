"""Step-time overhead of ganhacks' Trainer against a minimal hand-written loop.

Both use the same networks (DCGAN, 32 px digits, batch 64), the same non-saturating loss, the same
optimisers and separate real/fake batches; the minimal loop has no logging, no label maker, no
generators, no checks. Blocks of steps alternate between the two so that drifts in machine load
hit both alike; the ratio of median step times is reported. Peak memory (max RSS) is measured in
separate processes.

    python benchmarks/trainer_overhead.py --rounds 5 --block 8
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

from ganhacks.train import Trainer, apply_overrides, preset_config

CONFIG = [
    "data.name=digits",
    "data.image_size=32",
    "train.batch_size=64",
    "loss.name=nonsaturating",
    "loss.smoothing=none",
    "model.d_norm=batch",
    "model.minibatch_std=false",
    "tricks.ema_decay=0",
    "tricks.latent=gaussian",
    "tricks.separate_batches=true",
    "train.steps=100000",
]


def make_trainer() -> Trainer:
    return Trainer(apply_overrides(preset_config("recommended"), CONFIG))


def minimal_step(G, D, opt_g, opt_d, data_x, bs, z_dim):
    """The textbook loop: one D step on real and fake, one G step."""
    idx = torch.randint(len(data_x), (bs,))
    real = data_x[idx]
    z = torch.randn(bs, z_dim)
    with torch.no_grad():
        fake = G(z)
    d_loss = F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()  # -log D(x) - log(1 - D(G(z)))
    opt_d.zero_grad(set_to_none=True)
    d_loss.backward()
    opt_d.step()
    g_loss = F.softplus(-D(G(torch.randn(bs, z_dim)))).mean()  # -log D(G(z))
    opt_g.zero_grad(set_to_none=True)
    g_loss.backward()
    opt_g.step()
    D.zero_grad(set_to_none=True)


def time_block(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def measure(rounds: int, block: int) -> dict:
    trainer = make_trainer()
    minimal = make_trainer()  # a second, identical set of networks for the minimal loop
    G, D, opt_g, opt_d = minimal.G, minimal.D, minimal.opt_g, minimal.opt_d
    data_x, bs, z_dim = minimal.dataset.x, minimal.config.train.batch_size, minimal.config.model.z_dim

    def ours():
        trainer.run_iteration()
        trainer.step += 1

    def theirs():
        minimal_step(G, D, opt_g, opt_d, data_x, bs, z_dim)

    time_block(ours, 2)  # warm-up
    time_block(theirs, 2)
    t_ours, t_min = [], []
    for r in range(rounds):
        first, second = (ours, theirs) if r % 2 == 0 else (theirs, ours)
        a, b = time_block(first, block), time_block(second, block)
        (t_ours if first is ours else t_min).extend(a)
        (t_min if first is ours else t_ours).extend(b)
    med_o, med_m = statistics.median(t_ours), statistics.median(t_min)
    return {
        "steps_each": len(t_ours),
        "median_ms_trainer": round(1000 * med_o, 2),
        "median_ms_minimal": round(1000 * med_m, 2),
        "overhead_pct": round(100 * (med_o / med_m - 1), 2),
    }


def peak_rss(which: str, steps: int) -> float:
    """Max RSS (MiB) of a fresh process running ``steps`` steps of ``which``."""
    code = (
        "import sys, resource; sys.argv=['x']; import benchmarks.trainer_overhead as b\n"
        f"t=b.make_trainer()\n"
        f"if '{which}'=='trainer':\n    [t.run_iteration() for _ in range({steps})]\n"
        f"else:\n    [b.minimal_step(t.G,t.D,t.opt_g,t.opt_d,t.dataset.x,64,t.config.model.z_dim) for _ in "
        f"range({steps})]\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--block", type=int, default=8)
    parser.add_argument("--memory-steps", type=int, default=5)
    args = parser.parse_args()
    result = measure(args.rounds, args.block)
    result["peak_rss_mib_trainer"] = round(peak_rss("trainer", args.memory_steps), 1)
    result["peak_rss_mib_minimal"] = round(peak_rss("minimal", args.memory_steps), 1)
    result["torch_threads"] = torch.get_num_threads()
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
