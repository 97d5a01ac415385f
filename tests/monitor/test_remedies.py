import json

from ganhacks.monitor import Monitor
from ganhacks.monitor.config import MonitorConfig
from ganhacks.monitor.remedies import load_benefits, parse_benefits, rank_tips, shipped_benefits


def test_markdown_tables_with_tip_and_benefit_columns_are_averaged_per_tip():
    page = "\n".join(
        [
            "| tip | benchmark | benefit | verdict |",
            "|---|---|---|---|",
            "| S01 | ring8 | -0.769 | hurts |",
            "| S01 | grid25 | -0.231 | hurts |",
            "| T06 | ring8 | +0.001 | no measurable effect |",
            "",
            "| tip | other |",  # a table without a benefit column is ignored
            "| T02 | 9 |",
        ]
    )
    assert parse_benefits(page) == {"S01": -0.5, "T06": 0.001}


def test_shipped_form_averages_benchmarks_and_skips_entries_without_a_number():
    s08 = {"ring8": {"benefit": 0.4}, "grid25": {"benefit": 0.2}}
    data = {"tips": {"S08": s08, "T15": {"ring8": {"benefit": None}}}}
    assert shipped_benefits(data) == {"S08": (0.4 + 0.2) / 2}


def test_load_benefits_reads_a_path_the_shipped_file_or_nothing(tmp_path):
    (tmp_path / "b.json").write_text(json.dumps({"S01": 0.3, "T13": 0.1, "flag": True}))
    assert load_benefits(tmp_path / "b.json") == {"S01": 0.3, "T13": 0.1}
    (tmp_path / "bad.json").write_text("{not json")
    assert load_benefits(tmp_path / "bad.json") == {} and load_benefits(tmp_path / "missing.md") == {}
    shipped = load_benefits("")  # the verdicts the package ships: the same numbers the bench reads
    from ganhacks.bench import measured_verdicts

    assert shipped and shipped == shipped_benefits({"tips": measured_verdicts()})
    assert shipped["S01"] < 0 < shipped["S08"]  # docs/EVIDENCE.md: spectral norm hurts on ring8, LR decay helps


def test_remedies_are_listed_best_measured_first(tmp_path):
    assert rank_tips(("T10", "S08", "S01"), {"S01": -0.7, "S08": 0.4}) == ("S08", "S01", "T10")
    (tmp_path / "e.json").write_text(json.dumps({"S08": 0.4, "S01": -0.7}))
    monitor = Monitor(config=MonitorConfig(evidence=str(tmp_path / "e.json")))
    assert monitor.benefits == {"S08": 0.4, "S01": -0.7}
