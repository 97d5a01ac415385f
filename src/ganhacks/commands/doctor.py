"""``ganhacks doctor PATH...``: audit GAN source code against the 17 tips (T01..T17)."""

from __future__ import annotations

import argparse
import sys

HELP = "Check your own GAN code against each of the 17 tips (static: never imports or runs it)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="Python files or folders to audit")
    parser.add_argument(
        "--format",
        choices=("text", "json", "sarif"),
        default="text",
        help="output format: text table (default), json (documented schema) or sarif (SARIF 2.1.0)",
    )
    parser.add_argument("--select", metavar="IDS", help="only these tips, comma-separated (e.g. T02,T05)")
    parser.add_argument("--ignore", metavar="IDS", help="skip these tips, comma-separated (e.g. T07,T15)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")


def run(args: argparse.Namespace) -> int:
    from ganhacks.doctor import audit, load_config
    from ganhacks.doctor.config import check_tip_ids
    from ganhacks.doctor.formats import FORMATS
    from ganhacks.errors import UserError

    select = check_tip_ids("--select", args.select) if args.select else None
    ignore = check_tip_ids("--ignore", args.ignore) if args.ignore else None
    config = load_config(args.paths[0], select=select, ignore=ignore)
    report = audit(args.paths, config)
    write = FORMATS.get(args.format)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                write(report, fh)
        except OSError as exc:
            raise UserError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    else:
        write(report, None if args.format == "text" else sys.stdout)
    return report.exit_code
