"""Failure symptoms of GAN training (tip T10), one small detector each, in a registry.

A detector is a pure function ``detect(history, config) -> evidence | None``: it reads the
evidence window of a :class:`~ganhacks.monitor.history.History` and returns a dict of the
numbers that made it fire (or ``None``). A :class:`Symptom` adds the id, the severity, a
plain-language message, the likely cause, the catalog tips that remedy it, the capabilities of
the loss it needs (:mod:`ganhacks.monitor.losskinds`) and the symptoms it is a known consequence
of (``follows``: an incident opened by one of those absorbs it, see
:mod:`ganhacks.monitor.incidents`). Thresholds come from
:class:`~ganhacks.monitor.config.MonitorConfig`; docs/monitor.md gives the measurements behind
every default.

The registry's order is the order of diagnosis: when several symptoms fire at one step, the
first in this order opens the incident and the others that follow from it fold into it.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

from ganhacks.monitor.config import MonitorConfig
from ganhacks.monitor.history import History
from ganhacks.monitor.losskinds import DECISION, FLOOR, REGRESSION, SATURATING, LossKind
from ganhacks.registry import Registry

Evidence = dict[str, Any]
Detector = Callable[[History, MonitorConfig], Evidence | None]


@dataclass(frozen=True)
class Symptom:
    """One failure symptom: what it is, how bad, why, what fixes it, and its detector (T10)."""

    id: str  # stable id used in events.jsonl and the report
    severity: str  # "warning", "error" or "critical"
    message: str  # what is seen, plain language, one sentence
    cause: str  # the likely cause, plain language
    tips: tuple[str, ...]  # remedy tip ids from ganhacks.tips (catalog order; see remedies.rank_tips)
    detect: Detector  # pure function of the history
    windowed: bool = True  # False: checked every step (cheap, urgent)
    needs: frozenset[str] = frozenset()  # loss capabilities it needs (losskinds.DECISION, FLOOR, SATURATING)
    signals: tuple[str, ...] = ()  # signals it cannot work without (said once when they never come)
    follows: tuple[str, ...] = ()  # symptoms it is a known consequence of (folds into their incident)
    # (capability, detector): for a loss kind that offers the capability, this detector reads the history instead
    variants: tuple[tuple[str, Detector], ...] = ()

    def applies_to(self, kind: LossKind | None) -> bool:
        """Whether the symptom means something for this loss (``None``: unknown loss, only loss-free ones)."""
        if not self.needs:
            return True
        return kind is not None and self.needs <= kind.offers

    def for_kind(self, kind: LossKind | None) -> Symptom:
        """The symptom as it reads a run of this loss kind (its first variant the kind offers, else itself)."""
        for capability, detect in self.variants:
            if kind is not None and capability in kind.offers:
                return replace(self, detect=detect)
        return self


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


def _median(xs: list[float]) -> float:
    """``statistics.median`` (the same value) without its overhead: detectors take thousands of small medians."""
    s = sorted(xs)
    n = len(s)
    if n == 0:
        raise statistics.StatisticsError("no median for empty data")
    i = n // 2
    return s[i] if n % 2 else (s[i - 1] + s[i]) / 2


def _spread(xs: list[float]) -> float:
    """A robust standard deviation: 1.4826 x the median absolute deviation (a few outliers barely move it)."""
    med = _median(xs)
    return 1.4826 * _median([abs(x - med) for x in xs])


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
    isfinite = math.isfinite
    if all(isfinite(v) for v in h.latest.values()):  # the common case, without building a list
        return None
    return {"non_finite": sorted(k for k, v in h.latest.items() if not isfinite(v))}


GRAD_NAMES = ("grad_norm/d", "grad_norm/g")
OUT_NAMES = ("d_out/real", "d_out/fake")


def _outputs_explode(h: History, c: MonitorConfig) -> Evidence | None:
    """D's raw outputs grew ``grad_growth`` times their earlier scale within ``grad_window`` readings.

    Updates that explode blow up D's weights, and with them the scale of its outputs,
    max(|E D(real)|, |E D(fake)|). Where D's loss saturates (a sigmoid past a logit of ~10) that scale is
    all that shows it: the gradients through a saturated sigmoid stay moderate, then vanish, while the
    outputs run away from ~1 to the hundreds. The same test as the gradient norms' growth: the median of
    the newest ``grad_window`` readings against the median of the window before, above ``d_out_floor``.
    """
    latest = [h.latest.get(name) for name in OUT_NAMES]
    if any(v is None or not math.isfinite(v) for v in latest) or max(abs(v) for v in latest) <= c.d_out_floor:
        return None  # cheap exit on almost every step: the newest outputs are not even large
    gw, n = c.grad_window, c.grad_window + c.window
    real, fake = h.readings(OUT_NAMES[0], n), h.readings(OUT_NAMES[1], n)
    if len(real) != len(fake) or len(real) < 2 * gw or real[-1][0] != fake[-1][0]:
        return None
    scale = [max(abs(a), abs(b)) for (_, a), (_, b) in zip(real, fake)]
    recent, before = scale[-gw:], [v for v in scale[:-gw] if math.isfinite(v)]
    if len(before) < gw or not all(map(math.isfinite, recent)):
        return None
    level, base = _median(recent), _median(before)
    if level > c.d_out_floor and base > 0 and level >= c.grad_growth * base:
        return {
            "signal": "d_out_scale",
            "median_recent": _r(level),
            "median_before": _r(base),
            "limits": {"growth": c.grad_growth, "floor": c.d_out_floor},
        }
    return None


UPDATE_NAMES = ("update_ratio/d", "update_ratio/g")
RECHECK_NAMES = ("update_recheck/d", "update_recheck/g")  # the same, read again jump_recheck steps later
SETTLED = {  # the jump's evidence after a replaced optimiser: what stood in for the reading (settle_either)
    False: "the first recheck of a replaced optimiser's reading stands in for it",
    True: "the larger of a replaced optimiser's two rechecks stands in for its reading",
}
SLOW_BASE = 20  # readings of the update ratios the earlier level is taken over (20 x layer_every = 1,000 steps)


def _earlier(readings: list[tuple[int, float]], c: MonitorConfig) -> list[float]:
    """The finite, positive values among ``readings`` from step ``warmup`` / 2 on: the earlier level of an update
    size that the ramp and jump tests compare the newest readings with."""
    return [v for step, v in readings if step >= c.warmup // 2 and math.isfinite(v) and v > 0]


def _updates_ramp(h: History, c: MonitorConfig) -> Evidence | None:
    """The update sizes ||dw|| / ||w|| of both G and D rose at least ``ramp_growth`` times at each of the newest
    ``ramp_checks`` readings (read every ``layer_every`` steps, all of them from step ``warmup`` on), or at least
    ``ramp_slow_rise`` times at each of the newest ``ramp_slow_checks`` readings and ``ramp_slow_growth`` times in all.

    An update's size is the learning rate times what the optimiser makes of the gradient; with a learning rate that
    stays put it holds steady or shrinks as training settles (in the healthy runs of the six in-sample parts both
    nets' updates rose at most 1.2 times at two readings in a row, docs/monitor.md). A learning rate ramped up (a
    schedule gone wrong, a warm-up that never ends) grows both nets' updates at every reading, before the samples
    scatter or the gradient norms' median has grown ``grad_growth`` times: the explosion at its cause. One jump (an
    optimiser swapped, a learning rate raised once) is one rise, not a ramp. The slower clause takes the ramps whose
    rises swing (1.1, then 2, then 1.3: Adam's own step size moves with its moment estimates) so that two large
    rises never come in a row; it asks the same total growth over one more reading. A reading is one step's update;
    where it swings from one reading to the next (large Adam steps with beta1 = 0), each rise must also clear
    ``exp(ramp_noise * typical |log change|)`` of that net's earlier readings, and the newest reading must stand
    ``ramp_growth`` times above their median, so noise, or a dip and a return to the usual level, does not pass for a
    ramp. Cost: at one step in ``layer_every``, the newest ``SLOW_BASE + ramp_slow_checks + 1`` readings of two
    series; no new measurement.
    """
    latest = h.latest
    if UPDATE_NAMES[0] not in latest and UPDATE_NAMES[1] not in latest:
        return None  # the common case: no update read at this step (one step in layer_every)
    if (steep := _ramp(h, c, c.ramp_checks, c.ramp_growth, 0.0)) is not None:
        return steep
    if c.ramp_slow_checks > 0:
        return _ramp(h, c, c.ramp_slow_checks, c.ramp_slow_rise, c.ramp_slow_growth)
    return None


def _ramp(h: History, c: MonitorConfig, checks: int, rise_min: float, total: float) -> Evidence | None:
    """:func:`_updates_ramp`'s test over the newest ``checks`` rises: each at least ``rise_min`` (and the net's noise
    bar), ``total`` times in all, in both nets."""
    n = checks + 1
    rises, bars = {}, {}
    for name in UPDATE_NAMES:
        readings = h.readings(name, SLOW_BASE + n)
        ramp = readings[-n:]
        if len(ramp) < n or ramp[0][0] < c.warmup:
            return None
        values = [v for _, v in ramp]
        if not all(math.isfinite(v) and v > 0 for v in values):
            return None
        rise = [b / a for a, b in zip(values, values[1:])]
        if min(rise) < rise_min or values[-1] < total * values[0]:
            return None  # not rising rise_min times at every reading (one jump, then steady, is no ramp)
        # the net's own reading-to-reading swing before the rises (the ramp's first reading included)
        before = _earlier(readings[: len(readings) - n + 1], c)
        changes = [abs(math.log(b / a)) for a, b in zip(before, before[1:])]
        bar = max(rise_min, math.exp(c.ramp_noise * _median(changes))) if len(changes) >= 3 else rise_min
        if min(rise) < bar:
            return None  # rises no larger than this net's usual swing from one reading to the next
        if len(before) >= 3 and values[-1] < c.ramp_growth * _median(before):
            return None  # back from a dip to the usual level, not above it: no ramp
        rises[name], bars[name] = [_r(x) for x in rise], _r(bar)
    limits = {"growth": rise_min, "readings": checks, "noise_bars": bars}
    return {
        "signal": "update_ratio",
        **{f"{name}_rises": rise for name, rise in rises.items()},
        **{name: _r(h.latest[name]) for name in UPDATE_NAMES if name in h.latest},
        "limits": limits | ({"total": total} if total else {}),
    }


def _updates_jump(h: History, c: MonitorConfig) -> Evidence | None:
    """The newest update sizes ||dw|| / ||w|| of both G and D stand at least ``update_jump`` times their own median
    over the earlier readings (from step ``warmup`` / 2 on, at most ``SLOW_BASE`` of them), and still stand high at the
    recheck ``jump_recheck`` steps later.

    Updates far larger than the run's own, in both nets at once, are what a learning rate too high does (an SGD or a
    schedule whose steps grew fast, a learning rate raised many times); a ramp so steep that the samples scatter
    within one or two readings shows here before :func:`_updates_ramp` has its second rise. Both nets must jump: a
    D or a G alone whose updates grow is another story (a slowed partner, a collapse). A learning rate too high stays
    too high, while a healthy run's updates can surge for a few steps (D's loss up, then back): so the test is asked
    at the recheck, the update sizes read once more ``jump_recheck`` steps after the layer reading; the reading must
    clear the bar and the recheck ``recheck_share`` of it (a rate too high keeps the updates high as the nets adapt
    to it, a surge falls back to the usual). A history without rechecks (``jump_recheck`` = 0, or recorded before
    they existed) is judged on the layer reading alone. A reading taken at a replaced optimiser's first step (an SGD
    whose momentum buffer is still empty takes a step ten times smaller than the ones that follow) gets a second
    recheck from the monitor: at it the larger of each net's two rechecks stands in for the reading (``settle_either``;
    updates still growing have not settled at the first), one net's at the full bar and the other's at the recheck's
    share, and the smaller must stand at the share in both nets. Cost: at one step in ``layer_every``, the medians of
    at most ``SLOW_BASE`` earlier readings of two series.
    """
    latest = h.latest
    rechecked = c.jump_recheck > 0 and all(name in latest for name in RECHECK_NAMES)
    if not rechecked:
        if not all(name in latest for name in UPDATE_NAMES):
            return None  # the common case: no update read at this step
        if c.jump_recheck > 0 and RECHECK_NAMES[0] in h.series:
            return None  # this run's updates are rechecked: the layer reading waits for its recheck
    jumps, settled = {}, False
    for name, again in zip(UPDATE_NAMES, RECHECK_NAMES):
        readings = h.readings(name, SLOW_BASE + 1)
        if not readings or readings[-1][0] < c.warmup:
            return None
        if rechecked and not c.jump_recheck <= h.step - readings[-1][0] < c.layer_every:
            # a recheck without its layer reading (a history resumed in between): nothing to confirm. (A net that
            # steps every k-th iteration is read at its first step from the due step on: the gap can pass jump_recheck)
            return None
        before = _earlier(readings[:-1], c)
        now = readings[-1][1]
        later = latest[again] if rechecked else now
        if rechecked and (two := h.readings(again, 2)) and len(two) == 2 and two[0][0] > readings[-1][0]:
            if not c.settle_recheck:
                return None  # a second recheck, recorded with the setting on, read as if it had not been taken
            now, settled = two[0][1], True  # a replaced optimiser's second recheck: the first is the settled size
        if len(before) < 3 or not (math.isfinite(now) and math.isfinite(later)):
            return None
        jumps[name] = (now, later, _median(before))
    share = c.recheck_share * c.update_jump  # what the recheck must still stand at
    rises = [(now / base, later / base) for now, later, base in jumps.values()]
    if settled and c.settle_either:
        # updates still growing at the second recheck (an SGD ramped up from a small rate) had not settled at the
        # first: the larger recheck is the settled size, the smaller must still stand at the share
        rises = [(max(now, later), min(now, later)) for now, later in rises]
    if any(later < share for _, later in rises):
        return None
    # both nets at the full bar; after a replaced optimiser one is enough, the other at the recheck's share: the swap
    # itself is the reason to look, and a first step with no optimiser state leaves one net's settled size lower
    if min(now for now, _ in rises) < (share if settled else c.update_jump):
        return None
    if max(now for now, _ in rises) < c.update_jump:
        return None
    return {
        "signal": "update_ratio",
        **{name: _r(now) for name, (now, _, _) in jumps.items()},
        **{again: _r(later) for again, (_, later, _) in zip(RECHECK_NAMES, jumps.values()) if rechecked},
        **{f"{name}_before": _r(base) for name, (_, _, base) in jumps.items()},
        "limits": {
            "jump": c.update_jump,
            **({"recheck_after": c.jump_recheck, "recheck_share": c.recheck_share} if rechecked else {}),
        },
        **({"settled": SETTLED[c.settle_either]} if settled else {}),
    }


def detect_grad_explode(h: History, c: MonitorConfig) -> Evidence | None:
    """A gradient norm of G or D that stays above ``grad_max`` (T10's "over 100"), or grows by
    ``grad_growth`` times its earlier level, over the last ``grad_window`` readings; or D's outputs
    that grow as much (:func:`_outputs_explode`: the explosion a saturated loss hides from the gradients);
    or the update sizes of both nets that grow at every reading (:func:`_updates_ramp`: a learning rate ramped up)
    or stand far above their own earlier level (:func:`_updates_jump`: a learning rate far too high).

    A single large reading is not an explosion: healthy runs show isolated jumps. Both tests use
    the median of the recent readings, so more than half of them must be high.
    """
    gw = c.grad_window
    for name in GRAD_NAMES:
        latest = h.latest.get(name)
        if latest is None or not math.isfinite(latest) or latest <= c.grad_floor:
            continue  # cheap exit on almost every step: the newest reading is not even high
        series = h.series[name]
        if len(series) < gw:
            continue
        level = _median([v for _, v in islice(reversed(series), gw)])  # the newest grad_window readings
        if level <= c.grad_floor and level <= c.grad_max:
            continue  # neither test can pass: no need to read the earlier level
        before = [v for _, v in islice(reversed(series), gw, gw + c.window)]  # the window before them
        base = _median(before) if len(before) >= gw else None
        grown = base is not None and base > 0 and level >= c.grad_growth * base and level > c.grad_floor
        if level > c.grad_max or grown:
            return {
                "signal": name,
                "median_recent": _r(level),
                "median_before": _r(base) if base is not None else None,
                "latest": _r(latest),
                "limits": {"level": c.grad_max, "growth": c.grad_growth},
            }
    if (outputs := _outputs_explode(h, c)) is not None:
        return outputs
    if (ramp := _updates_ramp(h, c)) is not None:
        return ramp
    return _updates_jump(h, c)


def detect_grad_vanish(h: History, c: MonitorConfig) -> Evidence | None:
    """The gradients of both G and D fell to a ``grad_vanish`` fraction of their earlier level: nothing learns.

    Saturated outputs (a sigmoid D pushed to 0 or 1 by updates far too large) or dead units leave
    every gradient at ~0; the losses may still look finite and calm.
    """
    levels = {}
    for name in GRAD_NAMES:
        recent = h.values(name, last=c.grad_window)
        before = h.values(name, last=c.grad_window + c.window)[: -c.grad_window]
        if len(recent) < c.grad_window or len(before) < c.grad_window:
            return None
        now, base = statistics.median(recent), statistics.median(before)
        if not (math.isfinite(now) and math.isfinite(base) and base > 0 and now < c.grad_vanish * base):
            return None
        levels[name] = (now, base)
    return {
        **{f"{k}_recent": _r(v[0]) for k, v in levels.items()},
        **{f"{k}_before": _r(v[1]) for k, v in levels.items()},
        "fraction": c.grad_vanish,
    }


def _minimax_form(h: History, c: MonitorConfig) -> Evidence | None:
    """G's loss is negative throughout the newest half window while D rejects more fakes than it accepts (mean
    P(fake) under ``minimax_p``).

    Of the G losses of the kinds this symptom applies to (BCE, minimax), only the minimax form
    log(1 - D(G(z))) is ever negative (< 0 for any p = D(G(z)) > 0); the non-saturating -log p is
    positive. So the sign tells the saturating form apart from a merely strong D half a window
    before the flat-loss test can (its window still holds the steps before the switch), and
    from p < 0.5 on the minimax gradient (~p) is already smaller than the non-saturating one (~1 - p).
    """
    half = max(4, c.window // 2)
    g, pf = h.window("loss/g", half), h.window("d_prob/fake", half)
    if len(g) < int(0.8 * half) or len(pf) < int(0.8 * half):
        return None
    if max(g) < 0 and _mean(pf) < c.minimax_p:
        return {"max_loss/g": _r(max(g)), "p_fake": _r(_mean(pf)), "steps": half}
    return None


def _flat_g_loss(h: History, c: MonitorConfig) -> float | None:
    g = _full(h, "loss/g", c)
    return _mean([abs(v) for v in g]) if g else None


def detect_d_wins(h: History, c: MonitorConfig) -> Evidence | None:
    """D separates real from fake almost perfectly for a whole window: its loss heads to ~0.

    Read in the loss's own decision space (probabilities from logits, least-squares outputs
    clamped to [0, 1]). When G's loss is also flat near 0 the better diagnosis is the saturating
    G loss (:func:`detect_saturating_g`), reported instead.
    """
    acc, pr, pf = _full(h, "d_acc", c), _full(h, "d_prob/real", c), _full(h, "d_prob/fake", c)
    if pr and pf:
        gap = _mean(pr) - _mean(pf)
        a = _mean(acc) if acc else None
        if gap >= c.d_gap_min and (a is None or a >= c.d_acc_min):
            flat = _flat_g_loss(h, c)
            if flat is not None and flat < c.g_loss_flat and _mean(pf) < c.saturation_p:
                return None  # the saturating G loss explains it better
            if _minimax_form(h, c):
                return None  # ...and so does a G loss in the minimax form
            loss = h.window("loss/d", c.window)
            return {
                "d_acc": _r(a) if a is not None else None,
                "p_real_minus_p_fake": _r(gap),
                "loss/d": _r(_mean(loss)) if loss else None,
                "thresholds": [c.d_acc_min, c.d_gap_min],
            }
        return None
    if (loss := _full(h, "loss/d", c)) and 0 <= _mean(loss) < c.d_loss_floor:
        return {"loss/d": _r(_mean(loss)), "threshold": c.d_loss_floor}
    return None


def detect_d_pulls_away(h: History, c: MonitorConfig) -> Evidence | None:
    """:func:`detect_d_wins` for a least-squares D: it must also have pulled away from where the game stood.

    A least-squares D regresses its outputs onto the targets 0 and 1; at its targets G's loss
    (D(G(z)) - 1)^2 is at its largest and its gradient does not vanish (Mao et al. 2017), so a D that
    separates the two from its first steps while G keeps learning is how such a run can play, not a
    win. A D that wins is one that *pulls away*: the window's P(real) - P(fake) must stand at least
    ``d_gap_rise`` above the lowest it was at any check since ``warmup``. Without D's outputs (losses
    only) a near-zero loss cannot be told from that regime, and nothing is said.
    """
    pr, pf = _full(h, "d_prob/real", c), _full(h, "d_prob/fake", c)
    if not (pr and pf):
        return None
    gap = _mean(pr) - _mean(pf)
    if not math.isfinite(gap):
        return None
    low = h.peaks["d_gap_low"] = min(h.peaks.get("d_gap_low", gap), gap)
    if gap - low < c.d_gap_rise or (evidence := detect_d_wins(h, c)) is None:
        return None
    return {**evidence, "gap_low": _r(low), "rise_threshold": c.d_gap_rise}


RANGE_NAME = "data/real_range"  # a real batch's largest |value| over the held-out reals' largest (hand loops)


def detect_data_outliers(h: History, c: MonitorConfig) -> Evidence | None:
    """Some real batches are far off the data's scale: their values, or D's output on them, leap at isolated steps.

    Where the monitor reads the real batches themselves (a hand-written loop given held-out reals: the rows of D's
    input its output on the reals came from), a batch whose largest |value| stands ``outlier_range`` times the
    held-out reals' largest, at any step of the window, is the bug seen in the data, whatever D made of it.

    Otherwise a data bug (a batch left unnormalised, a corrupt file) puts a batch of reals far outside the range D was
    trained on; D's output on that batch leaps to many times its usual size and returns at the next clean batch,
    while its output on the fakes (G's samples, untouched by the bug) stays where it was. A spike: D(real)'s
    residual from its running median of 5 readings is at least ``outlier_factor`` times the window's typical
    output size (the larger of the medians of |D(real)| and |D(fake)|). At least ``spikes_min`` spikes in the
    window fire, if D(fake) leaps that far at no step of the window: weights that explode throw both outputs about
    (in the recorded explosions the fakes leapt at 6 to 7 steps of the window where the reals leapt at 6 to 9; in
    the recorded outlier runs never), so they are not read as outliers in the data. It reads D's raw outputs, not
    the loss, so it needs no loss kind (a critic's too). A bug in the data follows from nothing in training, so it
    is the cause of an incident whatever it sets off (spikes, explosion, collapse). Cost: a cheap exit (the window's
    range of D(real) below the limit) on almost every check.
    """
    if RANGE_NAME in h.series and (far := [v for v in h.window(RANGE_NAME, c.window) if v >= c.outlier_range]):
        return {
            "signal": RANGE_NAME,
            "batches_off_scale": len(far),
            "largest_over_held_out": _r(max(far)),
            "limit": c.outlier_range,
        }
    real = h.readings(OUT_NAMES[0], c.window)
    fake = dict(h.readings(OUT_NAMES[1], c.window + 4))
    pairs = [(v, fake[step]) for step, v in real if step in fake]
    if len(pairs) < max(4, int(0.8 * c.window)):
        return None
    xr, xf = [a for a, _ in pairs], [b for _, b in pairs]
    if not all(map(math.isfinite, xr)) or not all(map(math.isfinite, xf)):
        return None
    scale = max(_median([abs(v) for v in xr]), _median([abs(v) for v in xf]), 1e-3)
    limit = c.outlier_factor * scale
    if max(xr) - min(xr) < limit:
        return None  # the common case: no residual from a running median can exceed the window's range

    def leaps(xs: list[float]) -> list[float]:
        return [v for i, v in enumerate(xs) if abs(v - _median(xs[max(0, i - 2) : i + 3])) >= limit]

    spikes = leaps(xr)
    if len(spikes) >= c.spikes_min and not leaps(xf):
        return {
            "signal": "d_out/real",
            "outlier_spikes": len(spikes),
            "largest": _r(max(abs(v) for v in spikes)),
            "typical_output": _r(scale),
            "limit": _r(limit),
            "factor": c.outlier_factor,
        }
    return None


def detect_d_loss_spiky(h: History, c: MonitorConfig) -> Evidence | None:
    """D's loss jumps in spikes (high variance) instead of settling with low variance.

    A spike is a reading far above its neighbours: the residual from the running median of 5
    readings is above ``spike_factor`` times the residuals' median absolute size (floored) and
    above ``spike_rise`` times the median loss over both its neighbours (the loss at least doubles
    for one reading). A loss that merely trends
    (D pulling ahead, the loss falling) has small residuals and is no spike; nor is the skewed noise
    of a D that wins a little more often.
    """
    w = _full(h, "loss/d", c)
    if not w:
        return None
    res = [v - _median(w[max(0, i - 2) : i + 3]) for i, v in enumerate(w)]
    med = _median(w)
    scale = max(_median([abs(r) for r in res]), 0.05 * abs(med), 1e-3)  # robust scale, floored
    rise = c.spike_rise * abs(med)
    # a spike stands above both neighbours (a level that drops at once leaves no spike behind it)
    above = [
        v - max(w[max(i - 1, 0)] if i else -math.inf, w[i + 1] if i + 1 < len(w) else -math.inf)
        for i, v in enumerate(w)
    ]
    spikes = sum(r > c.spike_factor * scale and a > rise for r, a in zip(res, above))
    if spikes >= c.spikes_min:
        return {"spikes": spikes, "median": _r(med), "spike_limit": _r(med + c.spike_factor * scale), "max": _r(max(w))}
    return None


def _d_stalled(h: History, c: MonitorConfig) -> Evidence | None:
    """D's optimiser has not stepped for a whole window while G's keeps stepping.

    The monitor reads D's gradient norm in a hook on D's optimiser step, so readings that stop
    while G's go on mean ``opt_d.step()`` is no longer called (a forgotten step, a D frozen by a
    flag): D cannot learn any more and G is left to exploit it. G keeps stepping when its optimiser stepped at least
    twice in the window: a loop that steps G only at every k-th iteration has G's readings at one step in k.
    """
    d = h.series.get("grad_norm/d")
    if not d or h.step - d[-1][0] < c.window:
        return None
    g = h.window("grad_norm/g", c.window)
    if len(g) < 2:
        return None  # G is not stepping either: nothing learns (not this symptom)
    return {"d_steps_in_window": 0, "last_d_step": d[-1][0], "g_steps_in_window": len(g)}


def _d_slowed(h: History, c: MonitorConfig) -> Evidence | None:
    """D's updates have shrunk far below G's: D learns far too slowly to keep up, and G is left to exploit it.

    ``update_ratio/d`` and ``update_ratio/g`` are ||dw|| / ||w|| of one optimiser step, read every
    ``layer_every`` steps. Their ratio D/G holds steady in a healthy run whatever the learning rates
    are (healthy tune+seen+new runs: at most 1.9 times below its earlier median at two readings in a
    row); a D whose learning rate was cut, or decays, while G's is not, moves it by orders of
    magnitude. It fires when, at ``d_slow_checks`` consecutive readings, D/G is below 1/``d_slow`` of
    its median over the earlier readings (at most ``SLOW_BASE``, from step ``warmup`` / 2 on) and D's
    own update below 2/``d_slow`` of its own (so a G whose updates grow, as in an explosion, is not
    read as a slow D). Seen at the cause, before G drifts away from the data.
    """
    n = c.d_slow_checks
    d = h.readings("update_ratio/d", SLOW_BASE + n)
    if len(d) < n + 2 or d[-1][0] < h.step - c.window:
        return None  # too few readings, or D's optimiser has not stepped lately (that is _d_stalled's case)
    g = dict(h.readings("update_ratio/g", SLOW_BASE + n + 4))
    pairs = [
        (step, vd, vd / g[step])
        for step, vd in d
        if step >= c.warmup // 2 and step in g and g[step] > 0 and math.isfinite(vd) and math.isfinite(g[step])
    ]
    if len(pairs) < n + 2 or pairs[-n][0] != d[-n][0]:
        return None  # the newest readings must all pair up
    before, recent = pairs[:-n], pairs[-n:]
    base_ratio, base_d = _median([r for _, _, r in before]), _median([vd for _, vd, _ in before])
    if base_ratio <= 0 or base_d <= 0:
        return None
    if all(r * c.d_slow <= base_ratio and vd * c.d_slow <= 2 * base_d for _, vd, r in recent):
        return {
            "update_ratio/d": [_r(vd) for _, vd, _ in recent],
            "d_over_g": [_r(r) for _, _, r in recent],
            "d_over_g_before": _r(base_ratio),
            "update_ratio/d_before": _r(base_d),
            "threshold": c.d_slow,
        }
    return None


def detect_g_fools_with_garbage(h: History, c: MonitorConfig) -> Evidence | None:
    """G's loss falls steadily and D rates fakes above reals, while the samples move away from the data.

    "Away from the data": ``fidelity/ratio`` above ``fidelity_max``, or risen to ``fidelity_rise``
    times the closest the samples came to the data since ``warmup`` (in pixel space a G that
    exploits a frozen D drifts from the digits it drew without going far). A D that is fooled while
    the samples stay where they were is a healthy moment of a G ahead, not garbage. A D whose
    optimiser stopped stepping for a whole window while G's goes on (:func:`_d_stalled`), or whose
    updates shrank far below G's (:func:`_d_slowed`), is the same failure seen at its cause, before
    the samples drift; those two need no decision, so they work for a Wasserstein critic too.
    """
    if (stalled := _d_stalled(h, c)) is not None:
        return stalled
    if (slowed := _d_slowed(h, c)) is not None:
        return slowed
    g, pr, pf = _full(h, "loss/g", c), _full(h, "d_prob/real", c), _full(h, "d_prob/fake", c)
    fid = h.values("fidelity/ratio", last=1)
    if not (fid and math.isfinite(fid[-1])):
        return None
    low = h.peaks["fidelity_low"] = min(h.peaks.get("fidelity_low", fid[-1]), fid[-1])
    if not (g and pr and pf):
        return None
    slope = _slope(g)
    falling = slope * len(g) < -(_pstdev(g) or 1e-12)  # the drop over the window exceeds the noise
    fooled = statistics.median(pf) >= statistics.median(pr) + c.fooled_margin  # medians: odd batches do not count
    away = fid[-1] > c.fidelity_max or fid[-1] >= c.fidelity_rise * low
    if falling and fooled and away:
        return {
            "loss/g_slope": _r(slope),
            "p_fake": _r(statistics.median(pf)),
            "p_real": _r(statistics.median(pr)),
            "fidelity/ratio": _r(fid[-1]),
            "fidelity_low": _r(low),
            "thresholds": [c.fidelity_max, c.fidelity_rise],
        }
    return None


def detect_mode_collapse(h: History, c: MonitorConfig) -> Evidence | None:
    """Generated samples fall well below their own best spread, or stop covering data they once
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
    # a G more spread out than the data (early garbage) sets no standard: the peak counts up to the data's spread
    fell = len(d) == n and all(math.isfinite(v) and v < c.diversity_drop * min(d_peak, 1.0) for v in d)
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
    while D is confident marks the saturated regime whatever the loss is called. A G loss that
    stays negative while D rejects more fakes than it accepts is the minimax form (:func:`_minimax_form`), seen
    before the flat-loss window has filled.
    """
    pf, flat = _full(h, "d_prob/fake", c), _flat_g_loss(h, c)
    if (form := _minimax_form(h, c)) is not None:
        gn = h.window("grad_norm/g", c.window)
        return {**form, "grad_norm/g": _r(_mean(gn)) if gn else None, "thresholds": [c.minimax_p, 0.0]}
    if not pf or flat is None:
        return None
    p = _mean(pf)
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
    """D rates the reals it trains on clearly above held-out reals it has never seen: it memorises.

    ``overfit/rv`` is Karras et al. (2020)'s validation heuristic r_v = (E[D(train)] - E[D(held-out)]) /
    (E[D(train)] - E[D(fake)]): 0 when held-out reals look like training reals to D, 1 when they
    look like fakes. ``overfit/auc`` = P(D(train) > D(held-out)) by ranks: a few extreme outputs
    (outliers among the training reals) cannot push it up, and noise on small sets keeps it near
    0.5. Both come from the monitor's own measurement of D on training reals, a held-out set and G's
    samples (the same kind of forward pass for all three). A gap that is small next to the
    spread of D's outputs (a D with spectral norm and a residual body keeps its outputs close)
    still counts when it is far beyond noise: ``overfit/z`` (the gap over its standard error) at
    least ``overfit_z`` with an AUC of at least ``overfit_z_auc``. On a data stream the held-out
    reals are as familiar to D as the training ones and it stays silent.
    The sign statistic r_t = E[sign D(real)] of adaptive augmentation is reported as evidence only.
    """
    n = c.overfit_checks
    rv, auc = h.values("overfit/rv", last=n), h.values("overfit/auc", last=n)
    if len(rv) < n or len(auc) < n:
        return None
    z = h.values("overfit/z", last=n)
    high = all(math.isfinite(a) and a >= c.overfit_rv for a in rv)
    ranked = high and all(math.isfinite(b) and b >= c.overfit_auc for b in auc)
    significant = (
        len(z) == n
        and all(math.isfinite(v) and v >= c.overfit_z for v in z)
        and all(math.isfinite(b) and b >= c.overfit_z_auc for b in auc)
    )
    if ranked or significant:
        rt = h.window("d_sign/real", c.window)
        return {
            "r_v": [_r(v) for v in rv],
            "auc": [_r(v) for v in auc],
            "z": [_r(v) for v in z],
            "r_t": _r(_mean(rt)) if rt else None,
            "thresholds": [c.overfit_rv, c.overfit_auc],
        }
    return None


def detect_oscillation(h: History, c: MonitorConfig) -> Evidence | None:
    """D's logit gap swings with an amplitude (robust spread) that grows over three consecutive windows."""
    r, f = h.values("d_out/real", last=3 * c.window), h.values("d_out/fake", last=3 * c.window)
    if len(r) < 3 * c.window or len(f) != len(r) or not all(map(math.isfinite, r + f)):
        return None
    gap = [a - b for a, b in zip(r, f)]
    amps = [_spread(gap[i * c.window : (i + 1) * c.window]) for i in range(3)]
    growing = amps[0] < amps[1] < amps[2] and amps[2] >= c.oscillation_growth * max(amps[0], 1e-6)
    if growing and amps[2] >= c.oscillation_floor:
        return {"amplitudes": [_r(a) for a in amps], "growth": c.oscillation_growth, "floor": c.oscillation_floor}
    return None


ALL = (
    "data_outliers",
    "grad_explode",
    "non_finite",
    "grad_vanish",
    "saturating_g",
    "d_loss_zero",
    "d_overfit",
    "g_fools_with_garbage",
    "mode_collapse",
    "oscillation",
    "d_loss_spiky",
)


def _others(*ids: str) -> tuple[str, ...]:
    return tuple(s for s in ALL if s not in ids)


for _s in (  # the order of diagnosis (module docstring)
    Symptom(
        "data_outliers",
        "warning",
        "Some real batches are far off the data's scale: their values, or D's output on them, leap at isolated steps.",
        "a data bug: some real batches arrive unnormalised, corrupt or from another source",
        ("T01", "T10"),
        detect_data_outliers,  # D's raw outputs: any loss kind
        signals=(OUT_NAMES[0],),
        # a bug in the data follows from nothing in training; what it sets off (spikes, explosion, collapse) follows
        # from it
    ),
    Symptom(
        "grad_explode",
        "error",
        "Gradient norms (or D's outputs, or both nets' update sizes) grow far above their earlier level: updates are "
        "exploding.",
        "a learning rate too high for this model, or nothing bounding D's gradients (no penalty or normalisation)",
        ("T10", "S08", "S01", "S02"),
        detect_grad_explode,
        windowed=False,
        signals=GRAD_NAMES,
        follows=(
            "data_outliers",
            "d_loss_zero",
            "saturating_g",
            "oscillation",
            "d_loss_spiky",
            "d_overfit",
            "mode_collapse",
        ),
    ),
    Symptom(
        "non_finite",
        "critical",
        "NaN or Inf in the losses, D's outputs or the gradients: the run is broken.",
        "a numerical overflow (often after exploding updates) or a NaN in the data or the weights",
        ("S08", "S01", "S03", "T01"),
        detect_non_finite,
        windowed=False,
        follows=_others("non_finite"),
    ),
    Symptom(
        "grad_vanish",
        "error",
        "The gradients of both G and D have vanished: nothing learns any more.",
        "updates so large that D's outputs saturated (a sigmoid stuck at 0 or 1) or the units died",
        ("S08", "T05", "T01", "T10"),
        detect_grad_vanish,
        signals=GRAD_NAMES,
        follows=("data_outliers", "grad_explode"),
    ),
    Symptom(
        "saturating_g",
        "error",
        "D is confident and G's loss sits flat near 0: the saturating G loss has stalled.",
        "G minimises log(1 - D(G(z))) (the minimax form), whose gradient vanishes once D rejects the fakes",
        ("T02", "T06", "T13"),
        detect_saturating_g,
        needs=frozenset({SATURATING}),
        signals=("d_prob/fake", "loss/g"),
        follows=("data_outliers", "d_loss_zero"),
    ),
    Symptom(
        "d_loss_zero",
        "error",
        "D wins outright (its loss is heading to ~0): G gets no useful signal.",
        "D is far stronger than G (learning rate, capacity or number of D steps)",
        ("T10", "T06", "T13", "S01", "S04"),
        detect_d_wins,
        needs=frozenset({DECISION, FLOOR}),
        signals=("d_prob/real", "d_prob/fake"),
        # a D whose outputs saturated (grad_vanish's cause) separates real from fake as far as it can
        follows=("data_outliers", "saturating_g", "d_overfit", "grad_explode", "grad_vanish"),
        variants=((REGRESSION, detect_d_pulls_away),),  # least squares: a separated D is no win by itself
    ),
    Symptom(
        "d_overfit",
        "warning",
        "D rates its training reals well above held-out reals: it is memorising the training data.",
        "a training set small for D's capacity, trained for long",
        ("T13", "T06", "T17", "S03"),
        detect_d_overfit,
        signals=("overfit/rv",),
        follows=("data_outliers", "d_loss_zero", "saturating_g", "grad_explode"),
    ),
    Symptom(
        "g_fools_with_garbage",
        "warning",
        "D has stopped learning (its optimiser no longer steps, its updates shrank far below G's, or it is fooled by "
        "samples far from the data).",
        "D has stopped learning (frozen, far too slow, or not stepped), so G exploits it",
        ("T10", "T14", "S04"),
        detect_g_fools_with_garbage,  # the garbage test reads P(real)/P(fake): off by itself for a critic
        signals=("fidelity/ratio",),
        follows=("data_outliers", "grad_explode", "mode_collapse"),
    ),
    Symptom(
        "mode_collapse",
        "error",
        "Samples are much less diverse than the data: G is collapsing onto few modes.",
        "D too weak or too slow to punish G for covering few modes, or updates too large",
        ("T15", "S08", "T08", "T12", "T06"),
        detect_mode_collapse,
        signals=("diversity/ratio",),
        follows=_others("mode_collapse", "d_loss_spiky"),
    ),
    Symptom(
        "oscillation",
        "warning",
        "D's judgement swings back and forth with growing amplitude.",
        "G and D chase each other with updates too large for the game to settle",
        ("T08", "S07", "S03", "S08"),
        detect_oscillation,
        signals=("d_out/real", "d_out/fake"),
        follows=_others("oscillation"),
    ),
    Symptom(
        "d_loss_spiky",
        "warning",
        "D's loss spikes with high variance instead of settling down.",
        "unstable updates (learning rate, no penalty) or noisy data",
        ("T10", "S01", "S03", "S08"),
        detect_d_loss_spiky,
        # "the loss at least doubles" needs a loss bounded below by 0 (not a critic's signed loss)
        needs=frozenset({FLOOR}),
        signals=("loss/d",),
        follows=_others("d_loss_spiky"),
    ),
):
    SYMPTOMS.register(_s.id, _s)


def symptoms_for(kind: LossKind | None) -> list[Symptom]:
    """The symptoms that mean something for a loss kind, in the order of diagnosis."""
    return [s.for_kind(kind) for s in (SYMPTOMS.get(n) for n in SYMPTOMS) if s.applies_to(kind)]


def tips_monitored() -> dict[str, list[str]]:
    """Tip id -> ids of the symptoms whose remedies name it (shown by ``ganhacks tips``)."""
    out: dict[str, list[str]] = {}
    for name in SYMPTOMS:
        for tip in SYMPTOMS.get(name).tips:
            out.setdefault(tip, []).append(name)
    return out
