"""`ganhacks doctor --fix / --diff`: each fix parses and turns its tip to pass; --diff changes nothing;
files that do not parse are never touched; T09 only with --unsafe-fixes."""

import ast
import os
import textwrap
from pathlib import Path

import pytest

from ganhacks.cli import main
from ganhacks.doctor import audit
from ganhacks.doctor.config import DoctorConfig

pytest.importorskip("libcst")

HEAD = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nimport numpy as np\n"
LOOP = textwrap.dedent("""
    G = nn.Sequential(nn.Linear(8, 32), nn.LeakyReLU(0.2), nn.Linear(32, 4), nn.Tanh())
    D = nn.Sequential(nn.Linear(4, 32), {d_act}, nn.Linear(32, 1))
    opt_G = {opt_g}
    opt_D = torch.optim.Adam(D.parameters(), lr=2e-4)
    bce = nn.BCEWithLogitsLoss()
    for real in {data}:
        z = {z}
        fake = G(z)
        d_loss = bce(D(real), torch.ones(64, 1)) + bce(D(fake.detach()), torch.zeros(64, 1))
        opt_D.zero_grad(); d_loss.backward(); opt_D.step()
        g_loss = {g_loss}
        opt_G.zero_grad(); g_loss.backward(); opt_G.step()
""")
GOOD = {
    "d_act": "nn.LeakyReLU(0.2)",
    "opt_g": "torch.optim.Adam(G.parameters(), lr=2e-4)",
    "data": 'torch.load("x.pt")',
    "z": "torch.randn(64, 8)",
    "g_loss": "bce(D(fake), torch.ones(64, 1))",
}
# tip -> spellings that fail it (each rewritten by its fix)
CASES = {
    "T03": [
        {"z": "torch.rand(64, 8)"},
        {"z": "torch.rand(64, 8) * 2 - 1"},
        {"z": "torch.from_numpy(np.random.uniform(-1, 1, (64, 8))).float()"},
        {"z": "torch.tensor(np.random.rand(64, 8)).float()"},
        {"z": "torch.empty(64, 8).uniform_(-1, 1)"},
    ],
    "T05": [
        {"d_act": "nn.ReLU()"},
        {"d_act": "nn.ReLU(True)"},
        {"d_act": "nn.MaxPool1d(1)"},
    ],
    "T02": [
        {"g_loss": "torch.log(1 - torch.sigmoid(D(fake)) + 1e-8).mean()"},
        {"g_loss": "torch.log1p(-torch.sigmoid(D(fake))).mean()"},
        {"g_loss": "-F.softplus(D(fake)).mean()"},
        {"g_loss": "-F.binary_cross_entropy_with_logits(D(fake), torch.zeros(64, 1))"},
        {"g_loss": "(1 - torch.sigmoid(D(fake))).clamp(min=1e-7).log().mean()"},
    ],
    "T01": [
        {"data": 'torch.load("x.pt") / 255'},
    ],
}


def _script(tmp_path, name="train.py", **changes):
    path = tmp_path / name
    path.write_text(HEAD + LOOP.format(**{**GOOD, **changes}))
    return str(path)


def _verdicts(path):
    report = audit([path], DoctorConfig())
    return {v.tip: v.verdict for u in report.units for v in u.verdicts}


def test_the_base_script_passes_every_fixable_tip(tmp_path):
    got = _verdicts(_script(tmp_path))
    assert {got[t] for t in ("T01", "T02", "T03", "T05", "T09")} == {"pass"}


@pytest.mark.parametrize(
    "tip,change",
    [(tip, c) for tip, cs in CASES.items() for c in cs],
    ids=[f"{t}-{i}" for t in CASES for i in range(len(CASES[t]))],
)
def test_each_fix_parses_and_passes_its_tip(tmp_path, capsys, tip, change):
    path = _script(tmp_path, **change)
    assert _verdicts(path)[tip] == "fail"
    before = Path(path).read_text()
    assert main(["doctor", path, "--diff"]) == 1
    diff = capsys.readouterr().out
    assert diff.startswith("--- a/") and "+++ b/" in diff
    assert Path(path).read_text() == before  # --diff changes nothing
    main(["doctor", path, "--fix"])
    after = Path(path).read_text()
    ast.parse(after)
    assert after != before and _verdicts(path)[tip] == "pass"
    assert "fixed" in capsys.readouterr().err
    # only the cited lines changed
    changed = [a for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert 1 <= len(changed) <= 2


def test_fix_keeps_formatting_and_comments(tmp_path):
    path = _script(tmp_path, z="torch.rand(64,   8)  # uniform, on purpose")
    main(["doctor", path, "--fix"])
    assert "torch.randn(64,   8)  # uniform, on purpose" in Path(path).read_text()


def test_optimiser_fix_only_with_unsafe_fixes(tmp_path):
    path = _script(tmp_path, opt_g="torch.optim.SGD(G.parameters(), lr=0.01, momentum=0.9)")
    assert main(["doctor", path, "--fix"]) == 1  # T09 still fails: not a safe fix
    assert "SGD" in Path(path).read_text()
    assert main(["doctor", path, "--fix", "--unsafe-fixes"]) == 0
    text = Path(path).read_text()
    assert "torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))" in text
    assert _verdicts(path)["T09"] == "pass"


def test_several_tips_fixed_at_once_and_exit_code_after(tmp_path):
    path = _script(tmp_path, z="torch.rand(64, 8)", d_act="nn.ReLU()", g_loss="-F.softplus(D(fake)).mean()")
    assert main(["doctor", path]) == 1
    assert main(["doctor", path, "--fix"]) == 0
    got = _verdicts(path)
    assert got["T02"] == got["T03"] == got["T05"] == "pass"


def test_files_that_do_not_parse_are_never_touched(tmp_path):
    good = _script(tmp_path, z="torch.rand(64, 8)")
    broken = tmp_path / "broken.py"
    broken.write_text("z = torch.rand(64, 8)\ndef f(:\n")
    before = broken.read_bytes()
    main(["doctor", str(tmp_path), "--fix"])
    assert broken.read_bytes() == before
    assert "torch.randn(64, 8)" in Path(good).read_text()


def test_no_fix_when_nothing_fails(tmp_path, capsys):
    path = _script(tmp_path)
    assert main(["doctor", path, "--diff"]) == 0
    assert capsys.readouterr().out == ""


def test_fix_of_suppressed_tip_is_not_offered(tmp_path):
    path = _script(tmp_path, z="torch.rand(64, 8)  # ganhacks: ignore[T03]")
    main(["doctor", path, "--fix"])
    assert "torch.rand(64, 8)" in Path(path).read_text()


def test_project_fix_edits_the_file_holding_the_evidence(tmp_path):
    (tmp_path / "models.py").write_text(
        "import torch.nn as nn\n"
        "D = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 1))\n"
        "G = nn.Sequential(nn.Linear(8, 32), nn.LeakyReLU(0.2), nn.Linear(32, 4), nn.Tanh())\n"
    )
    train = _script(tmp_path)
    text = (
        Path(train)
        .read_text()
        .replace("G = nn.Sequential(nn.Linear(8, 32), nn.LeakyReLU(0.2), nn.Linear(32, 4), nn.Tanh())\n", "")
    )
    text = text.replace("D = nn.Sequential(nn.Linear(4, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))\n", "")
    Path(train).write_text(text.replace("import numpy as np\n", "import numpy as np\nfrom models import D, G\n"))
    assert main(["doctor", str(tmp_path), "--fix"]) == 0
    assert "nn.LeakyReLU(0.2), nn.Linear(32, 1)" in (tmp_path / "models.py").read_text()
    assert os.path.exists(train)
