"""Every labelled verdict of the corpus (tests/doctor/corpus), and the fail precision/recall."""

import os

import pytest

from ganhacks.doctor import audit
from ganhacks.doctor.accuracy import read_expectations, score_units
from ganhacks.doctor.config import DoctorConfig

CORPUS = os.path.join(os.path.dirname(__file__), "corpus")
TUNING = DoctorConfig(exclude=(*DoctorConfig().exclude, "heldout"))  # the held-out part is never tuned on


def _report():
    return audit([CORPUS], TUNING)


REPORT = _report()
CASES = [(u, p, exp) for u in REPORT.units for p in u.files for exp in [read_expectations(p)] if exp]


def test_corpus_is_large_and_fully_labelled():
    assert len(CASES) >= 25
    for _, path, exp in CASES:
        assert sorted(exp) == [f"T{i:02d}" for i in range(1, 18)], path
        assert not os.path.basename(path).startswith("test_")


@pytest.mark.parametrize("unit,path,expected", CASES, ids=[os.path.relpath(c[1], CORPUS) for c in CASES])
def test_every_corpus_verdict(unit, path, expected):
    got = {v.tip: v.verdict for v in unit.verdicts}
    wrong = {t: (expected[t], got[t]) for t in expected if got[t] != expected[t]}
    assert not wrong, f"{path}: tip -> (expected, got): {wrong}"


def test_fail_verdicts_carry_evidence_and_fix():
    for unit, _, _ in CASES:
        for v in unit.verdicts:
            if v.verdict == "fail":
                assert v.evidence and v.fix and v.evidence[0].line >= 1


def test_multi_file_project_is_one_unit():
    split = [u for u in REPORT.units if any(p.endswith(os.path.join("project_split", "train.py")) for p in u.files)]
    assert len(split) == 1 and len(split[0].files) == 2


def test_precision_and_recall_targets():
    s = score_units(REPORT.units)
    assert s.fp == 0 and s.precision == 1.0
    assert s.recall >= 0.9
    assert s.tp >= 15


def test_held_out_labels_come_with_reasons_and_every_tip():
    held = [(p, read_expectations(p)) for p in _labelled(os.path.join(CORPUS, "heldout")) if read_expectations(p)]
    assert len(held) >= 25
    for path, exp in held:
        assert sorted(exp) == [f"T{i:02d}" for i in range(1, 18)], path
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        for tip, verdict in exp.items():
            if verdict == "fail":
                assert f"# reason: {tip}=fail" in text, f"{path}: a fail label needs its reason"


def _labelled(folder):
    for here, _dirs, files in os.walk(folder):
        for name in sorted(files):
            if name.endswith(".py"):
                yield os.path.join(here, name)


def test_published_figures_are_the_doctors_current_ones():
    """docs/doctor_accuracy.json (and so docs/doctor.md) matches what the doctor says today."""
    import json

    with open(os.path.join(CORPUS, "..", "..", "..", "docs", "doctor_accuracy.json"), encoding="utf-8") as fh:
        published = json.load(fh)
    whole = audit([CORPUS], DoctorConfig()).units  # one audit; the parts are its units
    held = [u for u in whole if any(os.sep + "heldout" + os.sep in p for p in u.files)]
    parts = {"tuning": [u for u in whole if u not in held], "heldout": held, "whole": whole}
    for part, units in parts.items():
        s = score_units(units)
        got = {k: getattr(s, k) for k in ("units", "verdicts", "agree", "tp", "fp", "fn")}
        assert got == {k: published[part][k] for k in got}, part
    s = score_units(whole)
    assert s.precision >= 0.98 and s.recall >= 0.9  # issue 11's bar on the whole corpus
    assert published["original"]["mismatches"] == []  # no label of the first corpus lost
