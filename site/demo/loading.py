"""What every demo loader shares: the report of what a run created or changed, the content
files' text as rich text, StreamField data compared without the block ids Wagtail adds, and the
indexes brought up to date once at the end of a load."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.apps import apps
from django.db.models import Model
from django.db.models.signals import post_save
from modelcluster.fields import ParentalKey
from modelsearch import index as search_index
from modelsearch import signal_handlers as search_signals
from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

from services.models import ServiceSearchWords, reindex_service


def rich_text(text: str) -> str:
    """Turn the content files' mini-format (paragraphs; "- " bullet lines) into rich text."""
    html: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            html.append(f"<p>{escape(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            html.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for raw in text.strip().splitlines():
        line = raw.strip()
        if line.startswith("- "):
            if paragraph:
                flush()
            items.append(line[2:].strip())
        elif not line:
            flush()
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return "".join(html)


def without_ids(data: Any) -> Any:
    """StreamField data minus the block ids Wagtail adds, for comparing content."""
    if isinstance(data, dict):
        return {k: without_ids(v) for k, v in data.items() if k != "id"}
    if isinstance(data, list):
        return [without_ids(v) for v in data]
    return data


@dataclass
class LoadReport:
    """What one run of the loader did."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


_deferring = False


@contextmanager
def indexing_once_at_the_end() -> Iterator[None]:
    """Update the search index and Wagtail's reference index once for each object saved inside,
    when the block ends, instead of at every save.

    Loading the demo saves most pages several times (created, then filled, then published, then
    aliased and translated into three languages), and each save re-indexed the page for search
    and for Wagtail's "usage" counts: about a third of the loading time went on indexes that the
    next save made stale. What ends up in both indexes is the same; if the block fails, nothing
    is indexed (the loader's transaction is rolled back anyway). Deletions still update both at
    once, as Wagtail does.
    """
    global _deferring
    if _deferring:  # an inner loader inside an outer one: the outer indexes at its end
        yield
        return
    saved: dict[tuple[str, str], set[Any]] = {}

    def note(sender: type[Model], instance: Model, raw: bool = False, **kwargs: Any) -> None:
        if not raw:
            saved.setdefault((sender._meta.app_label, sender._meta.model_name or ""), set()).add(
                instance.pk
            )

    searched = [
        m for m in search_index.get_indexed_models() if getattr(m, "search_auto_update", True)
    ]
    for model in searched:
        post_save.disconnect(search_signals.post_save_signal_handler, sender=model)
    # (a service's words for search re-index their page when saved: here the page is, once)
    post_save.disconnect(reindex_service, sender=ServiceSearchWords)
    post_save.connect(note, weak=False, dispatch_uid="demo-indexing-once")
    _deferring = True
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        _deferring = False
        post_save.disconnect(dispatch_uid="demo-indexing-once")
        for model in searched:
            post_save.connect(search_signals.post_save_signal_handler, sender=model)
        post_save.connect(reindex_service, sender=ServiceSearchWords)

    referencing: dict[tuple[type[Model], Any], Model] = {}
    for (app_label, model_name), pks in saved.items():
        model = apps.get_model(app_label, model_name)
        tracked = model in ReferenceIndex.tracked_models
        searchable = model in searched
        if not (tracked or searchable):
            continue
        for instance in model._default_manager.filter(pk__in=pks):
            if searchable:
                search_index.insert_or_update_object(instance)
            if tracked:
                owner = owner_of(instance)
                if owner is not None:
                    referencing[(type(owner), owner.pk)] = owner
    for owner in referencing.values():
        if ReferenceIndex.is_indexed(owner._meta.model):
            ReferenceIndex.create_or_update_for_object(owner)


def owner_of(instance: Model) -> Model | None:
    """The object whose references a child object's (an inline panel's row's) belong to, as
    Wagtail's own reference-index task finds it: up its ParentalKeys."""
    while True:
        keys = [f for f in instance._meta.get_fields() if isinstance(f, ParentalKey)]
        if not keys:
            return instance
        parent = getattr(instance, keys[0].name)
        if parent is None:
            return None
        instance = parent
