"""Template tags for the site-wide layout: breadcrumbs, the language switcher and the footer."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.translation import get_language_info
from wagtail.models import Locale, Page

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
def language_switcher(context: dict[str, Any], page: Page) -> dict[str, Any]:
    """Links to this page in the other languages it is published in."""
    request = context.get("request")
    translations = page.get_translations(inclusive=True).live().select_related("locale")
    languages = []
    for translation in translations.order_by("locale__language_code"):
        code = translation.locale.language_code
        languages.append(
            {
                "code": code,
                # Each language in its own words ("English", "Polski"), by its base language.
                "name": get_language_info(code.split("-")[0])["name_local"].capitalize(),
                "url": translation.get_url(request),
                "current": translation.pk == page.pk,
            }
        )
    return {"languages": languages}


@register.inclusion_tag("includes/footer.html", takes_context=True)
def site_footer(context: dict[str, Any]) -> dict[str, Any]:
    """The footer: standard pages marked "Show in menus" and the council's phone line."""
    from home.models import StandardPage

    request = context.get("request")
    links: list[dict[str, str]] = []
    contact = ContactSettings()
    if request is not None:
        contact = ContactSettings.for_request(request)
        pages = StandardPage.objects.live().in_menu().filter(locale=Locale.get_active())
        links = [{"title": p.title, "url": p.get_url(request)} for p in pages.order_by("path")]
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
        feedback_page = ContactSettings.for_request(request).feedback_page
        if feedback_page is not None and feedback_page.live:
            feedback_url = feedback_page.get_url(request)
    return {"phase": settings.COUNCIL_PHASE, "feedback_url": feedback_url}


@register.simple_tag
def council_name() -> str:
    """The council's name, for templates rendered without a request (such as the 500 page)."""
    return settings.COUNCIL_NAME
