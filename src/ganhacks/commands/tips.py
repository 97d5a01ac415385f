"""``ganhacks tips``: print the catalog, with what implements, checks, monitors and measures each tip."""

from __future__ import annotations

import argparse
import importlib
import json
import sys

from ganhacks.tips import TIPS, Tip, get_tip

HELP = "List the GAN training tips and the ganhacks code that implements, checks, monitors and measures each."

# Column -> (module, function returning {tip_id: [names]}). A part that is not installed yet
# simply leaves its column empty.
COVERAGE: dict[str, tuple[str, str]] = {
    "checked_by": ("ganhacks.doctor", "tips_checked"),
    "monitored_by": ("ganhacks.monitor", "tips_monitored"),
    "measured_by": ("ganhacks.bench", "tips_measured"),
    "evidence": ("ganhacks.bench", "tips_evidence"),  # shipped verdicts per benchmark (docs/EVIDENCE.md)
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ids", nargs="*", metavar="TIP", help="tip ids to show (default: all), e.g. T02 S01")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")


def coverage() -> dict[str, dict[str, list[str]]]:
    """For each coverage column, a mapping tip id -> names of the parts that cover it."""
    out: dict[str, dict[str, list[str]]] = {}
    for column, (module_name, func) in COVERAGE.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                out[column] = {}
                continue
            raise
        out[column] = getattr(module, func)()
    return out


def tip_record(tip: Tip, cov: dict[str, dict[str, list[str]]]) -> dict:
    """The JSON form of one tip."""
    record = {
        "id": tip.id,
        "title": tip.title,
        "advice": tip.advice,
        "why": tip.why,
        "source": tip.source,
        "implemented_by": list(tip.implemented_by),
        "no_code_reason": tip.no_code_reason,
        "caveat": tip.caveat,
    }
    for column, by_tip in cov.items():
        record[column] = sorted(by_tip.get(tip.id, []))
    return record


def _short(names: list[str]) -> str:
    return "\n".join(n.removeprefix("ganhacks.") for n in names) or "-"


def run(args: argparse.Namespace) -> int:
    tips = [get_tip(i) for i in args.ids] if args.ids else list(TIPS)
    records = [tip_record(t, coverage()) for t in tips]
    if args.format == "json":
        print(json.dumps(records, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title="ganhacks tips", show_lines=True)
    for col in ("id", "tip", "implemented by", "checked by", "monitored by", "measured (verdict per benchmark)"):
        table.add_column(col, overflow="fold")
    for r in records:
        implemented = _short(r["implemented_by"]) if r["implemented_by"] else f"- ({r['no_code_reason']})"
        table.add_row(
            r["id"],
            f"[bold]{r['title']}[/bold]\n{r['advice']}",
            implemented,
            _short(r["checked_by"]),
            _short(r["monitored_by"]),
            "\n".join([*r["evidence"], *(["by: " + ", ".join(r["measured_by"])] if r["measured_by"] else [])]) or "-",
        )
    console = Console() if sys.stdout.isatty() else Console(width=160)  # pipes: no folding at 80 columns
    console.print(table)
    return 0
