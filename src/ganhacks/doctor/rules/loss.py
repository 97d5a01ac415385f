"""The adversarial loss: non-saturating G loss (T02), soft and noisy labels for D (T06)."""

from __future__ import annotations

import ast

from ganhacks.doctor.adversarial import adversarial
from ganhacks.doctor.config import DoctorConfig
from ganhacks.doctor.detect import cite, is_z_name, loss_family, short_name
from ganhacks.doctor.project import Project, canon, has_random
from ganhacks.doctor.rules.registry import rule, verdict
from ganhacks.doctor.source import name_tokens, tail
from ganhacks.doctor.verdict import Evidence, Verdict
from ganhacks.doctor.vocab import LABEL_TOKENS


@rule("T02")
def check_nonsaturating_loss(p: Project, cfg: DoctorConfig) -> Verdict:
    """T02: G minimises -log D(G(z)) (fakes labelled real), not log(1 - D(G(z)))."""
    terms = adversarial(p).g_terms
    saturating = [cite(t.f, t.line) for t in terms if t.kind == "log1mD" and t.sign > 0]
    nonsaturating = [cite(t.f, t.line) for t in terms if t.kind == "logD" and t.sign < 0]
    fix = (
        "train G with BCEWithLogits(D(G(z)), ones) / softplus(-D(G(z))).mean() (ganhacks.tricks.losses.g_nonsaturating)"
    )
    if saturating:
        return verdict(
            "T02", "fail", "G minimises log(1 - D(G(z))): its gradient vanishes while D rejects fakes", fix, saturating
        )
    if nonsaturating:
        return verdict("T02", "pass", "G uses the non-saturating loss (fakes labelled real)", "", nonsaturating)
    fam = loss_family(p)
    critic = [cite(t.f, t.line) for t in terms if t.kind in {"critic", "hinge"}]
    squares = [cite(t.f, t.line) for t in terms if t.kind == "sq"]
    if critic or squares or fam & {"wgan", "hinge"} or fam == {"mse"}:
        which = "least-squares" if (squares and not critic) or fam == {"mse"} else "Wasserstein/hinge critic"
        return verdict(
            "T02", "na", f"the G loss is a {which} loss, not the log loss this tip is about", "", critic + squares
        )
    return verdict(
        "T02", "absent", "no generator loss could be identified", "name it g_loss/errG or use ganhacks.tricks.losses"
    )


def _flip_evidence(p: Project) -> list[Evidence]:
    out = []
    for f in p.files:
        for ev in f.events:
            toks = set(name_tokens(ev.name)) | set(name_tokens(ev.scope.split(".")[-1] if ev.scope else ""))
            if ev.kind != "assign" or not toks & (LABEL_TOKENS | {"flip", "flips", "noisy", "swap", "mask"}):
                continue
            for node in ast.walk(ev.value):
                if isinstance(node, ast.Compare) and any(has_random(x, f) for x in [node.left, *node.comparators]):
                    out.append(cite(f, ev.line))
                    break
        for stmt, _scope in f.subscript_assigns:
            t = stmt.targets[0]
            if isinstance(t, ast.Subscript) and set(name_tokens(tail(t.value) or "")) & LABEL_TOKENS:
                out.append(cite(f, stmt.lineno))
    for cs, f in p.all_calls():
        if short_name(canon(cs.name) or cs.callee or "") in {
            "flip",
            "flip_labels",
            "noisy_labels",
            "two_sided",
            "one_sided",
            "LabelMaker",
        } and (canon(cs.name) or "").startswith("ganhacks.tricks.labels"):
            out.append(cite(f, cs.line))
    return out


@rule("T06")
def check_soft_noisy_labels(p: Project, cfg: DoctorConfig) -> Verdict:
    """T06: D's targets are smoothed (real ~0.9 or 0.7-1.2) and/or occasionally flipped."""
    adv = adversarial(p)
    soft: list[Evidence] = []
    hard: list[Evidence] = []
    for site in adv.loss_sites:
        if site.kind not in {"bce", "mse"} or site.target is None:
            continue
        kinds = adv.label_kinds(*site.target)
        if kinds & {"soft", "noisy"}:
            soft.append(cite(site.f, site.line))
        elif kinds:
            hard.append(cite(site.f, site.line))
    hard += [cite(t.f, t.line) for t in adv.d_terms if t.kind in {"logD", "log1mD"}]  # log losses: hard labels
    for f in p.files:
        for ev in f.events:
            toks = set(name_tokens(ev.name))
            if (
                ev.kind == "assign"
                and toks & LABEL_TOKENS
                and not toks & {"loss", "err", "out", "output", "pred", "gen"}
                and not is_z_name(ev.name)
                and adv.label_kinds(ev.value, p.ctx(f, ev.scope, ev.line)) & {"soft", "noisy"}
            ):
                soft.append(cite(f, ev.line))
    soft += _flip_evidence(p)
    fix = "smooth D's real targets (e.g. 0.9, or uniform 0.7-1.2) and flip a few labels (ganhacks.tricks.labels)"
    if soft:
        return verdict("T06", "pass", "D's labels are soft or noisy", "", soft)
    fam = loss_family(p)
    if not hard and fam & {"wgan", "hinge"}:
        return verdict("T06", "na", "the loss is a Wasserstein/hinge critic: there are no real/fake labels")
    if hard:
        return verdict("T06", "absent", "D is trained on hard 0/1 labels", fix, hard)
    return verdict("T06", "absent", "no smoothed or flipped labels found", fix)
