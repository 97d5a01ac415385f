"""Suite files and the checks before any work: every mistake is one line, exit 2, nothing written."""

import os
import textwrap

import pytest

from ganhacks.bench.plan import TUNE_SEED_BASE, make_plan
from ganhacks.bench.suite import load_suite, parse_suite
from ganhacks.cli import main
from ganhacks.errors import UserError

TINY = ["model.g_width=16", "model.d_width=16", "model.z_dim=4", "train.batch_size=32", "data.points=512"]

GOOD = textwrap.dedent(
    f"""
    name = "t"
    seeds = 2
    [benchmarks.ring8]
    steps = [20]
    eval_n = 200
    [variants.small]
    preset = "recommended"
    set = {TINY!r}
    baseline = ""
    [variants.small-hinge]
    set = {[*TINY, "loss.name=hinge", "loss.smoothing=none"]!r}
    baseline = "small"
    tips = ["S10"]
    """
)


def suite_file(tmp_path, text):
    path = tmp_path / "s.toml"
    path.write_text(textwrap.dedent(text))
    return path


def bench_run(capsys, *args):
    code = main(["bench", "run", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


BAD = [
    ("name = 'x'\n[benchmarks.rign8]\nsteps = [10]\n", "unknown benchmark 'rign8'. Did you mean 'ring8'?"),
    ("[benchmarks.ring8]\nsteps = [10]\n[variants.a]\nset = ['loss.nmae=hinge']\n", "unknown field 'loss.nmae'"),
    ("[benchmarks.ring8]\nsteps = [10]\n[variants.a]\npreset = 'recomended'\n", "unknown preset 'recomended'"),
    ("[benchmarks.ring8]\nsteps = [10\n", "not valid TOML"),
    ("[benchmarks.ring8]\nstep = [10]\n", "unknown key 'step'. Did you mean 'steps'?"),
    ("[benchmarks.ring8]\nsteps = [0]\n", "steps must be >= 1"),
    ("[benchmarks.ring8]\nsteps = [10]\n[variants.a]\ntips = ['T99']\n", "unknown tip 'T99'"),
    ("[benchmarks.ring8]\nsteps = [10]\n[variants.a]\neffect = 0\n", "effect must be 1"),
    ("[benchmarks.ring8]\nsteps = [10]\n[variants.a]\nbaseline = 'nope'\n", "compared with 'nope'"),
    ("[benchmarks.ring8]\nsteps = [10]\nvariants = ['missing']\n", "names variant 'missing'"),
    ("[benchmarks.ring8]\nsteps = [10]\n[variants.a]\nset = ['train.steps=5']\nbaseline = ''\n", "sets train.steps"),
    ("[benchmarks.ring8]\nsteps = [10]\n[variants.a]\nset = ['model.msg=true']\nbaseline = ''\n", "cannot run on"),
    ("[benchmarks.ring8]\nsteps = [10]\n[generate]\nleave_one_out = ['vanila']\n", "unknown preset 'vanila'"),
    ("[benchmarks.ring8]\nsteps = [10]\n[generate]\ntoggles = ['T66']\n", "unknown toggle 'T66'"),
    (
        "[benchmarks.ring8]\nsteps = [10]\n[variants.a]\nset = ['model.conditioning=embedding']\nbaseline = ''\n",
        "ring8 forbids model.conditioning",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m for _, m in BAD])
def test_bad_suite_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, text, message):
    out = tmp_path / "out"
    code, _, err = bench_run(capsys, "--suite", suite_file(tmp_path, text), "--out", out)
    assert code == 2
    assert err.count("\n") == 1 and message in err, err
    assert not out.exists()


def test_bad_options_are_one_line_exit_2_and_nothing_written(tmp_path, capsys):
    path = suite_file(tmp_path, GOOD)
    out = tmp_path / "out"
    for args, message in [
        (["--seeds", "0"], "--seeds must be >= 1"),
        (["--workers", "0"], "--workers must be >= 1"),
        (["--backend", "slurm"], "unknown --backend 'slurm'"),
        (["--address", "ray://x:1"], "--address names a Ray cluster"),
        (["--tune", "-1"], "--tune must be >= 0"),
    ]:
        code, _, err = bench_run(capsys, "--suite", path, "--out", out, *args)
        assert code == 2 and err.count("\n") == 1 and message in err, (args, err)
        assert not out.exists()
    code, _, err = bench_run(capsys, "--suite", tmp_path / "none.toml", "--out", out)
    assert code == 2 and "does not exist" in err
    code, _, err = bench_run(capsys, "--suite", "quik", "--out", out)
    assert code == 2 and "Did you mean 'quick'" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_unwritable_out_is_refused(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, _, err = bench_run(capsys, "--suite", suite_file(tmp_path, GOOD), "--out", locked / "out")
    assert code == 2 and "cannot write to" in err
    assert not (locked / "out").exists()


def test_out_that_is_a_file_is_refused(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("mine")
    code, _, err = bench_run(capsys, "--suite", suite_file(tmp_path, GOOD), "--out", target)
    assert code == 2 and "is a file" in err and target.read_text() == "mine"


def test_unwritable_out_is_refused_even_for_root(tmp_path, capsys):
    # a path under a regular file can never be created, whoever runs it
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    code, _, err = bench_run(capsys, "--suite", suite_file(tmp_path, GOOD), "--out", blocker / "sub")
    assert code == 2 and "cannot write to" in err and blocker.read_text() == "x"


def test_dry_run_lists_jobs_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    code, stdout, _ = bench_run(capsys, "--suite", suite_file(tmp_path, GOOD), "--out", out, "--dry-run")
    assert code == 0 and not out.exists()
    assert "ring8/20/small/0" in stdout and "ring8/20/small-hinge/1" in stdout


def test_built_in_suites_parse_and_plan():
    quick = load_suite("quick")
    assert quick.seeds >= 3
    assert {b.name for b in quick.benchmarks} >= {"ring8", "grid25", "digits"}
    full = load_suite("full")
    assert full.seeds >= 10
    assert {b.name for b in full.benchmarks} == {"ring8", "grid25", "digits", "stacked_digits"}
    plan = make_plan(quick)
    assert len(plan.seeds) == quick.seeds
    assert {j.variant for j in plan.jobs} >= {"recommended", "vanilla"}


def test_job_ids_are_stable_and_tuning_seeds_kept_apart():
    suite = parse_suite(GOOD)
    a, b = make_plan(suite, 3, tune=2), make_plan(suite, 3, tune=2)
    assert a.all_ids() == b.all_ids()
    assert "ring8/20/small/2" in a.all_ids() and "ring8/20/small@tune2/0" in a.all_ids()
    assert "ring8/20/small/tune2-t1" in a.all_ids()
    trial = a.cells[0].trial_job(1)
    assert trial.seed == TUNE_SEED_BASE + 1 and trial.seed not in a.seeds
    tuned = next(j for j in a.jobs if j.variant == "small-hinge@tune2")
    assert tuned.baseline == "small@tune2"
    with pytest.raises(UserError, match="--seeds must be between"):
        make_plan(suite, 0)


def test_a_hand_written_leave_one_out_says_it_takes_its_tip_out():
    suite = parse_suite(
        GOOD + '[variants.no-decay]\nset = ["optim.lr_schedule=constant"]\nbaseline = "small"\n'
        'tips = ["S08"]\neffect = -1\n'
    )
    effects = {j.variant: j.effect for j in make_plan(suite, 1).jobs}
    assert effects == {"small": 1, "small-hinge": 1, "no-decay": -1}
