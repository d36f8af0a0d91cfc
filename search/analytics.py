"""Query analytics for the web team.

Every search's first results page is logged: the query normalised and redacted (anything that
looks like an email address, a phone number, a postcode or a card number is replaced by a
placeholder), the language and the number of results. Results link through `click/`, which
records the position chosen and remembers the search in the session for two hours, so that
starting or finishing a flow can be credited to it. Nothing about the resident is stored: no IP
address, user, session key or answer. The resident's real words are still what is searched for;
only what is stored is redacted.
"""

from __future__ import annotations

import datetime
import logging
import unicodedata
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.core import signing
from django.core.exceptions import DisallowedRedirect
from django.db import connection, transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.redaction import PLACEHOLDER_PATTERN, PLACEHOLDERS, redact_personal_data
from core.text_analysis import normalise
from forms.flows.signals import flow_finished, flow_started
from search.models import FlowFromSearch, SearchClick, SearchLog

if TYPE_CHECKING:
    from forms.flows.models import FlowPage

logger = logging.getLogger(__name__)

MAX_STORED_LENGTH = 255
CLICK_SALT = "search.analytics.click"
# A results page left open this long still takes the resident to the result, uncounted.
CLICK_COUNTS_FOR = datetime.timedelta(days=1)
ATTRIBUTION_KEY = "search_attribution"
ATTRIBUTION_WINDOW = datetime.timedelta(hours=2)
CLICKS_SEEN_KEY = "search_clicks_seen"
CLICKS_SEEN_KEPT = 30

# redaction: the patterns are shared with the site's logs (core/redaction.py)


def redact(query: str) -> str:
    """The query as stored: normalised, with emails, phone numbers and postcodes redacted.

    "Bin day for FE1 1AA?" -> "bin day for [postcode]"; "jo.bloggs@example.com council tax" ->
    "[email] council tax". Words keep their letters and digits; punctuation becomes a space."""
    text = unicodedata.normalize("NFKC", query or "")
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    text = redact_personal_data(text, outward_codes=True, pad=" ")
    parts = []
    for piece in PLACEHOLDER_PATTERN.split(text):
        if piece in PLACEHOLDERS:
            parts.append(piece)
        elif words := normalise(piece):
            parts.append(words)
    stored = " ".join(parts)
    if len(stored) > MAX_STORED_LENGTH:
        stored = stored[:MAX_STORED_LENGTH].rsplit(" ", 1)[0]
    return stored


# logging a search


def log_search(request: HttpRequest, query: str, result_count: int) -> int | None:
    """Record one search (the first results page only); return its log id for click links.

    Never breaks the search: a database error is logged (without the query) and None is
    returned. Nothing is written to the session, so a search alone sets no cookie."""
    stored = redact(query)
    try:
        with _own_transaction():
            log = SearchLog.objects.create(
                query=stored, language=get_language() or "", result_count=result_count
            )
    except Exception as error:
        logger.warning("A search could not be logged (%s)", error.__class__.__name__)
        return None
    if stored:
        # Wagtail's promoted-results admin suggests the popular queries from these hits.
        try:
            with _own_transaction():
                count_hit(stored)
        except Exception as error:
            logger.warning("A search hit could not be counted (%s)", error.__class__.__name__)
    return log.pk


def count_hit(query: str, date: datetime.date | None = None) -> None:
    """What Wagtail's `Query.get(query).add_hit()` records, in one statement instead of five
    for a query asked before: today's count made or added to in one upsert (PostgreSQL and
    SQLite both read this `ON CONFLICT`); for a new query, its row is made first."""
    from wagtail.contrib.search_promotions.models import Query, QueryDailyHits
    from wagtail.search.utils import normalise_query_string

    query_string = normalise_query_string(query)
    date = date or timezone.now().date()
    queries, hits = Query._meta.db_table, QueryDailyHits._meta.db_table
    with connection.cursor() as cursor:
        for _attempt in range(2):
            cursor.execute(
                f"INSERT INTO {hits} (query_id, date, hits) "
                f"SELECT id, %s, 1 FROM {queries} WHERE query_string = %s "
                f"ON CONFLICT (query_id, date) DO UPDATE SET hits = {hits}.hits + 1",
                [date, query_string],
            )
            if cursor.rowcount:
                return
            # Asked for the first time: no ON CONFLICT here, which would use up one of the
            # table's ids on every search.
            Query.objects.get_or_create(query_string=query_string)


def _own_transaction():
    """Each write is its own transaction already (autocommit): BEGIN and COMMIT around it
    would only add two round trips. Inside someone else's transaction, a savepoint, so that
    a failure here does not spoil it."""
    return transaction.atomic() if connection.in_atomic_block else nullcontext()


# click-through


def click_url(log_id: int | None, result: Any) -> str:
    """The link for a result: a signed click-through URL, or the result's own URL.

    Only logged searches (the first results page) are counted; later pages link straight to
    their results. The token holds the log id, the position and the page or promoted link's
    id, never a URL, so `click/` cannot be used to send anyone elsewhere."""
    if log_id is None:
        return result.url
    payload: dict[str, int] = {"l": int(log_id), "p": int(result.position)}
    page_id = getattr(result, "page_id", None) or getattr(getattr(result, "page", None), "pk", None)
    if page_id:
        payload["g"] = int(page_id)
    else:
        promotion_id = _promotion_id(result)
        if promotion_id is None:
            return result.url
        payload["r"] = promotion_id
    token = signing.dumps(payload, salt=CLICK_SALT, compress=True)
    return f"{reverse('search_click')}?{urlencode({'t': token})}"


def _promotion_id(result: Any) -> int | None:
    promotion = getattr(result, "promotion", None)
    if promotion is not None:
        return promotion.pk
    if getattr(result, "promotion_id", None):
        return int(result.promotion_id)
    if not getattr(result, "promoted", False) or not result.url:
        return None
    from wagtail.contrib.search_promotions.models import SearchPromotion

    return (
        SearchPromotion.objects.filter(page__isnull=True, external_link_url=result.url)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def _read_token(token: str) -> tuple[dict[str, int], bool] | None:
    """The click's payload and whether it is recent enough to count; None if it is not ours."""
    try:
        payload = signing.loads(token, salt=CLICK_SALT, max_age=CLICK_COUNTS_FOR)
        fresh = True
    except signing.SignatureExpired:
        try:
            payload = signing.loads(token, salt=CLICK_SALT)
        except signing.BadSignature:
            return None
        fresh = False
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(payload, dict):
        return None
    ints = {key: value for key, value in payload.items() if type(value) is int and value > 0}
    if set(ints) not in ({"l", "p", "g"}, {"l", "p", "r"}):
        return None
    return ints, fresh


def _target_url(request: HttpRequest, payload: dict[str, int]) -> str | None:
    """Where the result is now, read from the database: a live page's current URL or the
    promoted link's address (an editor's); None if it has gone."""
    from wagtail.contrib.search_promotions.models import SearchPromotion
    from wagtail.models import Page

    if "g" in payload:
        page = Page.objects.live().filter(pk=payload["g"]).first()
        return page.get_url(request) if page is not None else None
    promotion = SearchPromotion.objects.filter(pk=payload["r"]).select_related("page").first()
    if promotion is None:
        return None
    if promotion.page is not None:
        return promotion.page.get_url(request) if promotion.page.live else None
    return promotion.external_link_url or None


def _record_click(request: HttpRequest, payload: dict[str, int]) -> None:
    log_id = payload["l"]
    if not SearchLog.objects.filter(pk=log_id).exists():
        return  # an old search, since deleted
    seen = list(request.session.get(CLICKS_SEEN_KEY, []))
    key = f"{log_id}:{payload['p']}"
    if key not in seen:  # a click counts once, however often the resident comes back
        with transaction.atomic():
            SearchClick.objects.create(
                log_id=log_id,
                position=payload["p"],
                page_id=payload.get("g"),
                promotion_id=payload.get("r"),
            )
        request.session[CLICKS_SEEN_KEY] = [*seen, key][-CLICKS_SEEN_KEPT:]
    # Only a click starts a session: a search on its own leaves no trace on the device.
    request.session[ATTRIBUTION_KEY] = {"log": log_id, "at": timezone.now().isoformat()}


@never_cache
@require_GET
def click(request: HttpRequest) -> HttpResponse:
    """Record which position was chosen for which query, then redirect to the result.

    A missing, tampered or foreign token, or a result that has gone, lands on the search page;
    the resident never sees an error."""
    search_page = reverse("search")
    read = _read_token(request.GET.get("t", ""))
    if read is None:
        return HttpResponseRedirect(search_page)
    payload, fresh = read
    target = _target_url(request, payload)
    if not target:
        return HttpResponseRedirect(search_page)
    try:
        response = HttpResponseRedirect(target)
    except DisallowedRedirect:
        return HttpResponseRedirect(search_page)
    if fresh:
        try:
            _record_click(request, payload)
        except Exception as error:
            logger.warning("A search click could not be recorded (%s)", error.__class__.__name__)
    return response


# flows started and finished after a search


def attributed_log_id(request: HttpRequest | None) -> int | None:
    """The search the resident last chose a result from, if that was under two hours ago."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    attribution = session.get(ATTRIBUTION_KEY)
    if not isinstance(attribution, dict):
        return None
    try:
        log_id = int(attribution["log"])
        at = datetime.datetime.fromisoformat(attribution["at"])
    except (KeyError, TypeError, ValueError):
        return None
    if timezone.is_naive(at):
        return None
    age = timezone.now() - at
    if age < -datetime.timedelta(minutes=5) or age >= ATTRIBUTION_WINDOW:
        return None
    return log_id


def record_flow(request: HttpRequest | None, page: FlowPage, kind: str) -> None:
    """A flow-from-search row, once per search, flow and kind; never breaks the flow."""
    try:
        log_id = attributed_log_id(request)
        if log_id is None:
            return
        parent = page.get_parent()
        with transaction.atomic():
            FlowFromSearch.objects.get_or_create(
                log_id=log_id,
                flow_id=page.pk,
                kind=kind,
                defaults={"service_id": parent.pk if parent is not None else None},
            )
    except Exception as error:
        logger.warning("A flow from a search could not be recorded (%s)", error.__class__.__name__)


@receiver(flow_started, dispatch_uid="search.analytics.flow_started")
def record_flow_started(sender: Any, page: FlowPage, request: HttpRequest, **kwargs: Any) -> None:
    record_flow(request, page, FlowFromSearch.Kind.STARTED)


@receiver(flow_finished, dispatch_uid="search.analytics.flow_finished")
def record_flow_finished(sender: Any, page: FlowPage, request: HttpRequest, **kwargs: Any) -> None:
    record_flow(request, page, FlowFromSearch.Kind.FINISHED)
