"""``ganhacks report RUN``: one self-contained HTML report of a run (tip T10)."""

from __future__ import annotations

import argparse
import sys

HELP = "Build report.html for a run folder: curves, symptom timeline, sample grids, metrics (opens offline)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", metavar="RUN", help="run folder written by 'ganhacks train'")
    parser.add_argument("--out", metavar="FILE", help="where to write the HTML (default: RUN/report.html)")


def run(args: argparse.Namespace) -> int:
    from ganhacks.monitor.report import build_report

    path, skipped = build_report(args.run, args.out)
    for note in skipped:
        print(f"skipped: {note}", file=sys.stderr)
    print(f"wrote {path}")
    return 0
