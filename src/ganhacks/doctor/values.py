"""Value tracing: what an expression stands for, whatever way the code spells it.

The rules ask questions about values: is this z drawn from ``torch.rand``? is this target all
ones? is this the generator's output? A :class:`Tracer` answers them by following the code
statically (it never runs it):

* names to the value they were bound to, in the right scope and if/else arm (a branch whose test
  folds to a constant is chosen; otherwise every arm is a candidate), module constants, names
  imported from another file of the unit, parameters to the argument of an inlined call (or
  their default), ``self.x`` to what a method of its class set it to, ``opt.x`` to an argparse
  default;
* calls to what they return: local functions, lambdas, ``functools.partial`` objects, methods
  (``self.adversarial_loss(...)``), instances of local classes (their ``forward``/``__call__``),
  sampler factories (``make_sampler()(n)``), each with its parameters bound to the arguments;
* constant folding (:meth:`Tracer.fold`): numbers, strings, tuples and lists, their arithmetic
  (``[0.5] * 3``), comparisons and boolean tests, through the names above;
* library calls by what they do (:meth:`Tracer.op`): ``F.binary_cross_entropy``, ``nn.BCELoss()(..)``
  and ``x.sigmoid()`` all come back as one operation name with their arguments by parameter name.

Everything is bounded (depth and visited sets), so odd code ends in "unknown", never a crash.
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass, field

from ganhacks.doctor.source import Builder, Event, FileFacts
from ganhacks.doctor.vocab import NN_STAR, PASSTHROUGH

MAX_DEPTH = 14  # hops followed before giving up (names, calls, attributes)

# The functional name of a torch.nn module class: calling an instance does the same as the function.
MODULE_OPS = {
    "BCELoss": "binary_cross_entropy",
    "BCEWithLogitsLoss": "binary_cross_entropy_with_logits",
    "MSELoss": "mse_loss",
    "L1Loss": "l1_loss",
    "SmoothL1Loss": "smooth_l1_loss",
    "CrossEntropyLoss": "cross_entropy",
    "NLLLoss": "nll_loss",
    "SoftMarginLoss": "soft_margin_loss",
    "Sigmoid": "sigmoid",
    "LogSigmoid": "logsigmoid",
    "Softplus": "softplus",
    "Tanh": "tanh",
    "ReLU": "relu",
    "LeakyReLU": "leaky_relu",
    "Hardtanh": "hardtanh",
}
# Parameter names of the library operations the rules read (positional order).
SIGNATURES = {
    "binary_cross_entropy": ("input", "target", "weight"),
    "binary_cross_entropy_with_logits": ("input", "target", "weight"),
    "mse_loss": ("input", "target"),
    "l1_loss": ("input", "target"),
    "smooth_l1_loss": ("input", "target"),
    "cross_entropy": ("input", "target"),
    "nll_loss": ("input", "target"),
    "soft_margin_loss": ("input", "target"),
    "log": ("input",),
    "log1p": ("input",),
    "log2": ("input",),
    "log10": ("input",),
    "exp": ("input",),
    "sigmoid": ("input",),
    "logsigmoid": ("input",),
    "softplus": ("input", "beta", "threshold"),
    "relu": ("input",),
    "tanh": ("input",),
    "neg": ("input",),
    "mean": ("input", "dim"),
    "sum": ("input", "dim"),
    "clamp": ("input", "min", "max"),
    "clip": ("input", "min", "max"),
    "clamp_min": ("input", "min"),
    "full": ("size", "fill_value"),
    "full_like": ("input", "fill_value"),
    "new_full": ("self", "size", "fill_value"),
    "fill_": ("self", "value"),
    "uniform_": ("self", "from", "to"),
    "normal_": ("self", "mean", "std"),
    "Normalize": ("mean", "std", "inplace"),
    "cat": ("tensors", "dim"),
    "concat": ("tensors", "dim"),
    "concatenate": ("tensors", "axis"),
    "stack": ("tensors", "dim"),
    "vstack": ("tensors",),
    "hstack": ("tensors",),
    "row_stack": ("tensors",),
    "tensor": ("data",),
    "as_tensor": ("data",),
    "Tensor": ("data",),
    "FloatTensor": ("data",),
    "array": ("object",),
    "asarray": ("a",),
    "MinMaxScaler": ("feature_range",),
    "add_argument": ("name",),
}
# Methods whose receiver is the op's first input (``x.log()`` is ``torch.log(x)``).
METHOD_OPS = {
    "log",
    "log1p",
    "log2",
    "log10",
    "exp",
    "sigmoid",
    "tanh",
    "relu",
    "neg",
    "mean",
    "sum",
    "clamp",
    "clip",
    "clamp_min",
    "softplus",
    "logsigmoid",
    "fill_",
    "uniform_",
    "normal_",
    "new_full",
    "abs",
    "pow",
    "sqrt",
}
_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_CMPOPS = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b,
    ast.IsNot: lambda a, b: a is not b,
}
_UNKNOWN = object()  # fold() result for "not a constant" (None is a real constant)


@dataclass(eq=False)
class Env:
    """Bindings of an inlined call: parameters to the caller's argument, and the instance ``self`` is."""

    params: dict[str, tuple[ast.AST, Ctx]] = field(default_factory=dict)
    inst: Instance | None = None


@dataclass(eq=False)
class Instance:
    """An object of a local class: the class and the call that built it (for ``self.x``)."""

    cls: Builder
    f: FileFacts
    ctor: ast.Call | None
    ctx: Ctx | None  # where the constructor was called


@dataclass(frozen=True, eq=False)
class Ctx:
    """Where an expression is evaluated: file, function scope, line, and the bindings of an inlined call."""

    f: FileFacts = field(repr=False)
    scope: str  # qualified enclosing function ("" at module level)
    line: int  # definitions after this line (same scope) are not seen
    env: Env | None = None
    depth: int = 0

    def deeper(self, node: ast.AST | None = None, **changes) -> Ctx:
        line = changes.pop("line", getattr(node, "lineno", self.line) if node is not None else self.line)
        return Ctx(
            changes.pop("f", self.f),
            changes.pop("scope", self.scope),
            line,
            changes.pop("env", self.env),
            self.depth + 1,
        )


@dataclass(frozen=True, eq=False)
class Callee:
    """What a call invokes.

    ``kind`` is one of: "op" (a library function or module instance: ``name`` is its functional
    name, e.g. "binary_cross_entropy"), "func" (a local function), "lambda", "method" (a method of
    a local class, with its instance), "class" (constructing a local class), "unknown".
    """

    kind: str
    name: str = ""  # canonical or functional name ("torch.randn", "binary_cross_entropy")
    node: ast.AST | None = None  # FunctionDef / Lambda / ClassDef
    ctx: Ctx | None = None  # where node is defined (for a lambda: where it was written)
    bound_args: tuple[tuple[ast.AST, Ctx], ...] = ()  # functools.partial positional arguments
    bound_kwargs: tuple[tuple[str, ast.AST, Ctx], ...] = ()  # partial keywords / module constructor kwargs
    inst: Instance | None = None
    qual: str = ""  # qualified scope of a function or method body
    receiver: tuple[ast.AST, Ctx] | None = None  # x of x.log(): the op's first input


class Tracer:
    """Static value tracing over the files of one unit (see the module docstring)."""

    def __init__(self, files: list[FileFacts], module_of: dict[str, FileFacts]) -> None:
        self.files = files
        self.module_of = module_of  # module key ("models", "pkg.nets") -> file of the unit
        self.events: dict[tuple[str, str, str], list[Event]] = {}
        for f in files:
            for ev in f.events:
                self.events.setdefault((f.path, ev.name, ev.scope), []).append(ev)
        self.classes: dict[str, tuple[Builder, FileFacts]] = {}
        self.functions: dict[str, tuple[ast.FunctionDef, FileFacts, str]] = {}
        for f in files:
            for name, b in f.builders.items():
                if b.kind == "class":
                    self.classes.setdefault(name, (b, f))
            for qual, fd in f.scopes.items():
                if "." not in qual:
                    self.functions.setdefault(qual, (fd, f, qual))
        self.argparse = self._argparse_defaults()
        self._callees: dict = {}  # memo: (callee node, env, file, scope, line) -> callees
        self._defs: dict = {}  # memo: (name, env, file, scope, line) -> definitions

    # --- classes -------------------------------------------------------------------------
    def enclosing_class(self, ctx: Ctx) -> tuple[Builder, FileFacts] | None:
        """The class whose method ``ctx`` is in (or the class of the bound instance)."""
        if ctx.env is not None and ctx.env.inst is not None:
            return ctx.env.inst.cls, ctx.env.inst.f
        parts = ctx.scope.split(".")
        for i in range(len(parts) - 1, 0, -1):
            b = ctx.f.builders.get(parts[i - 1])
            if b is not None and b.kind == "class":
                return b, ctx.f
        return None

    # --- names ---------------------------------------------------------------------------
    def defs(self, name: str, ctx: Ctx) -> list[tuple[ast.AST, Ctx]]:
        """The expressions ``name`` may hold at ``ctx`` (empty when unknown)."""
        if ctx.env is not None and name in ctx.env.params:
            return [ctx.env.params[name]]
        key = (name, ctx.env, ctx.f.path, ctx.scope, ctx.line)
        if key not in self._defs:
            self._defs[key] = self._defs_of(name, ctx)
        return self._defs[key]

    def _defs_of(self, name: str, ctx: Ctx) -> list[tuple[ast.AST, Ctx]]:
        scope = ctx.scope
        while True:
            evs = self.events.get((ctx.f.path, name, scope), [])
            if evs:
                same = scope == ctx.scope
                chosen = self._reaching(evs, ctx, same)
                if chosen:
                    env = ctx.env if scope else None  # module-level values do not see a call's parameters
                    return [(ev.value, ctx.deeper(ev.value, scope=scope, line=ev.line, env=env)) for ev in chosen]
            if not scope:
                break
            scope = scope.rsplit(".", 1)[0] if "." in scope else ""
            if scope in ctx.f.builders and ctx.f.builders[scope].kind == "class":  # class bodies do not enclose
                scope = scope.rsplit(".", 1)[0] if "." in scope else ""
        imported = ctx.f.aliases.get(name)
        if imported:
            return self._imported(imported, ctx)
        return []

    def _reaching(self, evs: list[Event], ctx: Ctx, same_scope: bool) -> list[Event]:
        """The events that may give a name its value at ``ctx`` (latest first, through if/else arms)."""
        here = ctx.f.branch_at.get(ctx.line, ()) if same_scope else ()
        cands = [ev for ev in evs if (ev.line < ctx.line or not same_scope or ev.kind == "param")]
        cands.sort(key=lambda ev: (ev.kind != "param", ev.line))
        out: list[Event] = []
        for ev in reversed(cands):
            if not self._arm_possible(ev, ctx):
                continue
            out.append(ev)
            if ev.kind == "param" or (same_scope and here[: len(ev.branch)] == ev.branch) or not ev.branch:
                break
        return out

    def _arm_possible(self, ev: Event, ctx: Ctx) -> bool:
        """False when ``ev`` sits in an if/else arm whose test folds to the other side."""
        for if_id, arm in ev.branch:
            node = ctx.f.if_nodes.get(if_id)
            if node is None:
                continue
            test = self.fold(node.test, ctx.deeper(node.test, line=node.lineno))
            if test is not _UNKNOWN and bool(test) != arm:
                return False
        return True

    def _imported(self, dotted: str, ctx: Ctx) -> list[tuple[ast.AST, Ctx]]:
        """A name imported from another file of the unit: its module-level value, function or class."""
        mod, _, attr = dotted.rpartition(".")
        f = self.module_of.get(mod)
        if f is None or not attr:
            return []
        evs = self.events.get((f.path, attr, ""), [])
        if evs:
            ev = evs[-1]
            return [(ev.value, ctx.deeper(ev.value, f=f, scope="", line=ev.line, env=None))]
        return []

    def local_function(self, dotted_or_name: str, ctx: Ctx) -> tuple[ast.FunctionDef, FileFacts, str] | None:
        """A module-level function of the unit named ``name`` (or imported as ``mod.name``)."""
        mod, _, attr = dotted_or_name.rpartition(".")
        if mod:
            f = self.module_of.get(mod)
            if f is not None and attr in f.scopes:
                return f.scopes[attr], f, attr
            return None
        scope = ctx.scope
        while scope:  # a function nested in the current one
            qual = f"{scope}.{attr}"
            if qual in ctx.f.scopes:
                return ctx.f.scopes[qual], ctx.f, qual
            scope = scope.rpartition(".")[0]
        if attr in ctx.f.scopes:
            return ctx.f.scopes[attr], ctx.f, attr
        return self.functions.get(attr)

    def local_class(self, dotted_or_name: str) -> tuple[Builder, FileFacts] | None:
        """A class of the unit named ``name`` (or imported as ``mod.Name``)."""
        mod, _, attr = dotted_or_name.rpartition(".")
        if mod and mod not in self.module_of:
            return None
        return self.classes.get(attr)

    def attr_defs(self, node: ast.Attribute, ctx: Ctx) -> list[tuple[ast.AST, Ctx]]:
        """What ``self.x`` / ``opt.x`` / ``Config.x`` / ``module.x`` holds at ``ctx``."""
        base = node.value
        if isinstance(base, ast.Name) and base.id == "self":
            found = self.enclosing_class(ctx)
            if found is None:
                return []
            return self._class_attr(found[0], found[1], node.attr, ctx)
        canon = self.canonical(node, ctx.f)
        if canon:
            mod, _, attr = canon.rpartition(".")
            f = self.module_of.get(mod)
            if f is not None:
                evs = self.events.get((f.path, attr, ""), [])
                return (
                    [(evs[-1].value, ctx.deeper(evs[-1].value, f=f, scope="", line=evs[-1].line, env=None))]
                    if evs
                    else []
                )
            return []
        if isinstance(base, ast.Name):
            cls = ctx.f.builders.get(base.id)
            if cls is not None and cls.kind == "class":  # Config.lr
                evs = self.events.get((ctx.f.path, node.attr, base.id), [])
                return [(evs[-1].value, ctx.deeper(evs[-1].value, scope=base.id, line=evs[-1].line))] if evs else []
            for value, vctx in self.defs(base.id, ctx):
                if self._is_parse_args(value, vctx) and node.attr in self.argparse:
                    d, f = self.argparse[node.attr]
                    return [(d, ctx.deeper(d, f=f, scope="", line=d.lineno, env=None))]
        return []

    def _class_attr(self, cls: Builder, f: FileFacts, attr: str, ctx: Ctx, seen: frozenset = frozenset()):
        inst = ctx.env.inst if ctx.env is not None and ctx.env.inst is not None and ctx.env.inst.cls is cls else None
        defs = cls.attr_defs.get(attr, [])
        if defs:
            init_env = self._init_env(inst, cls, f)
            out = []
            for d in reversed(defs):
                scope = f"{cls.name}.{d.method}" if d.method else cls.name
                dctx = Ctx(f, scope, d.line, init_env if d.method == "__init__" else Env(inst=inst), ctx.depth + 1)
                if d.branch and not all(self._test_allows(if_id, arm, dctx) for if_id, arm in d.branch):
                    continue
                out.append((d.value, dctx))
                if not d.branch:
                    break
            return out
        for base in cls.bases:  # inherited attributes
            short = base.rsplit(".", 1)[-1]
            parent = self.classes.get(short)
            if parent is not None and short not in seen:
                found = self._class_attr(parent[0], parent[1], attr, ctx, seen | {cls.name})
                if found:
                    return found
        return []

    def _test_allows(self, if_id: int, arm: bool, ctx: Ctx) -> bool:
        node = ctx.f.if_nodes.get(if_id)
        if node is None:
            return True
        test = self.fold(node.test, ctx)
        return test is _UNKNOWN or bool(test) == arm

    def _init_env(self, inst: Instance | None, cls: Builder, f: FileFacts) -> Env:
        """``__init__``'s parameters bound to the constructor call's arguments (else their defaults)."""
        env = Env(inst=inst)
        init = cls.methods.get("__init__")
        if init is not None and inst is not None and inst.ctor is not None and inst.ctx is not None:
            env.params.update(self.bind(init, inst.ctor, inst.ctx, method=True))
        return env

    def _is_parse_args(self, value: ast.AST, ctx: Ctx) -> bool:
        return (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr
            in {
                "parse_args",
                "parse_known_args",
            }
        )

    def _argparse_defaults(self) -> dict[str, tuple[ast.AST, FileFacts]]:
        """``--n-critic ... default=5`` -> {"n_critic": (5, file)} over the unit."""
        out: dict[str, tuple[ast.AST, FileFacts]] = {}
        for f in self.files:
            for cs in f.calls:
                if cs.callee != "add_argument" or not cs.node.args:
                    continue
                flags = [a.value for a in cs.node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                kw = {k.arg: k.value for k in cs.node.keywords if k.arg}
                if "default" not in kw or not flags:
                    continue
                dest = kw.get("dest")
                if isinstance(dest, ast.Constant) and isinstance(dest.value, str):
                    name = dest.value
                else:
                    longs = [x for x in flags if x.startswith("--")] or flags
                    name = longs[0].lstrip("-").replace("-", "_")
                out.setdefault(name, (kw["default"], f))
        return out

    # --- names of library calls -----------------------------------------------------------
    def canonical(self, node: ast.AST, f: FileFacts) -> str | None:
        """Dotted name of ``node`` when its root is an imported name (``nn.BCELoss`` -> ``torch.nn.BCELoss``)."""
        if isinstance(node, ast.Name):
            if node.id in f.aliases:
                name = f.aliases[node.id]
                return "numpy" + name[2:] if name.startswith("np.") or name == "np" else name
            if node.id in NN_STAR and "torch.nn" in f.star:
                return f"torch.nn.{node.id}"
            return None
        if isinstance(node, ast.Attribute):
            base = self.canonical(node.value, f)
            return f"{base}.{node.attr}" if base else None
        return None

    def is_local_module(self, dotted: str) -> bool:
        mod = dotted.rpartition(".")[0]
        return bool(mod) and mod in self.module_of

    # --- what a call invokes -------------------------------------------------------------
    def callees(self, func: ast.AST, ctx: Ctx) -> list[Callee]:
        """What calling ``func`` (the callee expression) may invoke."""
        if ctx.depth > MAX_DEPTH:
            return []
        key = (id(func), ctx.env, ctx.f.path, ctx.scope, ctx.line)
        if key not in self._callees:
            self._callees[key] = []  # a cycle (f = g; g = f) ends here
            self._callees[key] = self._callees_of(func, ctx)
        return self._callees[key]

    def _callees_of(self, func: ast.AST, ctx: Ctx) -> list[Callee]:
        canon = self.canonical(func, ctx.f)
        if canon and not self.is_local_module(canon):
            if canon in {"functools.partial", "partial"}:
                return []
            return [Callee("op", canon)]
        if canon:  # imported from a file of this unit
            fn = self.local_function(canon, ctx)
            if fn is not None:
                return [Callee("func", fn[2], fn[0], Ctx(fn[1], "", fn[0].lineno), qual=fn[2])]
            cls = self.local_class(canon)
            if cls is not None:
                return [Callee("class", cls[0].name, cls[0].node, Ctx(cls[1], "", cls[0].line))]
            return [Callee("unknown", canon)]
        if isinstance(func, ast.Lambda):
            return [Callee("lambda", "", func, ctx)]
        if isinstance(func, ast.Name):
            defs = self.defs(func.id, ctx)
            if defs:
                return [c for value, vctx in defs for c in self.callable_value(value, vctx)]
            fn = self.local_function(func.id, ctx)
            if fn is not None:
                return [Callee("func", fn[2], fn[0], Ctx(fn[1], "", fn[0].lineno), qual=fn[2])]
            cls = self.local_class(func.id)
            if cls is not None:
                return [Callee("class", cls[0].name, cls[0].node, Ctx(cls[1], "", cls[0].line))]
            return [Callee("unknown", func.id)]
        if isinstance(func, ast.Attribute):
            if isinstance(func.value, ast.Name) and func.value.id == "self":
                found = self.enclosing_class(ctx)
                if found is not None:
                    cls, f = found
                    method = self._method(cls, func.attr)
                    if method is not None:
                        inst = ctx.env.inst if ctx.env is not None else None
                        return [
                            Callee(
                                "method",
                                func.attr,
                                method[0],
                                Ctx(method[1], "", method[0].lineno),
                                inst=inst,
                                qual=f"{method[2]}.{func.attr}",
                            )
                        ]
                    defs = self._class_attr(cls, f, func.attr, ctx)
                    if defs:
                        return [c for value, vctx in defs for c in self.callable_value(value, vctx)]
            receiver = (func.value, ctx)
            out = []
            for inst in self.instances(func.value, ctx):
                method = self._method(inst.cls, func.attr)
                if method is not None:
                    out.append(
                        Callee(
                            "method",
                            func.attr,
                            method[0],
                            Ctx(method[1], "", method[0].lineno),
                            inst=inst,
                            qual=f"{method[2]}.{func.attr}",
                        )
                    )
            if out:
                return out
            return [Callee("op", f"method:{func.attr}", receiver=receiver)]
        if isinstance(func, ast.Call):  # make_sampler()(n), nn.Sigmoid()(x)
            return self.callable_value(func, ctx)
        return []

    def _method(self, cls: Builder, name: str, seen: frozenset = frozenset()):
        if name in cls.methods:
            return cls.methods[name], self.classes.get(cls.name, (cls, None))[1] or self._file_of(cls), cls.name
        for base in cls.bases:
            short = base.rsplit(".", 1)[-1]
            parent = self.classes.get(short)
            if parent is not None and short not in seen:
                found = self._method(parent[0], name, seen | {cls.name})
                if found is not None:
                    return found
        return None

    def _file_of(self, cls: Builder) -> FileFacts:
        return next(f for f in self.files if f.path == cls.path)

    def callable_value(self, value: ast.AST, ctx: Ctx) -> list[Callee]:
        """What calling the *value* ``value`` does (a lambda, a partial, a module instance, a factory's result)."""
        if ctx.depth > MAX_DEPTH:
            return []
        if isinstance(value, ast.Lambda):
            return [Callee("lambda", "", value, ctx)]
        if isinstance(value, (ast.Name, ast.Attribute)):
            if isinstance(value, ast.Attribute) and not (
                isinstance(value.value, ast.Name) and value.value.id == "self"
            ):
                canon = self.canonical(value, ctx.f)
                if canon is None:
                    defs = self.attr_defs(value, ctx)
                    if defs:
                        return [c for v, vctx in defs for c in self.callable_value(v, vctx)]
            return self.callees(value, ctx.deeper(value))
        if isinstance(value, ast.IfExp):
            return self.callable_value(value.body, ctx) + self.callable_value(value.orelse, ctx)
        if not isinstance(value, ast.Call):
            return []
        canon = self.canonical(value.func, ctx.f)
        if canon in {"functools.partial", "partial"} and value.args:
            inner = self.callable_value(value.args[0], ctx.deeper(value))
            bound_args = tuple((a, ctx) for a in value.args[1:])
            bound_kwargs = tuple((k.arg, k.value, ctx) for k in value.keywords if k.arg)
            return [
                Callee(
                    c.kind,
                    c.name,
                    c.node,
                    c.ctx,
                    c.bound_args + bound_args,
                    c.bound_kwargs + bound_kwargs,
                    c.inst,
                    c.qual,
                    c.receiver,
                )
                for c in inner
            ]
        if canon and not self.is_local_module(canon):
            short = canon.rsplit(".", 1)[-1]
            if short in MODULE_OPS and canon.startswith("torch.nn"):  # nn.BCELoss(...) object -> binary_cross_entropy
                kwargs = tuple((k.arg, k.value, ctx) for k in value.keywords if k.arg)
                return [Callee("op", MODULE_OPS[short], bound_kwargs=kwargs)]
            if short[:1].isupper():  # calling an object of a library class (nn.Linear(...)(x))
                return [Callee("op", f"instance:{canon}")]
            return []
        out = []
        for c in self.callees(value.func, ctx.deeper(value)):
            if c.kind == "class":  # calling an instance of a local class runs its forward / __call__
                inst = Instance(self.classes[c.name][0], self.classes[c.name][1], value, ctx)
                for m in ("forward", "__call__"):
                    method = self._method(inst.cls, m)
                    if method is not None:
                        out.append(
                            Callee(
                                "method",
                                m,
                                method[0],
                                Ctx(method[1], "", method[0].lineno),
                                inst=inst,
                                qual=f"{method[2]}.{m}",
                            )
                        )
                        break
            elif c.kind in {"func", "lambda", "method"}:  # a factory: what it returns is what gets called
                for ret, rctx in self.returns_of(c, value, ctx):
                    out += self.callable_value(ret, rctx)
        return out

    def instances(self, node: ast.AST, ctx: Ctx) -> list[Instance]:
        """Local-class objects ``node`` may be (``criterion = GANLoss()`` -> an Instance of GANLoss)."""
        if ctx.depth > MAX_DEPTH:
            return []
        out = []
        if isinstance(node, ast.Name):
            for value, vctx in self.defs(node.id, ctx):
                out += self.instances(value, vctx)
        elif isinstance(node, ast.Attribute):
            defs = (
                self.attr_defs(node, ctx)
                if not (isinstance(node.value, ast.Name) and node.value.id == "self")
                else self.attr_defs(node, ctx)
            )
            for value, vctx in defs:
                out += self.instances(value, vctx)
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr in PASSTHROUGH:
                return self.instances(node.func.value, ctx.deeper(node))
            for c in self.callees(node.func, ctx.deeper(node)):
                if c.kind == "class" and c.name in self.classes:
                    cls, f = self.classes[c.name]
                    out.append(Instance(cls, f, node, ctx))
        return out

    # --- inlining ------------------------------------------------------------------------
    def bind(
        self,
        fn: ast.FunctionDef | ast.Lambda,
        call: ast.Call | None,
        ctx: Ctx,
        method: bool = False,
        bound_args=(),
        bound_kwargs=(),
    ) -> dict[str, tuple[ast.AST, Ctx]]:
        """Parameters of ``fn`` -> the call's arguments (partial-bound ones first), else their defaults."""
        args = fn.args
        params = [a.arg for a in args.posonlyargs + args.args]
        if method and params and params[0] in {"self", "cls"}:
            params = params[1:]
        out: dict[str, tuple[ast.AST, Ctx]] = {}
        positional = list(bound_args) + [(a, ctx) for a in (call.args if call is not None else [])]
        for name, (a, actx) in zip(params, positional):
            if isinstance(a, ast.Starred):
                break
            out[name] = (a, actx)
        for k, v, kctx in bound_kwargs:
            out[k] = (v, kctx)
        for k in call.keywords if call is not None else []:
            if k.arg:
                out[k.arg] = (k.value, ctx)
        return out

    def returns_of(self, c: Callee, call: ast.Call | None, ctx: Ctx) -> list[tuple[ast.AST, Ctx]]:
        """The expressions a local function / lambda / method returns, with its parameters bound."""
        if ctx.depth > MAX_DEPTH or c.node is None or c.ctx is None:
            return []
        if c.kind == "lambda":
            lam = c.node
            env = Env(
                self.bind(lam, call, ctx, bound_args=c.bound_args, bound_kwargs=c.bound_kwargs),
                c.ctx.env.inst if c.ctx.env else None,
            )
            if c.ctx.env is not None:  # closure over the enclosing inlined call
                env.params = {**c.ctx.env.params, **env.params}
            return [(lam.body, Ctx(c.ctx.f, c.ctx.scope, lam.lineno, env, ctx.depth + 1))]
        fn = c.node
        f = c.ctx.f
        env = Env(
            self.bind(fn, call, ctx, method=c.kind == "method", bound_args=c.bound_args, bound_kwargs=c.bound_kwargs),
            c.inst,
        )
        qual = c.qual or fn.name
        out = []
        for r in sorted(f.returns.get(qual, []), key=lambda r: r.lineno):
            rctx = Ctx(f, qual, r.lineno + 1, env, ctx.depth + 1)
            taken = [self._arm_state(if_id, arm, rctx) for if_id, arm in f.branch_at.get(r.lineno, ())]
            if False in taken:
                continue  # in an if/else arm that cannot run with these arguments
            out.append((r, rctx))
            if all(taken):
                break  # this return always runs: later ones are unreachable
        return out

    def _arm_state(self, if_id: int, arm: bool, ctx: Ctx) -> bool | None:
        """True when the if/else arm is taken for sure, False when it cannot be, None when unknown."""
        node = ctx.f.if_nodes.get(if_id)
        test = self.fold(node.test, ctx) if node is not None else _UNKNOWN
        if test is _UNKNOWN:
            return None
        return bool(test) == arm

    def inline(self, call: ast.Call, ctx: Ctx) -> list[tuple[ast.AST, Ctx]]:
        """What a call to local code returns (empty for library calls or unknown callees)."""
        out = []
        for c in self.callees(call.func, ctx.deeper(call)):
            if c.kind in {"func", "lambda", "method"}:
                out += self.returns_of(c, call, ctx)
            elif c.kind == "class":
                pass  # constructing: the value is the instance itself
        return out

    # --- one hop -------------------------------------------------------------------------
    def step(self, node: ast.AST, ctx: Ctx) -> list[tuple[ast.AST, Ctx]]:
        """What ``node`` stands for, one hop further (names, attributes, calls of local code, wrappers).

        Returns [] when ``node`` is primitive (a constant, a library call) or cannot be followed.
        """
        if ctx.depth > MAX_DEPTH:
            return []
        if isinstance(node, ast.Name):
            return self.defs(node.id, ctx)
        if isinstance(node, ast.Attribute):
            if self.canonical(node, ctx.f) and not self.is_local_module(self.canonical(node, ctx.f) or ""):
                return []
            return self.attr_defs(node, ctx)
        if isinstance(node, ast.Call):
            if (
                isinstance(node.func, ast.Attribute)
                and node.func.attr in PASSTHROUGH
                and not self.canonical(node.func, ctx.f)
            ):
                return [(node.func.value, ctx.deeper(node))]
            name = self.canonical(node.func, ctx.f) or ""
            if name.endswith("Variable") and node.args:
                return [(node.args[0], ctx.deeper(node))]
            return self.inline(node, ctx)
        if isinstance(node, ast.IfExp):
            test = self.fold(node.test, ctx)
            if test is _UNKNOWN:
                return [(node.body, ctx), (node.orelse, ctx)]
            return [(node.body if test else node.orelse, ctx)]
        if isinstance(node, ast.NamedExpr):
            return [(node.value, ctx)]
        if isinstance(node, ast.Subscript):  # (a, b)[0] after following the value
            idx = self.fold(node.slice, ctx)
            if isinstance(idx, int) and not isinstance(idx, bool):
                out = []
                for value, vctx in [(node.value, ctx)] + self.step(node.value, ctx):
                    if isinstance(value, (ast.Tuple, ast.List)) and -len(value.elts) <= idx < len(value.elts):
                        out.append((value.elts[idx], vctx))
                return out
        return []

    def op(self, call: ast.Call, ctx: Ctx) -> list[tuple[str, dict[str, tuple[ast.AST, Ctx]]]]:
        """Library operations a call performs: (functional short name, arguments by parameter name).

        ``F.binary_cross_entropy(p, t)``, ``nn.BCELoss()(p, t)``, ``criterion(p, t)`` with
        ``criterion = nn.BCELoss()`` and ``partial(F.binary_cross_entropy, ...)(p, t)`` all give
        ("binary_cross_entropy", {"input": p, "target": t}); ``x.log()`` gives ("log", {"input": x}).
        """
        out = []
        for c in self.callees(call.func, ctx.deeper(call)):
            if c.kind != "op":
                continue
            short = c.name.removeprefix("instance:").rsplit(".", 1)[-1].removeprefix("method:")
            if c.name.startswith("method:"):
                if short not in METHOD_OPS:
                    out.append((short, {}))
                    continue
                args = [c.receiver] if c.receiver is not None else []
            else:
                args = []
            args = list(c.bound_args) + args + [(a, ctx) for a in call.args]
            names = SIGNATURES.get(short, ("input",))
            bound: dict[str, tuple[ast.AST, Ctx]] = {}
            for pname, a in zip(names, args):
                bound[pname] = a
            for k, v, kctx in c.bound_kwargs:
                bound.setdefault(k, (v, kctx))
            for k in call.keywords:
                if k.arg:
                    bound[k.arg] = (k.value, ctx)
            out.append((short, bound))
        return out

    # --- constants -----------------------------------------------------------------------
    def fold(self, node: ast.AST | None, ctx: Ctx):
        """The constant value of ``node`` (numbers, strings, bools, None, tuples/lists), else UNKNOWN."""
        if node is None or ctx.depth > MAX_DEPTH:
            return _UNKNOWN
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.Tuple, ast.List)):
            vals = [self.fold(e, ctx) for e in node.elts]
            if any(v is _UNKNOWN for v in vals):
                return _UNKNOWN
            return tuple(vals) if isinstance(node, ast.Tuple) else list(vals)
        if isinstance(node, ast.UnaryOp):
            v = self.fold(node.operand, ctx)
            if v is _UNKNOWN:
                return _UNKNOWN
            try:
                if isinstance(node.op, ast.USub):
                    return -v
                if isinstance(node.op, ast.UAdd):
                    return +v
                if isinstance(node.op, ast.Not):
                    return not v
            except TypeError:
                return _UNKNOWN
            return _UNKNOWN
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            a, b = self.fold(node.left, ctx), self.fold(node.right, ctx)
            if a is _UNKNOWN or b is _UNKNOWN:
                return _UNKNOWN
            try:
                out = _BINOPS[type(node.op)](a, b)
            except (TypeError, ZeroDivisionError, ValueError, OverflowError):
                return _UNKNOWN
            return out if not isinstance(out, (list, tuple, str)) or len(out) <= 4096 else _UNKNOWN
        if isinstance(node, ast.BoolOp):
            vals = [self.fold(v, ctx) for v in node.values]
            if isinstance(node.op, ast.And):
                for v in vals:
                    if v is _UNKNOWN:
                        return _UNKNOWN
                    if not v:
                        return v
                return vals[-1]
            for v in vals:
                if v is _UNKNOWN:
                    return _UNKNOWN
                if v:
                    return v
            return vals[-1]
        if isinstance(node, ast.Compare):
            left = self.fold(node.left, ctx)
            for op, right_node in zip(node.ops, node.comparators):
                right = self.fold(right_node, ctx)
                if left is _UNKNOWN or right is _UNKNOWN or type(op) not in _CMPOPS:
                    return _UNKNOWN
                try:
                    if not _CMPOPS[type(op)](left, right):
                        return False
                except TypeError:
                    return _UNKNOWN
                left = right
            return True
        if isinstance(node, (ast.Name, ast.Attribute, ast.IfExp)):
            vals = {repr(v): v for v in (self.fold(v, vctx) for v, vctx in self.step(node, ctx))}
            if len(vals) != 1 or _UNKNOWN in vals.values():
                return _UNKNOWN
            return next(iter(vals.values()))
        return _UNKNOWN

    def number(self, node: ast.AST | None, ctx: Ctx) -> float | None:
        """A folded int/float constant as float, else None."""
        v = self.fold(node, ctx)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return None
        return float(v)

    def numbers(self, node: ast.AST | None, ctx: Ctx) -> list[float] | None:
        """A folded number or sequence of numbers as a list of floats, else None."""
        v = self.fold(node, ctx)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return [float(v)]
        if (
            isinstance(v, (list, tuple))
            and v
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)
        ):
            return [float(x) for x in v]
        return None

    def is_param(self, name: str, ctx: Ctx) -> bool:
        """Whether ``name`` is a parameter of the function ``ctx`` is in."""
        fn = ctx.f.scopes.get(ctx.scope)
        if fn is None:
            return False
        a = fn.args
        return name in {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs}

    # --- reachability --------------------------------------------------------------------
    def reach(self, node: ast.AST, ctx: Ctx, stop=None, limit: int = 400):
        """Every (sub-expression, ctx) ``node``'s value is computed from, through names and local code.

        Walks sub-expressions; names, ``self.x`` and calls of local code are followed to their
        definitions / returns. Library calls are yielded with their arguments walked too. A node
        for which ``stop(node, ctx)`` is true is yielded but not looked into (e.g. a G or D call).
        """
        stack = [(node, ctx)]
        seen: set[tuple[int, int]] = set()
        n = 0
        while stack and n < limit:
            cur, cctx = stack.pop()
            key = (id(cur), cctx.env)
            if key in seen or cctx.depth > MAX_DEPTH:
                continue
            seen.add(key)
            n += 1
            yield cur, cctx
            if stop is not None and stop(cur, cctx):
                continue
            nxt = self.step(cur, cctx)
            for sub, sctx in nxt:
                stack.append((sub, sctx))
            if isinstance(cur, (ast.Lambda, ast.FunctionDef)):
                continue
            for child in ast.iter_child_nodes(cur):
                if isinstance(child, (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)):
                    continue
                if isinstance(cur, ast.Call) and child is cur.func:
                    if isinstance(child, ast.Attribute) and not self.canonical(child, cctx.f):
                        stack.append((child.value, cctx))  # the receiver of a method call (dist.sample())
                    if isinstance(child, (ast.Name, ast.Attribute)):
                        continue  # the callee itself is followed by step(), not as a value
                stack.append((child, cctx))
            if isinstance(cur, ast.Name):  # x.fill_(v) / x.uniform_() / x.data.normal_() after x = ...
                for ev in self.events.get((cctx.f.path, cur.id, cctx.scope), []):
                    if ev.kind in {"inplace", "aug"} and ev.line < cctx.line:
                        stack.append((ev.value, cctx.deeper(ev.value, line=ev.line)))
