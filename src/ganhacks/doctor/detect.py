"""Shared detectors: questions several rules ask of a :class:`~ganhacks.doctor.project.Project`.

What G's last activation is, how the data is scaled, which calls compute which loss, which
expressions are the generator's loss, which loss family the unit uses, which optimisers exist.
Rules (:mod:`ganhacks.doctor.rules`) combine these answers into verdicts; none re-parses a file.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ganhacks.doctor.adversarial import adversarial
from ganhacks.doctor.project import FileFacts, Model, Project, call_name, canon
from ganhacks.doctor.source import const_value, name_tokens, role_of_name, tail
from ganhacks.doctor.verdict import Evidence
from ganhacks.doctor.vocab import ACT, LINEAR, LOSS_TOKENS


def cite(f: FileFacts, line: int) -> Evidence:
    """Evidence for line ``line`` of file ``f`` (with its source snippet)."""
    return Evidence(f.path, line, f.snippet(line))


def short_name(op: str) -> str:
    return op.rsplit(".", 1)[-1].removeprefix("method:")


def list_last(name: str, fn: ast.AST | None, before: int) -> ast.AST | None:
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


class Outputs:
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
        if b.kind in {"function", "forward"}:
            rets = f.returns.get(qual(f, b.node), [])
            return self.expr(rets[-1], f, b, b.node, qual(f, b.node)) if rets else (None, 0)
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
        if isinstance(node, ast.BinOp) and (
            isinstance(node.op, ast.MatMult)
            or isinstance(node.op, ast.Add)
            and any(isinstance(x, ast.BinOp) and isinstance(x.op, ast.MatMult) for x in (node.left, node.right))
        ):
            return "linear", line  # h @ W + b
        if not isinstance(node, ast.Call):
            return None, 0
        if isinstance(node.func, ast.Call):  # nn.Tanh()(x): the layer object applied at once
            return self.layer(node.func, f, fn, scope, depth + 1)
        name = canon(call_name(node, f)) or ""
        short = short_name(name)
        if name.startswith("torch") and short in ACT:
            return ACT[short], line
        if name in {"torch.nn.functional.linear", "torch.matmul", "torch.mm", "torch.addmm"}:
            return "linear", line
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
            if short in ACT and short.islower():
                return ACT[short], line
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
        if isinstance(node.func, ast.Name):  # a small local helper: return torch_tanh(x) / return act(x)
            local = self.p.tracer.local_function(node.func.id, self.p.ctx(f, scope, line))
            if local is not None:
                fd, ff, q = local
                rets = ff.returns.get(q, [])
                return self.expr(rets[-1], ff, b, fd, q, depth + 1) if rets else (None, 0)
        return None, 0

    def layer(self, node, f, fn, scope, depth=0) -> tuple[str | None, int]:
        """The output activation of a layer expression (``nn.Tanh()``, ``nn.Sequential(...)``)."""
        if depth > 10 or not isinstance(node, ast.Call):
            return None, 0
        line = node.lineno
        name = canon(call_name(node, f)) or ""
        short = short_name(name)
        if name.startswith("torch.nn") and short in ACT:
            return ACT[short], line
        if name.startswith("torch.nn") and short in LINEAR:
            return "linear", line
        if short in {"Sequential"}:
            if not node.args:
                return None, 0
            last = node.args[-1]
            if isinstance(last, ast.Starred):
                item = list_last(tail(last.value) or "", enclosing_fn(f, line), line)
                if item is None:
                    return None, 0
                last = item
            if isinstance(last, ast.Starred):
                return None, 0
            return self.layer(last, f, fn, scope, depth + 1)
        if isinstance(node.func, ast.Name) and node.func.id in self.p.builders:
            return self.of_builder(node.func.id)
        return None, 0


def qual(f: FileFacts, fn: ast.AST) -> str:
    for key in f.returns:
        if key.split(".")[-1] == getattr(fn, "name", None):
            return key
    return getattr(fn, "name", "")


def enclosing_fn(f: FileFacts, line: int) -> ast.AST | None:
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


def data_scaling(p: Project) -> list[tuple[str, Evidence]]:
    """How the unit scales its data: ("signed", ..) for [-1, 1], ("unit", ..) for [0, 1], ("standardised", ..).

    ``Normalize`` arguments are folded (keywords, ``[0.5] * 3``, module constants); arithmetic such
    as ``x / 127.5 - 1``, ``x.mul(2).sub(1)`` or ``(x - 0.5) / 0.5`` is read by the fact collector.
    """
    t = p.tracer
    out: list[tuple[str, Evidence]] = []
    to_tensor: list[Evidence] = []
    for cs, f in p.all_calls():
        short = short_name(canon(cs.name) or cs.callee or "")
        if short not in {"Normalize", "ToTensor", "MinMaxScaler", "to_signed_unit", "scale_to_signed"}:
            continue
        ctx = p.ctx(f, cs.scope, cs.line)
        args = next((a for op, a in t.op(cs.node, ctx) if op == short), {})
        if short == "Normalize":
            mean = t.numbers(*args["mean"]) if "mean" in args else None
            std = t.numbers(*args["std"]) if "std" in args else None
            if mean and std:
                kind = "signed" if all(abs(v - 0.5) < 1e-6 for v in mean + std) else "standardised"
                out.append((kind, cite(f, cs.line)))
        elif short == "ToTensor":
            to_tensor.append(cite(f, cs.line))
        elif short == "MinMaxScaler":
            rng = args.get("feature_range")
            vals = t.numbers(*rng) if rng else [0.0, 1.0]
            out.append(("signed" if vals == [-1.0, 1.0] else "unit", cite(f, cs.line)))
        else:
            out.append(("signed", cite(f, cs.line)))
    for f in p.files:
        out += [(kind, cite(f, line)) for kind, line in f.scalings]
    if to_tensor and not any(k in {"signed", "standardised"} for k, _ in out):
        out += [("unit", e) for e in to_tensor]
    return out


def is_loss_name(name: str | None) -> bool:
    """Whether an identifier names a loss (``g_loss``, ``errD``, ``cost``)."""
    return bool(name) and bool(set(name_tokens(name)) & LOSS_TOKENS)


def loss_family(p: Project) -> set[str]:
    """Which adversarial losses the unit uses: bce, mse, wgan (critic without log), hinge."""
    if "family" in p.memo:
        return p.memo["family"]
    adv = adversarial(p)
    fam = p.memo["family"] = {k for k in adv.kinds() if k != "ce"}
    for term in adv.g_terms + adv.d_terms:
        fam.add({"critic": "wgan", "hinge": "hinge", "sq": "mse", "logD": "bce", "log1mD": "bce"}[term.kind])
    for cs, _f in p.all_calls():
        short = short_name(canon(cs.name) or cs.callee or "")
        if short == "clamp_" and cs.method and any(isinstance(a, ast.UnaryOp) for a in cs.node.args):
            fam.add("wgan")
        if short in {"wgan_gp", "d_wasserstein", "g_wasserstein", "gradient_penalty", "compute_gradient_penalty"}:
            fam.add("wgan")
        if short == "relu" and cs.cls is None and cs.node.args and has_one_minus(cs.node.args[0]):
            fam.add("hinge")
    return fam


def has_one_minus(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Sub, ast.Add)) and const_value(n.left) == 1
        for n in ast.walk(node)
    )


def find_ident(p: Project, names: list[str]) -> tuple[FileFacts | None, int]:
    for f in p.files:
        for i, text in enumerate(f.lines, 1):
            if any(n in text for n in names):
                return f, i
    return None, 0


def trick_idents(p: Project, test: Callable[[set[str], str], bool]) -> list[Evidence]:
    idents = set().union(*(f.identifiers for f in p.files))
    hits = sorted(i for i in idents if test(set(name_tokens(i)), i.lower()))
    if not hits:
        return []
    f, line = find_ident(p, hits)
    return [cite(f, line)] if f else [Evidence(p.files[0].path, 0, hits[0])]


def optimisers(p: Project) -> list[tuple[str, str | None, Evidence, ast.Call]]:
    """Every torch.optim optimiser built in the unit: (class name, role of its parameters, evidence, call)."""
    if "optimisers" in p.memo:
        return p.memo["optimisers"]
    out = p.memo["optimisers"] = []
    for cs, f in p.all_calls():
        name = canon(cs.name) or ""
        short = short_name(name)
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
        out.append((short, role, cite(f, cs.line), cs.node))
    return out


def is_z_name(name: str) -> bool:
    return bool(set(name_tokens(name)) & {"z", "noise", "latent"})
