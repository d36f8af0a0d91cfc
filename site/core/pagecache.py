"""The page cache: content pages served to anonymous readers from the Django cache (Redis in
production), with `Cache-Control: public, s-maxage` for a CDN in front, and everything else
marked private.

Three caches share one **generation** number kept in the cache itself, which is part of every
key. Publishing, unpublishing, moving or deleting a page, and saving a site setting, a site, a
redirect, a locale or a view restriction bump it (see `connect_signals`), so the next request
after an editor's change misses every entry made before it; old entries simply expire.

- Whole pages (`PageCacheMiddleware`): a GET of a content page (home, category, service and
  standard pages, the models with `page_cache = True`) by a reader with no session cookie and no
  query string, answered 200 with no cookie set, no `Cache-Control` of the view's own and no
  CSRF token in it, is stored under host + path and served from the cache next time, before
  sessions, languages or the database are touched. `X-Cache: hit|miss` tells operators which.
  A request with `Cache-Control: no-cache` is answered from the site rather than the cache, as
  RFC 9111 asks of caches, and so is anyone with a session cookie (staff signed in, a resident
  part way through a form): the session is refreshed on each of their responses.
- Routes (`process_view`): which page a path is, with its site and view restrictions, so an
  uncached page costs no routing queries; a flow's steps (`route_cache = True`) too, GET and
  POST, since residents meet them most.
- Fragments (`{% pagefragment %}`, home/templatetags/page_cache.py): the header, main content
  and footer of content pages, rendered once per language and generation, whoever reads them;
  on a flow's steps, only those the same on every page ("site": the footer, the search box).

Every other response without a `Cache-Control` of its own gets Django's never-cache headers:
form steps, search results, track your request, payments, the admin, error pages.

The cache being unreachable means "not cached": every cache call here is guarded, so it never
turns into an error page. (wagtail-cache, the usual library for this, does not support
Wagtail 8, and has no notion of a generation shared with fragment and route caches.)
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import get_language

from core.paths import is_canonical_path

logger = logging.getLogger(__name__)

# What a request learnt is kept on it (`request._pagecache_*`, as Wagtail keeps
# `_wagtail_site`): attributes HttpRequest's stubs do not declare, hence the narrow
# `type: ignore[attr-defined]` where they are set.
GENERATION_KEY = "pagecache:generation"
# Headers that belong to one response only, never replayed from the cache.
_NOT_STORED = {"set-cookie", "x-cache", "date", "expires", "age"}


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def _seconds() -> int:
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 300))


@functools.cache
def _release() -> str:
    """This release's static files (the manifest's hash in production): part of every key, so
    that pages cached before a deployment, which name the old files, are not served after it."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    return str(getattr(staticfiles_storage, "manifest_hash", ""))


def _hash(text: str) -> str:
    return hashlib.md5(f"{_release()}|{text}".encode(), usedforsecurity=False).hexdigest()


def _read_generation(cache: Any, found: Any) -> int:
    if found is None:
        # First use, or Redis lost its data: start from the clock, never from 0, so that
        # numbers used before can never come back.
        cache.add(GENERATION_KEY, int(time.time() * 1000), timeout=None)
        found = cache.get(GENERATION_KEY)
    return int(found)


def lookup(request: HttpRequest, keys: list[str]) -> dict[str, Any]:
    """The entries at `keys` made in the current generation, read with the generation itself
    in one round trip (the first lookup of a request), or {} when the cache cannot be read.

    Entries are stored with the generation they were made in (see `store`), so an entry made
    before an editor's change is never served after it, wherever the change was made."""
    known = hasattr(request, "_pagecache_generation")
    gen: int | None = getattr(request, "_pagecache_generation", None)
    if known and gen is None:
        return {}  # the cache failed earlier in this request: not asked again
    cache = _cache()
    try:
        found = cache.get_many(keys if known else [GENERATION_KEY, *keys])
        if not known:
            gen = _read_generation(cache, found.get(GENERATION_KEY))
            request._pagecache_generation = gen  # type: ignore[attr-defined]
    except Exception:  # any cache failure: serve uncached
        logger.warning("Page cache: the cache could not be read", exc_info=True)
        request._pagecache_generation = None  # type: ignore[attr-defined]
        return {}
    return {
        key: entry[1]
        for key, entry in found.items()
        if key != GENERATION_KEY and isinstance(entry, tuple) and entry[0] == gen
    }


def generation(request: HttpRequest) -> int | None:
    """The current generation, read once a request; None when the cache cannot be reached."""
    if not hasattr(request, "_pagecache_generation"):
        lookup(request, [])
    return getattr(request, "_pagecache_generation", None)


def store(request: HttpRequest, key: str, value: Any) -> None:
    """Keep `value` at `key`, marked with the generation the request began in."""
    gen = getattr(request, "_pagecache_generation", None)
    if gen is None:
        return
    try:
        _cache().set(key, (gen, value), _seconds())
    except Exception:
        logger.warning("Page cache: the cache could not be written", exc_info=True)


# What `remembered` keeps in this process: {key: value}, all of one generation.
_memo: dict[Any, Any] = {}
_memo_generation: list[int | None] = [None]
# Enough for every page's language versions and each site's settings, in every language.
MEMO_LIMIT = 5000


def remembered(request: HttpRequest, key: Any, make: Any) -> Any:
    """`make()`, worked out once per process and generation: what pages, settings and routes
    say, on pages that cannot be cached whole (a flow's steps). Kept in this process's memory
    rather than Redis, as nothing there needs unpickling; the generation read with the request's
    route tells when an editor's change makes it stale. Without the cache, made every time.

    The value is shared by every request (and thread) of the process: callers never change it."""
    gen = generation(request)
    if gen is None:
        return make()
    if _memo_generation[0] != gen or len(_memo) >= MEMO_LIMIT:
        _memo.clear()
        _memo_generation[0] = gen
    try:
        return _memo[key]
    except KeyError:
        value = _memo[key] = make()
        return value


def forget_remembered() -> None:
    """Empty this process's memory of `remembered` values (the tests, between data sets)."""
    _memo.clear()
    _memo_generation[0] = None


def bump_generation(**kwargs: Any) -> None:
    """Forget every cached page, route and fragment (a signal receiver)."""
    cache = _cache()
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no generation yet
            cache.set(GENERATION_KEY, int(time.time() * 1000), timeout=None)
    except Exception:
        logger.warning("Page cache: the generation could not be changed", exc_info=True)


def bump_unless_created(created: bool = False, **kwargs: Any) -> None:
    """For settings, which Wagtail creates with their defaults the first time a page reads
    them: that changes nothing a reader sees. Any later save does."""
    if not created:
        bump_generation()


def request_host(request: HttpRequest) -> str | None:
    """The request's host, None if it is not one of ALLOWED_HOSTS: checked once a request (the
    route, each fragment and each memo ask for it)."""
    try:
        return request._pagecache_host  # type: ignore[attr-defined]
    except AttributeError:
        pass
    try:
        host: str | None = request.get_host()
    except DisallowedHost:
        host = None
    request._pagecache_host = host  # type: ignore[attr-defined]
    return host


def wants_fresh(request: HttpRequest) -> bool:
    """A request that asks not to be answered from a cache (a browser's hard reload)."""
    directives = request.META.get("HTTP_CACHE_CONTROL", "").lower()
    return "no-cache" in directives or "no-cache" in request.META.get("HTTP_PRAGMA", "").lower()


def page_is_cacheable(page: Any) -> bool:
    return bool(getattr(type(page), "page_cache", False))


def route_is_cacheable(page: Any) -> bool:
    """Content pages, and pages whose class says `route_cache = True` (a flow, whose addresses
    below its own are its steps): which page a path is, whatever the page then does with the
    request, which may be different for everyone."""
    return page_is_cacheable(page) or bool(getattr(type(page), "route_cache", False))


def cached_page(request: HttpRequest) -> Any:
    """The content page this request is serving, when its fragments may be cached."""
    return getattr(request, "_pagecache_page", None)


def routed_page(request: HttpRequest) -> Any:
    """The page the route cache gave this request, this generation's copy of it: a content
    page, or a flow whose steps may take from the cache only what is the same for everyone
    (the "site" fragments, and what `remembered` keeps)."""
    return getattr(request, "_pagecache_page", None) or getattr(
        request, "_pagecache_site_page", None
    )


def share_site_fragments(request: HttpRequest) -> None:
    """Let a view that is not a page (search results) take the "site" fragments (the head's
    links, the footer) from the cache, as content pages and a flow's steps do: they are the
    same on every page. Their keys are fetched with the generation, in one round trip."""
    request._pagecache_site_fragments = True  # type: ignore[attr-defined]
    if hasattr(request, "_pagecache_prefetched"):
        return
    keys = {
        k
        for name, scope in FRAGMENTS
        if scope == "site" and (k := fragment_key(request, name, scope))
    }
    found = lookup(request, list(keys))
    if generation(request) is not None:
        request._pagecache_prefetched = {k: found.get(k) for k in keys}  # type: ignore[attr-defined]


def shares_site_fragments(request: HttpRequest) -> bool:
    return getattr(request, "_pagecache_site_fragments", False)


# The fragments templates declare ({% pagefragment %} adds itself when a template is compiled):
# their keys are fetched together with the route, in one round trip.
FRAGMENTS: set[tuple[str, str]] = set()


def fragment_key(request: HttpRequest, name: str, scope: str) -> str | None:
    """The cache key of a fragment of the content page at this request's address (whatever
    the page: a path is one page in one generation), or None when it must be rendered afresh.

    scope "site": the same on every page; "page": this page, whatever the query string;
    "path": this address exactly, so never with a query string (it is the reader's own)."""
    keys = getattr(request, "_pagecache_fragment_keys", None)
    if keys is None:
        keys = request._pagecache_fragment_keys = {}  # type: ignore[attr-defined]
    if (name, scope) in keys:
        return keys[(name, scope)]
    key = None
    host = request_host(request)
    if (
        host is not None
        and is_canonical_path(request)
        and not getattr(request, "is_preview", False)
    ):
        parts = [name, get_language() or "", request.scheme or "", host]
        if scope == "page" or (scope == "path" and not request.META.get("QUERY_STRING")):
            parts.append(request.path)
        if scope != "path" or len(parts) == 5:
            key = "pagecache:fragment:" + _hash("|".join(parts))
    keys[(name, scope)] = key
    return key


def fragment(request: HttpRequest, key: str) -> str | None:
    """A stored fragment: from what was fetched with the route, else from the cache."""
    prefetched = getattr(request, "_pagecache_prefetched", None)
    if prefetched is not None and key in prefetched:
        return prefetched[key]
    return lookup(request, [key]).get(key)


def _restrictions_getter(restrictions: list) -> Any:
    return lambda: restrictions


class PageCacheMiddleware:
    """Stores and serves whole content pages; primes Wagtail's routing from the route cache;
    marks every other response never-cache. Place it after SecurityMiddleware and the CSP
    middleware (so their headers are added to cached pages too) and before WhiteNoise."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.skip_prefixes = tuple(
            p
            for p in (settings.STATIC_URL, settings.MEDIA_URL, "/admin/", "/documents/")
            if p and p.startswith("/")
        )

    # -- whole pages ------------------------------------------------------------------------

    def page_key(self, request: HttpRequest) -> str | None:
        """The key this request's page may be served from or stored under, or None."""
        if request.method not in ("GET", "HEAD") or _seconds() <= 0:
            return None
        if getattr(request, "is_dummy", False):  # Wagtail's preview: never the live page
            return None
        if request.META.get("QUERY_STRING") or request.path.startswith(self.skip_prefixes):
            return None
        # Only an address that is local as sent (not `//host/...`): a page rendered for a crafted
        # path is never stored, so it can never be served to anyone else.
        if not is_canonical_path(request):
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
            return None
        if wants_fresh(request):
            return None
        host = request_host(request)
        if host is None:
            return None
        # The host (checked against ALLOWED_HOSTS) and the scheme hold no "|", and the path
        # comes last, so no path can make its key another address's.
        return "pagecache:page:" + _hash(f"{request.scheme}|{host}|{request.path}")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = self.page_key(request)
        if key is not None:
            entry = lookup(request, [key]).get(key)
            if entry is not None:
                try:
                    return self.from_entry(entry)
                except Exception:  # an entry of another shape: ignore it
                    logger.warning("Page cache: an entry could not be read", exc_info=True)
        response = self.get_response(request)
        if self.is_public(request, response):
            patch_cache_control(
                response,
                public=True,
                max_age=settings.PAGE_CACHE_MAX_AGE,
                s_maxage=settings.PAGE_CACHE_S_MAXAGE,
            )
            self.drop_vary_accept_language(response)
            response["X-Cache"] = "miss"
            if key is not None and request.method == "GET":
                store(request, key, self.to_entry(response))
        elif not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response

    def is_public(self, request: HttpRequest, response: HttpResponse) -> bool:
        """A response anyone may be given: a content page, for nobody in particular."""
        if cached_page(request) is None or request.method not in ("GET", "HEAD"):
            return False
        if request.META.get("QUERY_STRING") or getattr(request, "is_preview", False):
            return False
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if response.has_header("Cache-Control"):  # the view decided (e.g. a restricted page)
            return False
        vary = response.get("Vary", "").lower()
        if "cookie" in vary or "authorization" in vary:
            return False
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return False
        return b"csrfmiddlewaretoken" not in response.content

    @staticmethod
    def drop_vary_accept_language(response: HttpResponse) -> None:
        """The language is in the path, so the page never varies with Accept-Language (which
        LocaleMiddleware names on English pages) and a CDN need not split its copies."""
        if not response.has_header("Vary"):
            return
        kept = [
            v.strip()
            for v in response["Vary"].split(",")
            if v.strip() and v.strip().lower() != "accept-language"
        ]
        if kept:
            response["Vary"] = ", ".join(kept)
        else:
            del response["Vary"]

    @staticmethod
    def to_entry(response: HttpResponse) -> tuple[int, list[tuple[str, str]], bytes]:
        headers = [(k, v) for k, v in response.items() if k.lower() not in _NOT_STORED]
        return (response.status_code, headers, response.content)

    @staticmethod
    def from_entry(entry: tuple[int, list[tuple[str, str]], bytes]) -> HttpResponse:
        status, headers, content = entry
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        response["X-Cache"] = "hit"
        return response

    # -- routes -----------------------------------------------------------------------------

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        from wagtail.views import serve

        # POST too: a flow's answers are posted to its step's address, routed as its GET is.
        if view_func is not serve or request.method not in ("GET", "HEAD", "POST"):
            return
        try:
            self.route(request, view_args[0] if view_args else view_kwargs.get("path", ""))
        except Exception:  # routing is done again, uncached, by Wagtail's view
            logger.warning("Page cache: the route cache failed", exc_info=True)
        return

    def route(self, request: HttpRequest, path: str) -> None:
        """Wagtail's `route_for_request` for this path, from the cache when it can be: Wagtail
        keeps its result on the request (`_wagtail_route_for_request`, `_wagtail_site`) and
        its `serve` view uses it from there."""
        from wagtail.models import Page, Site

        host = request_host(request)
        if host is None:
            return
        key = "pagecache:route:" + _hash(f"{host}|{get_language()}|{path}")
        keys = set()
        if request.method != "POST":  # (a POST is answered with a redirect: no fragments)
            keys = {
                k
                for name, scope in FRAGMENTS
                if (k := fragment_key(request, name, scope)) is not None
            }
        found = lookup(request, [key, *keys])
        if generation(request) is None:
            return
        # Misses too: a fragment not found here is not asked for again.
        request._pagecache_prefetched = {k: found.get(k) for k in keys}  # type: ignore[attr-defined]
        entry = found.get(key)
        if entry is not None:
            site, page, args, kwargs, restrictions = entry
            request._wagtail_site = site  # type: ignore[attr-defined]
            request._wagtail_route_for_request = (page, args, kwargs)  # type: ignore[attr-defined]
        else:
            route = Page.route_for_request(request, path)
            if route is None:
                return
            page, args, kwargs = route
            # A content page's own address, or any address of a page that asks for it.
            if not route_is_cacheable(page) or (
                (args or kwargs) and not getattr(type(page), "route_cache", False)
            ):
                return
            restrictions = list(page.get_view_restrictions())
            # What the page works out about itself on every request (a flow's service and
            # source language), kept with it.
            prepare = getattr(page, "prepare_for_route_cache", None)
            if callable(prepare):
                prepare()
            # The site route_for_request found, kept on the request (no second query).
            site = Site.find_for_request(request)
            store(request, key, (site, page, args, kwargs, restrictions))
        # Wagtail's check_view_restrictions hook asks the page; answer from what was stored.
        page.get_view_restrictions = _restrictions_getter(restrictions)
        if page_is_cacheable(page) and not args and not kwargs:
            request._pagecache_page = page  # type: ignore[attr-defined]
        else:
            request._pagecache_site_page = page  # type: ignore[attr-defined]


# -- invalidation ---------------------------------------------------------------------------


def connect_signals() -> None:
    """Bump the generation whenever something a reader sees may have changed."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save
    from modelcluster.fields import ParentalKey
    from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
    from wagtail.models import Locale, Page, PageViewRestriction, Site
    from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

    uid = "core.pagecache"
    for signal in (page_published, page_unpublished, page_slug_changed, post_page_move):
        signal.connect(bump_generation, dispatch_uid=f"{uid}.{signal!r}")
    watched = [Site, Locale, PageViewRestriction]
    if apps.is_installed("wagtail.contrib.redirects"):
        watched.append(apps.get_model("wagtailredirects", "Redirect"))
    settings_models = (BaseSiteSetting, BaseGenericSetting)
    for model in apps.get_models():
        # Pages (a draft saved, or a page made in code, too), settings, and the rows edited
        # with a page or a setting (ParentalKey: top tasks, related services, a contact text
        # in Welsh). Not rows that merely point at a page, such as a resident's submission.
        parents = [
            f.related_model
            for f in model._meta.get_fields()
            if isinstance(f, ParentalKey) and isinstance(f.related_model, type)
        ]
        if issubclass(model, (Page, *settings_models)) or any(
            issubclass(parent, (Page, *settings_models)) for parent in parents
        ):
            watched.append(model)
    for model in watched:
        label = model._meta.label
        on_save = bump_unless_created if issubclass(model, settings_models) else bump_generation
        post_save.connect(on_save, sender=model, dispatch_uid=f"{uid}.save.{label}")
        post_delete.connect(bump_generation, sender=model, dispatch_uid=f"{uid}.delete.{label}")


def purge_related_pages(sender: Any, instance: Any, **kwargs: Any) -> None:
    """On publish or unpublish, purge from the CDN what lists the page: the page in its other
    languages, and above each of them its category and the home page. (Wagtail's own
    frontend_cache handler purges the page itself.)"""
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    from wagtail.contrib.frontend_cache.utils import PurgeBatch

    try:
        pages = {}
        for translation in instance.get_translations(inclusive=True):
            if translation.pk != instance.pk:
                pages[translation.pk] = translation
            for ancestor in translation.get_ancestors().filter(depth__gt=1):
                pages[ancestor.pk] = ancestor
        batch = PurgeBatch()
        batch.add_pages(pages.values())
        batch.purge()
    except Exception:  # the CDN's copies expire anyway (s-maxage): never block a publish
        logger.exception("Page cache: the CDN purge failed")


def connect_purge_signals() -> None:
    from wagtail.signals import page_published, page_unpublished

    for signal in (page_published, page_unpublished):
        signal.connect(purge_related_pages, dispatch_uid=f"core.pagecache.purge.{signal!r}")
