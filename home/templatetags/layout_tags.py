"""Template tags for the site-wide layout: breadcrumbs, the language switcher and the footer."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import get_language
from wagtail.models import Locale, Page

from core.languages import language_versions, untranslated
from core.pagecache import remembered, request_host
from home.models import StandardPage
from services.models import ContactSettings

register = template.Library()


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context: dict[str, Any], page: Page) -> dict[str, Any]:
    """The pages above this one, from the home page down (one query)."""
    request = context.get("request")
    ancestors = page.get_ancestors().filter(depth__gt=1)
    return {
        "ancestors": [
            {"title": a.title, "url": a.get_url(request), "is_home": a.depth == 2}
            for a in ancestors
        ]
    }


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context: dict[str, Any]) -> dict[str, Any]:
    """This page in each language (a flow keeps its step; search, its query)."""
    request = context.get("request")
    if request is None:
        return {"languages": []}
    return {"languages": language_versions(request, context.get("page"))}


@register.inclusion_tag("includes/hreflang.html", takes_context=True)
def hreflang_links(context: dict[str, Any]) -> dict[str, Any]:
    """`<link rel="alternate" hreflang>` for each language the page is really written in,
    and x-default (English) for everyone else."""
    request = context.get("request")
    if request is None:
        return {"links": []}
    versions = [v for v in language_versions(request, context.get("page")) if v.translated]
    if len(versions) < 2:
        return {"links": []}
    links = [(v.code, request.build_absolute_uri(v.url)) for v in versions]
    default = next((url for code, url in links if code == settings.LANGUAGE_CODE), None)
    if default:
        links.append(("x-default", default))
    return {"links": links}


@register.inclusion_tag("includes/footer.html", takes_context=True)
def site_footer(context: dict[str, Any]) -> dict[str, Any]:
    """The footer: standard pages marked "Show in menus" and the council's phone line."""
    request = context.get("request")
    links: list[dict[str, str]] = []
    contact = ContactSettings()
    if request is not None:
        contact = ContactSettings.for_request(request)
        pages = StandardPage.objects.live().in_menu().filter(locale=Locale.get_active())
        links = [
            {"title": p.title, "url": p.get_url(request), "page": p} for p in pages.order_by("path")
        ]
    return {
        "council": settings.COUNCIL_NAME,
        "links": links,
        "phone": contact.phone_number,
        "phone_href": contact.phone_number.replace(" ", ""),
        "hours": contact.phone_hours,
    }


@register.inclusion_tag("includes/phase_banner.html", takes_context=True)
def phase_banner(context: dict[str, Any]) -> dict[str, Any]:
    """The phase banner, linking to the feedback page editors chose."""
    request = context.get("request")
    feedback_url = ""
    if request is not None:
        # Once per process, site and language for the generation (a flow's steps show it on
        # every page, never cached whole).
        feedback_url = remembered(
            request,
            ("feedback_url", request_host(request), get_language()),
            lambda: _feedback_url(request),
        )
    return {"phase": settings.COUNCIL_PHASE, "feedback_url": feedback_url}


def _feedback_url(request: HttpRequest) -> str:
    feedback_page = ContactSettings.for_request(request).feedback_page
    if feedback_page is not None and feedback_page.live:
        return feedback_page.localized.get_url(request) or ""
    return ""


@register.simple_tag
def council_name() -> str:
    """The council's name, for templates rendered without a request (such as the 500 page)."""
    return settings.COUNCIL_NAME


@register.filter
def english_if_untranslated(page: Any) -> str:
    """` lang="en-gb" dir="ltr"` on a link to a page that shows English text because it is not
    translated into the resident's language yet, so screen readers read it as English."""
    if not untranslated(page):
        return ""
    return format_html(' lang="{}" dir="ltr"', settings.LANGUAGE_CODE)
