"""The adversarial loss as the code computes it: loss sites, label values, the generator's loss and its form.

Built on :mod:`ganhacks.doctor.values`, so ``criterion(out, label)`` with ``criterion = nn.BCELoss()``,
``self.BCE_loss(...)``, ``partial(F.binary_cross_entropy_with_logits, ...)``, a user ``GANLoss``
class called as ``criterion_gan(pred, True)`` and a helper ``def g_loss_fn(logits)`` are all read
as the same operations. The generator's loss is found by name (``g_loss``, ``errG``), by the
function it is returned from (``generator_loss``) and by the optimiser stepped after its
``backward()``; its *form* is read as signed terms over D's output on fakes:

* ``(+1, "log1mD")``: G minimises log(1 - D(G(z))) — the saturating minimax loss (T02 fails);
* ``(-1, "logD")``: G minimises -log D(G(z)) — the non-saturating loss (T02 passes);
* ``"critic"`` (D's raw output appears linearly), ``"hinge"``, ``"sq"`` (least squares): not log losses.

``torch.log(1 - D(G(z)) + eps)``, ``(1 - p).clamp(min=eps).log().mean()``, ``torch.log1p(-p)``,
``-F.softplus(logits)`` and ``-BCE(D(G(z)), zeros)`` all read as ``(+1, "log1mD")``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cached_property

from ganhacks.doctor.project import Project
from ganhacks.doctor.source import FileFacts, name_tokens, role_of_name, tail
from ganhacks.doctor.values import Ctx
from ganhacks.doctor.vocab import FAKE_TOKENS, LOSS_TOKENS, PASSTHROUGH, RAND_SHORT

# Functional loss name -> family of the adversarial loss it computes.
LOSS_KINDS = {
    "binary_cross_entropy": "bce",
    "binary_cross_entropy_with_logits": "bce",
    "soft_margin_loss": "bce",
    "mse_loss": "mse",
    "cross_entropy": "ce",
    "nll_loss": "ce",
}
_PASS_OPS = {"mean", "sum", "clamp", "clip", "clamp_min", "abs", "squeeze", "flatten"}
_EPS_MAX = 0.05  # a constant added inside a log up to this size is an epsilon, not a change of form
# Methods that never compute a loss (skipped when looking for loss sites).
_NEVER_LOSS = PASSTHROUGH | {
    "zero_grad",
    "step",
    "backward",
    "item",
    "size",
    "parameters",
    "append",
    "extend",
    "fill_",
    "normal_",
    "uniform_",
    "copy_",
    "resize_",
    "resize_as_",
    "numel",
    "dim",
    "add_argument",
    "parse_args",
    "format",
    "join",
    "mean",
    "sum",
    "print",
    "tolist",
    "numpy",
    "save",
    "load_state_dict",
    "state_dict",
}
_STEP_WORDS = {"g": "G", "gen": "G", "generator": "G", "d": "D", "disc": "D", "dis": "D", "critic": "D"}


@dataclass(frozen=True)
class LossSite:
    """A library loss computed somewhere in the unit (inlined helpers give one site per caller)."""

    kind: str  # "bce" | "mse" | "ce"
    call: ast.Call
    ctx: Ctx  # where the loss is evaluated (parameters bound when reached through a helper)
    input: tuple[ast.AST, Ctx] | None
    target: tuple[ast.AST, Ctx] | None
    f: FileFacts  # evidence: the caller's file
    line: int  # evidence: the caller's line


@dataclass(frozen=True)
class Term:
    """A signed term of a loss over D's output on fakes."""

    sign: int  # +1: the term is minimised as written; -1: negated
    kind: str  # "logD" | "log1mD" | "critic" | "hinge" | "sq"
    line: int
    f: FileFacts = field(repr=False)


def adversarial(p: Project) -> Adversarial:
    """The (memoised) loss analysis of unit ``p``."""
    if "adversarial" not in p.memo:
        p.memo["adversarial"] = Adversarial(p)
    return p.memo["adversarial"]


class Adversarial:
    """Loss analysis of one unit (see the module docstring)."""

    def __init__(self, p: Project) -> None:
        self.p = p
        self.t = p.tracer
        self._labels: dict = {}
        self._terms: dict = {}
        self._calls: dict = {}

    # --- labels --------------------------------------------------------------------------
    def label_kinds(self, node: ast.AST | None, ctx: Ctx, depth: int = 0) -> frozenset[str]:
        """What a target tensor holds: {"one"}, {"zero"}, {"soft"} (smoothed / random band), {"noisy"} (flipped).

        Several kinds when the value depends on an unknown branch; empty when unknown.
        """
        if node is None or depth > 14 or ctx.depth > 16:
            return frozenset()
        key = (id(node), ctx.env, ctx.line, ctx.scope)
        if key in self._labels:
            return self._labels[key]
        self._labels[key] = frozenset()  # recursion guard
        out = self._label_kinds(node, ctx, depth)
        self._labels[key] = out
        return out

    def _label_kinds(self, node: ast.AST, ctx: Ctx, depth: int) -> frozenset[str]:
        v = self.t.fold(node, ctx)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            k = _label_of(float(v))
            return frozenset({k} if k else ())
        if isinstance(node, ast.AugAssign):
            return frozenset({"soft"})
        if isinstance(node, ast.BinOp):
            return self._label_binop(node, ctx, depth)
        if isinstance(node, ast.Call):
            if self.p.call_role(node, ctx):
                return frozenset()  # a model's output is not a label
            name = self.t.canonical(node.func, ctx.f) or ""
            short = (tail(node.func) or "").removeprefix("method:")
            if name.startswith("ganhacks.tricks.labels") or short in {"smooth_labels", "noisy_labels", "flip_labels"}:
                return frozenset({"soft"})
            for op, args in self.t.op(node, ctx):
                got = self._label_op(op, args, node, ctx, depth)
                if got is not None:
                    return got
        out: set[str] = set()
        for sub, sctx in self.t.step(node, ctx):
            out |= self.label_kinds(sub, sctx, depth + 1)
        return frozenset(out)

    def _label_op(self, op: str, args: dict, node: ast.Call, ctx: Ctx, depth: int) -> frozenset[str] | None:
        if op == "fill_" and "value" in args:
            return self.label_kinds(*args["value"], depth + 1)
        if op in {"uniform_", "normal_"} or op in RAND_SHORT or op in {"bernoulli", "randint_like"}:
            return frozenset({"soft"})
        if op in {"ones", "ones_like", "new_ones"}:
            return frozenset({"one"})
        if op in {"zeros", "zeros_like", "new_zeros"}:
            return frozenset({"zero"})
        if op in {"full", "full_like", "new_full"}:
            fill = args.get("fill_value")
            return self.label_kinds(*fill, depth + 1) if fill else frozenset()
        if op == "where":
            return frozenset({"noisy"})
        if op in {"cat", "concat", "concatenate", "stack", "vstack", "hstack"} and "tensors" in args:
            seq, sctx = args["tensors"]
            if isinstance(seq, (ast.List, ast.Tuple)):
                kinds = set().union(*(self.label_kinds(e, sctx, depth + 1) for e in seq.elts)) if seq.elts else set()
                return frozenset({"soft"} if kinds & {"soft", "noisy"} else kinds)
            return frozenset()
        data = args.get("data") or args.get("object") or args.get("a")
        if op in {"tensor", "Tensor", "FloatTensor", "array", "asarray", "as_tensor", "LongTensor"} and data:
            arg, ctx = data
            if isinstance(arg, (ast.List, ast.Tuple)) and arg.elts:
                return frozenset().union(*(self.label_kinds(e, ctx, depth + 1) for e in arg.elts))
            vals = self.t.numbers(arg, ctx)
            if vals:
                return frozenset(k for k in (_label_of(x) for x in vals) if k)
            return frozenset()
        return None

    def _label_binop(self, node: ast.BinOp, ctx: Ctx, depth: int) -> frozenset[str]:
        if any(self._is_random_call(n, c) for n, c in self.t.reach(node, ctx, limit=60)):
            return frozenset({"soft"})
        kinds = [self.label_kinds(x, ctx, depth + 1) for x in (node.left, node.right)]
        consts = [self.t.number(x, ctx) for x in (node.left, node.right)]
        if isinstance(node.op, ast.Mult):
            for i in (0, 1):
                if kinds[i] == {"one"}:
                    return kinds[1 - i]
            return frozenset()
        if isinstance(node.op, (ast.Sub, ast.Add)):
            if kinds[0] and kinds[0] <= {"one", "zero"} and consts[1] not in (None, 0.0):
                return frozenset({"soft"})
            if isinstance(node.op, ast.Sub) and consts[0] == 1 and kinds[1] and kinds[1] <= {"one", "zero"}:
                return frozenset({"zero" if k == "one" else "one" for k in kinds[1]})
        return frozenset()

    def _is_random_call(self, node: ast.AST, ctx: Ctx) -> bool:
        if not isinstance(node, ast.Call):
            return False
        short = (tail(node.func) or "").removeprefix("method:")
        return short in RAND_SHORT or short in {"uniform_", "normal_", "bernoulli"}

    # --- loss sites ----------------------------------------------------------------------
    @cached_property
    def loss_sites(self) -> list[LossSite]:
        """Every library loss of the unit, also as seen through each call of a local helper or loss class."""
        out: list[LossSite] = []
        for f in self.p.files:
            for cs in f.calls:
                if cs.method and cs.callee in _NEVER_LOSS:
                    continue
                ctx = Ctx(f, cs.scope, cs.line)
                self._sites(cs.node, ctx, f, cs.line, out, 0)
        return out

    def _sites(self, call: ast.Call, ctx: Ctx, f: FileFacts, line: int, out: list[LossSite], depth: int) -> None:
        callees = self.t.callees(call.func, ctx.deeper(call))
        if not any(c.kind in {"func", "lambda", "method"} or c.name.rsplit(".", 1)[-1] in LOSS_KINDS for c in callees):
            return  # neither a library loss nor local code that may compute one
        found = False
        for op, args in self.t.op(call, ctx):
            kind = LOSS_KINDS.get(op)
            if kind:
                out.append(LossSite(kind, call, ctx, args.get("input"), args.get("target"), f, line))
                found = True
        if found or depth >= 2 or self.p.call_role(call, ctx):
            return
        for c in self.t.callees(call.func, ctx.deeper(call)):
            if c.kind not in {"func", "lambda", "method"} or c.node is None or c.ctx is None:
                continue
            if (
                depth == 0
                and c.kind != "lambda"
                and not c.bound_args
                and not c.bound_kwargs
                and not call.args
                and not call.keywords
            ):
                continue
            body_env = self.t.returns_of(c, call, ctx)
            env = body_env[0][1].env if body_env else None
            qual = c.qual or getattr(c.node, "name", "")
            scope = qual if c.kind != "lambda" else c.ctx.scope
            for sub in self._body_calls(c.node):
                self._sites(sub, Ctx(c.ctx.f, scope, sub.lineno + 1, env, ctx.depth + 1), f, line, out, depth + 1)

    def _body_calls(self, fn: ast.AST) -> list[ast.Call]:
        key = id(fn)
        if key not in self._calls:
            self._calls[key] = [
                c for c in _calls_in(fn) if not (isinstance(c.func, ast.Attribute) and c.func.attr in _NEVER_LOSS)
            ]
        return self._calls[key]

    def kinds(self) -> set[str]:
        """The loss families computed in the unit ("bce", "mse", "ce")."""
        return {s.kind for s in self.loss_sites}

    # --- D's output ----------------------------------------------------------------------
    def is_fake(self, node: ast.AST, ctx: Ctx) -> bool:
        """Whether ``node`` holds generator output (through names, helpers and wrappers)."""
        for sub, sctx in self.t.reach(node, ctx, stop=self._model_call, limit=120):
            if isinstance(sub, ast.Call) and self.p.call_role(sub, sctx) == "G":
                return True
            if isinstance(sub, ast.Name) and set(name_tokens(sub.id)) & FAKE_TOKENS:
                return True
            if isinstance(sub, ast.Attribute) and set(name_tokens(sub.attr)) & FAKE_TOKENS:
                return True
        return False

    def _d_call(self, node: ast.AST, ctx: Ctx) -> bool:
        return isinstance(node, ast.Call) and self.p.call_role(node, ctx) == "D"

    def _model_call(self, node: ast.AST, ctx: Ctx) -> bool:
        return isinstance(node, ast.Call) and self.p.call_role(node, ctx) is not None

    def d_output(self, node: ast.AST, ctx: Ctx, params_are_d: bool, depth: int = 0) -> str | None:
        """Where D's output is inside a log/BCE argument: "X" (D's output, or a sigmoid of it),
        "1-X", "-X", or None (no D output found). Epsilons, clamps, means and views are skipped."""
        if depth > 16 or ctx.depth > 18:
            return None
        if isinstance(node, ast.Call):
            if self.p.call_role(node, ctx) == "D":
                return "X"
            for op, args in self.t.op(node, ctx):
                if op in {"sigmoid"} | _PASS_OPS and "input" in args:
                    return self.d_output(*args["input"], params_are_d, depth + 1)
                if op == "neg" and "input" in args:
                    return _negate(self.d_output(*args["input"], params_are_d, depth + 1))
        if isinstance(node, ast.Subscript) and self._d_call(node.value, ctx):  # validity, aux = D(x)
            return "X"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return _negate(self.d_output(node.operand, ctx, params_are_d, depth + 1))
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            left, right = self.t.number(node.left, ctx), self.t.number(node.right, ctx)
            if right is not None and abs(right) <= _EPS_MAX:  # p + eps, p - eps
                return self.d_output(node.left, ctx, params_are_d, depth + 1)
            if left is not None and abs(left) <= _EPS_MAX and isinstance(node.op, ast.Add):  # eps + p
                return self.d_output(node.right, ctx, params_are_d, depth + 1)
            if left is not None and abs(left - 1) <= _EPS_MAX and isinstance(node.op, ast.Sub):  # 1 - p
                inner = self.d_output(node.right, ctx, params_are_d, depth + 1)
                return {"X": "1-X", "1-X": "X"}.get(inner or "")
            if isinstance(node.left, ast.BinOp) and isinstance(node.op, ast.Sub):  # (1 + eps) - p
                lv = self.t.number(node.left, ctx)
                if lv is not None and abs(lv - 1) <= _EPS_MAX:
                    inner = self.d_output(node.right, ctx, params_are_d, depth + 1)
                    return {"X": "1-X", "1-X": "X"}.get(inner or "")
            if isinstance(node.left, ast.BinOp) and right is not None and abs(right) <= _EPS_MAX:
                return self.d_output(node.left, ctx, params_are_d, depth + 1)
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            c = self.t.number(node.right, ctx) if not isinstance(node.op, ast.Mult) else None
            if isinstance(node.op, ast.Mult):
                lc, rc = self.t.number(node.left, ctx), self.t.number(node.right, ctx)
                if lc is not None and lc > 0:
                    return self.d_output(node.right, ctx, params_are_d, depth + 1)
                if rc is not None and rc > 0:
                    return self.d_output(node.left, ctx, params_are_d, depth + 1)
            elif c is not None and c > 0:
                return self.d_output(node.left, ctx, params_are_d, depth + 1)
            return None
        if (
            isinstance(node, ast.Name)
            and params_are_d
            and self.t.is_param(node.id, ctx)
            and not self.t.defs(node.id, ctx)
        ):
            return "X"  # a loss helper's parameter: D's output by contract (g_loss(fake_logits))
        found = {self.d_output(sub, sctx, params_are_d, depth + 1) for sub, sctx in self.t.step(node, ctx)} - {None}
        return found.pop() if len(found) == 1 else None

    # --- terms of a loss -----------------------------------------------------------------
    def terms(self, node: ast.AST, ctx: Ctx, params_are_d: bool = False, sign: int = 1, depth: int = 0) -> list[Term]:
        """Signed terms of a loss expression over D's output (see the module docstring)."""
        if depth > 16 or ctx.depth > 18:
            return []
        key = (id(node), ctx.env, ctx.line, ctx.scope, sign, params_are_d)
        if key in self._terms:
            return self._terms[key]
        self._terms[key] = []
        out = self._terms_of(node, ctx, params_are_d, sign, depth)
        self._terms[key] = out
        return out

    def _terms_of(self, node: ast.AST, ctx: Ctx, pd: bool, sign: int, depth: int) -> list[Term]:
        line = getattr(node, "lineno", ctx.line)
        here = (ctx.f, line) if ctx.env is None else (ctx.f, line)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return self.terms(node.operand, ctx, pd, -sign, depth + 1)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, (ast.Add, ast.Sub)):
                right_sign = -sign if isinstance(node.op, ast.Sub) else sign
                return self.terms(node.left, ctx, pd, sign, depth + 1) + self.terms(
                    node.right, ctx, pd, right_sign, depth + 1
                )
            if isinstance(node.op, (ast.Mult, ast.Div)):
                lc, rc = self.t.number(node.left, ctx), self.t.number(node.right, ctx)
                if isinstance(node.op, ast.Mult) and lc is not None:
                    return self.terms(node.right, ctx, pd, sign * (1 if lc >= 0 else -1), depth + 1)
                if rc is not None:
                    return self.terms(node.left, ctx, pd, sign * (1 if rc >= 0 else -1), depth + 1)
                return self.terms(node.left, ctx, pd, sign, depth + 1) + (
                    self.terms(node.right, ctx, pd, sign, depth + 1) if isinstance(node.op, ast.Mult) else []
                )
            if (
                isinstance(node.op, ast.Pow)
                and self.d_output(node.left, ctx, pd) is not None
                or (isinstance(node.op, ast.Pow) and self._mentions_d(node.left, ctx))
            ):
                return [Term(sign, "sq", line, here[0])]
            return []
        if isinstance(node, ast.Call):
            if self.p.call_role(node, ctx) == "D":
                return [Term(sign, "critic", line, here[0])] if self._on_fake(node, ctx) else []
            got = self._terms_call(node, ctx, pd, sign, depth, line)
            if got is not None:
                return got
        if isinstance(node, ast.Name) and pd and self.t.is_param(node.id, ctx) and not self.t.defs(node.id, ctx):
            return [Term(sign, "critic", line, ctx.f)]
        out: list[Term] = []
        for sub, sctx in self.t.step(node, ctx):
            out += self.terms(sub, sctx, pd, sign, depth + 1)
        return out

    def _terms_call(self, node: ast.Call, ctx: Ctx, pd: bool, sign: int, depth: int, line: int) -> list[Term] | None:
        f = ctx.f
        for op, args in self.t.op(node, ctx):
            inp = args.get("input")
            if op in {"log", "log2", "log10"} and inp:
                form = self.d_output(*inp, pd)
                return [Term(sign, "logD" if form == "X" else "log1mD", line, f)] if form in {"X", "1-X"} else []
            if op == "log1p" and inp:
                form = self.d_output(*inp, pd)
                return [Term(sign, "log1mD", line, f)] if form == "-X" else []
            if op == "logsigmoid" and inp:
                form = self.d_output(*inp, pd)
                return [Term(sign, {"X": "logD", "-X": "log1mD"}[form], line, f)] if form in {"X", "-X"} else []
            if op == "softplus" and inp:  # softplus(-x) = -log sigmoid(x); softplus(x) = -log(1 - sigmoid(x))
                form = self.d_output(*inp, pd)
                return [Term(-sign, {"-X": "logD", "X": "log1mD"}[form], line, f)] if form in {"X", "-X"} else []
            if LOSS_KINDS.get(op) == "bce" and inp:
                if self.d_output(*inp, pd) != "X":
                    return []
                labels = self.label_kinds(*args["target"]) if args.get("target") else frozenset()
                if labels and labels <= {"one", "soft"}:
                    return [Term(-sign, "logD", line, f)]
                if labels == {"zero"}:
                    return [Term(-sign, "log1mD", line, f)]
                return []
            if LOSS_KINDS.get(op) == "mse" or op in {"l1_loss", "smooth_l1_loss"}:
                return [Term(sign, "sq", line, f)] if inp and self.d_output(*inp, pd) is not None else []
            if op == "relu" and inp:
                return [Term(sign, "hinge", line, f)] if self._mentions_d(inp[0], inp[1]) else []
            if op in _PASS_OPS and inp:
                return self.terms(*inp, pd, sign, depth + 1)
            if op == "neg" and inp:
                return self.terms(*inp, pd, -sign, depth + 1)
            if op == "pow" and inp:
                return [Term(sign, "sq", line, f)] if self._mentions_d(*inp) else []
        return None

    def _mentions_d(self, node: ast.AST, ctx: Ctx) -> bool:
        return any(
            isinstance(n, ast.Call) and self.p.call_role(n, c) == "D"
            for n, c in self.t.reach(node, ctx, stop=self._model_call, limit=80)
        )

    def _on_fake(self, call: ast.Call, ctx: Ctx) -> bool:
        """Whether a D call judges generator output (its first argument is fake)."""
        if not call.args:
            return False
        return self.is_fake(call.args[0], ctx)

    # --- the generator's loss ------------------------------------------------------------
    @cached_property
    def g_losses(self) -> list[tuple[ast.AST, Ctx, bool]]:
        """Expressions that are the generator's loss: (expression, ctx, params_are_d)."""
        return self._losses_of("G")

    @cached_property
    def d_losses(self) -> list[tuple[ast.AST, Ctx, bool]]:
        """Expressions that are the discriminator's loss."""
        return self._losses_of("D")

    def _losses_of(self, role: str) -> list[tuple[ast.AST, Ctx, bool]]:
        """A player's loss: named for it (``g_loss``, ``errD``; ``loss`` in ``generator_step``), returned by
        a function named for it (``generator_loss``), or backpropagated right before its optimiser steps."""
        out: list[tuple[ast.AST, Ctx, bool]] = []
        other: set[int] = set()
        for f in self.p.files:
            for ev in f.events:
                if ev.kind not in {"assign", "aug"} or not _is_loss_name(ev.name):
                    continue
                fn_role = _scope_role(ev.scope)
                named = role_of_name(ev.name)
                value = ev.value.value if isinstance(ev.value, ast.AugAssign) else ev.value
                if named == role or (fn_role == role and named is None):
                    out.append((value, Ctx(f, ev.scope, ev.line + 1), True))
                elif named is not None or fn_role is not None:
                    other.add(id(value))
            for scope, rets in f.returns.items():
                name = scope.split(".")[-1]
                if role_of_name(name) == role and _is_loss_name(name):
                    out += [(r, Ctx(f, scope, r.lineno + 1), True) for r in rets]
        mine = {id(e) for e, _, _ in out}
        for expr, ctx in self._stepped_by(role):
            target = expr.operand if isinstance(expr, ast.UnaryOp) else expr
            named = role_of_name(tail(target)) if isinstance(target, (ast.Name, ast.Attribute)) else None
            if id(target) not in other and id(expr) not in mine and named in {None, role}:
                out.append((expr, ctx, True))
        return out

    def _stepped_by(self, role: str) -> list[tuple[ast.AST, Ctx]]:
        """Losses whose ``backward()`` is followed by a step of ``role``'s optimiser."""
        return [(loss, ctx) for loss, ctx, r in self._backward_then_step if r == role]

    @cached_property
    def _backward_then_step(self) -> list[tuple[ast.AST, Ctx, str]]:
        """(loss, ctx, role of the next optimiser step) for every backward call, in each function's order."""
        out = []
        for f in self.p.files:
            by_scope: dict[str, list] = {}
            for cs in f.calls:
                if cs.callee in {"backward", "manual_backward", "step"}:
                    by_scope.setdefault(cs.scope, []).append(cs.node)
            for scope, calls in by_scope.items():
                calls.sort(key=lambda c: (c.lineno, c.col_offset))
                events: list[tuple[str, object, int]] = []
                for call in calls:
                    loss = _backward_of(call)
                    if loss is not None and self._is_trainer_object(call, Ctx(f, scope, call.lineno)):
                        loss = call.args[0]
                    if loss is not None:
                        if self._negative_gradient(call, Ctx(f, scope, call.lineno)):  # loss.backward(mone)
                            loss = ast.UnaryOp(op=ast.USub(), operand=loss, lineno=call.lineno, col_offset=0)
                        events.append(("backward", loss, call.lineno))
                        continue
                    r = self._step_role(call, Ctx(f, scope, call.lineno))
                    if r is not None:
                        events.append(("step", r, call.lineno))
                for i, (kind, what, line) in enumerate(events):
                    if kind != "backward":
                        continue
                    nxt = next((e for e in events[i + 1 :] if e[0] == "step"), None)
                    if nxt is not None and nxt[1] in {"G", "D"}:
                        out.append((what, Ctx(f, scope, line + 1), nxt[1]))
        return out

    def _is_trainer_object(self, call: ast.Call, ctx: Ctx) -> bool:
        """``acc.backward(loss)`` where ``acc = Accelerator()``: the argument is the loss, not a gradient."""
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "backward" and call.args):
            return False
        for value, vctx in self.t.step(func.value, ctx):
            if isinstance(value, ast.Call):
                name = self.t.canonical(value.func, vctx.f) or tail(value.func) or ""
                if name.rsplit(".", 1)[-1] in _BACKWARD_CLASSES:
                    return True
        return False

    def _negative_gradient(self, call: ast.Call, ctx: Ctx) -> bool:
        """``loss.backward(mone)`` with ``mone = one * -1`` (WGAN code that ascends by a negative gradient)."""
        if not (isinstance(call.func, ast.Attribute) and call.func.attr == "backward" and call.args):
            return False
        return self._sign(call.args[0], ctx, 0) == -1

    def _sign(self, node: ast.AST, ctx: Ctx, depth: int) -> int | None:
        if depth > 8:
            return None
        v = self.t.numbers(node, ctx)
        if v:
            return -1 if all(x < 0 for x in v) else 1 if all(x > 0 for x in v) else None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            s = self._sign(node.operand, ctx, depth + 1)
            return -s if s else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            a, b = self._sign(node.left, ctx, depth + 1), self._sign(node.right, ctx, depth + 1)
            return a * b if a and b else None
        if isinstance(node, ast.Call) and node.args and (tail(node.func) or "") in {"tensor", "Tensor", "FloatTensor"}:
            return self._sign(node.args[0], ctx, depth + 1)
        for sub, sctx in self.t.step(node, ctx):
            return self._sign(sub, sctx, depth + 1)
        return None

    def _step_role(self, call: ast.Call, ctx: Ctx) -> str | None:
        """ "G"/"D" when ``call`` steps G's / D's optimiser ("?" for a step of an unknown optimiser)."""
        if not (isinstance(call.func, ast.Attribute) and call.func.attr == "step"):
            return None
        owner = call.func.value
        if tail(owner) in {"scaler", "scaler_g", "scaler_d"} and call.args:
            owner = call.args[0]
        role = _opt_role(tail(owner))
        if role:
            return role
        for value, _vctx in self.t.step(owner, ctx):
            if isinstance(value, ast.Call):
                for n in ast.walk(value):
                    if isinstance(n, (ast.Name, ast.Attribute)):
                        r = role_of_name(tail(n))
                        if r:
                            return r
        return "?"

    @cached_property
    def g_terms(self) -> list[Term]:
        """Every term of every expression identified as the generator's loss."""
        out: list[Term] = []
        for expr, ctx, pd in self.g_losses:
            out += self.terms(expr, ctx, pd)
        return out

    @cached_property
    def d_terms(self) -> list[Term]:
        """Every term (on fakes) of every expression identified as the discriminator's loss."""
        out: list[Term] = []
        for expr, ctx, pd in self.d_losses:
            out += self.terms(expr, ctx, pd)
        return out


def _label_of(v: float) -> str | None:
    return "one" if v == 1 else "zero" if v == 0 else "soft" if 0 < v < 1.3 else None


def _negate(form: str | None) -> str | None:
    return {"X": "-X", "-X": "X"}.get(form or "")


def _is_loss_name(name: str | None) -> bool:
    return bool(name) and bool(set(name_tokens(name)) & LOSS_TOKENS)


def _scope_role(scope: str) -> str | None:
    """G/D from the enclosing function's name (``generator_step``, ``train_D``)."""
    if not scope:
        return None
    return role_of_name(scope.split(".")[-1])


def _opt_role(name: str | None) -> str | None:
    if not name:
        return None
    role = role_of_name(name)
    if role:
        return role
    toks = name_tokens(name)
    for t in toks:
        if t in _STEP_WORDS:
            return _STEP_WORDS[t]
    return None


_BACKWARD_OWNERS = {"accelerator", "fabric", "engine", "trainer", "autograd", "torch"}
_BACKWARD_CLASSES = {"Accelerator", "Fabric"}  # objects whose .backward(loss) takes the loss


def _calls_in(fn: ast.AST) -> list[ast.Call]:
    """Calls in a function body (or lambda), not inside nested functions or classes."""
    body = [fn.body] if isinstance(fn, ast.Lambda) else list(getattr(fn, "body", []))
    out = []
    stack = list(body)
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)) and n not in body:
            continue
        if isinstance(n, ast.Call):
            out.append(n)
        stack.extend(ast.iter_child_nodes(n))
    return out


def _backward_of(call: ast.Call) -> ast.AST | None:
    """The loss a backward call differentiates: ``loss.backward()``, ``manual_backward(loss)``,
    ``accelerator.backward(loss)``, ``scaler.scale(loss).backward()``, ``torch.autograd.backward(loss)``."""
    func = call.func
    if not isinstance(func, ast.Attribute) and not isinstance(func, ast.Name):
        return None
    name = tail(func)
    if name == "manual_backward" and call.args:
        return call.args[0]
    if name != "backward":
        return None
    if isinstance(func, ast.Attribute):
        owner = func.value
        if isinstance(owner, ast.Name) and owner.id in _BACKWARD_OWNERS:
            return call.args[0] if call.args else None
        if isinstance(owner, ast.Attribute) and owner.attr in {"autograd", "accelerator", "fabric"}:
            return call.args[0] if call.args else None
        if isinstance(owner, ast.Call) and tail(owner.func) == "scale" and owner.args:
            return owner.args[0]
        return owner
    return call.args[0] if call.args else None
