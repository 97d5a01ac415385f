"""The digits classifier that stands in for Inception: accuracy of the shipped weights, and a rebuild.

Scores the weights shipped in ``ganhacks/assets`` on the held-out and training parts of the split
(:func:`ganhacks.metrics.classifier.digits_split`), then retrains them as
``python -m ganhacks.metrics.train_classifier`` does (one thread, fixed seeds) into a temporary
file, twice, and reports the CPU seconds and accuracy of the rebuild and whether the rebuilt files
are byte-identical to each other and to the shipped one.

    nice -n 10 python benchmarks/digits_classifier.py --out docs/digits_classifier.json
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

import torch

from ganhacks.metrics.classifier import default_weights_path, digits_split, load_digits_classifier
from ganhacks.metrics.train_classifier import TrainConfig, save, train


def scores(model, x: torch.Tensor, y: torch.Tensor) -> dict:
    with torch.inference_mode():
        correct = int((model(x).argmax(1) == y).sum())
    return {"correct": correct, "total": len(y), "accuracy": correct / len(y)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write the results to this JSON file")
    args = parser.parse_args()
    split = digits_split()
    shipped = load_digits_classifier()
    shipped_path = default_weights_path()
    result = {
        "command": "python " + " ".join(shlex.quote(a) for a in [os.path.relpath(__file__), *sys.argv[1:]]),
        "torch": torch.__version__,
        "split": {"train": len(split.y_train), "test": len(split.y_test)},
        "parameters": sum(p.numel() for p in shipped.parameters()),
        "file_bytes": shipped_path.stat().st_size,
        "file_kib": shipped_path.stat().st_size / 1024,
        "shipped": {
            "test": scores(shipped, split.x_test, split.y_test),
            "train": scores(shipped, split.x_train, split.y_train),
        },
    }
    rebuilt = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(2):  # twice: is the rebuild deterministic, and does it give the shipped file?
            cpu = time.process_time()  # train() runs on one thread
            model = train(split, TrainConfig())
            result[f"retrain_cpu_s_{i + 1}"] = time.process_time() - cpu
            path = Path(tmp) / f"rebuild-{i}.safetensors"
            save(model, path)
            rebuilt.append(path.read_bytes())
        result["rebuilds_byte_identical_to_each_other"] = rebuilt[0] == rebuilt[1]
        result["rebuild_byte_identical_to_shipped"] = rebuilt[0] == shipped_path.read_bytes()
    result["retrained"] = {
        "test": scores(model, split.x_test, split.y_test),
        "train": scores(model, split.x_train, split.y_train),
    }
    print(json.dumps(result, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
