"""Data fed to D: inputs scaled like G's output (T01), real and fake in separate batches (T04),
instance noise on both (T13)."""

from __future__ import annotations

import ast

from ganhacks.doctor.adversarial import adversarial
from ganhacks.doctor.config import DoctorConfig
from ganhacks.doctor.detect import Outputs, cite, data_scaling
from ganhacks.doctor.project import Project, canon
from ganhacks.doctor.rules.registry import rule, verdict
from ganhacks.doctor.source import name_tokens, tail
from ganhacks.doctor.values import Ctx
from ganhacks.doctor.verdict import Verdict
from ganhacks.doctor.vocab import BATCHNORM, RAND_SHORT


@rule("T01")
def check_normalised_inputs(p: Project, cfg: DoctorConfig) -> Verdict:
    """T01: G ends with tanh and the data is scaled to [-1, 1] (same range on both sides)."""
    gens = p.models_with("G")
    if not gens:
        return verdict("T01", "na", "no generator found in this code", "")
    outs = Outputs(p)
    acts = []
    for m in gens:
        act, line = outs.of_model(m)
        owner = p.builders[m.name][1]
        acts.append((m, act, cite(owner, line or m.builder.line)))
    data = data_scaling(p)
    signed = [e for k, e in data if k == "signed"]
    other = [(k, e) for k, e in data if k != "signed"]
    bad = [(m, a, e) for m, a, e in acts if a in {"sigmoid", "relu"}]
    fix = "end G with nn.Tanh() and scale the data to [-1, 1] (e.g. Normalize((0.5,), (0.5,)) or x / 127.5 - 1)"
    if bad:
        m, a, e = bad[0]
        return verdict(
            "T01", "fail", f"{m.name} ends with {a}: its outputs cannot cover [-1, 1]", fix, [e for _, _, e in bad]
        )
    tanh = [(m, e) for m, a, e in acts if a == "tanh"]
    if tanh:
        if other and not signed:
            kind, e = other[0]
            what = "standardised (mean/std)" if kind == "standardised" else "scaled to [0, 1]"
            return verdict(
                "T01",
                "fail",
                f"G ends with tanh but the data is {what}: real and fake ranges differ",
                fix,
                [e] + [t for _, t in tanh],
            )
        return verdict(
            "T01",
            "pass",
            "G ends with tanh" + (" and the data is scaled to [-1, 1]" if signed else ""),
            "",
            [t for _, t in tanh] + signed,
        )
    linear = [(m, e) for m, a, e in acts if a == "linear"]
    if linear and data:
        return verdict(
            "T01",
            "fail",
            f"{linear[0][0].name} has an unbounded (linear) output while the data is bounded",
            fix,
            [e for _, e in linear] + [e for _, e in data],
        )
    return verdict(
        "T01", "absent", "G's last layer is not tanh (or could not be traced)", fix, [e for _, e in linear] + signed
    )


def _mixed_batch(p: Project, node: ast.AST, ctx: Ctx) -> int | None:
    """Line of a ``torch.cat([real, fake])`` (along the batch) that ``node`` holds, else None."""
    adv = adversarial(p)
    todo, seen = [(node, ctx)], 0
    while todo and seen < 12:
        cur, cctx = todo.pop()
        seen += 1
        if isinstance(cur, ast.Call):
            for op, args in p.tracer.op(cur, cctx):
                if op not in {"cat", "concat", "concatenate", "vstack", "row_stack"} or "tensors" not in args:
                    continue
                dim = args.get("dim") or args.get("axis")
                if op in {"cat", "concat", "concatenate"} and dim is not None and p.tracer.number(*dim) != 0:
                    return None
                seq, sctx = args["tensors"]
                elts = seq.elts if isinstance(seq, (ast.List, ast.Tuple)) else []
                fakes = [adv.is_fake(e, sctx) for e in elts]
                return cur.lineno if any(fakes) and not all(fakes) else None
        todo += p.tracer.step(cur, cctx)
    return None


@rule("T04")
def check_separate_batches(p: Project, cfg: DoctorConfig) -> Verdict:
    """T04: D with BatchNorm sees all-real and all-fake mini-batches, never a concatenation."""
    discs = p.models_with("D")
    if not discs:
        return verdict("T04", "na", "no discriminator found in this code")
    bn = [(m, o) for m in discs for o in m.has(*BATCHNORM)]
    if not bn:
        return verdict("T04", "na", "D has no BatchNorm, so mixing real and fake in one batch leaks nothing")
    mixed = []
    for cs, f in p.calls_of("D"):
        if cs.node.args:
            at = _mixed_batch(p, cs.node.args[0], p.ctx(f, cs.scope, cs.line))
            if at:
                mixed += [cite(f, at), cite(f, cs.line)]
    bn_ev = [cite(o[2], o[1]) for _, o in bn]
    fix = "call D(real) and D(fake) separately (or use InstanceNorm/LayerNorm/spectral norm in D)"
    if mixed:
        return verdict(
            "T04", "fail", "a concatenated real+fake batch goes through D, which has BatchNorm", fix, mixed + bn_ev[:1]
        )
    return verdict("T04", "pass", "D has BatchNorm and sees real and fake in separate batches", "", bn_ev[:1])


def _noisy(p: Project, node: ast.AST, ctx: Ctx) -> bool:
    """Whether D's input ``node`` has noise added (``x + sigma * randn_like(x)``, an instance-noise helper).

    Followed through names and wrappers, not into functions that produce the data (a toy sampler
    ``randn(n, 2) * 0.1 + centre`` is the data distribution, not noise on D's input).
    """
    t = p.tracer
    todo, seen = [(node, ctx)], 0
    while todo and seen < 12:
        cur, cctx = todo.pop()
        seen += 1
        if isinstance(cur, ast.BinOp) and isinstance(cur.op, ast.Add):
            left, right = _random(p, cur.left, cctx), _random(p, cur.right, cctx)
            if left != right and not _constant(p, cur.right if left else cur.left, cctx):
                return True
        if isinstance(cur, ast.Call):
            name = tail(cur.func) or ""
            toks = set(name_tokens(name))
            if toks & {"noise", "noisy"} and not toks & {"sample", "z"} or "InstanceNoise" in name:
                return True
            if any("Noise" in i.cls.name for i in t.instances(cur.func, cctx)):
                return True
            if p.call_role(cur, cctx):
                continue
            data_source = not any(t.number(a, cctx) is None for a in cur.args)  # sample_data(128): makes data
            if data_source and any(c.kind in {"func", "method", "lambda"} for c in t.callees(cur.func, cctx)):
                continue
        todo += t.step(cur, cctx)
    return False


def _random(p: Project, node: ast.AST, ctx: Ctx) -> bool:
    """Whether ``node``'s value is drawn at random here (not inside a G/D call or a data function)."""
    model = adversarial(p)._model_call
    return any(
        isinstance(n, ast.Call) and (tail(n.func) or "") in RAND_SHORT | {"normal_", "uniform_", "randn_like"}
        for n, c in p.tracer.reach(node, ctx, stop=model, limit=60)
    )


def _constant(p: Project, node: ast.AST, ctx: Ctx) -> bool:
    if p.tracer.numbers(node, ctx) is not None:
        return True
    return (
        isinstance(node, ast.Call)
        and (tail(node.func) or "") in {"tensor", "Tensor", "FloatTensor", "as_tensor"}
        and bool(node.args)
        and p.tracer.numbers(node.args[0], ctx) is not None
    )


@rule("T13")
def check_instance_noise(p: Project, cfg: DoctorConfig) -> Verdict:
    """T13: noise is added to D's inputs (real and fake alike) and decays over training."""
    noisy = {"real": [], "fake": []}
    plain = {"real": [], "fake": []}
    for cs, f in p.calls_of("D"):
        if not cs.node.args:
            continue
        ctx = p.ctx(f, cs.scope, cs.line)
        side = "fake" if adversarial(p).is_fake(cs.node.args[0], ctx) else "real"
        (noisy if _noisy(p, cs.node.args[0], ctx) else plain)[side].append(cite(f, cs.line))
    for cs, f in p.all_calls():
        if (canon(cs.name) or "").startswith("ganhacks.tricks.noise"):
            noisy["real"].append(cite(f, cs.line))
            noisy["fake"].append(cite(f, cs.line))
    if not noisy["real"] and not noisy["fake"]:
        return verdict(
            "T13",
            "absent",
            "D's inputs are clean",
            "add Gaussian noise to real and fake inputs of D and decay it (ganhacks.tricks.noise.InstanceNoise)",
        )
    fix = "add the same noise to real and fake inputs of D"
    for side, other in (("real", "fake"), ("fake", "real")):
        if noisy[side] and not noisy[other] and plain[other]:
            return verdict(
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
    return verdict("T13", "pass", "instance noise is added to D's inputs" + note, "", noisy["real"] + noisy["fake"])
