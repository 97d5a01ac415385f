"""Ablations derived from the presets at run time, and the plan's checks."""

import pytest

from ganhacks.bench.benchmarks import get_benchmark
from ganhacks.bench.plan import derived_variants, job_config, make_plan
from ganhacks.bench.suite import Generate, parse_suite
from ganhacks.bench.toggles import TOGGLES, field_value, get_toggle
from ganhacks.train.config import apply_overrides, to_dict
from ganhacks.train.presets import preset_config


def config_on(bench):
    return lambda preset, overrides: job_config(bench, preset, overrides, 0, 100)


def diff(a, b):
    """The section.field keys whose values differ between two configs."""
    da, db = to_dict(a), to_dict(b)
    return {f"{s}.{k}" for s in da if isinstance(da[s], dict) for k in da[s] if da[s][k] != db[s][k]}


def test_leave_one_out_turns_off_exactly_one_toggle_of_recommended():
    config = config_on("ring8")
    variants, _ = derived_variants(Generate(leave_one_out=("recommended",)), get_benchmark("ring8"), config)
    rec = config("recommended", ())
    expected = {t.id for t in TOGGLES if t.is_on(rec) and "points" in t.kinds}
    assert {v.name.removeprefix("recommended-") for v in variants} == expected
    for v in variants:
        t = get_toggle(v.name.removeprefix("recommended-"))
        changed = config("recommended", v.overrides)
        assert not t.is_on(changed) and diff(changed, rec) <= set(t.fields)
        assert v.baseline == "recommended" and v.effect == -1 and v.tips == t.tips


def test_add_one_in_takes_values_from_recommended_where_it_shows_them():
    config = config_on("ring8")
    variants, skipped = derived_variants(Generate(add_one_in=("vanilla",)), get_benchmark("ring8"), config)
    by_name = {v.name: v for v in variants}
    rec = config("recommended", ())
    # S07 (EMA) is off in recommended for points (docs/EVIDENCE.md): vanilla+S07 takes the table's decay ...
    assert rec.tricks.ema_decay == 0
    assert by_name["vanilla+S07"].overrides == get_toggle("S07").on
    # ... and on for images, where vanilla+S07 uses recommended's decay, not the table's
    on_images = config_on("digits")
    image_variants, _ = derived_variants(Generate(add_one_in=("vanilla",)), get_benchmark("digits"), on_images)
    image_s07 = {v.name: v for v in image_variants}["vanilla+S07"]
    decay = field_value(on_images("recommended", ()), "tricks.ema_decay")
    assert float(decay) > 0 and f"tricks.ema_decay={decay}" != get_toggle("S07").on[0]
    assert image_s07.overrides == (f"tricks.ema_decay={decay}",)
    # T08 (replay) is off in recommended: the table's values
    assert by_name["vanilla+T08"].overrides == get_toggle("T08").on
    assert all(v.baseline == "vanilla" and v.effect == 1 for v in variants)
    reasons = {s["variant"]: s["reason"] for s in skipped}
    assert "needs tricks.latent=gaussian" in reasons["vanilla+T07"]  # the encoder needs a Gaussian z
    assert "changes only images models" in reasons["vanilla+S06"]
    assert "forbids model.conditioning" in reasons["vanilla+T16"]


def test_variants_follow_the_presets_as_they_are_when_the_suite_runs():
    # a recommended without EMA: no recommended-S07 any more, and vanilla+S07 falls back to the table's decay
    def config(preset, overrides):
        base = ["tricks.ema_decay=0.0"] if preset == "recommended" else []
        return apply_overrides(job_config("ring8", preset, (), 0, 100), [*base, *overrides])

    gen = Generate(leave_one_out=("recommended",), add_one_in=("vanilla", "recommended"))
    names = {v.name: v for v in derived_variants(gen, get_benchmark("ring8"), config)[0]}
    assert "recommended-S07" not in names and "recommended+S07" in names
    assert names["vanilla+S07"].overrides == get_toggle("S07").on


def test_images_get_the_image_toggles():
    variants, _ = derived_variants(Generate(add_one_in=("vanilla",)), get_benchmark("digits"), config_on("digits"))
    names = {v.name for v in variants}
    assert {"vanilla+S05", "vanilla+S06", "vanilla+T05.up", "vanilla+T12", "vanilla+T16"} <= names


def test_plan_skips_derived_variants_whose_trainer_refuses_and_keeps_the_rest():
    suite = parse_suite(
        """
        [benchmarks.ring8]
        steps = [10]
        [generate]
        add_one_in = ["vanilla"]
        toggles = ["T07", "S07"]
        """
    )
    plan = make_plan(suite, 1)
    assert [v.name for v in plan.variants["ring8"]] == ["vanilla", "vanilla+S07"]
    assert any(s["variant"] == "vanilla+T07" for s in plan.skipped)


def test_every_toggle_switches_what_it_claims():
    for t in TOGGLES:
        base = preset_config("vanilla")
        on = apply_overrides(base, list(t.on))
        off = apply_overrides(on, list(t.off))
        assert t.is_on(on), t.id
        assert not t.is_on(off), t.id
        assert {o.partition("=")[0] for o in t.on + t.off} == set(t.fields)


def test_two_tables_of_one_benchmark_share_jobs_without_duplicates():
    suite = parse_suite(
        """
        seeds = 2
        [benchmarks.ring8]
        steps = [10]
        [benchmarks.ring8-long]
        benchmark = "ring8"
        steps = [10, 30]
        variants = ["recommended"]
        [variants.recommended]
        preset = "recommended"
        baseline = ""
        [variants.hinge]
        set = ["loss.name=hinge", "loss.smoothing=none"]
        """
    )
    ids = make_plan(suite).all_ids()
    assert len(ids) == len(set(ids)) == 2 * 3  # (rec, hinge at 10) + (rec at 30), 2 seeds
    assert "ring8/30/recommended/1" in ids and "ring8/30/hinge/0" not in ids


@pytest.mark.parametrize("name", ["ring8", "grid25", "digits", "stacked_digits"])
def test_job_config_uses_the_benchmark_data_on_the_cpu(name):
    c = job_config(name, "recommended", ["loss.name=hinge", "loss.smoothing=none"], 3, 40)
    assert (c.data.name, c.train.seed, c.train.steps, c.train.device, c.loss.name) == (name, 3, 40, "cpu", "hinge")
