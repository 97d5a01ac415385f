"""Issue 15's evidence: the recipe ablation, the target table and the leads, from `ganhacks bench` suites.

Run the suites (each resumable; results land in runs/), then this script:

    ganhacks bench run --suite benchmarks/evidence/recipe_ablation.toml --workers 2 --out runs/recipe-ablation
    ganhacks bench run --suite benchmarks/evidence/recipe_targets_6000.toml --workers 2 --out runs/recipe-targets
    ganhacks bench run --suite benchmarks/evidence/recipe_targets_r1g1.toml --workers 2 --out runs/recipe-targets-5000
    ganhacks bench run --suite benchmarks/evidence/recipe_targets_r1g4.toml --workers 2 --out runs/recipe-targets-r1g4
    ganhacks bench run --suite benchmarks/evidence/recipe_r1g8.toml --workers 2 --out runs/recipe-r1g8
    ganhacks bench run --suite benchmarks/evidence/recipe_relu.toml --workers 2 --out runs/recipe-relu
    ganhacks bench run --suite benchmarks/evidence/recipe_steps6000.toml --workers 2 --out runs/recipe-steps6000
    ganhacks bench run --suite benchmarks/evidence/recipe_beta1.toml --workers 2 --out runs/recipe-beta1
    ganhacks bench run --suite benchmarks/evidence/recipe_r1end.toml --workers 2 --out runs/recipe-r1end
    ganhacks bench run --suite benchmarks/evidence/recipe_steps7000.toml --workers 2 --out runs/recipe-steps7000
    ganhacks bench run --suite benchmarks/evidence/recipe_bnfreeze.toml --workers 2 --out runs/recipe-bnfreeze
    ganhacks bench run --suite benchmarks/evidence/recipe_holdema.toml --workers 2 --out runs/recipe-holdema
    ganhacks bench run --suite benchmarks/evidence/recipe_steps9000.toml --workers 2 --out runs/recipe-steps9000
    ganhacks bench run --suite benchmarks/evidence/recipe_steps10000.toml --workers 2 --out runs/recipe-steps10000
    ganhacks bench run --suite benchmarks/evidence/recipe_rerun9000.toml --workers 1 --out runs/recipe-rerun9000
    ganhacks bench run --suite benchmarks/evidence/recipe_lr8.toml --workers 1 --out runs/recipe-lr8
    ganhacks bench run --suite benchmarks/evidence/recipe_r1g2.toml --workers 2 --out runs/recipe-r1g2
    ganhacks bench run --suite benchmarks/evidence/recipe_grid.toml --workers 2 --out runs/recipe-grid
    ganhacks bench run --suite benchmarks/evidence/recipe_images.toml --workers 2 --out runs/recipe-images
    ganhacks bench run --suite benchmarks/evidence/recipe_stacked.toml --workers 2 --out runs/recipe-stacked
    ganhacks bench run --suite benchmarks/evidence/recipe_images_pack.toml --workers 1 --out runs/recipe-images-pack
    ganhacks bench run --suite benchmarks/evidence/recipe_images_hold.toml --workers 2 --out runs/recipe-images-hold
    ganhacks bench run --suite benchmarks/evidence/recipe_images_lr8.toml --workers 2 --out runs/recipe-images-lr8
    ganhacks bench run --suite benchmarks/evidence/recipe_images_rerun.toml --workers 2 --out runs/recipe-images-rerun
    python benchmarks/recipe_evidence.py   # reads them (see --help)

It writes each suite's report (`ganhacks bench report`) and copies its results.jsonl, evidence.json,
report and figures to docs/evidence/<suite>/, then docs/evidence/recipe.json: the target table of
issue 15 (per benchmark: modes on every seed, high-quality share and PacGAN's reverse KL with 95 %
intervals, CPU-seconds per run, each target met or not) and the per-tip benefits of the ablation,
which docs/EVIDENCE.md quotes and the monitor's remedies read (the `tip | benefit` table there).
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

from ganhacks.bench.benchmarks import direction
from ganhacks.bench.evidence import MEASURED, analyse, compare
from ganhacks.bench.report import fmt_ci, write_report
from ganhacks.bench.results import RESULTS, read_records
from ganhacks.bench.stats import summary

DOCS = Path(__file__).resolve().parents[1] / "docs"
MEASURED_PATH = Path(__file__).resolve().parents[1] / "src" / "ganhacks" / MEASURED

# Issue 15's targets at the default budget, 10 seeds, <= 5 CPU-minutes a run.
TARGETS: dict[str, dict[str, Any]] = {
    "ring8": {"modes_every_seed": 8, "high_quality": 0.97, "reverse_kl_hq": 0.02},
    "grid25": {"modes_every_seed": 25, "high_quality": 0.95, "reverse_kl_hq": 0.02},
}
# the digits' four metrics of issue 15's image target: each must beat the image default it replaces
DIGITS_FOUR = ("fid[digits-cnn]", "kid[digits-cnn]", "precision[digits-cnn]", "recall[digits-cnn]")
# the image targets (stacked digits: mean over seeds; digits: each paired interval on the better side of 0)
IMAGE_TARGETS = {
    "stacked_digits": {"modes_min": 990, "modes_total": 1000, "reverse_kl": 0.06},
    "digits": {"beat_default_on": list(DIGITS_FOUR)},
}
# recipe_images_rerun.toml's recommended: the image defaults before the image lead, run on the lead's machine
IMAGE_BEFORE = "2,000 steps, rates 2e-4 / 4e-4, Adam (0.5, 0.999)"
CPU_BUDGET_S = 300.0
MIN_PAIRS = 6  # the bench's fewest pairs for a verdict
BEFORE_GRID_LEAD = "before the grid lead"  # recipe_targets_6000.toml's recommended: 128-unit D, no R1, 6,000 steps
BEFORE_ISSUE = "before issue 15"  # the recommended preset before issue 15, at 6,000 steps
GAMMA8 = "R1 gamma = 8"  # recipe_r1g8.toml's recommended: the next R1 lead (the default then had gamma = 4)
LEAKY = "leaky ReLU G"  # recipe_targets_r1g4.toml's recommended: R1 gamma = 4 with a leaky-ReLU G (T05), 5,000 steps
RELU_5000 = "ReLU G, 5,000 steps"  # recipe_relu.toml's recommended: the ReLU lead, at the budget of its day
BETA1_6000 = "6,000 steps"  # recipe_beta1.toml's recommended: the beta1 lead, at the budget of its day
LR_2E4 = "learning rates 2e-4"  # recipe_rerun9000.toml's recommended: the defaults before the LR lead, this machine
# The chain of point-family defaults, today's first: each suite's recommended is paired seed by seed with the
# next one's, which differs from it by one lead. (option, default out folder, docs/evidence/<name>, label of
# its recommended in the tables: how it differs from the suite before it in the chain; None for today's)
CHAIN: tuple[tuple[str, str, str, str | None], ...] = (
    ("--targets", "runs/recipe-r1g2", "recipe_targets", None),
    ("--lr8", "runs/recipe-lr8", "recipe_lr8", "R1 gamma = 4, learning rates 8e-4"),
    ("--rerun9000", "runs/recipe-rerun9000", "recipe_rerun9000", LR_2E4),
    ("--steps9000", "runs/recipe-steps9000", "recipe_steps9000", "learning rates 2e-4, earlier machine"),
    ("--bnfreeze", "runs/recipe-bnfreeze", "recipe_bnfreeze", "7,000 steps"),
    ("--steps7000", "runs/recipe-steps7000", "recipe_steps7000", "G's batch norm not held"),
    ("--beta1", "runs/recipe-beta1", "recipe_beta1", BETA1_6000),
    ("--steps6000", "runs/recipe-steps6000", "recipe_steps6000", "Adam betas (0.5, 0.999)"),
    ("--relu", "runs/recipe-relu", "recipe_relu", RELU_5000),
    ("--leaky", "runs/recipe-targets-r1g4", "recipe_targets_r1g4", LEAKY),
    ("--gamma1", "runs/recipe-targets-5000", "recipe_targets_r1g1", "R1 gamma = 1"),
)
# candidates measured against a suite of the chain, seed by seed, and not adopted:
# docs/evidence/<name> <- (out folder, label, the label of the chain's suite it is paired with; "recommended": today's)
CANDIDATES: dict[str, tuple[str, str, str]] = {
    "recipe_r1end": ("runs/recipe-r1end", "R1 annealed to 0", BETA1_6000),
    "recipe_holdema": ("runs/recipe-holdema", "EMA of G (0.999) with the hold", "7,000 steps"),
    "recipe_steps10000": ("runs/recipe-steps10000", "10,000 steps", "learning rates 2e-4, earlier machine"),
}
# lead suites (evidence beyond the ablation and the targets): docs/evidence/<name> <- (default out folder, title)
LEADS: dict[str, tuple[str, str]] = {
    "recipe_grid": ("runs/recipe-grid", "Minibatch std on grid25 before the grid lead (128-unit D, no R1)"),
    "recipe_images": (
        "runs/recipe-images",
        "The first image lead (the image defaults before the image lead): linear learning-rate decay on the digits",
    ),
    "recipe_stacked": (
        "runs/recipe-stacked",
        "Stacked digits, the defaults before the image lead, and packing (PacGAN, two per pack)",
    ),
    "recipe_images_pack": (
        "runs/recipe-images-pack",
        "Image screen before the image lead, one seed: packing with 2,500 steps on the digits",
    ),
}


def publish(folder: Path, name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Report one suite folder and copy what the docs cite to docs/evidence/<name>/; its evidence and records."""
    paths = write_report(folder)
    dest = DOCS / "evidence" / name
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for src in (folder / RESULTS, paths["evidence"], paths["markdown"]):
        shutil.copy2(src, dest / src.name)
    if (folder / "figures").is_dir():
        shutil.copytree(folder / "figures", dest / "figures")
    return json.loads(paths["evidence"].read_text()), read_records(folder / RESULTS)


def target_row(records: list[dict[str, Any]], benchmark: str) -> dict[str, Any]:
    """The target table's row of one benchmark: the `recommended` runs against issue 15's targets."""
    runs = [r for r in records if r["benchmark"] == benchmark and r["variant"] == "recommended"]
    ok = [r for r in runs if r.get("status") == "ok"]
    target = TARGETS[benchmark]
    modes = [r["metrics"]["modes_covered"] for r in ok]
    hq = summary([r["metrics"]["high_quality"] for r in ok])
    kl = summary([r["metrics"]["reverse_kl_hq"] for r in ok])
    cpu = [r["cpu_s"] for r in runs]
    return {
        "benchmark": benchmark,
        "steps": runs[0]["steps"] if runs else None,
        "seeds": len(runs),
        "ok": len(ok),
        "modes_min": min(modes) if modes else None,
        "modes_mean": sum(modes) / len(modes) if modes else None,
        "high_quality": hq,
        "reverse_kl_hq": kl,
        "cpu_s_mean": sum(cpu) / len(cpu) if cpu else None,
        "cpu_s_max": max(cpu) if cpu else None,
        "cpu_min_max": max(cpu) / 60 if cpu else None,
        "target": target,
        # how far the mean is from each share/KL target (positive: short of it), for the text to quote
        "short": {
            "high_quality_pts": round(100 * (target["high_quality"] - hq["mean"]), 1) if ok else None,
            "reverse_kl_hq": round(kl["mean"] - target["reverse_kl_hq"], 4) if ok else None,
        },
        "met": {
            "modes_every_seed": bool(modes) and min(modes) >= target["modes_every_seed"] and len(ok) == len(runs),
            "high_quality": bool(ok) and hq["mean"] >= target["high_quality"],
            "reverse_kl_hq": bool(ok) and kl["mean"] <= target["reverse_kl_hq"],
            "cpu_budget": bool(cpu) and max(cpu) <= CPU_BUDGET_S,
        },
    }


def image_target_rows(records: list[dict[str, Any]], comparisons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Issue 15's image targets read from the image lead's ``recommended`` runs: the stacked digits' modes
    and reverse KL over seeds; on the digits each of the four metrics paired with the default it replaced
    (``comparisons``: the lead's paired comparisons), met when its 95 % interval lies on the better side of 0."""
    rows = []
    for bench in ("stacked_digits", "digits"):
        runs = [r for r in records if r["benchmark"] == bench and r["variant"] == "recommended"]
        if not runs:
            continue
        ok = [r for r in runs if r.get("status") == "ok"]
        cpu = [r["cpu_s"] for r in runs]
        row: dict[str, Any] = {
            "benchmark": bench,
            "steps": runs[0]["steps"],
            "seeds": len(runs),
            "ok": len(ok),
            "cpu_s_mean": sum(cpu) / len(cpu),
            "cpu_s_max": max(cpu),
            "target": IMAGE_TARGETS[bench],
        }
        met = {"cpu_budget": max(cpu) <= CPU_BUDGET_S}
        if bench == "stacked_digits":
            modes = [r["metrics"]["modes_covered"] for r in ok]
            row.update(
                modes_min=min(modes, default=None),
                modes_mean=sum(modes) / len(modes) if modes else None,
                reverse_kl=summary([r["metrics"]["mode_reverse_kl"] for r in ok]),
            )
            met["modes_every_seed"] = bool(modes) and min(modes) >= row["target"]["modes_min"] and len(ok) == len(runs)
            met["reverse_kl"] = bool(ok) and row["reverse_kl"]["mean"] <= row["target"]["reverse_kl"]
        else:
            paired = next((c for c in comparisons if c["benchmark"] == bench), None)
            row["paired"] = {k: paired["metrics"].get(k) for k in DIGITS_FOUR} if paired else {}
            row["baseline"] = paired["baseline"] if paired else None
            for k in DIGITS_FOUR:
                d = row["paired"].get(k)
                measured = bool(d and d.get("n"))
                met[k] = measured and (d["hi"] < 0 if direction(k) < 0 else d["lo"] > 0)
        row["met"] = met
        rows.append(row)
    return rows


def image_lead(new: list[dict[str, Any]], old: list[dict[str, Any]], benchmark: str) -> dict[str, Any]:
    """The image lead on one benchmark: recipe_images_lr8.toml's recommended (today's image defaults) and
    recipe_images_rerun.toml's (the defaults before it, same machine), their cells and the paired comparison
    new minus old, seed by seed, with each cell's costliest run (the 5-CPU-minute bound)."""
    mine = [r for r in new if r["benchmark"] == benchmark and r["variant"] == "recommended"]
    before = [
        {**r, "variant": IMAGE_BEFORE} for r in old if r["benchmark"] == benchmark and r["variant"] == "recommended"
    ]
    cells = analyse(mine)["cells"] + analyse(before)["cells"]
    for cell in cells:
        cell["cpu_s_max"] = max(r["cpu_s"] for r in mine + before if r["variant"] == cell["variant"])
    return {"cells": cells, "comparisons": [across(new, old, benchmark, "recommended", IMAGE_BEFORE)], "tips": {}}


def across(
    new: list[dict[str, Any]], old: list[dict[str, Any]], benchmark: str, old_variant: str, label: str
) -> dict[str, Any]:
    """``recommended`` of the new target suite minus ``old_variant`` of an earlier suite, paired by seed
    with the bench's own :func:`~ganhacks.bench.evidence.compare` (every metric, failures, verdict).

    Both suites seed a run the same way (weights, data, z: ``train.seed``), and the fields the two
    configs share run the same code, so seed s of one is seed s of the other with only the changed
    defaults (and each one's own step budget) apart.
    """
    cell = [r for r in new if r["benchmark"] == benchmark and r["variant"] == "recommended"]
    base = [r for r in old if r["benchmark"] == benchmark and r["variant"] == old_variant]
    return {**compare(cell, base), "baseline": label}


def tip_benefits(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per measured tip and benchmark: its verdict and its benefit on the primary metric."""
    rows = []
    for tip, by_bench in evidence["tips"].items():
        for bench, entry in by_bench.items():
            for m in entry["measurements"]:
                rows.append({"tip": tip, "benchmark": bench, **m})
    return rows


def shipped(*evidences: dict[str, Any]) -> dict[str, Any]:
    """What the package ships (``ganhacks tips``, the remedies' order): one verdict per tip and benchmark."""
    tips: dict[str, dict[str, Any]] = {}
    for tip, by_bench in ((t, b) for e in evidences for t, b in e["tips"].items()):
        for bench, entry in by_bench.items():
            m = entry["measurements"][0]
            tips.setdefault(tip, {})[bench] = {
                "verdict": entry["verdict"],
                "benefit": m["benefit"],
                "variant": "; ".join(x["variant"] for x in entry["measurements"]),
                "steps": m["steps"],
                "n": m["n"],
            }
    return {"source": "docs/EVIDENCE.md (benchmarks/recipe_evidence.py)", "tips": tips}


def tip_t05(today: list[dict[str, Any]], leaky: list[dict[str, Any]]) -> dict[str, Any]:
    """T05's verdict on the mixtures: the leaky-ReLU G of recipe_targets_r1g4.toml (the tip on) against the
    ReLU G of recipe_relu.toml, both at 5,000 steps, seed by seed, analysed by the bench as one suite (so it
    ships like any tip)."""
    on = [
        {**r, "variant": LEAKY, "baseline": "recommended", "tips": ["T05"], "effect": 1}
        for r in leaky
        if r["variant"] == "recommended"
    ]
    return analyse([r for r in today if r["variant"] == "recommended"] + on)


def image_hold(hold: list[dict[str, Any]], base: list[dict[str, Any]], benchmark: str) -> dict[str, Any]:
    """The hold of G's batch-norm statistics on one image benchmark: the hold suite's runs against the
    recommended runs of the image suite of ``benchmark`` (the same seeds and image defaults), seed by
    seed, analysed by the bench as one suite."""
    on = [{**r, "baseline": "recommended"} for r in hold if r["benchmark"] == benchmark]
    return analyse([r for r in base if r["benchmark"] == benchmark and r["variant"] == "recommended"] + on)


def pct(stat: dict[str, Any] | None) -> str:
    """A share's ``mean [lo, hi] %``, as the bench report writes it."""
    return fmt_ci(stat if stat and stat.get("n") else None, percent=True)


def num(stat: dict[str, Any] | None) -> str:
    """``mean [lo, hi]``, as the bench report writes it."""
    return fmt_ci(stat if stat and stat.get("n") else None)


def markdown(out: dict[str, Any]) -> str:
    """The tables docs/EVIDENCE.md shows between its `tables` markers (every number is in recipe.json)."""
    lines = ["### Leave-one-out on ring8 (2,000 steps, paired over seeds)", ""]
    lines += [
        "| variant | what it changes | runs | modes (min) | high quality | reverse KL (HQ) | CPU s | "
        "Δ high quality vs recommended | verdict |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    comps = {c["variant"]: c for c in out["ablation"]["comparisons"]}
    for cell in sorted(out["ablation"]["cells"], key=lambda c: -c["metrics"]["high_quality"]["mean"]):
        m, c = cell["metrics"], comps.get(cell["variant"])
        d = c["metrics"]["high_quality"] if c else None
        delta = f"{100 * d['mean']:+.1f} pts [{100 * d['lo']:+.1f}, {100 * d['hi']:+.1f}]" if d and d["n"] else "-"
        lines.append(
            f"| {cell['variant']} | {cell['note']} | {cell['ok']}/{cell['runs']} | "
            f"{m['modes_covered']['min']:.0f} | {pct(m['high_quality'])} | {num(m['reverse_kl_hq'])} | "
            f"{cell['cpu_s']:.0f} | {delta} | {c['verdict'] if c else 'baseline'} |"
        )
    lines += ["", "### Per tip (the monitor's remedies read this table)", ""]
    lines += ["| tip | benchmark | variant | benefit | verdict |", "|---|---|---|---|---|"]
    for t in out["tips"]:
        benefit = f"{t['benefit']:+.3f}" if t["benefit"] is not None else "-"
        lines.append(f"| {t['tip']} | {t['benchmark']} | {t['variant']} | {benefit} | {t['verdict']} |")
    lines += ["", "### The targets at the default budget", ""]
    lines += [
        "| data | steps | seeds | modes: min / mean | high quality | reverse KL (HQ) | CPU s / run: mean (max) | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in out["targets"]:
        met = ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in r["met"].items())
        lines.append(
            f"| {r['benchmark']} | {r['steps']:,} | {r['ok']}/{r['seeds']} | {r['modes_min']:.0f} / "
            f"{r['modes_mean']:.2f} | {pct(r['high_quality'])} | {num(r['reverse_kl_hq'])} | "
            f"{r['cpu_s_mean']:.0f} ({r['cpu_s_max']:.0f}) | {met} |"
        )
    if out.get("image_target_rows"):
        lines += ["", "### The image targets at the default budget", ""]
        lines += [
            "| data | steps | seeds | measured | CPU s / run: mean (max) | met |",
            "|---|---|---|---|---|---|",
        ]
        for r in out["image_target_rows"]:
            if r["benchmark"] == "stacked_digits":
                kl = num(r["reverse_kl"])
                what = f"modes of 1,000: min {r['modes_min']:.0f}, mean {r['modes_mean']:.1f}; reverse KL {kl}"
            else:
                what = "; ".join(f"{k} {num(d)}" for k, d in r["paired"].items()) + f" (minus {r['baseline']})"
            met = ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in r["met"].items())
            lines.append(
                f"| {r['benchmark']} | {r['steps']:,} | {r['ok']}/{r['seeds']} | {what} | "
                f"{r['cpu_s_mean']:.0f} ({r['cpu_s_max']:.0f}) | {met} |"
            )
    lines += ["", "### Against the previous defaults, each at its own default budget", ""]
    lines += [
        "| data | steps | variant | runs | modes (min) | high quality | reverse KL (HQ) | CPU s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for cell in out["cells"]:
        if cell["runs"] < MIN_PAIRS:  # a seed left from an earlier plan of the suite
            continue
        m = cell["metrics"]
        lines.append(
            f"| {cell['benchmark']} | {cell['steps']:,} | {cell['variant']} | {cell['ok']}/{cell['runs']} | "
            f"{m['modes_covered']['min']:.0f} | {pct(m['high_quality'])} | {num(m['reverse_kl_hq'])} | "
            f"{cell['cpu_s']:.0f} |"
        )
    said = set()
    for c in out["comparisons"]:
        d = c["metrics"]["high_quality"]
        pair = (c["benchmark"], frozenset((c["variant"], c["baseline"])))
        if d["n"] >= MIN_PAIRS and pair not in said:  # one sentence per pair, whichever side is the baseline
            said.add(pair)
            lines.append("")
            k, kl = c["metrics"].get("modes_covered"), c["metrics"].get("reverse_kl_hq")
            more = ""
            if k and kl and k.get("n") and kl.get("n"):
                more = (
                    f", modes {k['mean']:+.2f} [{k['lo']:+.2f}, {k['hi']:+.2f}], reverse KL (HQ) "
                    f"{kl['mean']:+.3g} [{kl['lo']:+.3g}, {kl['hi']:+.3g}]"
                )
            lines.append(
                f"Paired over {d['n']} seeds on {c['benchmark']}: {c['variant']} minus {c['baseline']}, "
                f"high quality {100 * d['mean']:+.1f} points [{100 * d['lo']:+.1f}, {100 * d['hi']:+.1f}]{more}; "
                f"verdict: {c['verdict']}."
            )
    for lead in out.get("leads", []):
        lines += ["", f"### {lead['title']}", ""]
        lines += lead_table(lead)
    return "\n".join(lines) + "\n"


def lead_table(lead: dict[str, Any]) -> list[str]:
    """One lead suite's cells (mixtures: modes, high quality, reverse KL; digits: FID, KID, precision,
    recall) and one sentence per paired comparison on its primary metrics."""
    lines: list[str] = []
    images = any("fid[digits-cnn]" in c["metrics"] for c in lead["cells"])
    stacked = any("mode_reverse_kl" in c["metrics"] and "high_quality" not in c["metrics"] for c in lead["cells"])
    if images:
        keys = ("fid[digits-cnn]", "kid[digits-cnn]", "precision[digits-cnn]", "recall[digits-cnn]")
        lines += ["| data | variant | runs | " + " | ".join(keys) + " | CPU s |", "|---|---|---|---|---|---|---|---|"]
    elif stacked:
        keys = ("modes_covered", "mode_reverse_kl")
        lines += [
            "| data | variant | runs | modes of 1,000 (min / mean) | reverse KL | CPU s |",
            "|---|---|---|---|---|---|",
        ]
    else:
        keys = ("modes_covered", "high_quality", "reverse_kl_hq")
        lines += [
            "| data | variant | runs | modes (min / mean) | high quality | reverse KL (HQ) | CPU s |",
            "|---|---|---|---|---|---|---|",
        ]
    for cell in lead["cells"]:
        m = cell["metrics"]
        if images:
            values = " | ".join(num(m.get(k)) for k in keys)
        elif stacked:
            values = (
                f"{m['modes_covered']['min']:.0f} / {m['modes_covered']['mean']:.1f} "
                f"[{m['modes_covered']['lo']:.1f}, {m['modes_covered']['hi']:.1f}] | {num(m['mode_reverse_kl'])}"
            )
        else:
            values = (
                f"{m['modes_covered']['min']:.0f} / {m['modes_covered']['mean']:.2f} | {pct(m['high_quality'])} | "
                f"{num(m['reverse_kl_hq'])}"
            )
        lines.append(
            f"| {cell['benchmark']} | {cell['variant']} | {cell['ok']}/{cell['runs']} | {values} | "
            f"{cell['cpu_s']:.0f} |"
        )
    for c in lead["comparisons"]:
        parts = []
        for k in keys:
            d = c["metrics"].get(k)
            if d and d.get("n"):
                scale, unit = (100, " pts") if k == "high_quality" else (1, "")
                parts.append(f"{k} {scale * d['mean']:+.3g}{unit} [{scale * d['lo']:+.3g}, {scale * d['hi']:+.3g}]")
        n = max((d["n"] for d in c["metrics"].values() if d and d.get("n")), default=0)
        lines += [
            "",
            f"Paired over {n} seeds on {c['benchmark']}: {c['variant']} minus {c['baseline']}: "
            + ", ".join(parts)
            + f"; verdict on the primary metric: {c['verdict']}.",
        ]
    return lines


def write_tables(page: Path, tables: str) -> None:
    """Replace what lies between ``<!-- tables:start -->`` and ``<!-- tables:end -->`` in ``page``."""
    text = page.read_text()
    start, end = "<!-- tables:start -->", "<!-- tables:end -->"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        page.write_text(head + start + "\n\n" + tables + "\n" + end + rest.split(end, 1)[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ablation", default="runs/recipe-ablation", help="out folder of the ablation suite")
    for option, folder, name, label in CHAIN:
        what = f"today's target table, {name}" if label is None else f"labelled {label!r}"
        parser.add_argument(option, default=folder, help=f"out folder of the chain's suite ({what})")
    parser.add_argument(
        "--before", default="runs/recipe-targets", help="out folder of recipe_targets_6000.toml (the defaults before)"
    )
    parser.add_argument("--gamma8", default="runs/recipe-r1g8", help="out folder of recipe_r1g8.toml (R1 gamma = 8)")
    parser.add_argument(
        "--images-hold",
        default="runs/recipe-images-hold",
        help="out folder of recipe_images_hold.toml (G's batch norm held on images; paired with the image leads)",
    )
    parser.add_argument(
        "--images-lr8",
        default="runs/recipe-images-lr8",
        help="out folder of recipe_images_lr8.toml (the image lead: today's image defaults)",
    )
    parser.add_argument(
        "--images-rerun",
        default="runs/recipe-images-rerun",
        help="out folder of recipe_images_rerun.toml (the image defaults before the image lead, same machine)",
    )
    parser.add_argument(
        "--lead",
        action="append",
        default=None,
        metavar="NAME=DIR",
        help="a lead suite's out folder, published as docs/evidence/NAME (repeatable; default: LEADS)",
    )
    args = parser.parse_args(argv)
    ablation, _ = publish(Path(args.ablation), "recipe_ablation")
    chain = [(publish(Path(getattr(args, o[2:])), name), label) for o, _, name, label in CHAIN]
    targets, records = chain[0][0]
    runs_of = {label or "recommended": runs for (_, runs), label in chain}
    lk, rl = runs_of[LEAKY], runs_of[RELU_5000]
    before, old = publish(Path(args.before), "recipe_targets_6000")
    g8_folder = Path(args.gamma8)
    gamma8, g8 = publish(g8_folder, "recipe_r1g8") if (g8_folder / RESULTS).is_file() else ({"cells": []}, [])
    # the gamma-8 lead against the default it was run beside (gamma 4, leaky-ReLU G), seed by seed
    lead8 = [{**across(g8, lk, b, "recommended", LEAKY), "variant": GAMMA8} for b in TARGETS if g8]
    t05 = tip_t05(rl, lk)  # both at 5,000 steps: only G's activation apart
    tried, tried_cells = [], []  # each candidate's recommended minus its base suite's, paired by seed
    for name, (folder, label, base) in CANDIDATES.items():
        if (Path(folder) / RESULTS).is_file():
            evidence, runs = publish(Path(folder), name)
            tried += [{**across(runs, runs_of[base], b, "recommended", base), "variant": label} for b in TARGETS]
            tried_cells += [{**c, "variant": label} for c in evidence["cells"]]
    leads, lead_runs = [], {}
    for item in args.lead or [f"{name}={folder}" for name, (folder, _) in LEADS.items()]:
        name, _, folder = item.partition("=")
        if (Path(folder) / RESULTS).is_file():
            evidence, runs = publish(Path(folder), name)
            title = LEADS.get(name, (folder, name))[1]
            for cell in evidence["cells"]:  # the 5-CPU-minute bound is on the costliest run
                key = (cell["benchmark"], cell["variant"])
                cpu = [r["cpu_s"] for r in runs if (r["benchmark"], r["variant"]) == key]
                cell["cpu_s_max"] = max(cpu, default=None)
            leads.append({"name": name, "title": title, "evidence": evidence})
            lead_runs[name] = runs
    hold_folder = Path(args.images_hold)
    if (hold_folder / RESULTS).is_file():  # the hold on images, paired with the image suites' defaults
        _, hold = publish(hold_folder, "recipe_images_hold")
        for bench, base in (("digits", "recipe_images"), ("stacked_digits", "recipe_stacked")):
            if lead_runs.get(base):
                seeds = len({r["seed"] for r in hold if r["benchmark"] == bench})
                what = bench.replace("_", " ")
                title = f"G's batch norm held from mid-run on {what}, {seeds} seed(s), against the defaults of its day"
                leads.append(
                    {
                        "name": f"recipe_images_hold_{bench}",
                        "title": title,
                        "evidence": image_hold(hold, lead_runs[base], bench),
                    }
                )
    image_rows: list[dict[str, Any]] = []
    lr8_folder, rerun_folder = Path(args.images_lr8), Path(args.images_rerun)
    if (lr8_folder / RESULTS).is_file() and (rerun_folder / RESULTS).is_file():
        _, image_new = publish(lr8_folder, "recipe_images_lr8")
        _, image_old = publish(rerun_folder, "recipe_images_rerun")
        image_comparisons = []
        for bench in ("digits", "stacked_digits"):
            lead = image_lead(image_new, image_old, bench)
            image_comparisons += lead["comparisons"]
            what = bench.replace("_", " ")
            title = f"The image lead on {what}: today's image defaults against the ones before, same machine"
            leads.append({"name": f"recipe_images_lr8_{bench}", "title": title, "evidence": lead})
        image_rows = image_target_rows(image_new, image_comparisons)
    renamed = {"recommended": BEFORE_GRID_LEAD, "previous": BEFORE_ISSUE}
    out = {
        "command": "python benchmarks/recipe_evidence.py",
        "targets": [target_row(records, b) for b in TARGETS if any(r["benchmark"] == b for r in records)],
        "cpu_budget_s": CPU_BUDGET_S,
        "image_targets": IMAGE_TARGETS,
        "image_target_rows": image_rows,
        "tips": tip_benefits(ablation)
        + tip_benefits(t05)
        + [t for lead in leads for t in tip_benefits(lead["evidence"])],
        "ablation": {"cells": ablation["cells"], "comparisons": ablation["comparisons"]},
        "comparisons": [
            # each suite of the chain against the next, seed by seed, on both mixtures
            {**across(new, older, b, "recommended", older_label), "variant": new_label or "recommended"}
            for ((_, new), new_label), ((_, older), older_label) in zip(chain, chain[1:])
            for b in ("ring8", "grid25")
        ]
        + [
            across(records, old, "ring8", "recommended", BEFORE_GRID_LEAD),
            across(records, old, "grid25", "recommended", BEFORE_GRID_LEAD),
            across(records, old, "grid25", "previous", BEFORE_ISSUE),
        ]
        + lead8
        + tried,
        "cells": targets["cells"]
        + tried_cells
        + [{**c, "variant": label} for (evidence, _), label in chain[1:] for c in evidence["cells"]]
        + [{**c, "variant": GAMMA8} for c in gamma8["cells"]]
        + [{**c, "variant": renamed.get(c["variant"], c["variant"])} for c in before["cells"]],
        "published": targets["published"],
        "leads": [
            {"name": x["name"], "title": x["title"], **{k: x["evidence"][k] for k in ("cells", "comparisons")}}
            for x in leads
        ],
    }
    (DOCS / "evidence" / "recipe.json").write_text(json.dumps(out, indent=1, default=str) + "\n")
    MEASURED_PATH.write_text(json.dumps(shipped(ablation, t05, *(x["evidence"] for x in leads)), indent=1) + "\n")
    if (DOCS / "EVIDENCE.md").is_file():
        write_tables(DOCS / "EVIDENCE.md", markdown(out))
    for row in out["targets"]:
        print(json.dumps({k: row[k] for k in ("benchmark", "seeds", "modes_min", "cpu_s_max", "met")}))
        print(f"  high_quality {row['high_quality']}  reverse_kl_hq {row['reverse_kl_hq']}")
    for r in image_rows:
        print(json.dumps({k: r[k] for k in ("benchmark", "steps", "seeds", "cpu_s_max", "met")}))
    for c in out["comparisons"]:
        d = c["metrics"]["high_quality"]
        pair = f"{c['benchmark']}: {c['variant']} - {c['baseline']}"
        print(f"{pair}: hq {d['mean']:+.4f} [{d['lo']:+.4f}, {d['hi']:+.4f}]")
    for t in out["tips"]:
        print(f"{t['tip']} {t['benchmark']} {t['variant']}: {t['verdict']} (benefit {t['benefit']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
