"""A small registry of named pieces of code that flows can refer to by id (as Open Forms does)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps ids to objects; used as a decorator, `@fees.register("bulky-waste")`.

    Rejects duplicate ids, so two handlers can never silently shadow each other."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._items: dict[str, T] = {}

    def register(self, id: str) -> Callable[[T], T]:
        def decorator(item: T) -> T:
            if id in self._items:
                raise ValueError(f"{self.name}: {id!r} is already registered")
            self._items[id] = item
            return item

        return decorator

    def __getitem__(self, id: str) -> T:
        return self._items[id]

    def __contains__(self, id: object) -> bool:
        return id in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def get(self, id: str) -> T | None:
        return self._items.get(id)

    def get_choices(self) -> list[tuple[str, str]]:
        """(id, description) pairs for a choice field in the admin."""
        return [(id, getattr(item, "title", id)) for id, item in sorted(self._items.items())]
