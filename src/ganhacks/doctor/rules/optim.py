"""Optimisers and watching them: Adam (T09), gradient norms and failure symptoms tracked (T10)."""

from __future__ import annotations

import ast

from ganhacks.doctor.config import DoctorConfig
from ganhacks.doctor.detect import cite, find_ident, loss_family, optimisers, short_name
from ganhacks.doctor.project import Project, canon
from ganhacks.doctor.rules.registry import rule, verdict
from ganhacks.doctor.verdict import Evidence, Verdict
from ganhacks.doctor.vocab import ADAM


@rule("T09")
def check_adam(p: Project, cfg: DoctorConfig) -> Verdict:
    """T09: G (and usually D) is optimised with Adam; SGD for D with Adam for G is also fine."""
    opts = optimisers(p)
    if not opts:
        return verdict("T09", "na", "no torch.optim optimiser constructed in this code")
    critic = "wgan" in loss_family(p)
    has_g = bool(p.models_with("G") or p.calls_of("G"))
    g_opts = [o for o in opts if o[1] == "G"] or (list(opts) if has_g and all(o[1] is None for o in opts) else [])
    if not has_g and not any(o[1] == "D" for o in opts):
        return verdict("T09", "na", "optimisers found, but no generator in this code", "", [o[2] for o in opts])
    bad = [o for o in g_opts if o[0] not in ADAM and not (critic and o[0] == "RMSprop")]
    fix = "use torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))"
    if bad and (any(o[1] == "G" for o in bad) or len(bad) == len(g_opts)):
        return verdict("T09", "fail", f"G is optimised with {bad[0][0]}, not Adam", fix, [o[2] for o in bad])
    kinds = sorted({o[0] for o in opts})
    return verdict("T09", "pass", "optimisers: " + ", ".join(kinds), "", [o[2] for o in opts])


@rule("T10")
def check_track_failures(p: Project, cfg: DoctorConfig) -> Verdict:
    """T10: gradient norms (and D's loss going to 0) are watched during training."""
    ev = []
    for cs, f in p.all_calls():
        short = short_name(canon(cs.name) or cs.callee or "")
        if short in {"clip_grad_norm_", "clip_grad_norm", "grad_norm", "Monitor"} or (
            short in {"norm", "vector_norm"}
            and any(isinstance(n, ast.Attribute) and n.attr == "grad" for n in ast.walk(cs.node))
        ):
            ev.append(cite(f, cs.line))
    for f in p.files:
        if any(v.startswith("ganhacks.monitor") for v in f.aliases.values()):
            ev.append(Evidence(f.path, 1, "imports ganhacks.monitor"))
        for name in f.identifiers:
            if "grad" in name.lower() and "norm" in name.lower():
                f2, line = find_ident(p, [name])
                if f2:
                    ev.append(cite(f2, line))
                break
    if ev:
        return verdict("T10", "pass", "gradient norms or failure symptoms are tracked", "", ev)
    return verdict(
        "T10",
        "absent",
        "losses may be printed, but gradient norms / D-loss collapse are not checked",
        "watch grad norms (>100 is trouble) and D loss -> 0, e.g. with ganhacks.monitor",
    )
