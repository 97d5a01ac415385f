"""What ``ganhacks train`` costs end to end against a bare hand-written PyTorch loop doing the same math.

Three arms per workload, each a whole short run of ``--steps`` iterations in this process:

* ``bare``: the loop a user would write by hand: the same data and networks (``load_data``,
  ``ganhacks.models.build_models`` at the same seed), ``torch.optim.Adam`` built by hand with the
  config's rates and betas, the config's loss written out with ``torch.nn.functional``, real and
  fake batches through D separately, the EMA of G and the LR schedule by hand. No logging, no
  checks, no files.
* ``trainer``: what the CLI runs, :func:`ganhacks.train.run.start_run` (the ``Trainer`` with the
  standard callbacks of ``ganhacks train``: the monitor, metrics.jsonl every ``train.log_every``
  steps, a sample grid every ``train.sample_every`` and at the end, a checkpoint every
  ``train.checkpoint_every`` and at the end, progress lines as with ``--quiet``), into a fresh
  run folder.
* ``no_monitor``: the same with ``monitor.enabled=false``.

Each arm's cost is the CPU seconds of this process over the whole run, set-up included (loading
data, building networks, the run folder): ``time.process_time`` plus reaped children, one torch
thread. CPU time, not wall time, so other programs on a shared machine do not enter it (disk
waits do not either). The arms are interleaved, one of each per round, their order rotated from
round to round, after one short untimed run of each; each round gives paired ratios
(``trainer / bare``, ``no_monitor / bare``) and the monitor's share of the trainer's run
(``(trainer - no_monitor) / trainer``), summarised by their mean with a 95 % t-interval and a
bootstrap percentile interval over rounds.

Between runs, CPU time still varies by several per cent when other programs load the machine
(caches, memory bandwidth), which is more than the monitor costs. So the trainer arm also
attributes its CPU in the same run: the seconds spent inside each standard callback's hooks and
inside the optimiser step hooks (the monitor's per-layer statistics are the only ones), as a share
of that run's CPU (``share_of_trainer_run``; ``monitor_share_ab`` is the noisier A/B estimate).

``--steps`` should be a multiple of the sample and checkpoint cadences (default 500: one
checkpoint and two sample grids per run, the same rate as a long run). Before timing, a check
that the bare loop computes what the Trainer computes: both are fed the same batches and codes
for a few steps and their weights compared (``same_math.max_abs_diff``).

    nice -n 10 python benchmarks/trainer_overhead.py --pairs 12 --out docs/trainer_overhead.json
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import functools
import io
import json
import math
import os
import platform
import resource
import shlex
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from scipy import stats

from ganhacks.data import batches
from ganhacks.models import build_models
from ganhacks.train import Trainer, apply_overrides, preset_config
from ganhacks.train.callbacks import CheckpointWriter, MetricsWriter, MonitorCallback, ProgressPrinter, SampleWriter
from ganhacks.train.config import RunConfig, to_dict
from ganhacks.train.loop import load_data
from ganhacks.train.run import start_run

# workload -> (preset, data, overrides): the configs `ganhacks train --data NAME` resolves to
WORKLOADS = {
    "ring8": ("recommended", "ring8", []),  # the smallest: the 2-D ring, the MLP pair
    # a small DCGAN on the 8x8 digits: the default run's config with both networks at width 16
    "digits": ("recommended", "digits", ["model.g_width=16", "model.d_width=16"]),
}
CHECK_STEPS = 20  # steps of the same-math check
WARMUP_STEPS = 50  # the untimed first run of each arm (imports, allocator, matplotlib's caches)
BOOTSTRAP = 10_000  # resamples of the bootstrap interval
ARMS = ("bare", "trainer", "no_monitor")


def config_for(workload: str, steps: int, monitor: bool = True) -> RunConfig:
    preset, data, extra = WORKLOADS[workload]
    overrides = [*extra, f"train.steps={steps}", f"monitor.enabled={str(monitor).lower()}"]
    return apply_overrides(preset_config(preset, data), overrides)


# ---------------------------------------------------------------- the bare loop


def check_supported(config: RunConfig) -> None:
    """The bare loop writes out only what these workloads use; anything else would not be the same math."""
    tr, loss, oc, mc = config.tricks, config.loss, config.optim, config.model
    plain = (
        tr.separate_batches
        and tr.n_critic == 1
        and tr.g_every == 1
        and tr.noise_start == 0
        and tr.replay_p == 0
        and tr.snapshot_every == 0
        and tr.grow_steps == 0
        and not tr.balance_d_threshold
        and not tr.balance_g_threshold
        and tr.latent == "gaussian"
        and loss.name == "nonsaturating"
        and loss.penalty == "none"
        and loss.flip_p == 0
        and loss.smoothing in ("none", "one_sided")
        and oc.g_optimizer == oc.d_optimizer == "adam"
        and oc.weight_decay == 0
        and oc.lr_schedule in ("constant", "linear")
        and mc.conditioning == "none"
        and not mc.encoder
        and not mc.msg
        and mc.g_dropout == 0
    )
    if not plain:
        raise SystemExit("the bare loop covers the non-saturating GAN with EMA and a linear LR schedule only")


def shuffled(x: torch.Tensor, batch_size: int, gen: torch.Generator) -> Iterator[torch.Tensor]:
    """Endless minibatches of ``x``, reshuffled every epoch, the incomplete last batch dropped."""
    while True:
        order = torch.randperm(len(x), generator=gen)
        for i in range(len(x) // batch_size):
            yield x[order[i * batch_size : (i + 1) * batch_size]]


def bare_setup(config: RunConfig):
    """Data, networks, optimisers and EMA copy, as a hand-written script builds them."""
    tc, oc = config.train, config.optim
    data = load_data(config)
    torch.manual_seed(tc.seed)
    G, D = build_models(config.model, data.sample_shape)
    opt_g = torch.optim.Adam([p for p in G.parameters() if p.requires_grad], lr=oc.g_lr, betas=tuple(oc.betas))
    opt_d = torch.optim.Adam([p for p in D.parameters() if p.requires_grad], lr=oc.d_lr, betas=tuple(oc.betas))
    ema = copy.deepcopy(G).eval().requires_grad_(False) if config.tricks.ema_decay > 0 else None
    return data, G, D, opt_g, opt_d, ema


def bare_train(
    config: RunConfig, G, D, opt_g, opt_d, ema, reals: Iterator[torch.Tensor], z_gen: torch.Generator, steps: int
) -> None:
    """The textbook loop: per iteration one D step on a real and a fake batch, one G step, the EMA."""
    tc, oc = config.train, config.optim
    bs, z_dim, decay = tc.batch_size, config.model.z_dim, config.tricks.ema_decay
    real_target = 0.9 if config.loss.smoothing == "one_sided" else 1.0
    base_lrs = [(g, g["lr"]) for opt in (opt_g, opt_d) for g in opt.param_groups]
    G.train()
    D.train()
    for step in range(steps):
        if oc.lr_schedule == "linear":  # 1 until lr_decay_start of the run, then linearly to 0
            progress = step / tc.steps
            factor = 1.0 if progress <= oc.lr_decay_start else max(0.0, (1 - progress) / (1 - oc.lr_decay_start))
            for group, lr in base_lrs:
                group["lr"] = lr * factor
        real = next(reals)
        z = torch.randn(len(real), z_dim, generator=z_gen)
        with torch.no_grad():
            fake = G(z)
        real_logits, fake_logits = D(real), D(fake)
        d_loss = F.binary_cross_entropy_with_logits(
            real_logits, torch.full_like(real_logits, real_target)
        ) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        g_loss = F.softplus(-D(G(torch.randn(bs, z_dim, generator=z_gen)))).mean()  # -log D(G(z))
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        D.zero_grad(set_to_none=True)
        if ema is not None:
            with torch.no_grad():
                for p_ema, p in zip(ema.parameters(), G.parameters()):
                    p_ema.mul_(decay).add_(p, alpha=1 - decay)
                for b_ema, b in zip(ema.buffers(), G.buffers()):
                    b_ema.copy_(b)


def bare_run(config: RunConfig) -> None:
    data, G, D, opt_g, opt_d, ema = bare_setup(config)
    seed = config.train.seed
    reals = shuffled(data.x, config.train.batch_size, torch.Generator().manual_seed(seed))
    bare_train(config, G, D, opt_g, opt_d, ema, reals, torch.Generator().manual_seed(seed + 1), config.train.steps)


def same_math(workload: str) -> dict:
    """Max |weight difference| between the Trainer (no callbacks) and the bare loop fed the same batches
    and codes (the Trainer's data order and z stream) for CHECK_STEPS steps."""
    config = config_for(workload, CHECK_STEPS, monitor=False)
    trainer = Trainer(config, callbacks=[])
    trainer.fit()
    data, G, D, opt_g, opt_d, ema = bare_setup(config)
    tc = config.train
    reals = (b[0] for b in batches(data, tc.batch_size, seed=tc.seed))
    bare_train(config, G, D, opt_g, opt_d, ema, reals, torch.Generator().manual_seed(tc.seed * 1000), CHECK_STEPS)
    pairs = [(trainer.G, G), (trainer.D, D)] + ([(trainer.ema.module, ema)] if ema is not None else [])
    diff = max(
        (a - b).abs().max().item()
        for m_t, m_b in pairs
        for a, b in zip(m_t.state_dict().values(), m_b.state_dict().values())
        if a.dtype.is_floating_point
    )
    moved = max(
        (a - b).abs().max().item()
        for a, b in zip(trainer.G.state_dict().values(), build_g(config).values())
        if a.dtype.is_floating_point
    )
    return {"steps": CHECK_STEPS, "max_abs_diff": diff, "max_abs_change_of_g": moved}


def build_g(config: RunConfig) -> dict:
    """G's initial weights (to show the check compares weights that moved)."""
    torch.manual_seed(config.train.seed)
    return build_models(config.model, load_data(config).sample_shape)[0].state_dict()


# ---------------------------------------------------------------- timing


def cpu_seconds() -> float:
    """CPU seconds of this process and of the children it reaped."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


HOOKS = ("on_fit_start", "on_step_end", "on_fit_end")
OPT_HOOKS = ("register_step_pre_hook", "register_step_post_hook")
CALLBACKS = (MonitorCallback, MetricsWriter, SampleWriter, CheckpointWriter, ProgressPrinter)


@contextlib.contextmanager
def attributed(spent: dict[str, float]):
    """Add the CPU seconds spent in each standard callback's hooks to ``spent[class name]``, and in
    optimiser step hooks to ``spent["MonitorCallback"]`` (the monitor registers the only ones: its
    per-layer gradient and update statistics). Each wrapper reads the clock twice, about 1 us."""

    def timed(fn, key):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            start = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[key] = spent.get(key, 0.0) + time.process_time() - start

        return wrapper

    saved = [(cls, name, cls.__dict__[name]) for cls in CALLBACKS for name in HOOKS if name in cls.__dict__]
    saved += [(torch.optim.Optimizer, name, torch.optim.Optimizer.__dict__[name]) for name in OPT_HOOKS]
    try:
        for cls, name, fn in saved:
            if cls is torch.optim.Optimizer:
                setattr(cls, name, lambda self, hook, _r=fn: _r(self, timed(hook, "MonitorCallback")))
            else:
                setattr(cls, name, timed(fn, cls.__name__))
        yield spent
    finally:
        for cls, name, fn in saved:
            setattr(cls, name, fn)


def run_arm(arm: str, workload: str, steps: int) -> tuple[float, float, dict[str, float]]:
    """(CPU seconds, wall seconds, CPU seconds inside each callback) of one whole run of ``arm``."""
    config = config_for(workload, steps, monitor=arm != "no_monitor")
    spent: dict[str, float] = {}
    with (
        tempfile.TemporaryDirectory(prefix="ganhacks-overhead-") as tmp,
        contextlib.redirect_stderr(io.StringIO()),
        attributed(spent) if arm != "bare" else contextlib.nullcontext(),
    ):
        cpu, wall = cpu_seconds(), time.perf_counter()
        if arm == "bare":
            bare_run(config)
        else:
            start_run(config, Path(tmp) / "run", progress_mode="lines")
        return cpu_seconds() - cpu, time.perf_counter() - wall, spent


def interval(values: list[float], rng: np.random.Generator) -> dict:
    """Mean, 95 % t-interval and bootstrap percentile interval of the mean."""
    v = np.asarray(values, dtype=float)
    mean, sem = float(v.mean()), float(v.std(ddof=1) / math.sqrt(len(v)))
    half = float(stats.t.ppf(0.975, len(v) - 1)) * sem
    boot = rng.choice(v, size=(BOOTSTRAP, len(v)), replace=True).mean(axis=1)
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return {
        "mean": mean,
        "t95": [mean - half, mean + half],
        "bootstrap95": [float(lo), float(hi)],
        "min": float(v.min()),
        "max": float(v.max()),
    }


def measure(workload: str, steps: int, pairs: int) -> dict:
    for arm in ARMS:
        run_arm(arm, workload, WARMUP_STEPS)
    rounds = []
    for r in range(pairs):
        order = ARMS[r % 3 :] + ARMS[: r % 3]  # rotate, so no arm always runs first
        cost = {arm: run_arm(arm, workload, steps) for arm in order}
        rounds.append({"order": list(order), **{f"{a}_cpu_s": cost[a][0] for a in ARMS}})
        rounds[-1].update({f"{a}_wall_s": cost[a][1] for a in ARMS})
        rounds[-1]["trainer_callbacks_cpu_s"] = cost["trainer"][2]
        print(workload, r, " ".join(f"{a} {cost[a][0]:.2f}s" for a in ARMS), json.dumps(cost["trainer"][2]), flush=True)
    cpu = {a: [x[f"{a}_cpu_s"] for x in rounds] for a in ARMS}
    inside = [x["trainer_callbacks_cpu_s"] for x in rounds]
    rng = np.random.default_rng(0)
    config = config_for(workload, steps)
    return {
        "steps": steps,
        "pairs": pairs,
        "config": to_dict(config),
        "cadence": {k: getattr(config.train, k) for k in ("log_every", "sample_every", "checkpoint_every")},
        "cpu_s_per_step": {a: float(np.median(cpu[a])) / steps for a in ARMS},
        "cpu_ms_per_step": {a: 1000 * float(np.median(cpu[a])) / steps for a in ARMS},
        # A/B, between runs: CPU of the whole run against the bare loop's, per round
        "ratio_trainer_vs_bare": interval([t / b for t, b in zip(cpu["trainer"], cpu["bare"])], rng),
        "ratio_no_monitor_vs_bare": interval([t / b for t, b in zip(cpu["no_monitor"], cpu["bare"])], rng),
        "monitor_share_ab": interval([(t - o) / t for t, o in zip(cpu["trainer"], cpu["no_monitor"])], rng),
        # in the same run: CPU inside each callback (and the monitor's optimiser hooks) / the run's CPU
        "share_of_trainer_run": {
            name: interval([x.get(name, 0.0) / t for x, t in zip(inside, cpu["trainer"])], rng)
            for name in sorted({k for x in inside for k in x})
        },
        "callbacks_share_of_trainer_run": interval([sum(x.values()) / t for x, t in zip(inside, cpu["trainer"])], rng),
        "same_math": same_math(workload),
        "rounds": rounds,
    }


def rounded(data, digits: int = 4):
    """The report's floats to ``digits`` significant figures (the JSON stays readable)."""
    if isinstance(data, float):
        return float(f"{data:.{digits}g}")
    if isinstance(data, dict):
        return {k: rounded(v, digits) for k, v in data.items()}
    if isinstance(data, list):
        return [rounded(v, digits) for v in data]
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default=",".join(WORKLOADS), help="comma-separated: " + ", ".join(WORKLOADS))
    parser.add_argument("--steps", type=int, default=500, help="iterations per run (a multiple of the cadences)")
    parser.add_argument("--pairs", type=int, default=12, help="rounds of the three arms per workload")
    parser.add_argument("--out", help="write the results to this JSON file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    results = {
        "command": "python " + " ".join(shlex.quote(a) for a in [os.path.relpath(__file__), *sys.argv[1:]]),
        "measure": "CPU seconds of the process (time.process_time + reaped children), one torch thread, "
        "whole runs set-up included; arms interleaved, order rotated per round",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "loadavg_start": list(os.getloadavg()),
        "workloads": {},
    }
    for workload in args.workloads.split(","):
        results["workloads"][workload] = measure(workload, args.steps, args.pairs)
        summary = results["workloads"][workload]
        print(workload, json.dumps({k: summary[k] for k in ("cpu_ms_per_step", "same_math")}), flush=True)
        for key in ("ratio_trainer_vs_bare", "ratio_no_monitor_vs_bare", "monitor_share_ab", "share_of_trainer_run"):
            print(f"  {key}: {json.dumps(summary[key])}", flush=True)
    results["loadavg_end"] = list(os.getloadavg())
    if args.out:
        Path(args.out).write_text(json.dumps(rounded(results), indent=1) + "\n")


if __name__ == "__main__":
    main()
