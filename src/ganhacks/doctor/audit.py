"""Audit source files against T01..T17: walk once, parse each file once, group, run the rules."""

from __future__ import annotations

import os
from collections.abc import Sequence

from ganhacks.doctor.config import DoctorConfig, load_config
from ganhacks.doctor.project import Project
from ganhacks.doctor.report import Report, UnitReport
from ganhacks.doctor.rules import run_rules
from ganhacks.doctor.source import FileFacts, parse_facts
from ganhacks.doctor.verdict import Verdict
from ganhacks.doctor.walk import Problem, collect, group_units, read_source


def parse_file(path: str, max_bytes: int) -> tuple[FileFacts | None, Problem | None]:
    """Facts of one file, or the problem that stops it being audited (never raises)."""
    text, problem = read_source(path, max_bytes)
    if problem is not None:
        return None, problem
    try:
        return parse_facts(path, text), None
    except SyntaxError as exc:
        hint = (
            " (Python 2 code?)"
            if "print" in str(exc.msg) or "Missing parentheses" in str(exc.msg) or "except" in (exc.text or "")
            else ""
        )
        return None, Problem(path, f"does not parse as Python 3: line {exc.lineno}: {exc.msg}{hint}")
    except (ValueError, RecursionError, MemoryError) as exc:
        return None, Problem(path, f"does not parse: {type(exc).__name__}: {str(exc)[:100]}")


def _suppressed(v: Verdict, files: dict[str, FileFacts]) -> bool:
    """A fail is suppressed by ``# ganhacks: ignore[Txx]`` on one of its evidence lines, or ignore-file."""
    if v.verdict != "fail":
        return False
    for e in v.evidence:
        f = files.get(e.path)
        if f is None:
            continue
        if v.tip in f.file_ignore or "*" in f.file_ignore:
            return True
        ids = f.suppress.get(e.line, set())
        if v.tip in ids or "*" in ids:
            return True
    return False


def _unit_name(paths: list[str]) -> str:
    if len(paths) == 1:
        return paths[0]
    if len(paths) <= 3:
        return " + ".join(paths)
    return f"{os.path.commonpath([os.path.abspath(p) for p in paths])} ({len(paths)} files)"


def audit_project(facts: list[FileFacts], config: DoctorConfig) -> UnitReport:
    """Verdicts for one unit of files (already parsed)."""
    by_path = {f.path: f for f in facts}
    verdicts = [v.suppress() if _suppressed(v, by_path) else v for v in run_rules(Project(facts), config)]
    paths = sorted(by_path)
    return UnitReport(_unit_name(paths), tuple(paths), verdicts)


def audit(paths: Sequence[str] | str, config: DoctorConfig | None = None) -> Report:
    """Audit files/folders against the 17 tips without importing or running them.

    Args:
        paths: files or folders (folders are walked for ``*.py``).
        config: settings; default: ``[tool.ganhacks.doctor]`` of the nearest pyproject.toml.

    Returns:
        A :class:`Report`: one unit per group of files linked by local imports, each with a
        verdict per selected tip, plus the files that could not be audited.

    Raises:
        UserError: a path does not exist, or the settings are invalid.

    Example:
        >>> report = audit(["train.py"])  # doctest: +SKIP
        >>> report.exit_code  # 1 when some tip fails  # doctest: +SKIP
    """
    paths = [paths] if isinstance(paths, str) else list(paths)
    if config is None:
        config = load_config(paths[0] if paths else None)
    files, problems = collect(paths, config.exclude)
    parsed: list[FileFacts] = []
    for path in files:
        facts, problem = parse_file(path, config.max_file_bytes)
        if problem is not None:
            problems.append(problem)
        else:
            parsed.append(facts)
    units = [audit_project(group, config) for group in group_units(parsed)]
    units.sort(key=lambda u: u.name)
    return Report(units, problems, len(parsed))
