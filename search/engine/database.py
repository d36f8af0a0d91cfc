"""The default engine: Wagtail's database backend finds the pages, our code ranks them.

Wagtail's database backends differ (SQLite's FTS5 has no stemming and no field weights,
PostgreSQL has both), so the backend only gathers candidates, with every word the query may
mean (as typed, stemmed, an editor's synonym, or a spelling the site knows). The ranking is
then the same on both: where each concept of the query matches (title, keywords, summary),
how rare the word is, whether the whole query appears as a phrase, how much of the query a
page covers, the backend's own score for the body, and how often residents choose the page.
"""

from __future__ import annotations

from django.db import connection
from wagtail.models import Locale
from wagtail.search.backends import get_search_backend
from wagtail.search.query import PlainText

from search.analysis import Alternative, Analysis, analyse
from search.corpus import Document, Text, Vocabulary, documents, vocabulary
from search.engine.base import (
    MAX_RESULTS,
    Ranking,
    SearchEngine,
    searchable_content_types,
    searchable_pages,
)
from search.popularity import popularity_scores

# How many of the backend's best matches are ranked again by our rules.
CANDIDATES = 200
# Below this many matches in titles, keywords and summaries, the body is searched too
# (it is the slow part on PostgreSQL: title and body together have no index).
ENOUGH_CANDIDATES = 3
# A word used by more pages than this is "common" (see DatabaseEngine.candidates).
COMMON_MIN, COMMON_SHARE = 50, 0.02

TITLE, KEYWORD, SUMMARY = 3.0, 2.5, 1.0
PHRASE_BONUS = 1.2  # a concept's words together, in order
STEM_ONLY = 0.75  # "tip" meeting "tipping": the same stem, not the same word
PARTIAL = 0.4  # some words of a phrase: scores a little, but does not cover the concept
WHOLE_QUERY_IN_TITLE = 3.0
WHOLE_QUERY_IN_KEYWORD = 3.0
EXACT_KEYWORD = 2.0  # a keyword (or the title) that is exactly what the resident typed
BODY = 1.0  # the backend's order (it reads the body too), scaled to 0-1
POPULARITY = 0.6
NOT_A_SERVICE = 0.9  # residents come to do something: a service beats a category page


def contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    size = len(needle)
    if size == 1:  # most of a query's words: the ranking's hottest line
        return needle[0] in haystack
    return any(haystack[i : i + size] == needle for i in range(len(haystack) - size + 1))


def field_match(field: Text, alternative: Alternative) -> tuple[float, bool]:
    """1 for the words as typed, together and in order; less for the same stems, less
    again for all of them apart, and at most PARTIAL for only some of them."""
    if not field:
        return 0.0, False
    stems_ = alternative.stems
    if contains(field.stems, stems_):
        exact = 1.0 if contains(field.words, alternative.words) else STEM_ONLY
        return exact * (PHRASE_BONUS if len(stems_) > 1 else 1.0), True
    present = sum(1 for s in stems_ if s in field.stems)
    if present == len(stems_):
        return 0.6, True
    return PARTIAL * present / len(stems_), False


def weighted_fields(document: Document) -> list[tuple[float, Text]]:
    fields = [(TITLE, document.title), (SUMMARY, document.summary)]
    fields += [(TITLE, title) for title in document.other_titles]
    fields += [(SUMMARY, summary) for summary in document.other_summaries]
    fields += [(KEYWORD, keyword) for keyword in document.keywords]
    return fields


def alternative_score(
    document: Document, alternative: Alternative, fields: list[tuple[float, Text]]
) -> tuple[float, bool]:
    """The best of `fields` (`weighted_fields(document)`) for the alternative, weighted, and
    whether some field has all its words."""
    best, full = 0.0, False
    if document.stems.isdisjoint(alternative.stems):
        return best, full
    for weight, field in fields:
        value, complete = field_match(field, alternative)
        best = max(best, weight * value)
        full = full or complete
    return best, full


def concept_idf(concept, vocab: Vocabulary) -> float:
    typed = concept.alternatives[0].stems
    return sum(vocab.idf(s) for s in typed) / len(typed)


def weigh(analysis: Analysis, vocab: Vocabulary) -> list:
    """Each concept of the query with its importance, and each of its alternatives with its
    weight times its words' rarity: the same for every page, so worked out once a query."""
    return [
        (
            concept_idf(concept, vocab),
            [
                (
                    alternative,
                    alternative.weight
                    * sum(vocab.idf(s) for s in alternative.stems)
                    / len(alternative.stems),
                )
                for alternative in concept.alternatives
            ],
        )
        for concept in analysis.concepts
    ]


def score(
    document: Document,
    analysis: Analysis,
    weights: list,
    body: float,
    popularity: float,
) -> float:
    """A page's score for the query; `weights` is `weigh(analysis, vocab)`."""
    total = 0.0
    weight_all = weight_matched = 0.0
    fields = weighted_fields(document)
    for importance, alternatives in weights:
        best = 0.0
        covered = False
        for alternative, alternative_weight in alternatives:
            matched, complete = alternative_score(document, alternative, fields)
            best = max(best, alternative_weight * matched)
            covered = covered or complete
        weight_all += importance
        if covered:
            weight_matched += importance
        total += best
    # How much of what the resident asked for the page covers, rare words counting more.
    coverage = weight_matched / weight_all if weight_all else 0.0
    total *= coverage * coverage
    whole = analysis.content_stems
    titles = (document.title, *document.other_titles)
    if len(whole) > 1:
        if any(contains(title.stems, whole) for title in titles):
            total += WHOLE_QUERY_IN_TITLE
        if any(contains(k.stems, whole) for k in document.keywords):
            total += WHOLE_QUERY_IN_KEYWORD
    typed = tuple(analysis.stems)
    if typed and (
        any(typed == title.stems for title in titles)
        or any(typed == k.stems for k in document.keywords)
    ):
        total += EXACT_KEYWORD
    total += BODY * body + POPULARITY * popularity
    return total if document.is_service else total * NOT_A_SERVICE


class DatabaseEngine(SearchEngine):
    name = "database"

    def __init__(self, backend_name: str = "default") -> None:
        self.backend_name = backend_name

    def candidates(self, analysis: Analysis, locale: Locale, vocab: Vocabulary):
        """Page id -> 1 for the backend's best match down to near 0, for up to CANDIDATES.

        First the short fields: Wagtail's autocomplete column holds each page's title and
        `search_stems` (title, keywords and summary), and has an index of its own on both
        databases (the title-and-body match cannot use PostgreSQL's GIN indexes). Words most
        pages use are left out of this match when the query has rarer ones, as a common-terms
        cut-off does, so a query never has to rank thousands of pages; they still count in
        the ranking. Only when few pages match there is the body searched as well."""
        terms = analysis.match_terms()
        if not terms:
            return {}
        # Rare words, or when every word is common, the rarest (up to twice the rarest's use).
        cutoff = max(COMMON_MIN, COMMON_SHARE * vocab.documents)
        cutoff = max(cutoff, 2 * min(vocab.uses(term) for term in terms))
        rare = [term for term in terms if vocab.uses(term) <= cutoff]
        # The last word of an autocomplete match is a prefix: make it the longest word.
        strong = sorted(rare, key=len)
        backend = get_search_backend(self.backend_name)
        pages = searchable_pages(locale).only("id")
        ids = [
            page.pk
            for page in backend.autocomplete(" ".join(strong), pages, operator="or")[:CANDIDATES]
        ]
        if len(ids) < ENOUGH_CANDIDATES:
            seen = set(ids)
            ids += [pk for pk in self.body_matches(strong, pages, backend) if pk not in seen]
        # The backend's own order (it reads the body too), as 1 for its best down to near 0.
        return {pk: 1 - position / len(ids) for position, pk in enumerate(ids)}

    def body_matches(self, terms: list[str], pages, backend) -> list[int]:
        """Pages whose body has one of the words, best first.

        On PostgreSQL this asks Wagtail's index table directly, title and body each against
        its own GIN index (Wagtail's own query joins the two vectors first, which no index
        serves: 200 ms at 50,000 pages against a few). Elsewhere, Wagtail's search."""
        if connection.vendor != "postgresql" or not hasattr(backend, "config"):
            found = backend.search(PlainText(" ".join(terms), operator="or"), pages)
            return [page.pk for page in found[:CANDIDATES]]
        from django.contrib.postgres.search import SearchQuery
        from django.db.models import Q
        from modelsearch.conf import get_app_config

        index_entries = get_app_config().get_model("IndexEntry")

        query = SearchQuery(" | ".join(terms), search_type="raw", config=backend.config)
        # No ranking here: body-only matches are few that matter, and ranking thousands of
        # common-word matches is what made this slow. Our own ranking orders them after.
        found = list(
            index_entries.objects.filter(Q(body=query) | Q(title=query))
            .filter(content_type__in=searchable_content_types())
            .values_list("object_id", flat=True)[: CANDIDATES * 2]
        )
        # Only what search may show (live, public, this language).
        allowed = set(pages.filter(pk__in=[int(pk) for pk in found]).values_list("pk", flat=True))
        return [int(pk) for pk in found if int(pk) in allowed][:CANDIDATES]

    def rank_analysis(self, analysis: Analysis, locale: Locale, vocab: Vocabulary, limit: int):
        found = self.candidates(analysis, locale, vocab)
        if not found:
            return []
        docs = documents(found, analysis.language)
        liked = popularity_scores(found)
        weights = weigh(analysis, vocab)
        scored = [
            (score(docs[pk], analysis, weights, body, liked.get(pk, 0.0)), body, -pk)
            for pk, body in found.items()
            if pk in docs
        ]
        scored.sort(reverse=True)
        return [-negative_pk for _, _, negative_pk in scored[:limit]]

    def rank(self, query: str, *, locale: Locale, limit: int = MAX_RESULTS) -> Ranking:
        vocab = vocabulary(locale)
        analysis = analyse(query, vocab, locale.language_code)
        ids = self.rank_analysis(analysis, locale, vocab, limit)
        return Ranking(page_ids=ids, suggestion=analysis.suggestion)

    def suggest(self, prefix: str, *, locale: Locale, limit: int = 6) -> list[int]:
        vocab = vocabulary(locale)
        analysis = analyse(prefix, vocab, locale.language_code, prefix=True)
        return self.rank_analysis(analysis, locale, vocab, limit)
