"""``ganhacks train``: train a GAN whose defaults follow the tips."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

HELP = "Train a GAN (default: the 'recommended' preset on the built-in digits) into a run folder."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ganhacks.train.presets import PRESETS

    parser.add_argument(
        "--preset", default="recommended", help=f"starting point: {', '.join(PRESETS.names())} (default: recommended)"
    )
    parser.add_argument("--config", metavar="JSON", help="start from a saved config.json instead of a preset")
    parser.add_argument(
        "--data",
        help="ring8, grid25, digits, stacked_digits, or a path (image folder, .npy/.npz, MNIST IDX, CIFAR batches)",
    )
    parser.add_argument("--steps", type=int, help="training iterations")
    parser.add_argument("--seed", type=int, help="random seed")
    parser.add_argument("--out", metavar="RUN", help="run folder to create (default: runs/<preset>-<data>-<time>)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.FIELD=VALUE",
        help="override any config field, e.g. --set loss.name=hinge (repeatable)",
    )
    parser.add_argument("--resume", metavar="RUN", help="continue the run in this folder from its newest checkpoint")
    parser.add_argument(
        "--quiet", action="store_true", help="no progress bar: a plain status line 20 times per run (as in logs and CI)"
    )
    parser.add_argument(
        "--print-config",
        action="store_true",
        help="print the resolved config as JSON (ready for --config) and exit without training",
    )


def run(args: argparse.Namespace) -> int:
    from ganhacks.errors import UserError
    from ganhacks.train.config import apply_overrides, load_config_file
    from ganhacks.train.presets import preset_config
    from ganhacks.train.run import resume_run, start_run, summary_lines

    mode = "lines" if args.quiet else "auto"
    if args.resume:
        if args.config or args.set or args.data or args.seed is not None or args.out:
            raise UserError("--resume continues a run with its own config; only --steps may change it")
        trainer = resume_run(args.resume, steps=args.steps, progress_mode=mode)
        out = Path(args.resume)
    else:
        config = load_config_file(args.config) if args.config else preset_config(args.preset, data=args.data)
        overrides = list(args.set)
        if args.data:
            overrides.insert(0, f"data.name={args.data}")
        if args.steps is not None:
            overrides.insert(0, f"train.steps={args.steps}")
        if args.seed is not None:
            overrides.insert(0, f"train.seed={args.seed}")
        config = apply_overrides(config, overrides)
        if args.print_config:
            import json
            import sys

            from ganhacks.overrides import split_assignment
            from ganhacks.train.config import to_dict
            from ganhacks.train.presets import family_defaults

            if not args.config:  # the data-dependent defaults, one line each, on stderr (stdout stays JSON)
                family, chosen = family_defaults(args.preset, args.data)
                yours = {split_assignment(item)[0] for item in overrides}
                for override, why in chosen:
                    key = split_assignment(override)[0]
                    note = "; overridden by your options" if key in yours else ""
                    print(f"# {args.preset} on {family} data: {override}: {why}{note}", file=sys.stderr)
            print(json.dumps(to_dict(config), indent=2))
            return 0
        data_tag = Path(config.data.name).name or "data"
        out = (
            Path(args.out)
            if args.out
            else Path("runs") / f"{config.preset}-{data_tag}-{time.strftime('%Y%m%d-%H%M%S')}"
        )
        trainer = start_run(config, out, progress_mode=mode)
    import torch.distributed as dist

    if dist.is_initialized():
        dist.destroy_process_group()
    if trainer.rank == 0:
        print("\n".join(summary_lines(trainer, out)))
    return 0
