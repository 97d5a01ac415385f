"""The jump test's recheck in either order, measured and not adopted (docs/monitor.md, after fresh10).

grad_explode's jump test asks each net's update size to clear ``update_jump`` times its earlier median at the layer
reading and ``recheck_share`` of that bar at the recheck ``jump_recheck`` steps later. fresh10's two SGD-ramp misses
were caught on the way up: under the bar at the reading, over it at the recheck. This replays the validity records
with the test asking the full bar at either of the two (``update_jumps(..., either=True)``) beside the rule as it is:
per part, the largest statistic in healthy runs (and before the cause in failing ones), and the failing runs whose
first statistic at or over the bar after the cause moves.

Usage:
    python benchmarks/monitor_jump_either.py tune.pkl.gz test.pkl.gz ... --json docs/monitor_jump_either.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from ganhacks.monitor import MonitorConfig
from monitor_validity import _healthy_and_first, _load, update_jumps


def compare(records: list[dict], config: MonitorConfig) -> dict:
    """Both statistics on one part's records: healthy maxima, and the failing runs whose first crossing moves."""
    bar = config.update_jump
    now = _healthy_and_first(records, lambda r: update_jumps(r, config), bar)
    tried = _healthy_and_first(records, lambda r: update_jumps(r, config, either=True), bar)
    first_now, first_tried = now["failing_first_at_or_above"], tried["failing_first_at_or_above"]
    moved = {
        run: [first_now.get(run, [None])[0], step]
        for run, (step, _) in sorted(first_tried.items())
        if first_now.get(run, [None])[0] != step
    }
    return {"healthy_max": now["healthy_max"], "healthy_max_either": tried["healthy_max"], "first_moved": moved}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", nargs="+", help="record files written by monitor_validity.py run --out")
    parser.add_argument("--json", required=True)
    args = parser.parse_args(argv)
    config = MonitorConfig()
    parts = {Path(p).name.split(".")[0]: compare(_load(p), config) for p in args.records}
    out = {"command": "python benchmarks/monitor_jump_either.py " + " ".join(sys.argv[1:]), "bar": config.update_jump}
    Path(args.json).write_text(json.dumps({**out, "parts": parts}, indent=1) + "\n")
    for name, part in parts.items():
        maxima = f"{part['healthy_max']:.2f} -> {part['healthy_max_either']:.2f}"
        print(f"{name:8s} healthy max {maxima}; moved {part['first_moved']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
