"""`ganhacks doctor`: exit codes, formats, select/ignore, suppression, pyproject settings, bad input."""

import json
import os
import textwrap

import pytest

from ganhacks.cli import main
from ganhacks.doctor import audit
from ganhacks.doctor.config import DoctorConfig, load_config
from ganhacks.doctor.formats import JSON_SCHEMA
from ganhacks.errors import UserError

BAD_D = textwrap.dedent("""
    import torch
    import torch.nn as nn
    G = nn.Sequential(nn.Linear(8, 16), nn.LeakyReLU(0.2), nn.Linear(16, 2), nn.Tanh())
    D = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1)){comment}
    opt_g = torch.optim.Adam(G.parameters())
    opt_d = torch.optim.Adam(D.parameters())
    bce = nn.BCEWithLogitsLoss()
    for real in torch.load("x.pt"):
        fake = G(torch.randn(64, 8))
        d_loss = bce(D(real), torch.ones(64, 1)) + bce(D(fake.detach()), torch.zeros(64, 1))
        opt_d.zero_grad(); d_loss.backward(); opt_d.step()
        g_loss = bce(D(fake), torch.ones(64, 1))
        opt_g.zero_grad(); g_loss.backward(); opt_g.step()
""")


def _write(tmp_path, name="train.py", comment=""):
    path = tmp_path / name
    path.write_text(BAD_D.format(comment=comment))
    return str(path)


def _validate(instance, schema, where="$"):
    """A small JSON-Schema subset validator (type/required/properties/items/enum/const/pattern)."""
    import re

    types = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool}
    if "type" in schema:
        assert isinstance(instance, types[schema["type"]]), where
        if schema["type"] == "integer":
            assert not isinstance(instance, bool), where
    if "enum" in schema:
        assert instance in schema["enum"], where
    if "const" in schema:
        assert instance == schema["const"], where
    if "pattern" in schema:
        assert re.search(schema["pattern"], instance), where
    if "minimum" in schema:
        assert instance >= schema["minimum"], where
    for key in schema.get("required", []):
        assert key in instance, f"{where}.{key} missing"
    for key, sub in schema.get("properties", {}).items():
        if key in instance:
            _validate(instance[key], sub, f"{where}.{key}")
    if "items" in schema:
        for i, item in enumerate(instance):
            _validate(item, schema["items"], f"{where}[{i}]")


def test_fail_exits_1_and_clean_exits_0(tmp_path, capsys):
    path = _write(tmp_path)
    assert main(["doctor", path]) == 1
    out = capsys.readouterr().out
    assert "T05" in out and "fail" in out and "train.py:5" in out
    assert main(["doctor", path, "--ignore", "T05"]) == 0


def test_missing_path_and_unknown_tip_exit_2(tmp_path, capsys):
    assert main(["doctor", str(tmp_path / "nope.py")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["doctor", _write(tmp_path), "--select", "T99"]) == 2
    assert "unknown tip id 'T99'" in capsys.readouterr().err


def test_json_matches_schema(tmp_path, capsys):
    assert main(["doctor", _write(tmp_path), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    _validate(data, JSON_SCHEMA)
    verdicts = {v["tip"]: v for v in data["units"][0]["verdicts"]}
    assert len(verdicts) == 17 and verdicts["T05"]["verdict"] == "fail"
    assert verdicts["T05"]["evidence"][0]["line"] == 5
    assert data["summary"]["fail"] == 1 and data["exit_code"] == 1
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(data, JSON_SCHEMA)


def test_sarif_has_rule_ids_and_locations(tmp_path, capsys):
    assert main(["doctor", _write(tmp_path), "--format", "sarif"]) == 1
    sarif = json.loads(capsys.readouterr().out)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["T05"]
    loc = results[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].endswith("train.py") and loc["region"]["startLine"] == 5
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert rules[results[0]["ruleIndex"]]["id"] == "T05" and len(rules) == 17


def test_select_limits_tips(tmp_path, capsys):
    assert main(["doctor", _write(tmp_path), "--select", "T02,T09", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [v["tip"] for v in data["units"][0]["verdicts"]] == ["T02", "T09"]


def test_inline_suppression(tmp_path, capsys):
    path = _write(tmp_path, comment="  # ganhacks: ignore[T05]")
    assert main(["doctor", path, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    t05 = next(v for v in data["units"][0]["verdicts"] if v["tip"] == "T05")
    assert t05["verdict"] == "fail" and t05["suppressed"] is True
    other = _write(tmp_path, "other.py", comment="  # ganhacks: ignore[T04]")  # wrong id: still fails
    assert main(["doctor", other]) == 1


def test_pyproject_settings_found_walking_up(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.ganhacks.doctor]\nignore = ["T05"]\n')
    sub = tmp_path / "src" / "pkg"
    sub.mkdir(parents=True)
    path = _write(sub)
    assert main(["doctor", path]) == 0
    assert load_config(path).ignore == ("T05",)
    (tmp_path / "pyproject.toml").write_text('[tool.ganhacks.doctor]\nrelu_in_generatr = "fail"\n')
    with pytest.raises(UserError, match="relu_in_generator"):
        load_config(path)


def test_relu_in_generator_setting(tmp_path):
    code = (
        BAD_D.format(comment="")
        .replace("nn.ReLU()", "nn.LeakyReLU()")
        .replace("nn.LeakyReLU(0.2), nn.Linear(16, 2)", "nn.ReLU(), nn.Linear(16, 2)")
    )
    (tmp_path / "g.py").write_text(code)
    allow = audit([str(tmp_path)], DoctorConfig())
    strict = audit([str(tmp_path)], DoctorConfig(relu_in_generator="fail"))
    assert allow.exit_code == 0 and strict.exit_code == 1


def test_bad_inputs_are_reported_per_file(tmp_path, capsys):
    good = _write(tmp_path, "good.py")
    (tmp_path / "py2.py").write_text('print "hello"\n')
    (tmp_path / "broken.py").write_text("def f(:\n")
    (tmp_path / "blob.py").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "notes.txt").write_text("not python")
    (tmp_path / "huge.py").write_text("x = 1\n" * 1000)
    (tmp_path / "empty").mkdir()
    os.symlink(tmp_path, tmp_path / "loop")  # a folder symlink loop
    os.symlink("self.py", tmp_path / "self.py")  # a file symlink pointing at itself
    report = audit(
        [str(tmp_path), str(tmp_path / "notes.txt"), str(tmp_path / "empty")], DoctorConfig(max_file_bytes=4000)
    )
    reasons = {os.path.basename(p.path): p.reason for p in report.problems}
    assert "Python 2" in reasons["py2.py"] and "does not parse" in reasons["broken.py"]
    assert "binary" in reasons["blob.py"] and "not a Python file" in reasons["notes.txt"]
    assert "too large" in reasons["huge.py"] and "no Python files" in reasons["empty"]
    assert "symlink loop" in reasons["loop"] and "symlink loop" in reasons["self.py"]
    assert report.exit_code == 1 and any(good in u.files for u in report.units)
    assert main(["doctor", str(tmp_path)]) == 1  # same via the CLI, no traceback
    assert "skipped" in capsys.readouterr().out


def test_never_executes_user_code(tmp_path):
    marker = tmp_path / "ran"
    (tmp_path / "evil.py").write_text(
        f"open({str(marker)!r}, 'w').write('x')\nimport torch.nn as nn\nD = nn.Sequential(nn.ReLU())\n"
    )
    audit([str(tmp_path)], DoctorConfig())
    assert not marker.exists()


def test_non_gan_code_gets_no_fail(tmp_path):
    # a classifier with ReLU, MaxPool, SGD, uniform noise and a loss-threshold loop: no tip applies
    (tmp_path / "classifier.py").write_text(
        textwrap.dedent("""
        import torch, torch.nn as nn, torch.nn.functional as F
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv, self.pool = nn.Conv2d(1, 8, 3), nn.MaxPool2d(2)
            def forward(self, x):
                return self.pool(F.relu(self.conv(x)))
        model = Net()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        z = torch.rand(3)
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            while loss > 1.0:
                break
            opt.zero_grad(); loss.backward(); opt.step()
    """)
    )
    report = audit([str(tmp_path)], DoctorConfig())
    assert report.exit_code == 0
    assert {v.verdict for v in report.units[0].verdicts} == {"na"}


def test_nothing_auditable_exits_2_with_the_reasons(tmp_path, capsys):
    (tmp_path / "broken.py").write_text("def f(:\n")
    (tmp_path / "blob.py").write_bytes(b"\x00\x01binary")
    for fmt in ("text", "json", "sarif"):
        assert main(["doctor", str(tmp_path), "--format", fmt]) == 2
        err = capsys.readouterr().err
        assert "nothing could be audited" in err and "broken.py" in err and "binary" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["doctor", str(empty)]) == 2
    assert "no Python files" in capsys.readouterr().err
    assert audit([str(tmp_path)], DoctorConfig()).exit_code == 2


def test_skipped_files_are_plain_text_in_every_format(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path)
    (tmp_path / "broken[1].py").write_text("def f(:\n")
    for fmt in ("text", "json", "sarif"):
        main(["doctor", str(tmp_path), "--format", fmt])
        out = capsys.readouterr().out
        assert "broken[1].py" in out
        assert "[yellow]" not in out and "[/" not in out and "\x1b[" not in out
    main(["doctor", str(tmp_path)])
    assert "\nskipped broken[1].py: does not parse" in capsys.readouterr().out


def test_table_is_readable_at_80_columns(tmp_path, monkeypatch):
    import io
    import re

    from ganhacks.doctor.formats import write_text

    deep = tmp_path / "a_rather_long_project_folder_name" / "with" / "several" / "levels"
    deep.mkdir(parents=True)
    path = _write(deep, name="a_training_script_with_a_long_name.py")
    monkeypatch.chdir(tmp_path)
    buf = io.StringIO()
    write_text(audit([path], DoctorConfig()), buf, width=80)
    lines = buf.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    rows = [line for line in lines if re.search(r"\bT(0[1-9]|1[0-7])\b", line) and "│" in line]
    assert len(rows) == 17
    for row in rows:  # the verdict sits whole on the tip's line (never wrapped)
        assert re.search(r"│\s*T\d\d\s*│\s*(pass|fail|absent|na)\s*│", row), row
    text = buf.getvalue()
    assert str(tmp_path) not in text  # paths relative to the working folder
    assert "a_rather_long_project_folder_name" in text.replace("\n", "").replace("│", "").replace(" ", "")


def test_a_broken_link_is_named_as_one(tmp_path, capsys):
    os.symlink("nothere.py", tmp_path / "broken_symlink.py")
    for path in (tmp_path / "broken_symlink.py", tmp_path):  # given itself, or found in its folder
        assert main(["doctor", str(path)]) == 2
        err = capsys.readouterr().err
        assert "broken_symlink.py: broken link: its target nothere.py does not exist" in err
        assert "no Python files" not in err and err.count("\n") == 1
