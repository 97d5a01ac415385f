"""User images from a folder of PNG/JPEG files (tip T01).

Rules, so a user can predict what is loaded:
- files ending in .png, .jpg or .jpeg (any case) are read, recursively, in sorted path order;
  files and folders whose name starts with "." are ignored (e.g. macOS "._x.png" stubs);
- grey images (Pillow modes 1, L, LA, I, I;16) give 1 channel, anything else is converted
  to RGB (alpha dropped); if any image is colour, grey ones are repeated to 3 channels;
- 16-bit/32-bit grey images are read as 0..65535, 8-bit ones as 0..255, then mapped to [-1, 1];
- labels come from sub-folder names when every image sits below a first-level sub-folder of
  the root and there are at least two of them (classes in sorted name order); else no labels;
- unreadable or corrupt files are skipped, counted, named in one logged warning and in ``describe()``;
  a folder where nothing can be read is an error;
- all images must share one size unless ``image_size`` is given (then each is centre-cropped
  to a square and resized).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ganhacks.data.dataset import Dataset
from ganhacks.data.images import check_image_size, resize_images
from ganhacks.data.scaling import to_signed_unit
from ganhacks.errors import UserError

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")  # what counts as an image file (compared lower-case)
GREY_MODES = ("1", "L", "LA")  # 8-bit (or 1-bit) grey Pillow modes
WIDE_GREY_MODES = ("I", "I;16", "I;16B", "I;16L")  # 16/32-bit grey, read as 0..65535
# What Pillow raises on files it cannot decode (truncated data, bad headers, bombs).
DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError)


def find_images(root: Path) -> list[Path]:
    """Image files below ``root``, recursively, sorted, skipping hidden names."""
    found = []
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
            found.append(path)
    return sorted(found)


def decode_image(path: Path) -> tuple[np.ndarray, float]:
    """One image file's pixels as stored, ``(C, H, W)`` (uint8, or float32 0..65535 for wide grey), and
    the value that maps to +1.

    Raises:
        OSError (or another of ``DECODE_ERRORS``): the file cannot be decoded.
    """
    with Image.open(path) as img:
        img.load()  # decode now so truncated files fail here, not later
        if img.mode in WIDE_GREY_MODES:
            arr, high = np.asarray(img, dtype=np.float32), 65535.0
        elif img.mode in GREY_MODES:
            arr, high = np.asarray(img.convert("L")), 255.0
        else:
            arr, high = np.asarray(img.convert("RGB")), 255.0
    return (arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1)), high  # (H, W) / (H, W, C) -> (C, H, W)


def to_unit(arr: np.ndarray, high: float) -> np.ndarray:
    """Decoded pixels (:func:`decode_image`) as float32 in [-1, 1] (tip T01)."""
    return to_signed_unit(arr, 0.0, high).astype(np.float32, copy=False)


def read_image(path: Path) -> np.ndarray:
    """One image file as float32 ``(C, H, W)`` in [-1, 1], C in {1, 3} (tip T01).

    Raises:
        OSError (or another of ``DECODE_ERRORS``): the file cannot be decoded.
    """
    return to_unit(*decode_image(path))


def folder_labels(root: Path, paths: list[Path]) -> tuple[np.ndarray | None, tuple[str, ...]]:
    """Class index per image from its first-level sub-folder, or ``(None, ())`` (see module rules)."""
    rels = [p.relative_to(root).parts for p in paths]
    if any(len(parts) < 2 for parts in rels):
        return None, ()
    names = tuple(sorted({parts[0] for parts in rels}))
    if len(names) < 2:
        return None, ()
    index = {name: i for i, name in enumerate(names)}
    return np.array([index[parts[0]] for parts in rels], dtype=np.int64), names


def folder_images(root: Path) -> list[Path]:
    """The image files under an existing folder ``root`` (:func:`find_images`).

    Raises:
        UserError: ``root`` is not a folder, or holds no PNG/JPEG file.
    """
    if not root.is_dir():
        raise UserError(f"no such folder: {root}; check the path")
    paths = find_images(root)
    if not paths:
        raise UserError(
            f"no PNG/JPEG images found under {root} (searched recursively); add images or "
            f"give a .npy/.npz, MNIST IDX or CIFAR batch file instead"
        )
    return paths


def skipped_notes(root: Path, bad: list[Path]) -> list[str]:
    """The dataset's note about the files under ``root`` that could not be read (none: no note), also logged."""
    if not bad:
        return []
    shown = ", ".join(str(p.relative_to(root)) for p in bad[:3]) + (", ..." if len(bad) > 3 else "")
    msg = f"skipped {len(bad)} unreadable image file(s): {shown}"
    log.warning("%s: %s", root, msg)
    return [msg]


def check_one_size(root: Path, sizes: set[tuple[int, int]]) -> None:
    """Refuse a folder whose images (``sizes``: their (H, W)) differ in size when no ``image_size`` is given.

    Raises:
        UserError: more than one size, saying how to resize them.
    """
    if len(sizes) > 1:
        (h1, w1), (h2, w2) = sorted(sizes)[:2]
        raise UserError(
            f"images under {root} have {len(sizes)} different sizes (e.g. {h1}x{w1} and {h2}x{w2}); "
            f"resize them all to N x N with image_size=N (ganhacks train: --set data.image_size=N)"
        )


def load_image_folder(root: str | Path, *, image_size: int | None = None) -> Dataset:
    """Load every PNG/JPEG under ``root`` as one :class:`Dataset` (tip T01; rules in the module doc).

    Args:
        root: folder to search recursively.
        image_size: resize every image to this many pixels square; required when sizes differ.

    Raises:
        UserError: missing or empty folder, nothing readable, mixed sizes without ``image_size``.
    """
    root = Path(root)
    image_size = check_image_size(image_size)
    paths = folder_images(root)
    # pixels are kept as stored (uint8: a quarter of float32) until the one output tensor is filled
    raw, kept, bad = [], [], []
    for i, path in enumerate(paths):
        try:
            raw.append(decode_image(path))
            kept.append(i)
        except DECODE_ERRORS:
            bad.append(path)
    if not raw:
        raise UserError(f"none of the {len(paths)} image files under {root} could be read; they may be corrupt")
    notes = skipped_notes(root, bad)
    channels = max(a.shape[0] for a, _ in raw)  # grey images are repeated to RGB when any is colour
    if image_size is None:
        check_one_size(root, {a.shape[1:] for a, _ in raw})
    h, w = (image_size, image_size) if image_size is not None else raw[0][0].shape[1:]
    x = torch.empty((len(raw), channels, h, w), dtype=torch.float32)  # (N, C, H, W)
    for i in range(len(raw)):
        t = torch.from_numpy(to_unit(*raw[i])).expand(channels, -1, -1)
        x[i] = resize_images(t[None], image_size)[0] if image_size is not None else t
        raw[i] = None  # the stored pixels are no longer needed
    y, class_names = folder_labels(root, paths)  # classes from all files, so a skipped one shifts nothing
    kw = dict(name=str(root), x=x, kind="images", notes=tuple(notes))
    if y is None:
        return Dataset(**kw)
    y = torch.from_numpy(y[kept])
    return Dataset(y=y, num_classes=len(class_names), class_names=class_names, **kw)
