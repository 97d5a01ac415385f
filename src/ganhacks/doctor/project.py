"""Merge the facts of several files into one project (models in one file, training in another).

A :class:`Project` holds one unit (files grouped by :func:`ganhacks.doctor.walk.group_units`)
and answers the questions the rules (T01..T17) ask: which builders are G or D, which layers
each uses (through helper blocks and submodules), which calls run D or G, and what value a
label tensor holds at a given line.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cached_property

from ganhacks.doctor.source import (
    Builder,
    CallSite,
    Event,
    FileFacts,
    name_tokens,
    role_of_name,
    tail,
)
from ganhacks.doctor.values import Ctx, Tracer
from ganhacks.doctor.vocab import MODULE_BASES, NN_STAR, NOT_A_MODEL_CALL, PASSTHROUGH, RAND_SHORT
from ganhacks.doctor.walk import module_keys


def call_name(call: ast.Call, facts: FileFacts) -> str | None:
    """Canonical callee of ``call`` or ``method:<attr>`` for a method of a local value."""
    canon = _resolve(call.func, facts)
    if canon:
        return canon
    if isinstance(call.func, ast.Attribute):
        return f"method:{call.func.attr}"
    return None


def _resolve(node: ast.AST, facts: FileFacts) -> str | None:
    if isinstance(node, ast.Name):
        if node.id in facts.aliases:
            return facts.aliases[node.id]
        if "torch.nn" in facts.star and node.id in NN_STAR:
            return f"torch.nn.{node.id}"
        return None
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, facts)
        return f"{base}.{node.attr}" if base else None
    return None


def canon(name: str | None) -> str | None:
    """Normalise ``np.``/``nn.``-style leftovers (``np.random.normal`` -> ``numpy.random.normal``)."""
    if name and name.startswith("np."):
        return "numpy." + name[3:]
    return name


@dataclass
class Model:
    """A builder that is (or is bound to) a generator or discriminator."""

    builder: Builder
    facts: FileFacts
    roles: set[str]
    ops: list[tuple[str, int, FileFacts]] = field(default_factory=list)  # closure over helpers/submodules

    @property
    def name(self) -> str:
        return self.builder.name

    def has(self, *names: str) -> list[tuple[str, int, FileFacts]]:
        """Ops whose canonical name ends with one of ``names`` (``"BatchNorm2d"``, ``"method:relu"``)."""
        return [o for o in self.ops if o[0] in names or o[0].rsplit(".", 1)[-1] in names]


class Project:
    """The merged facts of one unit of files."""

    def __init__(self, files: list[FileFacts]) -> None:
        self.files = files
        self.memo: dict = {}  # results shared between rules (loss calls, loss family)
        self._events: dict[tuple[str, str, str], list[Event]] = {}
        for f in files:
            for ev in f.events:
                self._events.setdefault((f.path, ev.name, ev.scope), []).append(ev)
        self.builders: dict[str, tuple[Builder, FileFacts]] = {}
        for f in files:
            for name, b in f.builders.items():
                self.builders.setdefault(name, (b, f))
        self.bound: dict[str, set[str]] = {}
        for f in files:
            for inst, ctor, _ in f.bindings:
                if ctor in self.builders:
                    self.bound.setdefault(inst, set()).add(ctor)

    @cached_property
    def tracer(self) -> Tracer:
        """Value tracing over this unit's files (see :mod:`ganhacks.doctor.values`)."""
        module_of: dict[str, FileFacts] = {}
        for f in self.files:
            for key in module_keys(f.path):
                module_of.setdefault(key, f)
        return Tracer(self.files, module_of)

    def ctx(self, f: FileFacts, scope: str, line: int) -> Ctx:
        """A tracing context at ``line`` of ``scope`` in ``f``."""
        return Ctx(f, scope, line)

    # --- models ------------------------------------------------------------------------
    def _is_model_class(self, b: Builder, seen: frozenset = frozenset()) -> bool:
        for base in b.bases:
            if base in MODULE_BASES or base.endswith("nn.Module") or base.endswith("LightningModule"):
                return True
            short = base.rsplit(".", 1)[-1]
            if short in self.builders and short not in seen and self.builders[short][0].kind == "class":
                if self._is_model_class(self.builders[short][0], seen | {b.name}):
                    return True
        return False

    def _closure(self, name: str, seen: set[str]) -> list[tuple[str, int, FileFacts]]:
        if name in seen or name not in self.builders:
            return []
        seen.add(name)
        b, f = self.builders[name]
        out = [(op, line, f) for op, line in b.ops]
        for ref in sorted(b.refs):
            for target in {ref} | self.bound.get(ref, set()):
                out += self._closure(target, seen)
        for _attr, value in b.attrs.items():  # self.block = Block(...) resolved through bindings
            if isinstance(value, ast.Call):
                ref = tail(value.func)
                if ref:
                    out += self._closure(ref, seen)
        return out

    @cached_property
    def models(self) -> list[Model]:
        """Builders that are G or D, with their roles and the ops of everything they build."""
        by_builder: dict[str, set[str]] = {}
        for name, (b, _) in self.builders.items():
            if b.kind == "class" and not self._is_model_class(b):
                continue
            role = role_of_name(name)
            by_builder[name] = {role} if role else set()
        for inst, ctors in self.bound.items():
            role = role_of_name(inst)
            for c in ctors:
                if role and c in by_builder:
                    by_builder[c].add(role)
        out = []
        for name, roles in by_builder.items():
            if roles:
                b, f = self.builders[name]
                out.append(Model(b, f, roles, self._closure(name, set())))
        return out

    def models_with(self, role: str) -> list[Model]:
        return [m for m in self.models if role in m.roles]

    # --- calls -------------------------------------------------------------------------
    def callee_role(self, cs: CallSite) -> str | None:
        """``"G"``/``"D"`` when the call runs a generator/discriminator forward (not its constructor)."""
        if (cs.name is not None and not self.tracer.is_local_module(cs.name)) or not cs.callee:
            return None
        b = self.builders.get(cs.callee)
        if b is not None and b[0].kind in {"class", "function"}:
            return None  # constructing, not running
        if set(name_tokens(cs.callee)) & NOT_A_MODEL_CALL:
            return None
        named = role_of_name(cs.callee)
        if named:  # the instance's own name wins over a class shared by G and D (MLP(4, 2), MLP(2, 1))
            return named
        roles = set()
        for ctor in self.bound.get(cs.callee, ()):
            roles |= {r for m in self.models if m.name == ctor for r in m.roles}
        return roles.pop() if len(roles) == 1 else None

    def call_role(self, call: ast.Call, ctx: Ctx) -> str | None:
        """Like :meth:`callee_role` for a call met while tracing (a parameter bound to ``netD`` counts as D)."""
        name = self.tracer.canonical(call.func, ctx.f)
        cs = CallSite(call, name, tail(call.func), False, call.lineno, ctx.scope, None, None)
        role = self.callee_role(cs)
        if role is None and isinstance(call.func, ast.Name) and ctx.env is not None and call.func.id in ctx.env.params:
            bound, bctx = ctx.env.params[call.func.id]
            if isinstance(bound, (ast.Name, ast.Attribute)):
                fake = ast.Call(func=bound, args=[], keywords=[], lineno=call.lineno, col_offset=0)
                return self.call_role(fake, bctx)
        return role

    @cached_property
    def role_calls(self) -> list[tuple[CallSite, FileFacts, str]]:
        out = []
        for f in self.files:
            for cs in f.calls:
                r = self.callee_role(cs)
                if r:
                    out.append((cs, f, r))
        return out

    def calls_of(self, role: str) -> list[tuple[CallSite, FileFacts]]:
        return [(cs, f) for cs, f, r in self.role_calls if r == role]

    def global_value(self, name: str) -> tuple[ast.AST, FileFacts] | None:
        """The last value assigned to ``name`` (or ``self.name``) anywhere in the unit."""
        found = None
        for f in self.files:
            for ev in f.events:
                if ev.name == name and ev.kind == "assign":
                    found = (ev.value, f)
        return found

    def all_calls(self):
        for f in self.files:
            for cs in f.calls:
                yield cs, f

    # --- values ------------------------------------------------------------------------
    def last_event(self, name: str, f: FileFacts, scope: str, line: int) -> Event | None:
        """The latest event on ``name`` before ``line`` in ``scope`` (else at module level)."""
        best = None
        for ev in self._events.get((f.path, name, scope), ()):
            if ev.line <= line and (best is None or ev.line >= best.line):
                best = ev
        if best is None and scope:
            for ev in self._events.get((f.path, name, ""), ()):
                if ev.kind == "assign":
                    best = ev
        return best

    def value_of(self, node: ast.AST, f: FileFacts, scope: str, line: int, depth: int = 0) -> ast.AST:
        """Follow a name to the expression last assigned to it (a few hops)."""
        while isinstance(node, ast.Name) and depth < 6:
            ev = self.last_event(node.id, f, scope, line - (1 if depth == 0 else 0))
            if ev is None or ev.kind != "assign" or ev.value is node:
                break
            node, line, depth = ev.value, ev.line, depth + 1
        return node

    def unwrap(self, node: ast.AST, f: FileFacts) -> ast.AST:
        """Strip ``.to()/.detach()/.view()``, ``Variable(x)``, ``x.fill_(v)`` leftovers around a value."""
        for _ in range(8):
            if isinstance(node, ast.Call):
                name = call_name(node, f) or ""
                if name.endswith("autograd.Variable") or name.endswith("Variable") and node.args:
                    node = node.args[0]
                    continue
                if (
                    isinstance(node.func, ast.Attribute)
                    and node.func.attr in PASSTHROUGH
                    and not _resolve(node.func, f)
                ):
                    node = node.func.value
                    continue
            break
        return node


def _has_random(node: ast.AST, f: FileFacts) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            name = (canon(call_name(sub, f)) or "").rsplit(".", 1)[-1].removeprefix("method:")
            if name in RAND_SHORT or name in {"uniform_", "normal_"}:
                return True
    return False


def has_random(node: ast.AST, f: FileFacts) -> bool:
    """Whether ``node`` draws random numbers (rand, randn, uniform, normal...)."""
    return _has_random(node, f)
