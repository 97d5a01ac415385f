"""Render a doctor :class:`~ganhacks.doctor.report.Report`: terminal table, JSON, SARIF 2.1.0."""

from __future__ import annotations

import json
import os
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
        "exit_code": {"enum": [0, 1]},
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


def write_text(report: Report, out: TextIO | None = None) -> None:
    """A table per unit, one row per tip: verdict, where, what was found and the fix."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out, width=140) if out is not None else Console()
    quiet = [u for u in report.units if not u.gan_code]
    for u in report.units:
        if not u.gan_code:
            continue
        table = Table(title=f"ganhacks doctor: {u.name}", show_lines=False, title_justify="left")
        for col in ("tip", "verdict", "where", "finding / fix"):
            table.add_column(col, overflow="fold")
        for v in u.verdicts:
            where = "\n".join(f"{e.path}:{e.line}" for e in v.evidence[:3]) or "-"
            label = f"[{_STYLE[v.verdict]}]{v.verdict}[/]" + (" (suppressed)" if v.suppressed else "")
            text = f"[bold]{TIPS_BY_ID[v.tip].title}[/bold]: {v.message}"
            if v.fix and v.verdict in {"fail", "absent"}:
                text += f"\n[italic]fix:[/italic] {v.fix}"
            table.add_row(v.tip, label, where, text)
        console.print(table)
    if quiet:
        console.print(f"{len(quiet)} unit(s) with no GAN code found (all verdicts absent/na).")
    for p in report.problems:
        console.print(f"[yellow]skipped[/yellow] {p.path}: {p.reason}", highlight=False, markup=False)
    c = report.counts()
    console.print(
        f"{report.files_audited} file(s), {len(report.units)} unit(s): {c['fail']} fail, {c['pass']} pass, "
        f"{c['absent']} absent, {c['na']} n/a, {c['suppressed']} suppressed, {len(report.problems)} problem(s)"
    )


FORMATS: Registry = Registry("output format")
FORMATS.register("text", lambda r, out: write_text(r, out))
FORMATS.register("json", lambda r, out: out.write(json.dumps(to_json(r), indent=2) + "\n"))
FORMATS.register("sarif", lambda r, out: out.write(json.dumps(to_sarif(r), indent=2) + "\n"))
