"""``ganhacks report``: one offline HTML file, tolerant of a crash mid-write, rendered by headless Chromium."""

import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from ganhacks.cli import main
from ganhacks.monitor.report import build_report, load_run, watch_report


def make_run(folder, steps=60):
    folder.mkdir()
    lines = []
    for s in range(1, steps + 1):
        bad = s >= 50
        lines.append(
            json.dumps(
                {
                    "step": s,
                    "loss/d": "nan" if bad else 1.3 - 0.01 * s,
                    "loss/g": 0.8,
                    "d_prob/real": 0.6,
                    "d_prob/fake": 0.4,
                    "d_acc": 0.6,
                    "grad_norm/d": "inf" if bad else 1.0 + s,
                    "grad_norm/g": 2.0,
                }
            )
        )
    text = "\n".join(lines) + "\n" + '{"step": 61, "loss/d": 0.'  # a crash mid-write
    (folder / "metrics.jsonl").write_text(text)
    (folder / "events.jsonl").write_text(
        json.dumps(
            {
                "event": "alert",
                "step": 50,
                "symptom": "non_finite",
                "severity": "critical",
                "message": "NaN",
                "tips": ["S08"],
                "evidence": {"non_finite": ["loss/d"]},
            }
        )
        + "\n"
    )
    (folder / "config.json").write_text(json.dumps({"preset": "vanilla", "data": {"name": "ring8"}}))
    (folder / "samples").mkdir()
    for step, colour in ((20, (255, 0, 0)), (60, (0, 0, 255))):
        Image.new("RGB", (32, 32), colour).save(folder / "samples" / f"step-{step:06d}.png")
    return folder


def images(page):
    return re.findall(r"<img[^>]*src='data:image/png;base64,([^']+)'", page)


def test_report_is_self_contained_and_says_what_was_skipped(tmp_path):
    run = make_run(tmp_path / "run")
    path, skipped = build_report(run)
    page = path.read_text()
    assert path == run / "report.html"
    assert not re.search(r"(src|href)=['\"]?(https?:|//)", page) and "<script" not in page  # offline, no CDN
    pngs = images(page)
    assert len(pngs) >= 5  # losses, D outputs, grad norms, + 2 sample grids
    for data in pngs:
        assert Image.open(io.BytesIO(base64.b64decode(data))).size[0] > 0
    assert skipped == ["metrics.jsonl: skipped 1 unreadable line(s) (61)"] and "unreadable line" in page
    assert "non_finite" in page and "S08 (Lower the learning rate" in page
    assert "http-equiv='refresh'" not in page  # a finished report never reloads itself
    assert len(load_run(run).metrics) == 60  # NaN/Inf strings are kept as values


def test_cli_report_and_bad_paths(tmp_path, capsys):
    run = make_run(tmp_path / "run")
    assert main(["report", str(run), "--out", str(tmp_path / "r.html")]) == 0
    assert (tmp_path / "r.html").exists() and "skipped: metrics.jsonl" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty")]) == 2


def metric_line(step):
    return json.dumps({"step": step, "loss/d": 1.0, "loss/g": 0.7, "d_prob/real": 0.6, "d_prob/fake": 0.4}) + "\n"


def test_watch_rerenders_while_the_run_goes_and_stops_with_a_final_page(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"train": {"steps": 30}}))
    renders, waits = [], []

    def on_render(path, final):
        page = path.read_text()
        banner = re.search(r"step (\d+) of 30\)", page)
        renders.append((final, "http-equiv='refresh' content='2'" in page, int(banner.group(1)) if banner else None))

    def sleep(seconds):  # the run goes on while the watcher sleeps: 10 more steps per wait
        waits.append(seconds)
        with open(run / "metrics.jsonl", "a") as f:
            for s in range(10 * (len(waits) - 1) + 1, min(10 * len(waits), 30) + 1):
                f.write(metric_line(s))

    path = watch_report(run, every=2, idle=60, on_render=on_render, sleep=sleep)
    assert path == run / "report.html"
    # a live page at once (step 0: only the config so far), one per change, then the final page without reloads
    assert renders == [(False, True, 0), (False, True, 10), (False, True, 20), (True, False, None)]
    assert waits == [2, 2, 2]
    assert "LIVE" not in path.read_text() and len(load_run(run).metrics) == 30


def test_watch_gives_up_on_a_run_that_stopped_writing(tmp_path):
    run = make_run(tmp_path / "run")  # 60 steps logged, no config steps: never "finished"
    finals = []
    path = watch_report(run, every=5, idle=15, on_render=lambda p, final: finals.append(final), sleep=lambda s: None)
    assert finals == [False, True] and "http-equiv='refresh'" not in path.read_text()
    assert main(["report", str(run), "--watch", "--every", "0"]) == 2


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def screenshot(path, shot):
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1000,3000",
            f"--screenshot={shot}",
            path.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (CI installs it: apt-get install chromium)")
def test_headless_chromium_renders_the_plots(tmp_path):
    run = make_run(tmp_path / "run")
    path, _ = build_report(run)
    colours = screenshot(path, tmp_path / "shot.png")

    def count(test):
        return sum(n for n, c in colours if test(*c))

    # matplotlib's tab:blue and tab:orange lines can only come from decoded plot images (scaling blends
    # them a little, hence hue ranges), and pure red/blue squares only from the embedded sample grids
    assert count(lambda r, g, b: b > 150 and r < 80 and 90 < g < 150) > 200  # tab:blue (31, 119, 180)
    assert count(lambda r, g, b: r > 200 and 100 < g < 180 and b < 100) > 200  # tab:orange (255, 127, 14)
    assert (
        count(lambda r, g, b: (r, g, b) == (255, 0, 0)) > 500 and count(lambda r, g, b: (r, g, b) == (0, 0, 255)) > 500
    )


def test_report_shows_metrics_logged_during_training_and_those_of_ganhacks_eval(tmp_path):
    run = make_run(tmp_path / "run")
    with open(run / "metrics.jsonl", "a") as f:  # after the cut line: two evaluations at steps 62 and 64
        f.write("\n" + json.dumps({"step": 62, "eval/fid": 3.5, "eval/kid_std": 0.1}) + "\n")
        f.write(json.dumps({"step": 64, "eval/fid": 2.25}) + "\n")
    metrics = {"fid": 1.2316887699758445, "modes": 10.0, "kid": 0.000123456}
    (run / "metrics.json").write_text(
        json.dumps({"run": str(run), "step": 64, "metrics": metrics, "n_fake": 1000, "extractor": "digits-cnn (64-d)"})
    )
    page = build_report(run)[0].read_text()
    assert "Metrics during training" in page and len(images(page)) >= 6  # one more figure than without eval/
    # named with their feature space and rounded as ganhacks eval's table shows them (the JSON keeps all digits)
    assert "<td>fid[digits-cnn]</td><td>1.232</td>" in page and "<td>modes[digits-cnn]</td><td>10</td>" in page
    assert "<td>kid[digits-cnn]</td><td>0.0001235</td>" in page and "<td>n_fake</td><td>1000</td>" in page
    assert "1.2316887699758445" not in page and "10.0<" not in page


@pytest.mark.parametrize(
    "config, shown",
    [
        ('{"train": 3}', "steps ?,"),
        ('{"data": [1], "loss": "bce", "monitor": null}', "data <b>?</b>, loss <b>?</b>"),
        ('{"train": {"steps": 500}, "data": {"name": "ring8"}}', "data <b>ring8</b>"),
    ],
)
def test_report_reads_a_config_whose_sections_are_not_tables(tmp_path, config, shown):
    run = make_run(tmp_path / "run")
    (run / "config.json").write_text(config)
    page = build_report(run)[0].read_text()
    assert shown in page and "60 logged steps" in page  # an odd section shows as unknown, the rest is there


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (CI installs it: apt-get install chromium)")
def test_headless_chromium_renders_the_live_page_of_report_watch(tmp_path):
    """``ganhacks report RUN --watch`` as a user runs it, on a run that is still going: the page it
    writes reloads itself and shows the LIVE banner over the plots in a real browser; once the run's
    last step is logged the command ends with a final page that no longer reloads."""
    run = make_run(tmp_path / "run")
    (run / "config.json").write_text(
        json.dumps({"preset": "vanilla", "data": {"name": "ring8"}, "train": {"steps": 80}})
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    watcher = subprocess.Popen(
        [sys.executable, "-m", "ganhacks", "report", str(run), "--watch", "--every", "1", "--idle", "300"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        report, deadline = run / "report.html", time.monotonic() + 300  # waits, not timings: a busy machine
        while not (report.exists() and "LIVE" in report.read_text()) and time.monotonic() < deadline:
            time.sleep(0.2)
        page = report.read_text()
        assert "http-equiv='refresh' content='1'" in page and "step 60 of 80" in page
        live = tmp_path / "live.html"
        live.write_text(page)  # a copy: the watcher may rewrite the report while the browser reads it
        colours = screenshot(live, tmp_path / "shot.png")

        def count(test):
            return sum(n for n, c in colours if test(*c))

        assert count(lambda r, g, b: (r, g, b) == (10, 125, 40)) > 2000  # the green LIVE banner is drawn
        assert count(lambda r, g, b: b > 150 and r < 80 and 90 < g < 150) > 200  # and the plots under it
        with open(run / "metrics.jsonl", "a") as f:  # the run goes on to its last step (after the cut line)
            f.write("\n" + "".join(metric_line(s) for s in range(61, 81)))
        out, _ = watcher.communicate(timeout=300)
    finally:
        watcher.kill()
    assert watcher.returncode == 0, out
    final = report.read_text()
    assert "final" in out and "http-equiv='refresh'" not in final and "LIVE" not in final
    assert "80 logged steps (1..80)" in final
