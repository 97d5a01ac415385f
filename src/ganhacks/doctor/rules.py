"""Static rules: one small function per tip (T01..T17), each ``(Project, DoctorConfig) -> Verdict``.

Rules read the shared facts of a :class:`~ganhacks.doctor.project.Project`; none re-parses a file.
A rule says ``fail`` only on positive evidence that the code goes against its tip; when it
cannot tell it says ``absent`` or ``na`` (precision first: a false ``fail`` is the worst error).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from ganhacks.doctor.config import DoctorConfig
from ganhacks.doctor.project import (
    RANDOM_NORMAL,
    RANDOM_UNIFORM,
    FileFacts,
    Model,
    Project,
    call_name,
    canon,
    has_random,
)
from ganhacks.doctor.source import CallSite, const_value, name_tokens, role_of_name, tail
from ganhacks.doctor.verdict import Evidence, Verdict
from ganhacks.registry import Registry

RuleFn = Callable[[Project, DoctorConfig], Verdict]


@dataclass(frozen=True)
class Rule:
    """A static check of one tip."""

    tip: str  # tip id it checks
    name: str  # dotted name of the function
    func: RuleFn


RULES: Registry[Rule] = Registry("doctor rule")
_MAX_EVIDENCE = 6  # evidence lines kept per verdict


def rule(tip: str) -> Callable[[RuleFn], RuleFn]:
    """Register ``func`` as the static rule of ``tip``."""

    def add(func: RuleFn) -> RuleFn:
        RULES.register(tip, Rule(tip, f"{func.__module__}.{func.__name__}", func))
        return func

    return add


def _ev(f: FileFacts, line: int) -> Evidence:
    return Evidence(f.path, line, f.snippet(line))


def _verdict(tip: str, verdict: str, message: str, fix: str = "", evidence=()) -> Verdict:
    func = RULES.get(tip).name if tip in RULES else ""
    ev = tuple(dict.fromkeys(evidence))[:_MAX_EVIDENCE]
    return Verdict(tip, verdict, func, message, fix, ev)


def _short(op: str) -> str:
    return op.rsplit(".", 1)[-1].removeprefix("method:")


# --- shared detectors ---------------------------------------------------------------------
_ACT = {
    "tanh": "tanh",
    "Tanh": "tanh",
    "hardtanh": "tanh",
    "Hardtanh": "tanh",
    "sigmoid": "sigmoid",
    "Sigmoid": "sigmoid",
    "relu": "relu",
    "ReLU": "relu",
    "ReLU6": "relu",
    "softplus": "relu",
    "Softplus": "relu",
    "hardsigmoid": "sigmoid",
    "Hardsigmoid": "sigmoid",
}
_LINEAR = {
    "Linear",
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "LazyLinear",
    "LazyConv2d",
    "Bilinear",
}


def _list_last(name: str, fn: ast.AST | None, before: int) -> ast.AST | None:
    """The last element put into list ``name`` (append/extend/+= or literal) before line ``before``."""
    last = None
    if fn is None:
        return None
    for node in ast.walk(fn):
        line = getattr(node, "lineno", 0)
        if line >= before:
            continue
        item = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and tail(node.func.value) == name:
            if node.func.attr == "append" and node.args:
                item = node.args[0]
            elif (
                node.func.attr == "extend"
                and node.args
                and isinstance(node.args[0], (ast.List, ast.Tuple))
                and node.args[0].elts
            ):
                item = node.args[0].elts[-1]
        elif (
            isinstance(node, ast.AugAssign)
            and tail(node.target) == name
            and isinstance(node.value, (ast.List, ast.Tuple))
            and node.value.elts
        ) or (
            isinstance(node, ast.Assign)
            and any(tail(t) == name for t in node.targets)
            and isinstance(node.value, ast.List)
            and node.value.elts
        ):
            item = node.value.elts[-1]
        if item is not None and (last is None or line >= last[0]):
            last = (line, item)
    return last[1] if last else None


class _Outputs:
    """Finds the final activation of a model: tanh, sigmoid, relu, linear or None (unknown)."""

    def __init__(self, p: Project) -> None:
        self.p = p
        self.seen: set[str] = set()

    def of_model(self, m: Model) -> tuple[str | None, int]:
        return self.of_builder(m.name)

    def of_builder(self, name: str) -> tuple[str | None, int]:
        if name in self.seen or name not in self.p.builders:
            return None, 0
        self.seen.add(name)
        b, f = self.p.builders[name]
        if b.kind == "sequential":
            return self.layer(b.node, f, b.node, "")
        if b.kind == "function":
            rets = f.returns.get(_qual(f, b.node), [])
            return self.expr(rets[-1], f, b, b.node, _qual(f, b.node)) if rets else (None, 0)
        fwd = b.methods.get("forward") or b.methods.get("__call__") or b.methods.get("call")
        if fwd is None:
            return None, 0
        rets = [n.value for n in ast.walk(fwd) if isinstance(n, ast.Return) and n.value is not None]
        if not rets:
            return None, 0
        return self.expr(rets[-1], f, b, fwd, f"{b.name}.{fwd.name}")

    def expr(self, node, f, b, fn, scope, depth=0) -> tuple[str | None, int]:
        if depth > 10 or node is None:
            return None, 0
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Tuple) and node.elts:
            return self.expr(node.elts[0], f, b, fn, scope, depth + 1)
        if isinstance(node, ast.Name):
            value = self.p.value_of(node, f, scope, line)
            return (None, 0) if value is node else self.expr(value, f, b, fn, scope, depth + 1)
        if not isinstance(node, ast.Call):
            return None, 0
        name = canon(call_name(node, f)) or ""
        short = _short(name)
        if name.startswith("torch") and short in _ACT:
            return _ACT[short], line
        if name.startswith("torch.nn.") and short[:1].isupper():
            return self.layer(node, f, fn, scope, depth + 1)
        if name.startswith("torch.clamp") or short in {"clamp", "clip"}:
            lo, hi = [const_value(a) for a in (node.args[1:3] if len(node.args) >= 3 else [None, None])]
            return (
                ("tanh", line)
                if (lo, hi) == (-1.0, 1.0)
                else ("sigmoid", line)
                if (lo, hi) == (0.0, 1.0)
                else (None, 0)
            )
        if name.startswith("method:"):
            if short in _ACT and short.islower():
                return _ACT[short], line
            if short in {"view", "reshape", "squeeze", "unsqueeze", "flatten", "contiguous", "permute", "view_as"}:
                return self.expr(node.func.value, f, b, fn, scope, depth + 1)
            if (
                isinstance(node.func, ast.Attribute)
                and tail(node.func.value) == "self"
                or (
                    isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "self"
                )
            ):
                attr = node.func.attr
                if attr in b.attrs:
                    return self.layer(b.attrs[attr], f, fn, scope, depth + 1)
                if attr in b.methods:
                    sub = b.methods[attr]
                    rets = [n.value for n in ast.walk(sub) if isinstance(n, ast.Return) and n.value is not None]
                    return self.expr(rets[-1], f, b, sub, f"{b.name}.{attr}", depth + 1) if rets else (None, 0)
            return None, 0
        if isinstance(node.func, ast.Name) and node.func.id in self.p.builders:
            return self.of_builder(node.func.id)
        return None, 0

    def layer(self, node, f, fn, scope, depth=0) -> tuple[str | None, int]:
        """The output activation of a layer expression (``nn.Tanh()``, ``nn.Sequential(...)``)."""
        if depth > 10 or not isinstance(node, ast.Call):
            return None, 0
        line = node.lineno
        name = canon(call_name(node, f)) or ""
        short = _short(name)
        if name.startswith("torch.nn") and short in _ACT:
            return _ACT[short], line
        if name.startswith("torch.nn") and short in _LINEAR:
            return "linear", line
        if short in {"Sequential"}:
            if not node.args:
                return None, 0
            last = node.args[-1]
            if isinstance(last, ast.Starred):
                item = _list_last(tail(last.value) or "", _enclosing_fn(f, line), line)
                if item is None:
                    return None, 0
                last = item
            if isinstance(last, ast.Starred):
                return None, 0
            return self.layer(last, f, fn, scope, depth + 1)
        if isinstance(node.func, ast.Name) and node.func.id in self.p.builders:
            return self.of_builder(node.func.id)
        return None, 0


def _qual(f: FileFacts, fn: ast.AST) -> str:
    for key in f.returns:
        if key.split(".")[-1] == getattr(fn, "name", None):
            return key
    return getattr(fn, "name", "")


def _enclosing_fn(f: FileFacts, line: int) -> ast.AST | None:
    best = None
    for b in f.builders.values():
        nodes = list(b.methods.values()) if b.kind == "class" else [b.node] if b.kind == "function" else []
        for n in nodes:
            if n.lineno <= line <= getattr(n, "end_lineno", n.lineno):
                if best is None or n.lineno > best.lineno:
                    best = n
    for n in f.funcdefs.values():
        if n.lineno <= line <= getattr(n, "end_lineno", n.lineno) and (best is None or n.lineno > best.lineno):
            best = n
    return best


def _data_scaling(p: Project) -> list[tuple[str, Evidence]]:
    """How the unit scales its data: ("signed", ..) for [-1, 1], ("unit", ..) for [0, 1], ("standardised", ..)."""
    out: list[tuple[str, Evidence]] = []
    to_tensor: list[Evidence] = []
    for cs, f in p.all_calls():
        short = _short(canon(cs.name) or cs.callee or "")
        if short == "Normalize" and len(cs.node.args) >= 2:
            mean, std = (_consts(a) for a in cs.node.args[:2])
            if mean and std:
                kind = "signed" if all(abs(v - 0.5) < 1e-6 for v in mean + std) else "standardised"
                out.append((kind, _ev(f, cs.line)))
        elif short == "ToTensor":
            to_tensor.append(_ev(f, cs.line))
        elif short == "MinMaxScaler":
            rng = next((kw.value for kw in cs.node.keywords if kw.arg == "feature_range"), None)
            vals = _consts(rng) if rng is not None else [0.0, 1.0]
            out.append(("signed" if vals == [-1.0, 1.0] else "unit", _ev(f, cs.line)))
        elif short in {"to_signed_unit", "scale_to_signed"}:
            out.append(("signed", _ev(f, cs.line)))
    for f in p.files:
        out += [(kind, _ev(f, line)) for kind, line in f.scalings]
    if to_tensor and not any(k in {"signed", "standardised"} for k, _ in out):
        out += [("unit", e) for e in to_tensor]
    return out


def _consts(node: ast.AST | None) -> list[float]:
    if isinstance(node, (ast.Tuple, ast.List)):
        vals = [const_value(e) for e in node.elts]
        return [v for v in vals if v is not None] if all(v is not None for v in vals) else []
    v = const_value(node)
    return [v] if v is not None else []


def _loss_kind(cs: CallSite, f: FileFacts, p: Project) -> str | None:
    """ "bce", "mse", "ce" (classification) or None for the loss a call computes."""
    names = [canon(cs.name) or ""]
    if cs.name is None and cs.callee:
        gv = p.global_value(cs.callee)
        if gv is not None and isinstance(gv[0], ast.Call):
            names.append(canon(call_name(gv[0], gv[1])) or "")
    for n in names:
        s = _short(n)
        if s in {
            "BCELoss",
            "BCEWithLogitsLoss",
            "binary_cross_entropy",
            "binary_cross_entropy_with_logits",
            "SoftMarginLoss",
            "soft_margin_loss",
        }:
            return "bce"
        if s in {"MSELoss", "mse_loss"}:
            return "mse"
        if s in {"CrossEntropyLoss", "NLLLoss", "cross_entropy", "nll_loss"}:
            return "ce"
    return None


def _loss_calls(p: Project) -> list[tuple[CallSite, FileFacts, str]]:
    if "loss_calls" in p.memo:
        return p.memo["loss_calls"]
    out = p.memo["loss_calls"] = []
    for cs, f in p.all_calls():
        k = _loss_kind(cs, f, p)
        if k:
            out.append((cs, f, k))
    return out


def _target(cs: CallSite) -> ast.AST | None:
    if len(cs.node.args) >= 2:
        return cs.node.args[1]
    return next((kw.value for kw in cs.node.keywords if kw.arg in {"target", "targets"}), None)


def _is_loss_name(name: str | None) -> bool:
    return bool(name) and bool(set(name_tokens(name)) & {"loss", "err", "cost", "objective", "losses", "adv"})


def _g_loss_exprs(p: Project) -> list[tuple[ast.AST, FileFacts, str, int]]:
    """Expressions assigned to the G loss (``g_loss``, ``errG``, ``loss_G``) or returned by a G-loss function."""
    out = []
    for f in p.files:
        for ev in f.events:
            fn_role = role_of_name(ev.scope.split(".")[-1]) if ev.scope else None
            if (
                ev.kind in {"assign", "aug"}
                and _is_loss_name(ev.name)
                and (role_of_name(ev.name) == "G" or (fn_role == "G" and role_of_name(ev.name) is None))
            ):
                value = ev.value.value if isinstance(ev.value, ast.AugAssign) else ev.value
                out.append((value, f, ev.scope, ev.line))
        for scope, rets in f.returns.items():
            name = scope.split(".")[-1]
            if role_of_name(name) == "G" and _is_loss_name(name):
                out += [(r, f, scope, r.lineno) for r in rets]
    return out


def _loss_family(p: Project) -> set[str]:
    """Which adversarial losses the unit uses: bce, mse, wgan (critic without log), hinge."""
    if "family" in p.memo:
        return p.memo["family"]
    fam = p.memo["family"] = {k for _, _, k in _loss_calls(p) if k != "ce"}
    for cs, _f in p.all_calls():
        short = _short(canon(cs.name) or cs.callee or "")
        if short == "grad" and (canon(cs.name) or "").startswith("torch.autograd"):
            fam.add("wgan")
        if short == "clamp_" and cs.method and any(isinstance(a, ast.UnaryOp) for a in cs.node.args):
            fam.add("wgan")
        if short in {"wgan_gp", "d_wasserstein", "g_wasserstein", "gradient_penalty", "compute_gradient_penalty"}:
            fam.add("wgan")
        if short == "relu" and cs.cls is None and cs.node.args and _has_one_minus(cs.node.args[0]):
            fam.add("hinge")
    return fam


def _has_one_minus(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Sub, ast.Add)) and const_value(n.left) == 1
        for n in ast.walk(node)
    )


# --- T01 ------------------------------------------------------------------------------------
@rule("T01")
def check_normalised_inputs(p: Project, cfg: DoctorConfig) -> Verdict:
    """T01: G ends with tanh and the data is scaled to [-1, 1] (same range on both sides)."""
    gens = p.models_with("G")
    if not gens:
        return _verdict("T01", "na", "no generator found in this code", "")
    outs = _Outputs(p)
    acts = []
    for m in gens:
        act, line = outs.of_model(m)
        owner = p.builders[m.name][1]
        acts.append((m, act, _ev(owner, line or m.builder.line)))
    data = _data_scaling(p)
    signed = [e for k, e in data if k == "signed"]
    other = [(k, e) for k, e in data if k != "signed"]
    bad = [(m, a, e) for m, a, e in acts if a in {"sigmoid", "relu"}]
    fix = "end G with nn.Tanh() and scale the data to [-1, 1] (e.g. Normalize((0.5,), (0.5,)) or x / 127.5 - 1)"
    if bad:
        m, a, e = bad[0]
        return _verdict(
            "T01", "fail", f"{m.name} ends with {a}: its outputs cannot cover [-1, 1]", fix, [e for _, _, e in bad]
        )
    tanh = [(m, e) for m, a, e in acts if a == "tanh"]
    if tanh:
        if other and not signed:
            kind, e = other[0]
            what = "standardised (mean/std)" if kind == "standardised" else "scaled to [0, 1]"
            return _verdict(
                "T01",
                "fail",
                f"G ends with tanh but the data is {what}: real and fake ranges differ",
                fix,
                [e] + [t for _, t in tanh],
            )
        return _verdict(
            "T01",
            "pass",
            "G ends with tanh" + (" and the data is scaled to [-1, 1]" if signed else ""),
            "",
            [t for _, t in tanh] + signed,
        )
    linear = [(m, e) for m, a, e in acts if a == "linear"]
    if linear and data:
        return _verdict(
            "T01",
            "fail",
            f"{linear[0][0].name} has an unbounded (linear) output while the data is bounded",
            fix,
            [e for _, e in linear] + [e for _, e in data],
        )
    return _verdict(
        "T01", "absent", "G's last layer is not tanh (or could not be traced)", fix, [e for _, e in linear] + signed
    )


# --- T02 ------------------------------------------------------------------------------------
def _g_loss_style(
    p: Project, expr: ast.AST, f: FileFacts, scope: str, line: int, depth: int = 0
) -> list[tuple[str, int]]:
    """Styles found in a G-loss expression: saturating, nonsaturating, critic, lsgan."""
    found: list[tuple[str, int]] = []
    if depth > 3:
        return found
    for node in ast.walk(expr):
        if isinstance(node, ast.Call):
            name = canon(call_name(node, f)) or ""
            short = _short(name)
            if short in {"log", "log1p"} and node.args:
                arg = node.args[0]
                if (
                    short == "log1p"
                    and isinstance(arg, ast.UnaryOp)
                    or isinstance(arg, ast.BinOp)
                    and isinstance(arg.op, ast.Sub)
                    and const_value(arg.left) == 1
                ):
                    found.append(("saturating", node.lineno))
                else:
                    found.append(("nonsaturating", node.lineno))
            elif short == "softplus" and node.args:
                neg_arg = isinstance(node.args[0], ast.UnaryOp)
                negated = any(
                    isinstance(u, ast.UnaryOp) and isinstance(u.op, ast.USub) and node in ast.walk(u)
                    for u in ast.walk(expr)
                )
                found.append(("nonsaturating" if neg_arg or not negated else "saturating", node.lineno))
            elif short in {"g_nonsaturating", "generator_loss_ns"}:
                found.append(("nonsaturating", node.lineno))
            elif short in {"g_minimax", "g_saturating"}:
                found.append(("saturating", node.lineno))
            elif short in {"g_wasserstein", "g_hinge"}:
                found.append(("critic", node.lineno))
    inside = {id(n) for n in ast.walk(expr) if isinstance(n, ast.Call)}
    for cs in f.calls:
        if id(cs.node) in inside:
            kind = _loss_kind(cs, f, p)
            if kind == "mse":
                found.append(("lsgan", cs.line))
            elif kind == "bce":
                tgt = _target(cs)
                lab = p.label_kind(tgt, f, cs.scope, cs.line) if tgt is not None else None
                negated = _negated_in(expr, cs.node)
                if lab == "zero" and negated:
                    found.append(("saturating", cs.line))
                elif lab in {"one", "soft"} and not negated:
                    found.append(("nonsaturating", cs.line))
    if not found:
        for node in ast.walk(expr):  # follow names of partial losses one hop (g_loss = g_adv + l1)
            if isinstance(node, ast.Name) and _is_loss_name(node.id):
                value = p.value_of(node, f, scope, line)
                if value is not node:
                    found += _g_loss_style(p, value, f, scope, getattr(value, "lineno", line), depth + 1)
    if not found and _negated_in(expr, None) and _mentions_d(p, expr, f):
        found.append(("critic", line))
    return found


def _negated_in(expr: ast.AST, target: ast.AST | None) -> bool:
    for u in ast.walk(expr):
        if isinstance(u, ast.UnaryOp) and isinstance(u.op, ast.USub):
            if target is None or any(n is target for n in ast.walk(u)):
                return True
        if (
            isinstance(u, ast.BinOp)
            and isinstance(u.op, ast.Sub)
            and target is not None
            and any(n is target for n in ast.walk(u.right))
        ):
            return True
    return False


def _mentions_d(p: Project, expr: ast.AST, f: FileFacts) -> bool:
    for n in ast.walk(expr):
        if isinstance(n, ast.Call) and p.callee_role(CallSite(n, None, tail(n.func), False, 0, "", None, None)) == "D":
            return True
        if isinstance(n, ast.Name) and role_of_name(n.id) == "D":
            return True
    return False


@rule("T02")
def check_nonsaturating_loss(p: Project, cfg: DoctorConfig) -> Verdict:
    """T02: G minimises -log D(G(z)) (fakes labelled real), not log(1 - D(G(z)))."""
    styles: dict[str, list[Evidence]] = {}
    for expr, f, scope, line in _g_loss_exprs(p):
        for style, at in _g_loss_style(p, expr, f, scope, line):
            styles.setdefault(style, []).append(_ev(f, at or line))
    fix = (
        "train G with BCEWithLogits(D(G(z)), ones) / softplus(-D(G(z))).mean() (ganhacks.tricks.losses.g_nonsaturating)"
    )
    if "saturating" in styles:
        return _verdict(
            "T02",
            "fail",
            "G minimises log(1 - D(G(z))): its gradient vanishes while D rejects fakes",
            fix,
            styles["saturating"],
        )
    if "nonsaturating" in styles:
        return _verdict(
            "T02", "pass", "G uses the non-saturating loss (fakes labelled real)", "", styles["nonsaturating"]
        )
    fam = _loss_family(p)
    if "critic" in styles or "lsgan" in styles or fam & {"wgan", "hinge"} or fam == {"mse"}:
        which = "least-squares" if "lsgan" in styles or fam == {"mse"} else "Wasserstein/hinge critic"
        return _verdict(
            "T02",
            "na",
            f"the G loss is a {which} loss, not the log loss this tip is about",
            "",
            styles.get("critic", []) + styles.get("lsgan", []),
        )
    return _verdict(
        "T02", "absent", "no generator loss could be identified", "name it g_loss/errG or use ganhacks.tricks.losses"
    )


# --- T03 ------------------------------------------------------------------------------------
def _z_kind(p: Project, node: ast.AST, f: FileFacts, scope: str, line: int, depth: int = 0) -> tuple[str | None, int]:
    """ "gaussian"/"uniform" for a latent-code expression (following names and local samplers)."""
    if depth > 5:
        return None, 0
    kinds = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            name = canon(call_name(sub, f)) or ""
            short = _short(name)
            if name in RANDOM_NORMAL or short in {
                "sample_gaussian",
                "truncated_gaussian",
                "randn",
                "randn_like",
                "truncnorm",
            }:
                kinds.append(("gaussian", sub.lineno))
            elif name in RANDOM_UNIFORM:
                kinds.append(("uniform", sub.lineno))
            elif isinstance(sub.func, ast.Name) and p.funcdef(sub.func.id) and depth < 3:
                fd, ff = p.funcdef(sub.func.id)
                for r in [n.value for n in ast.walk(fd) if isinstance(n, ast.Return) and n.value is not None]:
                    k = _z_kind(p, r, ff, _qual(ff, fd), r.lineno, depth + 1)
                    if k[0]:
                        kinds.append(k)
    if kinds:
        unif = [k for k in kinds if k[0] == "uniform"]
        return unif[0] if unif else kinds[0]
    if isinstance(node, ast.Name):
        ev = p.last_event(node.id, f, scope, line - 1 if depth == 0 else line)
        if ev is not None and ev.value is not node:
            return _z_kind(p, ev.value, f, scope, ev.line, depth + 1)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"to", "cuda", "view", "detach", "float"}
    ):
        return _z_kind(p, node.func.value, f, scope, line, depth + 1)
    return None, 0


@rule("T03")
def check_spherical_z(p: Project, cfg: DoctorConfig) -> Verdict:
    """T03: the latent code z is drawn from a Gaussian, not a uniform box."""
    found: list[tuple[str, Evidence]] = []
    for cs, f in p.calls_of("G"):
        if cs.node.args:
            k, line = _z_kind(p, cs.node.args[0], f, cs.scope, cs.line)
            if k:
                found.append((k, _ev(f, line or cs.line)))
    for f in p.files if (p.models_with("G") or found) else []:  # named codes count only in GAN code
        for ev in f.events:
            toks = set(name_tokens(ev.name))
            if (
                ev.kind == "assign"
                and toks & {"z", "latent", "latents", "zs", "codes"}
                and not toks & {"loss", "label"}
            ):
                k, line = _z_kind(p, ev.value, f, ev.scope, ev.line, depth=1)
                if k:
                    found.append((k, _ev(f, line or ev.line)))
    fix = "sample z with torch.randn(batch, nz) (ganhacks.tricks.latent.sample_gaussian); interpolate with slerp"
    unif = [e for k, e in found if k == "uniform"]
    if unif:
        return _verdict("T03", "fail", "z is drawn from a uniform distribution", fix, unif)
    if found:
        return _verdict("T03", "pass", "z is drawn from a Gaussian", "", [e for _, e in found])
    return _verdict("T03", "na", "no latent sampling found (G may be conditioned on an input instead of z)")


# --- T04 ------------------------------------------------------------------------------------
_BN = ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm", "batch_norm", "LazyBatchNorm2d")


def _mixed_batch(p: Project, node: ast.AST, f: FileFacts, scope: str, line: int) -> int | None:
    """Line of a ``torch.cat([real, fake])`` (along the batch) that ``node`` holds, else None."""
    node = p.value_of(p.unwrap(node, f), f, scope, line)
    node = p.unwrap(node, f)
    if not isinstance(node, ast.Call):
        return None
    short = _short(canon(call_name(node, f)) or "")
    if short not in {"cat", "concat", "concatenate", "vstack", "row_stack"} or not node.args:
        return None
    dim = (
        node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg in {"dim", "axis"}), None)
    )
    if short in {"cat", "concat", "concatenate"} and dim is not None and const_value(dim) != 0:
        return None
    elts = node.args[0].elts if isinstance(node.args[0], (ast.List, ast.Tuple)) else []
    fakes = [p.is_fake(e, f, scope, line) for e in elts]
    return node.lineno if any(fakes) and not all(fakes) else None


@rule("T04")
def check_separate_batches(p: Project, cfg: DoctorConfig) -> Verdict:
    """T04: D with BatchNorm sees all-real and all-fake mini-batches, never a concatenation."""
    discs = p.models_with("D")
    if not discs:
        return _verdict("T04", "na", "no discriminator found in this code")
    bn = [(m, o) for m in discs for o in m.has(*_BN)]
    if not bn:
        return _verdict("T04", "na", "D has no BatchNorm, so mixing real and fake in one batch leaks nothing")
    mixed = []
    for cs, f in p.calls_of("D"):
        if cs.node.args:
            at = _mixed_batch(p, cs.node.args[0], f, cs.scope, cs.line)
            if at:
                mixed += [_ev(f, at), _ev(f, cs.line)]
    bn_ev = [_ev(o[2], o[1]) for _, o in bn]
    fix = "call D(real) and D(fake) separately (or use InstanceNorm/LayerNorm/spectral norm in D)"
    if mixed:
        return _verdict(
            "T04", "fail", "a concatenated real+fake batch goes through D, which has BatchNorm", fix, mixed + bn_ev[:1]
        )
    return _verdict("T04", "pass", "D has BatchNorm and sees real and fake in separate batches", "", bn_ev[:1])


# --- T05 ------------------------------------------------------------------------------------
_RELU = (
    "torch.nn.ReLU",
    "torch.nn.ReLU6",
    "torch.nn.functional.relu",
    "torch.nn.functional.relu_",
    "torch.relu",
    "torch.relu_",
    "torch.nn.functional.relu6",
    "method:relu",
    "method:relu_",
)
_MAXPOOL = (
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "adaptive_max_pool2d",
)


@rule("T05")
def check_sparse_gradients(p: Project, cfg: DoctorConfig) -> Verdict:
    """T05: no ReLU or max pooling in D (LeakyReLU, average pooling or strided convs instead)."""
    discs, gens = p.models_with("D"), p.models_with("G")
    if not discs and not gens:
        return _verdict("T05", "na", "no generator or discriminator found in this code")
    bad: list[tuple[str, Evidence]] = []
    for m in discs:
        bad += [(f"ReLU in {m.name}", _ev(o[2], o[1])) for o in m.ops if o[0] in _RELU]
        bad += [(f"max pooling in {m.name}", _ev(o[2], o[1])) for o in m.has(*_MAXPOOL)]
    relu_g = []
    for m in gens:
        if "D" in m.roles:
            continue
        bad += [(f"max pooling in {m.name}", _ev(o[2], o[1])) for o in m.has(*_MAXPOOL)]
        relu_g += [(f"ReLU in {m.name}", _ev(o[2], o[1])) for o in m.ops if o[0] in _RELU]
    if cfg.relu_in_generator == "fail":
        bad += relu_g
    fix = "use nn.LeakyReLU(0.2) and downsample with a stride-2 conv or nn.AvgPool2d"
    if bad:
        what = sorted({w for w, _ in bad})
        return _verdict("T05", "fail", "sparse gradients: " + ", ".join(what), fix, [e for _, e in bad])
    note = " (G uses ReLU, as DCGAN does; LeakyReLU is the tip's preference)" if relu_g else ""
    return _verdict("T05", "pass", "no ReLU or max pooling in D" + note, "", [e for _, e in relu_g][:2])


# --- T06 ------------------------------------------------------------------------------------
_LABEL_TOKENS = {"label", "labels", "target", "targets", "valid", "validity", "ones", "zeros", "smooth", "y"}


def _flip_evidence(p: Project) -> list[Evidence]:
    out = []
    for f in p.files:
        for ev in f.events:
            toks = set(name_tokens(ev.name)) | set(name_tokens(ev.scope.split(".")[-1] if ev.scope else ""))
            if ev.kind != "assign" or not toks & (_LABEL_TOKENS | {"flip", "flips", "noisy", "swap", "mask"}):
                continue
            for node in ast.walk(ev.value):
                if isinstance(node, ast.Compare) and any(has_random(x, f) for x in [node.left, *node.comparators]):
                    out.append(_ev(f, ev.line))
                    break
        for stmt, _scope in f.subscript_assigns:
            t = stmt.targets[0]
            if isinstance(t, ast.Subscript) and set(name_tokens(tail(t.value) or "")) & _LABEL_TOKENS:
                out.append(_ev(f, stmt.lineno))
    for cs, f in p.all_calls():
        if _short(canon(cs.name) or cs.callee or "") in {
            "flip",
            "flip_labels",
            "noisy_labels",
            "two_sided",
            "one_sided",
            "LabelMaker",
        } and (canon(cs.name) or "").startswith("ganhacks.tricks.labels"):
            out.append(_ev(f, cs.line))
    return out


@rule("T06")
def check_soft_noisy_labels(p: Project, cfg: DoctorConfig) -> Verdict:
    """T06: D's targets are smoothed (real ~0.9 or 0.7-1.2) and/or occasionally flipped."""
    soft, hard = [], []
    for cs, f, kind in _loss_calls(p):
        if kind not in {"bce", "mse"}:
            continue
        tgt = _target(cs)
        lab = p.label_kind(tgt, f, cs.scope, cs.line) if tgt is not None else None
        (soft if lab in {"soft", "noisy"} else hard if lab in {"one", "zero"} else []).append(_ev(f, cs.line))
    for f in p.files:
        for ev in f.events:
            toks = set(name_tokens(ev.name))
            if (
                ev.kind == "assign"
                and toks & _LABEL_TOKENS
                and not toks & {"loss", "err", "out", "output", "pred", "gen"}
            ):
                lab = p.label_kind(ev.value, f, ev.scope, ev.line)
                if lab in {"soft", "noisy"} and not _is_z_name(ev.name):
                    soft.append(_ev(f, ev.line))
    soft += _flip_evidence(p)
    fix = "smooth D's real targets (e.g. 0.9, or uniform 0.7-1.2) and flip a few labels (ganhacks.tricks.labels)"
    if soft:
        return _verdict("T06", "pass", "D's labels are soft or noisy", "", soft)
    fam = _loss_family(p)
    if not hard and fam & {"wgan", "hinge"}:
        return _verdict("T06", "na", "the loss is a Wasserstein/hinge critic: there are no real/fake labels")
    if hard:
        return _verdict("T06", "absent", "D is trained on hard 0/1 labels", fix, hard)
    return _verdict("T06", "absent", "no smoothed or flipped labels found", fix)


def _is_z_name(name: str) -> bool:
    return bool(set(name_tokens(name)) & {"z", "noise", "latent"})


# --- T07 ------------------------------------------------------------------------------------
@rule("T07")
def check_dcgan_or_hybrid(p: Project, cfg: DoctorConfig) -> Verdict:
    """T07: a DCGAN-style convolutional G/D, or a hybrid (VAE-GAN) model."""
    gens, discs = p.models_with("G"), p.models_with("D")
    if not gens and not discs:
        return _verdict("T07", "na", "no generator or discriminator found in this code")
    idents = set().union(*(f.identifiers for f in p.files))
    hybrid = {
        i
        for i in idents
        if set(name_tokens(i)) & {"reparameterize", "reparametrize", "reparam", "logvar", "kld"}
        or i.lower() in {"log_var", "kl_loss", "kl_div", "kl_divergence"}
    }
    up = [o for m in gens for o in m.has("ConvTranspose2d", "PixelShuffle", "Upsample", "interpolate")]
    down = [o for m in discs for o in m.has("Conv2d")]
    if up and down:
        return _verdict(
            "T07",
            "pass",
            "convolutional G and D (DCGAN family)",
            "",
            [_ev(up[0][2], up[0][1]), _ev(down[0][2], down[0][1])],
        )
    if hybrid:
        f, line = _find_ident(p, sorted(hybrid))
        return _verdict(
            "T07", "pass", "hybrid model (VAE-GAN: KL/reparameterisation terms)", "", [_ev(f, line)] if f else []
        )
    ev = [_ev(m.facts, m.builder.line) for m in gens + discs]
    return _verdict(
        "T07",
        "absent",
        "G/D are not DCGAN-style convolutional nets",
        "for images start from DCGAN (ganhacks.models.dcgan)",
        ev,
    )


def _find_ident(p: Project, names: list[str]) -> tuple[FileFacts | None, int]:
    for f in p.files:
        for i, text in enumerate(f.lines, 1):
            if any(n in text for n in names):
                return f, i
    return None, 0


# --- T08 ------------------------------------------------------------------------------------
def _trick_idents(p: Project, test: Callable[[set[str], str], bool]) -> list[Evidence]:
    idents = set().union(*(f.identifiers for f in p.files))
    hits = sorted(i for i in idents if test(set(name_tokens(i)), i.lower()))
    if not hits:
        return []
    f, line = _find_ident(p, hits)
    return [_ev(f, line)] if f else [Evidence(p.files[0].path, 0, hits[0])]


@rule("T08")
def check_rl_tricks(p: Project, cfg: DoctorConfig) -> Verdict:
    """T08: a replay buffer of past fakes or a pool of past G/D checkpoints."""
    ev = _trick_idents(
        p,
        lambda t, low: bool(
            t & {"replay", "snapshot", "snapshots", "experience"}
            or ("pool" in t and t & {"image", "fake", "img", "history", "sample"})
            or ("history" in t and t & {"fake", "buffer", "fakes"})
            or "replaybuffer" in low
            or "imagepool" in low
        ),
    )
    if ev:
        return _verdict("T08", "pass", "past fakes or checkpoints are replayed to D", "", ev)
    return _verdict(
        "T08",
        "absent",
        "no replay buffer or checkpoint pool",
        "optionally show D some past fakes (ganhacks.tricks.replay.ReplayBuffer)",
    )


# --- T09 ------------------------------------------------------------------------------------
_ADAM = {"Adam", "AdamW", "Adamax", "NAdam", "RAdam", "SparseAdam", "FusedAdam", "Adafactor"}


def _optimisers(p: Project) -> list[tuple[str, str | None, Evidence, ast.Call]]:
    out = []
    for cs, f in p.all_calls():
        name = canon(cs.name) or ""
        short = _short(name)
        if not name.startswith("torch.optim.") or "lr_scheduler" in name or not short[:1].isupper():
            continue
        role = None
        params = (
            cs.node.args[0] if cs.node.args else next((k.value for k in cs.node.keywords if k.arg == "params"), None)
        )
        if params is not None:
            for n in ast.walk(params):
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "parameters":
                    owner = tail(n.func.value)
                    role = role_of_name(owner) or next(
                        (r for c in p.bound.get(owner or "", ()) for m in p.models if m.name == c for r in m.roles),
                        None,
                    )
                    break
        role = role or role_of_name(cs.target)
        out.append((short, role, _ev(f, cs.line), cs.node))
    return out


@rule("T09")
def check_adam(p: Project, cfg: DoctorConfig) -> Verdict:
    """T09: G (and usually D) is optimised with Adam; SGD for D with Adam for G is also fine."""
    opts = _optimisers(p)
    if not opts:
        return _verdict("T09", "na", "no torch.optim optimiser constructed in this code")
    critic = "wgan" in _loss_family(p)
    has_g = bool(p.models_with("G") or p.calls_of("G"))
    g_opts = [o for o in opts if o[1] == "G"] or (list(opts) if has_g and all(o[1] is None for o in opts) else [])
    if not has_g and not any(o[1] == "D" for o in opts):
        return _verdict("T09", "na", "optimisers found, but no generator in this code", "", [o[2] for o in opts])
    bad = [o for o in g_opts if o[0] not in _ADAM and not (critic and o[0] == "RMSprop")]
    fix = "use torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))"
    if bad and (any(o[1] == "G" for o in bad) or len(bad) == len(g_opts)):
        return _verdict("T09", "fail", f"G is optimised with {bad[0][0]}, not Adam", fix, [o[2] for o in bad])
    kinds = sorted({o[0] for o in opts})
    return _verdict("T09", "pass", "optimisers: " + ", ".join(kinds), "", [o[2] for o in opts])


# --- T10 ------------------------------------------------------------------------------------
@rule("T10")
def check_track_failures(p: Project, cfg: DoctorConfig) -> Verdict:
    """T10: gradient norms (and D's loss going to 0) are watched during training."""
    ev = []
    for cs, f in p.all_calls():
        short = _short(canon(cs.name) or cs.callee or "")
        if short in {"clip_grad_norm_", "clip_grad_norm", "grad_norm", "Monitor"} or (
            short in {"norm", "vector_norm"}
            and any(isinstance(n, ast.Attribute) and n.attr == "grad" for n in ast.walk(cs.node))
        ):
            ev.append(_ev(f, cs.line))
    for f in p.files:
        if any(v.startswith("ganhacks.monitor") for v in f.aliases.values()):
            ev.append(Evidence(f.path, 1, "imports ganhacks.monitor"))
        for name in f.identifiers:
            if "grad" in name.lower() and "norm" in name.lower():
                f2, line = _find_ident(p, [name])
                if f2:
                    ev.append(_ev(f2, line))
                break
    if ev:
        return _verdict("T10", "pass", "gradient norms or failure symptoms are tracked", "", ev)
    return _verdict(
        "T10",
        "absent",
        "losses may be printed, but gradient norms / D-loss collapse are not checked",
        "watch grad norms (>100 is trouble) and D loss -> 0, e.g. with ganhacks.monitor",
    )


# --- T11 ------------------------------------------------------------------------------------
def _loss_compare(test: ast.AST) -> bool:
    for n in ast.walk(test):
        if isinstance(n, ast.Compare) and isinstance(n.ops[0], (ast.Gt, ast.GtE, ast.Lt, ast.LtE)):
            for side in [n.left, *n.comparators]:
                if any(isinstance(x, (ast.Name, ast.Attribute)) and _is_loss_name(tail(x)) for x in ast.walk(side)):
                    return True
    return False


def _trains(body: list[ast.stmt]) -> bool:
    for stmt in body:
        for n in ast.walk(stmt):
            if isinstance(n, ast.Call):
                t = tail(n.func) or ""
                if t == "step" or (set(name_tokens(t)) & {"train", "update"} and t != "train"):
                    return True
    return False


@rule("T11")
def check_no_loss_balancing(p: Project, cfg: DoctorConfig) -> Verdict:
    """T11: no ``while loss_D > A: train D`` style balancing of G and D by loss thresholds."""
    bad = []
    for f in p.files:
        for node, _ in f.loops:
            if isinstance(node, ast.While) and _loss_compare(node.test):
                bad.append(_ev(f, node.lineno))
        for node, _ in f.ifs:
            if _loss_compare(node.test) and _trains(node.body):
                bad.append(_ev(f, node.lineno))
    fix = "use a fixed schedule (e.g. 1 D step per G step, or n_critic for WGAN) instead of loss thresholds"
    if bad:
        return _verdict("T11", "fail", "G/D updates are balanced by loss thresholds", fix, bad)
    steps = [(cs, f) for cs, f in p.all_calls() if cs.callee in {"step", "backward"} and cs.method]
    if not steps:
        return _verdict("T11", "na", "no training loop found in this code")
    return _verdict(
        "T11",
        "pass",
        "the update schedule does not depend on loss thresholds",
        "",
        [_ev(steps[0][1], steps[0][0].line)],
    )


# --- T12 ------------------------------------------------------------------------------------
_CLASS_TOKENS = {
    "label",
    "labels",
    "y",
    "class",
    "classes",
    "cls",
    "c",
    "digit",
    "digits",
    "cond",
    "condition",
    "attr",
    "attrs",
}
_LABELLED = {
    "MNIST",
    "FashionMNIST",
    "CIFAR10",
    "CIFAR100",
    "SVHN",
    "STL10",
    "ImageFolder",
    "EMNIST",
    "KMNIST",
    "load_digits",
}


def _labels_available(p: Project) -> list[Evidence]:
    out = []
    for f in p.files:
        for node, _ in f.loops:
            if not isinstance(node, ast.For):
                continue
            target, it = node.target, node.iter
            if (
                isinstance(it, ast.Call)
                and tail(it.func) == "enumerate"
                and isinstance(target, ast.Tuple)
                and len(target.elts) == 2
            ):
                target, it = target.elts[1], it.args[0] if it.args else it
            src = (
                set(name_tokens(tail(it) or ""))
                if not isinstance(it, ast.Call)
                else set(name_tokens(tail(it.func) or ""))
            )
            if (
                isinstance(target, ast.Tuple)
                and len(target.elts) == 2
                and src & {"loader", "dataloader", "data", "dataset", "dl", "train", "batches"}
            ):
                out.append(_ev(f, node.lineno))
    for cs, f in p.all_calls():
        if _short(canon(cs.name) or cs.callee or "") in _LABELLED:
            out.append(_ev(f, cs.line))
    return out


@rule("T12")
def check_use_labels(p: Project, cfg: DoctorConfig) -> Verdict:
    """T12: when the data has labels, D also classifies (AC-GAN) or is conditioned on them."""
    discs = p.models_with("D")
    if not discs:
        return _verdict("T12", "na", "no discriminator found in this code")
    ce = [(cs, f) for cs, f, k in _loss_calls(p) if k == "ce"]
    if ce:
        return _verdict(
            "T12", "pass", "D also classifies the samples (auxiliary classifier)", "", [_ev(f, cs.line) for cs, f in ce]
        )
    cond = [o for m in discs for o in m.has("Embedding")]
    for cs, f in p.calls_of("D"):  # D(x, labels): conditioned by concatenation or projection
        extra = cs.node.args[1:] + [k.value for k in cs.node.keywords]
        if any(
            isinstance(n, (ast.Name, ast.Attribute)) and set(name_tokens(tail(n) or "")) & _CLASS_TOKENS
            for a in extra
            for n in ast.walk(a)
        ):
            cond.append(("call", cs.line, f))
    if cond:
        return _verdict("T12", "pass", "D is conditioned on the labels", "", [_ev(o[2], o[1]) for o in cond])
    avail = _labels_available(p)
    if avail:
        return _verdict(
            "T12",
            "absent",
            "the data has labels but D ignores them",
            "let D also predict the class (ganhacks.tricks.conditional.ACGANHead) or condition it by projection",
            avail,
        )
    return _verdict("T12", "na", "no class labels found in the data pipeline")


# --- T13 ------------------------------------------------------------------------------------
def _noisy(p: Project, node: ast.AST, f: FileFacts, scope: str, line: int) -> bool:
    node = p.value_of(p.unwrap(node, f), f, scope, line)
    for n in ast.walk(node):
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add):
            if has_random(n.left, f) != has_random(n.right, f):
                return True
        if isinstance(n, ast.Call):
            t = tail(n.func) or ""
            toks = set(name_tokens(t))
            if toks & {"noise", "noisy"} and not toks & {"sample", "z"} or "InstanceNoise" in t:
                return True
            if isinstance(n.func, ast.Name) and n.func.id in p.bound and any("Noise" in c for c in p.bound[n.func.id]):
                return True
    return False


@rule("T13")
def check_instance_noise(p: Project, cfg: DoctorConfig) -> Verdict:
    """T13: noise is added to D's inputs (real and fake alike) and decays over training."""
    noisy = {"real": [], "fake": []}
    plain = {"real": [], "fake": []}
    for cs, f in p.calls_of("D"):
        if not cs.node.args:
            continue
        side = "fake" if p.is_fake(cs.node.args[0], f, cs.scope, cs.line) else "real"
        (noisy if _noisy(p, cs.node.args[0], f, cs.scope, cs.line) else plain)[side].append(_ev(f, cs.line))
    for cs, f in p.all_calls():
        if (canon(cs.name) or "").startswith("ganhacks.tricks.noise"):
            noisy["real"].append(_ev(f, cs.line))
            noisy["fake"].append(_ev(f, cs.line))
    if not noisy["real"] and not noisy["fake"]:
        return _verdict(
            "T13",
            "absent",
            "D's inputs are clean",
            "add Gaussian noise to real and fake inputs of D and decay it (ganhacks.tricks.noise.InstanceNoise)",
        )
    fix = "add the same noise to real and fake inputs of D"
    for side, other in (("real", "fake"), ("fake", "real")):
        if noisy[side] and not noisy[other] and plain[other]:
            return _verdict(
                "T13",
                "fail",
                f"noise is added to {side} inputs of D only: D can tell them apart by the noise",
                fix,
                noisy[side] + plain[other],
            )
    decays = [
        ev
        for f in p.files
        for ev in f.events
        if ev.kind == "aug" and set(name_tokens(ev.name)) & {"noise", "sigma", "std", "stddev", "scale"}
    ]
    decays += [
        ev
        for f in p.files
        for ev in f.events
        if ev.kind == "assign"
        and set(name_tokens(ev.name)) & {"sigma", "std", "stddev"}
        and any(
            isinstance(n, ast.Name)
            and set(name_tokens(n.id)) & {"epoch", "step", "iter", "iteration", "progress", "it", "epochs", "steps"}
            for n in ast.walk(ev.value)
        )
    ]
    note = "" if decays else " (its scale is constant: decay it over training)"
    return _verdict("T13", "pass", "instance noise is added to D's inputs" + note, "", noisy["real"] + noisy["fake"])


# --- T14 ------------------------------------------------------------------------------------
def _step_role(call: ast.Call, p: Project) -> str | None:
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "step"):
        return None
    owner = tail(call.func.value)
    role = role_of_name(owner)
    if role:
        return role
    gv = p.global_value(owner or "")
    if gv is not None and isinstance(gv[0], ast.Call):
        for o in _optimisers(p):
            if o[3] is gv[0]:
                return o[1]
    return None


def _steps_in(body: list[ast.stmt], p: Project) -> set[str]:
    return {r for stmt in body for n in ast.walk(stmt) if isinstance(n, ast.Call) for r in [_step_role(n, p)] if r}


@rule("T14")
def check_more_d_steps(p: Project, cfg: DoctorConfig) -> Verdict:
    """T14: several D (critic) steps per G step, as an explicit n_critic schedule."""
    ev = []
    for f in p.files:
        for node, _ in f.loops:
            if (
                isinstance(node, ast.For)
                and isinstance(node.iter, ast.Call)
                and tail(node.iter.func) == "range"
                and node.iter.args
            ):
                n = node.iter.args[-1] if len(node.iter.args) == 1 else None
                many = (const_value(n) or 0) > 1 or (
                    isinstance(n, (ast.Name, ast.Attribute))
                    and set(name_tokens(tail(n) or "")) & {"critic", "d", "disc", "k", "diters", "citers"}
                )
                if many and _steps_in(node.body, p) == {"D"}:
                    ev.append(_ev(f, node.lineno))
        for node, _ in f.ifs:
            if (
                any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod) for n in ast.walk(node.test))
                and "G" in _steps_in(node.body, p)
                and "D" not in _steps_in(node.body, p)
            ):
                ev.append(_ev(f, node.lineno))
    if ev:
        return _verdict("T14", "pass", "D takes several steps per G step", "", ev)
    return _verdict(
        "T14",
        "absent",
        "one D step per G step",
        "optional: try n_critic > 1 D steps per G step (ganhacks.tricks.steps.StepSchedule)",
    )


# --- T15 ------------------------------------------------------------------------------------
@rule("T15")
def check_minibatch_discrimination(p: Project, cfg: DoctorConfig) -> Verdict:
    """T15: D sees batch statistics (minibatch discrimination or minibatch standard deviation)."""
    ev = _trick_idents(
        p,
        lambda t, low: (
            "mbstd" in low
            or "minibatchstd" in low.replace("_", "")
            or "minibatchdisc" in low.replace("_", "")
            or ("minibatch" in t and t & {"discrimination", "std", "stddev", "disc"})
        ),
    )
    if ev:
        return _verdict("T15", "pass", "D uses minibatch discrimination / minibatch stddev", "", ev)
    return _verdict(
        "T15",
        "absent",
        "D judges each sample alone",
        "optional: add ganhacks.tricks.layers.MinibatchStdDev near the end of D",
    )


# --- T16 ------------------------------------------------------------------------------------
@rule("T16")
def check_condition_embedding(p: Project, cfg: DoctorConfig) -> Verdict:
    """T16: a discrete condition enters the model through a (low-dimensional) embedding."""
    models = p.models_with("G") + p.models_with("D")
    emb = [o for m in models for o in m.has("Embedding", "ConditionChannels")]
    if emb:
        return _verdict("T16", "pass", "the condition enters through nn.Embedding", "", [_ev(o[2], o[1]) for o in emb])
    onehot = [
        (cs, f) for cs, f in p.all_calls() if _short(canon(cs.name) or cs.callee or "") in {"one_hot", "scatter_"}
    ]
    if onehot:
        return _verdict(
            "T16",
            "absent",
            "the condition is one-hot encoded, not embedded",
            "use nn.Embedding(n_classes, small_dim) and append it as channels "
            "(ganhacks.tricks.layers.ConditionChannels)",
            [_ev(f, cs.line) for cs, f in onehot],
        )
    return _verdict("T16", "na", "the model is not conditioned on a discrete variable")


# --- T17 ------------------------------------------------------------------------------------
@rule("T17")
def check_dropout_in_g(p: Project, cfg: DoctorConfig) -> Verdict:
    """T17: G uses dropout, and it stays active at test time (G is not put in eval mode)."""
    gens = [m for m in p.models_with("G") if "D" not in m.roles]
    if not gens:
        return _verdict("T17", "na", "no generator found in this code")
    modules = [o for m in gens for o in m.has("Dropout", "Dropout2d", "Dropout1d", "AlphaDropout")]
    functional = [o for m in gens for o in m.has("dropout", "dropout2d")]
    always = [o for o in functional if not _follows_training(o, gens)]
    if not modules and not functional:
        return _verdict(
            "T17", "absent", "G has no dropout", "optional: add dropout to some G layers and keep it on at test time"
        )
    evals = []
    for cs, f in p.all_calls():
        if cs.method and isinstance(cs.node.func, ast.Attribute):
            owner = tail(cs.node.func.value)
            is_g = role_of_name(owner) == "G" or any(c in {m.name for m in gens} for c in p.bound.get(owner or "", ()))
            off = cs.callee == "eval" or (
                cs.callee == "train"
                and cs.node.args
                and isinstance(cs.node.args[0], ast.Constant)
                and cs.node.args[0].value is False
            )
            if is_g and off:
                evals.append(_ev(f, cs.line))
    reenabled = any(
        "Dropout" in (tail(n) or "")
        for f in p.files
        for cs in f.calls
        if cs.callee == "isinstance"
        for n in cs.node.args
    )
    drop_ev = [_ev(o[2], o[1]) for o in modules + functional]
    if evals and not always and not reenabled:
        return _verdict(
            "T17",
            "fail",
            "G has dropout but is put in eval mode, which switches it off at test time",
            "keep G's dropout on at inference (F.dropout(x, p, training=True) or ganhacks.tricks.layers.AlwaysDropout)",
            evals + drop_ev,
        )
    return _verdict("T17", "pass", "G uses dropout and it stays active at test time", "", drop_ev)


def _follows_training(op: tuple[str, int, FileFacts], gens: list[Model]) -> bool:
    """Whether a functional dropout call at ``op`` passes ``training=self.training`` (off in eval)."""
    _, line, f = op
    for cs in f.calls:
        if cs.line == line and cs.callee in {"dropout", "dropout2d"}:
            for kw in cs.node.keywords:
                if kw.arg == "training" and not (isinstance(kw.value, ast.Constant) and kw.value.value is True):
                    return True
    return False


def run_rules(p: Project, cfg: DoctorConfig) -> list[Verdict]:
    """Run every selected rule on one unit, in tip order."""
    tips = [tip for tip in RULES.names() if cfg.wants(tip)]
    if not p.models and not p.role_calls:  # not GAN code (a classifier, a utils module): nothing applies
        return [_verdict(tip, "na", "no generator or discriminator found in this code") for tip in tips]
    return [RULES.get(tip).func(p, cfg) for tip in tips]
