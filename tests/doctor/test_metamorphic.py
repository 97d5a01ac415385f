"""Metamorphic tests: semantics-preserving rewrites (libcst) of every corpus unit keep every verdict.

The full suite (every applicable rewrite of every unit, held-out part included) runs in
``benchmarks/doctor_accuracy.py`` and is published in docs/doctor_accuracy.json; here each unit of
the tuning corpus gets a rotating share of the rewrites so that every unit and every rewrite is
exercised on each run within the test-time budget.
"""

import json
import os

import pytest

pytest.importorskip("libcst")

import metamorphic as mm

HERE = os.path.dirname(__file__)
CORPUS = os.path.join(HERE, "corpus")
UNITS = mm.corpus_units(CORPUS, exclude=("heldout",))
KINDS = list(mm.REWRITES)
PER_UNIT = 3  # rewrites tried per unit per run (rotating over the kinds)


def _share(index: int) -> list[str]:
    return [KINDS[(index * PER_UNIT + k) % len(KINDS)] for k in range(len(KINDS))]


@pytest.mark.parametrize("index", range(len(UNITS)), ids=[u[0] for u in UNITS])
def test_rewrites_keep_every_verdict(index, tmp_path):
    rel, files, main = UNITS[index]
    before = mm.verdicts_of(files, str(tmp_path / "orig"))
    tried = 0
    for kind in _share(index):
        if tried == PER_UNIT:
            break
        if kind == "split_files" and len(files) > 1:
            continue
        got = mm.REWRITES[kind](files[main])
        if got is None:
            continue
        variant = mm.apply(files, main, got)
        after = mm.verdicts_of(variant, str(tmp_path / kind))
        assert after == before, (
            f"{rel} / {kind}: { ({t: (before[t], after[t]) for t in before if before[t] != after[t]}) }"
        )
        tried += 1
    assert tried == PER_UNIT, f"{rel}: only {tried} rewrites apply"


def test_every_rewrite_is_exercised():
    seen = {k for i in range(len(UNITS)) for k in _share(i)[:PER_UNIT]}
    assert seen == set(KINDS)


def test_rewrites_change_the_code_and_keep_it_valid():
    import ast

    src = (
        "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
        "G = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 2), nn.Tanh())\n"
        "criterion = nn.BCELoss()\n"
        "def helper(p):\n    return torch.log(1 - p)\n"
        "for x in data:\n    a = torch.mean(F.relu(x))\n    b = helper(torch.sigmoid(x))\n"
        "    c = torch.cat([a, b], 0)\n"
    )
    for kind, rewrite in mm.REWRITES.items():
        out = rewrite(src)
        assert out is not None and out != src, kind
        for text in out.values() if isinstance(out, dict) else [out]:
            ast.parse(text)


def test_eps_inside_a_method_log_keeps_the_precedence():
    import ast

    out = mm.add_eps("import torch\ny = (1 - p).clamp(min=1e-7).log().mean()\n")
    log = ast.parse(out).body[1].value.func.value  # (...).log()
    assert isinstance(log.func.value, ast.BinOp)  # the epsilon is added inside the log, not to its result
    out = mm.add_clamp("import torch\ny = (1 - p).log()\n")
    assert isinstance(ast.parse(out).body[1].value.func.value, ast.Call)  # ((1 - p).clamp(min=..)).log()


def test_published_full_suite_passed():
    path = os.path.join(HERE, "..", "..", "docs", "doctor_accuracy.json")
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    for part in ("tuning", "heldout"):
        mm_part = data["metamorphic"][part]
        assert mm_part["passed"] == mm_part["rewrites"] > 0, part
        assert mm_part["min_rewrites_per_unit"] >= 5, part
