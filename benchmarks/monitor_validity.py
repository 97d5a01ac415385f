"""Measured validity of the monitor (tip T10): real small runs made to fail, plus healthy ones.

Each scenario is a real run of the reference Trainer on CPU (2-D mixtures or the 8x8 digits)
with the monitor attached as in ``ganhacks train`` (policy warn), and a probe that measures the
ground truth every ``EVAL_EVERY`` steps: modes covered and the share of high-quality samples
(mixtures: ganhacks.metrics.modes.mixture_modes; digits: classes covered and mean confidence of
the shipped digits classifier), and whether samples are finite. A failure is *visible* at the
first probe where the ground truth leaves the healthy band (see ``visible``); the lead time is
that step minus the step of the first alert of the expected symptom.

Usage:
    python benchmarks/monitor_validity.py                 # all scenarios, table + JSON
    python benchmarks/monitor_validity.py --only healthy_ring8 nan_lr --trace out.json
    python benchmarks/monitor_validity.py --seeds 3 --json docs/monitor_validity.json   # docs/monitor.md
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass

import torch

from ganhacks.metrics.modes import mixture_modes
from ganhacks.train.callbacks import Callback, MonitorCallback
from ganhacks.train.config import apply_overrides
from ganhacks.train.loop import Trainer
from ganhacks.train.presets import preset_config

EVAL_EVERY = 50
QUALITY_STDS = 10.0  # ground truth: a sample is good within 10 std of a mode (ring8: 0.1 of the radius)
POINTS = [
    "data.points=4096",
    "model.z_dim=8",
    "model.g_width=64",
    "model.d_width=64",
    "train.batch_size=64",
    "train.sample_every=0",
    "train.checkpoint_every=0",
]
RING, GRID = [*POINTS, "data.name=ring8"], [*POINTS, "data.name=grid25"]
# the recommended preset without spectral norm / minibatch std, which stall these small MLPs (see docs/monitor.md)
REC_POINTS = ["model.d_norm=none", "model.minibatch_std=false"]
# vanilla with the non-saturating loss, Gaussian z and separate batches: the base of the failing point runs
VAN = ["loss.name=nonsaturating", "tricks.latent=gaussian", "tricks.separate_batches=true", "model.d_norm=none"]
SGD = ["optim.g_optimizer=sgd", "optim.d_optimizer=sgd", "optim.momentum=0.9"]
DIGITS = [
    "data.name=digits",
    "model.z_dim=16",
    "model.g_width=16",
    "model.d_width=16",
    "train.batch_size=64",
    "train.sample_every=0",
    "train.checkpoint_every=0",
]


@dataclass(frozen=True)
class Scenario:
    """One run with its ground truth: the symptom ids that must fire (empty: healthy, no alarm allowed).

    A failing run trains exactly like its healthy twin until ``switch_at``, where ``switch`` breaks it
    in a known way, so the cause has a known step and the failure has a healthy band to leave.
    """

    name: str
    preset: str
    overrides: list[str]
    steps: int
    expect: tuple[str, ...]  # any of these counts as "the right symptom"
    what: str
    switch_at: int = 0  # step at which the failure is caused (0: healthy run)
    switch: tuple = ()  # (action, value) pairs applied at switch_at, see Switch


SWITCH = 300  # every failing run is healthy for its first 300 steps
SCENARIOS = [  # healthy runs first: they set the healthy band the failing runs are judged against
    Scenario(
        "healthy_ring8", "recommended", [*RING, *REC_POINTS], 1200, (), "recommended (no SN/mbstd) on the ring of 8"
    ),
    Scenario("healthy_ring8_vanilla", "vanilla", [*RING, *VAN], 1200, (), "vanilla + non-saturating loss on the ring"),
    Scenario("healthy_grid25", "vanilla", [*GRID, *VAN], 1200, (), "vanilla + non-saturating loss on the 5x5 grid"),
    Scenario("healthy_digits", "recommended", DIGITS, 800, (), "recommended preset on 8x8 digits"),
    Scenario("healthy_digits_hinge", "sngan-hinge", DIGITS, 800, (), "SNGAN hinge preset on 8x8 digits"),
    Scenario(
        "strong_d",
        "vanilla",
        [*RING, *VAN],
        1200,
        ("d_loss_zero",),
        "D far stronger than G: D's LR x10, G's x0.1, 5 D steps per G step",
        SWITCH,
        (("lr_d", 10.0), ("lr_g", 0.1), ("n_critic", 5)),
    ),
    Scenario(
        "saturating",
        "vanilla",
        [*RING, *VAN],
        1200,
        ("saturating_g",),
        "switch G to the saturating minimax loss with a far stronger D (LR x20, G's x0.1, 5 D steps)",
        SWITCH,
        (("loss", "minimax"), ("lr_d", 20.0), ("lr_g", 0.1), ("n_critic", 5)),
    ),
    Scenario(
        "exploding_lr",
        "vanilla",
        [*RING, *VAN],
        600,
        ("grad_explode", "non_finite"),
        "both optimisers become SGD (momentum 0.9) at learning rate 0.5",
        SWITCH,
        (("sgd", 0.5),),
    ),
    Scenario(
        "nan_lr",
        "vanilla",
        [*RING, *VAN],
        500,
        ("non_finite", "grad_explode"),
        "both optimisers become SGD at learning rate 2: overflow to NaN",
        SWITCH,
        (("sgd", 2.0),),
    ),
    Scenario(
        "collapse_weak_d",
        "vanilla",
        [*RING, *VAN],
        1200,
        ("mode_collapse",),
        "D nearly frozen (LR x0.005): G drifts onto fewer modes",
        SWITCH,
        (("lr_d", 0.005),),
    ),
    Scenario(
        "collapse_grid25",
        "vanilla",
        [*GRID, *VAN],
        1200,
        ("mode_collapse",),
        "collapse-prone: both LRs x10 with beta1=0.9 on the 25-mode grid",
        SWITCH,
        (("lr_d", 10.0), ("lr_g", 10.0), ("beta1", 0.9)),
    ),
    Scenario(
        "nan_digits",
        "recommended",
        DIGITS,
        600,
        ("non_finite",),
        "a NaN written into one weight of D (digits)",
        SWITCH,
        (("nan", 0),),
    ),
]


class Switch(Callback):
    """Breaks a healthy run at a known step: scale LRs, change the G loss or n_critic, swap in SGD, write a NaN."""

    def __init__(self, at: int, actions: tuple) -> None:
        self.at, self.actions = at, actions

    def on_step_end(self, trainer, step, logs):
        if step != self.at:
            return
        from ganhacks.tricks.losses import get_loss
        from ganhacks.tricks.optim import scale_lr
        from ganhacks.tricks.steps import StepSchedule

        for action, value in self.actions:
            if action == "lr_d":
                scale_lr(trainer.opt_d, value)
            elif action == "lr_g":
                scale_lr(trainer.opt_g, value)
            elif action == "beta1":
                for opt in (trainer.opt_d, trainer.opt_g):
                    for g in opt.param_groups:
                        g["betas"] = (value, g["betas"][1])
            elif action == "n_critic":
                trainer.schedule = StepSchedule(n_critic=value)
            elif action == "loss":
                trainer.loss = get_loss(value)
            elif action == "sgd":
                trainer.opt_d = torch.optim.SGD(trainer.D.parameters(), lr=value, momentum=0.9)
                trainer.opt_g = torch.optim.SGD(trainer.G.parameters(), lr=value, momentum=0.9)
            elif action == "nan":
                with torch.no_grad():
                    next(trainer.D.parameters()).view(-1)[value] = float("nan")


class Probe(Callback):
    """Ground truth every ``every`` steps: modes covered, sample quality, finiteness."""

    def __init__(self, every: int) -> None:
        self.every = every
        self.points: list[dict] = []
        self.classifier = None

    def on_step_end(self, trainer, step, logs):
        if step % self.every:
            return
        gen = torch.Generator().manual_seed(step)
        with torch.random.fork_rng(devices=[]):
            x = trainer.sample(1000, gen)
        row = {"step": step, "finite": bool(torch.isfinite(x).all())}
        if not row["finite"]:
            row.update(modes=0.0, quality=0.0)
        elif trainer.dataset.mixture is not None:
            mix = trainer.dataset.mixture
            m = mixture_modes(mix.from_unit(x), mix.centers, mix.std, threshold=QUALITY_STDS)
            row.update(modes=m["modes_covered"] / m["modes_total"], quality=m["high_quality"])
        else:
            from ganhacks.metrics.classifier import load_digits_classifier, resize_to_digits

            self.classifier = self.classifier or load_digits_classifier()
            with torch.inference_mode():
                p = torch.softmax(self.classifier(resize_to_digits(x)), 1)
            counts = torch.bincount(p.argmax(1), minlength=10)
            row.update(modes=float((counts >= 20).sum()) / 10, quality=float(p.max(1).values.mean()))
        self.points.append(row)


class Trace(Callback):
    def __init__(self):
        self.rows = []

    def on_step_end(self, trainer, step, logs):
        self.rows.append({"step": step, **{k: float(v) for k, v in logs.items() if k.count("/") <= 1}})


def visible(points: list[dict], band: dict[int, tuple[float, float]], after: int) -> int | None:
    """First probed step after ``after`` where samples are non-finite, or modes covered fall more than
    0.2 (20% of the modes) below every healthy run's at that step, or quality below half of every
    healthy run's: the failure has left the healthy band (same data, same step)."""
    for p in points:
        if p["step"] <= after:
            continue
        if not p["finite"]:
            return p["step"]
        if p["step"] in band:
            modes, quality = band[p["step"]]
            if p["modes"] < modes - 0.2 or p["quality"] < 0.5 * quality:
                return p["step"]
    return None


BANDS: dict[str, dict[int, tuple[float, float]]] = {}  # data name -> step -> (min modes, min quality) of healthy runs


def run(s: Scenario, trace: bool = False, seed: int = 0) -> dict:
    config = apply_overrides(preset_config(s.preset), [*s.overrides, f"train.steps={s.steps}", f"train.seed={seed}"])
    mon = MonitorCallback(config.monitor, None, loss=config.loss.name, stream=None)
    probe = Probe(EVAL_EVERY)
    tr = Trace() if trace else None
    switch = [Switch(s.switch_at, s.switch)] if s.switch_at else []
    t0 = time.perf_counter()
    trainer = Trainer(config, callbacks=[mon, *switch, probe] + ([tr] if tr else []))
    trainer.fit()
    seconds = time.perf_counter() - t0
    data = config.data.name
    if not s.expect:
        band = BANDS.setdefault(data, {})
        for p in probe.points:
            m, q = band.get(p["step"], (float("inf"), float("inf")))
            band[p["step"]] = (min(m, p["modes"]), min(q, p["quality"]))
    vis = visible(probe.points, BANDS.get(data, {}), s.switch_at) if s.expect else None
    alerts = [{"step": a.step, "symptom": a.symptom, "severity": a.severity} for a in mon.monitor.alerts]
    right = [a for a in alerts if a["symptom"] in s.expect]
    first = right[0]["step"] if right else None
    out = {
        "scenario": s.name,
        "seed": seed,
        "data": data,
        "what": s.what,
        "expect": list(s.expect),
        "seconds": round(seconds, 1),
        "steps": s.steps,
        "switch_at": s.switch_at,
        "alerts": alerts,
        "first_right_alert": first,
        "visible_at": vis,
        "lead": (vis - first) if (vis is not None and first is not None) else None,
        "detected": bool(right) if s.expect else None,
        "false_alarms": len(alerts) if not s.expect else None,
        "probes": probe.points,
    }
    if tr:
        out["trace"] = tr.rows
    return out


def healthy_margins(result: dict, window: int = 50, warmup: int = 100) -> dict:
    """How close a healthy run's traced signals came to the default thresholds (needs ``--trace``).

    Window means as the detectors take them (after ``warmup``): the largest D accuracy and
    P(real) - P(fake) gap (d_loss_zero fires at >= 0.9 and >= 0.6), the largest gradient norm
    (grad_explode: > 100), the lowest diversity relative to its running peak (mode_collapse: < 0.7)
    and the largest fidelity ratio (g_fools_with_garbage needs > 3).
    """
    rows = [r for r in result["trace"] if r["step"] > warmup]

    def window_max(key, fn=None):
        vals = [fn(r) if fn else r[key] for r in rows if key in r]
        means = [sum(vals[i : i + window]) / window for i in range(0, max(len(vals) - window + 1, 0))]
        return max(means) if means else None

    div = [r["diversity/ratio"] for r in rows if "diversity/ratio" in r]
    peak, low = 0.0, float("inf")
    for v in div:
        peak = max(peak, v)
        low = min(low, v / peak if peak else 1.0)
    grads = [max(r.get("grad_norm/d", 0.0), r.get("grad_norm/g", 0.0)) for r in rows]
    fid = [r["fidelity/ratio"] for r in rows if "fidelity/ratio" in r]
    cov = [r["coverage"] for r in rows if "coverage" in r]
    # the lowest level coverage stayed under for 2 consecutive checks (what mode_collapse's default rule sees)
    cov2 = min((max(cov[i : i + 2]) for i in range(len(cov) - 1)), default=None)
    return {
        "coverage_2_checks_min": cov2,
        "scenario": result["scenario"],
        "seed": result["seed"],
        "d_acc": window_max("d_acc"),
        "gap": window_max("d_prob/real", lambda r: r["d_prob/real"] - r["d_prob/fake"]),
        "grad_max": max(grads) if grads else None,
        "diversity_vs_peak_min": low if div else None,
        "fidelity_max": max(fid) if fid else None,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="scenario names")
    ap.add_argument("--trace", help="write per-step signals and probes to this JSON file")
    ap.add_argument("--json", help="write the results (without traces) to this JSON file")
    ap.add_argument("--seeds", type=int, default=1, help="run every scenario with train.seed = 0 .. seeds-1")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    chosen = [s for s in SCENARIOS if not args.only or s.name in args.only]
    results = []
    runs = [(s, seed) for seed in range(args.seeds) for s in chosen]  # per seed, healthy runs first (the bands)
    for s, seed in runs:
        r = run(s, trace=bool(args.trace), seed=seed)
        results.append(r)
        syms = sorted({a["symptom"] for a in r["alerts"]})
        print(
            f"{r['scenario']:22s} seed {seed} {r['seconds']:6.1f}s expect={','.join(r['expect']) or '-':28s} "
            f"first_right={r['first_right_alert']} visible={r['visible_at']} lead={r['lead']} alerts={syms} "
            f"first_alerts={[(a['step'], a['symptom']) for a in r['alerts'][:4]]}",
            flush=True,
        )
    for r in results:  # judge every failing run against the healthy band of all seeds
        if r["expect"]:
            r["visible_at"] = visible(r["probes"], BANDS.get(r["data"], {}), r["switch_at"])
            first, vis = r["first_right_alert"], r["visible_at"]
            r["lead"] = (vis - first) if (vis is not None and first is not None) else None
    print(
        "\n| scenario | seed | expected | first right alert | visible at | lead (steps) | all symptoms "
        "|\n|---|---|---|---|---|---|---|"
    )
    for r in results:
        syms = ", ".join(sorted({a["symptom"] for a in r["alerts"]})) or "none"
        print(
            f"| {r['scenario']} | {r['seed']} | {', '.join(r['expect']) or 'healthy: none'} | "
            f"{r['first_right_alert']} | "
            f"{r['visible_at']} | {r['lead']} | {syms} |"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump([{k: v for k, v in r.items() if k != "trace"} for r in results], f, indent=1)
    if args.trace:
        print(
            "\n| healthy run | seed | max window D acc (0.9) | max window P gap (0.6) | max grad norm (100) | "
            "min diversity / peak (0.7) | max fidelity ratio (3) | min coverage held 2 checks (0.6) "
            "|\n|---|---|---|---|---|---|---|---|"
        )
        for r in results:
            if not r["expect"]:
                m = healthy_margins(r)
                cells = [
                    f"{m[k]:.3g}" if m[k] is not None else "-"
                    for k in (
                        "d_acc",
                        "gap",
                        "grad_max",
                        "diversity_vs_peak_min",
                        "fidelity_max",
                        "coverage_2_checks_min",
                    )
                ]
                print(f"| {m['scenario']} | {m['seed']} | " + " | ".join(cells) + " |")
        with open(args.trace, "w") as f:
            json.dump(results, f)
    failing = [r for r in results if r["expect"]]
    healthy = [r for r in results if not r["expect"]]
    detected = sum(bool(r["detected"]) for r in failing)
    early = sum(
        r["lead"] is not None and r["lead"] >= 0 or (r["detected"] and r["visible_at"] is None) for r in failing
    )
    print(
        f"\ndetected {detected}/{len(failing)} failing runs (before visible: {early}); "
        f"false alarms on healthy runs: {sum(r['false_alarms'] for r in healthy)} in {len(healthy)} runs; "
        f"total {sum(r['seconds'] for r in results):.0f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
