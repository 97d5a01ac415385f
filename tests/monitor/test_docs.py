"""docs/monitor.md's figures come from the JSON files its benchmarks wrote: the generated blocks are
exactly what the benchmarks' renderers make of those files."""

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


@pytest.mark.parametrize(
    "tag, json_name, render",
    [("validity", "monitor_validity.json", render_validity), ("cost", "monitor_cost.json", render_cost)],
)
def test_generated_blocks_match_their_json(tag, json_name, render):
    command, text = block((DOCS / "monitor.md").read_text(), tag)
    assert json_name in command  # the command that regenerates it is written next to it
    assert text == render(json.loads((DOCS / json_name).read_text()))


def test_every_number_outside_the_blocks_is_a_default_or_comes_from_the_json():
    doc = (DOCS / "monitor.md").read_text()
    for tag in ("validity", "cost"):
        doc = re.sub(rf"<!-- {tag}: .*?<!-- /{tag} -->", "", doc, flags=re.S)
    prose = doc.split("## Measured validity", 1)[1]  # the measurements' sections, blocks removed
    numbers = set(re.findall(r"\d+\.\d+", prose))
    data = (DOCS / "monitor_validity.json").read_text() + (DOCS / "monitor_cost.json").read_text()
    missing = sorted(n for n in numbers if n not in data)
    assert not missing, f"figures in docs/monitor.md that no JSON holds: {missing}"
