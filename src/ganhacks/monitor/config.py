"""The monitor's settings: one frozen dataclass, a comment on every default (tip T10).

Defaults were chosen from the measurements in docs/monitor.md (``benchmarks/monitor_validity.py``):
each threshold sits between what healthy runs reach and what the failing runs reach well
before their failure becomes visible in modes covered or sample quality.
"""

from __future__ import annotations

from dataclasses import dataclass

from ganhacks.errors import UserError, check_positive, check_probability
from ganhacks.registry import did_you_mean

POLICIES = ("warn", "stop", "rollback")
SEVERITIES = ("info", "warning", "error", "critical")


@dataclass(frozen=True)
class MonitorConfig:
    """How the monitor watches a run and what it does about a symptom (T10)."""

    enabled: bool = True  # watch every ``ganhacks train`` run
    policy: str = (
        "warn"  # "warn" (print + events.jsonl), "stop" the run, or "rollback" to a healthy state and lower the LRs
    )
    act_on: str = "error"  # lowest severity that triggers stop/rollback ("warning", "error", "critical")
    window: int = 50  # steps of evidence the windowed symptoms look at
    check_every: int = (
        10  # evaluate the windowed symptoms every N steps (NaN and gradient checks run every step; 5 cost 0.3% more)
    )
    quiet_steps: int = 100  # an episode ends after this many steps without the symptom; a new one may then alert
    settle_steps: int = 20  # a new root symptom waits this long for the symptom it may follow from (not critical ones)
    warmup: int = 200  # windowed symptoms start after this step (D often leads for the first 100-150 steps)
    d_acc_min: float = 0.9  # D wins: mean accuracy over the window at least this...
    # ...and mean P(real) - P(fake) at least this (healthy tune+seen runs: <= 0.62; one-sided smoothing caps it at 0.9)
    d_gap_min: float = 0.7
    d_loss_floor: float = 0.05  # D wins when only losses are given: mean D loss below this
    # least squares: D wins only when that gap also stands this far above its lowest since warmup (the one healthy
    # LSGAN set-up of the four scored parts whose gap passed 0.7, separated from step 20 on: at most 0.03 above it;
    # D made far stronger at step 400: 0.65 and more when the gap passes 0.7)
    d_gap_rise: float = 0.3
    grad_max: float = 100.0  # tip T10: a gradient norm whose median over grad_window readings stays above this explodes
    grad_window: int = 10  # readings the gradient-norm level is judged over (a single reading never fires)
    grad_growth: float = 20.0  # ...or a median that grew by this factor over the median of the window before...
    grad_floor: float = 5.0  # ...and is above this (tiny norms growing from tinier ones are not an explosion)
    # ...or D's raw outputs' scale max(|E D(real)|, |E D(fake)|) grew grad_growth times (median of grad_window readings
    # over the window before) and is above this (a logit of 10: sigmoid 0.99995, saturated; healthy runs of all five
    # scored parts: never above it after growing 5 times)
    d_out_floor: float = 10.0
    # ...or the update sizes ||dw|| / ||w|| of both G and D (read every layer_every steps) grew at least this many
    # times at each of ramp_checks readings in a row, all from warmup on: a learning rate ramped up (healthy runs and
    # healthy parts of the six in-sample parts: at most 1.2 for both nets at two readings in a row; the SGD ramps at
    # step 500: 2.1 to 15, except one whose samples had collapsed at once, 1.5)
    ramp_growth: float = 1.5
    ramp_checks: int = 2
    # ...and, in each net, at least exp(ramp_noise x its own typical change), the median |log| ratio of consecutive
    # readings before the rises (from warmup / 2 on, at most 20), ending at least ramp_growth times their median (above
    # the usual level, not back to it from a dip). One reading is one step's update; where it swings from reading to
    # reading (the point family's defaults at learning rates 8e-4 with Adam's beta1 = 0: typically 1.3 to 1.8 times),
    # two rises of 1.5 are noise, not a ramp (they raised grad_explode in 8 of 20 healthy default runs of
    # recipe_r1g2.toml); in the corpus's steadier runs the bar stays at ramp_growth (no detection of its 8 parts lost)
    ramp_noise: float = 1.5
    # ...or both nets' updates rose at each of ramp_slow_checks readings in a row, each rise at least ramp_slow_rise
    # (and the noise bar above), ramp_slow_growth times in all: a ramp whose rises swing from 1.1 to 2 a reading, so
    # that two of 1.5 in a row never come (Adam at its default betas, a learning rate ramped 1 % a step). The total is
    # what the two-reading test asks (1.5 x 1.5). Healthy runs of the six recorded parts (fresh14-19) and the 180
    # healthy runs of every part, up to their cause: at most 1.48 in all over three such rises in both nets
    # (docs/monitor_ramp_slow.json). 0 switches it off
    ramp_slow_checks: int = 3
    ramp_slow_rise: float = 1.1
    ramp_slow_growth: float = 2.25
    # ...or the newest update sizes of both G and D stand at least this many times their median over the earlier
    # readings (from warmup / 2 on, at most 20): updates far larger than the run's own, in both nets at once (healthy
    # runs and healthy parts of the seven in-sample parts: at most 1.6; the learning-rate causes caught by it: 4.2 to
    # 73)
    update_jump: float = 4.0
    # ...and both still stand high jump_recheck steps later, when the update sizes are read once more (0, or
    # layer_every and more: no recheck, the reading alone decides). A learning rate too high stays; a healthy run's
    # surge passes: the point family's default runs (Adam, beta1 = 0) raised a false grad_explode from one reading in
    # 3 of 8 runs; in 4 runs read at every step, the 2 surges that passed the bar at a reading held both nets over 4
    # times for 3 and 5 steps and stood at 1.2 times at the recheck, and no reading with its recheck passed 2.7 times
    # (docs/monitor_jump_recheck.json)
    jump_recheck: int = 10
    # ...where the recheck need stand only this share of the reading's bar (update_jump x recheck_share: 2 times): a
    # learning rate too high stays high but its updates settle somewhat as the nets adapt (feature matching's G at
    # 2.0 and 3.9 times ten steps after 26 to 95 times), while the healthy surges fell back to 0.9 to 1.2 times
    # (docs/monitor_jump_recheck.json); 1 asks the recheck for the full bar
    recheck_share: float = 0.5
    # ...and a reading taken at a replaced optimiser's first step (watch() again after a swap) is rechecked twice: that
    # first step has no optimiser state (an SGD's momentum buffer is empty, its step some ten times smaller than the
    # next ones), so at the second recheck the first stands in for the reading, asked update_jump of one net and the
    # recheck's share of the other, and the second confirms both (the swaps to an SGD ramped up:
    # docs/monitor_settle.json, docs/monitor_settle_bar.json). False: the reading and one recheck, as for any other
    settle_recheck: bool = True
    # ...where both rechecks of both nets stand at the share, and the full bar of one net may be met at either recheck:
    # updates still growing ten steps after the first (an SGD whose rate is ramped up from a small start) have not
    # settled yet at the first (docs/monitor_settle_either.json). False: the first recheck alone meets the full bar
    settle_either: bool = True
    grad_vanish: float = 1e-3  # both networks' gradient norms fell below this fraction of their earlier level
    spike_factor: float = 6.0  # a D-loss spike: above median + spike_factor * max(MAD, 0.05 * median)
    spikes_min: int = 3  # spikes in one window that make the D loss "spiky"
    spike_rise: float = 1.0  # ...each at least this many times the median loss above its neighbours (doubling it)
    # data_outliers: D's output on the real batch jumps from its running median of 5 by at least this many times the
    # window's typical output size (the larger median |D(real)|, |D(fake)|) at spikes_min readings, while its output
    # on the fakes never does in the window: some real batches are far off the data's scale (a data bug). Healthy
    # runs and healthy parts of the seven in-sample parts: at most 4.2 at the third-largest jump of a window; the
    # outlier runs at their first check after the bug: 146 to 513
    outlier_factor: float = 20.0
    # ...or, in a hand-written loop given held-out reals, a real batch D trained on whose largest |value| stands at
    # least this many times the held-out reals' largest (read from D's input at every step: an unnormalised batch of
    # 0..255 images is some 255 times [-1, 1] data; the corpus's 78 healthy hand loops reach at most 1.52,
    # docs/monitor_range.json). It sees the bug in the data itself, whatever D makes of it: an SGD D thrown off by the
    # first such batch explodes on the fakes too, which the output test above reads as an explosion (fresh14's SGD-D
    # ring). inf: off
    outlier_range: float = 4.0
    diversity_every: int = 10  # measure sample diversity every N steps (25 detected one collapse late, docs/monitor.md)
    diversity_drop: float = 0.7  # mode collapse: fake spread / real spread below this fraction of its peak...
    # ...or coverage of the real data (share of reals with a fake nearby) below this (healthy tune+seen runs, two
    # measurements in a row: >= 0.44)...
    coverage_min: float = 0.4
    coverage_peak: float = 0.8  # ...after it had reached this (high-dimensional data rarely does; then spread decides)
    diversity_checks: int = 2  # ...at this many consecutive measurements
    fidelity_max: float = (
        6.0  # garbage: fakes farther from the data than this many real-to-real NN distances (healthy tune runs <= 3.3)
    )
    fidelity_rise: float = 1.25  # ...or risen to this many times the closest the samples came to the data
    fooled_margin: float = 0.05  # D is fooled: median P(fake) above median P(real) by this
    # D too slow: D's update ratio over G's fell below 1/d_slow of its earlier median (healthy tune+seen+new runs:
    # at most 1.9 times, two readings in a row; D's LR cut x0.002: over 15 times)...
    d_slow: float = 6.0
    d_slow_checks: int = 2  # ...at this many consecutive readings (every layer_every steps)
    saturation_p: float = 0.15  # D is confident: mean P(fake is real) below this...
    g_loss_flat: float = (
        0.3  # ...while |G loss| stays below this: log(1 - p) ~ -p is flat, its gradient ~p vanishes (T02)
    )
    # ...or, with G's loss below 0 at every step of half a window (the minimax form's sign), mean P(fake) below this: D
    # rejects more fakes than it accepts, where the minimax gradient (~p) is already the smaller of the two forms' (the
    # non-saturating ~1 - p). 0.15 -> 0.5 on every run it can change, live: the corpus's 20 saturating runs right first
    # 9 -> 15, its 180 healthy runs' false alarms unchanged (docs/monitor_minimax.json)
    minimax_p: float = 0.5
    overfit_every: int = 25  # measure D on training reals, held-out reals and fakes every N steps (3 D forwards)
    overfit_rv: float = 0.5  # D overfits: r_v = (D(train) - D(held-out)) / (D(train) - D(fake)) at least this...
    overfit_auc: float = 0.75  # ...and P(D(train) > D(held-out)) (rank AUC, robust to outliers) at least this...
    overfit_checks: int = 3  # ...at this many consecutive measurements
    overfit_z: float = 4.0  # ...or the train/held-out gap at least this many standard errors (healthy tune+seen <= 2.4)
    overfit_z_auc: float = 0.6  # ...with an AUC of at least this (healthy tune+seen <= 0.57)
    oscillation_growth: float = 2.0  # amplitude of D's logit gap grows by this factor over three windows
    oscillation_floor: float = 1.5  # ...and ends above this amplitude (raw outputs; failing tune runs: 1.0-1.1 early)
    layer_every: int = 50  # per-layer gradient norms, weight norms and update ratios every N steps
    # ...and off that grid, at once (both nets, at their next optimiser steps), when a net's learning rate has risen at
    # least this many times since its last reading or its optimiser was replaced (watch() again with a new one): a
    # learning rate raised many times scatters the samples within 30 to 60 steps, before the next reading on the grid
    # (the main miss of the held-out parts fresh10 and fresh11). A rate that only falls (a decay, a rollback) reads
    # nothing more; a warm-up adds one reading per doubling. 0: off
    lr_rise_read: float = 2.0
    lr_factor: float = 0.5  # rollback multiplies both learning rates by this (S08)
    max_rollbacks: int = 3  # then the run stops
    snapshot_every: int = 100  # rollback policy only: keep an in-memory healthy state every N steps
    # generated samples (G's newest training batches in ganhacks train; G(z) at fixed z in a hand loop) and reals
    diversity_samples: int = 256
    # measured benefit of each tip, remedies listed best first: "" = the verdicts ganhacks ships
    # (ganhacks/assets/measured.json, from docs/EVIDENCE.md), or a path to an evidence JSON/Markdown page
    evidence: str = ""

    def __post_init__(self) -> None:
        if self.policy not in POLICIES:
            raise UserError(
                f"unknown monitor.policy '{self.policy}'.{did_you_mean(self.policy, POLICIES)} "
                f"Valid choices: {', '.join(POLICIES)}"
            )
        if self.act_on not in SEVERITIES[1:]:
            raise UserError(
                f"unknown monitor.act_on '{self.act_on}'.{did_you_mean(self.act_on, SEVERITIES)} "
                "Valid choices: warning, error, critical"
            )
        for name in (
            "window",
            "check_every",
            "quiet_steps",
            "spikes_min",
            "diversity_every",
            "diversity_checks",
            "layer_every",
            "snapshot_every",
            "diversity_samples",
            "grad_window",
            "overfit_every",
            "overfit_checks",
            "d_slow_checks",
            "ramp_checks",
        ):
            check_positive(f"monitor.{name}", getattr(self, name))
        check_positive("monitor.jump_recheck", self.jump_recheck, allow_zero=True)
        check_positive("monitor.ramp_slow_checks", self.ramp_slow_checks, allow_zero=True)
        if not (self.lr_rise_read == 0 or self.lr_rise_read > 1):
            raise UserError(
                f"monitor.lr_rise_read must be 0 (off) or over 1 (a rise of the learning rate); got {self.lr_rise_read}"
            )
        if not 0 < self.recheck_share <= 1:
            raise UserError(
                f"monitor.recheck_share must be in (0, 1] (a share of update_jump); got {self.recheck_share}"
            )
        if not 0 < self.lr_factor <= 1:
            raise UserError(
                f"monitor.lr_factor must be in (0, 1] (the learning rates are multiplied by it); got {self.lr_factor}"
            )
        for name in (
            "d_acc_min",
            "d_gap_min",
            "d_gap_rise",
            "saturation_p",
            "minimax_p",
            "fooled_margin",
            "coverage_min",
            "coverage_peak",
            "diversity_drop",
            "overfit_auc",
            "overfit_z_auc",
        ):
            check_probability(f"monitor.{name}", getattr(self, name))
        for name in (
            "d_loss_floor",
            "grad_max",
            "spike_factor",
            "outlier_factor",
            "outlier_range",
            "fidelity_max",
            "g_loss_flat",
            "grad_growth",
            "grad_floor",
            "d_out_floor",
            "ramp_growth",
            "ramp_noise",
            "ramp_slow_rise",
            "ramp_slow_growth",
            "update_jump",
            "grad_vanish",
            "fidelity_rise",
            "overfit_rv",
            "overfit_z",
            "oscillation_growth",
            "oscillation_floor",
            "d_slow",
        ):
            check_positive(f"monitor.{name}", getattr(self, name))
        check_positive("monitor.max_rollbacks", self.max_rollbacks, allow_zero=True)
        check_positive("monitor.warmup", self.warmup, allow_zero=True)
        check_positive("monitor.settle_steps", self.settle_steps, allow_zero=True)
        check_positive("monitor.spike_rise", self.spike_rise, allow_zero=True)
        if self.window < 4:
            raise UserError(f"monitor.window must be >= 4 steps, got {self.window}")
