"""No traceback for a user's mistake: every CLI verb fed malformed files of each type it reads.

The harness is data. A :class:`Slot` is one file a verb reads (``eval``'s samples, ``train --config``,
a run's checkpoint, ``doctor``'s script, ...): how to write a valid one, the type-specific bad
variants (wrong dtype, wrong shape, NaN/Inf) and the command line that reads it. Every slot is run
with every kind of malformed file in :data:`KINDS`; the outcome must be the verb's documented exit
code, one clear line on stderr when it refuses (``ganhacks VERB: error: ...``), no traceback, and
no file of the user's changed (only the verb's own outputs may appear). Random bytes and truncation
points come from hypothesis. A new verb plugs in by adding its slots to :data:`SLOTS` (``bench`` has).

Tests run as root, who reads any file whatever its mode bits: the "unreadable" case drops the
calling thread's CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH while the command runs, so the mode bits
apply (skipped, with the reason, where capabilities cannot be changed).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import io
import json
import os
import shutil
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from ganhacks.cli import main
from ganhacks.metrics.classifier import default_weights_path, load_digits_images
from ganhacks.train.checkpoint import load_checkpoint, save_checkpoint
from ganhacks.train.config import apply_overrides
from ganhacks.train.presets import preset_config
from ganhacks.train.run import start_run

KINDS = (
    "empty",
    "truncated",
    "random",
    "wrong_dtype",
    "wrong_shape",
    "nonfinite",
    "huge",
    "wrong_extension",
    "directory",
    "symlink_loop",
    "unreadable",
)
HUGE = 32 << 20  # a sparse file of this many bytes (no disk used): readers must not choke on it
TINY = [
    "data.name=digits",
    "model.g_width=8",
    "model.d_width=8",
    "model.z_dim=8",
    "train.batch_size=16",
    "train.steps=2",
    "train.sample_every=0",
    "train.checkpoint_every=0",
    "monitor.enabled=false",
]


# ---------------------------------------------------------------- valid files of each type


def digits(n=64):
    return load_digits_images()[0][:n].numpy()  # (n, 1, 8, 8) float32 in [-1, 1]


def npy_bytes(arr):
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def npz_bytes(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def npy_claiming(shape, dtype="<f4"):
    """An .npy header that promises ``shape`` with (almost) no data behind it."""
    header = repr({"descr": dtype, "fortran_order": False, "shape": shape}).encode()
    header += b" " * (-(len(header) + 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + b"\0" * 64


def png_bytes(size=8, mode="L"):
    buf = io.BytesIO()
    Image.new(mode, (size, size), 128).save(buf, format="PNG")
    return buf.getvalue()


def png_claiming(width, height):
    """A PNG whose header promises ``width x height`` pixels (a decompression bomb), with one row of data."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * (width + 1)))


def safetensors_bytes(tensors):
    from safetensors.torch import save

    return save(tensors)


def cut(t):
    """``t`` with its last axis cut to one entry (a tensor of another shape)."""
    return t[..., :1].contiguous() if t.dim() else t


def digits_weights():
    from safetensors.torch import load_file

    return load_file(str(default_weights_path()))


def checkpoint_bytes(state):
    buf = io.BytesIO()
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f".fuzz-{os.getpid()}.pt"
    save_checkpoint(path, state)
    buf.write(path.read_bytes())
    path.unlink()
    return buf.getvalue()


def config_json(**sections):
    return json.dumps(sections).encode()


def idx_bytes(arr, kind=0x08):
    return b"\0\0" + bytes([kind, arr.ndim]) + b"".join(struct.pack(">I", s) for s in arr.shape) + arr.tobytes()


# ---------------------------------------------------------------- slots


@dataclass(frozen=True)
class Slot:
    """One file a verb reads.

    Attributes:
        verb: the CLI verb.
        name: what the file is, for test ids.
        path: where it sits in the case folder (its suffix becomes ``.txt`` in the wrong-extension case).
        valid: its valid bytes (truncation cuts these).
        variants: bytes for ``wrong_dtype``, ``wrong_shape``, ``nonfinite``, ``huge`` (a kind left out is
            generic: ``huge`` becomes a sparse file of :data:`HUGE` bytes).
        argv: the command line, given the case folder and the file's path.
        setup: what else the case folder needs (a run folder, a good samples file, ...).
        codes: exit codes the verb documents for bad input (2: refused with one line).
        outputs: what the verb writes when it succeeds (paths relative to the case folder; a folder
            covers what is inside). Only a wrong extension on valid content may succeed (the verbs
            read files by content), or a verb whose ``codes`` include 0 (report skips bad run files).
        fixed_name: the verb finds the file by its name (a run folder's files): no wrong extension.
    """

    verb: str
    name: str
    path: str
    valid: Callable[[], bytes]
    argv: Callable[[Path, Path], list[str]]
    variants: dict[str, Callable[[], bytes]] = field(default_factory=dict)
    setup: Callable[[Path], None] = lambda root: None
    codes: frozenset[int] = frozenset({2})
    outputs: tuple[str, ...] = ()
    fixed_name: bool = False
    known: dict[str, str] = field(default_factory=dict)  # kind -> an open defect in code another part owns
    writes_on_refusal: bool = False  # the verb may have written its outputs before it found the problem

    def __str__(self) -> str:
        return f"{self.verb}:{self.name}"


RUN = "run"  # a trained run folder inside the case folder (copied from the module's template)
VERB_OUTPUTS = {"train": ("out",), "eval": ("metrics.json", f"{RUN}/metrics.json")}  # when a slot names none
_TEMPLATE: dict[str, Path] = {}


def copy_run(root: Path) -> None:
    shutil.copytree(_TEMPLATE["run"], root / RUN)


def small_run(root: Path) -> None:
    """A run folder with one short curve (the report draws a figure per logged name: keep it quick)."""
    write(root / RUN / "metrics.jsonl", b'{"step": 1, "loss/d": 1.3}\n{"step": 2, "loss/d": 1.2}\n')
    write(root / RUN / "config.json", (_TEMPLATE["run"] / "config.json").read_bytes())


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


FOLDER_RUN = [  # one quick step on a folder of 8x8 images; the last --set chooses in memory or streamed
    *("--out", "{out}"),
    *("--steps", "1", "--quiet"),
    *("--set", "train.batch_size=16", "--set", "model.g_width=8", "--set", "model.d_width=8"),
    *("--set", "train.sample_every=0", "--set", "monitor.enabled=false", "--set", "data.workers=0"),
    "--set",
]


def good_images(root: Path) -> None:
    """20 readable 8x8 images next to the one under test (a batch of 16 needs them)."""
    for i in range(20):
        write(root / "images" / f"good-{i:02d}.png", png_bytes())


def good_samples(root: Path) -> None:
    write(root / "good.npy", npy_bytes(digits()))


def good_points(root: Path) -> None:
    g = torch.Generator().manual_seed(0)
    write(root / "fake.npy", npy_bytes(torch.randn(200, 2, generator=g).numpy()))
    write(root / "real.npy", npy_bytes(torch.randn(200, 2, generator=g).numpy()))


def state(**changes):
    """The template run's checkpoint with some entries changed (then re-digested: it is well-formed)."""
    s = load_checkpoint(_TEMPLATE["ckpt"])
    return {k: v for k, v in {**s, **changes}.items() if k not in ("format", "version", "sha256")}


def nan_state():
    s = state()
    s["G"] = {k: v.float().fill_(float("nan")) if v.is_floating_point() else v for k, v in s["G"].items()}
    if s.get("ema"):
        s["ema"]["module"] = dict(s["G"])
    return s


IMAGES_NPY = {
    "wrong_dtype": lambda: npy_bytes(np.array(["a", "b", "c"] * 20).reshape(60, 1, 1, 1)),
    "wrong_shape": lambda: npy_bytes(digits()[:, :, :, :, None]),
    "nonfinite": lambda: npy_bytes(np.where(np.eye(8, dtype=bool), np.nan, digits())),
    "huge": lambda: npy_claiming((10**11, 1, 8, 8)),
}

BENCH_SUITE = b"""name = "fuzz"
seeds = 1
[variants.a]
preset = "recommended"
set = ["model.g_width=8", "model.d_width=8", "model.z_dim=4", "train.batch_size=16", "data.points=64"]
baseline = ""
[benchmarks.ring8]
steps = [5]
eval_n = 100
"""  # the benchmark table last: a suite cut anywhere has none, and is refused
BENCH_RESULTS = b"".join(
    json.dumps(
        {
            "job": f"digits/5/{v}/0",
            "benchmark": "digits",
            "variant": v,
            "steps": 5,
            "seed": 0,
            "status": "ok",
            "baseline": None if v == "a" else "a",
            "metrics": {"fid[digits-cnn]": fid, "recall[digits-cnn]": 0.5},
            "collapsed": False,
            "cpu_s": 1.0,
        }
    ).encode()
    + b"\n"
    for v, fid in (("a", 6.5), ("b", 21.0))
)

SLOTS: list[Slot] = [
    # ------------------------------------------------------------ train
    Slot(
        "train",
        "--data .npy",
        "data.npy",
        lambda: npy_bytes(digits()),
        lambda root, p: ["train", "--data", str(p), "--out", str(root / "out"), "--steps", "1", "--quiet"],
        IMAGES_NPY,
    ),
    Slot(
        "train",
        "--data .npz",
        "data.npz",
        lambda: npz_bytes(x=digits(), y=np.arange(64) % 10),
        lambda root, p: ["train", "--data", str(p), "--out", str(root / "out"), "--steps", "1", "--quiet"],
        {
            "wrong_dtype": lambda: npz_bytes(x=digits(), y=np.full(64, 0.5)),
            "wrong_shape": lambda: npz_bytes(x=digits(), y=np.arange(10)),
            "nonfinite": lambda: npz_bytes(x=np.full((64, 1, 8, 8), np.inf, dtype=np.float32)),
        },
    ),
    Slot(
        "train",
        "--data IDX",
        "train-images-idx3-ubyte",
        lambda: idx_bytes(np.zeros((64, 8, 8), dtype=np.uint8)),
        lambda root, p: ["train", "--data", str(p), "--out", str(root / "out"), "--steps", "1", "--quiet"],
        {
            "wrong_dtype": lambda: idx_bytes(np.full((64, 8, 8), np.nan, ">f8"), 0x0E),
            "wrong_shape": lambda: idx_bytes(np.zeros((4, 4, 4, 4), dtype=np.uint8)),
            "huge": lambda: b"\0\0\x08\x03" + struct.pack(">III", 2**31, 2**16, 2**16),
        },
    ),
    *[
        Slot(
            "train",
            f"--data image folder ({how})",
            "images/a.png",
            lambda: png_bytes(),
            lambda root, p, stream=stream: ["train", "--data", str(root / "images"), *FOLDER_RUN, stream],
            {
                "wrong_dtype": lambda: png_bytes(mode="P"),
                "wrong_shape": lambda: png_bytes(size=5),
                "huge": lambda: png_claiming(60_000, 60_000),
            },
            setup=good_images,
            codes=frozenset({0, 2}),  # an unreadable image among good ones is skipped with a notice (documented)
            writes_on_refusal=stream.endswith("on"),  # a streamed file is decoded when its batch comes
        )
        for how, stream in (("in memory", "data.stream=off"), ("streamed", "data.stream=on"))
    ],
    Slot(
        "train",
        "--config",
        "config.json",
        lambda: json.dumps(
            {"train": {"steps": 1, "batch_size": 16}, "model": {"g_width": 8, "d_width": 8, "z_dim": 8}}
        ).encode(),
        lambda root, p: ["train", "--config", str(p), "--out", str(root / "out"), "--quiet"],
        {
            "wrong_dtype": lambda: config_json(train={"steps": "many"}),
            "wrong_shape": lambda: json.dumps([["train", 1]]).encode(),
            "nonfinite": lambda: b'{"optim": {"g_lr": NaN}}',
        },
    ),
    Slot(
        "train",
        "--resume config.json",
        f"{RUN}/config.json",
        lambda: (_TEMPLATE["run"] / "config.json").read_bytes(),
        lambda root, p: ["train", "--resume", str(root / RUN), "--steps", "3", "--quiet"],
        {
            "wrong_dtype": lambda: config_json(train={"steps": [1]}),
            "wrong_shape": lambda: b"[]",
            "nonfinite": lambda: config_json(optim={"g_lr": float("inf")}),
        },
        setup=copy_run,
        fixed_name=True,
    ),
    Slot(
        "train",
        "--resume checkpoint",
        f"{RUN}/checkpoints/step-000002.pt",
        lambda: _TEMPLATE["ckpt"].read_bytes(),
        lambda root, p: ["train", "--resume", str(root / RUN), "--steps", "3", "--quiet"],
        {
            "wrong_dtype": lambda: checkpoint_bytes(state(step="two")),
            "wrong_shape": lambda: checkpoint_bytes(state(G={"weight": torch.zeros(3)})),
            "nonfinite": lambda: checkpoint_bytes(nan_state()),
        },
        setup=copy_run,
        fixed_name=True,
    ),
    # ------------------------------------------------------------ eval
    Slot(
        "eval",
        "samples .npy",
        "fake.npy",
        lambda: npy_bytes(digits()),
        lambda root, p: ["eval", str(p), "--real", "digits", "--metrics", "fid", "--n", "100"],
        IMAGES_NPY,
    ),
    Slot(
        "eval",
        "--real .npz",
        "real.npz",
        lambda: npz_bytes(images=digits()),
        lambda root, p: ["eval", str(root / "good.npy"), "--real", str(p), "--metrics", "fid"],
        {
            "wrong_dtype": lambda: npz_bytes(images=digits().astype(np.complex64)),
            "wrong_shape": lambda: npz_bytes(images=digits()[:, 0]),
            "nonfinite": lambda: npz_bytes(images=np.full((64, 1, 8, 8), -np.inf, dtype=np.float32)),
        },
        setup=good_samples,
    ),
    Slot(
        "eval",
        "--extractor-weights",
        "weights.safetensors",
        lambda: safetensors_bytes(digits_weights()),
        lambda root, p: ["eval", str(root / "good.npy"), "--real", "digits", "--extractor-weights", str(p)],
        {
            "wrong_dtype": lambda: safetensors_bytes({k: v.to(torch.int64) for k, v in digits_weights().items()}),
            "wrong_shape": lambda: safetensors_bytes({k: cut(v) for k, v in digits_weights().items()}),
            "nonfinite": lambda: safetensors_bytes({k: v.fill_(float("nan")) for k, v in digits_weights().items()}),
        },
        setup=good_samples,
    ),
    Slot(
        "eval",
        "--mode-centers",
        "centres.npy",
        lambda: npy_bytes(np.zeros((8, 2))),
        lambda root, p: [
            "eval",
            str(root / "fake.npy"),
            "--real",
            str(root / "real.npy"),
            "--metrics",
            "modes",
            "--mode-std",
            "0.1",
            "--mode-centers",
            str(p),
        ],
        {
            "wrong_dtype": lambda: npy_bytes(np.array([["a", "b"]] * 8)),
            "wrong_shape": lambda: npy_bytes(np.zeros((8, 3))),
            "nonfinite": lambda: npy_bytes(np.full((8, 2), np.nan)),
        },
        setup=good_points,
    ),
    Slot(
        "eval",
        "checkpoint .pt",
        "model.pt",
        lambda: _TEMPLATE["ckpt"].read_bytes(),
        lambda root, p: ["eval", str(p), "--metrics", "fid", "--n", "100"],
        {
            "wrong_dtype": lambda: checkpoint_bytes(state(config="digits")),
            "wrong_shape": lambda: checkpoint_bytes(state(D={"weight": torch.zeros(3)})),
            "nonfinite": lambda: checkpoint_bytes(nan_state()),
        },
    ),
    Slot(
        "eval",
        "run checkpoint",
        f"{RUN}/checkpoints/step-000002.pt",
        lambda: _TEMPLATE["ckpt"].read_bytes(),
        lambda root, p: ["eval", str(root / RUN), "--metrics", "fid", "--n", "100"],
        {
            "wrong_dtype": lambda: checkpoint_bytes(state(step=2.5)),
            "wrong_shape": lambda: checkpoint_bytes(state(G={})),
            "nonfinite": lambda: checkpoint_bytes(nan_state()),
        },
        setup=copy_run,
        fixed_name=True,
    ),
    # ------------------------------------------------------------ report (skips unreadable run files, documented)
    *[
        Slot(
            "report",
            f"run {name}",
            f"{RUN}/{name}",
            valid,
            lambda root, p: ["report", str(root / RUN)],
            variants,
            setup=small_run,
            codes=frozenset({0, 2}),
            outputs=(f"{RUN}/report.html",),
            fixed_name=True,
            known=known[0] if known else {},
        )
        for name, valid, variants, *known in (
            (
                "metrics.jsonl",
                lambda: b'{"step": 1, "loss/d": 1.3}\n{"step": 2, "loss/d": 1.2}\n',
                {
                    "wrong_dtype": lambda: b'{"step": "one", "loss/d": [1]}\n',
                    "wrong_shape": lambda: b"[1, 2]\n3\n",
                    "nonfinite": lambda: b'{"step": 1, "loss/d": NaN}\n{"step": Infinity}\n',
                },
            ),
            (
                "events.jsonl",
                lambda: b'{"event": "alert", "step": 1, "symptom": "d_loss_zero"}\n',
                {
                    "wrong_dtype": lambda: b'{"event": 3, "step": "x"}\n',
                    "wrong_shape": lambda: b'"alert"\n',
                    "nonfinite": lambda: b'{"event": "alert", "step": NaN}\n',
                },
            ),
            (
                "config.json",
                lambda: (_TEMPLATE["run"] / "config.json").read_bytes(),
                {"wrong_dtype": lambda: b'{"train": 3}', "wrong_shape": lambda: b"[]", "nonfinite": lambda: b"NaN"},
            ),
            (
                "samples/step-000002.png",
                lambda: png_bytes(),
                {"wrong_dtype": lambda: png_bytes(mode="I;16"), "wrong_shape": lambda: png_bytes(size=1)},
            ),
        )
    ],
    # ------------------------------------------------------------ bench: a suite file, a results folder
    Slot(
        "bench",
        "suite .toml",
        "suite.toml",
        lambda: BENCH_SUITE,
        lambda root, p: ["bench", "run", "--suite", str(p), "--out", "{out}", "--dry-run"],
        {
            "wrong_dtype": lambda: BENCH_SUITE.replace(b"seeds = 1", b'seeds = "one"'),
            "wrong_shape": lambda: b"benchmarks = [1, 2]\n",
            "nonfinite": lambda: BENCH_SUITE.replace(b"seeds = 1", b"seeds = nan"),
        },
    ),
    Slot(
        "bench",
        "results.jsonl",
        "bench/results.jsonl",
        lambda: BENCH_RESULTS,
        lambda root, p: ["bench", "report", str(root / "bench")],
        {
            "wrong_dtype": lambda: b'{"job": 1, "benchmark": 2, "seed": "x", "metrics": []}\n',
            "wrong_shape": lambda: b"[1, 2]\n3\n",
            "nonfinite": lambda: BENCH_RESULTS.replace(b"6.5", b"NaN").replace(b"21.0", b"Infinity"),
        },
        codes=frozenset({0, 2}),  # unreadable lines are skipped (documented); no record left: refused
        outputs=tuple(f"bench/{o}" for o in ("report.md", "report.html", "evidence.json", "figures", "reference.json")),
        fixed_name=True,
    ),
    Slot(
        "bench",
        "plan.json",
        "bench/plan.json",
        lambda: b'{"suite": "fuzz", "jobs": ["digits/5/a/0", "digits/5/b/0"]}',
        lambda root, p: ["bench", "status", str(root / "bench")],
        {"wrong_dtype": lambda: b'{"suite": 3, "jobs": 5}', "wrong_shape": lambda: b"[]", "nonfinite": lambda: b"NaN"},
        setup=lambda root: write(root / "bench" / "results.jsonl", BENCH_RESULTS),
        codes=frozenset({0}),  # the results alone say what ran
        fixed_name=True,
    ),
    # ------------------------------------------------------------ doctor (exit 1 = a tip fails, documented)
    Slot(
        "doctor",
        "script",
        "train.py",
        lambda: b"import torch\nG = torch.nn.Linear(2, 2)\n",
        lambda root, p: ["doctor", str(p)],
        {"wrong_dtype": lambda: "import torch\n# \udcff\n".encode("utf-8", "surrogateescape")},
        codes=frozenset({0, 1, 2}),
    ),
    Slot(
        "doctor",
        "pyproject.toml",
        "proj/pyproject.toml",
        lambda: b"[tool.ganhacks.doctor]\nignore = ['T05']\n",
        lambda root, p: ["doctor", str(root / "proj" / "train.py")],
        {
            "wrong_dtype": lambda: b"[tool.ganhacks.doctor]\nignore = 5\n",
            "wrong_shape": lambda: b"[tool.ganhacks]\ndoctor = [1, 2]\n",
        },
        setup=lambda root: write(root / "proj" / "train.py", b"import torch\n"),
        codes=frozenset({0, 1, 2}),
        fixed_name=True,
    ),
]


# ---------------------------------------------------------------- running one case


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


DAC_CAPS = (1 << 1) | (1 << 2)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH


@contextlib.contextmanager
def mode_bits_apply():
    """While inside, this thread's file accesses obey mode bits, even as root (capabilities dropped, then restored)."""
    if os.geteuid() != 0:
        yield
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        header, data = _CapHeader(0x20080522, 0), (_CapData * 2)()
        if libc.capget(ctypes.byref(header), data) != 0:
            raise OSError(ctypes.get_errno(), "capget")
    except (OSError, AttributeError) as exc:
        pytest.skip(f"running as root and cannot drop CAP_DAC_OVERRIDE ({exc}): mode bits would not apply")
    saved = data[0].effective
    data[0].effective = saved & ~DAC_CAPS
    if libc.capset(ctypes.byref(header), data) != 0:
        pytest.skip("running as root and capset is refused: mode bits would not apply")
    try:
        yield
    finally:
        data[0].effective = saved
        libc.capset(ctypes.byref(header), data)


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry below ``root``: kind, mode and content digest (symlinks by target, never followed)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(root))
            st_ = p.lstat()
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir", st_.st_mode)
            elif st_.st_size > 1 << 24:  # the sparse "huge" file: size and mtime are enough
                out[rel] = ("file", st_.st_mode, st_.st_size, st_.st_mtime_ns)
            else:
                os.chmod(p, st_.st_mode | 0o400) if not st_.st_mode & 0o400 else None
                digest = hashlib.sha256(p.read_bytes()).hexdigest()
                os.chmod(p, st_.st_mode)
                out[rel] = ("file", st_.st_mode, digest)
    return out


def place(slot: Slot, root: Path, kind: str, data: bytes | None = None) -> Path:
    """Write the malformed file of ``kind`` for ``slot`` under ``root``; returns its path."""
    rel = str(Path(slot.path).with_suffix(".txt")) if kind == "wrong_extension" else slot.path
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    if kind == "directory":
        path.mkdir()
        return path
    if kind == "symlink_loop":
        other = path.with_name(path.name + ".loop")
        os.symlink(other, path)
        os.symlink(path, other)
        return path
    if kind == "huge" and "huge" not in slot.variants:
        with open(path, "wb") as f:
            f.truncate(HUGE)
        return path
    if data is None:
        valid = slot.valid()
        data = {
            "empty": b"",
            "truncated": valid[: len(valid) // 2],
            "random": np.random.default_rng(0).bytes(4096),
            "wrong_extension": valid,
            "unreadable": valid,
        }.get(kind)
        if data is None:
            data = slot.variants[kind]()
    path.write_bytes(data)
    if kind == "unreadable":
        path.chmod(0)
    return path


def run_cli(argv: list[str], unreadable: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    guard = mode_bits_apply() if unreadable else contextlib.nullcontext()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), guard:
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def check_case(slot: Slot, root: Path, kind: str, data: bytes | None = None) -> None:
    """Run ``slot`` with a malformed file of ``kind`` in a fresh case folder ``root`` and check the outcome."""
    root.mkdir(parents=True, exist_ok=True)
    slot.setup(root)
    path = place(slot, root, kind, data)
    argv = [a.replace("{out}", str(root / "out")) for a in slot.argv(root, path)]
    before = snapshot(root)
    code, out, err = run_cli(argv, unreadable=kind == "unreadable")  # an exception escaping main fails the test
    after = snapshot(root)
    where = f"{slot} / {kind}: ganhacks {' '.join(argv)} -> {code}\n{err}"
    assert code in slot.codes | ({0} if kind == "wrong_extension" else set()), where
    assert "Traceback" not in err + out, where
    lines = err.strip().splitlines()
    if code == 2:
        assert len(lines) >= 1 and lines[-1].startswith(f"ganhacks {slot.verb}: error: "), where
        if not slot.writes_on_refusal:  # else the run had started: its progress lines come first
            assert all(" warning: " in line for line in lines[:-1]), where  # notices before the error: one-liners
        assert len(lines[-1]) < 400, where
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    if code != 0 and not slot.writes_on_refusal:  # a refusal writes nothing at all
        assert not changed, f"{where}\nchanged: {sorted(changed)}"
    outputs = [Path(o) for o in slot.outputs or VERB_OUTPUTS.get(slot.verb, ())]
    stray = [
        c for c in changed if not any(Path(c) == o or o in Path(c).parents or Path(c) in o.parents for o in outputs)
    ]
    assert not stray, f"{where}\nchanged: {sorted(stray)}"


@pytest.fixture(scope="module", autouse=True)
def template_run(tmp_path_factory):
    torch.set_num_threads(1)
    run = tmp_path_factory.mktemp("template") / "run"
    start_run(apply_overrides(preset_config("recommended"), TINY), run, progress=False)
    _TEMPLATE["run"] = run
    _TEMPLATE["ckpt"] = run / "checkpoints" / "step-000002.pt"
    yield
    _TEMPLATE.clear()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("slot", SLOTS, ids=str)
def test_malformed_file(slot, kind, tmp_path, request):
    if kind in slot.known:
        request.applymarker(pytest.mark.xfail(reason=slot.known[kind], strict=True))
    if kind == "wrong_extension" and slot.fixed_name:
        pytest.skip("the verb finds this file by its fixed name in the run folder")
    if kind in ("wrong_dtype", "wrong_shape", "nonfinite") and kind not in slot.variants:
        pytest.skip(f"{slot.name} has no {kind.replace('_', ' ')} form")
    check_case(slot, tmp_path / "case", kind)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
@pytest.mark.parametrize("slot", [s for s in SLOTS if s.verb in ("train", "eval")], ids=str)
def test_random_and_truncated_bytes(slot, data, tmp_path_factory):
    """Binary formats (numpy, IDX, PNG, safetensors, checkpoints, JSON configs) cut anywhere or replaced by
    any bytes; the report's and doctor's line-based readers get the fixed cases above."""
    if data.draw(st.booleans(), label="truncate a valid file"):
        valid = slot.valid()
        body = len(valid.rstrip())  # a cut inside the trailing newline of a JSON file leaves it valid: cut before
        raw = valid[: data.draw(st.integers(0, max(body - 1, 0)), label="cut at")]
    else:
        raw = data.draw(st.binary(max_size=2048), label="bytes")
    check_case(slot, tmp_path_factory.mktemp("fuzz") / "case", "random", raw)


@settings(max_examples=15, deadline=None)
@given(ids=st.lists(st.text(max_size=12), max_size=3))
def test_tips_never_shows_a_traceback(ids):
    """``tips`` reads no file: its only input is the tip ids."""
    code, out, err = run_cli(["tips", "--format", "json", *[i for i in ids if not i.startswith("-")]])
    assert code in (0, 2) and "Traceback" not in err
    if code == 2:
        assert len(err.strip().splitlines()) == 1 and err.startswith("ganhacks tips: error: ")
