"""The Monitor: watches any GAN training loop and raises tip T10's failure symptoms early.

Feed it one dict of named values per iteration (:meth:`Monitor.observe`), or, in a hand-written
loop, the losses and D's outputs (:meth:`Monitor.step`); :meth:`Monitor.watch` adds gradient
norms (total and per layer), weight norms, update-to-weight ratios, the diversity of ``G(z)`` at
a fixed ``z`` and D's verdict on held-out reals (overfitting) without touching the training code.
Symptoms are read as the loss says (:mod:`ganhacks.monitor.losskinds`); the first root symptom
of a problem opens an incident with one console line, the symptoms that follow from it are folded
into it (:mod:`ganhacks.monitor.incidents`), and everything is written to ``events.jsonl``.

Example (a hand-written loop; three added lines):
    >>> monitor = Monitor(run_dir="runs/mine", loss="bce").watch(G, D, opt_g, opt_d, real=held_out, z=fixed_z)
    ... # doctest: +SKIP
    >>> for step in range(1, steps + 1):                                          # doctest: +SKIP
    ...     ...  # D step (outputs real_out, fake_out, loss_d), then G step (loss_g)
    ...     monitor.step(step, d_loss=loss_d, g_loss=loss_g, d_real=real_out, d_fake=fake_out)
    >>> monitor.close()                                                           # doctest: +SKIP
"""

from __future__ import annotations

import math
import sys
import weakref
from collections import deque
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

import torch
from torch import Tensor, nn

from ganhacks.errors import UserError
from ganhacks.monitor.actions import Alert, EventLog, at_least, print_alert
from ganhacks.monitor.config import MonitorConfig
from ganhacks.monitor.history import History
from ganhacks.monitor.incidents import Incidents, Suspect
from ganhacks.monitor.losskinds import KINDS, KindGuess, LossKind, loss_kind, to_logits
from ganhacks.monitor.remedies import load_benefits, rank_tips
from ganhacks.monitor.signals import (
    CORE,
    RealReference,
    diversity_signals,
    layer_grad_norms,
    logit_signals,
    overfit_signals,
    quiet_forward,
    real_reference,
    reinterpret,
    scalar_signals,
    to_float,
    total_norm,
    update_ratio,
    weight_vector,
)
from ganhacks.monitor.symptoms import SYMPTOMS, Symptom, symptoms_for
from ganhacks.rundir import RunDir

NEEDS_SAMPLES = ("mode_collapse", "g_fools_with_garbage")  # need real= and z= in a hand loop
NEEDS_HELD_OUT = ("d_overfit",)  # needs real= (reals the loop does not train on)
# d_overfit compares D on the reals it trains on with D on held-out reals of the same data; a training real whose
# largest |value| stands over this many times the held-out reals' largest is not that data (an unnormalised batch, a
# corrupt file) but data_outliers' case, and is left out of the comparison
OVERFIT_RANGE = 4.0


class TrainingStopped(RuntimeError):
    """Raised by :meth:`Monitor.step` in a hand-written loop when the ``stop`` policy acts."""


def _ends_in_sigmoid(module: nn.Module) -> bool:
    """Whether the last leaf module of ``module`` is a Sigmoid (its outputs are probabilities)."""
    leaves = [m for m in module.modules() if not list(m.children())]
    return bool(leaves) and isinstance(leaves[-1], nn.Sigmoid)


def _rows_by_value(calls: list[tuple[Tensor, Tensor]], part: Tensor) -> Tensor | None:
    """The rows of D's inputs whose outputs, or their sigmoid, hold ``part``'s values: one call's, or several calls' in
    the order they were made (a loop that hands the monitor ``torch.sigmoid(D(x))``, a copy of D's outputs, or the
    outputs of micro-batches put together), else ``None``. ``calls``: (output, input), oldest first."""
    want, rows, at = part.detach().float().flatten(), [], 0
    for out, x in calls:
        n = out.numel()
        if at + n > len(want) or len(x) != len(out):
            continue
        got, seg = out.detach().float().flatten(), want[at : at + n]
        if torch.equal(got, seg) or torch.allclose(torch.sigmoid(got), seg, rtol=1e-4, atol=1e-6):
            rows, at = [*rows, x], at + n
            if at == len(want):
                return rows[0] if len(rows) == 1 else torch.cat(rows)
    return None


def _rows_of(output: Tensor, inputs: Tensor, part: Tensor) -> Tensor | None:
    """The rows of ``inputs`` whose outputs are ``part`` (a view into ``output``), or ``None``."""
    try:
        if part.untyped_storage().data_ptr() != output.untyped_storage().data_ptr():
            return None
    except RuntimeError:
        return None
    per_row = max(output.numel() // max(len(output), 1), 1)
    start = (part.storage_offset() - output.storage_offset()) // per_row
    n = part.numel() // per_row
    if start < 0 or start + n > len(inputs):
        return None
    return inputs[start : start + n]


def eval_forward(net: nn.Module, x: Tensor) -> Tensor:
    """``net(x)`` in eval mode on a forked random stream: neither the run's RNG (dropout in G) nor the
    module's train/eval mode is changed by the monitor's look."""
    with torch.random.fork_rng(devices=[x.device.index or 0] if x.is_cuda else []):
        was = net.training
        net.eval()
        try:
            return net(x)
        finally:
            net.train(was)


def _as_input(x: Any, arg: str, net: nn.Module | None) -> Tensor:
    """``x`` as a tensor for ``net``: a numpy array (or nested list) becomes one on the device, and with
    the float dtype, of ``net``'s weights, as a loop that keeps its data in numpy would pass it."""
    if isinstance(x, Tensor):
        return x
    try:
        t = torch.as_tensor(x)
    except (TypeError, ValueError, RuntimeError):  # object arrays, ragged lists, strings
        raise UserError(
            f"watch({arg}=...) takes a tensor or a numeric numpy array, got {type(x).__name__}; "
            f"pass {arg}=torch.as_tensor(...)"
        ) from None
    weight = next(net.parameters(), None) if net is not None else None
    if weight is None:
        return t
    return t.to(weight.device, weight.dtype if t.is_floating_point() and weight.is_floating_point() else t.dtype)


def _rates(opt: Any) -> list[float]:
    """The learning rate of each of ``opt``'s parameter groups (0 for a tensor rate, which is not read: reading it
    would wait for the device at every step)."""
    return [lr if isinstance(lr := g.get("lr", 0.0), (int, float)) else 0.0 for g in opt.param_groups]


class Monitor:
    """Watches a GAN run for failure symptoms (tip T10).

    Args:
        config: thresholds and policy; keyword ``overrides`` replace single fields.
        run_dir: folder for ``events.jsonl``; ``None`` keeps events in memory only.
        loss: the loss kind (``"bce"``, ``"minimax"``, ``"hinge"``, ``"wasserstein"``,
            ``"least_squares"``, ``"relativistic"``, or the trainer's loss names). ``None``: guessed
            by :meth:`step` from the first steps, and said once.
        stream: where alerts are printed (default: the current ``sys.stderr``; ``None``: silent).
    """

    can_roll_back = (
        False  # only the trainer's adapter can restore a whole run (ganhacks.train.callbacks.MonitorCallback)
    )

    def __init__(
        self,
        config: MonitorConfig | None = None,
        run_dir: str | Path | None = None,
        loss: str | None = None,
        stream: TextIO | str | None = "stderr",
        **overrides: Any,
    ) -> None:
        try:
            self.config = replace(config or MonitorConfig(), **overrides)
        except TypeError as exc:
            raise UserError(
                f"unknown Monitor setting ({exc}); see ganhacks.monitor.MonitorConfig for the fields"
            ) from None
        if self.config.policy == "rollback" and not self.can_roll_back:
            raise UserError(
                "policy='rollback' needs the state of the whole run and exists only inside ganhacks train; "
                "use policy='warn' or 'stop' here"
            )
        self.declared: LossKind | None = loss_kind(loss) if loss is not None else None
        self.kind: LossKind | None = self.declared
        self.probabilities = False  # D's outputs are probabilities (converted to logits before reading)
        self.symptoms = symptoms_for(self.kind)
        self.history = History(size=3 * self.config.window)
        self.incidents = Incidents(self.config.quiet_steps, self.config.settle_steps)
        self.events = EventLog(RunDir(run_dir).events if run_dir is not None else None)
        self.stream = sys.stderr if stream == "stderr" else stream  # looked up now, so redirection works
        self.benefits = load_benefits(self.config.evidence)  # tip -> measured benefit (empty: catalog order)
        self.alerts: list[Alert] = []  # one per incident: the alert that opened it
        self.acting: list[str] = []  # symptoms at act_on or worse that started an episode at the newest step
        self.last_seen: dict[str, int] = {}  # symptom id -> newest step it fired at
        self.reported: set[str] = set()  # notes already said once
        self.should_stop = False
        self.rollbacks = 0
        self.events_at_load: int | None = None
        self.step_count = 0  # newest observed step
        self.added: dict[str, float] = {}  # values the monitor itself measured at the newest step
        self._pending: dict[str, float] = {}
        self._handles: list[Any] = []
        self._before: dict[str, tuple[str, Tensor]] = {}  # tag -> (the reading under way, weights before the step)
        # per net: the step from which its next layer reading (and recheck) is due, taken at its first optimiser step
        # from then on (a loop that steps G only every k-th iteration gets G's reading a few steps late)
        self._due: dict[str, dict[str, int]] = {"layer": {}, "recheck": {}}
        self._stepped: dict[str, int] = {}  # tag -> the newest step its optimiser stepped at
        # tag -> (its optimiser, weakly held, its learning rates, the step its round opened at) at the net's last layer
        # reading (None in place of the optimiser after a resume: its identity is not saved, the rates and the step are)
        self._rates: dict[str, tuple[weakref.ref | None, list[float], int]] = {}
        # nets read at once because their optimiser was replaced: their recheck is followed by a second one, since a new
        # optimiser's first step has no state yet (SGD's momentum buffer is empty) and can understate its size
        self._settle: set[str] = set()
        self._round: dict[str, tuple[int, set[str], dict[str, float]]] = {}  # kind -> (first step, tags, values)
        self._tags: set[str] = set()  # the watched optimisers' tags
        self._totals = True
        self._guess: KindGuess | None = None  # set by step() while the first steps are read
        self._sigmoid_at_end = False
        # diversity: the generator and fixed z (hand loop) and the real reference
        self._G: nn.Module | None = None
        self._z: Tensor | None = None
        self._reference: RealReference | None = None
        # overfitting: D, a training reference (fixed, or the newest training batches) and held-out reals
        self._D: nn.Module | None = None
        self._held: Tensor | None = None
        self._held_max: float | None = None  # the held-out reals' largest |value| (read once)
        self._train: Tensor | None = None
        self._recent_real: deque[Tensor] = deque(maxlen=1)
        # (output, input) of D's newest calls (an unrolled D's look-ahead steps call it 9 times an iteration)
        self._calls: deque[tuple[Tensor, Tensor]] = deque(maxlen=16)
        self._last_fake: Tensor | None = None
        self._watched = (False, False, False, False)  # (G, D, real, z) given to watch()

    @property
    def symptoms(self) -> list[Symptom]:
        """The symptoms watched, in the order of diagnosis (those that apply to the loss kind)."""
        return self._symptoms

    @symptoms.setter
    def symptoms(self, value: list[Symptom]) -> None:
        self._symptoms = list(value)
        self._every_step = [s for s in self._symptoms if not s.windowed]  # what a step off the check grid reads

    # ------------------------------------------------------------------ optional instruments

    def watch(
        self,
        G: nn.Module | None = None,
        D: nn.Module | None = None,
        opt_g: torch.optim.Optimizer | None = None,
        opt_d: torch.optim.Optimizer | None = None,
        real: Tensor | None = None,
        z: Tensor | None = None,
        totals: bool = True,
    ) -> Monitor:
        """Measure gradients and updates at each optimiser step, diversity of ``G(z)`` and D on held-out reals.

        Hooks on the optimisers (``register_step_pre_hook``/``post_hook``) read the gradients just
        before each step, so D's norm is D's own even when G's backward later adds to D's grads.

        Args:
            G, D: the networks (G for diversity, D for overfitting and to see a sigmoid at its end).
            opt_g, opt_d: their optimisers.
            real: reals the loop does **not** train on (a held-out batch, up to ``2 * diversity_samples``
                rows): the reference for diversity and for D's overfitting. A tensor or a numpy array.
            z: a fixed latent batch for G (the first ``diversity_samples`` rows are used); checked
                against G at once.
            totals: ``False`` skips the per-step total norms (the trainer already reports them).

        Returns:
            ``self``, so ``monitor = Monitor(...).watch(...)`` is one line.

        Raises:
            UserError: ``z`` or ``real`` do not fit G or D, or are neither tensors nor numeric numpy arrays.
        """
        self._totals = totals
        for tag, opt, module in (("g", opt_g, G), ("d", opt_d, D)):
            if opt is None:
                continue
            params = (
                list(module.parameters()) if module is not None else [p for g in opt.param_groups for p in g["params"]]
            )
            named = (
                list(module.named_parameters()) if module is not None else [(f"p{i}", p) for i, p in enumerate(params)]
            )
            self._tags.add(tag)
            self._handles.append(opt.register_step_pre_hook(self._pre_hook(tag, named)))
            self._handles.append(opt.register_step_post_hook(self._post_hook(tag, named)))
        if D is not None:
            self._sigmoid_at_end = _ends_in_sigmoid(D)
        n = self.config.diversity_samples
        if z is not None:
            if G is None:
                raise UserError("watch(z=...) needs G too: watch(G, D, opt_g, opt_d, real=..., z=...)")
            z = _as_input(z, "z", G)[:n]
            self._check_fit(G, z, "z", "G", "the z your loop feeds G")
        if real is not None:
            real = _as_input(real, "real", D if D is not None else G).detach()[: 2 * n]
            if len(real) < 8:
                raise UserError(f"watch(real=...) needs at least 8 held-out reals, got {len(real)}")
            if not bool(torch.isfinite(real).all()):
                raise UserError("watch(real=...) holds NaN or Inf; pass finite held-out reals")
            if G is not None and z is not None:
                fake = self._check_fit(G, z[:2], "z", "G", "the z your loop feeds G")
                if tuple(fake.shape[1:]) != tuple(real.shape[1:]):
                    raise UserError(
                        f"G(z) gives samples of shape {tuple(fake.shape[1:])} but real= holds {tuple(real.shape[1:])}; "
                        "pass reals shaped like what G makes"
                    )
                self._G, self._z = G, z
            self._reference = real_reference(real.float().cpu())
            if D is not None:
                self._check_fit(D, real[:2], "real", "D", "a batch of your real data")
                self._D, self._held, self._held_max = D, real, None
                self._handles.append(D.register_forward_hook(self._capture))
        self._watched = (G is not None, D is not None, real is not None, z is not None)
        return self

    def _check_fit(self, net: nn.Module, x: Tensor, arg: str, name: str, hint: str) -> Tensor:
        """``net(x)`` without side effects, or a UserError that says ``x`` does not fit ``net``."""
        try:
            with torch.no_grad():
                return eval_forward(net, x)
        except Exception as exc:  # any failure of the user's network on this input is a misfit
            raise UserError(
                f"watch({arg}=...) does not fit {name}: {name}({arg}) with {arg} of shape {tuple(x.shape)} "
                f"failed ({type(exc).__name__}: {str(exc).splitlines()[0][:120]}); pass {hint}"
            ) from None

    def say_what_is_off(self, step: int) -> None:
        """Say once which symptoms the arguments given to :meth:`watch` leave off, and how to turn them on.

        :meth:`step` calls it at the first step of a hand loop; an adapter that feeds samples itself
        (the trainer's) does not."""
        has_g, has_d, has_real, has_z = self._watched
        off = []
        if not (has_g and has_real and has_z):
            off += [f"{s} (needs watch(G, ..., real=..., z=...))" for s in NEEDS_SAMPLES]
        if not (has_d and has_real):
            off += [f"{s} (needs watch(..., D, real=held-out reals))" for s in NEEDS_HELD_OUT]
        if off:
            self.note(
                step,
                "off",
                "symptoms off: "
                + "; ".join(off)
                + ". Turn them on with watch(G, D, opt_g, opt_d, real=reals_not_trained_on, z=fixed_z)",
            )

    def set_diversity_reference(self, real: Tensor) -> None:
        """Compare the samples given to :meth:`observe` with ``real`` (the trainer's adapter)."""
        real = real.detach().float().cpu()
        if len(real) < 4:
            raise UserError(f"the diversity signal needs at least 4 real samples, got {len(real)}")
        self._reference = real_reference(real)

    def set_overfit_reference(self, D: nn.Module, train: Tensor, held: Tensor) -> None:
        """Judge D's overfitting on ``train`` (reals it trains on) against ``held`` (reals it never sees)."""
        self._D, self._train, self._held, self._held_max = D, train.detach(), held.detach(), None

    def _capture(self, module: nn.Module, args: tuple, output: Any) -> None:
        """Forward hook on D: keep (output, input) of its newest calls that train it, to find the real batch."""
        if torch.is_grad_enabled() and args and isinstance(args[0], Tensor) and isinstance(output, Tensor):
            self._calls.append((output.detach(), args[0].detach()))  # detached: the graph is not kept alive

    def _remember_training_reals(self, d_real: Tensor) -> float | None:
        """Keep the rows of D's input that ``d_real`` came from (d_overfit's training reals); return their largest
        |value| over the held-out reals' largest (data_outliers' ``data/real_range``), or None if not found."""
        views = (_rows_of(out, x, d_real) for out, x in reversed(self._calls))  # a view of D's output, as most loops
        rows = next((r for r in views if r is not None), None)
        if rows is None:
            rows = _rows_by_value(list(self._calls), d_real)  # else its values (or their sigmoid): compared only now
        self._calls.clear()
        if rows is None:
            self.note(
                self.step_count + 1,
                "off",
                "d_overfit and data_outliers' range test are off for now: d_real is neither D's output on the real "
                "batch of this step nor its sigmoid; pass D(real) (or torch.sigmoid of it) as d_real",
                key="reals",
            )
            return None
        self._recent_real.append(rows.detach())
        need = math.ceil(self.config.diversity_samples / max(len(rows), 1))
        if self._recent_real.maxlen != need:
            self._recent_real = deque(self._recent_real, maxlen=need)
        if self._held_max is None and self._held is not None:
            self._held_max = float(self._held.detach().abs().max())
        if not self._held_max or not rows.numel():
            return None
        return float(rows.detach().abs().max()) / self._held_max

    def _reading_due(self, tag: str) -> str | None:
        """The reading this net's optimiser step takes: ``"recheck"`` from ``jump_recheck`` steps after the net's layer
        reading on (first: a net that steps every k-th iteration may find both due), ``"layer"`` from each
        ``layer_every``-th step on (until the net steps), else None."""
        now, every = self.step_count + 1, self.config.layer_every
        if now >= self._due["recheck"].get(tag, now + 1):
            return "recheck"
        if now >= self._due["layer"].setdefault(tag, -(-now // every) * every):  # first due: the next multiple
            return "layer"
        return None

    def _pre_hook(self, tag: str, named: list[tuple[str, nn.Parameter]]) -> Any:
        """The optimiser's pre-step hook: on most steps of ``ganhacks train`` (no totals) it only checks the step."""

        def hook(opt: Any, args: Any, kwargs: Any) -> None:
            self._stepped[tag] = self.step_count + 1
            if self.config.lr_rise_read and (rose := self._rates_rose(tag, opt)):
                self._read_now(tag, settle=rose == "replaced" and self.config.settle_recheck)
            reading = self._reading_due(tag)
            if reading == "layer":
                self._rates[tag] = (weakref.ref(opt), _rates(opt), self._round_of_reading(tag))
            if self._totals or reading is not None:
                self._before_step(tag, named, reading)

        return hook

    def _round_of_reading(self, tag: str) -> int:
        """The step the round of this net's layer reading opened at: the open round's, if it waits for this net (a net
        that steps every k-th iteration joins its partner's round a few steps late), else this step's."""
        first, tags, _ = self._round.get("layer", (self.step_count + 1, set(), {}))
        return first if tags and tag not in tags else self.step_count + 1

    def _read_now(self, tag: str, settle: bool = False) -> None:
        """Make this net's layer reading due at once, and its partner's unless the partner was read in a later round
        than this net's last reading (the update tests compare both nets at one reading; a rise in both is read once).
        Rounds, not steps, are compared: in a loop that steps G at every 5th iteration, G's reading of a round comes a
        few steps after D's, and is no newer for that. ``settle``: the reading follows a replaced optimiser, so the
        nets read now are rechecked twice (:meth:`_before_step`)."""
        now, since = self.step_count + 1, self._rates[tag][2]
        for t in self._tags:
            if t == tag or self._rates.get(t, (None, [], -1))[2] <= since:
                self._due["layer"][t] = min(self._due["layer"].get(t, now), now)
                if settle:
                    self._settle.add(t)

    def _rates_rose(self, tag: str, opt: Any) -> str | None:
        """``"replaced"`` if this net's optimiser was replaced, ``"rate"`` if a group's learning rate rose
        ``lr_rise_read`` times, since the net's last layer reading, else None (a few float comparisons per step; a
        tensor learning rate is not read)."""
        last = self._rates.get(tag)
        if last is None:
            return None  # no reading yet: the first one is on the grid
        if last[0] is not None and last[0]() is not opt:
            return "replaced"  # another optimiser (watch() again after a swap; the old one may be gone)
        rise = self.config.lr_rise_read
        return "rate" if any(old > 0 and new >= rise * old for new, old in zip(_rates(opt), last[1])) else None

    def _post_hook(self, tag: str, named: list[tuple[str, nn.Parameter]]) -> Any:
        """The optimiser's post-step hook: only a step whose weights were copied before has an update to measure."""

        def hook(opt: Any, args: Any, kwargs: Any) -> None:
            if tag in self._before:
                self._after_step(tag, named)

        return hook

    def _before_step(self, tag: str, named: list[tuple[str, nn.Parameter]], reading: str | None) -> None:
        now, every, after = self.step_count + 1, self.config.layer_every, self.config.jump_recheck
        if reading == "layer":
            layers = layer_grad_norms(_Named(named))
            self._pending.update({f"grad_norm/{tag}/{k}": v for k, v in layers.items()})
            if self._totals:
                self._pending[f"grad_norm/{tag}"] = total_norm(layers)
            self._before[tag] = (reading, weight_vector(_Named(named)))
            self._due["layer"][tag] = (now // every + 1) * every
            if 0 < after < every:
                waiting = self._round.get("recheck", (0, {tag}))[1]  # the nets whose recheck is in the open round
                if self._due["recheck"].pop(tag, None) is not None and tag not in waiting:
                    del self._round["recheck"]  # this net's recheck is overtaken by a new reading: drop its partner's
                self._due["recheck"][tag] = now + after
                # the grid's next reading waits for this one's recheck (a reading off the grid, or one a few steps late)
                self._due["layer"][tag] = max(self._due["layer"][tag], now + after + 1)
            return
        if self._totals:
            grads = [p.grad.detach().float().norm(2) for _, p in named if p.grad is not None]
            if grads:
                self._pending[f"grad_norm/{tag}"] = float(torch.stack(grads).norm(2))  # sqrt(sum ||g_l||^2)
        if reading == "recheck":
            self._before[tag] = (reading, weight_vector(_Named(named)))
            del self._due["recheck"][tag]
            if tag in self._settle and 2 * after < every:
                # a replaced optimiser: its settled update size (this recheck) is confirmed by one more, as the jump
                # test confirms a layer reading (symptoms._updates_jump); the grid's next reading waits until after it
                self._settle.discard(tag)
                self._due["recheck"][tag] = now + after
                self._due["layer"][tag] = max(self._due["layer"].get(tag, now), now + after + 1)

    def _after_step(self, tag: str, named: list[tuple[str, nn.Parameter]]) -> None:
        reading, before = self._before.pop(tag, (None, None))
        if before is None:
            return
        after = weight_vector(_Named(named))
        if reading == "layer":
            self._pending[f"weight_norm/{tag}"] = float(after.norm(2))
            self._add_to_round(reading, tag, f"update_ratio/{tag}", update_ratio(before, after))  # ||dw|| / ||w||
        else:  # the recheck: the update size alone, under its own name (the layer readings' series stay regular)
            self._add_to_round(reading, tag, f"update_recheck/{tag}", update_ratio(before, after))

    def _add_to_round(self, kind: str, tag: str, name: str, value: float) -> None:
        """Both nets' update sizes of one reading enter the history together, at the step the later of them was read
        (the tests compare D's with G's): a net that steps every k-th iteration completes the round a few steps
        late. A net read again before its partner closes the open round first."""
        if kind in self._round and tag in self._round[kind][1]:
            self._close_round(kind)
        _, tags, values = self._round.setdefault(kind, (self.step_count + 1, set(), {}))
        tags.add(tag)
        values[name] = value
        if tags >= self._tags:
            self._close_round(kind)

    def _close_round(self, kind: str) -> None:
        self._pending.update(self._round.pop(kind)[2])

    def _close_stalled_rounds(self, step: int) -> None:
        """A round whose missing nets have not stepped for ``layer_every`` steps (a frozen D, a forgotten
        ``opt_d.step()``), or that has waited ``layer_every`` / 2 steps, enters the history as it is."""
        every = self.config.layer_every
        for kind, (first, tags, _) in list(self._round.items()):
            stalled = all(step - self._stepped.get(t, -every) >= every for t in self._tags - tags)
            if stalled or step - first >= every // 2:
                self._close_round(kind)

    # ------------------------------------------------------------------ measurements

    @torch.no_grad()
    def generate(self) -> Tensor | None:
        """``G(z)`` at the fixed z, in eval mode, the run's random state untouched."""
        if self._G is None or self._z is None:
            return None
        return eval_forward(self._G, self._z)

    def measure_diversity(self, samples: Tensor) -> dict[str, float]:
        """``diversity/ratio``, ``fidelity/ratio`` and ``coverage`` of ``samples`` (see :func:`diversity_signals`)."""
        if self._reference is None:
            return {}
        out = diversity_signals(samples.detach().float().cpu(), self._reference)
        if math.isnan(out["coverage"]) and not math.isnan(out["diversity/ratio"]):
            out.pop("coverage")  # too few reals for coverage: undefined, not a failure
        return out

    def _training_reals(self) -> Tensor | None:
        """The training reals d_overfit compares with the held-out ones (the trainer's, or the newest the loop fed
        D), without those far outside the held-out reals' range (``OVERFIT_RANGE``); ``None`` when under 2 are left."""
        train = self._train
        if train is None and self._recent_real:
            train = torch.cat(list(self._recent_real))[-self.config.diversity_samples :]
        if train is None or self._held is None:
            return None
        limit = OVERFIT_RANGE * float(self._held.detach().abs().max())
        if limit > 0:
            train = train[train.detach().flatten(1).abs().amax(1) <= limit]
        return train if len(train) >= 2 else None

    def measure_overfit(self, fakes: Tensor) -> dict[str, float]:
        """``overfit/rv`` and ``overfit/z`` (:func:`overfit_signals`) from D on training reals, held-out reals
        and ``fakes``; empty when there is no held-out set or no training reals yet."""
        train = self._training_reals() if self._D is not None else None
        if train is None:
            return {}
        n = min(len(train), len(self._held), self.config.diversity_samples)
        try:
            outs = quiet_forward(self._D, train[:n], self._held[:n], fakes.detach()[:n])
        except Exception as exc:  # D cannot take these batches on its own (a conditional D, say)
            self.note(self.step_count, "off", f"d_overfit off: D(reals) failed ({type(exc).__name__})")
            self._D = None
            return {}
        if self.probabilities:
            outs = [to_logits(o) for o in outs]
        return overfit_signals(*outs)

    def wants_samples(self, step: int) -> bool:
        """Whether :meth:`observe` at ``step`` would use generated samples (diversity or overfitting)."""
        diversity = self._reference is not None and step % self.config.diversity_every == 0
        return diversity or (self._held is not None and step % self.config.overfit_every == 0)

    def _open(self, suspect: Suspect) -> Alert:
        """Open the incident of a (settled) root symptom: one alert, one console line, its members folded."""
        s = SYMPTOMS.get(suspect.cause)
        inc = self.incidents.open(suspect.step, s, reported=self.step_count)
        alert = Alert(
            suspect.step,
            s.id,
            s.severity,
            s.message,
            rank_tips(s.tips, self.benefits),
            suspect.evidence,
            s.cause,
            inc.number,
            self.step_count,
        )
        self.alerts.append(alert)
        self.events.write({**alert.record(), "action": self.config.policy})
        for m in suspect.members:
            self.incidents.fold(inc, m["step"], SYMPTOMS.get(m["symptom"]))
            self._write_folded(inc.number, m["step"], m["symptom"], m["severity"], m["evidence"])
        inc.last_step = max(inc.last_step, self.step_count)
        print_alert(alert, self.stream)
        return alert

    def _write_folded(self, number: int, step: int, symptom: str, severity: str, evidence: dict) -> None:
        self.events.write(
            {
                "event": "folded",
                "incident": number,
                "step": step,
                "symptom": symptom,
                "severity": severity,
                "evidence": evidence,
            }
        )

    def flush(self) -> list[Alert]:
        """Alert the incidents still held back (``settle_steps``) now: at the end of a run, or before a rollback."""
        return [self._open(sus) for sus in self.incidents.due(self.step_count, flush=True)]

    def close(self) -> None:
        """Alert what is still held back and remove the hooks."""
        self.flush()
        for h in self._handles:
            h.remove()
        self._handles.clear()
        self._calls.clear()

    # ------------------------------------------------------------------ the core

    def observe(
        self, step: int, logs: Mapping[str, Any], samples: Tensor | None = None, interpreted: bool = False
    ) -> list[Alert]:
        """Record one iteration's values and return the alerts of the incidents that open now.

        Args:
            step: the iteration number (increasing).
            logs: named values (``loss/d``, ``d_prob/fake``, ...); tensors must hold one element.
                Non-scalar or non-numeric values are skipped and reported once. D's statistics
                (``d_prob/*``, ``d_acc``) are taken as computed through a sigmoid at 0 and re-read
                for the loss kind (:func:`~ganhacks.monitor.signals.reinterpret`).
            samples: G's newest samples; used when :meth:`wants_samples` (diversity against the real
                reference, and as the fakes of the overfitting measurement).
            interpreted: ``logs`` already hold D's statistics as :meth:`step` computes them for the
                loss kind (replaying the history of another monitor); they are then taken as they are.
        """
        if self.kind is None and self._guess is None:
            self._say_unknown_kind(step)
        return self._observe(step, logs, samples, read=interpreted)

    def _observe(self, step: int, logs: Mapping[str, Any], samples: Tensor | None, read: bool) -> list[Alert]:
        """:meth:`observe`; ``read``: D's statistics in ``logs`` were already computed for the kind."""
        if samples is not None:
            if self._reference is not None and step % self.config.diversity_every == 0:
                self._pending.update(self.measure_diversity(samples))
            if self._held is not None and step % self.config.overfit_every == 0:
                self._pending.update(self.measure_overfit(samples))
        values, skipped = scalar_signals(logs)
        for item in skipped:
            self.note(step, "skipped", item, key=item.split(" ", 1)[0])
        if not read:
            reinterpret(values, self.kind)
        self._close_stalled_rounds(step)
        self.added, self._pending = self._pending, {}
        values.update(self.added)
        self.step_count = int(step)
        self.history.add(self.step_count, values)
        self.acting = []
        due = self.step_count % self.config.check_every == 0
        decided = self._guess is None or self._guess.done
        if due and decided and "missing" not in self.reported:
            self._say_missing(step)
        new: list[Alert] = []
        windowed = due and self.step_count >= self.config.warmup
        for s in self._symptoms if windowed else self._every_step:
            evidence = s.detect(self.history, self.config)
            if evidence is None:
                continue
            last = self.last_seen.get(s.id)
            self.last_seen[s.id] = self.step_count
            if last is not None and self.step_count - last <= self.config.quiet_steps:
                self.incidents.seen(self.step_count, s)  # the same episode: keeps its incident open
                continue
            if at_least(s.severity, self.config.act_on):
                self.acting.append(s.id)
            owner = self.incidents.owner(self.step_count, s)
            if owner is not None:  # a consequence of an open incident: folded, not alerted
                self.incidents.fold(owner, self.step_count, s)
                self._write_folded(owner.number, self.step_count, s.id, s.severity, evidence)
                continue
            if not self.incidents.hold(self.step_count, s, evidence):  # critical: at once
                new.append(self._open(Suspect(self.step_count, s.id, evidence)))
        new += [self._open(sus) for sus in self.incidents.due(self.step_count)]
        if self.config.policy == "stop" and self.acting:
            self.should_stop = True
            self.events.write({"event": "stop", "step": self.step_count, "reason": ", ".join(self.acting)})
        return new

    def step(
        self,
        step: int,
        *,
        d_loss: Any = None,
        g_loss: Any = None,
        d_real: Tensor | None = None,
        d_fake: Tensor | None = None,
        **extra: Any,
    ) -> list[Alert]:
        """One call per iteration of a hand-written loop (see the module example).

        Args:
            step: iteration number.
            d_loss, g_loss: the two losses (one-element tensors or floats).
            d_real, d_fake: D's outputs (logits, or probabilities when D ends in a sigmoid) on the
                real and the fake batch of the D step.
            **extra: more named values (``name=value``; use ``observe`` for names with '/').

        Raises:
            TrainingStopped: with ``policy="stop"``, when a symptom at ``act_on`` or worse fires.
        """
        if self._guess is None:
            self.say_what_is_off(step)
        logs: dict[str, Any] = dict(extra)
        if d_loss is not None:
            logs["loss/d"] = d_loss
        if g_loss is not None:
            logs["loss/g"] = g_loss
        if isinstance(d_real, Tensor) and isinstance(d_fake, Tensor) and d_real.numel() and d_fake.numel():
            if self._held is not None and self._train is None:
                ratio = self._remember_training_reals(d_real)
                if ratio is not None:
                    logs["data/real_range"] = ratio
            self._read_kind(step, d_real, d_fake, d_loss)
            real_out, fake_out = (to_logits(d_real), to_logits(d_fake)) if self.probabilities else (d_real, d_fake)
            self._last_fake = fake_out
            if self._guess is None or self._guess.done:
                logs.update(logit_signals(real_out, fake_out, self.kind))
            else:  # the kind is not decided yet: only what does not depend on it
                logs.update(
                    {"d_out/real": real_out.detach().float().mean(), "d_out/fake": fake_out.detach().float().mean()}
                )
        elif d_real is not None or d_fake is not None:
            self.note(step, "skipped", "d_real/d_fake (need two non-empty tensors of D's outputs)", key="d_real/d_fake")
        fakes = None
        if self.wants_samples(step):
            fakes = self.generate()
            if fakes is None and self._last_fake is not None and step % self.config.overfit_every == 0:
                self._pending.update(self._overfit_from_outputs())
        alerts = self._observe(step, logs, fakes, read=True)
        if self.should_stop:
            raise TrainingStopped(
                f"monitor stopped the run at step {step}: "
                + "; ".join(f"{s}: {SYMPTOMS.get(s).message}" for s in self.acting)
            )
        return alerts

    def _overfit_from_outputs(self) -> dict[str, float]:
        """Without a fixed z: r_v from D on training and held-out reals, with the loop's newest fake outputs."""
        if self._D is None or self._last_fake is None or (train := self._training_reals()) is None:
            return {}
        n = min(len(train), len(self._held))
        outs = list(quiet_forward(self._D, train[:n], self._held[:n]))
        if self.probabilities:
            outs = [to_logits(o) for o in outs]
        return overfit_signals(*outs, self._last_fake)

    def _read_kind(self, step: int, d_real: Tensor, d_fake: Tensor, d_loss: Any) -> None:
        """Guess the loss kind and whether D's outputs are probabilities from the first steps; say it once."""
        if self._guess is None:
            self._guess = KindGuess(self._sigmoid_at_end)
        if self._guess.done:
            return
        loss = to_float(d_loss.detach() if isinstance(d_loss, Tensor) else d_loss)
        if not self._guess.add(d_real, d_fake, loss):
            return
        g = self._guess
        declared = self.declared
        if declared is None:
            self.kind = KINDS[g.kind] if g.kind else None
            if self.kind is not None:
                self.note(
                    step,
                    "loss",
                    f"loss kind guessed from D's outputs and loss: {self.kind.id} ({self.kind.title}); "
                    f"pass Monitor(loss='{self.kind.id}') to state it",
                )
        elif g.kind is not None and g.kind != declared.id:
            self.note(
                step,
                "loss",
                f"loss='{declared.id}' was given but D's loss matches {g.kind} ({KINDS[g.kind].title}); "
                f"the monitor reads D's outputs as {declared.id}: check the loss argument",
            )
        if g.probabilities and (self.kind is None or self.kind.confidence == "sigmoid"):
            self.probabilities = True
            self.kind = self.kind or KINDS["bce"]
            why = "D ends in a Sigmoid" if g.sigmoid_at_end else "all in [0, 1] and D's loss matches BCE on them"
            self.note(
                step,
                "probabilities",
                f"D's outputs are probabilities, not logits ({why}): the monitor converts them to logits "
                "(log(p / (1 - p))); BCEWithLogitsLoss on D's raw outputs is the numerically safer loss",
            )
        self.symptoms = symptoms_for(self.kind)
        if self.kind is None and g.ambiguous:
            self._say_unknown_kind(step, f"D's loss matched {' and '.join(g.ambiguous)} alike for {g.steps} steps")
        elif self.kind is None:
            self._say_unknown_kind(step, "D's loss matches no standard formula: a penalty or a custom loss?")

    def _say_unknown_kind(self, step: int, why: str = "no loss= given") -> None:
        off = [s for s in SYMPTOMS if not SYMPTOMS.get(s).applies_to(None)]
        self.note(
            step,
            "loss",
            f"loss kind unknown ({why}): {', '.join(off)} are off; "
            f"pass Monitor(loss=...) with one of {', '.join(KINDS)} to turn them on",
        )

    def _say_missing(self, step: int) -> None:
        """At the first check once the loss kind is known: say once which core signals never came and which
        symptoms stay silent without them."""
        self.reported.add("missing")
        missing = [k for k in CORE if k not in self.history.series]
        if self.kind is not None and self.kind.confidence != "sigmoid":
            missing = [k for k in missing if k not in ("d_prob/real", "d_prob/fake", "d_acc")]
        if not missing:
            return
        silent = [s.id for s in self.symptoms if s.signals and any(sig in missing for sig in s.signals)]
        self.reported.discard("missing")
        self.note(
            step,
            "missing",
            f"signals not reported: {', '.join(missing)}"
            + (f"; silent without them: {', '.join(silent)}" if silent else ""),
        )

    def note(self, step: int, kind: str, text: str, *, key: str | None = None) -> None:
        """Say ``text`` once per ``kind`` (and ``key``): events.jsonl and the console."""
        tag = f"{kind}:{key}" if key is not None else kind
        if tag in self.reported:
            return
        self.reported.add(tag)
        self.events.write({"event": kind, "step": int(step), "detail": text})
        if self.stream is not None:
            print(f"[monitor] {kind}: {text}", file=self.stream, flush=True)

    def active(self, within: int | None = None, severity: str = "warning") -> list[str]:
        """Symptom ids of ``severity`` or worse that fired within the last ``within`` steps (default: the
        quiet period)."""
        span = self.config.quiet_steps if within is None else within
        return [
            k
            for k, s in self.last_seen.items()
            if self.step_count - s <= span and k in SYMPTOMS and at_least(SYMPTOMS.get(k).severity, severity)
        ]

    def reset_evidence(self) -> None:
        """Forget the evidence windows and close open incidents (after a rollback)."""
        self.flush()
        self.history.clear()
        self.last_seen.clear()
        self._pending.clear()
        self._round.clear()  # a half-read round of update sizes: its partner's reading is gone with the rollback
        self._recent_real.clear()
        self.incidents.close_all(self.step_count)

    # ------------------------------------------------------------------ state

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue watching after a resume."""
        return {
            "history": self.history.state_dict(),
            "alerts": [a.record() for a in self.alerts],
            "incidents": self.incidents.state_dict(),
            "last_seen": dict(self.last_seen),
            "reported": sorted(self.reported),
            "should_stop": self.should_stop,
            "rollbacks": self.rollbacks,
            "step": self.step_count,
            "kind": self.kind.id if self.kind is not None else None,
            "probabilities": self.probabilities,
            "events": self.events.count,  # lines of events.jsonl this state has seen (a resume truncates to it)
            "due": {kind: dict(due) for kind, due in self._due.items()},  # the steps each net's next readings are due
            "rates": {tag: [step, *rates] for tag, (_, rates, step) in self._rates.items()},  # rates at the readings
            "settle": sorted(self._settle),  # nets whose recheck after a replaced optimiser is followed by another
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""
        self.history.load_state_dict(state.get("history", {}))
        self.alerts = [
            Alert(
                int(r["step"]),
                r["symptom"],
                r["severity"],
                r["message"],
                tuple(r["tips"]),
                dict(r.get("evidence", {})),
                str(r.get("cause", "")),
                int(r.get("incident", 0)),
                int(r.get("reported", 0)),
            )
            for r in state.get("alerts", [])
            if r.get("symptom") in SYMPTOMS
        ]
        self.incidents.load_state_dict(state.get("incidents", []))
        self.last_seen = {str(k): int(v) for k, v in state.get("last_seen", {}).items()}
        self.reported = set(state.get("reported", []))
        self.should_stop = bool(state.get("should_stop", False))
        self.rollbacks = int(state.get("rollbacks", 0))
        self.step_count = int(state.get("step", 0))
        if state.get("kind") in KINDS:
            self.kind = KINDS[state["kind"]]
            self.symptoms = symptoms_for(self.kind)
        self.probabilities = bool(state.get("probabilities", False))
        due = state.get("due", {})  # states written before it: the next layer step, and no recheck pending
        self._due = {kind: {str(t): int(v) for t, v in due.get(kind, {}).items()} for kind in ("layer", "recheck")}
        self._rates = {str(t): (None, [float(v) for v in r[1:]], int(r[0])) for t, r in state.get("rates", {}).items()}
        self._settle = {str(t) for t in state.get("settle", [])}
        self.events_at_load = state.get("events")  # None for states written before the count was kept
        if self.events_at_load is not None:
            self.events.written_before = int(self.events_at_load)


class _Named:
    """Adapter: a list of (name, parameter) pairs that looks like a module to the signal helpers."""

    def __init__(self, named: list[tuple[str, nn.Parameter]]) -> None:
        self._named = named

    def named_parameters(self):
        return iter(self._named)

    def parameters(self):
        return (p for _, p in self._named)
