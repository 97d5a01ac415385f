"""From a suite to its jobs: variants per benchmark (hand-written and derived from the presets), one
job per benchmark x step budget x variant x seed, and every config checked before any work.

A job's ``id`` is ``benchmark/steps/variant/seed`` (``ring8/2000/recommended-T06/3``); a tuning trial
is ``benchmark/steps/variant/tuneN-tK`` (trial K of an N-trial search, on seed ``TUNE_SEED_BASE + K``,
kept apart from the evaluation seeds), and the evaluation of a tuned variant is
``benchmark/steps/variant@tuneN/seed``. Ids never depend on anything but these names, so a rerun
finds its finished jobs; a job's resolved config is fingerprinted (``config_hash``) so a rerun into a
folder written with different presets or variants is refused rather than mixed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ganhacks.bench.benchmarks import Benchmark, get_benchmark
from ganhacks.bench.suite import BenchmarkPlan, Generate, Suite, VariantDef, matches
from ganhacks.bench.toggles import OFF_SOURCE, ON_SOURCE, TOGGLES, get_toggle, off_overrides, on_overrides
from ganhacks.data import Dataset
from ganhacks.errors import UserError
from ganhacks.train.config import RunConfig, apply_overrides, to_dict
from ganhacks.train.loop import Trainer, load_data
from ganhacks.train.presets import preset_config

TUNE_SEED_BASE = 1_000_000  # tuning trial K trains on seed TUNE_SEED_BASE + K: never an evaluation seed
SUITE_SETS = ("data.name", "train.seed", "train.steps")  # set per job by the suite, never by a variant
# Learning rates searched by --tune (log-uniform), and the penalty weight where the variant has a penalty
LR_RANGE = (1e-5, 1e-2)
PENALTY_RANGE = (1e-3, 1e2)


@dataclass(frozen=True)
class Variant:
    """A config to measure: a preset plus overrides, and what it is compared with."""

    name: str
    preset: str  # a registered preset
    overrides: tuple[str, ...]  # on top of the preset
    baseline: str | None  # the variant it is compared with over the same seeds (None: none)
    group: str  # "preset", "leave-one-out", "add-one-in", or the suite's own heading
    tips: tuple[str, ...] = ()  # catalog tips it measures
    effect: int = 1  # +1: it adds ``tips`` to its baseline; -1: it takes them out (leave-one-out)
    note: str = ""  # one line for the report


@dataclass(frozen=True)
class Job:
    """One training run to do and score."""

    id: str
    benchmark: str
    steps: int
    variant: str  # with "@tuneN" for the evaluation of a tuned variant
    seed: int
    preset: str
    overrides: tuple[str, ...]  # the variant's overrides (tuned values are added when the job starts)
    baseline: str | None
    group: str
    tips: tuple[str, ...]
    effect: int
    eval_n: int
    phase: str = "eval"  # "eval" or "tune"
    trial: int | None = None  # tuning trial number
    tune: int = 0  # trials behind this job's values (0: untuned)
    base_variant: str = ""  # the variant without "@tuneN"
    note: str = ""  # the variant's one line for the report

    @property
    def cell(self) -> tuple[str, int, str]:
        """``(benchmark, steps, variant)``: the jobs whose seeds are pooled in one statistic."""
        return (self.benchmark, self.steps, self.variant)

    def spec(self, params: dict[str, str] | None = None) -> dict[str, Any]:
        """The JSON form a worker receives (``params``: tuned ``section.field -> value`` added as overrides)."""
        params = dict(params or {})
        overrides = list(self.overrides) + [f"{k}={v}" for k, v in params.items()]
        config = job_config(self.benchmark, self.preset, overrides, self.seed, self.steps)
        return {
            "job": self.id,
            "benchmark": self.benchmark,
            "steps": self.steps,
            "variant": self.variant,
            "seed": self.seed,
            "preset": self.preset,
            "overrides": overrides,
            "params": params,
            "baseline": self.baseline,
            "group": self.group,
            "tips": list(self.tips),
            "effect": self.effect,
            "phase": self.phase,
            "trial": self.trial,
            "tune": self.tune,
            "eval_n": self.eval_n,
            "note": self.note,
            "config_hash": config_hash(config),
        }


@dataclass(frozen=True)
class TuneCell:
    """An N-trial search over one variant's learning rates (and penalty weight) on one benchmark and budget."""

    benchmark: str
    steps: int
    variant: Variant
    trials: int
    eval_n: int
    space: tuple[tuple[str, float, float], ...]  # (config key, low, high), searched log-uniformly

    @property
    def key(self) -> str:
        return f"{self.benchmark}/{self.steps}/{self.variant.name}"

    def trial_job(self, k: int) -> Job:
        """Trial ``k`` (its tuned values are chosen when it starts, from the trials before it)."""
        v = self.variant
        return Job(
            id=f"{self.key}/tune{self.trials}-t{k}",
            benchmark=self.benchmark,
            steps=self.steps,
            variant=v.name,
            seed=TUNE_SEED_BASE + k,
            preset=v.preset,
            overrides=v.overrides,
            baseline=None,
            group=v.group,
            tips=v.tips,
            effect=v.effect,
            eval_n=self.eval_n,
            phase="tune",
            trial=k,
            tune=self.trials,
            base_variant=v.name,
            note=v.note,
        )


@dataclass
class Plan:
    """Everything a suite run does, checked."""

    suite: Suite
    seeds: tuple[int, ...]
    tune: int  # trials per variant (0: no tuning)
    variants: dict[str, list[Variant]]  # benchmark -> its variants
    jobs: list[Job]  # evaluation jobs in the order they start (tuned ones wait for their search)
    cells: list[TuneCell] = field(default_factory=list)  # the searches (empty without --tune)
    skipped: list[dict[str, str]] = field(default_factory=list)  # derived variants that cannot run somewhere

    def all_ids(self) -> list[str]:
        """Ids of every job of the plan, tuning trials included."""
        trials = [c.trial_job(k).id for c in self.cells for k in range(c.trials)]
        return trials + [j.id for j in self.jobs]

    def describe(self) -> str:
        """One line: how many jobs of what."""
        n_variants = len({v.name for vs in self.variants.values() for v in vs})
        trials = sum(c.trials for c in self.cells)
        tune = f" + {trials} tuning trials ({self.tune} per variant)" if self.tune else ""
        return (
            f"suite {self.suite.name}: {len(self.jobs)} jobs{tune}: {len(self.variants)} benchmarks x "
            f"{n_variants} variants x {len(self.seeds)} seeds"
        )


def job_config(benchmark: str, preset: str, overrides: list[str] | tuple[str, ...], seed: int, steps: int) -> RunConfig:
    """The resolved config of one job: the preset for the benchmark's data (with that data family's
    defaults), on the CPU, then the variant's overrides, the seed and the budget."""
    bench = get_benchmark(benchmark)
    tail = [f"train.seed={seed}", f"train.steps={steps}"]
    return apply_overrides(_preset(preset, bench.data), ["train.device=cpu", *overrides, *tail])


def spec_config(spec: dict[str, Any]) -> RunConfig:
    """The resolved config of a job spec (what its worker trains)."""
    return job_config(spec["benchmark"], spec["preset"], spec["overrides"], spec["seed"], spec["steps"])


def same_config(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether a config recorded earlier (JSON form) is ``new`` as it was then: every field it had is unchanged.

    Fields added to ganhacks since (absent from ``old``) are ignored, so a suite resumes across an
    upgrade that only adds options; a changed preset or variant value does not pass.
    """
    for section, fields in old.items():
        now = new.get(section)
        if isinstance(fields, dict) and isinstance(now, dict):
            if any(now.get(k, object()) != v for k, v in fields.items()):
                return False
        elif now != fields:
            return False
    return True


def config_hash(config: RunConfig) -> str:
    """A fingerprint of a resolved config (16 hex digits of its canonical JSON's SHA-256)."""
    text = json.dumps(to_dict(config), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def search_space(config: RunConfig) -> tuple[tuple[str, float, float], ...]:
    """What ``--tune`` searches for a config: both learning rates, and the penalty weight when there is a penalty."""
    space = [("optim.g_lr", *LR_RANGE), ("optim.d_lr", *LR_RANGE)]
    if config.loss.penalty != "none":
        space.append(("loss.penalty_weight", *PENALTY_RANGE))
    return tuple(space)


def cannot_build(config: RunConfig, dataset: Dataset) -> str | None:
    """Why a trainer cannot be built from ``config`` on ``dataset`` (None when it can)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. T11's balancer warns on creation; this is a dry build
            Trainer(config, callbacks=[], dataset=dataset)
    except UserError as exc:
        return str(exc)
    return None


def _forbidden(bench: Benchmark, overrides: tuple[str, ...]) -> str | None:
    keys = {o.partition("=")[0].strip() for o in overrides}
    hit = sorted(keys & set(bench.forbidden))
    return f"{bench.name} forbids {', '.join(hit)}: {bench.forbidden_why}" if hit else None


@functools.cache
def _preset(name: str, data: str) -> RunConfig:
    return preset_config(name, data)  # configs are frozen: one resolution per preset and data is enough


class _Builder:
    """Resolves and checks configs on one benchmark, building each distinct config once."""

    def __init__(self, benchmark: str, steps: int) -> None:
        self.bench = get_benchmark(benchmark)
        self.steps = steps
        self.dataset: Dataset | None = None
        self.verdicts: dict[str, str | None] = {}

    def config(self, preset: str, overrides: tuple[str, ...]) -> RunConfig:
        return job_config(self.bench.name, preset, overrides, 0, self.steps)

    def why_not(self, preset: str, overrides: tuple[str, ...]) -> str | None:
        """Why ``preset`` + ``overrides`` cannot run here (None when it can): a forbidden field, a bad
        value, or a trainer that refuses to build on this benchmark's data."""
        reason = _forbidden(self.bench, overrides)
        if reason:
            return reason
        try:
            config = self.config(preset, overrides)
        except UserError as exc:
            return str(exc)
        key = config_hash(config)
        if key not in self.verdicts:
            if self.dataset is None:
                self.dataset = load_data(config)
            self.verdicts[key] = cannot_build(config, self.dataset)
        return self.verdicts[key]


def _explicit(defn: VariantDef) -> Variant:
    return Variant(defn.name, defn.preset, defn.overrides, defn.baseline, defn.group, defn.tips, defn.effect, defn.note)


def derived_variants(
    gen: Generate, bench: Benchmark, config: Callable[[str, tuple[str, ...]], RunConfig]
) -> tuple[list[Variant], list[dict[str, str]]]:
    """The leave-one-out and add-one-in variants ``gen`` asks for on ``bench``, from the presets as
    ``config(preset, overrides)`` resolves them now. Cheap rules only (no trainer is built): those
    for the other data kind, setting a field the benchmark forbids, missing what they need, or
    changing nothing come back as skipped, with the reason."""
    toggles = [get_toggle(t) for t in gen.toggles] if gen.toggles is not None else list(TOGGLES)
    on_src, off_src = config(ON_SOURCE, ()), config(OFF_SOURCE, ())
    out: list[Variant] = []
    skipped: list[dict[str, str]] = []
    families = [(p, -1) for p in gen.leave_one_out] + [(p, 1) for p in gen.add_one_in]
    for preset, effect in families:
        base = config(preset, ())
        for t in toggles:
            if t.is_on(base) != (effect < 0):
                continue  # leave-one-out needs it on in the preset, add-one-in needs it off
            overrides = off_overrides(t, off_src) if effect < 0 else on_overrides(t, on_src)
            name = f"{preset}{'-' if effect < 0 else '+'}{t.id}"
            reason = None if bench.kind in t.kinds else f"{t.id} changes only {' and '.join(t.kinds)} models"
            reason = reason or _forbidden(bench, overrides)
            if reason is None:
                variant = config(preset, overrides)
                if effect > 0 and t.needs and config(preset, (*overrides, *t.needs)) != variant:
                    reason = f"{t.id} needs {', '.join(t.needs)}, which {preset} does not set"
                elif variant == base:
                    reason = "changes nothing in this preset"
                elif t.is_on(variant) != (effect > 0):
                    reason = "the overrides do not switch it here"
            if reason:
                skipped.append({"benchmark": bench.name, "variant": name, "reason": reason})
                continue
            family = "leave-one-out" if effect < 0 else "add-one-in"
            what = "without" if effect < 0 else "with"
            out.append(Variant(name, preset, overrides, preset, family, t.tips, effect, f"{preset} {what} {t.title}"))
    return out, skipped


def _is_pattern(text: str) -> bool:
    return any(c in text for c in "*?[")


def candidate_variants(
    suite: Suite, bench_plan: BenchmarkPlan, config: Callable[[str, tuple[str, ...]], RunConfig]
) -> tuple[list[Variant], list[Variant], list[dict[str, str]]]:
    """``(chosen, all available, skipped)`` variants of one [benchmarks] table, in order: hand-written,
    then presets, then derived; ``chosen`` are those its ``variants`` patterns select (cheap: no builds)."""
    explicit = [_explicit(d) for d in suite.variants]
    names = {v.name for v in explicit}
    presets = dict.fromkeys(suite.generate.leave_one_out + suite.generate.add_one_in)
    auto = [Variant(p, p, (), None, "preset") for p in presets if p not in names]
    derived, skipped = derived_variants(suite.generate, get_benchmark(bench_plan.name), config)
    everything = explicit + auto + [v for v in derived if v.name not in names]
    return [v for v in everything if matches(v.name, bench_plan.variants)], everything, skipped


def variants_on(
    suite: Suite, bench_plan: BenchmarkPlan, builder: _Builder
) -> tuple[list[Variant], list[dict[str, str]]]:
    """The checked variants of one [benchmarks] table: every name it lists exists, every variant's
    trainer builds on the benchmark's data, every baseline runs there too."""
    chosen, everything, skipped = candidate_variants(suite, bench_plan, builder.config)
    available = {v.name for v in everything}
    for pattern in bench_plan.variants or ():
        if not _is_pattern(pattern) and pattern not in available:
            why = next((s["reason"] for s in skipped if s["variant"] == pattern), None)
            raise UserError(
                f"[benchmarks.{bench_plan.label}] names variant '{pattern}', which "
                + (f"cannot run there: {why}" if why else "is not defined in [variants] nor derived by [generate]")
            )
    if not chosen:
        raise UserError(f"[benchmarks.{bench_plan.label}]: no variant selected; check its variants list")
    kept = []
    for v in chosen:
        reason = builder.why_not(v.preset, v.overrides)
        if reason and v.group in ("leave-one-out", "add-one-in"):
            skipped.append({"benchmark": bench_plan.name, "variant": v.name, "reason": reason})
            continue
        if reason:
            raise UserError(f"variant '{v.name}' cannot run on benchmark {bench_plan.name}: {reason}")
        kept.append(v)
    chosen_names = {v.name for v in kept}
    for v in kept:
        if v.baseline is not None and v.baseline not in chosen_names:
            raise UserError(
                f"variant '{v.name}' on {bench_plan.name} is compared with '{v.baseline}', which does not run "
                f"there; add '{v.baseline}' to [benchmarks.{bench_plan.label}] variants or set the variant's baseline"
            )
        bad = [o for o in v.overrides if o.partition("=")[0].strip() in SUITE_SETS]
        if bad:
            raise UserError(
                f"variant '{v.name}' sets {bad[0]}; the suite sets data, seed and steps per job "
                "(use [benchmarks.NAME] steps and --seeds)"
            )
    return kept, skipped


def _tuned(v: Variant, n: int) -> Variant:
    return Variant(
        f"{v.name}@tune{n}",
        v.preset,
        v.overrides,
        f"{v.baseline}@tune{n}" if v.baseline else None,
        v.group,
        v.tips,
        v.effect,
        v.note,
    )


def make_plan(suite: Suite, seeds: int | None = None, tune: int = 0) -> Plan:
    """Every job of ``suite`` with ``seeds`` evaluation seeds (default: the suite's) and ``tune`` trials per variant.

    Raises:
        UserError: a bad seed or trial count, or a variant that cannot run where the suite puts it.
    """
    n_seeds = suite.seeds if seeds is None else seeds
    if n_seeds < 1 or n_seeds > TUNE_SEED_BASE:
        raise UserError(f"--seeds must be between 1 and {TUNE_SEED_BASE:,}; got {n_seeds}")
    if tune < 0:
        raise UserError(f"--tune must be >= 0 trials; got {tune}")
    seed_list = tuple(range(n_seeds))
    variants: dict[str, list[Variant]] = {}
    skipped: list[dict[str, str]] = []
    cells: list[TuneCell] = []
    per_table: dict[str, list[Variant]] = {}
    builders: dict[str, _Builder] = {}
    for bp in suite.benchmarks:
        bench = get_benchmark(bp.name)
        builder = builders.setdefault(bp.name, _Builder(bp.name, bp.steps[0]))
        chosen, why = variants_on(suite, bp, builder)
        per_table[bp.label] = chosen
        known = {v.name for v in variants.get(bp.name, [])}
        variants.setdefault(bp.name, []).extend(v for v in chosen if v.name not in known)
        skipped += [s for s in why if s not in skipped]
        if tune:
            for steps in bp.steps:
                for v in chosen:
                    if not any(c.key == f"{bp.name}/{steps}/{v.name}" for c in cells):
                        space = search_space(builder.config(v.preset, v.overrides))
                        cells.append(TuneCell(bp.name, steps, v, tune, bp.eval_n or bench.eval_n, space))
    jobs: dict[str, Job] = {}
    for seed in seed_list:  # seed-major: an interrupted suite holds complete pairs for its first seeds
        for bp in suite.benchmarks:
            n = bp.eval_n or get_benchmark(bp.name).eval_n
            for steps in bp.steps:
                chosen = per_table[bp.label]
                for v in chosen + ([_tuned(v, tune) for v in chosen] if tune else []):
                    job = Job(
                        id=f"{bp.name}/{steps}/{v.name}/{seed}",
                        benchmark=bp.name,
                        steps=steps,
                        variant=v.name,
                        seed=seed,
                        preset=v.preset,
                        overrides=v.overrides,
                        baseline=v.baseline,
                        group=v.group,
                        tips=v.tips,
                        effect=v.effect,
                        eval_n=n,
                        tune=tune if "@" in v.name else 0,
                        base_variant=v.name.split("@")[0],
                        note=v.note,
                    )
                    if jobs.setdefault(job.id, job) != job:
                        raise UserError(
                            f"job {job.id} is defined twice with different settings (eval_n?); "
                            "give each [benchmarks] table of one benchmark other budgets or the same settings"
                        )
    return Plan(suite, seed_list, tune, variants, list(jobs.values()), cells, skipped)
