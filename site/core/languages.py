"""The site's languages as a resident meets them: the same page in another language, and
pages chosen in English (top tasks, related services) shown in the resident's language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.encoding import escape_uri_path, iri_to_uri
from django.utils.translation import get_language, get_language_info
from wagtail.models import Locale, Page

from core.paths import is_local_path, local_full_path

P = TypeVar("P", bound=Page)


@dataclass(frozen=True)
class LanguageVersion:
    """One language a resident can read the current page in."""

    code: str
    name: str  # in its own words: "Cymraeg", "Polski", "العربية"
    url: str
    current: bool
    bidi: bool
    # False where the page is not translated yet and shows the English text (an alias).
    translated: bool = True


def language_name(code: str) -> str:
    info = get_language_info(code.split("-")[0])
    return info["name_local"][:1].upper() + info["name_local"][1:]


def language_label(code: str) -> str:
    """A language as staff read it in the admin ("Welsh"), from LANGUAGES."""
    return str(dict(settings.LANGUAGES).get(code, code))


def _bidi(code: str) -> bool:
    return bool(get_language_info(code.split("-")[0])["bidi"])


def language_versions(request: HttpRequest, page: Page | None = None) -> list[LanguageVersion]:
    """This page (or view) in each of the site's languages, in the order of LANGUAGES.

    A Wagtail page links to its translations (a flow step keeps its step and its query); any
    other page (search, track your request, 404) to the same address in each language.

    Every URL is built from the request's path made local (core.paths), so a crafted path
    such as `//evil.example/x/` never becomes a link to another site."""
    cache_key = ("language_versions", getattr(page, "pk", None))
    cached = getattr(request, "_council_languages", {})
    if cache_key in cached:
        return cached[cache_key]
    active = get_language() or settings.LANGUAGE_CODE
    versions = []
    if page is not None and getattr(page, "pk", None):
        versions = _page_versions(request, page)
    if not versions:
        full_path = local_full_path(request)
        versions = [
            LanguageVersion(
                code=code,
                name=language_name(code),
                url=_translated(full_path, code),
                current=code == active,
                bidi=_bidi(code),
            )
            for code, _name in settings.LANGUAGES
        ]
    cached[cache_key] = versions
    request._council_languages = cached  # type: ignore[attr-defined]
    return versions


def _translated(full_path: str, code: str) -> str:
    """`full_path` (local) in language `code`; itself when Django cannot translate it into a
    local path (translate_url keeps whatever scheme and host urlsplit finds in it)."""
    url = translate_url(full_path, code)
    return url if is_local_path(url) else full_path


def _translations(request: HttpRequest, page: Page) -> dict[str, tuple[int, str, bool]]:
    """{language code: (page id, its address, whether it is really translated)} for the live
    translations of `page` (itself included)."""
    return {
        p.locale.language_code: (p.pk, p.get_url(request) or "", p.alias_of_id is None)
        for p in page.get_translations(inclusive=True).live().select_related("locale")
    }


def _page_versions(request: HttpRequest, page: Page) -> list[LanguageVersion]:
    # From this process's memory for the generation (core.pagecache): a flow's steps, which
    # are never cached whole, would otherwise look the translations up on every page.
    from core.pagecache import remembered, request_host

    translations = remembered(
        request,
        ("translations", request_host(request), page.pk),
        lambda: _translations(request, page),
    )
    own_url = next((url for pk, url, _ in translations.values() if pk == page.pk), "")
    own_url = own_url or page.get_url(request) or ""
    # Routable pages (a flow's steps) serve addresses below their own: keep the rest. Both
    # percent-encoded (Wagtail's URLs are), so nothing from the path is written as it came.
    path = escape_uri_path(request.path)
    rest = path[len(own_url) :].lstrip("/") if own_url and path.startswith(own_url) else ""
    query = iri_to_uri(request.META.get("QUERY_STRING", ""))
    versions = []
    for code, _name in settings.LANGUAGES:
        translation = translations.get(code)
        if translation is None:
            continue
        pk, base, translated = translation
        if not base:  # not routable from this site: no link rather than a relative one
            continue
        url = base + rest
        versions.append(
            LanguageVersion(
                code=code,
                name=language_name(code),
                url=f"{url}?{query}" if query else url,
                current=pk == page.pk,
                bidi=_bidi(code),
                translated=translated,
            )
        )
    return versions


def untranslated(page: Any) -> bool:
    """Whether `page` shows another language's text: an alias that wagtail-localize keeps in
    step with the English page until someone translates it."""
    return bool(getattr(page, "alias_of_id", None)) and isinstance(page, Page)


def localized_pages(pages: Iterable[P]) -> list[P]:
    """Each page in the resident's language where it is published in it (one query), else as
    it is: editors pick top tasks and related services once, in English."""
    pages = list(pages)
    try:
        locale = Locale.get_active()
    except (LookupError, Locale.DoesNotExist):
        return pages
    keys = [p.translation_key for p in pages if p.locale_id != locale.pk]
    if not keys:
        return pages
    model = type(pages[0]) if len({type(p) for p in pages}) == 1 else Page
    found = {
        p.translation_key: p
        for p in model.objects.live().filter(translation_key__in=keys, locale=locale)
    }
    return [found.get(p.translation_key, p) if p.locale_id != locale.pk else p for p in pages]
