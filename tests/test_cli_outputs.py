"""Output paths the user names (``doctor -o``, ``eval --out``, ``report --out``) never replace the user's data.

Each refusal is one line with exit code 2 and leaves every file byte-identical; rerunning a command
over its own previous output keeps working; no temporary file is left behind.
"""

import numpy as np
import pytest

from ganhacks.cli import main
from ganhacks.train.run import start_run

SCRIPT = "import torch.nn as nn\nG = nn.Sequential(nn.Linear(4, 2), nn.Tanh())\n"


@pytest.fixture
def run(tmp_path, tiny):
    """A finished tiny run on 2-D points: config.json, metrics.jsonl and one checkpoint."""
    folder = tmp_path / "run"
    start_run(tiny(images=False, steps=2), folder, progress=False)
    return folder


def refused(capsys, argv, fragment):
    """Run ``argv``; it must exit 2 with one line holding ``fragment``."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"ganhacks {argv[0]}: error: ") and fragment in err, err


def test_doctor_refuses_to_write_its_report_over_the_audited_script(tmp_path, capsys):
    script = tmp_path / "mytrain.py"
    script.write_text(SCRIPT)
    before = script.read_bytes()
    for extra in ([], ["--fix"], ["--format", "json"]):
        refused(capsys, ["doctor", str(script), "-o", str(script), *extra], "is also an input of this command")
        assert script.read_bytes() == before
    other = tmp_path / "other.py"  # not an input, but a script all the same
    other.write_text(SCRIPT)
    refused(capsys, ["doctor", str(script), "-o", str(other)], "already exists and is not a report of ganhacks doctor")
    assert other.read_text() == SCRIPT


@pytest.mark.parametrize("fmt, name", [("text", "doctor.txt"), ("json", "doctor.json"), ("sarif", "doctor.sarif")])
def test_doctor_rerun_replaces_its_own_report(tmp_path, capsys, fmt, name):
    script = tmp_path / "mytrain.py"
    script.write_text(SCRIPT)
    out = tmp_path / name
    for _ in range(2):
        assert main(["doctor", str(script), "-o", str(out), "--format", fmt]) in (0, 1)
    assert capsys.readouterr().err == ""
    assert out.stat().st_size > 0 and not list(tmp_path.glob(".*.tmp*"))


def test_eval_refuses_to_write_over_its_input_samples(tmp_path, capsys):
    points = np.random.default_rng(0).normal(size=(100, 2)).astype(np.float32)
    np.save(tmp_path / "fake.npy", points)
    np.save(tmp_path / "real.npy", points)
    before = (tmp_path / "fake.npy").read_bytes()
    base = ["eval", str(tmp_path / "fake.npy"), "--real", str(tmp_path / "real.npy"), "--metrics", "pr"]
    refused(capsys, [*base, "--out", str(tmp_path / "fake.npy")], "is also an input of this command")
    refused(capsys, [*base, "--out", str(tmp_path / "real.npy")], "is also an input of this command")
    assert (tmp_path / "fake.npy").read_bytes() == before
    (tmp_path / "notes.json").write_text('{"mine": 1}\n')  # a JSON file, but not one eval wrote
    refused(capsys, [*base, "--out", str(tmp_path / "notes.json")], "is not a metrics JSON of ganhacks eval")
    assert (tmp_path / "notes.json").read_text() == '{"mine": 1}\n'
    for _ in range(2):  # its own output is replaced on a rerun
        assert main([*base, "--out", str(tmp_path / "eval.json")]) == 0
    refused(capsys, [*base, "--out", str(tmp_path)], "is a folder; give a file path, e.g. --out")


def test_eval_and_report_refuse_the_runs_checkpoints_and_config(run, capsys):
    checkpoint = sorted((run / "checkpoints").glob("*.pt"))[-1]
    saved, config = checkpoint.read_bytes(), (run / "config.json").read_bytes()
    for verb in (["report", str(run)], ["eval", str(run), "--n", "50"]):
        refused(capsys, [*verb, "--out", str(checkpoint)], "inside a run's checkpoints/ folder")
        refused(capsys, [*verb, "--out", str(run / "checkpoints" / "new.out")], "inside a run's checkpoints/ folder")
        refused(capsys, [*verb, "--out", str(run / "config.json")], "already exists and is not")
    assert checkpoint.read_bytes() == saved and (run / "config.json").read_bytes() == config
    for _ in range(2):  # the default outputs, then the same command again over them
        assert main(["report", str(run)]) == 0
        assert main(["eval", str(run), "--n", "50"]) == 0
    assert (run / "report.html").is_file() and (run / "metrics.json").is_file()


def test_report_into_a_folder_is_one_line_and_leaves_no_temporary_file(run, tmp_path, capsys):
    folder = tmp_path / "outdir"
    folder.mkdir()
    refused(capsys, ["report", str(run), "--out", str(folder)], f"--out {folder} is a folder; give a file path")
    assert list(folder.iterdir()) == [] and not list(tmp_path.glob(".*"))


def test_report_of_a_file_says_it_is_not_a_run_folder(tmp_path, capsys):
    (tmp_path / "some_file.npy").write_bytes(b"x")
    refused(capsys, ["report", str(tmp_path / "some_file.npy")], "some_file.npy is a file, not a run folder")
