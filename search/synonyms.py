"""Editors' synonyms, compiled for matching: read once per change, not once per search.

The compiled rules sit in the Django cache (Redis in production, so every process sees an
editor's change at once); saving or deleting a synonym clears them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.text_analysis import base_language, stems, tokens
from search.models import Synonym

CACHE_KEY = "search:synonyms:v1:{language}"
EXPANSIONS_KEY = "search:synonym-expansions:v1:{language}"
CACHE_SECONDS = 24 * 60 * 60

Phrase = tuple[str, ...]  # a stemmed word sequence


@dataclass(frozen=True)
class Rule:
    """`terms` find `finds` (for a two-way synonym, every term finds all the others)."""

    terms: tuple[str, ...]
    finds: tuple[str, ...]
    two_way: bool


def _language_matches(rule_language: str, language: str) -> bool:
    return base_language(rule_language) == base_language(language)


def rules(language: str) -> list[Rule]:
    key = CACHE_KEY.format(language=base_language(language))
    cached = cache.get(key)
    if cached is not None:
        return cached
    compiled = []
    for synonym in Synonym.objects.all():
        if not _language_matches(synonym.language, language):
            continue
        terms = tuple(synonym.term_list)
        if synonym.is_one_way:
            compiled.append(Rule(terms, tuple(synonym.also_find_list), two_way=False))
        elif len(terms) > 1:
            compiled.append(Rule(terms, terms, two_way=True))
    cache.set(key, compiled, CACHE_SECONDS)
    return compiled


def forget() -> None:
    from django.conf import settings

    cache.delete_many(
        [
            key.format(language=base_language(code))
            for code, _ in settings.LANGUAGES
            for key in (CACHE_KEY, EXPANSIONS_KEY)
        ]
    )


def expansions(language: str) -> dict[Phrase, set[tuple[Phrase, Phrase]]]:
    """Stemmed phrase -> the (words, stems) of the phrases it also finds (cached like the
    rules, and cleared with them)."""
    key = EXPANSIONS_KEY.format(language=base_language(language))
    cached = cache.get(key)
    if cached is None:
        cached = _expansions(language)
        cache.set(key, cached, CACHE_SECONDS)
    return cached


def _expansions(language: str) -> dict[Phrase, set[tuple[Phrase, Phrase]]]:
    found: dict[Phrase, set[tuple[Phrase, Phrase]]] = {}
    for rule in rules(language):
        for term in rule.terms:
            source = tuple(stems(term, language))
            for other in rule.finds:
                target = tuple(stems(other, language))
                if target != source:
                    found.setdefault(source, set()).add((tuple(tokens(other)), target))
    return found


def solr_rules(language: str) -> list[str]:
    """The rules in the Solr synonym format Elasticsearch's `synonym_graph` filter reads:
    "tip, dump, household waste recycling centre" and "pcn => pcn, penalty charge notice"."""
    lines = []
    for rule in rules(language):
        if rule.two_way:
            lines.append(", ".join(rule.terms))
        else:
            lines.append(f"{', '.join(rule.terms)} => {', '.join(rule.terms + rule.finds)}")
    return lines


@receiver(post_save, sender="search.Synonym")
@receiver(post_delete, sender="search.Synonym")
def _synonym_changed(**kwargs) -> None:
    forget()
