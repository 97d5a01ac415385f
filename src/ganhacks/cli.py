"""The ``ganhacks`` command: a thin layer that dispatches verbs to ``ganhacks.commands``.

Each verb lives in its own module exposing ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``. Modules are imported only when their verb runs, so ``ganhacks tips``
does not pay for importing the trainer. A :class:`~ganhacks.errors.UserError` becomes one line
on stderr and exit code 2; no traceback is shown for a user's mistake.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from ganhacks import __version__
from ganhacks.errors import UserError

# verb -> module under ganhacks.commands. Add a verb by adding its module and one line here.
COMMANDS: dict[str, str] = {
    "tips": "ganhacks.commands.tips",
    "eval": "ganhacks.commands.eval",
    "doctor": "ganhacks.commands.doctor",
    "train": "ganhacks.commands.train",
    "report": "ganhacks.commands.report",
    "bench": "ganhacks.commands.bench",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and exit 2, like every usage error here
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser(verb: str | None = None) -> argparse.ArgumentParser:
    """The full parser; only ``verb``'s module is imported (all of them when ``verb`` is None)."""
    parser = _Parser(prog="ganhacks", description="Make GAN training work reliably.")
    parser.add_argument("--version", action="version", version=f"ganhacks {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    sub.required = True
    for name, module_name in COMMANDS.items():
        if verb is not None and name != verb:
            sub.add_parser(name)  # placeholder so argparse still knows the verb
            continue
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ganhacks`` console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    verb = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(verb if verb in COMMANDS else None)
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except UserError as exc:
        print(f"ganhacks {args.verb}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"ganhacks {args.verb}: interrupted", file=sys.stderr)
        return 130
