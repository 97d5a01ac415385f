"""Name -> object registries with helpful errors.

Losses, penalties, samplers, optimisers, presets and metrics are chosen by name. A registry
keeps the valid names in one place, so the CLI can validate input against it and suggest the
nearest name on a typo.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from ganhacks.errors import UserError

T = TypeVar("T")


def did_you_mean(name: str, choices: list[str] | tuple[str, ...]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest choice, or ``""`` when none is close."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


class Registry(Generic[T]):
    """A named collection of objects of one kind.

    Example:
        >>> SAMPLERS = Registry("sampler")
        >>> @SAMPLERS.register("gaussian")
        ... def gaussian(n): ...
        >>> SAMPLERS.get("gaussain")
        Traceback (most recent call last):
        ...
        ganhacks.errors.UserError: unknown sampler 'gaussain'. Did you mean 'gaussian'? Valid choices: gaussian
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str, obj: T | None = None) -> Callable[[T], T] | T:
        """Register ``obj`` under ``name``; usable as a decorator when ``obj`` is omitted."""

        def add(item: T) -> T:
            if name in self._items:
                raise KeyError(f"{self.kind} '{name}' is registered twice")
            self._items[name] = item
            return item

        return add if obj is None else add(obj)

    def get(self, name: str) -> T:
        """Return the object registered as ``name``, or raise a :class:`UserError` listing the choices."""
        try:
            return self._items[name]
        except KeyError:
            names = self.names()
            raise UserError(
                f"unknown {self.kind} '{name}'.{did_you_mean(str(name), names)} Valid choices: {', '.join(names)}"
            ) from None

    def names(self) -> list[str]:
        """Registered names, in registration order."""
        return list(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)
