"""Facts about one Python file, read from its syntax tree (never imported, never executed).

Each file is parsed once into a :class:`FileFacts`: imports resolved to canonical names
(``nn.BatchNorm2d`` -> ``torch.nn.BatchNorm2d``), model builders (``nn.Module`` subclasses,
``nn.Sequential`` values, functions that return layers) with the layers and ops they use,
instance bindings (``netG = Generator()``), every call site with its scope and the name it is
assigned to, and "events" on names (assignments, ``.fill_(v)``) used to follow label tensors.
The doctor rules (one per tip, T01..T17) read these facts; they never walk files themselves.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ganhacks.doctor.vocab import (
    D_TOKENS,
    G_TOKENS,
    NN_STAR,
    NOT_A_MODEL_CALL,
    PASSTHROUGH,
    RANDOM_CALLS,
    TENSOR_MATH,
)

_SUPPRESS = re.compile(r"#\s*ganhacks:\s*ignore(-file)?(?:\[([A-Za-z0-9_, ]*)\])?")
_TOKEN = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+[A-Za-z]*")


@lru_cache(maxsize=8192)
def name_tokens(name: str) -> tuple[str, ...]:
    """Split an identifier into lower-case words: ``netD`` -> [net, d], ``g_loss`` -> [g, loss]."""
    return tuple(t.lower() for t in _TOKEN.findall(name))


@lru_cache(maxsize=8192)
def role_of_name(name: str | None) -> str | None:
    """``"G"``, ``"D"`` or None from an identifier's words (``netG``, ``critic``, ``loss_D``)."""
    if not name:
        return None
    toks = set(name_tokens(name))
    is_g, is_d = bool(toks & G_TOKENS), bool(toks & D_TOKENS)
    if is_g == is_d:  # neither, or both (e.g. "gd_ratio"): unknown
        return None
    return "G" if is_g else "D"


def tail(node: ast.AST | None) -> str | None:
    """The last identifier of a callee or target: ``self.netD`` -> ``netD``; ``D.forward`` -> ``D``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        if node.attr in {"forward", "module"}:
            return tail(node.value)
        return node.attr
    if isinstance(node, ast.Subscript):
        return tail(node.value)
    return None


def const_value(node: ast.AST | None) -> float | None:
    """A numeric literal (``0.9``, ``-1``, ``1.``) as a float, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = const_value(node.operand)
        return None if v is None else -v
    return None


@dataclass
class CallSite:
    """One call in the file."""

    node: ast.Call
    name: str | None  # canonical dotted callee when its root is imported ("torch.nn.BatchNorm2d")
    callee: str | None  # last identifier of the callee ("netD", "relu", "Generator")
    method: bool  # called as an attribute of a non-imported value (x.relu(), netD.parameters())
    line: int
    scope: str  # qualified enclosing function ("" at module level)
    cls: str | None  # enclosing class
    target: str | None  # name the enclosing statement assigns to (g_loss = ...)
    negated: bool = False  # the call sits under a unary minus within its statement


# Where a statement sits inside if/else arms of its function: ((id of the If node, True for its body), ...).
Branch = tuple[tuple[int, bool], ...]


@dataclass
class Event:
    """A name gets a value: ``x = expr`` or ``x.fill_(v)`` / ``x.uniform_(a, b)`` (value = the call)."""

    name: str
    line: int
    scope: str
    value: ast.AST
    kind: str  # "assign" | "inplace" | "aug" | "param" (a function parameter's default)
    branch: Branch = ()  # the if/else arms the statement sits in (within its function)


@dataclass
class AttrDef:
    """``self.name = value`` (or ``self.register_buffer("name", value)``) inside a method of a class."""

    value: ast.AST
    method: str  # the method it is set in ("__init__")
    line: int
    branch: Branch = ()


@dataclass
class Builder:
    """Something that builds network layers: an nn.Module class, an nn.Sequential value or a function."""

    name: str
    kind: str  # "class" | "sequential" | "function" (returns layers) | "forward" (a model as plain tensor math)
    path: str
    line: int
    ops: list[tuple[str, int]] = field(default_factory=list)  # canonical op name, line
    refs: set[str] = field(default_factory=set)  # local callees (helper blocks, submodule classes)
    bases: list[str] = field(default_factory=list)  # canonical or local base names
    attrs: dict[str, ast.AST] = field(default_factory=dict)  # self.x = value (classes): the last one
    attr_defs: dict[str, list[AttrDef]] = field(default_factory=dict)  # every self.x = value, in order
    methods: dict[str, ast.FunctionDef] = field(default_factory=dict)
    node: ast.AST | None = None  # ClassDef, Call (Sequential) or FunctionDef


@dataclass
class FileFacts:
    """Everything the rules need from one file."""

    path: str
    lines: list[str]
    aliases: dict[str, str]
    imports: list[tuple[str, int]]  # (module, relative level) of every import
    calls: list[CallSite]
    builders: dict[str, Builder]
    bindings: list[tuple[str, str, int]]  # (instance name, builder/class name, line)
    events: list[Event]
    loops: list[tuple[ast.AST, str]]  # (For/While node, scope)
    ifs: list[tuple[ast.If, str]]
    returns: dict[str, list[ast.AST]]  # function name -> returned expressions
    identifiers: set[str]  # every identifier and attribute name (for name-based tricks)
    funcdefs: dict[str, ast.FunctionDef]
    suppress: dict[int, set[str]]  # line -> tip ids ({"*"} = all)
    file_ignore: set[str]
    subscript_assigns: list[tuple[ast.Assign, str]]
    star: set[str] = field(default_factory=set)  # modules star-imported (from torch.nn import *)
    scalings: list[tuple[str, int]] = field(default_factory=list)  # ("signed"|"unit", line) data-scaling arithmetic
    scopes: dict[str, ast.FunctionDef] = field(default_factory=dict)  # qualified name -> function ("Cls.forward")
    branch_at: dict[int, Branch] = field(default_factory=dict)  # line -> if/else arms of its statement
    if_nodes: dict[int, ast.If] = field(default_factory=dict)  # id -> If node (to fold a branch's test)
    tree: ast.Module | None = None  # the parsed file (for passes over statement order)

    def snippet(self, line: int) -> str:
        """The stripped source line ``line`` (1-based), shortened to 120 characters."""
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1].strip()[:120]
        return ""


def _suppressions(lines: list[str]) -> tuple[dict[int, set[str]], set[str]]:
    by_line: dict[int, set[str]] = {}
    whole: set[str] = set()
    for i, text in enumerate(lines, 1):
        if "ganhacks" not in text:
            continue
        m = _SUPPRESS.search(text)
        if not m:
            continue
        ids = {s.strip().upper() for s in (m.group(2) or "").split(",") if s.strip()} or {"*"}
        (whole.update(ids) if m.group(1) else by_line.setdefault(i, set()).update(ids))
    return by_line, whole


_VISITORS: dict[type, object] = {  # node type -> the collector's visit_ method (None: generic)
    ast.Constant: lambda self, node: None,  # leaves with nothing to collect
    ast.Load: lambda self, node: None,
    ast.Store: lambda self, node: None,
}


class _Collector(ast.NodeVisitor):
    """One pass over the tree that fills a :class:`FileFacts`."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.aliases: dict[str, str] = {}
        self.star: set[str] = set()
        self.imports: list[tuple[str, int]] = []
        self.calls: list[CallSite] = []
        self.builders: dict[str, Builder] = {}
        self.bindings: list[tuple[str, str, int]] = []
        self.events: list[Event] = []
        self.loops: list[tuple[ast.AST, str]] = []
        self.ifs: list[tuple[ast.If, str]] = []
        self.returns: dict[str, list[ast.AST]] = {}
        self.identifiers: set[str] = set()
        self.funcdefs: dict[str, ast.FunctionDef] = {}
        self.subscript_assigns: list[tuple[ast.Assign, str]] = []
        self.scalings: list[tuple[str, int]] = []
        self.scope: list[str] = []
        self.cls: list[Builder] = []
        self.func_builders: list[Builder] = []
        self.target: str | None = None
        self.neg = 0
        self.scopes: dict[str, ast.FunctionDef] = {}
        self.branch: list[tuple[int, bool]] = []
        self.branch_at: dict[int, Branch] = {}
        self.if_nodes: dict[int, ast.If] = {}
        self.math: list[bool] = []  # per enclosing top-level function: does it compute with tensors?
        self.arith = 0  # depth inside an arithmetic expression (only the outermost one is a data scaling)
        self.consts: dict[str, float] = {}  # module-level NAME = number, bound once (for data scalings)
        self.rebound: set[str] = set()

    def _mark(self, stmt: ast.stmt) -> None:
        """Remember the if/else arms around each line of ``stmt`` (inner statements overwrite later)."""
        here = tuple(self.branch)
        for line in range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1):
            self.branch_at[line] = here

    def generic_visit(self, node: ast.AST) -> None:
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        if isinstance(item, ast.stmt):
                            self._mark(item)
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def visit(self, node: ast.AST):
        method = _VISITORS.get(type(node))
        if method is None:
            method = _VISITORS[type(node)] = getattr(type(self), "visit_" + type(node).__name__, None)
        if method is None:
            return self.generic_visit(node) if node._fields else None
        return method(self, node)

    # --- names -------------------------------------------------------------------------
    def resolve(self, node: ast.AST) -> str | None:
        """Canonical dotted name of ``node`` when its root is an imported name."""
        if isinstance(node, ast.Name):
            if node.id in self.aliases:
                return self.aliases[node.id]
            if node.id in NN_STAR and "torch.nn" in self.star:
                return f"torch.nn.{node.id}"
            return None
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            self.imports.append((a.name, 0))
            if a.asname:
                self.aliases[a.asname] = a.name
            else:
                root = a.name.split(".")[0]
                self.aliases[root] = root

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        mod = node.module or ""
        self.imports.append((mod, node.level or 0))
        for a in node.names:
            if a.name != "*":
                self.imports.append((f"{mod}.{a.name}" if mod else a.name, node.level or 0))
            if a.name == "*":
                self.star.add(mod)
                continue
            self.aliases[a.asname or a.name] = f"{mod}.{a.name}" if mod else a.name

    # --- scopes ------------------------------------------------------------------------
    def _scope(self) -> str:
        return ".".join(self.scope)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        b = Builder(node.name, "class", self.path, node.lineno, node=node)
        b.bases = [self.resolve(x) or tail(x) or "" for x in node.bases]
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                b.methods[item.name] = item  # type: ignore[assignment]
        self.builders[node.name] = b
        self.identifiers.add(node.name)
        self.cls.append(b)
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()
        self.cls.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.identifiers.add(node.name)
        self.funcdefs.setdefault(node.name, node)
        fb = None
        if not self.cls:
            fb = Builder(node.name, "function", self.path, node.lineno, node=node)
            self.func_builders.append(fb)
            self.math.append(False)
        self.scope.append(node.name)
        qual = self._scope()
        self.scopes[qual] = node  # type: ignore[assignment]
        outer, self.branch = self.branch, []
        self._params(node, qual)
        self.generic_visit(node)
        self.branch = outer
        self.scope.pop()
        if fb is not None:
            self.func_builders.pop()
            math = self.math.pop()
            has_layer = any(_is_layer(op) for op, _ in fb.ops)
            if qual not in self.returns or set(name_tokens(node.name)) & NOT_A_MODEL_CALL:
                pass  # a loss, a training step, a sampler: not a model
            elif math and _forward_name(node.name):  # G/D as plain tensor math (layers applied inline too)
                fb.kind = "forward"
                self.builders.setdefault(node.name, fb)
            elif has_layer:  # a factory that builds and returns layers
                self.builders.setdefault(node.name, fb)

    def _params(self, node: ast.FunctionDef, qual: str) -> None:
        """Parameters with defaults become "param" events (their value when no caller is known)."""
        args = node.args
        positional = args.posonlyargs + args.args
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        for a, d in list(zip(positional, defaults)) + list(zip(args.kwonlyargs, args.kw_defaults)):
            self.identifiers.add(a.arg)
            if d is not None:
                self.events.append(Event(a.arg, node.lineno, qual, d, "param"))

    def visit_If(self, node: ast.If) -> None:
        self.ifs.append((node, self._scope()))
        self.if_nodes[id(node)] = node
        self.visit(node.test)
        self.branch.append((id(node), True))
        for stmt in node.body:
            self._mark(stmt)
            self.visit(stmt)
        self.branch[-1] = (id(node), False)
        for stmt in node.orelse:
            self._mark(stmt)
            self.visit(stmt)
        self.branch.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None and self.scope:
            self.returns.setdefault(self._scope(), []).append(node.value)
        self.generic_visit(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.generic_visit(node)

    # --- statements --------------------------------------------------------------------
    def _visit_with_target(self, node: ast.AST, target: str | None) -> None:
        old, oldneg = self.target, self.neg
        self.target, self.neg = target, 0
        self.generic_visit(node)
        self.target, self.neg = old, oldneg

    def visit_Assign(self, node: ast.Assign) -> None:
        names = [tail(t) for t in node.targets if isinstance(t, (ast.Name, ast.Attribute))]
        for t in node.targets:
            if isinstance(t, ast.Subscript):
                self.subscript_assigns.append((node, self._scope()))
            for idx, el in enumerate(t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t]):
                n = tail(el) if isinstance(el, (ast.Name, ast.Attribute)) else None
                if not n or not isinstance(t, (ast.Tuple, ast.List)) or any(isinstance(e, ast.Starred) for e in t.elts):
                    continue
                if isinstance(node.value, (ast.Tuple, ast.List)):
                    if idx < len(node.value.elts):
                        self._record_assign(n, el, node.value.elts[idx], node)
                else:  # a, b = f(x): a is f(x)[0]
                    item = ast.Subscript(value=node.value, slice=ast.Constant(idx), ctx=ast.Load())
                    ast.copy_location(item, node.value)
                    ast.copy_location(item.slice, node.value)
                    self._record_assign(n, el, item, node)
        for t in node.targets:
            if isinstance(t, (ast.Name, ast.Attribute)):
                self._record_assign(tail(t) or "", t, node.value, node)
        self._visit_with_target(node, names[0] if names else None)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None and isinstance(node.target, (ast.Name, ast.Attribute)):
            self._record_assign(tail(node.target) or "", node.target, node.value, node)
        self._visit_with_target(node, tail(node.target))

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        n = tail(node.target)
        if n:
            self.events.append(Event(n, node.lineno, self._scope(), node, "aug", tuple(self.branch)))
        self._visit_with_target(node, n)

    def _record_assign(self, name: str, target: ast.AST, value: ast.AST, stmt: ast.AST) -> None:
        if not name:
            return
        if not self.scope and isinstance(target, ast.Name):
            v = const_value(value)
            if v is None or name in self.consts or name in self.rebound:
                self.consts.pop(name, None)
                self.rebound.add(name)
            else:
                self.consts[name] = v
        self.identifiers.add(name)
        self.events.append(Event(name, stmt.lineno, self._scope(), value, "assign", tuple(self.branch)))
        if (
            self.cls
            and isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == "self"
        ):
            self._attr(name, value, stmt.lineno)
        ctor = self._constructor(value)
        if ctor is None:
            return
        kind, ref = ctor
        if kind == "sequential" and (not self.cls or _container(self.cls[-1])):
            # a model built at module level, or held by a trainer class (plain or a LightningModule)
            b = Builder(name, "sequential", self.path, stmt.lineno, node=ref)
            for sub in ast.walk(ref):
                if isinstance(sub, ast.Call):
                    self._add_op(b, sub)
            self.builders.setdefault(name, b)
        elif kind == "local":
            self.bindings.append((name, ref, stmt.lineno))

    def _attr(self, name: str, value: ast.AST, line: int) -> None:
        b = self.cls[-1]
        b.attrs[name] = value
        method = self.scope[-1] if self.scope and self.scope[-1] != b.name else ""
        b.attr_defs.setdefault(name, []).append(AttrDef(value, method, line, tuple(self.branch)))

    def _constructor(self, value: ast.AST) -> tuple[str, object] | None:
        """What ``value`` constructs: ("sequential", call) or ("local", class/function name)."""
        while isinstance(value, ast.Call):
            canon = self.resolve(value.func)
            if canon in {"torch.nn.Sequential", "torch.nn.ModuleList"}:
                return ("sequential", value)
            if (
                canon in {"torch.nn.DataParallel", "torch.nn.parallel.DistributedDataParallel", "torch.compile"}
                and value.args
            ):
                value = value.args[0]
                continue
            if isinstance(value.func, ast.Attribute) and value.func.attr in PASSTHROUGH and canon is None:
                value = value.func.value
                continue
            if canon is None or not canon.startswith(("torch", "numpy", "np")):
                name = tail(value.func)
                return ("local", name) if name else None
            return None
        return None

    def visit_Expr(self, node: ast.Expr) -> None:
        call = node.value
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
            owner = call.func.value
            while isinstance(owner, ast.Attribute) and owner.attr == "data":  # z.data.normal_() acts on z
                owner = owner.value
            n = tail(owner)
            if n and call.func.attr.endswith("_") and call.func.attr not in {"backward"}:
                self.events.append(Event(n, node.lineno, self._scope(), call, "inplace", tuple(self.branch)))
        self._visit_with_target(node, None)

    def visit_For(self, node: ast.For) -> None:
        self.loops.append((node, self._scope()))
        for el in ast.walk(node.target):
            if isinstance(el, ast.Name):
                self.identifiers.add(el.id)
        self.generic_visit(node)

    visit_AsyncFor = visit_For  # type: ignore[assignment]

    def visit_While(self, node: ast.While) -> None:
        self.loops.append((node, self._scope()))
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        self.identifiers.add(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.identifiers.add(node.attr)
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.MatMult) and self.math:
            self.math[-1] = True
        self._scaling(node)

    def _scaling(self, node: ast.AST) -> None:
        """Record the data scaling of the outermost arithmetic expression, then visit inside it."""
        if self.arith == 0:
            kind = scaling_kind(node, self.consts)
            if kind and not _draws_random(node):
                self.scalings.append((kind, node.lineno))
        self.arith += 1
        self.generic_visit(node) if isinstance(node, ast.BinOp) else self._visit_call(node)
        self.arith -= 1

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.USub):
            self.neg += 1
            self.generic_visit(node)
            self.neg -= 1
        else:
            self.generic_visit(node)

    # --- calls -------------------------------------------------------------------------
    def _add_op(self, b: Builder, call: ast.Call) -> None:
        canon = self.resolve(call.func)
        if canon:
            b.ops.append((canon, call.lineno))
        elif isinstance(call.func, ast.Attribute):
            b.ops.append((f"method:{call.func.attr}", call.lineno))
            if isinstance(call.func.value, ast.Name) and call.func.value.id != "self":
                b.refs.add(call.func.value.id)  # e.g. a helper module used as blocks.down(...)
        elif isinstance(call.func, ast.Name):
            b.refs.add(call.func.id)

    def visit_Call(self, node: ast.Call) -> None:
        if is_arithmetic(node):
            self._scaling(node)
            return
        outer, self.arith = self.arith, 0  # arithmetic inside a call's arguments starts afresh
        self._visit_call(node)
        self.arith = outer

    def _visit_call(self, node: ast.Call) -> None:
        canon = self.resolve(node.func)
        callee = tail(node.func)
        method = isinstance(node.func, ast.Attribute) and canon is None
        self.calls.append(
            CallSite(
                node,
                canon,
                callee,
                method,
                node.lineno,
                self._scope(),
                self.cls[-1].name if self.cls else None,
                self.target,
                self.neg > 0,
            )
        )
        for b in ([self.cls[-1]] if self.cls else []) + self.func_builders[-1:]:
            self._add_op(b, node)
        if self.math and (
            canon
            and canon.startswith("torch.")
            and canon.rsplit(".", 1)[-1] in TENSOR_MATH
            or isinstance(node.func, ast.Call)  # nn.Tanh()(h): a layer applied where it is built
        ):
            self.math[-1] = True
        if (
            self.cls
            and callee == "register_buffer"
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "self"
            and len(node.args) >= 2
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            self._attr(node.args[0].value, node.args[1], node.lineno)
        self.generic_visit(node)


def _draws_random(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and tail(n.func) in RANDOM_CALLS for n in ast.walk(node))


_ARITH_METHODS = {
    "mul": ast.Mult,
    "mul_": ast.Mult,
    "multiply": ast.Mult,
    "div": ast.Div,
    "div_": ast.Div,
    "true_divide": ast.Div,
    "divide": ast.Div,
    "sub": ast.Sub,
    "sub_": ast.Sub,
    "subtract": ast.Sub,
    "add": ast.Add,
    "add_": ast.Add,
}


def is_arithmetic(node: ast.AST) -> bool:
    """A BinOp (+ - * /) or an arithmetic tensor method (``x.mul(2)``, ``x.sub_(1)``)."""
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div))
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _ARITH_METHODS
        and len(node.args) == 1
    )


def affine(node: ast.AST, consts: dict[str, float] | None = None) -> tuple[float, float] | None:
    """``node`` as ``a * x + b`` of one non-constant value x (``(1, 0)`` for x itself), else None.

    ``consts`` gives the values of module constants (``HALF = 127.5``) that may stand for numbers.
    """
    consts = consts or {}

    def num(n: ast.AST) -> float | None:
        v = const_value(n)
        if v is None and isinstance(n, ast.Name):
            v = consts.get(n.id)
        if v is None and isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub) and isinstance(n.operand, ast.Name):
            v = -consts[n.operand.id] if n.operand.id in consts else None
        return v

    if num(node) is not None:
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        left, right = num(node.left), num(node.right)
        if right is not None and left is None:
            inner = affine(node.left, consts)
            return None if inner is None else _apply(inner, type(node.op), right, True)
        if left is not None and right is None:
            inner = affine(node.right, consts)
            return None if inner is None else _apply(inner, type(node.op), left, False)
        return None
    if is_arithmetic(node):
        c = num(node.args[0])
        inner = affine(node.func.value, consts)
        if c is None or inner is None:
            return None
        return _apply(inner, _ARITH_METHODS[node.func.attr], c, True)
    return (1.0, 0.0)


def _apply(ab: tuple[float, float], op: type, c: float, const_right: bool) -> tuple[float, float] | None:
    a, b = ab
    if op is ast.Add:
        return a, b + c
    if op is ast.Sub:
        return (a, b - c) if const_right else (-a, c - b)
    if op is ast.Mult:
        return a * c, b * c
    if op is ast.Div and const_right and c != 0:
        return a / c, b / c
    return None


def scaling_kind(node: ast.AST, consts: dict[str, float] | None = None) -> str | None:
    """T01 data scaling of an arithmetic expression: "signed" when it maps [0, 1] or [0, 255] onto
    [-1, 1] (``x * 2 - 1``, ``x / 127.5 - 1``, ``(x - 0.5) / 0.5``, ``x.mul(2).sub(1)``), "unit" for ``x / 255``."""
    ab = affine(node, consts)
    if ab is None:
        return None
    a, b = ab

    def close(u: float, v: float) -> bool:
        return abs(u - v) <= 1e-6 * max(1.0, abs(v))

    if close(b, -1.0) and (close(a, 2.0) or close(a, 2.0 / 255.0)):
        return "signed"
    if close(a, 1.0 / 255.0) and close(b, 0.0):
        return "unit"
    return None


def _container(cls: Builder) -> bool:
    """Whether a class holds G and D rather than being a network: a plain class or a LightningModule."""
    return not any("Module" in b for b in cls.bases) or any(b.endswith("LightningModule") for b in cls.bases)


def _forward_name(name: str) -> bool:
    """Whether a function's name says it is G or D itself (``generator``, ``D``), not a loss or a step."""
    return role_of_name(name) is not None and not set(name_tokens(name)) & NOT_A_MODEL_CALL


def _is_layer(op: str) -> bool:
    """Whether an op name is a torch.nn layer class (not a loss, not a container helper)."""
    if not op.startswith("torch.nn."):
        return False
    last = op.rsplit(".", 1)[-1]
    return last[:1].isupper() and not last.endswith("Loss") and op.count(".") == 2


def parse_facts(path: str, text: str) -> FileFacts:
    """Parse ``text`` (the content of ``path``) once and collect its facts.

    Raises:
        SyntaxError, ValueError, RecursionError: the text does not parse as Python 3.
    """
    tree = ast.parse(text, filename=path)
    c = _Collector(path)
    c.visit(tree)
    c.branch_at.setdefault(0, ())
    lines = text.splitlines()
    by_line, whole = _suppressions(lines)
    return FileFacts(
        path=path,
        lines=lines,
        aliases=c.aliases,
        imports=c.imports,
        calls=c.calls,
        builders=c.builders,
        bindings=c.bindings,
        events=c.events,
        loops=c.loops,
        ifs=c.ifs,
        returns=c.returns,
        identifiers=c.identifiers,
        funcdefs=c.funcdefs,
        suppress=by_line,
        file_ignore=whole,
        subscript_assigns=c.subscript_assigns,
        star=c.star,
        scalings=c.scalings,
        scopes=c.scopes,
        branch_at=c.branch_at,
        if_nodes=c.if_nodes,
        tree=tree,
    )
