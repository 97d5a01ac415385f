"""Labels and conditions: use the class labels (T12), embed discrete conditions (T16)."""

from __future__ import annotations

import ast

from ganhacks.doctor.adversarial import adversarial
from ganhacks.doctor.config import DoctorConfig
from ganhacks.doctor.detect import cite, short_name
from ganhacks.doctor.project import Project, canon
from ganhacks.doctor.rules.registry import rule, verdict
from ganhacks.doctor.source import name_tokens, tail
from ganhacks.doctor.values import Ctx
from ganhacks.doctor.verdict import Evidence, Verdict
from ganhacks.doctor.vocab import CLASS_TOKENS, LABELLED_DATASETS


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
                out.append(cite(f, node.lineno))
    for cs, f in p.all_calls():
        if short_name(canon(cs.name) or cs.callee or "") in LABELLED_DATASETS:
            out.append(cite(f, cs.line))
    return out


def _class_name(n: ast.AST) -> bool:
    return isinstance(n, (ast.Name, ast.Attribute)) and bool(set(name_tokens(tail(n) or "")) & CLASS_TOKENS)


def _joined_with_labels(p: Project, node: ast.AST, ctx: Ctx) -> bool:
    """D(torch.cat([x, y_map], 1)): label maps joined to D's input along the channels."""
    stop = adversarial(p)._model_call
    for sub, sctx in p.tracer.reach(node, ctx, stop=stop, limit=60):
        if not isinstance(sub, ast.Call):
            continue
        for op, args in p.tracer.op(sub, sctx):
            if op not in {"cat", "concat", "concatenate"} or "tensors" not in args:
                continue
            dim = args.get("dim") or args.get("axis")
            if dim is not None and p.tracer.number(*dim) not in (0.0, None):
                if any(_class_name(n) for n in ast.walk(args["tensors"][0])):
                    return True
    return False


@rule("T12")
def check_use_labels(p: Project, cfg: DoctorConfig) -> Verdict:
    """T12: when the data has labels, D also classifies (AC-GAN) or is conditioned on them."""
    discs = p.models_with("D")
    if not discs:
        return verdict("T12", "na", "no discriminator found in this code")
    ce = [cite(site.f, site.line) for site in adversarial(p).loss_sites if site.kind == "ce"]
    if ce:
        return verdict("T12", "pass", "D also classifies the samples (auxiliary classifier)", "", ce)
    cond = [o for m in discs for o in m.has("Embedding")]
    for cs, f in p.calls_of("D"):  # D(x, labels): conditioned by concatenation or projection
        extra = cs.node.args[1:] + [k.value for k in cs.node.keywords]
        if any(_class_name(n) for a in extra for n in ast.walk(a)) or (
            cs.node.args and _joined_with_labels(p, cs.node.args[0], p.ctx(f, cs.scope, cs.line))
        ):
            cond.append(("call", cs.line, f))
    if cond:
        return verdict("T12", "pass", "D is conditioned on the labels", "", [cite(o[2], o[1]) for o in cond])
    avail = _labels_available(p)
    if avail:
        return verdict(
            "T12",
            "absent",
            "the data has labels but D ignores them",
            "let D also predict the class (ganhacks.tricks.conditional.ACGANHead) or condition it by projection",
            avail,
        )
    return verdict("T12", "na", "no class labels found in the data pipeline")


@rule("T16")
def check_condition_embedding(p: Project, cfg: DoctorConfig) -> Verdict:
    """T16: a discrete condition enters the model through a (low-dimensional) embedding."""
    models = p.models_with("G") + p.models_with("D")
    emb = [o for m in models for o in m.has("Embedding", "ConditionChannels")]
    if emb:
        return verdict("T16", "pass", "the condition enters through nn.Embedding", "", [cite(o[2], o[1]) for o in emb])
    onehot = [
        (cs, f) for cs, f in p.all_calls() if short_name(canon(cs.name) or cs.callee or "") in {"one_hot", "scatter_"}
    ]
    if onehot:
        return verdict(
            "T16",
            "absent",
            "the condition is one-hot encoded, not embedded",
            "use nn.Embedding(n_classes, small_dim) and append it as channels "
            "(ganhacks.tricks.layers.ConditionChannels)",
            [cite(f, cs.line) for cs, f in onehot],
        )
    return verdict("T16", "na", "the model is not conditioned on a discrete variable")
