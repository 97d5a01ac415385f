"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit tool on a temporary git repository."""

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BAD = textwrap.dedent("""
    import torch
    import torch.nn as nn
    G = nn.Sequential(nn.Linear(8, 16), nn.LeakyReLU(0.2), nn.Linear(16, 2), nn.Tanh())
    D = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))
    opt_g, opt_d = torch.optim.Adam(G.parameters()), torch.optim.Adam(D.parameters())
    bce = nn.BCEWithLogitsLoss()
    for real in torch.load("x.pt"):
        fake = G(torch.randn(64, 8))
        d_loss = bce(D(real), torch.ones(64, 1)) + bce(D(fake.detach()), torch.zeros(64, 1))
        opt_d.zero_grad(); d_loss.backward(); opt_d.step()
        g_loss = bce(D(fake), torch.ones(64, 1))
        opt_g.zero_grad(); g_loss.backward(); opt_g.step()
""")


def _pre_commit() -> list[str]:
    """The pre-commit command, or a skip when it cannot be installed/run here."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.skip("pre-commit is not installed (pip install pre-commit)")
    return [sys.executable, "-m", "pre_commit"]


def _repo(tmp_path, env):
    repo = tmp_path / "repo"
    repo.mkdir()
    for cmd in (["git", "init", "-q"], ["git", "config", "user.email", "t@t"], ["git", "config", "user.name", "t"]):
        subprocess.run(cmd, cwd=repo, check=True, env=env)
    (repo / "train.py").write_text(BAD)
    subprocess.run(["git", "add", "train.py"], cwd=repo, check=True, env=env)
    return repo


def _env(tmp_path):
    """A `ganhacks` on PATH that runs this checkout's sources (what an installed ganhacks would do)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "ganhacks"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m ganhacks "$@"\n')
    shim.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.path.join(ROOT, "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["PRE_COMMIT_HOME"] = str(tmp_path / "cache")
    env.pop("PRE_COMMIT", None)
    return env


def test_hooks_file_declares_both_hooks():
    yaml = pytest.importorskip("yaml")
    with open(os.path.join(ROOT, ".pre-commit-hooks.yaml"), encoding="utf-8") as fh:
        hooks = {h["id"]: h for h in yaml.safe_load(fh)}
    assert set(hooks) == {"ganhacks-doctor", "ganhacks-doctor-system"}
    for h in hooks.values():
        assert h["entry"] == "ganhacks doctor" and h["types"] == ["python"] and h["require_serial"] is True
    assert hooks["ganhacks-doctor"]["language"] == "python"


def test_system_hook_fails_on_a_failing_tip_and_passes_after_the_fix(tmp_path):
    cmd = _pre_commit()
    env = _env(tmp_path)
    repo = _repo(tmp_path, env)
    run = subprocess.run(
        [*cmd, "try-repo", ROOT, "ganhacks-doctor-system", "--files", "train.py"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if run.returncode != 0 and "ganhacks doctor" not in run.stdout:
        pytest.skip(f"pre-commit could not run the hook here: {(run.stdout + run.stderr)[-300:]}")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "T05" in run.stdout and "fail" in run.stdout and "Failed" in run.stdout
    (repo / "train.py").write_text(BAD.replace("nn.ReLU()", "nn.LeakyReLU(0.2)"))
    subprocess.run(["git", "add", "train.py"], cwd=repo, check=True, env=env)
    run = subprocess.run(
        [*cmd, "try-repo", ROOT, "ganhacks-doctor-system", "--files", "train.py"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Passed" in run.stdout


@pytest.mark.skipif(
    not os.environ.get("GANHACKS_TEST_PRECOMMIT_INSTALL"),
    reason="installs ganhacks and torch into a fresh environment (minutes); set GANHACKS_TEST_PRECOMMIT_INSTALL=1",
)
def test_isolated_hook_installs_and_fails_on_a_failing_tip(tmp_path):
    cmd = _pre_commit()
    env = _env(tmp_path)
    repo = _repo(tmp_path, env)
    run = subprocess.run(
        [*cmd, "try-repo", ROOT, "ganhacks-doctor", "--files", "train.py"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=3000,
    )
    if "An unexpected error has occurred" in run.stdout + run.stderr:
        pytest.skip(f"pre-commit could not install the hook environment: {(run.stdout + run.stderr)[-300:]}")
    assert run.returncode == 1 and "T05" in run.stdout, run.stdout + run.stderr
