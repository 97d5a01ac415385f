"""Cheap training signals for the monitor (tip T10).

Every function here turns what a training step already has (losses, D's logits, gradients,
weights, a batch of samples) into plain floats with hierarchical names (``loss/d``,
``d_prob/real``, ``grad_norm/g``, ``diversity/ratio``). Nothing here changes a model, an
optimiser or a random generator, so watching a run never changes it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from ganhacks.monitor.losskinds import DECISION, LossKind

# D's outputs a monitor understands; the rest of ``logs`` passes through when scalar.
CORE = (
    "loss/d",
    "loss/g",
    "d_out/real",
    "d_out/fake",
    "d_prob/real",
    "d_prob/fake",
    "d_acc",
    "grad_norm/d",
    "grad_norm/g",
)


def to_float(value: Any) -> float | None:
    """A Python float from a number or a one-element tensor/array; ``None`` when it is not a scalar."""
    if isinstance(value, Tensor):  # first: what a training loop logs most
        return float(value.item()) if value.numel() == 1 else None  # .item(): one sync, no temporaries
    if isinstance(value, (bool, int, float)):
        return float(value)
    try:  # numpy scalars and 0-d arrays
        import numpy as np

        if isinstance(value, np.ndarray | np.generic):
            return float(value.reshape(())) if value.size == 1 else None
    except ImportError:  # pragma: no cover - numpy ships with the package
        pass
    return None


def scalar_signals(logs: Mapping[str, Any]) -> tuple[dict[str, float], list[str]]:
    """Split ``logs`` into scalar floats and a list of skipped names with the reason.

    Example:
        >>> scalar_signals({"loss/d": 0.5, "loss/g": torch.ones(3)})
        ({'loss/d': 0.5}, ['loss/g (not a scalar: shape (3,))'])
    """
    out: dict[str, float] = {}
    skipped: list[str] = []
    for name, value in logs.items():
        if isinstance(value, Tensor) and value.numel() == 1:  # the common case, without a call
            out[str(name)] = float(value.item())
            continue
        v = to_float(value)
        if v is None:
            shape = tuple(getattr(value, "shape", ()))
            skipped.append(
                f"{name} (not a scalar: shape {shape})" if shape else f"{name} (not a number: {type(value).__name__})"
            )
        else:
            out[str(name)] = v
    return out, skipped


def d_output_stats(real_logits: Tensor, fake_logits: Tensor) -> dict[str, Tensor]:
    """D's outputs on a real and a fake batch as 0-d tensors (no device sync): mean logit, mean
    probability and accuracy, read as logits. The trainer logs these; the monitor reads them through
    :func:`reinterpret` for losses whose outputs are not logits."""
    r, f = real_logits.detach().float().reshape(-1), fake_logits.detach().float().reshape(-1)
    return {
        "d_out/real": r.mean(),
        "d_out/fake": f.mean(),
        "d_prob/real": torch.sigmoid(r).mean(),  # E[sigma(D(x))]
        "d_prob/fake": torch.sigmoid(f).mean(),  # E[sigma(D(G(z)))]
        "d_acc": 0.5 * ((r > 0).float().mean() + (f < 0).float().mean()),
    }


def logit_signals(real_out: Tensor, fake_out: Tensor, kind: LossKind | None = None) -> dict[str, float]:
    """D's outputs on a real and a fake batch as floats, read as the loss kind says.

    ``d_out/*`` are the mean raw outputs. For kinds with a decision (:data:`~ganhacks.monitor.losskinds.DECISION`;
    ``None`` reads them as logits): ``d_prob/*`` the mean probability of "real", ``d_acc`` the accuracy
    at the kind's threshold, and ``d_sign/real``, adaptive augmentation's r_t = E[sign(D(real) - threshold)]
    (Karras et al. 2020), which drifts to +1 as D grows confident on reals. A relativistic D
    (``LossKind.relative``) decides a real against the mean fake output and a fake against the mean
    real one, as its loss does: ``d_prob/real`` = E[sigmoid(D(x_r) - E D(x_f))], and so on.
    """
    r, f = real_out.detach().float().reshape(-1), fake_out.detach().float().reshape(-1)
    out = {"d_out/real": float(r.mean()), "d_out/fake": float(f.mean())}
    if kind is not None and DECISION not in kind.offers:
        return out
    if kind is not None and kind.relative:  # each side judged against the other side's mean output
        r, f = r - f.mean(), f - r.mean()
    t = kind.threshold if kind is not None else 0.0
    prob = kind.probability if kind is not None else torch.sigmoid
    out["d_prob/real"] = float(prob(r).mean())
    out["d_prob/fake"] = float(prob(f).mean())
    out["d_acc"] = float(0.5 * ((r > t).float().mean() + (f < t).float().mean()))
    out["d_sign/real"] = float(torch.sign(r - t).mean())  # r_t
    return out


DECIDED = ("d_prob/real", "d_prob/fake", "d_acc", "d_sign/real")  # logged through a sigmoid at 0 by trainer loops


def reinterpret(values: dict[str, float], kind: LossKind | None) -> dict[str, float]:
    """Logged D statistics made to fit the loss kind (``values`` is changed in place and returned).

    Loops such as ``ganhacks train`` log ``d_prob/*`` and ``d_acc`` through a sigmoid at threshold 0
    whatever the loss. For least-squares outputs (targets 0 and 1) the probabilities are the mean
    outputs clamped to [0, 1] and the accuracy cannot be recovered from means (dropped); a critic
    (Wasserstein) has neither. A relativistic D decides by the gap between its real and fake
    outputs: from the means, P(real) = sigmoid(E D(x_r) - E D(x_f)) and P(fake) = 1 - P(real) (the
    per-sample mean :func:`logit_signals` takes is not recoverable; nor is the accuracy, dropped).
    """
    if kind is not None and kind.relative and "d_out/real" in values and "d_out/fake" in values:
        for k in DECIDED:  # read at 0, not relatively
            values.pop(k, None)
        gap = values["d_out/real"] - values["d_out/fake"]
        if math.isfinite(gap):  # from the means only: sigmoid(E D(x_r) - E D(x_f)) for the per-sample mean
            values["d_prob/real"] = 1.0 / (1.0 + math.exp(-min(max(gap, -60.0), 60.0)))
            values["d_prob/fake"] = 1.0 - values["d_prob/real"]
        return values
    if kind is None or kind.confidence == "sigmoid":
        return values
    for k in DECIDED:
        values.pop(k, None)
    if DECISION in kind.offers:
        for side in ("real", "fake"):
            if f"d_out/{side}" in values:
                values[f"d_prob/{side}"] = min(max(values[f"d_out/{side}"], 0.0), 1.0)
    return values


def quiet_forward(module: nn.Module, x: Tensor, *more: Tensor, chunk: int = 512) -> Any:
    """``module(x)`` flattened to one value per sample, leaving the module and the run untouched.

    No gradients; the module stays in its mode (batch norm uses this batch's statistics as in
    training) but every buffer it changes (batch-norm running statistics, spectral-norm power
    iterations) is restored, and dropout draws from a forked random state. With ``more`` inputs,
    each is passed on its own (restored buffers in between, as if called once per input) and a
    tuple of outputs comes back: one buffer copy and one fork of the random state for all of them.
    """
    saved = [b.detach().clone() for b in module.buffers()]
    devices = [x.device.index or 0] if x.is_cuda else []
    outs: list[Tensor] = []
    try:
        with torch.no_grad(), torch.random.fork_rng(devices=devices):
            for i, xi in enumerate((x, *more)):
                if i and saved:
                    for b, s in zip(module.buffers(), saved):
                        b.copy_(s)
                parts = [module(part).float().reshape(len(part), -1)[:, 0] for part in xi.split(chunk)]
                outs.append(parts[0] if len(parts) == 1 else torch.cat(parts))
    finally:
        with torch.no_grad():
            for b, s in zip(module.buffers(), saved):
                b.copy_(s)
    return tuple(outs) if more else outs[0]


def overfit_signals(train: Tensor, held: Tensor, fake: Tensor) -> dict[str, float]:
    """Karras et al. (2020)'s r_v from D's outputs on training reals, held-out reals and fakes.

    ``overfit/rv`` = (E[D(train)] - E[D(held)]) / (E[D(train)] - E[D(fake)]): about 0 while D
    treats unseen reals like the ones it trains on, 1 when it treats them like fakes.
    ``overfit/z`` = (E[D(train)] - E[D(held)]) / its standard error (Welch), so small noisy sets
    do not look like memorisation. ``overfit/auc`` = P(D(train) > D(held-out)) by ranks (0.5: no
    difference, 1: D ranks every training real above every held-out one), which a few extreme
    outputs cannot move much. rv and z are 0 where they are undefined (D rates fakes at least as
    high as training reals; no spread at all), and all are NaN only when D's outputs are not finite.
    """
    t, h, f = (v.detach().float().reshape(-1) for v in (train, held, fake))
    gap = float(t.mean() - h.mean())
    spread = float(t.mean() - f.mean())
    se = math.sqrt(float(t.var()) / len(t) + float(h.var()) / len(h)) if len(t) > 1 and len(h) > 1 else 0.0
    if not all(map(math.isfinite, (gap, spread, se))):
        return {"overfit/rv": float("nan"), "overfit/z": float("nan"), "overfit/auc": float("nan")}
    return {
        "overfit/rv": gap / spread if spread > 0 else 0.0,
        "overfit/z": gap / se if se > 0 else 0.0,
        "overfit/auc": rank_auc(t, h),
    }


def rank_auc(a: Tensor, b: Tensor) -> float:
    """P(a random value of ``a`` exceeds one of ``b``) (ties count half): the Mann-Whitney AUC, robust to outliers.

    Example:
        >>> rank_auc(torch.tensor([3.0, 4.0]), torch.tensor([1.0, 2.0]))
        1.0
    """
    x = a.detach().reshape(-1).double().cpu().numpy()
    y = np.sort(b.detach().reshape(-1).double().cpu().numpy())
    # for each value of a: the values of b under it, plus half of those equal to it (numpy: a few
    # hundred values sort and search in microseconds, with no thread pool to wake)
    count = np.searchsorted(y, x, side="left").sum() + np.searchsorted(y, x, side="right").sum()
    return float(count) / (2 * x.size * y.size)


def layer_grad_norms(module: nn.Module) -> dict[str, float]:
    """L2 norm of the gradient of each parameter of ``module`` that has one (names as in ``named_parameters``)."""
    named = [(n, p.grad) for n, p in module.named_parameters() if p.grad is not None]
    if not named:
        return {}
    norms = torch.stack([g.detach().float().norm(2) for _, g in named]).tolist()  # one sync for all
    return {n: v for (n, _), v in zip(named, norms)}


def total_norm(norms: Mapping[str, float]) -> float:
    """sqrt(sum of squares) of per-layer norms: the total L2 norm."""
    return math.sqrt(sum(v * v for v in norms.values())) if norms else 0.0


def weight_vector(module: nn.Module) -> Tensor:
    """All of ``module``'s trainable weights as one detached float vector (a copy)."""
    params = [p.detach().float().reshape(-1) for p in module.parameters() if p.requires_grad]
    return torch.cat(params) if params else torch.zeros(0)  # cat always copies: no clone needed


def update_ratio(before: Tensor, after: Tensor) -> float:
    """Relative size of an update: ||w_after - w_before|| / ||w_before|| (typically ~1e-3 when healthy)."""
    denom = float(before.norm(2))
    return float((after - before).norm(2)) / denom if denom > 0 else float("inf")


def pairwise_spread(x: Tensor) -> float:
    """Mean Euclidean distance between distinct rows of ``x`` flattened to (N, D)."""
    flat = x.detach().float().reshape(len(x), -1)
    n = len(flat)
    if n < 2:
        return 0.0
    d = torch.cdist(flat, flat)  # (N, N), zero diagonal
    return float(d.sum() / (n * (n - 1)))


def nearest_distance(a: Tensor, b: Tensor) -> float:
    """Mean distance from each row of ``a`` to its nearest row of ``b`` (a fidelity proxy)."""
    fa, fb = a.detach().float().reshape(len(a), -1), b.detach().float().reshape(len(b), -1)
    return float(torch.cdist(fa, fb).amin(1).mean())


@dataclass(frozen=True)
class RealReference:
    """What the diversity signal compares fakes with, computed once per run from a fixed real batch."""

    real: Tensor  # (N, D) flattened float32 reals; the first half is the reference set
    spread: float  # mean pairwise distance of all reals
    real_nn: float  # reference distance: real (second half) to nearest real (first half), floored at 10% of spread
    radii: Tensor  # (N // 2,) coverage ball radius of each reference real (k-th neighbour, floored)


def real_reference(real: Tensor, k: int = 5) -> RealReference:
    """The fixed part of :func:`diversity_signals` (real-to-real distances), so each call only measures fakes."""
    flat = real.detach().float().reshape(len(real), -1)
    half = len(flat) // 2
    spread = pairwise_spread(flat)
    floor = 0.1 * spread  # tight mixtures have tiny real-to-real gaps: keep distances comparable to a healthy G's
    ref = flat[:half]
    radii = (
        torch.cdist(ref, ref).kthvalue(k + 1, dim=1).values.clamp_min(floor)  # k+1: skip the point itself
        if half > k
        else torch.full((half,), float("nan"))
    )
    return RealReference(flat, spread, max(nearest_distance(flat[half:], ref), floor), radii)


def coverage(to_fake: Tensor, radii: Tensor) -> float:
    """Share of reference reals with a fake inside their k-NN ball (Naeem et al. 2020's coverage).

    ``to_fake`` holds real-to-fake distances (N_ref, N_fake); ``radii`` each real's ball radius
    (its k-th nearest real, floored so tight mixture modes do not get balls smaller than any healthy
    G's precision). Dropped modes leave their reals uncovered, so coverage falls with mode
    dropping even when the spread of the samples does not. NaN with too few reals for k.
    """
    if to_fake.shape[1] == 0 or not bool(torch.isfinite(radii).all()):
        return float("nan")
    return float((to_fake.amin(1) <= radii).float().mean())  # amin: no indices, ~15x faster than min


def diversity_signals(fake: Tensor, real: Tensor | RealReference) -> dict[str, float]:
    """Sample diversity, fidelity and coverage of a fixed-z batch relative to real data (pixel space).

    ``diversity/ratio`` = mean pairwise distance of fakes / that of reals: about 1 for a healthy
    G, falling towards 0 as G collapses onto few modes. ``fidelity/ratio`` = mean distance from a
    fake to its nearest real / the real-to-real reference distance (:class:`RealReference`): about
    1 or below when fakes sit on the data, large for garbage. ``coverage``: see :func:`coverage`.
    """
    ref = real if isinstance(real, RealReference) else real_reference(real)
    if not bool(torch.isfinite(fake).all()):
        return {"diversity/ratio": float("nan"), "fidelity/ratio": float("nan"), "coverage": float("nan")}
    flat = fake.detach().float().reshape(len(fake), -1)
    half = ref.real[: len(ref.radii)]
    n = len(flat)
    dist = torch.cdist(torch.cat([half, flat]), flat)  # one call: reals to fakes, then fakes to fakes
    to_real = dist[: len(half)]  # (N_ref, N_fake), shared by fidelity and coverage
    spread = float(dist[len(half) :].sum() / (n * (n - 1))) if n > 1 else 0.0  # as pairwise_spread(flat)
    return {
        "diversity/ratio": spread / ref.spread if ref.spread > 0 else float("nan"),
        "fidelity/ratio": float(to_real.amin(0).mean()) / ref.real_nn if ref.real_nn > 0 else float("nan"),
        "coverage": coverage(to_real, ref.radii),
    }


def non_finite(values: Mapping[str, float]) -> list[str]:
    """Names whose value is NaN or +-Inf."""
    return [k for k, v in values.items() if not math.isfinite(v)]
