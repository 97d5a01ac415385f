"""grad_explode's update-size tests on the trainer's own default runs (issue 13: no false alarms on healthy runs).

    python benchmarks/monitor_ramp_defaults.py RUN [RUN ...] --json docs/monitor_ramp_defaults.json

Each RUN is a ``ganhacks train`` run folder (with nothing else set: the defaults). Its ``metrics.jsonl`` holds
every update-size reading ||dw|| / ||w|| of D and G the monitor read (every ``layer_every`` steps); they are fed,
in order, into the monitor's own :class:`~ganhacks.monitor.history.History` and the two update-size tests of
``grad_explode`` (the ramp and the jump, which read nothing else) are asked at every reading, with today's
:class:`~ganhacks.monitor.MonitorConfig`; beside it, the ramp as it was before its noise bar and level check
(two rises of ``ramp_growth`` in both nets: ``monitor_validity.update_rises``). The JSON keeps the readings, so the
figures can be replayed without the runs.

A run recorded with a reading at every step (``--set monitor.layer_every=1 --set train.log_every=1``) is read as the
default monitor reads it: its readings at every 50th step are the layer readings and those ``jump_recheck`` steps
later the jump test's rechecks; the jump test is then asked both ways, with its recheck (``jump_now``) and on the
layer reading alone (``jump_single``, as before the recheck); the JSON keeps the layer readings and the rechecks
only, and the largest statistic the jump test compared with its bar: with the recheck (asked today's share of the
bar), with the recheck asked the full bar (``recheck_share`` = 1), and on the reading alone.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from dataclasses import replace
from pathlib import Path

from ganhacks.monitor import MonitorConfig
from ganhacks.monitor.history import History
from ganhacks.monitor.symptoms import RECHECK_NAMES, SLOW_BASE, UPDATE_NAMES, _updates_jump, _updates_ramp

sys.path.insert(0, str(Path(__file__).parent))

from monitor_validity import update_jumps, update_rises  # a sibling script, not a package


def readings(run: Path) -> list[tuple[int, float, float]]:
    """(step, D's update ratio, G's update ratio) at every reading of the run."""
    rows = (json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines() if line.strip())
    return [(r["step"], r[UPDATE_NAMES[0]], r[UPDATE_NAMES[1]]) for r in rows if UPDATE_NAMES[0] in r]


def typical_change(series: list[tuple[int, float, float]], warmup: int) -> list[float]:
    """Each net's median change between consecutive readings from ``warmup`` / 2 on, as a factor (D, G)."""
    out = []
    for k in (1, 2):
        v = [r[k] for r in series if r[0] >= warmup // 2]
        out.append(round(math.exp(statistics.median(abs(math.log(b / a)) for a, b in zip(v, v[1:]))), 2))
    return out


LAYER_EVERY = MonitorConfig().layer_every


def per_step(series: list[tuple[int, float, float]]) -> bool:
    """Whether ``series`` was read at every step (then the default monitor's readings are a subset of it)."""
    steps = [r[0] for r in series]
    return len(steps) > 2 * LAYER_EVERY and all(b - a == 1 for a, b in zip(steps, steps[1:]))


Readings = list[tuple[int, float, float]]  # (step, D's update ratio, G's update ratio)


def events(series: Readings, rechecks: dict[int, tuple[float, float]] | None) -> list[tuple[int, dict[str, float]]]:
    """The layer readings and the rechecks as the monitor's history gets them: (step, {signal: value}), in order."""
    out = [(step, {UPDATE_NAMES[0]: d, UPDATE_NAMES[1]: g}) for step, d, g in series]
    out += [(step, {RECHECK_NAMES[0]: d, RECHECK_NAMES[1]: g}) for step, (d, g) in (rechecks or {}).items()]
    return sorted(out, key=lambda e: e[0])


def fired(series: Readings, config: MonitorConfig, rechecks: dict[int, tuple[float, float]] | None = None) -> dict:
    """Steps at which today's ramp test and the jump test fire over ``series`` (with each jump's ratios), and those
    at which the ramp as it was before its noise bar and level check would have (``ramp_rises_only``). With
    ``rechecks`` ({step: (D, G)} read ``jump_recheck`` steps after the layer readings) the jump test is asked at
    each recheck, as the monitor asks it."""
    h = History(size=64)
    out: dict[str, list] = {"ramp": [], "jump": [], "jump_ratios": []}
    for step, values in events(series, rechecks):
        h.add(step, values)
        if UPDATE_NAMES[0] in values and _updates_ramp(h, config) is not None:
            out["ramp"].append(step)
        if (jump := _updates_jump(h, config)) is not None:
            out["jump"].append(step)
            # each net's newest update over its earlier median, as the jump test compared them
            out["jump_ratios"].append([step, *(round(jump[name] / jump[f"{name}_before"], 1) for name in UPDATE_NAMES)])
    record = {"trace": [(step, {UPDATE_NAMES[0]: d, UPDATE_NAMES[1]: g}) for step, d, g in series]}
    out["ramp_rises_only"] = [step for step, rise in update_rises(record, config) if rise >= config.ramp_growth]
    return out


def surge(
    at: dict[int, tuple[float, float]], series: Readings, step: int, config: MonitorConfig, span: int = 12
) -> list[list[float]]:
    """Around a layer reading ``step`` where the jump test fired on the reading alone: [t, D's, G's update size over
    its earlier median] at every step from ``step`` - 5 to ``step`` + ``span`` (the medians as the jump test takes
    them: the layer readings before ``step``, from ``warmup`` / 2 on, at most ``SLOW_BASE``)."""
    earlier = [r for r in series if config.warmup // 2 <= r[0] < step][-SLOW_BASE:]
    base = [statistics.median(r[k] for r in earlier) for k in (1, 2)]
    return [
        [t, round(at[t][0] / base[0], 2), round(at[t][1] / base[1], 2)]
        for t in range(step - 5, step + span + 1)
        if t in at
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="ganhacks train run folders (the defaults)")
    parser.add_argument("--json", type=Path, help="write the readings and the results here")
    args = parser.parse_args()
    config = MonitorConfig()
    out = {"command": "python benchmarks/monitor_ramp_defaults.py RUN ... (runs: ganhacks train --data D --seed S)"}
    runs = []
    for run in args.runs:
        cfg = json.loads((run / "config.json").read_text())
        series = readings(run)
        rechecks = None
        if per_step(series):  # read at every step: take the default monitor's readings and rechecks from it
            at = {step: (d, g) for step, d, g in series}
            k = config.jump_recheck
            rechecks = {s + k: at[s + k] for s in at if s % LAYER_EVERY == 0 and s + k in at}
            series = [r for r in series if r[0] % LAYER_EVERY == 0]
        now = fired(series, config, rechecks)
        run_out = {
            "data": cfg["data"]["name"],
            "seed": cfg["train"]["seed"],
            "steps": cfg["train"]["steps"],
            "ramp_now": now["ramp"],
            "jump_now": now["jump"],
            "jump_ratios_now": now["jump_ratios"],  # [step, D's ratio, G's ratio]
            "ramp_rises_only": now["ramp_rises_only"],
            "typical_change": typical_change(series, config.warmup),  # D, G
            "readings": [[s, round(d, 6), round(g, 6)] for s, d, g in series],
        }
        if rechecks is not None:
            single = fired(series, replace(config, jump_recheck=0))
            run_out["surges"] = [surge(at, series, step, config) for step in single["jump"]]
            run_out["jump_single"] = single["jump"]  # the layer reading alone (before the recheck)
            run_out["jump_ratios_single"] = single["jump_ratios"]
            run_out["rechecks"] = [[s, round(d, 6), round(g, 6)] for s, (d, g) in sorted(rechecks.items())]
            # the statistic the jump test compares with update_jump, at every reading: with its recheck, and alone
            trace = events(series, rechecks)
            run_out["jump_statistic_max"] = max((j for _, j in update_jumps({"trace": trace}, config)), default=None)
            alone = update_jumps({"trace": trace}, replace(config, jump_recheck=0))
            run_out["jump_statistic_max_single"] = max((j for _, j in alone), default=None)
            full = update_jumps({"trace": trace}, replace(config, recheck_share=1.0))  # the recheck asked the full bar
            run_out["jump_statistic_max_full_bar"] = max((j for _, j in full), default=None)
        runs.append(run_out)
        print(run_out["data"], run_out["seed"], now)
    keys = ("ramp_growth", "ramp_checks", "ramp_noise", "update_jump", "jump_recheck", "recheck_share")
    out["config"] = {k: getattr(config, k) for k in keys}
    out["runs"] = runs
    out["summary"] = {
        "runs": len(runs),
        "runs_alerted_now": sum(bool(r["ramp_now"] or r["jump_now"]) for r in runs),
        "alerts_now": sum(len(r["ramp_now"]) + len(r["jump_now"]) for r in runs),
        "runs_alerted_rises_only": sum(bool(r["ramp_rises_only"] or r["jump_now"]) for r in runs),
        "alerts_rises_only": sum(len(r["ramp_rises_only"]) + len(r["jump_now"]) for r in runs),
    }
    rechecked = [r for r in runs if "jump_single" in r]
    if rechecked:  # runs read at every step: the jump test with its recheck and on the layer reading alone
        runs_made = "ganhacks train --data D --seed S --set monitor.layer_every=1 --set train.log_every=1"
        out["command"] = f"python benchmarks/monitor_ramp_defaults.py RUN ... (runs: {runs_made})"
        out["summary"]["rechecked_runs"] = len(rechecked)
        out["summary"]["jump_alerts_with_recheck"] = sum(len(r["jump_now"]) for r in rechecked)
        out["summary"]["jump_alerts_single_reading"] = sum(len(r["jump_single"]) for r in rechecked)
        out["summary"]["runs_alerted_single_reading"] = sum(bool(r["ramp_now"] or r["jump_single"]) for r in rechecked)
    print(out["summary"])
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
