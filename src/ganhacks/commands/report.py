"""``ganhacks report RUN``: one self-contained HTML report of a run (tip T10); ``--watch`` keeps it live."""

from __future__ import annotations

import argparse
import sys

from ganhacks.errors import UserError

HELP = "Build report.html for a run folder: curves, incidents, sample grids, metrics (opens offline; --watch: live)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", metavar="RUN", help="run folder written by 'ganhacks train'")
    parser.add_argument("--out", metavar="FILE", help="where to write the HTML (default: RUN/report.html)")
    parser.add_argument(
        "--watch",
        action="store_true",
        help="re-render while the run goes; the page reloads itself in the browser (no server) until the run ends",
    )
    parser.add_argument("--every", type=float, default=5.0, metavar="S", help="--watch: seconds between updates")
    parser.add_argument(
        "--idle", type=float, default=600.0, metavar="S", help="--watch: stop after this long without any change"
    )


def run(args: argparse.Namespace) -> int:
    from ganhacks.monitor.report import build_report, watch_report

    if not args.watch:
        path, skipped = build_report(args.run, args.out)
        for note in skipped:
            print(f"skipped: {note}", file=sys.stderr)
        print(f"wrote {path}")
        return 0
    if not args.every > 0 or not args.idle > 0:
        raise UserError(f"--every and --idle must be > 0 seconds, got {args.every} and {args.idle}")

    def said(path, final):
        if final:
            print(f"wrote {path} (final: the run is over or idle)", flush=True)

    print(f"watching {args.run}: open the report in a browser; it reloads every {args.every:g} s", flush=True)
    try:
        watch_report(args.run, args.out, args.every, args.idle, on_render=said)
    except KeyboardInterrupt:
        path, _ = build_report(args.run, args.out)
        print(f"wrote {path} (final: interrupted)")
    return 0
