"""``report.html`` for a run folder: curves, symptom timeline, sample grids, metrics (tip T10).

One self-contained HTML file that opens offline: no scripts, no CDN, every picture embedded as
a base64 PNG drawn with matplotlib (Agg). It is rebuilt from the run folder's files alone
(metrics.jsonl, events.jsonl, samples/*.png, metrics.json, config.json); lines or files that
cannot be read (a crash mid-write) are skipped and listed in the report.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ganhacks.display import feature_space, format_metric, metric_label
from ganhacks.errors import UserError
from ganhacks.outputs import OutputKind, check_output, write_output
from ganhacks.rundir import RunDir, read_jsonl
from ganhacks.tips import TIPS_BY_ID

SEVERITY_COLOURS = {"info": "#888888", "warning": "#e6a700", "error": "#d62728", "critical": "#7b0000"}
MAX_GRIDS = 8  # sample grids shown, evenly spaced over the run


@dataclass
class RunData:
    """What a run folder holds, as read by :func:`load_run`, with notes on what was skipped."""

    path: Path
    metrics: list[dict[str, float]] = field(default_factory=list)  # one record per logged step
    events: list[dict[str, Any]] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    final: dict[str, Any] = field(default_factory=dict)  # metrics.json
    samples: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str) and v.strip().lower() in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity"):
        return float(v)  # non-finite values are logged as strings (JSON has no NaN)
    return None


def check_run_folder(run_dir: str | Path) -> Path:
    """``run_dir`` as a Path after checking it is a folder (a file given by mistake is named as one)."""
    path = Path(run_dir)
    if path.is_dir():
        return path
    if path.exists():
        raise UserError(f"{path} is a file, not a run folder; pass a folder written by 'ganhacks train --out'")
    raise UserError(f"run folder {path} does not exist; pass a folder written by 'ganhacks train --out'")


def load_run(run_dir: str | Path) -> RunData:
    """Read a run folder written by ``ganhacks train`` (or any folder with a metrics.jsonl).

    Raises:
        UserError: the folder does not exist or holds none of the run files.
    """
    path = check_run_folder(run_dir)
    rd = RunDir(path)
    files = (rd.metrics, rd.events, rd.config, rd.final_metrics)
    if not any(f.exists() for f in files) and not rd.samples.is_dir():
        names = ", ".join(f.name for f in files)
        raise UserError(f"{path} holds no run files ({names}, {rd.samples.name}/); is it a run folder?")
    run = RunData(path)
    if rd.metrics.exists():
        latest: dict[int, dict[str, float]] = {}
        for rec in read_jsonl(rd.metrics, run.skipped):
            step = _number(rec.get("step"))
            if step is None or not math.isfinite(step):
                continue
            values = {k: n for k, v in rec.items() if k != "step" and (n := _number(v)) is not None}
            latest[int(step)] = values  # a rolled-back or resumed run logs a step again: keep the newest
        run.metrics = [{"step": float(s), **v} for s, v in sorted(latest.items())]
    else:
        run.skipped.append(f"{rd.metrics.name}: missing (no curves)")
    if rd.events.exists():
        run.events = [e for e in read_jsonl(rd.events, run.skipped) if _number(e.get("step")) is not None]
    for file, attr in ((rd.config, "config"), (rd.final_metrics, "final")):
        if file.exists():
            try:
                data = json.loads(file.read_text())
                setattr(run, attr, data if isinstance(data, dict) else {})
            except (json.JSONDecodeError, OSError, UnicodeDecodeError) as exc:
                run.skipped.append(f"{file.name}: unreadable ({str(exc)[:80]})")
    run.samples = sorted(rd.samples.glob("*.png")) if rd.samples.is_dir() else []
    return run


# ---------------------------------------------------------------- figures


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _series(run: RunData, name: str) -> tuple[list[float], list[float]]:
    xs, ys = [], []
    for rec in run.metrics:
        if name in rec:
            xs.append(rec["step"])
            ys.append(rec[name])
    return xs, ys


def curve_figure(
    run: RunData, title: str, names: list[str], log: bool = False, hline: float | None = None
) -> str | None:
    """A base64 PNG of ``names`` against step, with alerts marked as vertical lines; ``None`` when no data."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    present = [(n, *_series(run, n)) for n in names]
    present = [(n, xs, ys) for n, xs, ys in present if xs]
    if not present:
        return None
    fig, ax = plt.subplots(figsize=(8, 3))
    for n, xs, ys in present:
        ys_plot = [y if math.isfinite(y) else float("nan") for y in ys]
        if log:
            ys_plot = [y if y > 0 else float("nan") for y in ys_plot]
        ax.plot(xs, ys_plot, label=n, linewidth=1.2)
        bad = [x for x, y in zip(xs, ys) if not math.isfinite(y)]
        if bad:
            ax.scatter(
                bad,
                [0.0 if not log else 1.0] * len(bad),
                marker="x",
                color="black",
                s=12,
                label=f"{n} NaN/Inf",
                zorder=3,
            )
    if hline is not None:
        ax.axhline(hline, color="grey", linestyle=":", linewidth=1)
    seen = set()
    for e in run.events:
        if e.get("event") == "alert":
            colour = SEVERITY_COLOURS.get(str(e.get("severity")), "#888888")
            label = str(e.get("symptom")) if e.get("symptom") not in seen else None
            seen.add(e.get("symptom"))
            ax.axvline(float(e["step"]), color=colour, alpha=0.7, linestyle="--", linewidth=1, label=label)
        elif e.get("event") in ("rollback", "stop"):
            ax.axvline(float(e["step"]), color="black", alpha=0.8, linewidth=1.5)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="best", ncol=2)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return _png(fig)


FIGURES = (  # (title, signal names, log scale, reference line)
    ("Losses", ["loss/d", "loss/g", "loss/penalty"], False, None),
    ("D's outputs (probabilities and accuracy)", ["d_prob/real", "d_prob/fake", "d_acc"], False, None),
    ("D's mean logits", ["d_out/real", "d_out/fake"], False, None),
    ("Gradient norms (tip T10 warns above 100)", ["grad_norm/d", "grad_norm/g"], True, 100.0),
    ("Sample diversity and fidelity vs real data", ["diversity/ratio", "fidelity/ratio"], False, 1.0),
    ("Update-to-weight ratios", ["update_ratio/d", "update_ratio/g"], True, None),
)


# ---------------------------------------------------------------- HTML


def _esc(x: Any) -> str:
    return html.escape(str(x))


def _timeline(run: RunData) -> str:
    """One row per incident (its root symptom), the symptoms folded into it indented below, then actions."""
    rows = []
    for e in run.events:
        kind = e.get("event", "alert")
        if kind == "alert":
            tips = ", ".join(f"{t} ({TIPS_BY_ID[t].title})" if t in TIPS_BY_ID else str(t) for t in e.get("tips", []))
            colour = SEVERITY_COLOURS.get(str(e.get("severity")), "#888")
            cause = f"<br><i>likely cause: {_esc(e['cause'])}</i>" if e.get("cause") else ""
            number = f"#{_esc(e['incident'])} " if e.get("incident") else ""
            rows.append(
                f"<tr><td>{_esc(e.get('step'))}</td><td style='color:{colour}'><b>{_esc(e.get('severity'))}</b></td>"
                f"<td>{number}<b>{_esc(e.get('symptom'))}</b></td><td>{_esc(e.get('message'))}{cause}</td>"
                f"<td>{_esc(tips)}</td><td><code>{_esc(json.dumps(e.get('evidence', {}))[:300])}</code></td></tr>"
            )
        elif kind == "folded":
            colour = SEVERITY_COLOURS.get(str(e.get("severity")), "#888")
            rows.append(
                f"<tr class='folded'><td>{_esc(e.get('step'))}</td>"
                f"<td style='color:{colour}'>{_esc(e.get('severity'))}</td>"
                f"<td>&nbsp;&nbsp;&#8627; {_esc(e.get('symptom'))}</td><td colspan='2'>follows from incident "
                f"#{_esc(e.get('incident'))}: folded, not alerted</td>"
                f"<td><code>{_esc(json.dumps(e.get('evidence', {}))[:300])}</code></td></tr>"
            )
        else:
            detail = {k: v for k, v in e.items() if k not in ("event", "step")}
            rows.append(
                f"<tr><td>{_esc(e.get('step'))}</td><td>{_esc(kind)}</td><td colspan='4'>"
                f"<code>{_esc(json.dumps(detail)[:300])}</code></td></tr>"
            )
    if not rows:
        return "<p>No symptoms were raised.</p>"
    return (
        "<table><tr><th>step</th><th>severity</th><th>incident / symptom</th><th>what is seen</th><th>remedies</th>"
        "<th>evidence</th></tr>" + "".join(rows) + "</table>"
    )


def _pick(items: list[Path], k: int) -> list[Path]:
    if len(items) <= k:
        return items
    return [items[round(i * (len(items) - 1) / (k - 1))] for i in range(k)]


def render_html(run: RunData, live: Live | None = None) -> str:
    """The report as one HTML string (no external resources).

    Args:
        run: what the run folder holds.
        live: while the run goes: the page asks the browser to reload itself every ``live.every``
            seconds (a ``meta refresh``: no script, no server) and says so in a banner.
    """
    parts = [f"<h1>GAN run report: {_esc(run.path.name)}</h1>"]
    refresh = ""
    if live is not None:
        refresh = f"<meta http-equiv='refresh' content='{max(1, round(live.every))}'>"
        parts.insert(
            0,
            f"<div class='live'>LIVE: this page reloads every {max(1, round(live.every))} s while the run goes "
            f"(last rendered {_esc(live.stamp)}, step {_esc(live.step)} of {_esc(live.total or '?')})</div>",
        )
    if run.config:
        c = run.config
        parts.append(
            f"<p>preset <b>{_esc(c.get('preset', '?'))}</b>, "
            f"data <b>{_esc(_section(c, 'data').get('name', '?'))}</b>, "
            f"loss <b>{_esc(_section(c, 'loss').get('name', '?'))}</b>, "
            f"steps {_esc(_section(c, 'train').get('steps', '?'))}, "
            f"monitor policy {_esc(_section(c, 'monitor').get('policy', 'warn'))}</p>"
        )
    steps = [int(r["step"]) for r in run.metrics]
    parts.append(
        f"<p>{len(run.metrics)} logged steps{f' ({steps[0]}..{steps[-1]})' if steps else ''}, "
        f"{sum(e.get('event') == 'alert' for e in run.events)} incident(s), {len(run.samples)} sample grid(s).</p>"
    )
    parts.append("<h2>Symptom timeline</h2>" + _timeline(run))
    parts.append(
        "<h2>Curves</h2><p>Dashed lines mark alerts (colour = severity); solid black lines mark rollbacks/stops.</p>"
    )
    evaluated = sorted({k for rec in run.metrics for k in rec if k.startswith("eval/") and not k.endswith("_std")})
    figures = (
        [*FIGURES, ("Metrics during training (train.eval_every)", evaluated, False, None)] if evaluated else FIGURES
    )
    for title, names, log, hline in figures:
        png = curve_figure(run, title, names, log, hline)
        if png:
            parts.append(f"<figure><img alt='{_esc(title)}' src='data:image/png;base64,{png}'></figure>")
    if run.samples:
        parts.append("<h2>Samples over time (fixed z)</h2><div class='grids'>")
        for p in _pick(run.samples, MAX_GRIDS):
            try:
                data = base64.b64encode(p.read_bytes()).decode("ascii")
            except OSError as exc:
                run.skipped.append(f"{p.name}: unreadable ({exc})")
                continue
            parts.append(
                f"<figure><img alt='{_esc(p.name)}' src='data:image/png;base64,{data}'>"
                f"<figcaption>{_esc(p.stem)}</figcaption></figure>"
            )
        parts.append("</div>")
    parts.append("<h2>Final metrics</h2>")
    if run.final:
        parts.append(
            "<table>"
            + "".join(f"<tr><td>{_esc(k)}</td><td>{_esc(v)}</td></tr>" for k, v in final_rows(run.final))
            + "</table>"
        )
    else:
        parts.append("<p>No metrics.json in the run folder (run <code>ganhacks eval RUN</code>).</p>")
    if run.skipped:
        parts.append("<h2>Skipped</h2><ul>" + "".join(f"<li>{_esc(s)}</li>" for s in run.skipped) + "</ul>")
    style = (
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}"
        "figure{display:inline-block;margin:6px}img{max-width:100%}.grids img{width:240px;image-rendering:pixelated}"
        "code{font-size:11px}tr.folded td{color:#666;font-size:12px}"
        ".live{background:#0a7d28;color:#fff;font-weight:bold;padding:10px 14px;font-size:18px}"
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'>{refresh}<title>ganhacks report: {_esc(run.path.name)}"
        f"</title><style>{style}</style></head><body>{''.join(parts)}</body></html>\n"
    )


def _section(config: dict[str, Any], name: str) -> dict[str, Any]:
    """A table of config.json (``{}`` when it is missing or not a table: a hand-edited file)."""
    value = config.get(name)
    return value if isinstance(value, dict) else {}


def final_rows(final: dict[str, Any]) -> list[tuple[str, str]]:
    """The rows of the final-metrics table: ``(label, value)`` as a person reads them.

    The metrics of ``ganhacks eval``'s layout (a ``metrics`` table next to ``extractor`` /
    ``feature_space``) are named with their feature space (``fid[digits-cnn]``); every value is
    rounded by :func:`ganhacks.display.format_metric`. The JSON keeps full precision.
    """
    space = final.get("feature_space")
    if not isinstance(space, str):
        extractor = final.get("extractor")
        space = feature_space(extractor) if isinstance(extractor, str) else None
    nested = final.get("metrics") if isinstance(final.get("metrics"), dict) else {}
    rows = [(metric_label(k, space) if space else str(k), format_metric(v)) for k, v in nested.items() if _cell(v)]
    rows += [(str(k), format_metric(v)) for k, v in final.items() if k != "metrics" and _cell(v)]
    return rows


def _cell(v: Any) -> bool:
    return isinstance(v, (int, float, str, bool))


@dataclass(frozen=True)
class Live:
    """What the banner of a live page says."""

    every: float  # seconds between reloads
    stamp: str  # when it was rendered
    step: int  # newest logged step
    total: int | None  # the run's planned steps, when config.json says


def is_report_page(text: str) -> bool:
    """Whether ``text`` is a page :func:`render_html` wrote (so ``--out`` may replace it)."""
    return text.startswith("<!DOCTYPE html>") and "<title>ganhacks report: " in text[:4096]


REPORT = OutputKind("an HTML report of ganhacks report", "report.html", (".html", ".htm"), is_report_page)


def _target(run_dir: str | Path, out: str | Path | None) -> Path:
    """Where the report goes (``out``, or ``RUN/report.html``), checked so it replaces none of the user's files."""
    target = Path(out) if out is not None else RunDir(run_dir).report
    return check_output(target, REPORT, inputs=[run_dir], given=out is not None)


def build_report(
    run_dir: str | Path, out: str | Path | None = None, live: Live | None = None
) -> tuple[Path, list[str]]:
    """Write ``report.html`` (or ``out``) for ``run_dir``; returns its path and what was skipped.

    Raises:
        UserError: ``run_dir`` is not a run folder, or ``out`` is a folder or a file the report must not replace.
    """
    run = load_run(run_dir)
    target = _target(run.path, out)
    write_output(target, render_html(run, live))  # atomic: a browser reloading meanwhile never reads half a page
    return target, run.skipped


def planned_steps(run: RunData) -> int | None:
    """The run's planned number of steps (config.json), if known."""
    steps = _section(run.config, "train").get("steps")
    return int(steps) if isinstance(steps, (int, float)) and not isinstance(steps, bool) else None


def finished(run: RunData) -> bool:
    """Whether the run is over: its last planned step is logged, or the monitor stopped it."""
    total = planned_steps(run)
    last = int(run.metrics[-1]["step"]) if run.metrics else 0
    return (total is not None and last >= total) or any(e.get("event") == "stop" for e in run.events)


def _fingerprint(run_dir: Path) -> tuple:
    """Sizes and modification times of the files the report reads: a change means something new to show."""
    rd = RunDir(run_dir)
    paths = [rd.metrics, rd.events, rd.config, rd.final_metrics]
    if rd.samples.is_dir():
        paths += sorted(rd.samples.glob("*.png"))
    out = []
    for p in paths:
        with contextlib.suppress(OSError):
            st = p.stat()
            out.append((p.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


def watch_report(
    run_dir: str | Path,
    out: str | Path | None = None,
    every: float = 5.0,
    idle: float = 600.0,
    on_render: Callable[[Path, bool], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Path:
    """Re-render the report while the run goes; the page reloads itself in the browser (no server).

    The page is rebuilt only when a file of the run changed. It stops when the run is over
    (:func:`finished`), or after ``idle`` seconds without any change (a run that died), and then
    writes the final page, which no longer reloads.

    Args:
        run_dir: the run folder (it may still be empty of metrics when the watch starts).
        out: where to write (default ``RUN/report.html``).
        every: seconds between checks, and the page's reload interval.
        idle: give up after this many seconds without a change.
        on_render: called with ``(path, final)`` after each rendering.
        sleep: the waiting function (tests pass a fast one).

    Returns:
        The path of the final page.
    """
    run_dir = Path(run_dir)
    seen: tuple | None = None
    quiet = 0.0
    check_run_folder(run_dir)
    target = _target(run_dir, out)
    while True:
        try:
            run = load_run(run_dir)
        except UserError:  # the run has not written its first files yet
            quiet += every
            if quiet >= idle:
                raise
            sleep(every)
            continue
        done = finished(run)
        stamp = _fingerprint(run_dir)
        if done or quiet >= idle:
            path, _ = build_report(run_dir, out)
            if on_render is not None:
                on_render(path, True)
            return path
        if stamp != seen:
            seen, quiet = stamp, 0.0
            step = int(run.metrics[-1]["step"]) if run.metrics else 0
            live = Live(every, time.strftime("%H:%M:%S"), step, planned_steps(run))
            write_output(target, render_html(run, live))
            if on_render is not None:
                on_render(target, False)
        else:
            quiet += every
        sleep(every)
