"""One generation number for everything search works out ahead of a query, and a memory of it
in each process.

What a search reads besides the query (the vocabulary, each page's words, editors' synonyms
and promoted results, which locale and pages are searchable, a result's title, address and
category, the ranking of a query already asked) changes only when an editor changes something.
Each process keeps it in its own memory, read without a round trip or unpickling, under the
generation kept in the Django cache (Redis in production, shared by every process). A change
bumps the generation (`bump`), and every process starts afresh on its next search.

A search reads the generation once (`one_generation`), so everything it uses belongs to the
same generation even if an editor publishes half way through.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.cache import cache

T = TypeVar("T")

GENERATION_KEY = "search:corpus-version"
# Entries of one kind (rankings, results, ...) kept per process before that kind is emptied
# and refilled.
MEMO_LIMIT = 5_000

_pinned: ContextVar[int | None] = ContextVar("search_generation", default=None)
_memo: dict[str, dict[Any, Any]] = {}
_memo_generation: list[int | None] = [None]
_lock = threading.Lock()


def _read() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # First use, or the cache lost its data: start from the clock, never from 1, so that
        # a number a process remembers from before can never come back.
        cache.add(GENERATION_KEY, _from_the_clock(), None)
        generation = cache.get(GENERATION_KEY) or _from_the_clock()
    return int(generation)


def _from_the_clock() -> int:
    return int(time.time() * 1000)


def current() -> int:
    """The generation: the one this search began with, else read from the cache."""
    pinned = _pinned.get()
    return pinned if pinned is not None else _read()


@contextmanager
def one_generation() -> Iterator[int]:
    """Read the generation once for everything inside (a search, its suggestions)."""
    if _pinned.get() is not None:
        yield _pinned.get()  # type: ignore[misc]
        return
    token = _pinned.set(_read())
    try:
        yield _pinned.get()  # type: ignore[misc]
    finally:
        _pinned.reset(token)


def _kind(kind: str) -> dict[Any, Any]:
    """This process's memory of one kind of thing, for the current generation."""
    generation = current()
    if _memo_generation[0] != generation:
        with _lock:
            if _memo_generation[0] != generation:
                _memo.clear()
                _memo_generation[0] = generation
    return _memo.setdefault(kind, {})


def remembered(kind: str, key: Any, make: Callable[[], T], limit: int = MEMO_LIMIT) -> T:
    """`make()`, worked out once per process and generation. Values are shared by every
    search in the process (and thread): callers never change them. A kind holding `limit`
    entries is emptied and starts again (the others are kept)."""
    kept = _kind(kind)
    try:
        return kept[key]
    except KeyError:
        pass
    value = make()
    if len(kept) >= limit:
        kept.clear()
    kept[key] = value
    return value


def remembered_many(
    kind: str, keys: list[Any], make: Callable[[list[Any]], dict[Any, T]], limit: int = MEMO_LIMIT
) -> dict[Any, T]:
    """{key: value} for `keys`, making only those this process has not met this generation,
    all at once (`make(missing)` returns what it found; a key it leaves out is not kept)."""
    kept = _kind(kind)
    found: dict[Any, T] = {}
    missing = []
    for key in keys:
        try:
            found[key] = kept[key]
        except KeyError:
            missing.append(key)
    if missing:
        made = make(missing)
        if len(kept) + len(made) > limit:
            kept.clear()
        kept.update(made)
        found.update(made)
    return found


def bump() -> None:
    """Something search reads changed: every process starts afresh on its next search."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, _from_the_clock(), None)
    forget_here()


def forget_here(*kinds: str) -> None:
    """Empty this process's memory (the tests, between data sets), or only of some kinds
    (a benchmark timing searches as if asked for the first time)."""
    with _lock:
        if kinds:
            for kind in kinds:
                _memo.pop(kind, None)
            return
        _memo.clear()
        _memo_generation[0] = None
