"""From records to evidence and the report, on hand-made records with known answers (no training)."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from ganhacks.bench import evidence as evidence_module
from ganhacks.bench import measured_verdicts, order_by_benefit, tip_verdicts, tips_evidence, tips_measured
from ganhacks.bench.evidence import analyse, failed
from ganhacks.bench.report import write_report
from ganhacks.bench.results import ResultsFile
from ganhacks.cli import main
from ganhacks.errors import UserError


def record(variant, seed, quality, *, baseline=None, tips=(), effect=1, status="ok", collapsed=False, tune=0):
    """A ring8 record whose primary metric (quality_coverage) is ``quality``."""
    metrics = {
        "quality_coverage": quality,
        "modes_covered": 8.0,
        "modes_total": 8.0,
        "high_quality": quality,
        "reverse_kl_hq": 0.1,
        "mode_reverse_kl": 0.01,
        "precision": 0.5,
        "recall": 0.9,
        "density": 0.8,
        "coverage": 0.7,
    }
    return {
        "job": f"ring8/100/{variant}/{seed}",
        "benchmark": "ring8",
        "steps": 100,
        "variant": variant,
        "seed": seed,
        "baseline": baseline,
        "group": "test",
        "tips": list(tips),
        "effect": effect,
        "phase": "eval",
        "tune": tune,
        "status": status,
        "error": None if status == "ok" else "boom",
        "metrics": metrics if status == "ok" else {},
        "collapsed": collapsed if status == "ok" else None,
        "alerts": [{"symptom": "mode_collapse", "step": 50, "severity": "error"}] if collapsed else [],
        "cpu_s": 10.0,
        "wall_s": 11.0,
        "steps_per_s": 9.0,
    }


def synthetic(n=10):
    rng = np.random.default_rng(0)
    seed_effect = rng.normal(0, 0.2, size=n)
    out = []
    for s in range(n):
        base = 0.5 + seed_effect[s]
        out.append(record("rec", s, base))
        out.append(record("vanilla", s, base - 0.3, baseline="rec"))
        # taking T06 out of rec hurts: so T06 helps
        out.append(record("rec-T06", s, base - 0.1 + rng.normal(0, 0.01), baseline="rec", tips=["T06"], effect=-1))
        # adding T13 changes nothing measurable
        out.append(record("rec+T13", s, base + rng.normal(0, 0.05), baseline="rec", tips=["T13"]))
        # adding S01 leaves the mean alone but makes 6 of 10 runs collapse: it hurts through failures
        out.append(record("rec+S01", s, base, baseline="rec", tips=["S01"], collapsed=s < 6))
    return out


def test_failed_outcome_of_a_record():
    assert failed(record("a", 0, 0.5)) == 0.0
    assert failed(record("a", 0, 0.5, collapsed=True)) == 1.0
    assert failed(record("a", 0, 0.5, status="diverged")) == 1.0
    assert failed(record("a", 0, 0.5, status="crashed")) is None


def test_analyse_gives_known_verdicts():
    ev = analyse(synthetic())
    comps = {c["variant"]: c for c in ev["comparisons"]}
    assert comps["vanilla"]["verdict"] == "hurts"
    assert comps["vanilla"]["metrics"]["quality_coverage"]["mean"] == pytest.approx(-0.3)
    assert comps["rec-T06"]["verdict"] == "hurts"
    assert comps["rec+T13"]["verdict"] == "no measurable effect"
    assert comps["rec+S01"]["metrics"]["failed"]["mean"] == pytest.approx(0.6)
    assert comps["rec+S01"]["verdict"] == "hurts"
    cells = {c["variant"]: c for c in ev["cells"]}
    assert cells["rec+S01"]["failure_rate"] == pytest.approx(0.6) and cells["rec+S01"]["alerts"]["mode_collapse"] == 6
    assert cells["rec"]["metrics"]["quality_coverage"]["n"] == 10
    # per tip: a leave-one-out variant that hurts means the tip helps
    assert ev["tips"]["T06"]["ring8"]["verdict"] == "helps"
    assert ev["tips"]["T13"]["ring8"]["verdict"] == "no measurable effect"
    assert ev["tips"]["S01"]["ring8"]["verdict"] == "hurts"


def test_few_seeds_give_no_verdict():
    ev = analyse(synthetic(n=4))
    assert {c["verdict"] for c in ev["comparisons"]} == {"too few seeds"}


def test_report_files_and_tip_verdicts_from_a_folder(tmp_path, capsys):
    results = ResultsFile(tmp_path)
    for r in synthetic():
        results.append(r)
    results.append({**record("rec", 99, 0.1, status="crashed"), "job": "ring8/100/rec/99"})
    assert main(["bench", "report", str(tmp_path)]) == 0
    md = (tmp_path / "report.md").read_text()
    assert "| PacGAN2 |" in md and "98.2 %" in md  # the published anchors beside ours
    assert "| real data |" in md
    assert "## ring8, 100 steps" in md and "figures/ring8-100.png" in md
    assert "| rec-T06 | rec |" in md and "boom" in md  # comparisons and the crashed job's error
    assert (tmp_path / "figures" / "ring8-100.png").stat().st_size > 1000
    html = (tmp_path / "report.html").read_text()
    assert "data:image/png;base64," in html and 'src="figures' not in html  # one self-contained file
    evidence = json.loads((tmp_path / "evidence.json").read_text())
    assert evidence["tips"]["T06"]["ring8"]["verdict"] == "helps"
    verdicts = tip_verdicts(tmp_path)
    assert verdicts == tip_verdicts(tmp_path / "evidence.json")
    assert tip_verdicts(tmp_path / "results.jsonl")["S01"]["ring8"]["verdict"] == "hurts"
    assert order_by_benefit(["S01", "T13", "T06", "T02"], verdicts) == ["T06", "T13", "S01", "T02"]


def test_every_figure_of_the_report_is_in_its_evidence_json(tmp_path):
    # so docs/EVIDENCE.md, made from report.md, passes the docs figures check with evidence.json as its source
    spec = importlib.util.spec_from_file_location("docs_figures", Path(__file__).parents[1] / "test_docs_figures.py")
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    results = ResultsFile(tmp_path)
    for r in synthetic():
        results.append(r)
    write_report(tmp_path)
    candidates = check.numbers(json.loads((tmp_path / "evidence.json").read_text()))
    found = check.figures((tmp_path / "report.md").read_text())
    assert found
    missing = [shown for shown, value, decimals in found if not check.matches(value, decimals, candidates)]
    assert not missing


def test_report_of_an_empty_or_wrong_folder_is_refused(tmp_path, capsys):
    assert main(["bench", "report", str(tmp_path)]) == 2
    assert "holds no results.jsonl" in capsys.readouterr().err
    with pytest.raises(UserError, match="no evidence"):
        tip_verdicts(tmp_path)


def test_tips_measured_names_the_variants_of_each_tip(capsys):
    measured = tips_measured()
    assert "recommended-S01" in measured["S01"] and "vanilla+S01" in measured["S01"]
    assert "wgan-gp" in measured["S02"]
    assert measured["T13"] == measured["S09"]
    assert "vanilla+T07" not in measured.get("T07", [])  # cannot run: the encoder needs a Gaussian z
    assert main(["tips", "--format", "json", "T06"]) == 0
    (tip,) = json.loads(capsys.readouterr().out)
    assert "recommended-T06" in tip["measured_by"]


def test_tips_show_the_shipped_verdicts_and_nothing_when_none_ship(capsys, monkeypatch):
    shipped = {
        "S01": {"ring8": {"verdict": "hurts", "benefit": -0.7, "variant": "spectral-norm", "steps": 2000, "n": 6}}
    }
    monkeypatch.setattr(evidence_module, "measured_verdicts", lambda: shipped)
    assert tips_evidence() == {"S01": ["ring8: hurts (spectral-norm, n=6)"]}
    assert main(["tips", "--format", "json", "S01", "T03"]) == 0
    s01, t03 = json.loads(capsys.readouterr().out)
    assert s01["evidence"] == ["ring8: hurts (spectral-norm, n=6)"] and t03["evidence"] == []
    # the file the package ships, read for real: every entry names a verdict the bench can give
    for by_bench in measured_verdicts().values():
        for entry in by_bench.values():
            assert entry["verdict"] in {"helps", "hurts", "mixed", "no measurable effect", "too few seeds"}
            assert entry["n"] >= 1 and entry["variant"]
