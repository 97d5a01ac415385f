"""docs/monitor.md's figures come from the JSON files its benchmarks wrote: the generated blocks are
exactly what the benchmarks' renderers make of those files (every other figure of the page is
checked against the same files by tests/test_docs_figures.py)."""

import json
import re
from pathlib import Path

import pytest
from benchmarks.monitor_corpus import SPLITS
from benchmarks.monitor_cost import render as render_cost
from benchmarks.monitor_validity import render as render_validity

DOCS = Path(__file__).parents[2] / "docs"


def block(doc, tag):
    m = re.search(rf"<!-- {tag}: (.*?) -->\n(.*?)\n<!-- /{tag} -->", doc, re.S)
    assert m, f"no {tag} block in docs/monitor.md"
    return m.group(1), m.group(2)


def load(name):
    return json.loads((DOCS / name).read_text())


@pytest.mark.parametrize(
    "tag, json_names, render",
    [
        (
            "validity",
            (
                "monitor_validity_fresh21.json",  # the held-out part, then the in-sample ones as the columns show them
                "monitor_validity_fresh20.json",
                "monitor_validity_fresh19_slow.json",
                "monitor_validity_fresh18_slow.json",
                "monitor_validity_fresh17_slow.json",
                "monitor_validity_fresh16_slow.json",
                "monitor_validity_fresh15_slow.json",
                "monitor_validity_fresh14_slow.json",
                "monitor_validity_fresh13.json",
                "monitor_validity_fresh12.json",
                "monitor_validity_fresh11_rounds.json",
                "monitor_validity_fresh10_lr.json",
                "monitor_validity_fresh9_rounds.json",
                "monitor_validity_fresh8_lr.json",
                "monitor_validity_fresh7_lr.json",
                "monitor_validity_fresh6_lr.json",
                "monitor_validity_fresh5_lr.json",
                "monitor_validity_fresh4_lr.json",
                "monitor_validity_fresh3.json",
                "monitor_validity_fresh2.json",
                "monitor_validity_fresh.json",
                "monitor_validity_new.json",
                "monitor_validity_seen_lr.json",
                "monitor_validity_tune_lr.json",
            ),
            render_validity,
        ),
        ("cost", ("monitor_cost.json",), render_cost),
    ],
)
def test_generated_blocks_match_their_json(tag, json_names, render):
    command, text = block((DOCS / "monitor.md").read_text(), tag)
    assert all(name in command for name in json_names)  # the command that regenerates it is written next to it
    assert text == render(*(load(name) for name in json_names))


def test_the_held_out_figures_come_from_the_held_out_part():
    """Each part's scores hold its own runs only; the in-sample columns beside the held-out part share its settings,
    but for the ones added by rounds after their last scoring (those rounds' runs measured in their own JSONs)."""
    current = (
        "_fresh21",
        "_fresh20",
        "_fresh19_slow",
        "_fresh18_slow",
        "_fresh17_slow",
        "_fresh16_slow",
        "_fresh15_slow",
    )
    current += ("_fresh14_slow",)
    current += ("_fresh13", "_fresh12", "_fresh11_rounds", "_fresh10_lr")
    current += ("_fresh9_rounds", "_fresh8_lr")
    current += ("_fresh7_lr", "_fresh6_lr", "_fresh5_lr", "_fresh4_lr", "_fresh3", "_fresh2", "_fresh", "_new")
    current += ("_seen_lr", "_tune_lr")
    splits = list(reversed(SPLITS))  # every part of the corpus, newest (the held-out one) first
    if not (DOCS / f"monitor_validity_{splits[0]}.json").exists():
        splits = splits[1:]  # the newest part is committed before its one run and score: no column yet
    parts = [load(f"monitor_validity{x}.json") for x in current]
    assert [p["split"] for p in parts] == splits
    # the held-out scores of the rounds before (each part's one score while it was held out, and the rounds' steps)
    earlier = ("_fresh11", "_fresh10", "_fresh9", "_fresh9_stalled", "_fresh9_range", "_fresh8", "_fresh7", "_fresh6")
    earlier += ("_fresh11_lr", "_fresh9_lr", "_fresh17", "_fresh17_either", "_fresh16", "_fresh15", "_fresh14")
    earlier += ("_fresh19", "_fresh18", "_fresh17_minimax", "_fresh16_minimax", "_fresh15_minimax", "_fresh14_minimax")
    earlier += ("_fresh5", "_fresh4", "_seen", "_tune")
    for part in parts + [load(f"monitor_validity{x}.json") for x in earlier]:
        assert {r["split"] for r in part["runs"]} == {part["split"]}
    # rounds after an in-sample column was scored added settings its JSON lacks (their records were not kept): every
    # run those rules can change was run again with them (a swapped optimiser: docs/monitor_settle.json; a batch off
    # scale: docs/monitor_range.json; a learning rate ramped or stepped up: docs/monitor_ramp_slow.json); every setting
    # a column has is the held-out part's
    added = ("settle_recheck", "outlier_range", "settle_either", "minimax_p")
    added += ("ramp_slow_checks", "ramp_slow_rise", "ramp_slow_growth")
    held = parts[0]["config"]
    assert held["settle_recheck"] is True and held["outlier_range"] == 4.0
    assert held["settle_either"] is True and held["minimax_p"] == 0.5
    assert held["ramp_slow_checks"] == 3 and held["ramp_slow_growth"] == 2.25
    for p in parts[1:]:
        assert all(held[k] == v for k, v in p["config"].items()) and set(held) - set(p["config"]) <= set(added)
    for name in (
        "monitor_settle.json",
        "monitor_range.json",
        "monitor_found.json",
        "monitor_settle_either.json",
        "monitor_minimax.json",
        "monitor_ramp_slow.json",
    ):
        assert all(r["split"] in splits for r in load(name)["changed_runs"])
    # fresh11's held-out score came before the learning-rate round: the same settings but the ones added since
    held_out = load("monitor_validity_fresh11.json")["config"]
    assert held_out == {k: v for k, v in held.items() if k not in (*added, "lr_rise_read")}
