"""Failure symptoms of GAN training (tip T10), one small detector each, in a registry.

A detector is a pure function ``detect(history, config) -> evidence | None``: it reads the
evidence window of a :class:`~ganhacks.monitor.history.History` and returns a dict of the
numbers that made it fire (or ``None``). A :class:`Symptom` adds the id, the severity, a
plain-language message and the catalog tips that remedy it. Thresholds come from
:class:`~ganhacks.monitor.config.MonitorConfig`; docs/monitor.md gives the measurements behind
every default.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ganhacks.monitor.config import MonitorConfig
from ganhacks.monitor.history import History
from ganhacks.registry import Registry

Evidence = dict[str, Any]
Detector = Callable[[History, MonitorConfig], Evidence | None]

# Losses whose D output is a critic score, not a logit: probability-based symptoms do not apply.
CRITIC_LOSSES = ("wasserstein",)


@dataclass(frozen=True)
class Symptom:
    """One failure symptom: what it is, how bad, what fixes it, and its detector (T10)."""

    id: str  # stable id used in events.jsonl and the report
    severity: str  # "warning", "error" or "critical"
    message: str  # plain language, one sentence
    tips: tuple[str, ...]  # remedy tip ids from ganhacks.tips
    detect: Detector  # pure function of the history
    windowed: bool = True  # False: checked every step (cheap, urgent)
    needs_logits: bool = False  # True: meaningless for critic losses (Wasserstein)


SYMPTOMS: Registry[Symptom] = Registry("symptom")


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def _full(h: History, name: str, c: MonitorConfig) -> list[float] | None:
    """The window of ``name`` if at least 80% of it is there, else ``None`` (not enough evidence)."""
    w = h.window(name, c.window)
    return w if len(w) >= max(4, int(0.8 * c.window)) else None


def _pstdev(xs: list[float]) -> float:
    """Population standard deviation in plain floats (``statistics.pstdev`` is exact but ~50x slower)."""
    m = _mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / len(xs))


def _slope(ys: list[float]) -> float:
    """Least-squares slope of ``ys`` against 0..n-1: sum((i - i_bar)(y - y_bar)) / sum((i - i_bar)^2)."""
    n = len(ys)
    i_bar, y_bar = (n - 1) / 2, _mean(ys)
    num = sum((i - i_bar) * (y - y_bar) for i, y in enumerate(ys))
    den = sum((i - i_bar) ** 2 for i in range(n))
    return num / den if den else 0.0


def _r(x: float) -> float:
    return round(x, 4) if math.isfinite(x) else x


# ---------------------------------------------------------------- detectors


def detect_non_finite(h: History, c: MonitorConfig) -> Evidence | None:
    """NaN or Inf in any reported loss, D output or gradient norm at the newest step."""
    bad = sorted(k for k, v in h.latest.items() if not math.isfinite(v))
    return {"non_finite": bad} if bad else None


def detect_grad_explode(h: History, c: MonitorConfig) -> Evidence | None:
    """A total gradient norm of G or D above ``grad_max`` (T10's "over 100") at the newest step."""
    over = {
        k: _r(v)
        for k, v in h.latest.items()
        if k in ("grad_norm/d", "grad_norm/g") and math.isfinite(v) and v > c.grad_max
    }
    return {**over, "threshold": c.grad_max} if over else None


def detect_d_wins(h: History, c: MonitorConfig) -> Evidence | None:
    """D separates real from fake almost perfectly for a whole window: its loss heads to ~0."""
    acc, pr, pf = _full(h, "d_acc", c), _full(h, "d_prob/real", c), _full(h, "d_prob/fake", c)
    loss = h.window("loss/d", c.window)
    if acc and pr and pf:
        a, gap = _mean(acc), _mean(pr) - _mean(pf)
        if a >= c.d_acc_min and gap >= c.d_gap_min:
            return {"d_acc": _r(a), "p_real_minus_p_fake": _r(gap), "loss/d": _r(_mean(loss)) if loss else None}
        return None
    if (loss := _full(h, "loss/d", c)) and 0 <= _mean(loss) < c.d_loss_floor:
        return {"loss/d": _r(_mean(loss)), "threshold": c.d_loss_floor}
    return None


def detect_d_loss_spiky(h: History, c: MonitorConfig) -> Evidence | None:
    """D's loss jumps in spikes (high variance) instead of settling with low variance."""
    w = _full(h, "loss/d", c)
    if not w:
        return None
    med = statistics.median(w)
    mad = statistics.median(abs(v - med) for v in w)
    limit = med + c.spike_factor * max(mad, 0.05 * abs(med), 1e-3)  # robust z-score, scale floored
    spikes = sum(v > limit for v in w)
    if spikes >= c.spikes_min:
        return {"spikes": spikes, "median": _r(med), "spike_limit": _r(limit), "max": _r(max(w))}
    return None


def detect_g_fools_with_garbage(h: History, c: MonitorConfig) -> Evidence | None:
    """G's loss falls steadily and D rates fakes as real, yet the samples are far from the data."""
    g, pr, pf = _full(h, "loss/g", c), _full(h, "d_prob/real", c), _full(h, "d_prob/fake", c)
    fid = h.values("fidelity/ratio", last=1)
    if not (g and pr and pf and fid) or not math.isfinite(fid[-1]):
        return None
    slope = _slope(g)
    falling = slope * len(g) < -(_pstdev(g) or 1e-12)  # the drop over the window exceeds the noise
    fooled = _mean(pf) >= _mean(pr) + c.fooled_margin
    if falling and fooled and fid[-1] > c.fidelity_max:
        return {
            "loss/g_slope": _r(slope),
            "p_fake": _r(_mean(pf)),
            "p_real": _r(_mean(pr)),
            "fidelity/ratio": _r(fid[-1]),
            "threshold": c.fidelity_max,
        }
    return None


def detect_mode_collapse(h: History, c: MonitorConfig) -> Evidence | None:
    """Fixed-z samples fall well below their own best spread, or stop covering data they once
    covered (dropped modes), at ``diversity_checks`` consecutive measurements.

    Both signals are judged against the run's own peak (measured from ``warmup`` on), so a G that
    is still spreading out early in training is not mistaken for a collapsing one.
    """
    n = c.diversity_checks
    d, cov = h.values("diversity/ratio", last=n), h.values("coverage", last=n)
    for name, vals in (("diversity/ratio", d), ("coverage", cov)):
        if vals and math.isfinite(vals[-1]):
            h.peaks[name] = max(h.peaks.get(name, vals[-1]), vals[-1])
    d_peak, c_peak = h.peaks.get("diversity/ratio", 0.0), h.peaks.get("coverage", 0.0)
    fell = len(d) == n and all(math.isfinite(v) and v < c.diversity_drop * d_peak for v in d)
    uncovered = (
        len(cov) == n and c_peak >= c.coverage_peak and all(math.isfinite(v) and v < c.coverage_min for v in cov)
    )
    if fell or uncovered:
        return {
            "diversity/ratio": [_r(v) for v in d],
            "peak_diversity": _r(d_peak),
            "coverage": [_r(v) for v in cov],
            "peak_coverage": _r(c_peak),
            "thresholds": [c.diversity_drop, c.coverage_min],
        }
    return None


def detect_saturating_g(h: History, c: MonitorConfig) -> Evidence | None:
    """D is confident that fakes are fake and G's loss sits flat near 0: the saturating loss (T02).

    With G's minimax loss log(1 - D(G(z))) ~ -p for a small p = D(G(z)), the loss and its gradient
    (~p) both vanish; the non-saturating -log p is large there instead, so a near-zero G loss
    while D is confident marks the saturated regime whatever the loss is called.
    """
    pf, g = _full(h, "d_prob/fake", c), _full(h, "loss/g", c)
    if not (pf and g):
        return None
    p, flat = _mean(pf), _mean([abs(v) for v in g])
    if p < c.saturation_p and flat < c.g_loss_flat:
        gn = h.window("grad_norm/g", c.window)
        return {
            "p_fake": _r(p),
            "mean_abs_loss/g": _r(flat),
            "grad_norm/g": _r(_mean(gn)) if gn else None,
            "thresholds": [c.saturation_p, c.g_loss_flat],
        }
    return None


def detect_d_overfit(h: History, c: MonitorConfig) -> Evidence | None:
    """r_t = E[sign D(real)] sits near +1 although the samples already lie on the data: D memorises reals.

    A D that calls every real "real" is only suspicious when the fakes are close to the data
    (``fidelity/ratio`` small) and D is not simply winning; without the fidelity signal it stays silent.
    """
    rt = _full(h, "d_sign/real", c)
    if rt is None and (pr := _full(h, "d_prob/real", c)):
        rt = [2 * p - 1 for p in pr]  # soft r_t = E[tanh(D(x)/2)] = 2 E[sigma(D(x))] - 1 when signs are not reported
    fid = h.values("fidelity/ratio", last=1)
    if not rt or not fid or not math.isfinite(fid[-1]) or _mean(rt) < c.overfit_rt or fid[-1] > c.overfit_fidelity:
        return None
    acc = _full(h, "d_acc", c)
    if acc and _mean(acc) >= c.d_acc_min:
        return None  # that is d_loss_zero, reported on its own
    return {"r_t": _r(_mean(rt)), "fidelity/ratio": _r(fid[-1]), "thresholds": [c.overfit_rt, c.overfit_fidelity]}


def detect_oscillation(h: History, c: MonitorConfig) -> Evidence | None:
    """D's logit gap swings with an amplitude that grows over three consecutive windows."""
    r, f = h.values("d_out/real", last=3 * c.window), h.values("d_out/fake", last=3 * c.window)
    if len(r) < 3 * c.window or len(f) != len(r) or not all(map(math.isfinite, r + f)):
        return None
    gap = [a - b for a, b in zip(r, f)]
    amps = [_pstdev(gap[i * c.window : (i + 1) * c.window]) for i in range(3)]
    growing = amps[0] < amps[1] < amps[2] and amps[2] >= c.oscillation_growth * max(amps[0], 1e-6)
    if growing and amps[2] >= c.oscillation_floor:
        return {"amplitudes": [_r(a) for a in amps], "growth": c.oscillation_growth, "floor": c.oscillation_floor}
    return None


for _s in (
    Symptom(
        "non_finite",
        "critical",
        "NaN or Inf in the losses, D's outputs or the gradients: the run is broken.",
        ("S08", "S01", "S03", "T01"),
        detect_non_finite,
        windowed=False,
    ),
    Symptom(
        "grad_explode",
        "error",
        "Gradient norm above the limit: updates are exploding.",
        ("T10", "S08", "S01", "S02"),
        detect_grad_explode,
        windowed=False,
    ),
    Symptom(
        "d_loss_zero",
        "error",
        "D wins outright (its loss is heading to ~0): G gets no useful signal.",
        ("T10", "T06", "T13", "S01", "S04"),
        detect_d_wins,
        needs_logits=True,
    ),
    Symptom(
        "d_loss_spiky",
        "warning",
        "D's loss spikes with high variance instead of settling down.",
        ("T10", "S01", "S03", "S08"),
        detect_d_loss_spiky,
    ),
    Symptom(
        "g_fools_with_garbage",
        "warning",
        "G's loss keeps falling and D is fooled, but the samples are far from the data.",
        ("T10", "T14", "S04"),
        detect_g_fools_with_garbage,
        needs_logits=True,
    ),
    Symptom(
        "mode_collapse",
        "error",
        "Samples are much less diverse than the data: G is collapsing onto few modes.",
        ("T15", "S08", "T08", "T12", "T06"),
        detect_mode_collapse,
    ),
    Symptom(
        "saturating_g",
        "error",
        "D is confident and G's gradient has vanished: the saturating G loss stalls.",
        ("T02", "T06", "T13"),
        detect_saturating_g,
        needs_logits=True,
    ),
    Symptom(
        "d_overfit",
        "warning",
        "D calls nearly every real sample real (r_t near +1): it may be memorising the training data.",
        ("T13", "T06", "T17", "S03"),
        detect_d_overfit,
        needs_logits=True,
    ),
    Symptom(
        "oscillation",
        "warning",
        "D's judgement swings back and forth with growing amplitude.",
        ("T08", "S07", "S03", "S08"),
        detect_oscillation,
    ),
):
    SYMPTOMS.register(_s.id, _s)


def symptoms_for(loss: str | None = None) -> list[Symptom]:
    """The symptoms that apply to a loss (critic losses skip the probability-based ones)."""
    return [s for s in (SYMPTOMS.get(n) for n in SYMPTOMS) if not (s.needs_logits and loss in CRITIC_LOSSES)]


def tips_monitored() -> dict[str, list[str]]:
    """Tip id -> ids of the symptoms whose remedies name it (shown by ``ganhacks tips``)."""
    out: dict[str, list[str]] = {}
    for name in SYMPTOMS:
        for tip in SYMPTOMS.get(name).tips:
            out.setdefault(tip, []).append(name)
    return out
