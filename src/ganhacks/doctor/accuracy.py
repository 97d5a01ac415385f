"""Accuracy of the static doctor on a labelled corpus: precision and recall of ``fail`` verdicts.

A corpus is a folder of scripts; the unit a script belongs to carries its expected verdicts in
header comments such as ``# expect: T01=pass T02=fail ...`` (one unit, one set of labels). Run::

    python -m ganhacks.doctor.accuracy tests/doctor/corpus --exclude=heldout   # the tuning part
    python -m ganhacks.doctor.accuracy tests/doctor/corpus/heldout             # the held-out part
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from ganhacks.doctor.audit import audit
from ganhacks.doctor.config import DoctorConfig
from ganhacks.doctor.report import UnitReport
from ganhacks.errors import UserError

_EXPECT = re.compile(r"^#\s*expect:\s*(.*)$", re.MULTILINE)
_PAIR = re.compile(r"(T\d\d)=(pass|fail|absent|na)\b")


def read_expectations(path: str) -> dict[str, str]:
    """Tip id -> expected verdict from the ``# expect:`` lines of one file (empty when none)."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    out: dict[str, str] = {}
    for line in _EXPECT.findall(text):
        out.update(dict(_PAIR.findall(line)))
    return out


@dataclass(frozen=True)
class Score:
    """Agreement of the doctor with the labels."""

    units: int  # labelled units compared
    verdicts: int  # labelled verdicts compared
    agree: int  # verdicts equal to the label
    tp: int  # fail predicted and labelled
    fp: int  # fail predicted, label says otherwise
    fn: int  # labelled fail not predicted
    mismatches: tuple[tuple[str, str, str, str], ...]  # (unit, tip, expected, got)

    @property
    def precision(self) -> float:
        """TP / (TP + FP) of ``fail`` (1.0 when nothing is predicted to fail)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN) of ``fail`` (1.0 when nothing is labelled fail)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def to_dict(self) -> dict:
        """The score as JSON-ready data (mismatches as {unit, tip, expected, got})."""
        return {
            "units": self.units,
            "verdicts": self.verdicts,
            "agree": self.agree,
            "agreement": round(self.agree / max(self.verdicts, 1), 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "mismatches": [dict(zip(("unit", "tip", "expected", "got"), m)) for m in self.mismatches],
        }


def score_corpus(folder: str, config: DoctorConfig | None = None) -> Score:
    """Audit ``folder`` (default settings unless ``config``) and compare every verdict to its label.

    Raises:
        UserError: a unit has no ``# expect:`` labels, or more than one labelled file.
    """
    return score_units(audit([folder], config or DoctorConfig()).units)


def score_units(units: list[UnitReport]) -> Score:
    """Compare the verdicts of already-audited units to their labels (see :func:`score_corpus`)."""
    n = agree = tp = fp = fn = 0
    mism = []
    for unit in units:
        labelled = [(p, read_expectations(p)) for p in unit.files]
        labelled = [(p, e) for p, e in labelled if e]
        if not labelled and not unit.gan_code:
            continue  # e.g. an empty package __init__.py
        if len(labelled) != 1:
            raise UserError(f"unit {unit.name} needs exactly one file with '# expect:' labels, found {len(labelled)}")
        expected = labelled[0][1]
        for v in unit.verdicts:
            if v.tip not in expected:
                continue
            want, got = expected[v.tip], v.verdict
            n += 1
            agree += want == got
            tp += want == "fail" and got == "fail"
            fp += want != "fail" and got == "fail"
            fn += want == "fail" and got != "fail"
            if want != got:
                mism.append((unit.name, v.tip, want, got))
    return Score(sum(1 for u in units if u.gan_code), n, agree, tp, fp, fn, tuple(mism))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    folder = argv[0] if argv else "tests/doctor/corpus"
    exclude = tuple(a.removeprefix("--exclude=") for a in argv[1:] if a.startswith("--exclude="))
    s = score_corpus(folder, DoctorConfig(exclude=(*DoctorConfig().exclude, *exclude)))
    print(f"units={s.units} verdicts={s.verdicts} agree={s.agree} ({s.agree / max(s.verdicts, 1):.3f})")
    print(f"fail: tp={s.tp} fp={s.fp} fn={s.fn} precision={s.precision:.3f} recall={s.recall:.3f}")
    for m in s.mismatches:
        print("  mismatch:", *m)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
