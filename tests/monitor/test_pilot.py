"""The validity pilot's verdicts (benchmarks/monitor_validity.py), read from the probe alone."""

import pytest
from benchmarks.monitor_validity import compare, compare_many, lead_bound, lowest_share, pilot, trains, update_growth


def probes(modes, finite=True):
    return [
        {"step": 50 * (i + 1), "finite": finite, "modes": m, "quality": 0.8, "copies": 0.0} for i, m in enumerate(modes)
    ]


def test_a_healthy_run_trains_when_it_ends_with_at_least_half_its_best_mode_coverage():
    assert trains(probes([0.3, 0.1, 0.05, 0.2]))  # a dip and a recovery (the stacked set-ups' usual course)
    assert trains(probes([0.6, 0.8, 1.0, 0.5]))  # exactly half: trains
    assert not trains(probes([0.37, 0.22, 0.02, 0.15]))  # fresh13's RAdam stacked pilot: a collapse, 0.41 of its best
    assert not trains(probes([1.0, 1.0, 1.0], finite=False))  # NaN samples at the end
    assert not trains([])


def test_the_pilot_says_which_healthy_set_ups_do_not_train_and_when_causes_become_visible():
    healthy = {"setup": "z_restart_ring18", "seed": 100, "probes": probes([1.0] * 12)}
    collapsed = {"setup": "z_radam_stacked", "seed": 100, "probes": probes([0.37, 0.3, 0.22, 0.1, 0.02, 0.05])}
    failing = {"setup": "z_restart_ring18+nan", "seed": 100, "probes": probes([1.0] * 8 + [0.0] * 4, finite=True)}
    lines = pilot([healthy, collapsed, failing])
    assert any(
        "z_restart_ring18 " in line
        and line.endswith(": trains; best probe 1.00 of the modes; lowest probe from step 200: 1.00 of best")
        for line in lines
    )
    assert any("z_radam_stacked " in line and "does NOT train" in line for line in lines)
    assert any("z_restart_ring18+nan" in line and line.endswith("visible at 450") for line in lines)


def test_the_lowest_probe_from_step_200_is_shown_as_a_share_of_the_best():
    # modes covered at 50, 100, ..., 350: down to one in ten at 200, ending well
    hopping = probes([0.6, 0.7, 0.3, 0.1, 0.5, 0.8, 0.7])
    assert trains(hopping) and lowest_share(hopping) == 0.125
    assert lowest_share(probes([0.0, 0.0])) == 0.0  # nothing from step 200 on, or nothing covered: no share


def test_compare_counts_each_cause_under_both_scores_and_lists_the_runs_that_changed():
    """Two scores of the same two runs: the ramp's first incident moves from a collapse (wrong) to the explosion
    (right), the healthy run keeps its one false alarm; a pair of scores of different runs is refused."""

    def scored(first, right):
        ramp = {"setup": "a+lr_ramp", "seed": 0, "split": "p", "cause": "lr_ramp", "false_alarms": []}
        ramp |= {"first_after": first, "first_step": 430, "right_first": right, "detected_anywhere": True}
        healthy = {"setup": "a", "seed": 0, "split": "p", "cause": None, "false_alarms": [[300, "oscillation"]]}
        return {"command": f"score {first}", "runs": [ramp, healthy]}

    out = compare(scored("mode_collapse", False), scored("grad_explode", True))
    assert out["before"]["lr_ramp"] == {"runs": 1, "right_first": 0, "detected": 1, "false_alarms": 0}
    assert out["after"]["lr_ramp"]["right_first"] == 1 and out["after"]["all"]["false_alarms"] == 1
    assert out["before"]["healthy"] == out["after"]["healthy"]
    assert [(c["setup"], c["before"], c["after"], c["right_after"]) for c in out["changed_runs"]] == [
        ("a+lr_ramp", ["mode_collapse", 430], ["grad_explode", 430], True)
    ]
    other = scored("grad_explode", True)
    other["runs"][0]["seed"] = 1
    with pytest.raises(SystemExit, match="different runs"):
        compare(scored("mode_collapse", False), other)
    # two record files, each scored without and with the rule: counts summed, changed runs and healthy maxima kept
    with_stats = scored("grad_explode", True) | {"summary": {"update_growth": {"healthy_max": 1.4}}}
    other_before = scored("grad_explode", True)
    other_before["runs"][0]["seed"] = 1
    many = compare_many([(scored("mode_collapse", False), with_stats), (other_before, other)])
    assert many["after"]["lr_ramp"] == {"runs": 2, "right_first": 2, "detected": 2, "false_alarms": 0}
    assert many["before"]["all"]["right_first"] == 1 and many["after"]["healthy"]["false_alarms"] == 2
    assert len(many["changed_runs"]) == 1 and many["healthy_max"] == {"update_growth": 1.4}


def test_the_lead_bound_is_the_steps_from_each_cause_to_its_visible_failure():
    """A run's lead cannot pass the steps from its cause to its visible failure: two visible runs of a part (their
    causes at step 400: visible at 450 and 700) allow leads of 50 and 300, median 175; a run never visible and a
    healthy one add nothing."""
    runs = [
        {"setup": "t_ring8_rec+strong_d", "cause": "strong_d", "visible_at": 450},
        {"setup": "t_ring8_rec+saturating", "cause": "saturating", "visible_at": 700},
        {"setup": "t_ring8_rec+strong_d", "cause": "strong_d", "visible_at": None},
        {"setup": "t_ring8_rec", "cause": None},
    ]
    out = lead_bound([{"split": "tune", "runs": runs}])
    want = {"visible_runs": 2, "cause_to_visible_median": 175, "runs_allowing_200": 1, "runs_visible_within_50": 1}
    assert out["parts"]["tune"] == want and out["all"] == want


def test_the_update_growth_is_the_smaller_nets_total_over_rises_that_each_clear_the_floor():
    """What the slower ramp clause compares with ramp_slow_growth: over D's and G's newest four readings, the smaller
    total growth, 0 where a rise among them is under ramp_slow_rise (1.1); readings before warmup do not count."""
    from ganhacks.monitor import MonitorConfig

    d = [1.0, 1.0, 1.2, 1.5, 2.0, 2.0]
    g = [1.0, 1.0, 1.5, 1.5 * 1.3, 1.5 * 1.3 * 1.2, 1.5 * 1.3 * 1.2 * 1.05]
    trace = [(100 + 50 * i, {"update_ratio/d": a, "update_ratio/g": b}) for i, (a, b) in enumerate(zip(d, g))]
    out = update_growth({"trace": trace}, MonitorConfig(warmup=100))
    # at 250: D 1.0 -> 1.5 (a first rise of 1.0: 0); at 300: D x2.0 and G x1.5 * 1.3 * 1.2 = 2.34: the smaller, 2.0
    assert [step for step, _ in out] == [250, 300, 350]
    assert out[0][1] == 0.0 and out[1][1] == pytest.approx(2.0) and out[2][1] == 0.0  # D's last rise: 1.0
    assert update_growth({"trace": trace}, MonitorConfig(warmup=150))[0][0] == 300  # the first reading at 150
