"""docs/monitor.md's figures come from the JSON files its benchmarks wrote: the generated blocks are
exactly what the benchmarks' renderers make of those files (every other figure of the page is
checked against the same files by tests/test_docs_figures.py)."""

import json
import re
from pathlib import Path

import pytest
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
                "monitor_validity_fresh11.json",  # the held-out part, then the in-sample ones as the columns show them
                "monitor_validity_fresh10.json",
                "monitor_validity_fresh9_range.json",
                "monitor_validity_fresh8.json",
                "monitor_validity_fresh7.json",
                "monitor_validity_fresh6.json",
                "monitor_validity_fresh5.json",
                "monitor_validity_fresh4.json",
                "monitor_validity_fresh3.json",
                "monitor_validity_fresh2.json",
                "monitor_validity_fresh.json",
                "monitor_validity_new.json",
                "monitor_validity_seen.json",
                "monitor_validity_tune.json",
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
    names = ("_fresh11", "_tune", "_seen", "_new", "_fresh")
    names += ("_fresh2", "_fresh3", "_fresh4", "_fresh5", "_fresh6", "_fresh7", "_fresh8", "_fresh9", "_fresh9_stalled")
    names += ("_fresh9_range", "_fresh10")
    parts = [load(f"monitor_validity{x}.json") for x in names]
    assert [p["split"] for p in parts] == [
        "fresh11",
        "tune",
        "test",
        "new",
        "fresh",
        "fresh2",
        "fresh3",
        "fresh4",
        "fresh5",
        "fresh6",
        "fresh7",
        "fresh8",
        "fresh9",
        "fresh9",
        "fresh9",
        "fresh10",
    ]
    for part in parts:
        assert {r["split"] for r in part["runs"]} == {part["split"]}
    # all measured with the same settings (the held-out part as first scored; the in-sample parts re-scored since)
    assert all(p["config"] == parts[0]["config"] for p in parts)
