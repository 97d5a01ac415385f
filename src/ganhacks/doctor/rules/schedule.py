"""The update schedule: replayed fakes or checkpoints (T08), no balancing by loss thresholds (T11),
several D steps per G step (T14)."""

from __future__ import annotations

import ast

from ganhacks.doctor.config import DoctorConfig
from ganhacks.doctor.detect import cite, is_loss_name, optimisers, trick_idents
from ganhacks.doctor.project import FileFacts, Project
from ganhacks.doctor.rules.registry import rule, verdict
from ganhacks.doctor.source import name_tokens, role_of_name, tail
from ganhacks.doctor.verdict import Verdict
from ganhacks.doctor.vocab import PASSTHROUGH


@rule("T08")
def check_rl_tricks(p: Project, cfg: DoctorConfig) -> Verdict:
    """T08: a replay buffer of past fakes or a pool of past G/D checkpoints."""
    ev = trick_idents(
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
        return verdict("T08", "pass", "past fakes or checkpoints are replayed to D", "", ev)
    return verdict(
        "T08",
        "absent",
        "no replay buffer or checkpoint pool",
        "optionally show D some past fakes (ganhacks.tricks.replay.ReplayBuffer)",
    )


def _loss_compare(test: ast.AST) -> bool:
    for n in ast.walk(test):
        if isinstance(n, ast.Compare) and isinstance(n.ops[0], (ast.Gt, ast.GtE, ast.Lt, ast.LtE)):
            for side in [n.left, *n.comparators]:
                if any(isinstance(x, (ast.Name, ast.Attribute)) and is_loss_name(tail(x)) for x in ast.walk(side)):
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


def _is_trainer(func: ast.AST) -> bool:
    """``trainer.fit`` / ``pl.Trainer(...).fit``: Lightning runs the training loop."""
    if not isinstance(func, ast.Attribute):
        return False
    owner = func.value
    if isinstance(owner, ast.Call):
        owner = owner.func
    return "trainer" in (tail(owner) or "").lower()


@rule("T11")
def check_no_loss_balancing(p: Project, cfg: DoctorConfig) -> Verdict:
    """T11: no ``while loss_D > A: train D`` style balancing of G and D by loss thresholds."""
    bad = []
    for f in p.files:
        for node, _ in f.loops:
            if isinstance(node, ast.While) and _loss_compare(node.test):
                bad.append(cite(f, node.lineno))
        for node, _ in f.ifs:
            if _loss_compare(node.test) and _trains(node.body):
                bad.append(cite(f, node.lineno))
    fix = "use a fixed schedule (e.g. 1 D step per G step, or n_critic for WGAN) instead of loss thresholds"
    if bad:
        return verdict("T11", "fail", "G/D updates are balanced by loss thresholds", fix, bad)
    steps = [(cs, f) for cs, f in p.all_calls() if cs.callee in {"step", "backward", "manual_backward"} and cs.method]
    steps += [(cs, f) for cs, f in p.all_calls() if cs.callee == "fit" and _is_trainer(cs.node.func)]  # Lightning
    if not steps:
        return verdict("T11", "na", "no training loop found in this code")
    return verdict(
        "T11",
        "pass",
        "the update schedule does not depend on loss thresholds",
        "",
        [cite(steps[0][1], steps[0][0].line)],
    )


def _step_role(call: ast.Call, p: Project) -> str | None:
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "step"):
        return None
    owner = tail(call.func.value)
    role = role_of_name(owner)
    if role:
        return role
    gv = p.global_value(owner or "")
    if gv is not None and isinstance(gv[0], ast.Call):
        for o in optimisers(p):
            if o[3] is gv[0]:
                return o[1]
    return None


def _maybe_helper(call: ast.Call, f: FileFacts) -> bool:
    """A call that may run local code holding optimiser steps (not a library call, not a tensor method)."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id not in f.aliases
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "self"
        and func.attr not in PASSTHROUGH
    )


def _steps_in(body: list[ast.stmt], p: Project, f: FileFacts, scope: str, depth: int = 0) -> set[str]:
    """Roles whose optimiser steps in ``body`` (also inside local helpers it calls: ``self.d_step(x)``)."""
    out: set[str] = set()
    for stmt in body:
        out |= _stmt_steps(stmt, p, f, scope, depth)
    return out


def _stmt_steps(stmt: ast.stmt, p: Project, f: FileFacts, scope: str, depth: int) -> set[str]:
    """The optimiser steps of one statement (memoised: loops nest, their bodies are asked again)."""
    memo = p.memo.setdefault("steps", {})
    key = (id(stmt), depth)
    if key in memo:
        return memo[key]
    out: set[str] = set()
    for n in ast.walk(stmt):
        if not isinstance(n, ast.Call):
            continue
        role = _step_role(n, p)
        if role:
            out.add(role)
        elif depth < 2 and _maybe_helper(n, f) and not p.call_role(n, p.ctx(f, scope, n.lineno)):
            for c in p.tracer.callees(n.func, p.ctx(f, scope, n.lineno)):
                if c.kind in {"func", "method"} and c.node is not None and c.ctx is not None:
                    out |= _steps_in(c.node.body, p, c.ctx.f, c.qual, depth + 1)
    memo[key] = out
    return out


@rule("T14")
def check_more_d_steps(p: Project, cfg: DoctorConfig) -> Verdict:
    """T14: several D (critic) steps per G step, as an explicit n_critic schedule."""
    ev = []
    for f in p.files:
        for node, scope in f.loops:
            if (
                isinstance(node, ast.For)
                and isinstance(node.iter, ast.Call)
                and tail(node.iter.func) == "range"
                and node.iter.args
            ):
                n = node.iter.args[-1] if len(node.iter.args) == 1 else None
                count = p.tracer.number(n, p.ctx(f, scope, node.lineno)) if n is not None else None
                many = (
                    count > 1
                    if count is not None
                    else bool(
                        isinstance(n, (ast.Name, ast.Attribute))
                        and set(name_tokens(tail(n) or "")) & {"critic", "d", "disc", "k", "diters", "citers"}
                    )
                )
                if many and _steps_in(node.body, p, f, scope) == {"D"}:
                    ev.append(cite(f, node.lineno))
        for node, scope in f.ifs:
            mods = [n for n in ast.walk(node.test) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod)]
            if not mods or any(p.tracer.number(m.right, p.ctx(f, scope, node.lineno)) == 1 for m in mods):
                continue
            roles = _steps_in(node.body, p, f, scope)
            if "G" in roles and "D" not in roles:
                ev.append(cite(f, node.lineno))
    if ev:
        return verdict("T14", "pass", "D takes several steps per G step", "", ev)
    return verdict(
        "T14",
        "absent",
        "one D step per G step",
        "optional: try n_critic > 1 D steps per G step (ganhacks.tricks.steps.StepSchedule)",
    )
