"""The console: a rich bar on a terminal, plain lines otherwise, the end summary and the resume line."""

import io
import logging
import re

from ganhacks.cli import main
from ganhacks.train.callbacks import Callback, CurrentStderr, MonitorCallback, ProgressPrinter
from ganhacks.train.callbacks.progress import format_seconds, monitor_state
from ganhacks.train.loop import Trainer
from ganhacks.train.run import resume_run, start_run, summary_lines


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_plain_lines_when_not_a_terminal(tiny):
    out = io.StringIO()  # not a TTY: auto mode prints lines, no bar
    printer = ProgressPrinter("auto", lines=5, stream=out)
    Trainer(tiny(steps=10), callbacks=[printer]).fit()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("training preset=recommended on digits")
    steps = [line for line in lines if line.startswith("step ")]
    assert [s.split()[1] for s in steps] == ["2/10", "4/10", "6/10", "8/10", "10/10"]
    pattern = r"step 10/10  [\d.]+ it/s  eta 0s  D \d\.\d{3}  G -?\d\.\d{3}  monitor: off$"
    assert re.fullmatch(pattern, steps[-1]), steps[-1]
    assert "\x1b[" not in out.getvalue()  # no terminal control codes in logs
    assert set(printer.last) == {"loss/d", "loss/g"} and printer.seconds > 0


def test_a_bar_on_a_terminal_with_losses_and_monitor_state(tiny):
    out = Terminal()
    monitor = MonitorCallback(stream=None)
    Trainer(tiny(steps=6), callbacks=[monitor, ProgressPrinter("auto", stream=out)]).fit()
    text = out.getvalue()
    assert "\x1b[" in text  # drawn as a live bar
    assert "6/6" in text and "it/s" in text and "eta" in text
    assert re.search(r"D \d\.\d{3}  G -?\d\.\d{3}  monitor: ok", text)


class Shout(Callback):
    """Writes a notice to stderr mid-run, as a monitor alert does."""

    def on_step_end(self, trainer, step, logs):
        if step == 2:
            print("[monitor] step 2 WARNING something", file=CurrentStderr(), flush=True)


def test_notices_written_while_the_bar_runs_land_above_it(tiny, capsys):
    out = Terminal()
    Trainer(tiny(steps=4), callbacks=[Shout(), ProgressPrinter("bar", stream=out)]).fit()
    assert "[monitor] step 2 WARNING something" in out.getvalue()  # routed through the bar's console
    assert "[monitor]" not in capsys.readouterr().err  # not written across the bar


def test_monitor_state_reads_the_active_symptoms(tiny):
    monitor = MonitorCallback(stream=None)
    trainer = Trainer(tiny(steps=1), callbacks=[monitor])
    assert monitor_state(trainer) == "ok"
    monitor.monitor.last_seen["d_loss_zero"] = 40  # what observe() records when the symptom fires
    monitor.monitor.step_count = 45
    assert monitor_state(trainer) == "d_loss_zero"
    assert monitor_state(Trainer(tiny(steps=1))) == "off"


def test_format_seconds():
    assert [format_seconds(s) for s in (4.4, 65, 3725, float("nan"))] == ["4s", "1m05s", "1h02m", "?"]


def test_summary_and_resume_line(tmp_path, tiny, caplog):
    run = tmp_path / "run"
    extra = ["train.checkpoint_every=2", "train.keep_checkpoints=2"]
    trainer = start_run(tiny(steps=4, extra=extra), run, progress_mode="lines")
    lines = summary_lines(trainer, run)
    assert re.fullmatch(r"done: 4 steps in (\d+m)?\d+s, [\d.]+ it/s", lines[0]), lines[0]
    assert re.fullmatch(r"final losses \(step 4\): loss/d \d\.\d{4}  loss/g -?\d\.\d{4}", lines[1]), lines[1]
    assert lines[2] == f"checkpoints: {run / 'checkpoints' / 'step-000004.pt'} (newest of 2 kept)"
    assert lines[3] == "monitor: no alerts"
    assert lines[4] == f"next: ganhacks eval {run}  |  ganhacks report {run}"
    with caplog.at_level(logging.INFO, logger="ganhacks"):
        resumed = resume_run(run, steps=6, progress_mode="lines")
    assert "resuming from checkpoints/step-000004.pt at step 4 of 6" in caplog.messages
    assert "(resumed at step 4)" in summary_lines(resumed, run)[0]


def test_cli_resume_names_the_checkpoint_and_skips_a_bad_one_in_one_line(tmp_path, capsys):
    out = tmp_path / "r"
    base = ["--set", "model.g_width=8", "--set", "model.d_width=8", "--set", "data.points=256"]
    assert main(["train", "--data", "ring8", "--steps", "2", "--out", str(out), "--quiet", *base]) == 0
    assert "next: ganhacks eval" in capsys.readouterr().out
    (out / "checkpoints" / "step-000009.pt").write_bytes(b"\x80\x02random bytes, not a checkpoint")
    assert main(["train", "--resume", str(out), "--steps", "3", "--quiet"]) == 0
    err = capsys.readouterr().err.splitlines()
    notices = [line for line in err if not line.startswith(("step ", "training "))]
    assert notices == [
        "ganhacks train: warning: skipping checkpoint step-000009.pt: not a checkpoint archive "
        "(truncated, or not written by torch.save); trying the one before",
        "ganhacks train: warning: moved checkpoint step-000009.pt to unreadable/: not a checkpoint archive "
        "(truncated, or not written by torch.save)",
        "resuming from checkpoints/step-000002.pt at step 2 of 3",
    ]
    assert not any("Warning" in line or "weights_only" in line for line in err)
