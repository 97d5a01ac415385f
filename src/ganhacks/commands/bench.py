"""``ganhacks bench``: run an evidence suite, report it, or say how far it got."""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from pathlib import Path

HELP = "Measure which tips help: run a suite of variants over many seeds (run), report it (report), check it (status)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser))
    sub.required = True
    run = sub.add_parser("run", help="run a suite (resumes: finished jobs in --out are skipped)")
    run.add_argument("--suite", default="quick", help="quick, full, or a suite file FILE.toml (default: quick)")
    run.add_argument("--seeds", type=int, help="evaluation seeds per cell, 0..N-1 (default: the suite's)")
    run.add_argument("--workers", type=int, default=1, help="jobs at once, one CPU thread each (default: 1)")
    run.add_argument("--out", metavar="DIR", help="results folder (default: runs/bench-<suite>); rerun it to resume")
    run.add_argument("--backend", default="local", help="local (worker processes) or ray (default: local)")
    run.add_argument("--address", help="with --backend ray: a running Ray cluster (default: start a local Ray)")
    run.add_argument(
        "--tune",
        type=int,
        default=0,
        metavar="N",
        help="give every variant the same N-trial Optuna search over its learning rates first (default: 0, none)",
    )
    run.add_argument("--dry-run", action="store_true", help="check the suite and list its jobs; run nothing")
    report = sub.add_parser("report", help="write DIR/report.md, report.html and evidence.json")
    report.add_argument("dir", metavar="DIR", help="the --out folder of a bench run")
    status = sub.add_parser("status", help="how far a suite run got")
    status.add_argument("dir", metavar="DIR", help="the --out folder of a bench run")


def _run(args: argparse.Namespace) -> int:
    from ganhacks.bench.plan import make_plan
    from ganhacks.bench.runner import RunOptions, check_options, check_out_dir
    from ganhacks.bench.runner import run_plan as run_suite_plan
    from ganhacks.bench.suite import load_suite
    from ganhacks.bench.tuning import require_optuna
    from ganhacks.errors import UserError

    options = RunOptions(workers=args.workers, backend=args.backend, address=args.address)
    check_options(options)
    if args.seeds is not None and args.seeds < 1:
        raise UserError(f"--seeds must be >= 1; got {args.seeds}")
    if args.tune:
        require_optuna()
    suite = load_suite(args.suite)
    out = Path(args.out) if args.out else Path("runs") / f"bench-{suite.name}"
    check_out_dir(out)
    plan = make_plan(suite, args.seeds, args.tune)
    print(plan.describe())
    if args.dry_run:
        for job_id in plan.all_ids():
            print(job_id)
        for s in plan.skipped:
            print(f"skipped {s['benchmark']}/{s['variant']}: {s['reason']}")
        return 0
    command = " ".join(
        ["ganhacks bench run --suite", args.suite, "--seeds", str(len(plan.seeds)), "--workers", str(args.workers)]
        + (["--tune", str(args.tune)] if args.tune else [])
        + (["--backend", args.backend] if args.backend != "local" else [])
        + ["--out", str(out)]
    )
    counts = run_suite_plan(plan, out, options, origin=args.suite, command=command)
    print(
        f"done: {counts['ok']} ok, {counts['diverged']} diverged, {counts['crashed']} crashed "
        f"({counts['skipped']} already in {out / 'results.jsonl'}); report it with: ganhacks bench report {out}"
    )
    return 0


def _report(args: argparse.Namespace) -> int:
    from ganhacks.bench.report import write_report

    paths = write_report(args.dir)
    print(f"wrote {paths['markdown']}, {paths['html']} and {paths['evidence']}")
    return 0


def _status(args: argparse.Namespace) -> int:
    from ganhacks.bench.results import PLAN, RESULTS, is_locked, latest_by_job, read_json_object, read_records
    from ganhacks.errors import UserError

    out = Path(args.dir)
    if not (out / PLAN).is_file() and not (out / RESULTS).is_file():
        raise UserError(f"{out} is not a bench folder (no {PLAN} or {RESULTS}); give the --out of ganhacks bench run")
    plan = read_json_object(out / PLAN)  # unreadable or malformed: the results alone say what ran
    done = latest_by_job(read_records(out / RESULTS))
    jobs = plan.get("jobs")
    planned = [j for j in jobs if isinstance(j, str)] if isinstance(jobs, list) and jobs else list(done)
    statuses = Counter(done[j].get("status") for j in planned if j in done)
    finished = sum(statuses.values())
    state = "running now" if is_locked(out) else "not running"
    print(
        f"suite {plan.get('suite') or '?'} in {out}: {finished} of {len(planned)} jobs finished "
        f"({statuses['ok']} ok, {statuses['diverged']} diverged, {statuses['crashed']} crashed), "
        f"{len(planned) - finished} to go; {state}"
    )
    per_cell: dict[str, Counter] = defaultdict(Counter)
    for job_id in planned:
        cell = job_id.rsplit("/", 1)[0]
        per_cell[cell]["planned"] += 1
        if job_id in done:
            per_cell[cell][done[job_id].get("status", "crashed")] += 1
    width = max((len(c) for c in per_cell), default=10)
    print(f"{'cell':<{width}}  done/planned  ok  diverged  crashed")
    for cell, c in per_cell.items():
        n_done = c["ok"] + c["diverged"] + c["crashed"]
        print(f"{cell:<{width}}  {n_done:>4}/{c['planned']:<7} {c['ok']:>3}  {c['diverged']:>8}  {c['crashed']:>7}")
    return 0


def run(args: argparse.Namespace) -> int:
    return {"run": _run, "report": _report, "status": _status}[args.action](args)
