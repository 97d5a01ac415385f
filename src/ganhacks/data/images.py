"""Image tensors: layout (NCHW / NHWC), value range, resizing (tip T01).

Every image source ends here: raw arrays of any supported layout and range become
float32 ``(N, C, H, W)`` tensors in [-1, 1], optionally resized to ``image_size`` pixels.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ganhacks.data.scaling import check_signed_unit, infer_value_range, to_signed_unit
from ganhacks.errors import UserError

CHANNELS = (1, 3)  # grayscale or RGB; the only channel counts a channel axis may have
CHUNK = 4096  # images converted to float at a time


def check_image_size(image_size: int | None) -> int | None:
    """Return ``image_size`` after checking it is None or a whole number of pixels >= 2."""
    if image_size is None:
        return None
    if isinstance(image_size, bool) or int(image_size) != image_size or image_size < 2:
        raise UserError(f"image_size must be a whole number of pixels >= 2 (e.g. 16 or 32), got {image_size}")
    return int(image_size)


def channel_axis(shape: tuple[int, ...], name: str = "array") -> int:
    """Which axis of a rank-4 image array holds the channels: 1 (NCHW) or 3 (NHWC).

    The rule: a channel axis has size 1 or 3. If only axis 1 or only axis 3 qualifies, that
    one is it; if both do (e.g. 3x3 images), PyTorch's NCHW wins; if neither does, refuse.

    Raises:
        UserError: no axis has 1 or 3 entries.
    """
    first, last = shape[1] in CHANNELS, shape[3] in CHANNELS
    if first:
        return 1
    if last:
        return 3
    raise UserError(
        f"cannot tell the channel axis of {name} with shape {tuple(shape)}: expected 1 or 3 channels "
        f"in axis 1 (N, C, H, W) or axis 3 (N, H, W, C)"
    )


def to_nchw(arr: np.ndarray, name: str = "array") -> np.ndarray:
    """View images of shape ``(N, H, W)``, ``(N, C, H, W)`` or ``(N, H, W, C)`` as ``(N, C, H, W)``.

    Raises:
        UserError: another rank, or no recognisable channel axis.
    """
    if arr.ndim == 3:
        return arr[:, None]  # (N, H, W) -> (N, 1, H, W)
    if arr.ndim == 4:
        return arr if channel_axis(arr.shape, name) == 1 else arr.transpose(0, 3, 1, 2)
    raise UserError(
        f"{name} has shape {tuple(arr.shape)} (rank {arr.ndim}); images must be (N, H, W), (N, C, H, W) or (N, H, W, C)"
    )


def center_crop_square(x: torch.Tensor) -> torch.Tensor:
    """Crop ``(N, C, H, W)`` images to their central ``min(H, W)`` square."""
    h, w = x.shape[-2:]
    s = min(h, w)
    top, left = (h - s) // 2, (w - s) // 2
    return x[..., top : top + s, left : left + s]


def resize_images(x: torch.Tensor, size: int) -> torch.Tensor:
    """Resize ``(N, C, H, W)`` images in [-1, 1] to ``size x size`` (tip T01 range kept).

    Non-square images are first centre-cropped to a square (aspect ratio kept, borders lost).
    Resizing is bilinear with antialiasing (which matters only when shrinking); its weights are
    non-negative and sum to one, so the result stays in [-1, 1] up to rounding, which is clamped.

    Args:
        x: float images, shape ``(N, C, H, W)``.
        size: output height and width in pixels.

    Returns:
        float images, shape ``(N, C, size, size)``.
    """
    size = check_image_size(size)
    x = center_crop_square(x)
    if x.shape[-1] == size:
        return x
    out = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=True)
    return out.clamp_(-1.0, 1.0)  # only removes float rounding: a convex mix cannot leave [-1, 1]


def images_from_array(
    arr: np.ndarray,
    *,
    name: str = "array",
    value_range: tuple[float, float] | None = None,
    image_size: int | None = None,
) -> torch.Tensor:
    """Raw image array -> float32 ``(N, C, H, W)`` in [-1, 1], checked (tip T01).

    Args:
        arr: images as ``(N, H, W)``, ``(N, C, H, W)`` or ``(N, H, W, C)``, with C in {1, 3}.
        name: where they came from, for error messages.
        value_range: the stored ``(low, high)``; inferred by
            :func:`ganhacks.data.scaling.infer_value_range` when None.
        image_size: resize to this many pixels square when given (non-square: centre crop first).

    Raises:
        UserError: bad rank or channel axis, values out of every known range, NaN/Inf.
    """
    arr = to_nchw(np.asarray(arr), name)
    if len(arr) == 0:
        raise UserError(f"{name} holds no images (shape {tuple(arr.shape)}); give at least one")
    low, high = infer_value_range(arr, name) if value_range is None else value_range
    n, c, h, w = arr.shape
    side = check_image_size(image_size)
    out = torch.empty((n, c, side or h, side or w), dtype=torch.float32)
    for start in range(0, n, CHUNK):  # chunks bound the float temporaries of large uint8 sets
        part = to_signed_unit(arr[start : start + CHUNK], low, high)
        x = torch.from_numpy(np.ascontiguousarray(part, dtype=np.float32))
        check_signed_unit(x, name=name)
        out[start : start + CHUNK] = x if side is None else resize_images(x, side)
    return out
