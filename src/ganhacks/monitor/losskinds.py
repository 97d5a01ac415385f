"""What D's outputs mean under each GAN loss, so every symptom reads them the right way (tip T10).

A symptom such as "D wins outright" needs to know how to turn D's raw outputs into a decision
and a confidence: a logit goes through a sigmoid and is decided at 0, a least-squares output is
a regression towards the targets 0 and 1 and is decided at 0.5, a Wasserstein critic's score has
no decision at all. A :class:`LossKind` says this once; symptoms ask it for capabilities instead
of comparing loss names.

The kind is given by name (``Monitor(loss="bce")``; the trainer passes its ``loss.name``) or,
when it is not given, guessed from the first steps by :class:`KindGuess`: the D loss the loop
reports is matched against what each kind's loss formula gives for the D outputs it reports, and
outputs confined to [0, 1] (a sigmoid at the end of D) are recognised as probabilities.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from ganhacks.errors import UserError
from ganhacks.registry import did_you_mean

# Capabilities a symptom may need (Symptom.needs) and a kind may offer (LossKind.offers).
DECISION = "decision"  # D's output decides real vs fake at a threshold and maps to a probability of "real"
FLOOR = "floor"  # D's loss falls towards 0 when D wins outright
SATURATING = "saturating"  # D's output is a logit whose G loss can take the saturating form log(1 - D(G(z))) (T02)
# D regresses its outputs onto fixed targets (least squares): a D at its targets leaves G's loss (D(G(z)) - 1)^2 at
# its largest, with a gradient that does not vanish (Mao et al. 2017), so a separated D is no win by itself
REGRESSION = "regression"


@dataclass(frozen=True)
class LossKind:
    """How one family of GAN losses shapes D's outputs."""

    id: str  # canonical name
    names: tuple[str, ...]  # accepted spellings (the trainer's loss names included)
    confidence: str  # "sigmoid" (logits), "clamp" (least-squares outputs near targets 0/1), "none" (critic scores)
    threshold: float  # D says "real" above this raw output
    offers: frozenset[str]  # capabilities (DECISION, FLOOR, SATURATING, REGRESSION)
    title: str  # plain-language name for messages
    # D decides relatively (Jolicoeur-Martineau 2018): a real is judged against the mean fake output and a fake
    # against the mean real one, so "real" is sigmoid(D(x_r) - E D(x_f)), not sigmoid(D(x_r))
    relative: bool = False

    def probability(self, out: Tensor) -> Tensor:
        """D's raw outputs as a probability of "real" (only for kinds that offer a decision)."""
        if self.confidence == "sigmoid":
            return torch.sigmoid(out)
        return out.clamp(0.0, 1.0)


KINDS: dict[str, LossKind] = {}
for _k in (
    LossKind(
        "bce",
        ("bce", "nonsaturating", "non_saturating", "ns", "bce_logits", "bce_with_logits", "logistic", "vanilla"),
        "sigmoid",
        0.0,
        frozenset({DECISION, FLOOR, SATURATING}),
        "binary cross-entropy on logits (non-saturating G loss)",
    ),
    LossKind(
        "minimax",
        ("minimax", "saturating"),
        "sigmoid",
        0.0,
        frozenset({DECISION, FLOOR, SATURATING}),
        "binary cross-entropy with the saturating minimax G loss",
    ),
    LossKind(
        "hinge",
        ("hinge",),
        "sigmoid",
        0.0,
        frozenset({DECISION, FLOOR}),
        "hinge (margins at +-1)",
    ),
    LossKind(
        "least_squares",
        ("least_squares", "lsgan", "mse", "least-squares", "ls"),
        "clamp",
        0.5,
        frozenset({DECISION, FLOOR, REGRESSION}),
        "least squares towards targets 0 (fake) and 1 (real)",
    ),
    LossKind(
        "relativistic",
        ("relativistic", "relativistic_average", "ragan", "rpgan", "relativistic_pairing"),
        "sigmoid",
        0.0,
        frozenset({DECISION, FLOOR}),
        "relativistic (D judges reals against fakes)",
        relative=True,
    ),
    LossKind(
        "wasserstein",
        ("wasserstein", "wgan", "wgan_gp", "wgan-gp", "critic"),
        "none",
        0.0,
        frozenset(),
        "Wasserstein critic (scores, no decision)",
    ),
):
    KINDS[_k.id] = _k
_BY_NAME = {n: k for k in KINDS.values() for n in k.names}


def loss_kind(name: str) -> LossKind:
    """The :class:`LossKind` for a loss name (any accepted spelling, case-insensitive).

    Raises:
        UserError: the name is not a known loss.

    Example:
        >>> loss_kind("lsgan").id
        'least_squares'
    """
    key = str(name).strip().lower().replace(" ", "_")
    if key in _BY_NAME:
        return _BY_NAME[key]
    names = sorted(_BY_NAME)
    raise UserError(
        f"unknown loss '{name}'.{did_you_mean(key, names)} Valid choices: {', '.join(KINDS)} "
        f"(also accepted: {', '.join(n for n in names if n not in KINDS)})"
    )


# ---------------------------------------------------------------- guessing the kind


def _bce_prob(p: Tensor, target: float) -> Tensor:
    p = p.clamp(1e-7, 1 - 1e-7)
    return -(target * torch.log(p) + (1 - target) * torch.log1p(-p)).mean()


# candidate D losses of (real outputs, fake outputs): (kind, outputs are probabilities, formula)
_CANDIDATES: list[tuple[str, bool, Callable[[Tensor, Tensor], Tensor]]] = [
    ("bce", False, lambda r, f: F.softplus(-r).mean() + F.softplus(f).mean()),
    ("bce", False, lambda r, f: F.binary_cross_entropy_with_logits(r, torch.full_like(r, 0.9)) + F.softplus(f).mean()),
    ("bce", True, lambda r, f: _bce_prob(r, 1.0) + _bce_prob(f, 0.0)),
    ("bce", True, lambda r, f: _bce_prob(r, 0.9) + _bce_prob(f, 0.0)),
    ("least_squares", False, lambda r, f: ((r - 1) ** 2).mean() + (f**2).mean()),
    ("least_squares", False, lambda r, f: ((r - 1) ** 2).mean() + ((f + 1) ** 2).mean()),
    ("hinge", False, lambda r, f: F.relu(1 - r).mean() + F.relu(1 + f).mean()),
    ("wasserstein", False, lambda r, f: f.mean() - r.mean()),
    (
        "relativistic",
        False,
        lambda r, f: F.softplus(-(r - f.mean())).mean() + F.softplus(f - r.mean()).mean(),
    ),
]
GUESS_STEPS = 5  # steps of evidence before the kind is decided
# while D's outputs sit near 0, formulas coincide (a relativistic loss equals BCE when the mean outputs are ~0): the
# guess keeps reading until one kind is left, for at most this many steps (well before the symptoms' warmup)
GUESS_MAX_STEPS = 100
_MATCH = 2e-3  # relative residual under which a formula "is" the reported D loss


def _match(real: Tensor, fake: Tensor, d_loss: float) -> set[tuple[str, bool]]:
    """The (kind, probabilities) whose D-loss formula (as a sum or a mean of its two terms) gives ``d_loss``."""
    out = set()
    r, f = real.detach().float().reshape(-1), fake.detach().float().reshape(-1)
    in_unit = bool(((r >= 0) & (r <= 1)).all() and ((f >= 0) & (f <= 1)).all())
    for kind, probs, formula in _CANDIDATES:
        if probs and not in_unit:
            continue
        value = float(formula(r, f))
        for scale in (1.0, 0.5):
            if math.isfinite(value) and abs(scale * value - d_loss) <= _MATCH * max(abs(d_loss), 1e-2):
                out.add((kind, probs))
    return out


class KindGuess:
    """Guesses the loss kind and whether D's outputs are probabilities from the first steps of a loop.

    Feed :meth:`add` with each step's D outputs (and the D loss when reported); after
    :data:`GUESS_STEPS` steps :attr:`kind` and :attr:`probabilities` are decided (``kind`` stays
    ``None`` when no formula matched every step, e.g. a penalty or a custom loss). A step where the
    formulas of several kinds give the same value tells them apart no better than a coin: while more
    than one kind matches every step so far, the guess reads on, up to :data:`GUESS_MAX_STEPS`
    steps; still undecided then, ``kind`` is ``None`` and :attr:`ambiguous` names the candidates.
    """

    def __init__(self, sigmoid_at_end: bool = False) -> None:
        self.sigmoid_at_end = sigmoid_at_end  # D's last module is a Sigmoid: its outputs are probabilities
        self.steps = 0
        self.in_unit = True  # every output so far lay in [0, 1]
        self.matches: set[tuple[str, bool]] | None = None  # formulas that matched every step with a loss
        self.done = False
        self.kind: str | None = None
        self.probabilities = False
        self.ambiguous: tuple[str, ...] = ()  # the kinds that all matched every step when the guess gave up

    def add(self, real: Tensor, fake: Tensor, d_loss: float | None) -> bool:
        """Record one step; returns True once the guess is decided."""
        if self.done:
            return True
        r, f = real.detach().float(), fake.detach().float()
        self.in_unit = self.in_unit and bool(((r >= 0) & (r <= 1)).all() and ((f >= 0) & (f <= 1)).all())
        if d_loss is not None and math.isfinite(d_loss):
            m = _match(r, f, d_loss)
            self.matches = m if self.matches is None else self.matches & m
        self.steps += 1
        if self.steps >= GUESS_STEPS and (len(self._kinds()) <= 1 or self.steps >= GUESS_MAX_STEPS):
            self._decide()
        return self.done

    def _kinds(self) -> set[str]:
        return {k for k, _ in (self.matches or set())}

    def _decide(self) -> None:
        self.done = True
        self.probabilities = self.sigmoid_at_end or (
            self.in_unit and bool(self.matches) and all(p for _, p in self.matches)
        )
        if self.sigmoid_at_end and not self.matches:
            self.matches = {("bce", True)}  # a sigmoid D is trained with BCE on its probabilities
        kinds = self._kinds()
        self.kind = kinds.pop() if len(kinds) == 1 else None
        self.ambiguous = tuple(sorted(kinds)) if len(kinds) > 1 else ()


def to_logits(p: Tensor) -> Tensor:
    """Probabilities to logits, ``log(p / (1 - p))``, clamped so 0 and 1 stay finite (+-16)."""
    p = p.detach().float().clamp(1e-7, 1 - 1e-7)
    return torch.log(p) - torch.log1p(-p)
