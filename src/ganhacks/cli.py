"""The ``ganhacks`` command: a thin layer that dispatches verbs to ``ganhacks.commands``.

Each verb lives in its own module exposing ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``. Modules are imported only when their verb runs, so ``ganhacks tips``
does not pay for importing the trainer.

Exit codes: 0 done, 2 a user's mistake (a :class:`~ganhacks.errors.UserError`, a bad option, or a
file the system refuses: missing, a folder, unreadable, a symlink loop), 130 Ctrl-C; ``doctor``
also exits 1 when a tip fails. A mistake is one line on stderr, never a traceback. Notices (a
skipped checkpoint, the resume point) go through :mod:`logging` (logger ``ganhacks``) and Python
warnings of the libraries underneath are shown as one line each, without source paths.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import sys
import warnings
from collections.abc import Iterator, Sequence

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


class ConsoleHandler(logging.Handler):
    """One line per record on the current ``sys.stderr`` (looked up at each record, so a progress
    bar that redirects stderr, or a test capturing it, receives it): notices as they are, warnings
    and errors prefixed with ``ganhacks VERB: warning:``."""

    def __init__(self, verb: str) -> None:
        super().__init__(logging.INFO)
        self.verb = verb

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.levelno >= logging.WARNING:
            text = f"ganhacks {self.verb}: {record.levelname.lower()}: {text}"
        print(text, file=sys.stderr, flush=True)


@contextlib.contextmanager
def console_messages(verb: str) -> Iterator[None]:
    """Route ganhacks' log records and the libraries' Python warnings to one line each on stderr."""
    logger = logging.getLogger("ganhacks")
    handler, level = ConsoleHandler(verb), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    for name, other in logging.root.manager.loggerDict.items():  # this process is ours: a library's
        if name.split(".")[0] == "ganhacks" and isinstance(other, logging.Logger):  # dictConfig must not
            other.disabled = False  # silence our notices (disable_existing_loggers)

    def one_line(message, category, filename, lineno, file=None, line=None):
        logger.warning("%s", str(message).strip().splitlines()[0] if str(message).strip() else category.__name__)

    try:
        with warnings.catch_warnings():
            warnings.showwarning = one_line
            yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def os_error_line(exc: OSError) -> str:
    """``cannot use PATH: permission denied`` from an error the system raised on a user's path."""
    reason = (exc.strerror or type(exc).__name__).lower()
    return f"cannot use {exc.filename}: {reason}" if exc.filename else reason


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ganhacks`` console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    verb = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(verb if verb in COMMANDS else None)
    args = parser.parse_args(argv)
    with console_messages(args.verb):
        try:
            return int(args._run(args) or 0)
        except UserError as exc:
            error = str(exc)
        except OSError as exc:  # a path the system refuses: missing, a folder, unreadable, a loop, disk full
            error = os_error_line(exc)
        except KeyboardInterrupt:
            print(f"ganhacks {args.verb}: interrupted", file=sys.stderr)
            return 130
    print(f"ganhacks {args.verb}: error: {' '.join(error.splitlines())}", file=sys.stderr)
    return 2
