"""``ganhacks eval`` through ganhacks.cli.main."""

import json
import math
import os

import numpy as np
import pytest
import torch
from scipy.spatial.distance import cdist

from ganhacks.cli import main
from ganhacks.metrics import load_digits_images


def test_eval_digits_writes_metrics_json_next_to_samples(tmp_path, capsys):
    x, _ = load_digits_images()
    np.save(tmp_path / "fake.npy", x[:500].numpy())
    code = main(["eval", str(tmp_path / "fake.npy"), "--real", "digits", "--metrics", "fid,is,modes", "--n", "400"])
    assert code == 0
    record = json.loads((tmp_path / "metrics.json").read_text())
    assert record["n_fake"] == 400 and record["n_real"] == 400 and record["real"] == "digits"
    assert record["extractor"].startswith("digits-cnn") and record["feature_space"] == "digits-cnn"
    m = record["metrics"]
    assert set(m) == {"fid", "is", "is_std", "modes_covered", "modes_total", "mode_reverse_kl"}
    # real digits against other real digits: every class present, a confident classifier, a small FID
    assert m["modes_covered"] == 10 and m["modes_total"] == 10 and m["mode_reverse_kl"] < 0.05
    assert 8.0 < m["is"] <= 10.0 and 0 < m["fid"] < 5.0
    out = capsys.readouterr().out
    assert "fid[digits-cnn]" in out and "modes_covered[digits-cnn]" in out and "n_fake=400" in out
    assert f"{m['fid']:.4g}" in out and str(m["fid"]) not in out  # rounded on screen, full precision in JSON


def test_eval_of_the_real_set_against_itself_has_fid_zero(tmp_path):
    x, _ = load_digits_images()
    np.save(tmp_path / "fake.npy", x.numpy())
    assert main(["eval", str(tmp_path / "fake.npy"), "--real", "digits", "--metrics", "fid,modes"]) == 0
    m = json.loads((tmp_path / "metrics.json").read_text())["metrics"]
    assert abs(m["fid"]) < 1e-6 and m["modes_covered"] == 10  # all 1797 digits on both sides: the same set


def test_device_errors_name_the_option_as_typed(tmp_path, capsys):
    np.save(tmp_path / "fake.npy", load_digits_images()[0][:100].numpy())
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here: --device cuda is valid")
    assert main(["eval", str(tmp_path / "fake.npy"), "--real", "digits", "--device", "cuda"]) == 2
    err = capsys.readouterr().err
    assert err == "ganhacks eval: error: --device cuda but CUDA is not available; use --device cpu or auto\n"
    assert main(["eval", str(tmp_path / "fake.npy"), "--real", "digits", "--device", "tpu9"]) == 2
    assert "unknown device 'tpu9' for --device" in capsys.readouterr().err
    assert not (tmp_path / "metrics.json").exists()


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
    assert record["config"]["k"] == 3 and record["extractor"] == "identity"
    m = record["metrics"]
    # the same numbers by hand (identity features, every sample used): k-NN balls with strict inequalities
    f, r = fake.double().numpy(), real.double().numpy()
    d_rr, d_ff, d_fr = cdist(r, r), cdist(f, f), cdist(f, r)
    r_radius, f_radius = np.sort(d_rr, 1)[:, 3], np.sort(d_ff, 1)[:, 3]  # column 0 is the point itself
    inside = d_fr < r_radius[None, :]  # fake i inside real j's ball
    assert m["precision"] == pytest.approx(inside.any(1).mean(), abs=1e-12)
    assert m["recall"] == pytest.approx((d_fr < f_radius[:, None]).any(0).mean(), abs=1e-12)
    assert m["density"] == pytest.approx(inside.sum() / (3 * len(f)), abs=1e-12)
    assert m["coverage"] == pytest.approx(inside.any(0).mean(), abs=1e-12)
    # every fake sits at the first centre: it is covered, the second is not (all mass on one of two modes:
    # reverse KL log 2), and the reals at the second centre (about half) lie outside every fake ball
    assert m["modes_covered"] == 1 and m["modes_total"] == 2 and m["mode_reverse_kl"] == pytest.approx(math.log(2))
    at_first = (r[:, 0] < 2).mean()
    assert (
        m["precision"] > 0.95
        and 0.9 * at_first < m["recall"] <= at_first
        and 0.9 * at_first < m["coverage"] <= at_first
    )
    hq = np.linalg.norm(f - centres.numpy()[0], axis=1) < 3 * 0.1  # nearest centre is the first for all of them
    assert m["high_quality"] == pytest.approx(hq.mean(), abs=1e-12)


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


class Payload:
    """Unpickling this runs a shell command that creates ``marker``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_eval_refuses_pickled_samples_without_running_them(tmp_path, capsys):
    marker = tmp_path / "pwned"
    np.save(tmp_path / "evil.npy", np.array([Payload(marker)], dtype=object), allow_pickle=True)
    assert main(["eval", str(tmp_path / "evil.npy"), "--real", "digits"]) == 2
    assert "holds Python objects, which are not loaded for safety" in capsys.readouterr().err
    assert not marker.exists()
    np.load(tmp_path / "evil.npy", allow_pickle=True)  # positive control: an unsafe load runs the payload
    assert marker.exists()


@pytest.mark.parametrize("size", ["0", "-5"])
def test_eval_refuses_a_batch_size_below_one(tmp_path, capsys, size):
    np.save(tmp_path / "fake.npy", load_digits_images()[0][:50].numpy())
    assert main(["eval", str(tmp_path / "fake.npy"), "--real", "digits", "--set", f"batch_size={size}"]) == 2
    err = capsys.readouterr().err
    assert err == f"ganhacks eval: error: batch_size must be >= 1 (samples per feature-extraction batch); got {size}\n"
    assert not (tmp_path / "metrics.json").exists()


def test_eval_says_a_text_file_named_npy_is_not_a_numpy_file(tmp_path, capsys):
    (tmp_path / "notarray.npy").write_text('{"a": 1}\n')
    assert main(["eval", str(tmp_path / "notarray.npy"), "--real", "digits"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "notarray.npy is not a readable numpy file (no numpy header" in err


def test_eval_of_a_run_without_a_checkpoint_says_there_is_nothing_to_evaluate(tmp_path, capsys):
    run = tmp_path / "p8"
    (run / "checkpoints").mkdir(parents=True)
    (run / "config.json").write_text("{}")
    assert main(["eval", str(run)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ganhacks eval: error: no checkpoint in {run / 'checkpoints'}: nothing to evaluate yet;")
    assert "resume" not in err and err.count("\n") == 1


def test_eval_modes_name_the_centres_dimension_and_the_cli_flags(tmp_path, capsys):
    rng = np.random.default_rng(0)
    np.save(tmp_path / "real.npy", rng.normal(size=(200, 2)).astype(np.float32))
    np.save(tmp_path / "c3.npy", rng.normal(size=(8, 3)).astype(np.float32))
    args = ["eval", str(tmp_path / "real.npy"), "--real", str(tmp_path / "real.npy"), "--metrics", "modes"]
    assert main([*args, "--mode-centers", str(tmp_path / "c3.npy"), "--mode-std", "0.1"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "ganhacks eval: error: the mode centres have 3 dimensions but the points have 2; "
        "give the centres as (M, 2), in the points' units\n"
    )
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "needs the mixture's mode centres and std: give --mode-centers FILE.npy (M, D) and --mode-std S\n" in err
    assert main([*args, "--mode-centers", str(tmp_path / "c3.npy")]) == 2
    assert capsys.readouterr().err.endswith("std: give --mode-std S\n")
    assert not (tmp_path / "metrics.json").exists()
