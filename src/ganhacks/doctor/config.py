"""Doctor settings: a frozen dataclass, read from ``[tool.ganhacks.doctor]`` in pyproject.toml.

The nearest ``pyproject.toml`` found by walking up from the audited path is used; command-line
``--select``/``--ignore`` override it. Example::

    [tool.ganhacks.doctor]
    ignore = ["T07", "T15"]
    relu_in_generator = "fail"
    exclude = ["third_party"]
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace

from ganhacks.errors import UserError
from ganhacks.registry import did_you_mean

STATIC_TIPS: tuple[str, ...] = tuple(f"T{i:02d}" for i in range(1, 18))  # the 17 numbered tips
RELU_IN_G = ("allow", "fail")


@dataclass(frozen=True)
class DoctorConfig:
    """What the doctor checks and how (T01..T17)."""

    select: tuple[str, ...] = ()  # tip ids to check; empty = all 17
    ignore: tuple[str, ...] = ()  # tip ids to skip (applied after select)
    relu_in_generator: str = "allow"  # T05: "allow" ReLU in G (DCGAN does) or "fail" on it too
    exclude: tuple[str, ...] = (
        ".git",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        "build",
        "dist",
        ".tox",
    )  # folder names never walked
    max_file_bytes: int = 2_000_000  # larger .py files are reported and skipped (generated code, data dumps)

    def __post_init__(self) -> None:
        object.__setattr__(self, "select", check_tip_ids("select", self.select))
        object.__setattr__(self, "ignore", check_tip_ids("ignore", self.ignore))
        if self.relu_in_generator not in RELU_IN_G:
            raise UserError(f"relu_in_generator must be one of {', '.join(RELU_IN_G)}, got {self.relu_in_generator!r}")
        if not isinstance(self.max_file_bytes, int) or self.max_file_bytes <= 0:
            raise UserError(f"max_file_bytes must be a positive integer, got {self.max_file_bytes!r}")

    def wants(self, tip: str) -> bool:
        """Whether ``tip`` is checked under select/ignore."""
        return (not self.select or tip in self.select) and tip not in self.ignore


def check_tip_ids(what: str, ids) -> tuple[str, ...]:
    """Upper-cased tip ids after checking each is one of T01..T17 (UserError otherwise)."""
    if isinstance(ids, str):
        ids = [s for s in ids.replace(",", " ").split() if s]
    out = []
    for raw in ids:
        tip = str(raw).strip().upper()
        if tip not in STATIC_TIPS:
            raise UserError(f"{what}: unknown tip id '{raw}'.{did_you_mean(tip, STATIC_TIPS)} Valid ids: T01..T17")
        out.append(tip)
    return tuple(out)


def find_pyproject(start: str) -> str | None:
    """The nearest pyproject.toml in ``start`` (a file or folder) or one of its parents."""
    here = os.path.abspath(start)
    if not os.path.isdir(here):
        here = os.path.dirname(here)
    while True:
        candidate = os.path.join(here, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def load_config(start: str | None, **overrides) -> DoctorConfig:
    """Settings from the nearest pyproject.toml above ``start``, then ``overrides`` (non-None only).

    Raises:
        UserError: the file is not valid TOML, or a key/value under [tool.ganhacks.doctor] is unknown/invalid.
    """
    values: dict = {}
    path = find_pyproject(start) if start else None
    if path:
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
            raise UserError(f"cannot read {path}: {exc}; fix the file (TOML, UTF-8)") from None
        section = data.get("tool", {}).get("ganhacks", {})
        table = section.get("doctor", {}) if isinstance(section, dict) else None
        if not isinstance(table, dict):
            raise UserError(f'{path}: [tool.ganhacks.doctor] must be a table of settings, e.g. ignore = ["T05"]')
        values = dict(table)
        known = {f.name for f in fields(DoctorConfig)}
        for key in values:
            if key not in known:
                raise UserError(
                    f"{path}: unknown key '{key}' under [tool.ganhacks.doctor].{did_you_mean(key, sorted(known))} "
                    f"Valid keys: {', '.join(sorted(known))}"
                )
        for key in ("select", "ignore", "exclude"):
            if key in values:
                v = values[key]
                if not isinstance(v, (str, list)):
                    raise UserError(f"{path}: {key} under [tool.ganhacks.doctor] must be a list of strings, got {v!r}")
                values[key] = tuple([v] if isinstance(v, str) else v)
    cfg = DoctorConfig(**values)
    return replace(cfg, **{k: v for k, v in overrides.items() if v is not None})
