"""The adversarial loss: non-saturating G loss (T02), soft and noisy labels for D (T06)."""

from __future__ import annotations

import ast

from ganhacks.doctor.config import DoctorConfig
from ganhacks.doctor.detect import (
    cite,
    g_loss_exprs,
    is_loss_name,
    is_z_name,
    loss_calls,
    loss_family,
    loss_kind,
    loss_target,
    short_name,
)
from ganhacks.doctor.project import FileFacts, Project, call_name, canon, has_random
from ganhacks.doctor.rules.registry import rule, verdict
from ganhacks.doctor.source import CallSite, const_value, name_tokens, role_of_name, tail
from ganhacks.doctor.verdict import Evidence, Verdict
from ganhacks.doctor.vocab import LABEL_TOKENS


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
            short = short_name(name)
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
            kind = loss_kind(cs, f, p)
            if kind == "mse":
                found.append(("lsgan", cs.line))
            elif kind == "bce":
                tgt = loss_target(cs)
                lab = p.label_kind(tgt, f, cs.scope, cs.line) if tgt is not None else None
                negated = _negated_in(expr, cs.node)
                if lab == "zero" and negated:
                    found.append(("saturating", cs.line))
                elif lab in {"one", "soft"} and not negated:
                    found.append(("nonsaturating", cs.line))
    if not found:
        for node in ast.walk(expr):  # follow names of partial losses one hop (g_loss = g_adv + l1)
            if isinstance(node, ast.Name) and is_loss_name(node.id):
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
    for expr, f, scope, line in g_loss_exprs(p):
        for style, at in _g_loss_style(p, expr, f, scope, line):
            styles.setdefault(style, []).append(cite(f, at or line))
    fix = (
        "train G with BCEWithLogits(D(G(z)), ones) / softplus(-D(G(z))).mean() (ganhacks.tricks.losses.g_nonsaturating)"
    )
    if "saturating" in styles:
        return verdict(
            "T02",
            "fail",
            "G minimises log(1 - D(G(z))): its gradient vanishes while D rejects fakes",
            fix,
            styles["saturating"],
        )
    if "nonsaturating" in styles:
        return verdict(
            "T02", "pass", "G uses the non-saturating loss (fakes labelled real)", "", styles["nonsaturating"]
        )
    fam = loss_family(p)
    if "critic" in styles or "lsgan" in styles or fam & {"wgan", "hinge"} or fam == {"mse"}:
        which = "least-squares" if "lsgan" in styles or fam == {"mse"} else "Wasserstein/hinge critic"
        return verdict(
            "T02",
            "na",
            f"the G loss is a {which} loss, not the log loss this tip is about",
            "",
            styles.get("critic", []) + styles.get("lsgan", []),
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
    soft, hard = [], []
    for cs, f, kind in loss_calls(p):
        if kind not in {"bce", "mse"}:
            continue
        tgt = loss_target(cs)
        lab = p.label_kind(tgt, f, cs.scope, cs.line) if tgt is not None else None
        (soft if lab in {"soft", "noisy"} else hard if lab in {"one", "zero"} else []).append(cite(f, cs.line))
    for f in p.files:
        for ev in f.events:
            toks = set(name_tokens(ev.name))
            if (
                ev.kind == "assign"
                and toks & LABEL_TOKENS
                and not toks & {"loss", "err", "out", "output", "pred", "gen"}
            ):
                lab = p.label_kind(ev.value, f, ev.scope, ev.line)
                if lab in {"soft", "noisy"} and not is_z_name(ev.name):
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
