"""Wagtail's Elasticsearch 8 backend with the council's analysis.

Indexing stays Wagtail's (`update_index`, the save/delete signal handlers, the same documents
and field names); what changes is how text is analysed:

- every text field is indexed with `council_text`: Wagtail's standard tokenizer, lower case,
  accents folded ("café" finds "cafe"), the English possessive and stemmer ("collections"
  meets "collection");
- searched with `council_search_<language>`: the same chain, then the editors' synonyms for
  that language through a `synonym_graph` filter that reads an Elasticsearch *synonyms set*
  (`PUT _synonyms/<set>`, Elasticsearch 8.10 and later). The filter is `updateable`, so when
  an editor saves a synonym we push the set again and Elasticsearch reloads the search
  analyzers at once: no reindex, no deploy.

Wagtail's own edge n-gram analyzers (autocomplete) are kept as they are.

Settings (in WAGTAILSEARCH_BACKENDS["default"], beside Wagtail's own URLS/INDEX_PREFIX/...):
`SYNONYMS_SET`, the prefix of the synonyms sets' names ("council-synonyms" gives
"council-synonyms-en" and "council-synonyms-pl", one per language in LANGUAGES).
"""

from __future__ import annotations

import logging
import typing
from copy import deepcopy

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from modelsearch.backends import get_search_backend, import_backend
from modelsearch.backends.elasticsearch8 import (
    Elasticsearch8AutocompleteQueryCompiler,
    Elasticsearch8Index,
    Elasticsearch8Mapping,
    Elasticsearch8SearchBackend,
    Elasticsearch8SearchQueryCompiler,
)
from modelsearch.conf import get_app_config
from modelsearch.index import AutocompleteField, FilterField
from modelsearch.utils import deep_update

from core.text_analysis import base_language
from search import synonyms

logger = logging.getLogger(__name__)

DEFAULT_SYNONYMS_SET = "council-synonyms"
# Elasticsearch keeps at most this many rules in one synonyms set (8.x); more give
# inconsistent results, so we say so in the log rather than push a set that half works.
MAX_SYNONYM_RULES = 10_000

INDEX_ANALYZER = "council_text"
SEARCH_ANALYZER = "council_search_{language}"
SYNONYM_FILTER = "council_synonyms_{language}"

# Elasticsearch types for the values our page mixins compute in methods (Wagtail cannot see
# a method's type and would map `search_popularity` as a keyword, which `field_value_factor`
# cannot read). Used when the method's return annotation says nothing we know.
PYTHON_TYPES: dict[object, str] = {float: "float", int: "long", bool: "boolean"}


def analysis_settings(synonyms_set_prefix: str, languages: typing.Iterable[str]) -> dict:
    """The analyzers and filters we add to Wagtail's index settings."""
    # The same normalising and stemming on both sides, so index and query terms meet.
    # The English stemmer runs on every page: Elasticsearch has no built-in Polish stemmer
    # (that needs the analysis-stempel plugin), and stemming Polish text with the English
    # rules on both sides still matches a word with itself.
    normalise = ["lowercase", "asciifolding", "council_possessive", "council_stemmer"]
    analyzers = {INDEX_ANALYZER: {"type": "custom", "tokenizer": "standard", "filter": normalise}}
    filters: dict[str, dict] = {
        "council_possessive": {"type": "stemmer", "language": "possessive_english"},
        "council_stemmer": {"type": "stemmer", "language": "english"},
    }
    for language in languages:
        synonym_filter = SYNONYM_FILTER.format(language=language)
        # After the stemmer: synonym_graph reads the editors' rules through the filters before
        # it, so rules and queries are compared as stems ("tips" finds the rule for "tip"),
        # as the database engine does.
        analyzers[SEARCH_ANALYZER.format(language=language)] = {
            "type": "custom",
            "tokenizer": "standard",
            "filter": [*normalise, synonym_filter],
        }
        filters[synonym_filter] = {
            "type": "synonym_graph",
            "synonyms_set": synonyms_set_name(synonyms_set_prefix, language),
            # Reloadable: only allowed in search analyzers, which is where we use it.
            "updateable": True,
            # A rule Elasticsearch cannot parse is skipped instead of breaking the analyzer.
            "lenient": True,
        }
    return {"analysis": {"analyzer": analyzers, "filter": filters}}


def synonyms_set_name(prefix: str, language: str) -> str:
    return f"{prefix}-{base_language(language)}"


class CouncilElasticsearchMapping(Elasticsearch8Mapping):
    """Wagtail's mapping, with our analyzers on text fields, and two fixes for values that
    our page mixins compute (`search_stems`, `search_popularity` in core.indexing)."""

    index_analyzer = INDEX_ANALYZER
    default_search_analyzer = SEARCH_ANALYZER.format(language="en")

    def _defined_on_mixin(self, field) -> bool:
        # Wagtail prefixes a field defined on a page subclass with "<app>_<model>__", reading
        # `_meta` of the class that defines it; a plain mixin has no `_meta`. The same mixin
        # code gives the same value type on every page type, so one unprefixed column serves
        # them all (and one field name is what the popularity function needs).
        definition = field.get_definition_model(self.model)
        return definition is not None and not hasattr(definition, "_meta")

    def get_field_column_name(self, field):
        if not self._defined_on_mixin(field):
            return super().get_field_column_name(field)
        name = field.get_attname(self.model)
        if isinstance(field, FilterField):
            return name + "_filter"
        if isinstance(field, AutocompleteField):
            return name + "_edgengrams"
        return name

    def method_type(self, field) -> str | None:
        """The Elasticsearch type of a value computed by a method, from its annotation."""
        try:
            self.model._meta.get_field(field.field_name)
            return None  # a model field: Wagtail knows its type
        except FieldDoesNotExist:
            pass
        method = getattr(self.model, field.field_name, None)
        if not callable(method):
            return None
        try:
            returns = typing.get_type_hints(method).get("return")
        except Exception:  # an annotation that cannot be resolved: leave Wagtail's guess
            return None
        return PYTHON_TYPES.get(returns)

    def get_field_mapping(self, field):
        name, mapping = super().get_field_mapping(field)
        if isinstance(field, FilterField) and "type" not in field.kwargs:
            es_type = self.method_type(field)
            if es_type:
                mapping["type"] = es_type
        return name, mapping

    def _analyse_text(self, properties: dict) -> None:
        for mapping in properties.values():
            if mapping.get("type") == "text" and "analyzer" not in mapping:
                # Fields with an analyzer of their own (Wagtail's edge n-grams) keep it.
                mapping["analyzer"] = self.index_analyzer
                mapping["search_analyzer"] = self.default_search_analyzer
            if mapping.get("type") == "nested":
                self._analyse_text(mapping["properties"])

    def get_mapping(self):
        mapping = super().get_mapping()
        self._analyse_text(mapping["properties"])
        return mapping


class CouncilElasticsearchIndex(Elasticsearch8Index):
    def put(self):
        # An index that names a synonyms set which does not exist yet is left "partially
        # created and inoperable" by Elasticsearch: create the sets first (from the database,
        # so a fresh cluster gets the editors' current synonyms).
        self.backend.push_synonyms()
        super().put()


class CouncilSearchQueryCompiler(Elasticsearch8SearchQueryCompiler):
    mapping_class = CouncilElasticsearchMapping


class CouncilAutocompleteQueryCompiler(Elasticsearch8AutocompleteQueryCompiler):
    mapping_class = CouncilElasticsearchMapping


class CouncilElasticsearchBackend(Elasticsearch8SearchBackend):
    mapping_class = CouncilElasticsearchMapping
    index_class = CouncilElasticsearchIndex
    query_compiler_class = CouncilSearchQueryCompiler
    autocomplete_query_compiler_class = CouncilAutocompleteQueryCompiler

    def __init__(self, params):
        params = dict(params)
        self.synonyms_set_prefix = params.pop("SYNONYMS_SET", DEFAULT_SYNONYMS_SET)
        self.languages = tuple(dict.fromkeys(base_language(code) for code, _ in settings.LANGUAGES))
        # Wagtail's settings plus ours; the parent then applies INDEX_SETTINGS on top.
        self.settings = deep_update(
            deepcopy(type(self).settings),
            {"settings": analysis_settings(self.synonyms_set_prefix, self.languages)},
        )
        super().__init__(params)

    def synonyms_set(self, language: str) -> str:
        return synonyms_set_name(self.synonyms_set_prefix, language)

    def search_analyzer(self, language: str) -> str:
        """The search analyzer with the synonyms of `language` (English for one we lack)."""
        language = base_language(language)
        if language not in self.languages:
            language = "en" if "en" in self.languages else self.languages[0]
        return SEARCH_ANALYZER.format(language=language)

    def push_synonyms(self, languages: typing.Iterable[str] | None = None) -> dict[str, dict]:
        """Replace each language's synonyms set with the editors' rules, from the database.
        Elasticsearch reloads the search analyzers that read the set. Raises on failure."""
        # Read the database, not rules compiled before the change that brought us here.
        synonyms.forget()
        results = {}
        for language in languages or self.languages:
            name = self.synonyms_set(language)
            lines = synonyms.solr_rules(language)
            if len(lines) > MAX_SYNONYM_RULES:
                logger.error(
                    "Synonyms set %s has %d rules; Elasticsearch keeps %d per set",
                    name,
                    len(lines),
                    MAX_SYNONYM_RULES,
                )
            response = self.es.synonyms.put_synonym(
                id=name, synonyms_set=[{"synonyms": line} for line in lines]
            )
            body = dict(response.body)
            failed = body.get("reload_analyzers_details", {}).get("_shards", {}).get("failed", 0)
            if failed:
                logger.warning(
                    "Synonyms set %s saved, but %s shard(s) did not reload their analyzers",
                    name,
                    failed,
                )
            results[name] = body
        return results


SearchBackend = CouncilElasticsearchBackend


def council_backends() -> list[CouncilElasticsearchBackend]:
    """The configured search backends that are ours (none with the database backend)."""
    found = []
    for name, conf in get_app_config().get_search_backend_config().items():
        try:
            backend_class = import_backend(conf["BACKEND"])
        except ImportError:
            continue
        if isinstance(backend_class, type) and issubclass(
            backend_class, CouncilElasticsearchBackend
        ):
            found.append(get_search_backend(name))
    return found


def _push_synonyms_to(backends: list[CouncilElasticsearchBackend]) -> None:
    for backend in backends:
        try:
            backend.push_synonyms()
        except Exception:
            # Never into the editor's save: the synonym is stored, the database engine's
            # matching uses it already, and the next save (or update_index) pushes again.
            logger.exception("Could not push the editors' synonyms to Elasticsearch")


@receiver(post_save, sender="search.Synonym", dispatch_uid="search.push_synonyms_on_save")
@receiver(post_delete, sender="search.Synonym", dispatch_uid="search.push_synonyms_on_delete")
def push_synonyms_on_change(**kwargs) -> None:
    """An editor saved or deleted a synonym: push the sets once the change is committed (a
    rolled-back save pushes nothing, and the push reads what was committed)."""
    try:
        backends = council_backends()
    except Exception:
        logger.exception("Could not read the Elasticsearch backend settings")
        return
    if backends:
        transaction.on_commit(lambda: _push_synonyms_to(backends), robust=True)
