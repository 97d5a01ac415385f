"""``ganhacks doctor PATH...``: audit GAN source code against the 17 tips (T01..T17)."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

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
    parser.add_argument(
        "--fix",
        action="store_true",
        help="rewrite the code for mechanical tips (T01 data scaling, T02, T03, T05), then audit again",
    )
    parser.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; change nothing")
    parser.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="also apply fixes that may change training results beyond the tip (T09: Adam for G)",
    )


def _check_output(args: argparse.Namespace) -> Path:
    """``-o FILE`` after checking it replaces none of the user's files (the audited code above all)."""
    from ganhacks.doctor.formats import SUFFIXES, is_doctor_output
    from ganhacks.outputs import OutputKind, check_output

    suffixes = SUFFIXES[args.format]
    kind = OutputKind("a report of ganhacks doctor", f"doctor{suffixes[0]}", suffixes, is_doctor_output)
    return check_output(args.output, kind, inputs=args.paths, option="-o")


def run(args: argparse.Namespace) -> int:
    from ganhacks.doctor import audit, load_config
    from ganhacks.doctor.config import check_tip_ids
    from ganhacks.doctor.formats import FORMATS
    from ganhacks.errors import UserError

    output = _check_output(args) if args.output else None  # before --fix touches anything
    select = check_tip_ids("--select", args.select) if args.select else None
    ignore = check_tip_ids("--ignore", args.ignore) if args.ignore else None
    config = load_config(args.paths[0], select=select, ignore=ignore)
    report = audit(args.paths, config)
    if (args.fix or args.diff) and report.files_audited:
        from ganhacks.doctor.fix import apply_fixes, plan_fixes, unified_diff

        fixes = plan_fixes(report, config, unsafe=args.unsafe_fixes)
        if args.diff:
            sys.stdout.write(unified_diff(fixes))
            return 1 if fixes else 0
        apply_fixes(fixes)
        for fix in fixes:
            print(f"fixed {fix.path}: {', '.join(fix.tips)}", file=sys.stderr)
        report = audit(args.paths, config)
    write = FORMATS.get(args.format)
    if output is not None:
        from ganhacks.outputs import write_output

        text = io.StringIO()
        write(report, text)
        try:
            write_output(output, text.getvalue())
        except OSError as exc:
            raise UserError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    else:
        write(report, None if args.format == "text" else sys.stdout)
    if report.files_audited == 0:
        reasons = "; ".join(f"{p.path}: {p.reason}" for p in report.problems[:5])
        more = f" (+{len(report.problems) - 5} more)" if len(report.problems) > 5 else ""
        raise UserError(f"nothing could be audited: {reasons}{more}")
    return report.exit_code
