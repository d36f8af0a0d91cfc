"""Editors' synonyms, compiled for matching: read once per change, not once per search.

Each process keeps the compiled rules in its memory for the search generation
(search.generation); saving or deleting a synonym bumps it, so every process sees an editor's
change on its next search.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.text_analysis import base_language, stems, tokens
from search import generation
from search.models import Synonym

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
    return generation.remembered("synonym-rules", base_language(language), lambda: _rules(language))


def _rules(language: str) -> list[Rule]:
    compiled = []
    for synonym in Synonym.objects.all():
        if not _language_matches(synonym.language, language):
            continue
        terms = tuple(synonym.term_list)
        if synonym.is_one_way:
            compiled.append(Rule(terms, tuple(synonym.also_find_list), two_way=False))
        elif len(terms) > 1:
            compiled.append(Rule(terms, terms, two_way=True))
    return compiled


def forget() -> None:
    generation.bump()


def expansions(language: str) -> dict[Phrase, set[tuple[Phrase, Phrase]]]:
    """Stemmed phrase -> the (words, stems) of the phrases it also finds (kept like the
    rules)."""
    return generation.remembered(
        "synonym-expansions", base_language(language), lambda: _expansions(language)
    )


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
