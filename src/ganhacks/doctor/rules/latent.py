"""The latent code: z drawn from a Gaussian, not a uniform box (T03)."""

from __future__ import annotations

import ast

from ganhacks.doctor.adversarial import adversarial
from ganhacks.doctor.config import DoctorConfig
from ganhacks.doctor.detect import cite
from ganhacks.doctor.project import Project
from ganhacks.doctor.rules.registry import rule, verdict
from ganhacks.doctor.source import name_tokens, tail
from ganhacks.doctor.values import Ctx
from ganhacks.doctor.verdict import Evidence, Verdict
from ganhacks.doctor.vocab import GAUSSIAN_HELPERS, RANDOM_NORMAL, RANDOM_UNIFORM, Z_TOKENS

# Calls that keep the distribution of their (first) argument: wrappers and conversions.
_WRAPPERS = {
    "Variable",
    "from_numpy",
    "tensor",
    "as_tensor",
    "Tensor",
    "FloatTensor",
    "array",
    "asarray",
    "float32",
    "to",
    "float",
    "double",
    "half",
    "cuda",
    "cpu",
    "view",
    "reshape",
    "detach",
    "requires_grad_",
    "type",
    "type_as",
    "unsqueeze",
    "squeeze",
    "astype",
    "contiguous",
    "clone",
}


def z_kinds(p: Project, node: ast.AST, ctx: Ctx, depth: int = 0) -> list[tuple[str, int]]:
    """How a latent code is drawn: [("gaussian" | "uniform", line)], following names, samplers and wrappers.

    ``x + 0.1 * torch.rand_like(x)`` (noise added to something that is not itself a code) gives
    nothing: only a value that *is* a draw, up to constants and conversions, counts.
    """
    if depth > 14 or ctx.depth > 18:
        return []
    t = p.tracer
    if isinstance(node, ast.Call):
        if p.call_role(node, ctx):
            return []
        name = t.canonical(node.func, ctx.f) or ""
        attr = node.func.attr if isinstance(node.func, ast.Attribute) else ""
        short = name.rsplit(".", 1)[-1] if name else attr or tail(node.func) or ""
        method = "" if name else f"method:{attr}" if attr else ""
        if name in RANDOM_NORMAL or method in RANDOM_NORMAL or short in GAUSSIAN_HELPERS:
            return [("gaussian", node.lineno)]
        if name in RANDOM_UNIFORM or method in RANDOM_UNIFORM:
            return [("uniform", node.lineno)]
        if attr in {"sample", "rsample", "sample_n"} and not name:  # prior.sample((b, nz))
            return z_kinds(p, node.func.value, ctx.deeper(node), depth + 1)
        for c in t.callees(node.func, ctx.deeper(node)):  # partial(torch.rand, ...)(), Tensor = torch.FloatTensor
            if c.kind == "op" and c.name in RANDOM_NORMAL | RANDOM_UNIFORM:
                return [("gaussian" if c.name in RANDOM_NORMAL else "uniform", node.lineno)]
            if c.kind == "op" and c.name.rsplit(".", 1)[-1] in _WRAPPERS and node.args and not method:
                short = c.name.rsplit(".", 1)[-1]
        if short in _WRAPPERS:
            inner = node.args[0] if node.args and not method else node.func.value if method else None
            if inner is not None:
                return z_kinds(p, inner, ctx.deeper(node), depth + 1)
        if (
            short in {"cat", "concat", "stack", "hstack"}
            and node.args
            and isinstance(node.args[0], (ast.List, ast.Tuple))
        ):
            return [k for e in node.args[0].elts for k in z_kinds(p, e, ctx, depth + 1)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        left_const, right_const = t.number(node.left, ctx) is not None, t.number(node.right, ctx) is not None
        if right_const:
            return z_kinds(p, node.left, ctx, depth + 1)
        if left_const:
            return z_kinds(p, node.right, ctx, depth + 1)
        left, right = z_kinds(p, node.left, ctx, depth + 1), z_kinds(p, node.right, ctx, depth + 1)
        kinds = {k for k, _ in left + right}
        return [k for k in left + right if k[0] == "gaussian"] if kinds == {"gaussian"} else []
    out: list[tuple[str, int]] = []
    for sub, sctx in t.step(node, ctx):
        out += z_kinds(p, sub, sctx, depth + 1)
    return out


@rule("T03")
def check_spherical_z(p: Project, cfg: DoctorConfig) -> Verdict:
    """T03: the latent code z is drawn from a Gaussian, not a uniform box."""
    found: list[tuple[str, Evidence]] = []
    for cs, f in p.calls_of("G"):
        if cs.node.args:
            for k, line in z_kinds(p, cs.node.args[0], p.ctx(f, cs.scope, cs.line)):
                found.append((k, cite(f, line or cs.line)))
    if p.models_with("G") or found or adversarial(p).g_losses:  # named codes count only in GAN code
        for f in p.files:
            for ev in f.events:
                toks = set(name_tokens(ev.name))
                if ev.kind == "assign" and toks & Z_TOKENS and not toks & {"loss", "label"}:
                    for k, line in z_kinds(p, ev.value, p.ctx(f, ev.scope, ev.line)):
                        found.append((k, cite(f, line or ev.line)))
    fix = "sample z with torch.randn(batch, nz) (ganhacks.tricks.latent.sample_gaussian); interpolate with slerp"
    unif = [e for k, e in found if k == "uniform"]
    if unif:
        return verdict("T03", "fail", "z is drawn from a uniform distribution", fix, unif)
    if found:
        return verdict("T03", "pass", "z is drawn from a Gaussian", "", [e for _, e in found])
    return verdict("T03", "na", "no latent sampling found (G may be conditioned on an input instead of z)")
