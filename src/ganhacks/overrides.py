"""The one ``--set key=value`` parser: split assignments, convert text to a field's type, and apply
them to a frozen dataclass with "did you mean" for unknown names.

``ganhacks train --set loss.name=hinge`` (sections of the run config), ``ganhacks eval --set k=3``
(the metric settings) and the bench's suite variants all go through here, so every option is
named, checked and converted the same way.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from ganhacks.errors import UserError
from ganhacks.registry import did_you_mean

T = TypeVar("T")

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")


def split_assignment(item: str, example: str = "--set key=value") -> tuple[str, str]:
    """``"a.b = 3"`` -> ``("a.b", "3")``; anything without ``=`` or a key is refused.

    >>> split_assignment("loss.name=hinge")
    ('loss.name', 'hinge')
    """
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise UserError(f"expected KEY=VALUE, got '{item}' (e.g. {example})")
    return key.strip(), value.strip()


def convert(label: str, raw: Any, hint: Any) -> Any:
    """``raw`` (text from the command line, or a JSON value) as the type ``hint`` names.

    Booleans take 1/0, true/false, yes/no, on/off; integers take ``1e4``; tuples take ``0.5,0.9``.

    >>> convert("optim.betas", "0.0,0.9", tuple[float, float])
    (0.0, 0.9)
    """
    origin = typing.get_origin(hint)
    try:
        if hint is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in TRUE:
                return True
            if text in FALSE:
                return False
            raise ValueError
        if hint is int:
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError
            if isinstance(raw, str) and "e" in raw.lower():
                value = float(raw)
                if not value.is_integer():
                    raise ValueError
                return int(value)
            return int(raw)
        if hint is float:
            if isinstance(raw, bool):
                raise ValueError
            return float(raw)
        if origin is tuple:
            parts = raw if isinstance(raw, (list, tuple)) else str(raw).strip("()[] ").split(",")
            return tuple(float(p) for p in parts)
        return str(raw)
    except (TypeError, ValueError):
        raise UserError(f"{label} expects {getattr(hint, '__name__', hint)}, got '{raw}'") from None


def apply_to(obj: T, values: Mapping[str, Any], prefix: str = "") -> T:
    """A copy of the frozen dataclass ``obj`` with ``values`` (field name -> raw value) converted and set.

    Args:
        obj: a dataclass instance (its ``__post_init__`` validates the new values).
        values: field names and raw values (text or JSON values).
        prefix: how the fields are spelled to the user (``"loss."`` for ``--set loss.name=...``).

    Raises:
        UserError: an unknown field (with "did you mean" and the valid names) or a value of the wrong type.
    """
    hints = typing.get_type_hints(type(obj))
    names = [f.name for f in dataclasses.fields(obj)]
    changes = {}
    for name, raw in values.items():
        if name not in names:
            where = f"Fields of {prefix.rstrip('.')}" if prefix else "Valid"
            raise UserError(f"unknown field '{prefix}{name}'.{did_you_mean(name, names)} {where}: {', '.join(names)}")
        changes[name] = convert(f"{prefix}{name}", raw, hints[name])
    return dataclasses.replace(obj, **changes)


def parse_assignments(items: Iterable[str], example: str = "--set key=value") -> dict[str, str]:
    """``["a=1", "b=x"]`` -> ``{"a": "1", "b": "x"}`` (a later assignment of the same key wins)."""
    return dict(split_assignment(item, example) for item in items)
