"""Semantics-preserving rewrites of GAN scripts, written with libcst, for metamorphic tests of the doctor.

Each rewrite takes a script's source and returns the rewritten source (or, for ``split_files``, a
dict of file name -> source), or None when it does not apply to that script. A rewrite changes how
the code is *spelled*, never what it computes, so every verdict of the doctor must stay the same:

* ``rename``: identifiers the doctor has no business reading get opaque names (``criterion`` ->
  ``v3``); identifiers whose words carry a role (``netG``, ``g_loss``, ``z``, ``labels``) get a suffix;
* ``extract_helper``: each assignment computed in a training loop moves into a module-level helper
  whose parameters are the loop's local values (``loss_G = _h3(D, G, z, eps)``);
* ``inline_helper``: calls of one-line local helpers (``def f(a): return expr``) are replaced by the
  expression with the arguments substituted;
* ``functional_to_module`` / ``module_to_functional``: ``F.relu(x)`` <-> ``nn.ReLU()(x)``,
  ``F.binary_cross_entropy(p, t)`` <-> ``nn.BCELoss()(p, t)``, ``torch.tanh(x)`` <-> ``nn.Tanh()(x)``;
* ``add_eps`` / ``add_clamp``: an epsilon or a clamp inside every log and probability BCE;
* ``split_files``: the classes and helpers that do not read run-time globals move to ``models.py``,
  imported by the training script;
* ``reorder``: adjacent independent assignments swap places;
* ``sequential_to_forward``: ``nn.Sequential(a, b, c)`` becomes explicit layers called in a forward.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable

import libcst as cst

from ganhacks.doctor import vocab
from ganhacks.doctor.source import name_tokens

# Words the doctor may read in an identifier (roles, losses, labels, codes, tricks): kept, with a suffix.
ROLE_WORDS = (
    vocab.G_TOKENS
    | vocab.D_TOKENS
    | vocab.LOSS_TOKENS
    | vocab.LABEL_TOKENS
    | vocab.Z_TOKENS
    | vocab.FAKE_TOKENS
    | vocab.CLASS_TOKENS
    | {
        "noise",
        "noisy",
        "real",
        "replay",
        "snapshot",
        "snapshots",
        "experience",
        "pool",
        "history",
        "buffer",
        "minibatch",
        "mbstd",
        "std",
        "stddev",
        "sigma",
        "flip",
        "flips",
        "swap",
        "mask",
        "critic",
        "k",
        "diters",
        "citers",
        "grad",
        "norm",
        "reparameterize",
        "reparametrize",
        "reparam",
        "logvar",
        "kld",
        "kl",
        "epoch",
        "epochs",
        "step",
        "steps",
        "iter",
        "iteration",
        "it",
        "progress",
        "scale",
        "discrimination",
        "instance",
        "opt",
        "optimizer",
        "optimiser",
        "optim",
        "solver",
        "netg",
        "netd",
        "net",
        "loader",
        "dataloader",
        "data",
        "dataset",
        "dl",
        "train",
        "batches",
        "forward",
        "eval",
    }
)
_BUILTINS = set(dir(builtins)) | {"self", "cls", "__name__", "__file__"}

# functional name -> (torch.nn module class) for the functional <-> module rewrites.
_F_TO_MODULE = {
    "relu": "ReLU",
    "leaky_relu": "LeakyReLU",
    "tanh": "Tanh",
    "sigmoid": "Sigmoid",
    "softplus": "Softplus",
    "logsigmoid": "LogSigmoid",
    "elu": "ELU",
    "binary_cross_entropy": "BCELoss",
    "binary_cross_entropy_with_logits": "BCEWithLogitsLoss",
    "mse_loss": "MSELoss",
    "l1_loss": "L1Loss",
    "cross_entropy": "CrossEntropyLoss",
}
_MODULE_TO_F = {v: k for k, v in _F_TO_MODULE.items()}
_NN, _F = "_mm_nn", "_mm_F"  # fresh import aliases added by the layer rewrites
_EQ = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


# --- helpers ------------------------------------------------------------------------------
def _code(module: cst.Module) -> str:
    return module.code


def _dotted(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


class _Imports(cst.CSTVisitor):
    """Alias -> dotted module/name for every import of a module."""

    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}

    def visit_Import(self, node: cst.Import) -> None:
        for a in node.names:
            full = _dotted(a.name) or ""
            if a.asname is not None:
                self.aliases[a.asname.name.value] = full
            else:
                self.aliases[full.split(".")[0]] = full.split(".")[0]

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        mod = _dotted(node.module) if node.module is not None else ""
        for a in node.names:
            name = _dotted(a.name) or ""
            alias = a.asname.name.value if a.asname is not None else name
            self.aliases[alias] = f"{mod}.{name}" if mod else name


def imports_of(module: cst.Module) -> dict[str, str]:
    v = _Imports()
    module.visit(v)
    return v.aliases


class _Names(cst.CSTVisitor):
    """Every Name in a node, and the names it binds (assignment targets, defs, params, loop targets)."""

    def __init__(self) -> None:
        self.loads: set[str] = set()
        self.stores: set[str] = set()
        self.defs: set[str] = set()
        self.params: set[str] = set()
        self.keywords: set[str] = set()
        self.inplace = False
        self.in_class: list[bool] = []  # True at a class body, False in a function body

    def visit_Name(self, node: cst.Name) -> None:
        self.loads.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)  # x.attr reads x, not a variable named attr
        return False

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._store(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._store(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._store(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._store(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._store(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._store(node.asname.name)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not self.in_class:  # methods keep their names: forward, training_step... are a protocol
            self.defs.add(node.name.value)
        self.in_class.append(False)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.in_class.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.defs.add(node.name.value)
        self.in_class.append(True)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.in_class.pop()

    def visit_Param(self, node: cst.Param) -> None:
        self.params.add(node.name.value)

    def visit_Arg(self, node: cst.Arg) -> bool:
        if node.keyword is not None:
            self.keywords.add(node.keyword.value)
        node.value.visit(self)
        return False

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and (
            node.func.attr.value.endswith("_") or node.func.attr.value in {"append", "extend", "step", "backward"}
        ):
            self.inplace = True

    def _store(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.stores.add(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for el in target.elements:
                self._store(el.value)
        elif isinstance(target, cst.StarredElement):
            self._store(target.value)


def names_of(node: cst.CSTNode) -> _Names:
    v = _Names()
    node.visit(v)
    return v


# --- rename -------------------------------------------------------------------------------
class _Rename(cst.CSTTransformer):
    def __init__(self, mapping: dict[str, str], local_callables: set[str]) -> None:
        self.mapping = mapping
        self.local_callables = local_callables
        self.stack: list[bool] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.stack.append(True)

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.stack.pop()
        return updated

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.stack.append(False)

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        self.stack.pop()
        if self.stack and self.stack[-1]:  # a method: the name is part of a protocol (forward)
            return updated.with_changes(name=original.name)
        return updated

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        new = self.mapping.get(updated.value)
        return updated.with_changes(value=new) if new else updated

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        # x.attr: the attribute is not a variable; undo a rename of its Name
        attr = original.attr.value
        return updated.with_changes(attr=cst.Name(attr)) if updated.attr.value != attr else updated

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        if original.keyword is None:
            return updated
        return updated.with_changes(keyword=cst.Name(original.keyword.value))

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if isinstance(original.func, cst.Name) and original.func.value in self.local_callables:
            args = [
                a.with_changes(keyword=cst.Name(self.mapping.get(a.keyword.value, a.keyword.value)))
                if a.keyword is not None
                else a
                for a in updated.args
            ]
            return updated.with_changes(args=args)
        return updated

    def leave_ImportAlias(self, original: cst.ImportAlias, updated: cst.ImportAlias) -> cst.ImportAlias:
        return original


def rename(code: str) -> str | None:
    """Opaque names for identifiers the doctor need not read; a suffix for role-bearing ones."""
    module = cst.parse_module(code)
    imported = set(imports_of(module))
    info = names_of(module)
    bound = info.stores | info.defs | info.params
    # parameters used as keywords of library calls keep their names (they are part of an API)
    protected = imported | _BUILTINS | {"_", "__all__"}
    local_callables = info.defs
    keyword_params = info.keywords & info.params
    mapping: dict[str, str] = {}
    foreign_keywords = _foreign_keywords(module, info.defs)
    for i, name in enumerate(sorted(bound - protected)):
        if name.startswith("__") or (name in keyword_params and name in foreign_keywords):
            continue
        words = set(name_tokens(name))
        mapping[name] = f"{name}_r" if words & ROLE_WORDS else f"v{i}"
    if not mapping:
        return None
    out = module.visit(_Rename(mapping, local_callables)).code
    return out if out != code else None


def _foreign_keywords(module: cst.Module, defs: set[str]) -> set[str]:
    """Keyword names used in calls of anything but local functions/classes (they name a library's API)."""
    out: set[str] = set()

    class V(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            local = isinstance(node.func, cst.Name) and node.func.value in defs
            if not local:
                out.update(a.keyword.value for a in node.args if a.keyword is not None)

    module.visit(V())
    return out


# --- extract / inline helpers ---------------------------------------------------------------
def _loop_assignments(module: cst.Module) -> list[cst.SimpleStatementLine]:
    found: list[cst.SimpleStatementLine] = []

    class V(cst.CSTVisitor):
        depth = 0

        def visit_For(self, node: cst.For) -> None:
            V.depth += 1

        def leave_For(self, node: cst.For) -> None:
            V.depth -= 1

        def visit_While(self, node: cst.While) -> None:
            V.depth += 1

        def leave_While(self, node: cst.While) -> None:
            V.depth -= 1

        def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
            if V.depth and len(node.body) == 1 and isinstance(node.body[0], cst.Assign):
                a = node.body[0]
                if len(a.targets) == 1 and isinstance(a.targets[0].target, cst.Name) and _has_call(a.value):
                    if not isinstance(a.value, cst.Call) or _dotted(a.value.func) not in {"next", "iter"}:
                        found.append(node)

    module.visit(V())
    return found


def _has_call(node: cst.CSTNode) -> bool:
    class V(cst.CSTVisitor):
        hit = False

        def visit_Call(self, n: cst.Call) -> None:
            V.hit = True

        def visit_Lambda(self, n: cst.Lambda) -> bool:
            return False

    node.visit(V())
    return V.hit


def _module_level_names(module: cst.Module) -> set[str]:
    out = set(imports_of(module))
    for stmt in module.body:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            out.add(stmt.name.value)
    return out


def extract_helper(code: str) -> str | None:
    """Move each assignment computed inside a loop into a module-level helper function."""
    module = cst.parse_module(code)
    targets = _loop_assignments(module)
    if not targets:
        return None
    globals_ = _module_level_names(module) | _BUILTINS
    helpers: list[cst.FunctionDef] = []
    replace: dict[cst.SimpleStatementLine, cst.SimpleStatementLine] = {}
    for i, stmt in enumerate(targets):
        assign = stmt.body[0]
        loads = names_of(assign.value).loads
        if "self" in loads:
            continue  # methods keep their body (self would need the class)
        free = sorted(n for n in loads if n not in globals_ and not _bound_inside(assign.value, n))
        name = f"_extracted_{i}"
        params = cst.Parameters(params=[cst.Param(cst.Name(n)) for n in free])
        body = cst.IndentedBlock([cst.SimpleStatementLine([cst.Return(assign.value)])])
        helpers.append(cst.FunctionDef(cst.Name(name), params, body, leading_lines=[cst.EmptyLine(), cst.EmptyLine()]))
        call = cst.Call(cst.Name(name), [cst.Arg(cst.Name(n)) for n in free])
        replace[stmt] = stmt.with_changes(body=[assign.with_changes(value=call)])
    if not helpers:
        return None

    class T(cst.CSTTransformer):
        def leave_SimpleStatementLine(self, original, updated):
            return replace.get(original, updated)

    new = module.visit(T())
    body = list(new.body)
    at = _after_imports(body)
    new = new.with_changes(body=body[:at] + helpers + body[at:])
    return new.code


def _bound_inside(node: cst.CSTNode, name: str) -> bool:
    """Whether ``name`` is bound inside ``node`` (a lambda parameter or comprehension variable)."""
    info = names_of(node)
    return name in info.params or name in info.stores


def _after_imports(body: list) -> int:
    at = 0
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine) and any(
            isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
        ):
            at = i + 1
        elif isinstance(stmt, cst.SimpleStatementLine) and i == 0 and isinstance(stmt.body[0], cst.Expr):
            at = max(at, 1)  # the module docstring
    return at


class _Subst(cst.CSTTransformer):
    def __init__(self, mapping: dict[str, cst.BaseExpression]) -> None:
        self.mapping = mapping

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        if original.value in self.mapping:
            return self.mapping[original.value]
        return updated

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        return updated.with_changes(attr=original.attr)

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(keyword=original.keyword)


def inline_helper(code: str) -> str | None:
    """Replace calls of one-line module-level helpers by their returned expression."""
    module = cst.parse_module(code)
    helpers: dict[str, cst.FunctionDef] = {}
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef) and not stmt.decorators:
            body = [s for s in stmt.body.body if not _is_docstring(s)]
            p = stmt.params
            if (
                len(body) == 1
                and isinstance(body[0], cst.SimpleStatementLine)
                and isinstance(body[0].body[0], cst.Return)
                and body[0].body[0].value is not None
                and not isinstance(p.star_arg, cst.Param)
                and p.star_kwarg is None
                and not p.kwonly_params
                and not p.posonly_params
                and not _mentions_self_name(body[0].body[0].value, stmt.name.value)
            ):
                helpers[stmt.name.value] = stmt
    if not helpers:
        return None

    class T(cst.CSTTransformer):
        changed = False

        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
            if not isinstance(updated.func, cst.Name) or updated.func.value not in helpers:
                return updated
            fn = helpers[updated.func.value]
            params = list(fn.params.params)
            binding: dict[str, cst.BaseExpression] = {}
            positional = [a for a in updated.args if a.keyword is None]
            if any(a.star for a in updated.args):
                return updated
            for prm, a in zip(params, positional):
                binding[prm.name.value] = a.value
            for a in updated.args:
                if a.keyword is not None:
                    binding[a.keyword.value] = a.value
            for prm in params:
                if prm.name.value not in binding:
                    if prm.default is None:
                        return updated
                    binding[prm.name.value] = prm.default
            body = [s for s in fn.body.body if not _is_docstring(s)]
            expr = body[0].body[0].value
            T.changed = True
            paren = {k: v.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]) for k, v in binding.items()}
            return expr.visit(_Subst(paren)).with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])

    new = module.visit(T())
    return new.code if T.changed and new.code != code else None


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _mentions_self_name(node: cst.CSTNode, name: str) -> bool:
    return name in names_of(node).loads  # recursive helpers are not inlined


# --- functional <-> module layers ------------------------------------------------------------
def _add_import(module: cst.Module, line: str) -> cst.Module:
    stmt = cst.parse_statement(line)
    body = list(module.body)
    at = _after_imports(body)
    return module.with_changes(body=body[:at] + [stmt] + body[at:])


def functional_to_module(code: str) -> str | None:
    """``F.relu(x, ...)`` / ``torch.tanh(x)`` / ``F.binary_cross_entropy(p, t)`` -> ``nn.ReLU()(x)`` etc."""
    module = cst.parse_module(code)
    aliases = imports_of(module)

    class T(cst.CSTTransformer):
        changed = False

        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
            name = _dotted(updated.func)
            if not name:
                return updated
            root, _, rest = name.partition(".")
            full = f"{aliases[root]}.{rest}" if root in aliases and rest else aliases.get(root, "")
            short = full.rsplit(".", 1)[-1]
            if not (full.startswith("torch.nn.functional.") or full in {"torch.tanh", "torch.sigmoid", "torch.relu"}):
                return updated
            if short not in _F_TO_MODULE or any(a.star for a in updated.args):
                return updated
            nargs = 2 if "loss" in short or "entropy" in short else 1
            data = [a for a in updated.args if a.keyword is None][:nargs]
            if len(data) < nargs:
                return updated
            rest_args = [a for a in updated.args if a not in data]
            if short == "leaky_relu" and rest_args and rest_args[0].keyword is None:
                rest_args = [rest_args[0].with_changes(keyword=cst.Name("negative_slope"), equal=_EQ)]
            rest_args = [a for a in rest_args if a.keyword is None or a.keyword.value not in {"inplace", "training"}]
            if any(a.keyword is None for a in rest_args):
                return updated
            T.changed = True
            ctor = cst.Call(cst.Attribute(cst.Name(_NN), cst.Name(_F_TO_MODULE[short])), rest_args)
            return cst.Call(ctor, [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in data])

    new = module.visit(T())
    if not T.changed:
        return None
    return _add_import(new, f"import torch.nn as {_NN}").code


def module_to_functional(code: str) -> str | None:
    """``nn.ReLU()(x)``, and loss objects called directly (``nn.BCELoss()(p, t)``) -> functional calls;
    module-level loss objects (``criterion = nn.BCELoss()``) become ``functools.partial`` of the function."""
    module = cst.parse_module(code)
    aliases = imports_of(module)

    def nn_class(node: cst.BaseExpression) -> str | None:
        name = _dotted(node) or ""
        root, _, rest = name.partition(".")
        full = f"{aliases[root]}.{rest}" if root in aliases and rest else aliases.get(root, "")
        short = full.rsplit(".", 1)[-1]
        return short if full.startswith("torch.nn.") and short in _MODULE_TO_F else None

    class T(cst.CSTTransformer):
        changed = False
        partial = False

        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
            if isinstance(updated.func, cst.Call) and not updated.func.args:
                cls = nn_class(updated.func.func)
                if cls:
                    T.changed = True
                    return updated.with_changes(func=cst.Attribute(cst.Name(_F), cst.Name(_MODULE_TO_F[cls])))
            return updated

        def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
            v = updated.value
            if (
                isinstance(v, cst.Call)
                and nn_class(v.func)
                and ("Loss" in (nn_class(v.func) or ""))
                and all(a.keyword is not None for a in v.args)
            ):
                T.changed = T.partial = True
                fn = cst.Attribute(cst.Name(_F), cst.Name(_MODULE_TO_F[nn_class(v.func)]))
                return updated.with_changes(value=cst.Call(cst.Name("_mm_partial"), [cst.Arg(fn), *v.args]))
            return updated

    new = module.visit(T())
    if not T.changed:
        return None
    new = _add_import(new, f"import torch.nn.functional as {_F}")
    if T.partial:
        new = _add_import(new, "from functools import partial as _mm_partial")
    return new.code


# --- epsilons and clamps -------------------------------------------------------------------------
def _log_rewrite(code: str, wrap: Callable[[cst.BaseExpression], cst.BaseExpression]) -> str | None:
    module = cst.parse_module(code)
    aliases = imports_of(module)

    class T(cst.CSTTransformer):
        changed = False

        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
            name = _dotted(updated.func) or ""
            root, _, rest = name.partition(".")
            full = f"{aliases[root]}.{rest}" if root in aliases and rest else ""
            if full in {"torch.log", "numpy.log", "torch.nn.functional.binary_cross_entropy"} and updated.args:
                first = updated.args[0]
                if first.keyword is None and not first.star:
                    T.changed = True
                    return updated.with_changes(args=[first.with_changes(value=wrap(first.value)), *updated.args[1:]])
            if isinstance(updated.func, cst.Attribute) and updated.func.attr.value == "log" and not updated.args:
                if (
                    _dotted(updated.func.value) is None
                    or (_dotted(updated.func.value) or "").split(".")[0] not in aliases
                ):
                    T.changed = True
                    receiver = wrap(updated.func.value)  # (p + 1e-8).log(): the receiver needs its parentheses
                    if not receiver.lpar:
                        receiver = receiver.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
                    return updated.with_changes(func=updated.func.with_changes(value=receiver))
            return updated

    new = module.visit(T())
    return new.code if T.changed else None


def add_eps(code: str) -> str | None:
    """``log(p)`` -> ``log(p + 1e-8)`` everywhere (and in probability BCE inputs)."""
    return _log_rewrite(
        code,
        lambda e: cst.BinaryOperation(
            e.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]), cst.Add(), cst.Float("1e-8")
        ),
    )


def add_clamp(code: str) -> str | None:
    """``log(p)`` -> ``log((p).clamp(min=1e-7))`` everywhere (and in probability BCE inputs)."""
    return _log_rewrite(
        code,
        lambda e: cst.Call(
            cst.Attribute(e.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]), cst.Name("clamp")),
            [cst.Arg(cst.Float("1e-7"), keyword=cst.Name("min"), equal=_EQ)],
        ),
    )


# --- split into models.py + train.py --------------------------------------------------------------
def split_files(code: str) -> dict[str, str] | None:
    """Classes and helper functions that only read imports, constants and each other -> models.py."""
    module = cst.parse_module(code)
    imports = [s for s in module.body if _is_import(s)]
    defs = [s for s in module.body if isinstance(s, (cst.ClassDef, cst.FunctionDef))]
    if not defs:
        return None
    consts: dict[str, cst.SimpleStatementLine] = {}
    for s in module.body:
        if isinstance(s, cst.SimpleStatementLine) and len(s.body) == 1 and isinstance(s.body[0], cst.Assign):
            a = s.body[0]
            if not _has_call(a.value) and not (names_of(a.value).loads - set(consts) - _BUILTINS):
                for t in a.targets:
                    for n in names_of(t).stores:
                        consts[n] = s
    allowed = set(imports_of(module)) | set(consts) | _BUILTINS | {d.name.value for d in defs}
    moved = []
    for d in defs:
        info = names_of(d)
        free = info.loads - info.stores - info.params - info.defs - {"self"}
        if not free - allowed and not d.decorators:
            moved.append(d)
    if not moved:
        return None
    names = [d.name.value for d in moved]
    # a moved def that reads a def left behind cannot move (models.py must not import train.py)
    stay = {d.name.value for d in defs} - set(names)
    moved = [d for d in moved if not (names_of(d).loads & stay)]
    names = [d.name.value for d in moved]
    if not moved:
        return None
    used_consts = {n for d in moved for n in names_of(d).loads if n in consts}
    models = cst.Module(
        body=[*imports, *dict.fromkeys(consts[n] for n in sorted(used_consts)), *moved],
        header=[],
    )
    rest = [s for s in module.body if s not in moved]
    at = _after_imports(rest)
    imp = cst.parse_statement(f"from models import {', '.join(names)}")
    train = module.with_changes(body=rest[:at] + [imp] + rest[at:])
    return {"models.py": models.code, "train.py": train.code}


def _is_import(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and any(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
    )


# --- reorder independent statements ---------------------------------------------------------------
def reorder(code: str) -> str | None:
    """Swap adjacent assignments that neither read nor write each other's names (first pair per block)."""
    module = cst.parse_module(code)

    def independent(a: cst.SimpleStatementLine, b: cst.SimpleStatementLine) -> bool:
        if not all(len(s.body) == 1 and isinstance(s.body[0], cst.Assign) for s in (a, b)):
            return False
        na, nb = names_of(a), names_of(b)
        if na.inplace or nb.inplace:
            return False
        wa, wb = na.stores, nb.stores
        ra, rb = na.loads - wa, nb.loads - wb
        return not (wa & (rb | wb | nb.loads)) and not (wb & (ra | na.loads)) and bool(wa) and bool(wb)

    class T(cst.CSTTransformer):
        changed = False

        def _swap(self, body):
            body = list(body)
            for i in range(len(body) - 1):
                a, b = body[i], body[i + 1]
                if isinstance(a, cst.SimpleStatementLine) and isinstance(b, cst.SimpleStatementLine):
                    if independent(a, b) and not _is_docstring(a):
                        body[i], body[i + 1] = (
                            b.with_changes(leading_lines=a.leading_lines),
                            a.with_changes(leading_lines=b.leading_lines),
                        )
                        T.changed = True
                        return body
            return body

        def leave_IndentedBlock(self, original, updated):
            return updated.with_changes(body=self._swap(updated.body))

        def leave_Module(self, original, updated):
            return updated.with_changes(body=self._swap(updated.body))

    new = module.visit(T())
    return new.code if T.changed and new.code != code else None


# --- Sequential -> explicit forward ----------------------------------------------------------------
def sequential_to_forward(code: str) -> str | None:
    """``self.main = nn.Sequential(a, b, c)`` + ``self.main(x)`` -> layers ``self.main_0..2`` called in turn
    by a helper method; module-level ``G = nn.Sequential(...)`` -> a small nn.Module class."""
    module = cst.parse_module(code)
    aliases = imports_of(module)

    def is_seq(node: cst.BaseExpression) -> bool:
        name = _dotted(node) or ""
        root, _, rest = name.partition(".")
        full = f"{aliases[root]}.{rest}" if root in aliases and rest else aliases.get(root, "")
        return full == "torch.nn.Sequential"

    def plain_args(call: cst.Call) -> bool:
        return bool(call.args) and all(a.keyword is None and not a.star for a in call.args)

    nn_alias = next((k for k, v in aliases.items() if v == "torch.nn"), None)
    new_classes: list[cst.ClassDef] = []

    class T(cst.CSTTransformer):
        changed = False

        def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
            seqs: dict[str, int] = {}
            body = list(updated.body.body)
            init = next((s for s in body if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"), None)
            if init is None:
                return updated
            uses = _attr_uses(updated)  # a Sequential used other than by calling it (.parameters()) stays
            new_init_body = []
            for stmt in init.body.body:
                if (
                    isinstance(stmt, cst.SimpleStatementLine)
                    and len(stmt.body) == 1
                    and isinstance(stmt.body[0], cst.Assign)
                    and len(stmt.body[0].targets) == 1
                ):
                    tgt, val = stmt.body[0].targets[0].target, stmt.body[0].value
                    if (
                        isinstance(tgt, cst.Attribute)
                        and _dotted(tgt.value) == "self"
                        and isinstance(val, cst.Call)
                        and is_seq(val.func)
                        and plain_args(val)
                        and uses.get(tgt.attr.value, set()) <= {"call"}
                    ):
                        attr = tgt.attr.value
                        seqs[attr] = len(val.args)
                        for i, a in enumerate(val.args):
                            line = cst.SimpleStatementLine(
                                [
                                    cst.Assign(
                                        [cst.AssignTarget(cst.Attribute(cst.Name("self"), cst.Name(f"{attr}_{i}")))],
                                        a.value,
                                    )
                                ]
                            )
                            new_init_body.append(line)
                        continue
                new_init_body.append(stmt)
            if not seqs:
                return updated
            T.changed = True
            new_init = init.with_changes(body=init.body.with_changes(body=new_init_body))

            class Calls(cst.CSTTransformer):
                def leave_Call(self, o: cst.Call, u: cst.Call) -> cst.Call:
                    f = u.func
                    if isinstance(f, cst.Attribute) and _dotted(f.value) == "self" and f.attr.value in seqs:
                        return u.with_changes(func=cst.Attribute(cst.Name("self"), cst.Name(f"_run_{f.attr.value}")))
                    return u

            out = []
            for s in body:
                if s is init:
                    out.append(new_init)
                elif isinstance(s, cst.FunctionDef):
                    out.append(s.visit(Calls()))
                else:
                    out.append(s)
            for attr, n in seqs.items():
                lines = [f"    def _run_{attr}(self, h):"]
                lines += [f"        h = self.{attr}_{i}(h)" for i in range(n)]
                lines += ["        return h"]
                method = cst.parse_module("class _X:\n" + "\n".join(lines) + "\n").body[0].body.body[0]
                out.append(method)
            return updated.with_changes(body=updated.body.with_changes(body=out))

        def leave_SimpleStatementLine(self, original, updated):
            if nn_alias is None or len(updated.body) != 1 or not isinstance(updated.body[0], cst.Assign):
                return updated
            a = updated.body[0]
            if len(a.targets) != 1 or not isinstance(a.targets[0].target, cst.Name):
                return updated
            val = a.value
            if not (isinstance(val, cst.Call) and is_seq(val.func) and plain_args(val)):
                return updated
            name = a.targets[0].target.value
            cls = f"_Seq_{name}"
            lines = [f"class {cls}({nn_alias}.Module):", "    def __init__(self):", "        super().__init__()"]
            layers = [cst.Module([]).code_for_node(arg.value) for arg in val.args]
            lines += [f"        self.layer_{i} = {src}" for i, src in enumerate(layers)]
            lines += ["", "    def forward(self, h):"]
            lines += [f"        h = self.layer_{i}(h)" for i in range(len(layers))]
            lines += ["        return h"]
            new_classes.append(cst.parse_module("\n".join(lines) + "\n").body[0])
            T.changed = True
            return updated.with_changes(body=[a.with_changes(value=cst.Call(cst.Name(cls), []))])

    new = module.visit(T())
    if not T.changed:
        return None
    if new_classes:
        body = list(new.body)
        first = next(
            (i for i, s in enumerate(body) if not _is_import(s) and not (i == 0 and _is_docstring(s))), len(body)
        )
        # the classes go right after the imports and module constants they may read
        while first < len(body) and isinstance(body[first], cst.SimpleStatementLine) and not _has_call(body[first]):
            first += 1
        new = new.with_changes(body=body[:first] + new_classes + body[first:])
    return new.code


def _attr_uses(cls: cst.ClassDef) -> dict[str, set[str]]:
    """``self.X`` attribute -> how the class uses it: "call" (``self.X(h)``) or "other"."""
    uses: dict[str, set[str]] = {}

    class V(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            f = node.func
            if isinstance(f, cst.Attribute) and _dotted(f.value) == "self":
                uses.setdefault(f.attr.value, set()).add("call")

        def visit_Attribute(self, node: cst.Attribute) -> None:
            if _dotted(node.value) == "self":
                uses.setdefault(node.attr.value, set())

    class Other(cst.CSTVisitor):
        """An attribute read that is neither a call nor the assignment in __init__."""

        def visit_Call(self, node: cst.Call) -> bool:
            for a in node.args:
                a.visit(self)
            if isinstance(node.func, cst.Attribute) and _dotted(node.func.value) == "self":
                return False
            node.func.visit(self)
            return False

        def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
            return False

        def visit_Attribute(self, node: cst.Attribute) -> None:
            if _dotted(node.value) == "self":
                uses.setdefault(node.attr.value, set()).add("other")

    cls.visit(V())
    cls.visit(Other())
    return uses


# --- keyword vs positional, named constants, method chains ------------------------------------------
_SIGNATURES = {
    "torch.nn.functional.binary_cross_entropy": ("input", "target"),
    "torch.nn.functional.binary_cross_entropy_with_logits": ("input", "target"),
    "torch.nn.functional.mse_loss": ("input", "target"),
    "torch.nn.functional.cross_entropy": ("input", "target"),
    "torch.nn.functional.leaky_relu": ("input", "negative_slope"),
    "torch.nn.LeakyReLU": ("negative_slope",),
    "torch.full": ("size", "fill_value"),
    "torch.full_like": ("input", "fill_value"),
    "torch.clamp": ("input", "min", "max"),
    "torch.cat": ("tensors", "dim"),
    "torchvision.transforms.Normalize": ("mean", "std"),
    "torch.optim.Adam": ("params", "lr"),
    "torch.optim.AdamW": ("params", "lr"),
    "torch.optim.SGD": ("params", "lr"),
    "torch.optim.RMSprop": ("params", "lr"),
}


def _full_name(node: cst.BaseExpression, aliases: dict[str, str]) -> str:
    name = _dotted(node) or ""
    root, _, rest = name.partition(".")
    if root not in aliases:
        return ""
    full = f"{aliases[root]}.{rest}" if rest else aliases[root]
    return full.replace("torchvision.transforms.transforms.", "torchvision.transforms.")


def keywords(code: str) -> str | None:
    """Positional arguments of well-known library calls become keyword arguments (``Normalize(mean=.., std=..)``)."""
    module = cst.parse_module(code)
    aliases = imports_of(module)

    class T(cst.CSTTransformer):
        changed = False

        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
            names = _SIGNATURES.get(_full_name(updated.func, aliases))
            if not names or any(a.star for a in updated.args):
                return updated
            args = list(updated.args)
            first_kw = next((i for i, a in enumerate(args) if a.keyword is not None), len(args))
            if first_kw == 0 or first_kw > len(names):
                return updated  # nothing to name, or positional arguments beyond the known parameters
            for i in range(min(first_kw, len(names))):
                args[i] = args[i].with_changes(keyword=cst.Name(names[i]), equal=_EQ)
            T.changed = True
            return updated.with_changes(args=args)

    new = module.visit(T())
    return new.code if T.changed else None


def name_constants(code: str) -> str | None:
    """Every number in the code becomes a module constant (``0.9`` -> ``_K3`` with ``_K3 = 0.9`` on top)."""
    module = cst.parse_module(code)
    values: dict[str, str] = {}

    class T(cst.CSTTransformer):
        def __init__(self) -> None:
            self.skip = 0

        def visit_Decorator(self, node: cst.Decorator) -> None:
            self.skip += 1

        def leave_Decorator(self, original, updated):
            self.skip -= 1
            return updated

        def _name(self, node: cst.BaseExpression) -> cst.BaseExpression:
            if self.skip:
                return node
            key = node.value
            if key not in values:
                values[key] = f"_K{len(values)}"
            return cst.Name(values[key], lpar=node.lpar, rpar=node.rpar)

        def leave_Float(self, original: cst.Float, updated: cst.Float) -> cst.BaseExpression:
            return self._name(updated)

        def leave_Integer(self, original: cst.Integer, updated: cst.Integer) -> cst.BaseExpression:
            return self._name(updated)

    new = module.visit(T())
    if not values:
        return None
    body = list(new.body)
    at = _after_imports(body)
    consts = [cst.parse_statement(f"{name} = {value}") for value, name in values.items()]
    return new.with_changes(body=body[:at] + consts + body[at:]).code


_METHODS = {
    "torch.mean",
    "torch.sum",
    "torch.log",
    "torch.exp",
    "torch.sigmoid",
    "torch.tanh",
    "torch.clamp",
    "torch.log1p",
}


def method_chain(code: str) -> str | None:
    """``torch.mean(x)`` -> ``x.mean()``, ``torch.log(1 - p)`` -> ``(1 - p).log()``,
    ``torch.clamp(x, a, b)`` -> ``x.clamp(a, b)``."""
    module = cst.parse_module(code)
    aliases = imports_of(module)

    class T(cst.CSTTransformer):
        changed = False

        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
            full = _full_name(updated.func, aliases)
            if full not in _METHODS or not updated.args or updated.args[0].keyword is not None or updated.args[0].star:
                return updated
            receiver = updated.args[0].value
            if not isinstance(receiver, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
                receiver = receiver.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
            T.changed = True
            rest = list(updated.args[1:])
            if rest:
                rest[-1] = rest[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            return cst.Call(cst.Attribute(receiver, cst.Name(full.rsplit(".", 1)[-1])), rest)

    new = module.visit(T())
    return new.code if T.changed else None


# --- import aliases ---------------------------------------------------------------------------------
def import_aliases(code: str) -> str | None:
    """Every imported name gets a new alias (``import torch.nn as nn`` -> ``import torch.nn as _i1``,
    ``import torch`` -> ``import torch as _i0``, ``from torch import optim`` -> ``... as _i2``)."""
    module = cst.parse_module(code)
    mapping: dict[str, str] = {}
    plain_dotted = set()

    class Collect(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> None:
            for a in node.names:
                full = _dotted(a.name) or ""
                if a.asname is None and "." in full:
                    plain_dotted.add(full.split(".")[0])  # import torch.nn binds torch: left alone

        def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
            bound = node.asname.name.value if node.asname is not None else (_dotted(node.name) or "")
            if "." not in bound and bound not in mapping:
                mapping[bound] = f"_i{len(mapping)}"

    module.visit(Collect())
    for name in plain_dotted:
        mapping.pop(name, None)
    if not mapping:
        return None

    class T(cst.CSTTransformer):
        def leave_ImportAlias(self, original: cst.ImportAlias, updated: cst.ImportAlias) -> cst.ImportAlias:
            bound = original.asname.name.value if original.asname is not None else (_dotted(original.name) or "")
            if bound in mapping:
                return original.with_changes(asname=cst.AsName(cst.Name(mapping[bound])))
            return original

        def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
            return updated.with_changes(value=mapping[updated.value]) if updated.value in mapping else updated

        def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
            return updated.with_changes(module=original.module)

        def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
            return updated.with_changes(attr=original.attr)

        def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
            return updated.with_changes(keyword=original.keyword)

        def leave_Param(self, original: cst.Param, updated: cst.Param) -> cst.Param:
            return updated.with_changes(name=original.name)

        def leave_FunctionDef(self, original, updated):
            return updated.with_changes(name=original.name)

        def leave_ClassDef(self, original, updated):
            return updated.with_changes(name=original.name)

    class Guard(cst.CSTVisitor):
        clash = False

        def visit_Name(self, node: cst.Name) -> None:
            if node.value in set(mapping.values()):
                Guard.clash = True

    module.visit(Guard())
    if Guard.clash:
        return None
    new = module.visit(T())
    return new.code if new.code != code else None


REWRITES: dict[str, Callable[[str], str | dict[str, str] | None]] = {
    "rename": rename,
    "extract_helper": extract_helper,
    "inline_helper": inline_helper,
    "functional_to_module": functional_to_module,
    "module_to_functional": module_to_functional,
    "add_eps": add_eps,
    "add_clamp": add_clamp,
    "split_files": split_files,
    "reorder": reorder,
    "sequential_to_forward": sequential_to_forward,
    "keywords": keywords,
    "name_constants": name_constants,
    "method_chain": method_chain,
    "import_aliases": import_aliases,
}


# --- running the suite ---------------------------------------------------------------------------
def corpus_units(folder: str, exclude: tuple[str, ...] = ()) -> list[tuple[str, dict[str, str]]]:
    """(labelled file's relative path, {relative path: source} of its unit) for every labelled unit."""
    import os

    from ganhacks.doctor import audit
    from ganhacks.doctor.accuracy import read_expectations
    from ganhacks.doctor.config import DoctorConfig

    config = DoctorConfig(exclude=(*DoctorConfig().exclude, *exclude))
    out = []
    for unit in audit([folder], config).units:
        labelled = [p for p in unit.files if read_expectations(p)]
        if len(labelled) != 1:
            continue
        base = os.path.dirname(labelled[0])
        files = {}
        for p in unit.files:
            with open(p, encoding="utf-8") as fh:
                files[os.path.relpath(p, base)] = fh.read()
        out.append((os.path.relpath(labelled[0], folder), files, os.path.relpath(labelled[0], base)))
    return out


def verdicts_of(files: dict[str, str], root: str) -> dict[str, str]:
    """Write ``files`` under ``root`` and audit them as one unit: tip -> verdict."""
    import os

    from ganhacks.doctor import audit
    from ganhacks.doctor.config import DoctorConfig

    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    report = audit([root], DoctorConfig())
    gan = [u for u in report.units if u.gan_code] or report.units
    assert len(gan) == 1, f"expected one unit, got {[u.name for u in report.units]}"
    return {v.tip: v.verdict for v in gan[0].verdicts}


def apply(files: dict[str, str], main: str, got: str | dict[str, str]) -> dict[str, str]:
    """The unit's files after a rewrite of ``main`` (a split adds models.py beside it)."""
    import os

    if not isinstance(got, dict):
        return {**files, main: got}
    d = os.path.dirname(main)
    new = {k: v for k, v in files.items() if k != main}
    new.update({os.path.join(d, k) if d else k: v for k, v in got.items()})
    return new


def variants(files: dict[str, str], main: str) -> dict[str, dict[str, str]]:
    """Every rewrite that applies to the unit's labelled file ``main``: name -> the unit's files after it."""
    out = {}
    for name, rewrite in REWRITES.items():
        if name == "split_files" and len(files) > 1:
            continue
        got = rewrite(files[main])
        if got is not None:
            out[name] = apply(files, main, got)
    return out
