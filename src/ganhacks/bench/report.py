"""``ganhacks bench report DIR``: the evidence page of a suite run, as Markdown (``DIR/report.md`` with
``DIR/figures/*.png``) and as one self-contained HTML file (``DIR/report.html``, figures inlined),
plus the machine-readable summary ``DIR/evidence.json``.

The page is built once as a list of blocks (headings, paragraphs, tables, figures) and rendered
twice, so the two versions always say the same thing. It holds: what ran and what it cost; our
numbers beside the published ones for the same benchmarks (with our budget beside theirs); per
benchmark and budget a table of every variant (mean and 95 % interval per metric, failure rate),
a figure of every seed's value with the mean and interval, and the paired comparisons with their
verdicts (untuned and tuned side by side); the verdict per tip; and every crashed job's error.
"""

from __future__ import annotations

import base64
import html
import json
import math
import time
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure  # the object API: no pyplot state, no window, any backend

from ganhacks.bench.benchmarks import BENCHMARKS, PUBLISHED, direction, get_benchmark, real_data_scores
from ganhacks.bench.evidence import EVIDENCE, FAILED, analyse, clean
from ganhacks.bench.results import PLAN, RESULTS, read_json_object, read_records
from ganhacks.bench.stats import LEVEL, MIN_SEEDS
from ganhacks.errors import UserError
from ganhacks.tips import TIPS

REFERENCE = "reference.json"  # cached real-data scores per benchmark
Block = tuple  # ("h1"|"h2"|"h3", text) | ("p", text) | ("table", headers, rows) | ("img", path, alt)


# ---------------------------------------------------------------- formatting


def fmt(value: Any, digits: int = 3) -> str:
    """A number with ``digits`` significant digits (integers as they are); "-" for nothing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) >= 1):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.0f}"
    return f"{value:.{digits}g}"


def fmt_ci(stat: dict[str, Any] | None, percent: bool = False) -> str:
    """``mean [lo, hi]`` of a summary (shares as percentages with ``percent``)."""
    if not stat:
        return "-"
    k = 100.0 if percent else 1.0
    mean, lo, hi = (stat.get(x) for x in ("mean", "lo", "hi"))
    if mean is None or not math.isfinite(mean):
        return "-"
    unit = " %" if percent else ""
    if lo == hi:
        return f"{fmt(mean * k)}{unit}"
    return f"{fmt(mean * k)} [{fmt(lo * k)}, {fmt(hi * k)}]{unit}"


# ---------------------------------------------------------------- figures


def dot_figure(cells: list[dict[str, Any]], metrics: tuple[str, ...], path: Path, title: str) -> None:
    """One panel per metric: every seed's value as a dot, the mean as a bar, the 95 % interval as a line."""
    n = len(cells)
    fig = Figure(figsize=(4.2 * len(metrics), 1.4 + 0.32 * n))
    axes = fig.subplots(1, len(metrics), squeeze=False)
    names = [c["variant"] for c in cells]
    for ax, metric in zip(axes[0], metrics):
        for i, c in enumerate(cells):
            stat = c["metrics"].get(metric)
            if not stat:
                continue
            values = list(stat["values"].values())
            jitter = [(k % 5 - 2) * 0.04 for k in range(len(values))]  # seeds above, mean and interval below
            ax.scatter(values, [i - 0.15 + j for j in jitter], s=14, alpha=0.7, color="tab:blue", zorder=3)
            ax.plot([stat["lo"], stat["hi"]], [i + 0.2, i + 0.2], color="black", linewidth=1.4)
            ax.plot([stat["mean"]], [i + 0.2], marker="|", markersize=10, color="black", markeredgewidth=2)
        ax.set_yticks(range(n))
        ax.set_yticklabels(names if ax is axes[0][0] else [""] * n, fontsize=8)
        ax.invert_yaxis()
        better = {1: "higher is better", -1: "lower is better"}.get(direction(metric), "")
        ax.set_title(f"{metric}\n{better}", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


# ---------------------------------------------------------------- the page


def _cells_by_panel(evidence: dict[str, Any]) -> dict[tuple[str, int], list[dict[str, Any]]]:
    panels: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for c in evidence["cells"]:
        panels[(c["benchmark"], c["steps"])].append(c)
    for (bench_name, _), cells in panels.items():
        primary = get_benchmark(bench_name).primary
        sign = direction(primary) or 1

        def key(c: dict[str, Any], primary: str = primary, sign: int = sign) -> float:
            stat = c["metrics"].get(primary)
            return -sign * stat["mean"] if stat and math.isfinite(stat["mean"]) else math.inf

        cells.sort(key=key)
    order = {name: i for i, name in enumerate(BENCHMARKS.names())}
    return dict(sorted(panels.items(), key=lambda kv: (order.get(kv[0][0], len(order)), kv[0][1])))


def _published_blocks(panels: dict, reference: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = [
        ("h2", "Against the published numbers"),
        (
            "p",
            "Published rows are as printed (their architectures and budgets); ours are mean [95 % interval] over "
            "seeds at our budget, with the CPU seconds of one run (training and scoring, one thread). On the "
            "mixtures the reverse KL is PacGAN's: the histogram of the high-quality samples only "
            "(`reverse_kl_hq`); the lenient `mode_reverse_kl` is not comparable and is not shown here. "
            "The stacked digits are 8x8 (theirs: 28x28 MNIST), labelled by our digits classifier. "
            "'real data' scores fresh samples of the benchmark itself at the same sample size.",
        ),
    ]
    present = {b for b, _ in panels}
    for name in (b for b in ("ring8", "grid25", "stacked_digits") if b in present):
        rows = []
        kl = "reverse_kl_hq" if name != "stacked_digits" else "mode_reverse_kl"
        for p in (p for p in PUBLISHED if p.benchmark == name):
            hq = fmt(p.high_quality * 100) + " %" if p.high_quality is not None else "-"
            rows.append([p.method, p.source, fmt(p.modes), hq, fmt(p.reverse_kl), p.budget, "-"])
        ref = reference.get(name)
        if ref:
            hq = fmt(ref["high_quality"] * 100) + " %" if "high_quality" in ref else "-"
            rows.append(["real data", "fresh samples", fmt(ref["modes_covered"]), hq, fmt(ref[kl]), "-", "-"])
        for (bench_name, steps), cells in panels.items():
            if bench_name != name:
                continue
            primary = get_benchmark(name).primary
            shown = [c for c in cells if c["variant"] in ("recommended", "vanilla")]
            best = next((c for c in cells if c["metrics"].get(primary)), None)
            if best is not None and best not in shown:
                shown.append(best)
            for c in shown:
                m = c["metrics"]
                label = f"ours: {c['variant']}" + (" (best here)" if c is best else "")
                rows.append(
                    [
                        label,
                        f"ganhacks, {c['ok']} of {c['runs']} runs ok",
                        fmt_ci(m.get("modes_covered")),
                        fmt_ci(m.get("high_quality"), percent=True) if "high_quality" in m else "-",
                        fmt_ci(m.get(kl)),
                        f"{steps:,} steps",
                        fmt(c["cpu_s"]),
                    ]
                )
        if rows:
            blocks.append(("h3", name))
            headers = ["method", "source", "modes", "high quality", "reverse KL", "budget", "CPU s / run"]
            blocks.append(("table", headers, rows))
    return blocks


def _cell_table(cells: list[dict[str, Any]], metrics: tuple[str, ...]) -> Block:
    headers = ["variant", "group", "runs ok", *metrics, "failed (diverged or collapsed)", "CPU s", "alerts"]
    rows = []
    for c in cells:
        fail = "-"
        if c["failure_rate"] is not None:
            lo, hi = c["failure_ci"]
            fail = f"{fmt(100 * c['failure_rate'])} % [{fmt(100 * lo)}, {fmt(100 * hi)}]"
        alerts = ", ".join(f"{k} x{v}" for k, v in sorted(c["alerts"].items())) or "-"
        rows.append(
            [
                c["variant"],
                c["group"] or "",
                f"{c['ok']}/{c['runs']}",
                *(fmt_ci(c["metrics"].get(m)) for m in metrics),
                fail,
                fmt(c["cpu_s"]),
                alerts,
            ]
        )
    return ("table", headers, rows)


def _comparison_table(comparisons: list[dict[str, Any]], primary: str) -> Block:
    untuned = {c["variant"]: c for c in comparisons if not c["tune"]}
    tuned = {c["variant"].split("@")[0]: c for c in comparisons if c["tune"]}
    headers = ["variant", "vs", "tips", f"Δ {primary}", "Δ failure rate", "verdict", "verdict after tuning"]
    rows = []
    for name in list(untuned) + [n for n in tuned if n not in untuned]:
        c = untuned.get(name) or tuned[name]
        p, f = c["metrics"][primary], c["metrics"][FAILED]
        t = tuned.get(name)
        rows.append(
            [
                name,
                c["baseline"],
                " ".join(c["tips"]) or "-",
                f"{fmt_ci(p)} (n={p['n']})",
                fmt_ci(f),
                c["verdict"] if name in untuned else "-",
                t["verdict"] if t else "-",
            ]
        )
    return ("table", headers, rows)


def _tips_blocks(evidence: dict[str, Any], benchmarks: list[str]) -> list[Block]:
    tips = evidence["tips"]
    if not tips:
        return []
    titles = {t.id: t.title for t in TIPS}
    rows = []
    for tip_id, by_bench in tips.items():
        cells = []
        for b in benchmarks:
            e = by_bench.get(b)
            if not e:
                cells.append("-")
                continue
            v = e["verdict"] or "-"
            cells.append(v + (f" / tuned: {e['tuned_verdict']}" if e.get("tuned_verdict") else ""))
        measured = sorted({m["variant"].split("@")[0] for e in by_bench.values() for m in e["measurements"]})
        rows.append([tip_id, titles.get(tip_id, ""), *cells, ", ".join(measured)])
    return [
        ("h2", "Verdicts per tip"),
        (
            "p",
            "A tip helps on a benchmark when the variants that measure it say so: adding it to a preset helps, or "
            "taking it out of one hurts (on the primary metric or the failure rate; 'mixed' when they disagree).",
        ),
        ("table", ["tip", "title", *benchmarks, "measured by"], rows),
    ]


def _failure_blocks(records: list[dict[str, Any]]) -> list[Block]:
    crashed = [r for r in records if r.get("status") == "crashed"]
    if not crashed:
        return []
    rows = [[r["job"], (r.get("error") or "")[:200]] for r in crashed[:50]]
    more = f" (first 50 of {len(crashed)})" if len(crashed) > 50 else ""
    return [("h2", f"Crashed jobs{more}"), ("table", ["job", "error"], rows)]


def document(
    evidence: dict[str, Any], records: list[dict[str, Any]], plan: dict[str, Any], reference: dict, figures: Path
) -> list[Block]:
    """The blocks of the page (figures are written into ``figures`` on the way)."""
    name = plan.get("suite") or "suite"
    statuses = [r.get("status") for r in records]
    evals = [r for r in records if r.get("phase", "eval") == "eval"]
    cpu_h = evidence["totals"]["cpu_h"]
    planned = len(plan.get("jobs", [])) or len(records)
    seeds = sorted({int(r["seed"]) for r in evals})
    command = plan.get("command") or f"ganhacks bench run --suite {name} --seeds {len(seeds)}"
    blocks: list[Block] = [
        ("h1", f"Evidence: suite {name}"),
        ("p", plan.get("description") or ""),
        (
            "p",
            f"{len(records)} of {planned} jobs finished ({statuses.count('ok')} ok, {statuses.count('diverged')} "
            f"diverged, {statuses.count('crashed')} crashed), {len(seeds)} evaluation seeds, "
            f"{plan.get('tune') or 0} tuning trials per variant; {fmt(cpu_h)} CPU hours in the workers. "
            f"Reproduce with `{command}`, then `ganhacks bench report DIR`.",
        ),
        (
            "p",
            f"How to read it: every interval is a {int(LEVEL * 100)} % bootstrap interval (expanded percentile, "
            "10,000 resamples) of a mean over seeds. A variant is compared with its baseline over the seeds both "
            "ran (paired differences); the verdict says helps or hurts only when the interval of the difference "
            f"excludes zero, on the benchmark's primary metric or on the failure rate, and needs {MIN_SEEDS} "
            "or more pairs. A run failed when it diverged (NaN/Inf) or collapsed (the benchmark's rule).",
        ),
    ]
    panels = _cells_by_panel(evidence)
    blocks += _published_blocks(panels, reference)
    figures.mkdir(exist_ok=True)
    for (bench_name, steps), cells in panels.items():
        bench = get_benchmark(bench_name)
        blocks.append(("h2", f"{bench_name}, {steps:,} steps"))
        blocks.append(("p", f"{bench.description}. Primary metric: {bench.primary}. Collapsed: {bench.collapse_rule}."))
        blocks.append(_cell_table(cells, bench.metrics))
        fig_name = f"{bench_name}-{steps}.png"
        shown = (bench.primary, *[m for m in bench.metrics if m != bench.primary][:2])
        dot_figure(cells, shown, figures / fig_name, f"{bench_name}, {steps:,} steps: every seed")
        blocks.append(("img", f"figures/{fig_name}", f"{bench_name} at {steps} steps, per seed"))
        comparisons = [c for c in evidence["comparisons"] if (c["benchmark"], c["steps"]) == (bench_name, steps)]
        if comparisons:
            blocks.append(("h3", "Paired comparisons"))
            blocks.append(_comparison_table(comparisons, bench.primary))
    blocks += _tips_blocks(
        evidence, [b for b in ("ring8", "grid25", "stacked_digits", "digits") if any(k[0] == b for k in panels)]
    )
    blocks += _failure_blocks(records)
    skipped = plan.get("skipped_variants") or []
    if skipped:
        rows = [[s["benchmark"], s["variant"], s["reason"]] for s in skipped]
        blocks += [("h2", "Derived variants that could not run"), ("table", ["benchmark", "variant", "why"], rows)]
    return blocks


# ---------------------------------------------------------------- renderers


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(blocks: list[Block]) -> str:
    """The page as Markdown."""
    out = []
    for block in blocks:
        kind = block[0]
        if kind in ("h1", "h2", "h3"):
            out.append(f"{'#' * int(kind[1])} {block[1]}\n")
        elif kind == "p":
            if block[1]:
                out.append(block[1] + "\n")
        elif kind == "table":
            headers, rows = block[1], block[2]
            out.append("| " + " | ".join(map(_md_cell, headers)) + " |")
            out.append("|" + "---|" * len(headers))
            out += ["| " + " | ".join(map(_md_cell, row)) + " |" for row in rows]
            out.append("")
        elif kind == "img":
            out.append(f"![{block[2]}]({block[1]})\n")
    return "\n".join(out)


def _inline_code(text: str) -> str:
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def render_html(blocks: list[Block], root: Path) -> str:
    """The page as one HTML file, figures inlined as base64 PNG."""
    body = []
    for block in blocks:
        kind = block[0]
        if kind in ("h1", "h2", "h3"):
            body.append(f"<{kind}>{html.escape(block[1])}</{kind}>")
        elif kind == "p":
            if block[1]:
                body.append(f"<p>{_inline_code(block[1])}</p>")
        elif kind == "table":
            head = "".join(f"<th>{html.escape(str(h))}</th>" for h in block[1])
            rows = "".join(
                "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in block[2]
            )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif kind == "img":
            data = base64.b64encode((root / block[1]).read_bytes()).decode()
            body.append(f'<img alt="{html.escape(block[2])}" src="data:image/png;base64,{data}">')
    style = (
        "body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}"
        "table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 6px;"
        "text-align:left}th{background:#f2f2f2}img{max-width:100%}code{background:#f5f5f5;padding:0 3px}"
    )
    title = html.escape(next((b[1] for b in blocks if b[0] == "h1"), "ganhacks bench"))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title><style>{style}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


# ---------------------------------------------------------------- entry point


def clean_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``plan.json`` the page uses, each only when it has the right type."""
    out: dict[str, Any] = {k: plan[k] for k in ("suite", "description", "command") if isinstance(plan.get(k), str)}
    if isinstance(plan.get("tune"), int) and not isinstance(plan.get("tune"), bool):
        out["tune"] = plan["tune"]
    if isinstance(plan.get("jobs"), list):
        out["jobs"] = [j for j in plan["jobs"] if isinstance(j, str)]
    if isinstance(plan.get("skipped_variants"), list):
        keys = ("benchmark", "variant", "reason")
        out["skipped_variants"] = [
            s for s in plan["skipped_variants"] if isinstance(s, dict) and all(isinstance(s.get(k), str) for k in keys)
        ]
    return out


def totals(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts and CPU of a suite's records."""
    statuses = [r.get("status") for r in records]
    cpu = sum(r.get("cpu_s") or 0 for r in records)
    return {
        "jobs": len(records),
        "ok": statuses.count("ok"),
        "diverged": statuses.count("diverged"),
        "crashed": statuses.count("crashed"),
        "cpu_s": cpu,
        "cpu_h": cpu / 3600,
    }


def reference_scores(out: Path, benchmarks: list[str]) -> dict[str, Any]:
    """Real-data scores of ``benchmarks``, computed once and kept in ``DIR/reference.json``."""
    path = out / REFERENCE
    cached = json.loads(path.read_text()) if path.is_file() else {}
    missing = [b for b in benchmarks if b not in cached]
    for b in missing:
        cached[b] = real_data_scores(b)
    if missing:
        path.write_text(json.dumps(cached, indent=2) + "\n")
    return cached


def write_report(out: str | Path) -> dict[str, Path]:
    """Write ``report.md``, ``report.html``, ``figures/`` and ``evidence.json`` into the suite folder ``out``.

    Raises:
        UserError: ``out`` is not a bench folder or holds no finished job.
    """
    out = Path(out)
    if not (out / RESULTS).is_file():
        raise UserError(f"{out} holds no {RESULTS}; give the --out folder of a ganhacks bench run")
    records = read_records(out / RESULTS)
    if not records:
        raise UserError(f"{out / RESULTS} holds no finished job yet")
    plan = clean_plan(read_json_object(out / PLAN))
    benches = sorted({r["benchmark"] for r in records} & {"ring8", "grid25", "stacked_digits"})
    reference = reference_scores(out, benches)
    records = [clean(r) for r in records]
    evidence = {
        "suite": plan.get("suite"),
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "totals": totals(records),
        **analyse(records),
        # every number the page quotes is in this file (docs/*.md figures must come from a JSON)
        "published": [asdict(p) for p in PUBLISHED],
        "reference": reference,
    }
    (out / EVIDENCE).write_text(json.dumps(evidence, indent=1, default=str) + "\n")
    blocks = document(evidence, records, plan, reference, out / "figures")
    (out / "report.md").write_text(render_markdown(blocks))
    (out / "report.html").write_text(render_html(blocks, out))
    return {"markdown": out / "report.md", "html": out / "report.html", "evidence": out / EVIDENCE}
