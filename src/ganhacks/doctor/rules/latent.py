"""The latent code: z drawn from a Gaussian, not a uniform box (T03)."""

from __future__ import annotations

import ast

from ganhacks.doctor.config import DoctorConfig
from ganhacks.doctor.detect import cite, qual, short_name
from ganhacks.doctor.project import FileFacts, Project, call_name, canon
from ganhacks.doctor.rules.registry import rule, verdict
from ganhacks.doctor.source import name_tokens
from ganhacks.doctor.verdict import Evidence, Verdict
from ganhacks.doctor.vocab import RANDOM_NORMAL, RANDOM_UNIFORM


def _z_kind(p: Project, node: ast.AST, f: FileFacts, scope: str, line: int, depth: int = 0) -> tuple[str | None, int]:
    """ "gaussian"/"uniform" for a latent-code expression (following names and local samplers)."""
    if depth > 5:
        return None, 0
    kinds = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            name = canon(call_name(sub, f)) or ""
            short = short_name(name)
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
                    k = _z_kind(p, r, ff, qual(ff, fd), r.lineno, depth + 1)
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
                found.append((k, cite(f, line or cs.line)))
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
                    found.append((k, cite(f, line or ev.line)))
    fix = "sample z with torch.randn(batch, nz) (ganhacks.tricks.latent.sample_gaussian); interpolate with slerp"
    unif = [e for k, e in found if k == "uniform"]
    if unif:
        return verdict("T03", "fail", "z is drawn from a uniform distribution", fix, unif)
    if found:
        return verdict("T03", "pass", "z is drawn from a Gaussian", "", [e for _, e in found])
    return verdict("T03", "na", "no latent sampling found (G may be conditioned on an input instead of z)")
