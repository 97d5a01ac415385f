"""``ganhacks eval`` through ganhacks.cli.main."""

import json

import numpy as np
import torch

from ganhacks.cli import main
from ganhacks.metrics import load_digits_images


def test_eval_digits_writes_metrics_json_next_to_samples(tmp_path, capsys):
    x, _ = load_digits_images()
    np.save(tmp_path / "fake.npy", x[:500].numpy())
    code = main(["eval", str(tmp_path / "fake.npy"), "--real", "digits", "--metrics", "fid,is,modes", "--n", "400"])
    assert code == 0
    record = json.loads((tmp_path / "metrics.json").read_text())
    assert record["n_fake"] == 400 and record["n_real"] == 400 and record["real"] == "digits"
    assert record["extractor"].startswith("digits-cnn")
    assert set(record["metrics"]) == {"fid", "is", "is_std", "modes_covered", "modes_total", "mode_reverse_kl"}
    out = capsys.readouterr().out
    assert "fid" in out and "n_fake=400" in out


def test_eval_points_with_modes_from_npz_and_settings(tmp_path):
    g = torch.Generator().manual_seed(0)
    centres = torch.tensor([[0.0, 0.0], [4.0, 0.0]])
    real = centres[torch.randint(0, 2, (300,), generator=g)] + 0.1 * torch.randn(300, 2, generator=g)
    fake = centres[torch.zeros(300, dtype=torch.long)] + 0.1 * torch.randn(300, 2, generator=g)
    np.savez(tmp_path / "real.npz", points=real.numpy(), mode_centers=centres.numpy(), mode_std=np.array(0.1))
    np.savez(tmp_path / "fake.npz", samples=fake.numpy())
    out = tmp_path / "res" / "m.json"
    code = main(
        [
            "eval",
            str(tmp_path / "fake.npz"),
            "--real",
            str(tmp_path / "real.npz"),
            "--metrics",
            "pr,dc,modes",
            "--set",
            "k=3",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    record = json.loads(out.read_text())
    assert record["metrics"]["modes_covered"] == 1.0 and record["config"]["k"] == 3
    assert record["extractor"] == "identity"


def test_eval_errors_are_one_line_with_exit_code_2(tmp_path, capsys):
    np.save(tmp_path / "bad.npy", np.full((100, 1, 8, 8), 200.0, dtype=np.float32))
    assert main(["eval", str(tmp_path / "bad.npy"), "--real", "digits"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "must lie in [-1, 1]" in err
    assert main(["eval", str(tmp_path / "bad.npy"), "--real", "digits", "--metrics", "fid,presicion"]) == 2
    assert "unknown metric 'presicion'" in capsys.readouterr().err
    assert main(["eval", str(tmp_path / "missing.npy"), "--real", "digits"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["eval", str(tmp_path / "bad.npy"), "--real", "digits", "--set", "kid_subsets=many"]) == 2
    assert "kid_subsets expects int" in capsys.readouterr().err
    assert not (tmp_path / "metrics.json").exists()
