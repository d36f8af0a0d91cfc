"""Template filters for flow pages."""

from django import template
from django.utils.html import format_html_join
from django.utils.translation import get_language, gettext, ngettext

from core.money import format_pence

register = template.Library()


@register.filter
def pounds(pence: int | None) -> str:
    """{{ fee_pence|pounds }} -> '£25' or '£12.50'."""
    return "" if pence is None else format_pence(pence)


# A number in each plural category of the language (CLDR, as GOV.UK Frontend's JavaScript picks
# them with Intl.PluralRules), so gettext's own plural forms give each category its text.
PLURAL_SAMPLES = {
    "en": {"one": 1, "other": 2},
    "cy": {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 6, "other": 4},
    "pl": {"one": 1, "few": 2, "many": 5, "other": 5},
    "ar": {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 11, "other": 100},
}


@register.simple_tag
def character_count_texts() -> str:
    """GOV.UK Frontend's character count messages in the resident's language, as the
    `data-i18n.*` attributes its JavaScript reads (it writes English ones otherwise)."""
    language = (get_language() or "en").split("-")[0]
    count = {"count": "%{count}"}
    attributes = [("data-i18n.characters-at-limit", gettext("You have 0 characters remaining"))]
    for category, n in PLURAL_SAMPLES.get(language, PLURAL_SAMPLES["en"]).items():
        attributes += [
            (
                f"data-i18n.characters-under-limit.{category}",
                ngettext(
                    "You have %(count)s character remaining",
                    "You have %(count)s characters remaining",
                    n,
                )
                % count,
            ),
            (
                f"data-i18n.characters-over-limit.{category}",
                ngettext(
                    "You have %(count)s character too many",
                    "You have %(count)s characters too many",
                    n,
                )
                % count,
            ),
            (
                f"data-i18n.textarea-description.{category}",
                ngettext(
                    "You can enter up to %(count)s character",
                    "You can enter up to %(count)s characters",
                    n,
                )
                % count,
            ),
        ]
    return format_html_join("", ' {}="{}"', attributes)
