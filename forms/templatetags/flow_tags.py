"""Template filters for flow pages."""

from django import template

from forms.money import format_pence

register = template.Library()


@register.filter
def pounds(pence: int | None) -> str:
    """{{ fee_pence|pounds }} -> '£25' or '£12.50'."""
    return "" if pence is None else format_pence(pence)
