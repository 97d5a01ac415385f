"""``ganhacks eval``: quality, diversity and mode-coverage metrics of generated samples against real data."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ganhacks.errors import UserError
from ganhacks.overrides import apply_to, parse_assignments
from ganhacks.rundir import RunDir

HELP = "Measure generated samples against real data: FID, KID, IS, precision/recall, density/coverage, NDB, modes."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "samples",
        metavar="RUN_OR_SAMPLES",
        help="a run folder or checkpoint (.pt) of ganhacks train, or samples: "
        ".npy/.npz of images (N,C,H,W) in [-1,1] or points (N,D)",
    )
    parser.add_argument(
        "--real",
        help="real samples: .npy/.npz file, or a built-in name: digits, stacked-digits "
        "(default for a run: the run's own training data)",
    )
    parser.add_argument(
        "--metrics",
        default="auto",
        help="comma-separated: fid,kid,is,pr,dc,ndb,modes; "
        "auto: modes,pr,dc for 2-D mixtures, fid,kid,pr,dc otherwise (default)",
    )
    parser.add_argument("--n", type=int, default=10_000, help="use at most N samples of each set (default: 10000)")
    parser.add_argument("--extractor", default="auto", help="auto, digits, inception or identity (default: auto)")
    parser.add_argument(
        "--extractor-weights", metavar="FILE", help="weights file for the digits or inception extractor"
    )
    parser.add_argument(
        "--mode-centers", metavar="FILE", help=".npy of mixture mode centres (M,D), for 'modes' on points"
    )
    parser.add_argument("--mode-std", type=float, help="the mixture's standard deviation, for 'modes' on points")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="metric setting, e.g. k=3, kid_subsets=50 (repeatable)",
    )
    parser.add_argument("--device", default="cpu", help="device for feature extraction (default: cpu)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the --n subsample (default: 0)")
    parser.add_argument(
        "--out", type=Path, help="output JSON (default: metrics.json in the run folder, or next to SAMPLES)"
    )


def parse_settings(pairs: list[str]):
    """An EvalConfig from ``key=value`` strings; unknown keys and bad values raise a UserError."""
    from ganhacks.metrics import EvalConfig

    return apply_to(EvalConfig(), parse_assignments(pairs, example="--set k=3"))


def print_table(result: dict) -> None:
    """Print the metric values (names carrying their feature space, values rounded), the sample sizes
    and the extractor."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ganhacks.display import format_metric, metric_label

    table = Table(title="ganhacks eval")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in result["metrics"].items():
        table.add_row(Text(metric_label(name, result["feature_space"])), format_metric(value))  # [..] is not markup
    console = Console()
    console.print(table)
    console.print(Text(f"n_fake={result['n_fake']}  n_real={result['n_real']}  extractor: {result['extractor']}"))


def is_eval_result(text: str) -> bool:
    """Whether ``text`` is a metrics JSON this command wrote (so ``--out`` may replace it)."""
    try:
        record = json.loads(text)
    except json.JSONDecodeError:
        return False
    return isinstance(record, dict) and isinstance(record.get("metrics"), dict) and "n_fake" in record


def _output_kind():
    from ganhacks.outputs import OutputKind

    return OutputKind("a metrics JSON of ganhacks eval", "metrics.json", (".json",), is_eval_result)


def _inputs(args: argparse.Namespace) -> list[str]:
    """The files this command reads (a sample spec ``FILE.npz:key`` names FILE)."""
    specs = (args.samples, args.real, args.mode_centers, args.extractor_weights)
    return [spec.split(".npz:")[0] + ".npz" if ".npz:" in spec else spec for spec in specs if spec]


def _check_modes(metrics: str, ref) -> None:
    """'modes' on points needs the mixture's centres and std; said with this command's options
    (evaluate() would name its keyword arguments)."""
    from ganhacks.metrics import parse_metrics

    if "modes" not in parse_metrics(metrics) or not ref.points:
        return
    flags = (("--mode-centers FILE.npy (M, D)", ref.mode_centers), ("--mode-std S", ref.mode_std))
    missing = [flag for flag, value in flags if value is None]
    if missing:
        needs = "metric 'modes' on points needs the mixture's mode centres and std"
        raise UserError(f"{needs}: give {' and '.join(missing)}")


def _is_run(spec: str) -> bool:
    """A run folder or a checkpoint file, rather than an array of samples."""
    path = Path(spec)
    if path.is_dir() or path.suffix == ".pt":
        return True
    if not path.exists() and path.suffix == "" and ("/" in spec or "\\" in spec):
        raise UserError(
            f"no run folder at {path}; give a run folder of ganhacks train, a .pt checkpoint or a .npy/.npz file"
        )
    return False


def run(args: argparse.Namespace) -> int:
    from ganhacks.display import feature_space
    from ganhacks.metrics import evaluate, parse_metrics
    from ganhacks.metrics.runs import Reference, generated, reference, resolve_metrics
    from ganhacks.metrics.sources import load_mode_spec, load_samples, subsample
    from ganhacks.outputs import check_output, write_output
    from ganhacks.train.loop import select_device

    if args.metrics.strip() != "auto":
        parse_metrics(args.metrics)  # validate names before any loading
    if args.n < 1:
        raise UserError(f"--n must be >= 1; got {args.n}")
    config = parse_settings(args.set)
    device = str(select_device(args.device, option="--device"))
    if args.out is not None:  # before any work: a mistyped --out must not replace the user's data
        check_output(args.out, _output_kind(), _inputs(args))
    if _is_run(args.samples):
        from ganhacks.train.run import load_trained

        trainer, run_dir = load_trained(args.samples, device)
        fake = generated(trainer, args.n, args.seed)
        ref = reference(trainer.dataset, args.n, args.seed + 1) if args.real is None else None
        source = {"run": str(run_dir), "step": trainer.step, "generator": "ema" if trainer.ema is not None else "G"}
        default_out = RunDir(run_dir).final_metrics
    else:
        if args.real is None:
            raise UserError("--real is required when evaluating sample files (only a run folder knows its data)")
        fake = subsample(load_samples(args.samples), args.n, args.seed)
        ref, source = None, {"samples": args.samples}
        default_out = Path(args.samples.partition(".npz:")[0]).parent / "metrics.json"
    out = args.out or check_output(default_out, _output_kind(), _inputs(args), given=False)
    if ref is None:
        real = subsample(load_samples(args.real), args.n, args.seed + 1)
        centres, std = None, args.mode_std
        if (spec := load_mode_spec(args.real)) is not None:
            centres, std = spec[0], (std if std is not None else spec[1])
        ref = Reference(real, centres, std)
    if args.mode_centers:
        ref = Reference(
            ref.real,
            load_samples(args.mode_centers).double(),
            args.mode_std if args.mode_std is not None else ref.mode_std,
        )
    elif args.mode_std is not None:
        ref = Reference(ref.real, ref.mode_centers, args.mode_std)
    metrics = resolve_metrics(args.metrics, ref)
    _check_modes(metrics, ref)
    result = evaluate(
        fake,
        ref.real,
        metrics,
        args.extractor,
        mode_centers=ref.mode_centers,
        mode_std=ref.mode_std,
        config=config,
        device=device,
        extractor_weights=args.extractor_weights,
    )
    space = feature_space(result["extractor"])  # FID on digits-CNN features is not Inception FID
    result = {**source, "real": args.real or "the run's training data", **result, "feature_space": space}
    print_table(result)
    write_output(out, json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")
    return 0
