"""From the records of a suite to the evidence: per cell (benchmark x budget x variant) the mean and
interval of every metric and the failure rate; per variant the paired comparison with its baseline
and a verdict; per tip and benchmark what the variants that measure it say.

The summary is written as ``DIR/evidence.json`` by ``ganhacks bench report``; :func:`tip_verdicts`
reads it (or a results file, or a folder holding either) so the tips catalog, the README and the
remedies of the monitor and doctor can order tips by measured benefit, and :func:`tips_measured`
says which variants measure each tip.
"""

from __future__ import annotations

import functools
import json
import math
from collections import defaultdict
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

from ganhacks.bench.benchmarks import direction, get_benchmark
from ganhacks.bench.plan import candidate_variants, job_config
from ganhacks.bench.results import RESULTS, read_records
from ganhacks.bench.stats import MIN_SEEDS, combine, paired, summary, wilson_ci
from ganhacks.bench.suite import load_suite
from ganhacks.errors import UserError

EVIDENCE = "evidence.json"  # written by `ganhacks bench report DIR`
# the per-tip verdicts the package ships (benchmarks/recipe_evidence.py, docs/EVIDENCE.md); in assets/ so
# that the monitor's remedies can read them without importing bench
MEASURED = "assets/measured.json"
FAILED = "failed"  # the pseudo-metric of a run's failure (diverged or collapsed): 1 or 0, lower is better
FLIP = {"helps": "hurts", "hurts": "helps"}


def cell_key(record: dict[str, Any]) -> tuple[str, int, str]:
    """``(benchmark, steps, variant)`` of an evaluation record."""
    return (record["benchmark"], int(record["steps"]), record["variant"])


def failed(record: dict[str, Any]) -> float | None:
    """1 for a diverged or collapsed run, 0 for a healthy one, None for a crash (no outcome)."""
    if record.get("status") == "diverged":
        return 1.0
    if record.get("status") == "ok":
        return 1.0 if record.get("collapsed") else 0.0
    return None


def _by_seed(records: list[dict[str, Any]], metric: str) -> dict[int, float]:
    out = {}
    for r in records:
        value = failed(r) if metric == FAILED else r.get("metrics", {}).get(metric)
        if isinstance(value, (int, float)) and math.isfinite(value):
            out[int(r["seed"])] = float(value)
    return out


def _mean(values: list[float]) -> float | None:
    values = [v for v in values if isinstance(v, (int, float))]
    return sum(values) / len(values) if values else None


def cell_summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts, failure rate, per-metric mean and interval (with per-seed values) and costs of one cell."""
    first = records[0]
    bench = get_benchmark(first["benchmark"])
    statuses = [r.get("status") for r in records]
    outcomes = [f for f in (failed(r) for r in records) if f is not None]
    n_failed = int(sum(outcomes))
    alerts: dict[str, int] = defaultdict(int)
    for r in records:
        for a in r.get("alerts", []):
            alerts[a["symptom"]] += 1
    names = list(bench.metrics) + sorted({m for r in records for m in r.get("metrics", {})} - set(bench.metrics))
    metrics = {}
    for m in names:
        values = _by_seed(records, m)
        if values:
            metrics[m] = {**summary(list(values.values())), "values": values}
    return {
        "benchmark": first["benchmark"],
        "steps": int(first["steps"]),
        "variant": first["variant"],
        "baseline": first.get("baseline"),
        "group": first.get("group"),
        "tips": first.get("tips") or [],
        "effect": first.get("effect", 1),
        "note": first.get("note", ""),
        "tune": first.get("tune", 0),
        "runs": len(records),
        "ok": statuses.count("ok"),
        "diverged": statuses.count("diverged"),
        "crashed": statuses.count("crashed"),
        "collapsed": sum(1 for r in records if r.get("collapsed")),
        "failure_rate": n_failed / len(outcomes) if outcomes else None,
        "failure_ci": list(wilson_ci(n_failed, len(outcomes))) if outcomes else None,
        "metrics": metrics,
        "cpu_s": _mean([r.get("cpu_s") for r in records]),
        "train_cpu_s": _mean([r.get("train_cpu_s") for r in records]),
        "eval_cpu_s": _mean([r.get("eval_cpu_s") for r in records]),
        "wall_s": _mean([r.get("wall_s") for r in records]),
        "steps_per_s": _mean([r.get("steps_per_s") for r in records]),
        "alerts": dict(alerts),
        "tuning": [r["tuning"] for r in records if r.get("tuning")][:1],
    }


def compare(cell: list[dict[str, Any]], base: list[dict[str, Any]], min_seeds: int = MIN_SEEDS) -> dict[str, Any]:
    """The paired comparison of a cell with its baseline's cell: every metric, the failure rate, and a verdict."""
    first = cell[0]
    bench = get_benchmark(first["benchmark"])
    by_metric = {}
    for m in [*bench.metrics, FAILED]:
        sign = -1 if m == FAILED else direction(m)
        by_metric[m] = paired(_by_seed(cell, m), _by_seed(base, m), sign, min_seeds=min_seeds)
    primary, fails = by_metric[bench.primary]["verdict"], by_metric[FAILED]["verdict"]
    return {
        "benchmark": first["benchmark"],
        "steps": int(first["steps"]),
        "variant": first["variant"],
        "baseline": first["baseline"],
        "tips": first.get("tips") or [],
        "effect": first.get("effect", 1),
        "tune": first.get("tune", 0),
        "primary": bench.primary,
        "metrics": by_metric,
        "verdict": combine([primary, fails]),
    }


def tip_verdict(comparison_verdict: str, effect: int) -> str:
    """A comparison's verdict as a verdict on its tips: a leave-one-out variant that helps means the tip hurts."""
    return FLIP.get(comparison_verdict, comparison_verdict) if effect < 0 else comparison_verdict


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def clean(record: dict[str, Any]) -> dict[str, Any]:
    """A record with its optional fields in the types the analysis expects (a hand-edited or older line
    gets defaults rather than crashing the report)."""
    r = dict(record)
    r["baseline"] = r.get("baseline") if isinstance(r.get("baseline"), str) else None
    r["tips"] = [t for t in r.get("tips") or [] if isinstance(t, str)] if isinstance(r.get("tips"), list) else []
    r["effect"] = -1 if r.get("effect") == -1 else 1
    r["tune"] = r.get("tune") if isinstance(r.get("tune"), int) and not isinstance(r.get("tune"), bool) else 0
    r["phase"] = r.get("phase") if r.get("phase") in ("eval", "tune") else "eval"
    r["collapsed"] = r.get("collapsed") if isinstance(r.get("collapsed"), bool) else None
    r["alerts"] = [a for a in r.get("alerts") or [] if isinstance(a, dict) and isinstance(a.get("symptom"), str)]
    r["group"] = r.get("group") if isinstance(r.get("group"), str) else ""
    r["note"] = r.get("note") if isinstance(r.get("note"), str) else ""
    for key in ("cpu_s", "train_cpu_s", "eval_cpu_s", "wall_s", "steps_per_s"):
        r[key] = _number(r.get(key))
    if not isinstance(r.get("tuning"), dict):
        r.pop("tuning", None)
    return r


def analyse(records: list[dict[str, Any]], min_seeds: int = MIN_SEEDS) -> dict[str, Any]:
    """The evidence of a suite's records: cells, comparisons and per-tip verdicts (the form of evidence.json)."""
    records = [clean(r) for r in records]
    evals = [r for r in records if r["phase"] == "eval"]
    groups: dict[tuple[str, int, str], list[dict[str, Any]]] = defaultdict(list)
    for r in evals:
        groups[cell_key(r)].append(r)
    cells = [cell_summary(rs) for rs in groups.values()]
    comparisons = []
    for key, rs in groups.items():
        baseline = rs[0].get("baseline")
        base = groups.get((key[0], key[1], baseline)) if baseline else None
        if base:
            comparisons.append(compare(rs, base, min_seeds))
    tips: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for c in comparisons:
        for tip in c["tips"]:
            entry = tips[tip].setdefault(c["benchmark"], {"measurements": []})
            p = c["metrics"][c["primary"]]
            benefit = None
            if isinstance(p["mean"], float) and math.isfinite(p["mean"]):
                benefit = p["mean"] * (direction(c["primary"]) or 1) * (1 if c["effect"] >= 0 else -1)
            entry["measurements"].append(
                {
                    "variant": c["variant"],
                    "baseline": c["baseline"],
                    "steps": c["steps"],
                    "tuned": bool(c["tune"]),
                    "verdict": tip_verdict(c["verdict"], c["effect"]),
                    "benefit": benefit,  # primary-metric difference, positive when the tip is better
                    "n": p["n"],
                }
            )
    for by_bench in tips.values():
        for entry in by_bench.values():
            ms = entry["measurements"]
            untuned = [m["verdict"] for m in ms if not m["tuned"]]
            tuned = [m["verdict"] for m in ms if m["tuned"]]
            entry["verdict"] = combine(untuned) if untuned else None
            entry["tuned_verdict"] = combine(tuned) if tuned else None
    return {
        "min_seeds": min_seeds,
        "cells": cells,
        "comparisons": comparisons,
        "tips": {t: tips[t] for t in sorted(tips)},
    }


def load_evidence(source: str | Path) -> dict[str, Any]:
    """Evidence from ``evidence.json``, a ``results.jsonl`` (analysed now), or a folder holding either."""
    path = Path(source)
    if path.is_dir():
        path = path / EVIDENCE if (path / EVIDENCE).is_file() else path / RESULTS
    if not path.is_file():
        raise UserError(f"no evidence at {source}: give a bench folder, its evidence.json or its results.jsonl")
    if path.suffix == ".jsonl":
        records = read_records(path)
        if not records:
            raise UserError(f"{path} holds no job records")
        return analyse(records)
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise UserError(f"cannot read evidence file {path}: {exc}") from None
    if not isinstance(data, dict) or "tips" not in data:
        raise UserError(f"{path} is not an evidence file of ganhacks bench report")
    return data


def tip_verdicts(source: str | Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Tip id -> benchmark -> ``{"verdict", "tuned_verdict", "measurements"}`` from a finished suite.

    ``verdict`` is "helps", "hurts", "mixed", "no measurable effect" or "too few seeds" (untuned
    comparisons; ``tuned_verdict`` the same after ``--tune``, or None).
    """
    return load_evidence(source)["tips"]


def benefit_score(by_bench: dict[str, dict[str, Any]], benchmark: str | None = None) -> tuple[int, float]:
    """How well a tip did: (benchmarks where it helps minus where it hurts, mean primary-metric benefit)."""
    entries = [e for b, e in by_bench.items() if benchmark is None or b == benchmark]
    votes = sum({"helps": 1, "hurts": -1}.get(e.get("verdict") or "", 0) for e in entries)
    benefits = [m["benefit"] for e in entries for m in e["measurements"] if m.get("benefit") is not None]
    return votes, (sum(benefits) / len(benefits) if benefits else 0.0)


def order_by_benefit(
    tip_ids: list[str], verdicts: dict[str, dict[str, dict[str, Any]]], benchmark: str | None = None
) -> list[str]:
    """``tip_ids`` from the most to the least measured benefit (unmeasured tips keep their order, last)."""
    measured = [t for t in tip_ids if t in verdicts]
    rest = [t for t in tip_ids if t not in verdicts]
    return sorted(measured, key=lambda t: benefit_score(verdicts[t], benchmark), reverse=True) + rest


def tips_measured(suite: str = "full") -> dict[str, list[str]]:
    """Tip id -> the variants of a suite (default: the built-in full suite) that measure it, derived from
    the presets as they are now (by the cheap rules: no trainer is built, see :func:`candidate_variants`)."""
    return {tip: list(names) for tip, names in _tips_measured(suite).items()}


@functools.cache
def _tips_measured(suite: str) -> dict[str, tuple[str, ...]]:
    parsed = load_suite(suite)
    out: dict[str, set[str]] = defaultdict(set)
    for bp in parsed.benchmarks:
        chosen, _, _ = candidate_variants(parsed, bp, partial(_config, bp.name))
        for v in chosen:
            for tip in v.tips:
                out[tip].add(v.name)
    return {tip: tuple(sorted(names)) for tip, names in sorted(out.items())}


def _config(benchmark: str, preset: str, overrides: tuple[str, ...]):
    return job_config(benchmark, preset, overrides, 0, 1)


def measured_verdicts() -> dict[str, dict[str, dict[str, Any]]]:
    """Tip id -> benchmark -> ``{"verdict", "benefit", "variant", "steps", "n"}``: the evidence that ships
    with ganhacks (``ganhacks/assets/measured.json``, written from the suites docs/EVIDENCE.md reports);
    ``{}`` when the file is absent or unreadable."""
    try:
        data = json.loads(resources.files("ganhacks").joinpath(MEASURED).read_text())
    except (OSError, ValueError):
        return {}
    return data.get("tips", {}) if isinstance(data, dict) else {}


def tips_evidence() -> dict[str, list[str]]:
    """Tip id -> one line per benchmark with its shipped verdict, e.g. ``"ring8: hurts (spectral-norm, n=6)"``."""
    out: dict[str, list[str]] = {}
    for tip, by_bench in measured_verdicts().items():
        out[tip] = [f"{b}: {e['verdict']} ({e['variant']}, n={e['n']})" for b, e in sorted(by_bench.items())]
    return out
