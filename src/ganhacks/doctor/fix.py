"""``ganhacks doctor --fix / --diff``: safe, mechanical rewrites for failing tips, made with libcst.

A fix edits only the lines a failing verdict cites as evidence, keeps the rest of the file byte for
byte (libcst round-trips comments and formatting), and is kept only when the rewritten unit parses
and the tip it fixes no longer fails (the unit is audited again in a temporary copy, without
touching the user's files), with no other tip newly failing. Files that do not parse are never
touched (the audit lists them as skipped and cites no evidence in them).

Fixes:

* **T03** a uniform latent draw becomes a Gaussian one: ``torch.rand(b, n)`` / ``torch.rand(b, n) * 2 - 1``
  -> ``torch.randn(b, n)``; ``rand_like`` -> ``randn_like``; ``np.random.uniform(lo, hi, size)`` ->
  ``np.random.normal(0.0, 1.0, size)``; ``np.random.rand`` -> ``np.random.randn``; ``.uniform_(a, b)`` ->
  ``.normal_(0.0, 1.0)``; ``distributions.Uniform(a, b)`` -> ``distributions.Normal(0.0, 1.0)``;
* **T05** ``nn.ReLU()`` -> ``nn.LeakyReLU(0.2)``, ``F.relu(x)`` -> ``F.leaky_relu(x, 0.2)``,
  ``nn.MaxPool2d`` -> ``nn.AvgPool2d``, ``F.max_pool2d`` -> ``F.avg_pool2d`` on the cited lines of D;
* **T02** ``log(1 - D(G(z)) [+ eps])`` -> ``-log(D(G(z)) [+ eps])``, ``log1p(-p)`` -> ``-log(p)``,
  ``-softplus(x)`` -> ``softplus(-x)``, ``-BCE(D(G(z)), zeros)`` -> ``BCE(D(G(z)), ones_like(...))``;
* **T01** data visible as [0, 1]: ``x / 255`` -> ``x / 127.5 - 1``; ``ToTensor()`` alone in a
  ``Compose`` gets ``Normalize([0.5], [0.5])`` after it;
* **T09** (only with ``--unsafe-fixes``: it changes more than the tip) G's optimiser becomes
  ``torch.optim.Adam(params, lr=2e-4, betas=(0.5, 0.999))``.
"""

from __future__ import annotations

import ast
import difflib
import os
import shutil
import tempfile
from dataclasses import dataclass

from ganhacks.doctor.audit import audit
from ganhacks.doctor.config import DoctorConfig
from ganhacks.doctor.report import Report
from ganhacks.errors import UserError

SAFE_TIPS = ("T01", "T02", "T03", "T05")  # mechanical: the rewrite is what the tip asks for
UNSAFE_TIPS = ("T09",)  # changes the optimiser and its hyper-parameters: only with --unsafe-fixes


@dataclass(frozen=True)
class FileFix:
    """The new text of one file and the tips its edits fix."""

    path: str
    before: str
    after: str
    tips: tuple[str, ...]


def _libcst():
    try:
        import libcst
        import libcst.metadata
    except ImportError:  # a dependency, but an environment may have lost it
        raise UserError("ganhacks doctor --fix/--diff needs libcst (a dependency): pip install libcst") from None
    return libcst


def plan_fixes(report: Report, config: DoctorConfig, unsafe: bool = False) -> list[FileFix]:
    """The fixes for the report's failing (not suppressed) tips, each verified by auditing a copy."""
    _libcst()
    tips = SAFE_TIPS + (UNSAFE_TIPS if unsafe else ())
    out: list[FileFix] = []
    for unit in report.units:
        sources = {}
        for path in unit.files:
            with open(path, encoding="utf-8") as fh:
                sources[path] = fh.read()
        current = dict(sources)
        fixed: dict[str, set[str]] = {}
        before = {v.tip: v.verdict for v in unit.verdicts}
        for v in unit.verdicts:
            if not v.failing or v.tip not in tips:
                continue
            lines: dict[str, set[int]] = {}
            for e in v.evidence:
                if e.path in current and e.line > 0:
                    lines.setdefault(e.path, set()).add(e.line)
            trial = dict(current)
            for path, at in lines.items():
                new = rewrite(v.tip, trial[path], at)
                if new is not None:
                    trial[path] = new
            if trial == current or not _parses(trial):
                continue
            after = _audit_copy(trial, config)
            if after.get(v.tip) == "fail" or any(after.get(t) == "fail" and before.get(t) != "fail" for t in after):
                continue  # the fix did not fix the tip, or broke another one: not offered
            for path in lines:
                if trial[path] != current[path]:
                    fixed.setdefault(path, set()).add(v.tip)
            current = trial
        for path, tip_set in fixed.items():
            out.append(FileFix(path, sources[path], current[path], tuple(sorted(tip_set))))
    return out


def apply_fixes(fixes: list[FileFix]) -> None:
    """Write each fixed file (atomically: a temporary file renamed over the original)."""
    for fix in fixes:
        tmp = f"{fix.path}.ganhacks-fix.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(fix.after)
        shutil.copymode(fix.path, tmp)
        os.replace(tmp, fix.path)


def unified_diff(fixes: list[FileFix]) -> str:
    """The fixes as one unified diff (``a/PATH`` -> ``b/PATH``, paths relative to the working folder)."""
    chunks = []
    for fix in fixes:
        rel = os.path.relpath(fix.path) if os.path.isabs(fix.path) else fix.path
        name = fix.path if rel.startswith("..") else rel
        chunks += difflib.unified_diff(
            fix.before.splitlines(keepends=True),
            fix.after.splitlines(keepends=True),
            fromfile=f"a/{name}",
            tofile=f"b/{name}",
        )
    return "".join(chunks)


def _parses(sources: dict[str, str]) -> bool:
    try:
        for text in sources.values():
            ast.parse(text)
    except SyntaxError:
        return False
    return True


def _audit_copy(sources: dict[str, str], config: DoctorConfig) -> dict[str, str]:
    """Verdicts of the unit made of ``sources``, audited in a temporary copy with the same layout."""
    paths = [os.path.abspath(p) for p in sources]
    root = os.path.commonpath([os.path.dirname(p) for p in paths])
    with tempfile.TemporaryDirectory() as tmp:
        for path, text in zip(paths, sources.values()):
            dst = os.path.join(tmp, os.path.relpath(path, root))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "w", encoding="utf-8") as fh:
                fh.write(text)
        report = audit([tmp], config)
    units = [u for u in report.units if u.gan_code] or report.units
    return {v.tip: v.verdict for u in units for v in u.verdicts}


# --- the rewrites -------------------------------------------------------------------------
def rewrite(tip: str, source: str, lines: set[int]) -> str | None:
    """``source`` with tip ``tip``'s fix applied on ``lines`` (None when nothing there can be fixed)."""
    cst = _libcst()
    module = cst.parse_module(source)
    wrapper = cst.metadata.MetadataWrapper(module)
    transformer = _TRANSFORMERS[tip](lines, _aliases(module))
    new = wrapper.visit(transformer)
    return new.code if transformer.changed and new.code != source else None


def _aliases(module) -> dict[str, str]:
    """Local name -> dotted module/object for every import of the file."""
    cst = _libcst()
    out: dict[str, str] = {}
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for s in stmt.body:
            if isinstance(s, cst.Import):
                for a in s.names:
                    full = _dotted(a.name) or ""
                    out[a.asname.name.value if a.asname else full.split(".")[0]] = (
                        full if a.asname else full.split(".")[0]
                    )
            elif isinstance(s, cst.ImportFrom) and not isinstance(s.names, cst.ImportStar):
                mod = _dotted(s.module) if s.module is not None else ""
                for a in s.names:
                    name = _dotted(a.name) or ""
                    out[a.asname.name.value if a.asname else name] = f"{mod}.{name}" if mod else name
    return out


def _dotted(node) -> str | None:
    cst = _libcst()
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _transformer_base():
    cst = _libcst()

    class Base(cst.CSTTransformer):
        """Edits calls that start on one of ``lines``; ``full(node)`` gives a callee's dotted import name."""

        METADATA_DEPENDENCIES = (cst.metadata.PositionProvider,)

        def __init__(self, lines: set[int], aliases: dict[str, str]) -> None:
            super().__init__()
            self.lines = lines
            self.aliases = aliases
            self.changed = False

        def on_line(self, node) -> bool:
            return self.get_metadata(cst.metadata.PositionProvider, node).start.line in self.lines

        def full(self, node) -> str:
            name = _dotted(node) or ""
            root, _, rest = name.partition(".")
            if root not in self.aliases:
                return ""
            return f"{self.aliases[root]}.{rest}" if rest else self.aliases[root]

        def renamed(self, func, new_attr: str):
            """``func`` (``F.relu``/``nn.ReLU``/``relu``) with its last name replaced."""
            if isinstance(func, cst.Attribute):
                return func.with_changes(attr=cst.Name(new_attr))
            return cst.Name(new_attr)

        def num(self, value: str):
            return cst.Float(value) if "." in value or "e" in value else cst.Integer(value)

    return Base


def _t03():
    cst = _libcst()
    Base = _transformer_base()

    class T03(Base):
        """Uniform draws of the latent code become Gaussian ones."""

        def _gaussian(self, call):
            full = self.full(call.func)
            short = full.rsplit(".", 1)[-1]
            attr = call.func.attr.value if isinstance(call.func, cst.Attribute) else ""
            if full in {"torch.rand", "torch.rand_like"}:
                return call.with_changes(func=self.renamed(call.func, short.replace("rand", "randn")))
            if full in {"numpy.random.rand", "np.random.rand"}:
                return call.with_changes(func=self.renamed(call.func, "randn"))
            if full in {"numpy.random.uniform", "np.random.uniform"}:
                rest = [a for a in call.args if a.keyword is None][2:] + [
                    a for a in call.args if a.keyword is not None and a.keyword.value not in {"low", "high"}
                ]
                args = [cst.Arg(cst.Float("0.0")), cst.Arg(cst.Float("1.0")), *rest]
                return call.with_changes(func=self.renamed(call.func, "normal"), args=args)
            if full.endswith("distributions.Uniform") or full.endswith("distributions.uniform.Uniform"):
                return call.with_changes(
                    func=self.renamed(call.func, "Normal"),
                    args=[cst.Arg(cst.Float("0.0")), cst.Arg(cst.Float("1.0"))],
                )
            if not full and attr == "uniform_":
                return call.with_changes(
                    func=call.func.with_changes(attr=cst.Name("normal_")),
                    args=[cst.Arg(cst.Float("0.0")), cst.Arg(cst.Float("1.0"))],
                )
            return None

        def leave_BinaryOperation(self, original, updated):
            # torch.rand(b, n) * 2 - 1 (an affine map of one uniform draw) -> torch.randn(b, n)
            if not self.on_line(original):
                return updated
            leaf = _affine_leaf(updated)
            if leaf is not None and isinstance(leaf, cst.Call):
                g = self._gaussian(leaf)
                if g is not None and self.full(leaf.func) in {"torch.rand", "numpy.random.rand"}:
                    self.changed = True
                    return g.with_changes(lpar=updated.lpar, rpar=updated.rpar)
            return updated

        def leave_Call(self, original, updated):
            if not self.on_line(original):
                return updated
            g = self._gaussian(updated)
            if g is None:
                return updated
            self.changed = True
            return g

    return T03


def _affine_leaf(node):
    """The one non-constant operand of ``x * a + b``-style arithmetic with number constants, else None."""
    cst = _libcst()
    numbers = (cst.Integer, cst.Float)
    while isinstance(node, cst.BinaryOperation) and isinstance(
        node.operator, (cst.Add, cst.Subtract, cst.Multiply, cst.Divide)
    ):
        left_const = isinstance(node.left, numbers) or (
            isinstance(node.left, cst.UnaryOperation) and isinstance(node.left.expression, numbers)
        )
        right_const = isinstance(node.right, numbers) or (
            isinstance(node.right, cst.UnaryOperation) and isinstance(node.right.expression, numbers)
        )
        if left_const == right_const:
            return None
        node = node.right if left_const else node.left
    return node


def _t05():
    cst = _libcst()
    Base = _transformer_base()

    class T05(Base):
        """ReLU -> LeakyReLU(0.2) and max pooling -> average pooling, on the cited lines."""

        def leave_Call(self, original, updated):
            if not self.on_line(original):
                return updated
            full = self.full(updated.func)
            short = full.rsplit(".", 1)[-1] if full else ""
            attr = updated.func.attr.value if isinstance(updated.func, cst.Attribute) else ""
            if full.startswith("torch.nn.") and short in {"ReLU", "ReLU6"}:
                keep = [a for a in updated.args if a.keyword is not None and a.keyword.value == "inplace"]
                keep += [
                    a.with_changes(keyword=cst.Name("inplace"), equal=_eq())
                    for a in updated.args[:1]
                    if a.keyword is None
                ]
                self.changed = True
                return updated.with_changes(
                    func=self.renamed(updated.func, "LeakyReLU"), args=[cst.Arg(cst.Float("0.2")), *keep]
                )
            if full.startswith("torch.nn.functional.") and short in {"relu", "relu_", "relu6"} and updated.args:
                self.changed = True
                return updated.with_changes(
                    func=self.renamed(updated.func, "leaky_relu"),
                    args=[updated.args[0].with_changes(comma=cst.MaybeSentinel.DEFAULT), cst.Arg(cst.Float("0.2"))],
                )
            if full in {"torch.relu", "torch.relu_"} and updated.args:
                self.changed = True
                fn = cst.parse_expression(f"{_root(updated.func)}.nn.functional.leaky_relu")
                return updated.with_changes(
                    func=fn,
                    args=[updated.args[0].with_changes(comma=cst.MaybeSentinel.DEFAULT), cst.Arg(cst.Float("0.2"))],
                )
            if not full and attr in {"relu", "relu_"} and not updated.args and "torch" in self.aliases.values():
                torch = next(k for k, v in self.aliases.items() if v == "torch")
                self.changed = True
                return cst.Call(
                    cst.parse_expression(f"{torch}.nn.functional.leaky_relu"),
                    [cst.Arg(updated.func.value), cst.Arg(cst.Float("0.2"))],
                )
            if full.startswith("torch.nn.") and short.startswith("MaxPool"):
                args = [
                    a
                    for a in updated.args
                    if a.keyword is None or a.keyword.value not in {"dilation", "return_indices"}
                ]
                self.changed = True
                return updated.with_changes(
                    func=self.renamed(updated.func, short.replace("MaxPool", "AvgPool")), args=args
                )
            if full.startswith("torch.nn.functional.") and short.startswith("max_pool"):
                args = [
                    a
                    for a in updated.args
                    if a.keyword is None or a.keyword.value not in {"dilation", "return_indices"}
                ]
                self.changed = True
                return updated.with_changes(
                    func=self.renamed(updated.func, short.replace("max_pool", "avg_pool")), args=args
                )
            return updated

    return T05


def _root(node) -> str:
    return (_dotted(node) or "torch").split(".")[0]


def _eq():
    cst = _libcst()
    return cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _t02():
    cst = _libcst()
    Base = _transformer_base()

    def one_minus(node):
        """``1 - p`` (or ``1 - p + eps``, ``(1 - p).clamp(...)``) -> ``p`` (resp. ``p + eps``...), else None."""
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, cst.Subtract) and _is_one(node.left):
                return node.right
            if isinstance(node.operator, cst.Add):
                inner = one_minus(node.left)
                if inner is not None:
                    return node.with_changes(left=inner)
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in {"clamp", "clip"}
        ):
            inner = one_minus(node.func.value)
            if inner is not None:
                return node.with_changes(func=node.func.with_changes(value=_paren(inner)))
        if (
            isinstance(node, cst.Call)
            and _dotted(node.func)
            and (_dotted(node.func) or "").endswith(("clamp", "clip"))
            and node.args
        ):
            inner = one_minus(node.args[0].value)
            if inner is not None:
                return node.with_changes(args=[node.args[0].with_changes(value=inner), *node.args[1:]])
        return None

    class T02(Base):
        """The saturating G loss becomes the non-saturating one, on the cited lines."""

        def leave_Call(self, original, updated):
            if not self.on_line(original):
                return updated
            full = self.full(updated.func)
            attr = updated.func.attr.value if isinstance(updated.func, cst.Attribute) else ""
            if full in {"torch.log", "numpy.log"} and updated.args:
                inner = one_minus(updated.args[0].value)
                if inner is not None:  # log(1 - p) -> -log(p)
                    self.changed = True
                    new = updated.with_changes(args=[updated.args[0].with_changes(value=inner), *updated.args[1:]])
                    return cst.UnaryOperation(cst.Minus(), new)
            if not full and attr == "log" and not updated.args:
                inner = one_minus(_unparen(updated.func.value))
                if inner is not None:  # (1 - p).log() -> -(p).log()
                    self.changed = True
                    return cst.UnaryOperation(
                        cst.Minus(), updated.with_changes(func=updated.func.with_changes(value=_paren(inner)))
                    )
            if full in {"torch.log1p"} and updated.args:
                arg = updated.args[0].value
                if isinstance(arg, cst.UnaryOperation) and isinstance(arg.operator, cst.Minus):
                    self.changed = True  # log1p(-p) -> -log(p)
                    return cst.UnaryOperation(
                        cst.Minus(),
                        updated.with_changes(func=self.renamed(updated.func, "log"), args=[cst.Arg(arg.expression)]),
                    )
            if not full and attr == "log1p" and not updated.args:
                recv = _unparen(updated.func.value)
                if isinstance(recv, cst.UnaryOperation) and isinstance(recv.operator, cst.Minus):
                    self.changed = True  # (-p).log1p() -> -(p).log()
                    return cst.UnaryOperation(
                        cst.Minus(),
                        updated.with_changes(
                            func=updated.func.with_changes(value=_paren(recv.expression), attr=cst.Name("log"))
                        ),
                    )
            return updated

        def leave_UnaryOperation(self, original, updated):
            if not isinstance(updated.operator, cst.Minus) or not self.on_line(original):
                return updated
            outer = _unparen(updated.expression)
            # -softplus(x).mean(): look through reductions, rebuild them around the fixed call
            chain = []
            call = outer
            while (
                isinstance(call, cst.Call)
                and isinstance(call.func, cst.Attribute)
                and call.func.attr.value in {"mean", "sum"}
                and not call.args
                and isinstance(call.func.value, cst.Call)
            ):
                chain.append(call)
                call = call.func.value
            fixed = self._negated(call)
            if fixed is None:
                return updated
            for reduction in reversed(chain):
                fixed = reduction.with_changes(func=reduction.func.with_changes(value=fixed))
            return fixed

        def _negated(self, call):
            """The non-saturating form of ``-call`` (softplus / BCE against zeros), else None."""
            if not isinstance(call, cst.Call) or not call.args:
                return None
            full = self.full(call.func)
            short = full.rsplit(".", 1)[-1]
            if short == "softplus":  # -softplus(x) -> softplus(-x)
                self.changed = True
                arg = call.args[0]
                neg = cst.UnaryOperation(cst.Minus(), _paren(arg.value))
                return call.with_changes(args=[arg.with_changes(value=neg), *call.args[1:]])
            torch = next((k for k, v in self.aliases.items() if v == "torch"), None)
            bce = short in {"binary_cross_entropy", "binary_cross_entropy_with_logits"} or not full  # or a loss object
            if bce and torch and len(call.args) >= 2 and all(a.keyword is None for a in call.args[:2]):
                pred = call.args[0].value  # -BCE(p, zeros) -> BCE(p, ones_like(p)); verified by a new audit
                ones = cst.parse_expression(f"{torch}.ones_like(x)").with_changes(args=[cst.Arg(pred)])
                self.changed = True
                return call.with_changes(args=[call.args[0], call.args[1].with_changes(value=ones), *call.args[2:]])
            return None

    return T02


def _is_one(node) -> bool:
    cst = _libcst()
    return isinstance(node, (cst.Integer, cst.Float)) and float(node.value) == 1.0


def _paren(node):
    cst = _libcst()
    if isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)) or node.lpar:
        return node
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _unparen(node):
    return node.with_changes(lpar=[], rpar=[]) if getattr(node, "lpar", None) else node


def _t01():
    cst = _libcst()
    Base = _transformer_base()

    class T01(Base):
        """Data seen as [0, 1] is scaled to [-1, 1]: ``x / 255`` -> ``x / 127.5 - 1``; Normalize after ToTensor."""

        def leave_BinaryOperation(self, original, updated):
            if (
                self.on_line(original)
                and isinstance(updated.operator, cst.Divide)
                and isinstance(updated.right, (cst.Integer, cst.Float))
                and float(updated.right.value) == 255.0
            ):
                self.changed = True
                scaled = updated.with_changes(right=cst.Float("127.5"), lpar=[], rpar=[])
                return cst.BinaryOperation(
                    scaled, cst.Subtract(), cst.Integer("1"), lpar=updated.lpar, rpar=updated.rpar
                )
            return updated

        def leave_Call(self, original, updated):
            # transforms.Compose([..., ToTensor(), ...]) without a Normalize -> add Normalize([0.5], [0.5])
            if not self.full(updated.func).endswith("Compose") or not updated.args:
                return updated
            seq = updated.args[0].value
            if not isinstance(seq, (cst.List, cst.Tuple)):
                return updated
            items = list(seq.elements)
            names = [self.full(e.value.func) if isinstance(e.value, cst.Call) else "" for e in items]
            at = next((i for i, n in enumerate(names) if n.endswith("ToTensor")), None)
            if (
                at is None
                or any(n.endswith(("Normalize", "Lambda")) for n in names)
                or not self.on_line(items[at].value)
            ):
                return updated
            func = items[at].value.func
            norm_func = func.with_changes(attr=cst.Name("Normalize")) if isinstance(func, cst.Attribute) else None
            if norm_func is None:
                return updated
            norm = cst.Call(norm_func, [cst.Arg(cst.parse_expression("[0.5]")), cst.Arg(cst.parse_expression("[0.5]"))])
            new_item = cst.Element(norm, comma=items[at].comma)
            items = items[: at + 1] + [new_item] + items[at + 1 :]
            if at + 1 == len(items) - 1:  # the ToTensor was last: it now needs a comma
                items[at] = items[at].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                items[-1] = items[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            self.changed = True
            return updated.with_changes(
                args=[updated.args[0].with_changes(value=seq.with_changes(elements=items)), *updated.args[1:]]
            )

    return T01


def _t09():
    cst = _libcst()
    Base = _transformer_base()

    class T09(Base):
        """G's optimiser becomes Adam with the DCGAN settings (unsafe: the learning rate changes too)."""

        def leave_Call(self, original, updated):
            full = self.full(updated.func)
            if not self.on_line(original) or not full.startswith("torch.optim.") or full.endswith((".Adam", ".AdamW")):
                return updated
            params = (
                updated.args[0]
                if updated.args and updated.args[0].keyword is None
                else next((a for a in updated.args if a.keyword is not None and a.keyword.value == "params"), None)
            )
            if params is None:
                return updated
            self.changed = True
            args = [
                params.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT),
                cst.Arg(cst.Float("2e-4"), keyword=cst.Name("lr"), equal=_eq()),
                cst.Arg(cst.parse_expression("(0.5, 0.999)"), keyword=cst.Name("betas"), equal=_eq()),
            ]
            return updated.with_changes(func=self.renamed(updated.func, "Adam"), args=args)

    return T09


_TRANSFORMERS = {
    "T01": lambda lines, aliases: _t01()(lines, aliases),
    "T02": lambda lines, aliases: _t02()(lines, aliases),
    "T03": lambda lines, aliases: _t03()(lines, aliases),
    "T05": lambda lines, aliases: _t05()(lines, aliases),
    "T09": lambda lines, aliases: _t09()(lines, aliases),
}
