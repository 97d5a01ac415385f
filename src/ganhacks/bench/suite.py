"""Suite files: a study written as TOML (benchmarks, presets, variants as ``--set`` overrides, seeds,
step budgets), read and checked before any work starts.

A suite file::

    name = "mine"
    description = "hinge against the recommended loss"
    seeds = 10                  # evaluation seeds 0..9 (``--seeds`` overrides)
    baseline = "recommended"    # what a variant is compared with unless it says otherwise

    [benchmarks.ring8]
    steps = [2000]              # step budgets: one job per budget
    # variants = ["recommended", "hinge*"]   names or patterns; default: every variant
    # eval_n = 2500             # generated samples scored; default: the benchmark's

    [benchmarks.ring8-budgets]  # more tables for one benchmark: other budgets for some variants
    benchmark = "ring8"
    steps = [500, 8000]
    variants = ["recommended", "vanilla"]

    [generate]                  # ablations derived from the presets when the suite runs
    leave_one_out = ["recommended"]   # recommended-T06, ...: each toggle it has on, turned off
    add_one_in = ["vanilla"]          # vanilla+T06, ...: each toggle it has off, turned on
    # toggles = ["T02", "S01"]        # only these toggles (default: all of bench.toggles.TOGGLES)

    [variants.recommended]
    preset = "recommended"
    baseline = "vanilla"

    [variants.hinge]
    preset = "recommended"      # default: the suite's ``preset`` ("recommended")
    set = ["loss.name=hinge", "loss.smoothing=none"]
    group = "loss"              # a heading for the report
    tips = ["S10"]              # catalog tips this variant measures (relative to its baseline)
    note = "SNGAN's loss"

The built-in suites (``quick``, ``full``) are such files inside the package
(``ganhacks/bench/suites/``). Everything is validated here with one-line errors that name the
problem (unknown keys with "did you mean", unknown benchmarks, presets, tips and config fields).
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ganhacks.bench.benchmarks import BENCHMARKS
from ganhacks.bench.toggles import TOGGLE_REGISTRY
from ganhacks.errors import UserError
from ganhacks.registry import did_you_mean
from ganhacks.tips import get_tip
from ganhacks.train.config import apply_overrides
from ganhacks.train.presets import PRESETS, preset_config

BUILT_IN = ("quick", "full")  # suites shipped in ganhacks/bench/suites/
TOP_KEYS = ("name", "description", "seeds", "baseline", "preset", "benchmarks", "generate", "variants")
BENCH_KEYS = ("benchmark", "steps", "variants", "eval_n")
GENERATE_KEYS = ("leave_one_out", "add_one_in", "toggles")
VARIANT_KEYS = ("preset", "set", "baseline", "group", "tips", "effect", "note")


@dataclass(frozen=True)
class BenchmarkPlan:
    """What the suite runs on one benchmark (a suite may hold several tables for one benchmark)."""

    label: str  # the table's name, [benchmarks.LABEL]
    name: str  # a registered benchmark (the table's ``benchmark`` key, default: its label)
    steps: tuple[int, ...]  # step budgets
    variants: tuple[str, ...] | None  # names or fnmatch patterns; None = every variant
    eval_n: int | None  # generated samples scored (None: the benchmark's default)


@dataclass(frozen=True)
class VariantDef:
    """A hand-written variant: a preset plus overrides."""

    name: str
    preset: str  # a registered preset
    overrides: tuple[str, ...]  # ``section.field=value`` on top of the preset
    baseline: str | None  # the variant it is compared with (None: none)
    group: str  # a heading for the report
    tips: tuple[str, ...]  # catalog tips it measures, relative to its baseline
    note: str  # one line for the report
    effect: int = 1  # +1: it adds ``tips`` to its baseline; -1: it takes them out (a hand-written leave-one-out)


@dataclass(frozen=True)
class Generate:
    """Which ablations to derive from the presets (see :mod:`ganhacks.bench.toggles`)."""

    leave_one_out: tuple[str, ...] = ()  # presets to take each toggle out of
    add_one_in: tuple[str, ...] = ()  # presets to add each toggle to
    toggles: tuple[str, ...] | None = None  # only these toggle ids (None: all)


@dataclass(frozen=True)
class Suite:
    """A parsed, checked suite file."""

    name: str
    description: str
    seeds: int  # evaluation seeds 0..seeds-1
    benchmarks: tuple[BenchmarkPlan, ...]
    variants: tuple[VariantDef, ...]  # hand-written variants, in file order
    generate: Generate
    source: str = field(repr=False, default="")  # the file's text, kept with the results


def _where(path: str, key: str) -> str:
    return f"{path}: [{key}]" if key else path


def _check_keys(table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise UserError(
                f"{where}: unknown key '{key}'.{did_you_mean(key, allowed)} Valid keys: {', '.join(allowed)}"
            )


def _typed(value: Any, kind: type | tuple[type, ...], what: str, where: str) -> Any:
    if isinstance(value, bool) and kind is int or not isinstance(value, kind):
        name = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise UserError(f"{where}: {what} must be a {name}, got {value!r}")
    return value


def _strings(value: Any, what: str, where: str) -> tuple[str, ...]:
    items = _typed(value, list, what, where)
    for item in items:
        _typed(item, str, f"each entry of {what}", where)
    return tuple(items)


def _positive_ints(value: Any, what: str, where: str) -> tuple[int, ...]:
    items = [value] if isinstance(value, int) and not isinstance(value, bool) else _typed(value, list, what, where)
    if not items:
        raise UserError(f"{where}: {what} is empty; give at least one")
    for item in items:
        _typed(item, int, f"each entry of {what}", where)
        if item < 1:
            raise UserError(f"{where}: {what} must be >= 1, got {item}")
    return tuple(items)


def load_text(spec: str) -> tuple[str, str]:
    """``(text, origin)`` of a built-in suite name or a TOML file path."""
    if spec in BUILT_IN:
        return resources.files("ganhacks.bench").joinpath(f"suites/{spec}.toml").read_text(), f"built-in suite {spec}"
    path = Path(spec)
    if path.suffix != ".toml" and not path.exists():
        raise UserError(
            f"unknown suite '{spec}'.{did_you_mean(spec, BUILT_IN)} Use a built-in suite "
            f"({', '.join(BUILT_IN)}) or a .toml suite file"
        )
    try:
        return path.read_text(), str(path)
    except FileNotFoundError:
        raise UserError(f"suite file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read suite file {path}: {exc}") from None


def load_suite(spec: str) -> Suite:
    """Read and check a suite: a built-in name (``quick``, ``full``) or a TOML file."""
    text, origin = load_text(spec)
    return parse_suite(text, origin)


def parse_suite(text: str, origin: str = "suite") -> Suite:
    """Parse and check the text of a suite file; every problem is a one-line :class:`UserError`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{origin}: not valid TOML ({exc})") from None
    _check_keys(data, TOP_KEYS, origin)
    name = _typed(data.get("name", Path(origin).stem), str, "name", origin)
    description = _typed(data.get("description", ""), str, "description", origin)
    seeds = _positive_ints(data.get("seeds", 3), "seeds", origin)
    if len(seeds) != 1:
        raise UserError(f"{origin}: seeds is a number of seeds (seeds 0..N-1), got {data['seeds']!r}")
    default_preset = _typed(data.get("preset", "recommended"), str, "preset", origin)
    PRESETS.get(default_preset)
    default_baseline = _typed(data.get("baseline", "recommended"), str, "baseline", origin)

    tables = _typed(data.get("benchmarks", {}), dict, "benchmarks", origin)
    if not tables:
        raise UserError(f"{origin}: no [benchmarks.NAME] table; name at least one of {', '.join(BENCHMARKS.names())}")
    benchmarks = []
    for label, table in tables.items():
        where = _where(origin, f"benchmarks.{label}")
        _typed(table, dict, f"benchmarks.{label}", origin)
        _check_keys(table, BENCH_KEYS, where)
        bname = _typed(table.get("benchmark", label), str, "benchmark", where)
        try:
            BENCHMARKS.get(bname)
        except UserError as exc:
            raise UserError(f"{where}: {exc}") from None
        if "steps" not in table:
            raise UserError(f"{where}: steps is missing (the step budgets, e.g. steps = [2000])")
        patterns = _strings(table["variants"], "variants", where) if "variants" in table else None
        eval_n = _positive_ints(table["eval_n"], "eval_n", where)[0] if "eval_n" in table else None
        steps = _positive_ints(table["steps"], "steps", where)
        benchmarks.append(BenchmarkPlan(label, bname, steps, patterns, eval_n))

    gen_table = _typed(data.get("generate", {}), dict, "generate", origin)
    _check_keys(gen_table, GENERATE_KEYS, _where(origin, "generate"))
    generate = Generate(
        *(_strings(gen_table.get(k, []), k, _where(origin, "generate")) for k in ("leave_one_out", "add_one_in")),
        _strings(gen_table["toggles"], "toggles", _where(origin, "generate")) if "toggles" in gen_table else None,
    )
    for preset in generate.leave_one_out + generate.add_one_in:
        PRESETS.get(preset)
    for toggle_id in generate.toggles or ():
        TOGGLE_REGISTRY.get(toggle_id)

    variants = []
    for vname, table in _typed(data.get("variants", {}), dict, "variants", origin).items():
        where = _where(origin, f"variants.{vname}")
        _typed(table, dict, f"variants.{vname}", origin)
        _check_keys(table, VARIANT_KEYS, where)
        if any(c in vname for c in "/@*?[] "):
            raise UserError(f"{where}: a variant name may not hold '/', '@', spaces or pattern characters")
        preset = _typed(table.get("preset", default_preset), str, "preset", where)
        PRESETS.get(preset)
        overrides = _strings(table.get("set", []), "set", where)
        try:
            apply_overrides(preset_config(preset), list(overrides))  # unknown fields and bad values fail now
        except UserError as exc:
            raise UserError(f"{where}: {exc}") from None
        tips = _strings(table.get("tips", []), "tips", where)
        for tip in tips:
            get_tip(tip)
        baseline = _typed(table.get("baseline", default_baseline), str, "baseline", where)
        effect = table.get("effect", 1)
        if effect not in (1, -1) or isinstance(effect, bool):
            raise UserError(f"{where}: effect must be 1 (the variant adds its tips) or -1 (it takes them out)")
        variants.append(
            VariantDef(
                name=vname,
                preset=preset,
                overrides=overrides,
                baseline=None if baseline in ("", vname) else baseline,
                group=_typed(table.get("group", "variant"), str, "group", where),
                tips=tips,
                note=_typed(table.get("note", ""), str, "note", where),
                effect=effect,
            )
        )
    return Suite(name, description, seeds[0], tuple(benchmarks), tuple(variants), generate, text)


def matches(name: str, patterns: tuple[str, ...] | None) -> bool:
    """Whether variant ``name`` is selected by ``patterns`` (names or fnmatch patterns; None selects all)."""
    return patterns is None or any(fnmatch.fnmatchcase(name, p) for p in patterns)
