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

# torch.nn names that star imports (``from torch.nn import *``) are assumed to provide.
_NN_STAR = {
    "Module",
    "Sequential",
    "ModuleList",
    "Linear",
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "ReLU",
    "ReLU6",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "SELU",
    "GELU",
    "Tanh",
    "Sigmoid",
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "InstanceNorm2d",
    "LayerNorm",
    "Dropout",
    "Dropout2d",
    "Embedding",
    "Upsample",
    "PixelShuffle",
    "BCELoss",
    "BCEWithLogitsLoss",
    "MSELoss",
    "CrossEntropyLoss",
    "NLLLoss",
    "Flatten",
}
# Methods that return (a view of) the same tensor or module: followed through when unwrapping.
PASSTHROUGH = {
    "to",
    "cuda",
    "cpu",
    "float",
    "double",
    "half",
    "detach",
    "view",
    "view_as",
    "reshape",
    "squeeze",
    "unsqueeze",
    "flatten",
    "contiguous",
    "type",
    "type_as",
    "requires_grad_",
    "clone",
    "permute",
    "train",
    "apply",
    "squeeze_",
    "unsqueeze_",
    "expand",
    "expand_as",
    "repeat",
}
_SUPPRESS = re.compile(r"#\s*ganhacks:\s*ignore(-file)?(?:\[([A-Za-z0-9_, ]*)\])?")
_TOKEN = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+[A-Za-z]*")

G_TOKENS = {"g", "gen", "generator", "netg", "generators"}
D_TOKENS = {"d", "disc", "dis", "discriminator", "critic", "netd", "discriminators"}


def name_tokens(name: str) -> list[str]:
    """Split an identifier into lower-case words: ``netD`` -> [net, d], ``g_loss`` -> [g, loss]."""
    return [t.lower() for t in _TOKEN.findall(name)]


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


@dataclass
class Event:
    """A name gets a value: ``x = expr`` or ``x.fill_(v)`` / ``x.uniform_(a, b)`` (value = the call)."""

    name: str
    line: int
    scope: str
    value: ast.AST
    kind: str  # "assign" | "inplace"


@dataclass
class Builder:
    """Something that builds network layers: an nn.Module class, an nn.Sequential value or a function."""

    name: str
    kind: str  # "class" | "sequential" | "function"
    path: str
    line: int
    ops: list[tuple[str, int]] = field(default_factory=list)  # canonical op name, line
    refs: set[str] = field(default_factory=set)  # local callees (helper blocks, submodule classes)
    bases: list[str] = field(default_factory=list)  # canonical or local base names
    attrs: dict[str, ast.AST] = field(default_factory=dict)  # self.x = value (classes)
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

    # --- names -------------------------------------------------------------------------
    def resolve(self, node: ast.AST) -> str | None:
        """Canonical dotted name of ``node`` when its root is an imported name."""
        if isinstance(node, ast.Name):
            if node.id in self.aliases:
                return self.aliases[node.id]
            if node.id in _NN_STAR and "torch.nn" in self.star:
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
        self.scope.append(node.name)
        qual = self._scope()
        self.generic_visit(node)
        self.scope.pop()
        if fb is not None:
            self.func_builders.pop()
            has_layer = any(_is_layer(op) for op, _ in fb.ops)
            if has_layer and qual in self.returns:
                self.builders.setdefault(node.name, fb)

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
            for el in t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t]:
                n = tail(el) if isinstance(el, (ast.Name, ast.Attribute)) else None
                if n and isinstance(t, (ast.Tuple, ast.List)) and isinstance(node.value, (ast.Tuple, ast.List)):
                    idx = t.elts.index(el)
                    if idx < len(node.value.elts):
                        self._record_assign(n, el, node.value.elts[idx], node)
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
            self.events.append(Event(n, node.lineno, self._scope(), node, "aug"))
        self._visit_with_target(node, n)

    def _record_assign(self, name: str, target: ast.AST, value: ast.AST, stmt: ast.AST) -> None:
        if not name:
            return
        self.identifiers.add(name)
        self.events.append(Event(name, stmt.lineno, self._scope(), value, "assign"))
        if (
            self.cls
            and isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == "self"
        ):
            self.cls[-1].attrs[name] = value
        ctor = self._constructor(value)
        if ctor is None:
            return
        kind, ref = ctor
        if kind == "sequential" and not self.cls:
            b = Builder(name, "sequential", self.path, stmt.lineno, node=ref)
            for sub in ast.walk(ref):
                if isinstance(sub, ast.Call):
                    self._add_op(b, sub)
            self.builders.setdefault(name, b)
        elif kind == "local":
            self.bindings.append((name, ref, stmt.lineno))

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
            n = tail(call.func.value)
            if n and call.func.attr.endswith("_") and call.func.attr not in {"backward"}:
                self.events.append(Event(n, node.lineno, self._scope(), call, "inplace"))
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

    def visit_If(self, node: ast.If) -> None:
        self.ifs.append((node, self._scope()))
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        self.identifiers.add(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.identifiers.add(node.attr)
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        kind = scaling_kind(node)
        if kind and not _draws_random(node):
            self.scalings.append((kind, node.lineno))
        self.generic_visit(node)

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
        self.generic_visit(node)


_RANDOM_CALLS = {
    "rand",
    "randn",
    "rand_like",
    "randn_like",
    "uniform",
    "normal",
    "randint",
    "uniform_",
    "normal_",
    "random",
}


def _draws_random(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and tail(n.func) in _RANDOM_CALLS for n in ast.walk(node))


def scaling_kind(node: ast.BinOp) -> str | None:
    """T01 data scaling: "signed" for ``x*2-1``, ``x/127.5-1``, ``(x-0.5)/0.5``; "unit" for ``x/255``."""
    if isinstance(node.op, ast.Sub) and const_value(node.right) == 1 and isinstance(node.left, ast.BinOp):
        if {const_value(n) for n in ast.walk(node.left)} & {2.0, 127.5}:
            return "signed"
    if isinstance(node.op, ast.Div):
        c = const_value(node.right)
        if (
            isinstance(node.left, ast.BinOp)
            and isinstance(node.left.op, ast.Sub)
            and c in {0.5, 127.5}
            and const_value(node.left.right) == c
        ):
            return "signed"
        if c == 255:
            return "unit"
    return None


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
    )
