"""Render a doctor :class:`~ganhacks.doctor.report.Report`: terminal table, JSON, SARIF 2.1.0."""

from __future__ import annotations

import json
import os
import re
from typing import TextIO

from ganhacks import __version__
from ganhacks.doctor.report import Report
from ganhacks.registry import Registry
from ganhacks.tips import TIPS_BY_ID

JSON_SCHEMA_ID = "ganhacks.doctor/1"

# The documented shape of --format json (a JSON Schema, draft 2020-12). docs/doctor.md shows it.
_EVIDENCE = {
    "type": "object",
    "required": ["path", "line", "snippet"],
    "properties": {
        "path": {"type": "string"},
        "line": {"type": "integer", "minimum": 0},
        "snippet": {"type": "string"},
    },
}
_VERDICT = {
    "type": "object",
    "required": ["tip", "title", "verdict", "rule", "message", "fix", "suppressed", "evidence"],
    "properties": {
        "tip": {"type": "string", "pattern": "^T(0[1-9]|1[0-7])$"},
        "title": {"type": "string"},
        "verdict": {"enum": ["pass", "fail", "absent", "na"]},
        "rule": {"type": "string"},
        "message": {"type": "string"},
        "fix": {"type": "string"},
        "suppressed": {"type": "boolean"},
        "evidence": {"type": "array", "items": _EVIDENCE},
    },
}
JSON_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "ganhacks doctor report",
    "type": "object",
    "required": ["schema", "version", "exit_code", "summary", "units", "problems"],
    "properties": {
        "schema": {"const": JSON_SCHEMA_ID},
        "version": {"type": "string"},
        "exit_code": {"enum": [0, 1, 2]},
        "summary": {
            "type": "object",
            "required": ["files", "units", "problems", "pass", "fail", "absent", "na", "suppressed"],
            "properties": {
                k: {"type": "integer", "minimum": 0}
                for k in ("files", "units", "problems", "pass", "fail", "absent", "na", "suppressed")
            },
        },
        "units": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "files", "verdicts"],
                "properties": {
                    "name": {"type": "string"},
                    "files": {"type": "array", "items": {"type": "string"}},
                    "verdicts": {"type": "array", "items": _VERDICT},
                },
            },
        },
        "problems": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "reason"],
                "properties": {"path": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
}


def to_json(report: Report) -> dict:
    """The report as a JSON-ready dict matching :data:`JSON_SCHEMA`."""
    counts = report.counts()
    return {
        "schema": JSON_SCHEMA_ID,
        "version": __version__,
        "exit_code": report.exit_code,
        "summary": {
            "files": report.files_audited,
            "units": len(report.units),
            "problems": len(report.problems),
            **counts,
        },
        "units": [
            {
                "name": u.name,
                "files": list(u.files),
                "verdicts": [{**v.to_dict(), "title": TIPS_BY_ID[v.tip].title} for v in u.verdicts],
            }
            for u in report.units
        ],
        "problems": [{"path": p.path, "reason": p.reason} for p in report.problems],
    }


def _uri(path: str) -> str:
    rel = os.path.relpath(path) if os.path.isabs(path) else path
    return rel.replace(os.sep, "/")


def to_sarif(report: Report) -> dict:
    """The report as a SARIF 2.1.0 log: one result per failing tip (suppressed ones marked)."""
    rules = [
        {
            "id": t.id,
            "name": t.title.replace(" ", ""),
            "shortDescription": {"text": t.title},
            "fullDescription": {"text": t.advice},
            "help": {"text": f"{t.advice} Why: {t.why}"},
            "defaultConfiguration": {"level": "error"},
        }
        for t in TIPS_BY_ID.values()
        if t.id.startswith("T")
    ]
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for u in report.units:
        for v in u.verdicts:
            if v.verdict != "fail":
                continue
            locs = [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(e.path)},
                        "region": {"startLine": max(e.line, 1), "snippet": {"text": e.snippet}},
                    }
                }
                for e in v.evidence
                if e.path != "<probe>"
            ]
            result = {
                "ruleId": v.tip,
                "ruleIndex": index[v.tip],
                "level": "error",
                "message": {"text": f"{v.message}. Fix: {v.fix}" if v.fix else v.message},
                "locations": locs[:1]
                or [{"physicalLocation": {"artifactLocation": {"uri": _uri(u.files[0]) if u.files else "."}}}],
            }
            if len(locs) > 1:
                result["relatedLocations"] = [dict(loc, id=i) for i, loc in enumerate(locs[1:], 1)]
            if v.suppressed:
                result["suppressions"] = [{"kind": "inSource"}]
            results.append(result)
    notes = [
        {
            "level": "warning",
            "message": {"text": p.reason},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(p.path)}}}],
        }
        for p in report.problems
    ]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ganhacks-doctor",
                        "version": __version__,
                        "informationUri": "https://github.com/soumith/ganhacks",
                        "rules": rules,
                    }
                },
                "results": results,
                "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notes}],
            }
        ],
    }


_STYLE = {"pass": "green", "fail": "bold red", "absent": "yellow", "na": "dim"}


def _rel(path: str) -> str:
    """``path`` relative to the working folder when that is shorter (tables stay narrow)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return rel if len(rel) < len(path) else path


def write_text(report: Report, out: TextIO | None = None, width: int | None = None) -> None:
    """A table per unit, one row per tip: verdict, where, what was found and the fix.

    Readable at 80 columns: paths are relative, the tip and verdict columns never wrap, and text
    from the audited code is escaped (a ``[0]`` in a snippet is not taken for markup). Skipped
    files are listed as plain ``skipped PATH: reason`` lines.
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(file=out, width=width or (100 if out is not None else None), soft_wrap=False)
    quiet = [u for u in report.units if not u.gan_code]
    for u in report.units:
        if not u.gan_code:
            continue
        name = " + ".join(_rel(p) for p in u.files) if len(u.files) <= 3 else _rel(u.name)
        table = Table(title=f"ganhacks doctor: {escape(name)}", show_lines=False, title_justify="left")
        table.add_column("tip", no_wrap=True)
        table.add_column("verdict", no_wrap=True, min_width=6)
        table.add_column("where", overflow="fold", ratio=1)
        table.add_column("finding / fix", overflow="fold", ratio=3)
        for v in u.verdicts:
            where = "\n".join(escape(f"{_rel(e.path)}:{e.line}") for e in v.evidence[:3]) or "-"
            label = f"[{_STYLE[v.verdict]}]{v.verdict}[/]"
            text = f"[bold]{escape(TIPS_BY_ID[v.tip].title)}[/bold]: {escape(v.message)}"
            if v.suppressed:
                text += " [dim](suppressed)[/dim]"
            if v.fix and v.verdict in {"fail", "absent"}:
                text += f"\n[italic]fix:[/italic] {escape(v.fix)}"
            table.add_row(v.tip, label, where, text)
        console.print(table)
    if quiet:
        console.print(f"{len(quiet)} unit(s) with no GAN code found (all verdicts absent/na).", markup=False)
    for p in report.problems:  # one plain line each: easy to grep, never wrapped
        console.print(f"skipped {_rel(p.path)}: {p.reason}", highlight=False, markup=False, soft_wrap=True)
    c = report.counts()
    summary = (
        f"{report.files_audited} file(s), {len(report.units)} unit(s): {c['fail']} fail, {c['pass']} pass, "
        f"{c['absent']} absent, {c['na']} n/a"
        + (f", {c['suppressed']} suppressed" if c["suppressed"] else "")
        + (f", {len(report.problems)} skipped" if report.problems else "")
    )
    console.print(summary, highlight=False, markup=False)
    if report.files_audited == 0:
        console.print("nothing could be audited (see the skipped files above)", markup=False, soft_wrap=True)


def is_doctor_output(text: str) -> bool:
    """Whether ``text`` is a report this module wrote, in any format (so ``-o`` may replace it)."""
    head = text[:2048]
    if f'"schema": "{JSON_SCHEMA_ID}"' in head or '"name": "ganhacks-doctor"' in head:  # json, sarif
        return True
    lines = text.rstrip("\n").splitlines()  # text: ends with the summary line (and maybe a note after it)
    return any(_SUMMARY.match(line) for line in lines[-3:])


_SUMMARY = re.compile(r"^\d+ file\(s\), \d+ unit\(s\): \d+ fail, ")
# the suffixes a report is written to: text (.txt, a log, or none), json, sarif; the first named is suggested
SUFFIXES = {"text": (".txt", "", ".log", ".md", ".out"), "json": (".json",), "sarif": (".sarif", ".json")}

FORMATS: Registry = Registry("output format")
FORMATS.register("text", lambda r, out: write_text(r, out))
FORMATS.register("json", lambda r, out: out.write(json.dumps(to_json(r), indent=2) + "\n"))
FORMATS.register("sarif", lambda r, out: out.write(json.dumps(to_sarif(r), indent=2) + "\n"))
