"""Accuracy of ``ganhacks doctor`` on its labelled corpus, and the metamorphic suite, into a JSON.

Parts of tests/doctor/corpus/:

* ``tuning``: every unit outside ``heldout/`` -- the rules were developed against these (in-sample);
  ``original`` is the subset that existed before the doctor's second version (no loss allowed there);
* ``heldout``: tests/doctor/corpus/heldout/, written and labelled before the doctor was run on it,
  never used to change a rule (out-of-sample);
* ``whole``: both.

For each: precision and recall of ``fail`` verdicts against the labels. The metamorphic suite
applies every applicable libcst rewrite (tests/doctor/metamorphic.py) to every labelled unit and
counts the variants that keep every verdict. Run::

    python benchmarks/doctor_accuracy.py                 # writes docs/doctor_accuracy.json
    python benchmarks/doctor_accuracy.py --no-metamorphic
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(ROOT, "tests", "doctor", "corpus")
OUT = os.path.join(ROOT, "docs", "doctor_accuracy.json")
sys.path.insert(0, os.path.join(ROOT, "tests", "doctor"))  # metamorphic.py (the rewrites)

from ganhacks.doctor.accuracy import score_corpus  # noqa: E402
from ganhacks.doctor.config import DoctorConfig  # noqa: E402

# The units of the first version's corpus (before issue 11): the rules may not lose any of them.
ORIGINAL = [
    "acgan_aux_classifier.py",
    "balance_by_threshold.py",
    "cgan_onehot.py",
    "dcgan_official.py",
    "functional_builders.py",
    "instance_noise_decay.py",
    "lightning_gan.py",
    "lsgan_full_labels.py",
    "minibatch_stddev.py",
    "minimax_toy.py",
    "mixed_batch_bn.py",
    "mixed_batch_sn.py",
    "mlp_gan_variable.py",
    "negated_bce_minimax.py",
    "noise_on_real_only.py",
    "noisy_flipped_labels.py",
    "one_sided_smoothing.py",
    "pix2pix_always_dropout.py",
    "pix2pix_eval_dropout.py",
    "project_pkg/gan/train.py",
    "project_split/train.py",
    "projection_discriminator.py",
    "relu_maxpool_discriminator.py",
    "replay_buffer_gradnorm.py",
    "sgd_d_adam_g.py",
    "sgd_generator.py",
    "sigmoid_generator.py",
    "standardised_data.py",
    "star_import_uniform_z.py",
    "tanh_unscaled_data.py",
    "vae_gan_hybrid.py",
    "wgan_clipping.py",
    "wgan_gp_modulo.py",
]
TARGET_PRECISION, TARGET_RECALL = 0.98, 0.9  # issue 11's bar for fail verdicts on the whole corpus


def _score(folder: str, exclude: tuple[str, ...] = ()) -> dict:
    config = DoctorConfig(exclude=(*DoctorConfig().exclude, *exclude))
    return score_corpus(folder, config).to_dict()


def _original(tuning: dict) -> dict:
    """The tuning score restricted to the original units (mismatches there are losses)."""
    mism = [m for m in tuning["mismatches"] if any(m["unit"].endswith(os.path.join("corpus", o)) for o in ORIGINAL)]
    return {"units": len(ORIGINAL), "mismatches": mism}


def _metamorphic(units) -> dict:
    import metamorphic as mm

    kinds = {k: [0, 0] for k in mm.REWRITES}
    per_unit, failures = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for n, (rel, files, main) in enumerate(units):
            before = mm.verdicts_of(files, os.path.join(tmp, f"u{n}", "orig"))
            variants = mm.variants(files, main)
            per_unit.append(len(variants))
            for kind, vfiles in variants.items():
                kinds[kind][0] += 1
                try:
                    after = mm.verdicts_of(vfiles, os.path.join(tmp, f"u{n}", kind))
                except AssertionError as exc:  # the rewrite produced something the doctor cannot audit
                    failures.append({"unit": rel, "rewrite": kind, "error": str(exc)[:200]})
                    continue
                diff = {t: [before[t], after[t]] for t in before if before[t] != after[t]}
                if diff:
                    failures.append({"unit": rel, "rewrite": kind, "changed": diff})
                else:
                    kinds[kind][1] += 1
    return {
        "units": len(units),
        "rewrites": sum(a for a, _ in kinds.values()),
        "passed": sum(p for _, p in kinds.values()),
        "min_rewrites_per_unit": min(per_unit) if per_unit else 0,
        "by_kind": {k: {"applied": a, "passed": p} for k, (a, p) in kinds.items()},
        "failures": failures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-metamorphic", action="store_true", help="skip the rewrites (minutes)")
    parser.add_argument("--out", default=OUT, help="where to write the JSON (default docs/doctor_accuracy.json)")
    args = parser.parse_args()
    start = time.process_time()
    tuning = _score(CORPUS, ("heldout",))
    heldout = _score(os.path.join(CORPUS, "heldout"))
    whole = _score(CORPUS)
    data = {
        "command": "python benchmarks/doctor_accuracy.py",
        "target": {"precision": TARGET_PRECISION, "recall": TARGET_RECALL},
        "tuning": tuning,
        "original": _original(tuning),
        "heldout": heldout,
        "whole": whole,
        "new_units": tuning["units"] - len(ORIGINAL) + heldout["units"],
        "environment": {"python": platform.python_version(), "machine": platform.machine()},
    }
    if not args.no_metamorphic:
        import metamorphic as mm

        data["metamorphic"] = {
            "tuning": _metamorphic(mm.corpus_units(CORPUS, exclude=("heldout",))),
            "heldout": _metamorphic(mm.corpus_units(os.path.join(CORPUS, "heldout"))),
        }
        parts = data["metamorphic"].values()
        data["metamorphic"]["whole"] = {
            "units": sum(p["units"] for p in parts),
            "rewrites": sum(p["rewrites"] for p in parts),
            "passed": sum(p["passed"] for p in parts),
        }
    elif os.path.exists(args.out):  # keep the last full metamorphic run
        with open(args.out, encoding="utf-8") as fh:
            previous = json.load(fh)
        if "metamorphic" in previous:
            data["metamorphic"] = previous["metamorphic"]
    data["cpu_seconds"] = round(time.process_time() - start, 1)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2)
        fh.write("\n")
    for part in ("tuning", "heldout", "whole"):
        s = data[part]
        print(
            f"{part}: units={s['units']} verdicts={s['verdicts']} tp={s['tp']} fp={s['fp']} fn={s['fn']} "
            f"precision={s['precision']:.3f} recall={s['recall']:.3f}"
        )
    if "metamorphic" in data:
        for part, m in data["metamorphic"].items():
            print(
                f"metamorphic {part}: {m['passed']}/{m['rewrites']} variants of {m['units']} units keep every verdict"
            )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
