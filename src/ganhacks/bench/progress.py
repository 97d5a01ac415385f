"""How a suite run shows its progress: a rich progress bar on a terminal (jobs done / running / failed,
elapsed, ETA), one plain line per finished job otherwise (logs, CI, pipes)."""

from __future__ import annotations

import sys
import time
from typing import Any, Protocol, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class Reporter(Protocol):
    """What the runner tells about its progress."""

    def start(self, total: int, done: int, failed: int) -> None:
        """The run starts with ``done`` of ``total`` jobs already finished (``failed`` of them not ok)."""
        ...

    def finished(self, record: dict[str, Any], running: int) -> None:
        """One job finished; ``running`` are still in flight."""
        ...

    def running(self, running: int) -> None:
        """The number of jobs in flight changed."""
        ...

    def close(self) -> None:
        """The run ended (or was interrupted)."""
        ...


def _failed(record: dict[str, Any]) -> bool:
    return record.get("status") != "ok"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class LineReporter:
    """One line per finished job: ``[ 12/54] ok ring8/2000/recommended/0 21.3 s (running 2, failed 0, ETA 5 min)``."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.total = self.done = self.failed = 0
        self.started_at = time.perf_counter()
        self.finished_here = 0

    def start(self, total: int, done: int, failed: int) -> None:
        self.total, self.done, self.failed = total, done, failed
        self.started_at = time.perf_counter()
        if done:
            print(f"resuming: {done} of {total} jobs already in results.jsonl", file=self.stream, flush=True)

    def finished(self, record: dict[str, Any], running: int) -> None:
        self.done += 1
        self.finished_here += 1
        self.failed += _failed(record)
        elapsed = time.perf_counter() - self.started_at
        eta = elapsed / self.finished_here * (self.total - self.done)
        width = len(str(self.total))
        wall = record.get("wall_s")
        took = f" {wall:.1f} s" if isinstance(wall, (int, float)) else ""
        error = f" ({record['error']})" if record.get("error") else ""
        print(
            f"[{self.done:>{width}}/{self.total}] {record.get('status', '?'):8} {record['job']}{took}{error} "
            f"(running {running}, failed {self.failed}, ETA {_duration(eta)})",
            file=self.stream,
            flush=True,
        )

    def running(self, running: int) -> None:
        pass

    def close(self) -> None:
        pass


class RichReporter:
    """A live progress bar: done/total, running, failed, elapsed and the estimated time left."""

    def __init__(self, console: Console | None = None) -> None:
        self.progress = Progress(
            TextColumn("[bold]bench[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("running {task.fields[running]}  failed {task.fields[failed]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self.task = None
        self.failed = 0

    def start(self, total: int, done: int, failed: int) -> None:
        self.failed = failed
        self.progress.start()
        self.task = self.progress.add_task("jobs", total=total, completed=done, running=0, failed=failed)

    def finished(self, record: dict[str, Any], running: int) -> None:
        self.failed += _failed(record)
        if _failed(record):
            self.progress.console.print(f"[red]{record.get('status')}[/red] {record['job']}: {record.get('error')}")
        self.progress.update(self.task, advance=1, running=running, failed=self.failed)

    def running(self, running: int) -> None:
        self.progress.update(self.task, running=running)

    def close(self) -> None:
        self.progress.stop()


def make_reporter(tty: bool | None = None) -> Reporter:
    """A progress bar when stdout is a terminal (or ``tty`` is True), plain lines otherwise."""
    is_tty = sys.stdout.isatty() if tty is None else tty
    return RichReporter() if is_tty else LineReporter()
